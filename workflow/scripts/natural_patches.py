"""Whiten natural images and cut the train/validation/test patch sets."""

import numpy as np

from tdvae_am.data.natural import build_natural_patches
from tdvae_am.data.patches import save_patch_set
from tdvae_am.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
cfg = snakemake.config
arrays, meta = build_natural_patches(cfg, rng=np.random.default_rng([cfg["seed"], 1]), log=log)
save_patch_set(snakemake.output.npz, arrays, meta)
log.info("wrote %s", snakemake.output.npz)
