"""Publish the TDVAE's unit selection (results/units.json, read by every later rule) and
the unit metrics of all models."""

import json
import shutil

from tdvae_am.files import load_json
from tdvae_am.logs import setup_job_logging
from tdvae_am.units.summary import units_metrics

log = setup_job_logging(snakemake.log[0])
shutil.copy2(snakemake.input.tdvae, snakemake.output.units)
results = {m: load_json(p) for m, p in zip(snakemake.params.models, snakemake.input.all)}
with open(snakemake.output.metrics, "w") as f:
    json.dump(units_metrics(results), f, indent=2)
sel = results["tdvae"]
log.info("texture-sensitive %s, non-texture-sensitive %s", sel["texture_sensitive"], sel["non_texture_sensitive"])
