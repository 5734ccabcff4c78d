"""One seed's trained models without AM (results/seeds/seed<k>.json): active units, class candidates,
decoding and the model claims M1-M7, with the machine that wrote the record (fp32 training on CPUs of
another vendor gives another model from the same seed). The main run's seed is read from its unit
results (results/units.json, results/units_<model>.json); another seed's training and unit
classification run in runs/seed<k>/ first (tdvae_am.seed_runs)."""

import json
from pathlib import Path

from tdvae_am.files import load_json
from tdvae_am.logs import setup_job_logging
from tdvae_am.machine import machine
from tdvae_am.scorecard.confirmation import seed_record
from tdvae_am.seed_runs import run_seed

log = setup_job_logging(snakemake.log[0])
seed, models = int(snakemake.wildcards.seed), snakemake.params.models
if snakemake.params.main_units:  # the main run's seed: its unit results as committed
    paths = list(snakemake.params.main_units)
else:
    log.info("seed %d: training and unit classification in its own run", seed)
    with open(Path(snakemake.log[0]).with_suffix(".snakemake.log"), "a") as out:
        workdir = run_seed(snakemake.params.config, seed, Path.cwd(), ["units_all"], snakemake.threads, out)
    paths = [workdir / f"results/units/{m}.json" for m in models]
record = {**seed_record(seed, {m: load_json(p) for m, p in zip(models, paths)}), "machine": machine()}
Path(snakemake.output[0]).write_text(json.dumps(record, indent=1))
for row in record["model_rows"]:
    log.info("seed %d %-4s %-15s %s", seed, row["id"], row["verdict"], row["value"])
