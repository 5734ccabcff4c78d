"""The confirmation run: the whole workflow (training, units, the AM battery, the scorecard) for the
confirmation seed in runs/seed<k>/, and its scorecard, unit classes, metrics and scorecard figure
copied to results/confirm/."""

import shutil
from pathlib import Path

from tdvae_am.logs import setup_job_logging
from tdvae_am.seed_runs import run_seed

log = setup_job_logging(snakemake.log[0])
seed = snakemake.params.seed
log.info("seed %d: the whole workflow in its own run", seed)
with open(Path(snakemake.log[0]).with_suffix(".snakemake.log"), "a") as out:
    workdir = run_seed(snakemake.params.config, seed, Path.cwd(), ["all"], snakemake.threads, out)
for src, dest in zip(snakemake.params.files, snakemake.output, strict=True):
    shutil.copy2(workdir / src, dest)
    log.info("%s -> %s", workdir / src, dest)
