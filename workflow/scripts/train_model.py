"""Train one model (resuming from its checkpoint after an interruption)."""

import json
import shutil
from pathlib import Path

from tdvae_am.data.patches import load_patch_set
from tdvae_am.logs import setup_job_logging
from tdvae_am.training import RESUME_KEYS, TrainingConfig, reset_stale_run, train

log = setup_job_logging(snakemake.log[0])
cfg, model = snakemake.config, snakemake.wildcards.model
patches, meta = load_patch_set(snakemake.input.natural)
settings = TrainingConfig.from_workflow(cfg["train"], model, cfg["seed"], cfg["device"])
run_dir = Path(snakemake.params.run_dir)
fingerprint = {
    "data": meta["arrays"]["train"]["sha256"],
    "model": model,
    "training": {k: getattr(settings, k) for k in RESUME_KEYS},
}
resumed = reset_stale_run(run_dir, fingerprint)
log.info("%s %s: %s", "resuming" if resumed else "training", model, json.dumps(vars(settings)))
summary = train({"name": model}, patches["train"], patches["val"], run_dir, settings)
for name in ("model.pt", "summary.json", "metrics.csv"):
    shutil.copy2(run_dir / name, snakemake.output[name.split(".")[0]])
log.info("done: final validation ELBO %.2f nats/patch after %d steps (%.0f s)",
         summary["final"]["val_elbo"], summary["steps"], summary["elapsed_s"])
