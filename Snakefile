"""Replication of activation maximization on a Top-Down VAE of early vision.

Phases: data -> train -> units -> am -> figures, one rule file (and DVC stage) each.
The AM experiments and their figures are declared in config/experiments.yaml.
`snakemake --cores all` runs everything at the default scale; `--config scale=smoke`
is the CI-sized run and `--config scale=paper` the original sizes. The targets `confirm` and
`seeds` repeat the workflow for other seeds (workflow/rules/confirm.smk).
"""

import os
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")


# relative to the working directory: a seed run (workflow/rules/confirm.smk) runs in runs/seed<k>/
configfile: os.path.relpath(Path(workflow.basedir, "params.yaml"))


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/units.smk"
include: "workflow/rules/am.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/recipes.smk"
include: "workflow/rules/benchmarks.smk"
include: "workflow/rules/confirm.smk"


rule all:
    default_target: True
    input:
        PRODUCTS,
        rules.benchmark_summary.output,
