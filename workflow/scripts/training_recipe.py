"""One training recipe: the TDVAE trained from scratch, its active z2 units measured along the run."""

import dataclasses
import shutil
from pathlib import Path

import pandas as pd

from tdvae_am.data.patches import load_patch_set
from tdvae_am.logs import setup_job_logging
from tdvae_am.train.config import TrainingConfig
from tdvae_am.train.loop import Trainer
from tdvae_am.units.training_curve import active_unit_curve

log = setup_job_logging(snakemake.log[0])
cfg, rcfg, name = snakemake.config, snakemake.config["recipes"], snakemake.wildcards.recipe
train = {**cfg["train"], "steps": rcfg["steps"], "model_steps": None, "log_every": rcfg["every"],
         "checkpoint_every": rcfg["every"], **rcfg["runs"][name]}
settings = dataclasses.replace(TrainingConfig.from_workflow(train, "tdvae", cfg["seed"], cfg["device"]), progress=False)
patches, _ = load_patch_set(snakemake.input.natural)
run_dir = Path(snakemake.params.run_dir)
shutil.rmtree(run_dir, ignore_errors=True)  # a curve starts from the untrained model
trainer = Trainer({"name": "tdvae"}, patches["train"], patches["val"], run_dir, settings)
log.info("recipe %s: %s", name, dataclasses.asdict(settings))
rows = active_unit_curve(trainer, patches["val"][: rcfg["n_val"]], rcfg["every"], cfg["units"]["info_threshold"],
                         cfg["units"]["max_untrained_active"],
                         log=lambda r: log.info("step %(step)d beta_y %(beta_y).3f ELBO %(val_elbo).1f: %(n_active)d "
                                                "active units, %(information_total).2f nats", r))
pd.DataFrame(rows).assign(recipe=name).to_csv(snakemake.output[0], index=False)
shutil.rmtree(run_dir)
