"""Held-out ELBO and IWAE of one trained model on the test patches."""

import json

import torch

from tdvae_am.data.patches import load_patch_set
from tdvae_am.devices import resolve_device
from tdvae_am.logs import setup_job_logging
from tdvae_am.models import LatentVariableModel
from tdvae_am.train.evaluation import evaluate

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
cfg, ev = snakemake.config, snakemake.config["evaluation"]
model = LatentVariableModel.load(snakemake.input.model, map_location=resolve_device(cfg["device"])).eval()
patches, _ = load_patch_set(snakemake.input.natural)
test = patches["test"][: ev["n_test"]]
result = evaluate(model, test, iwae_samples=ev["iwae_samples"], seed=cfg["seed"])
result["model"] = snakemake.wildcards.model
with open(snakemake.output[0], "w") as f:
    json.dump(result, f, indent=2)
log.info("test ELBO %.2f +- %.2f, IWAE(k=%d) %.2f nats/patch on %d patches", result["elbo"]["mean"],
         result["elbo"]["sem"], ev["iwae_samples"], result["iwae"]["mean"], len(test))
