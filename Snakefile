"""Replication of activation maximization on a Top-Down VAE of early vision.

Phases (one rules file each): data -> train -> units -> am -> figures.
`snakemake --cores all` runs everything at the default scale; `--config scale=smoke`
is the CI-sized run and `--config scale=paper` the original sizes.
"""

from snakemake.utils import min_version

min_version("9.0")


configfile: "params.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/units.smk"


rule all:
    input:
        rules.data_all.input,
        rules.train_all.input,
        rules.units_all.input,
    default_target: True
