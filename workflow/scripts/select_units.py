"""Publish the unit selection of each model the AM phase studies (results/units.json for the
TDVAE, results/units_<model>.json for any other; read by every later rule of that model),
each its model's classification as is, and the unit metrics of all models."""

import json
import shutil

from tdvae_am.files import load_json
from tdvae_am.logs import setup_job_logging
from tdvae_am.units.summary import units_metrics

log = setup_job_logging(snakemake.log[0])
paths = dict(zip(snakemake.params.models, snakemake.input.all))
results = {m: load_json(p) for m, p in paths.items()}
for model, out in zip(snakemake.params.selected, snakemake.output.units, strict=True):
    shutil.copy2(paths[model], out)
    sel = results[model]
    log.info("%s: texture-sensitive %s, non-texture-sensitive %s", model, sel["texture_sensitive"],
             sel["non_texture_sensitive"])
with open(snakemake.output.metrics, "w") as f:
    json.dump(units_metrics(results), f, indent=2)
