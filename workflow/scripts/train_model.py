"""Train one model (resuming from its checkpoint after an interruption; a changed configuration starts afresh)."""

import json
import shutil
from pathlib import Path

from tdvae_am.data.patches import load_patch_set
from tdvae_am.logs import setup_job_logging
from tdvae_am.train.config import TrainingConfig
from tdvae_am.train.loop import Trainer

log = setup_job_logging(snakemake.log[0])
cfg, model = snakemake.config, snakemake.wildcards.model
patches, meta = load_patch_set(snakemake.input.natural)
settings = TrainingConfig.from_workflow(cfg["train"], model, cfg["seed"], cfg["device"])
run_dir = Path(snakemake.params.run_dir)
trainer = Trainer({"name": model}, patches["train"], patches["val"], run_dir, settings,
                  data_id=meta["arrays"]["train"]["sha256"], on_change="restart")  # fmt: skip
start = f"resuming {model} from step {trainer.step}" if trainer.step else f"training {model}"
log.info("%s: %s", start, json.dumps(vars(trainer.config)))  # precision resolved
summary = trainer.run()
for name in ("model.pt", "summary.json", "metrics.csv"):
    shutil.copy2(run_dir / name, snakemake.output[name.split(".")[0]])
log.info("done: final validation ELBO %.2f nats/patch after %d steps (%.0f s)",
         summary["final"]["val_elbo"], summary["steps"], summary["elapsed_s"])
