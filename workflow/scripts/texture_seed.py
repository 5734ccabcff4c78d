"""Prepare one texture family's seed: grayscale, downsampled, central crop in [0, 1]."""

import numpy as np

from tdvae_am.data.images import load_texture_seed
from tdvae_am.data.synthesis import prepare_seed
from tdvae_am.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
tex = snakemake.config["textures"]
raw = load_texture_seed(snakemake.params.source, tuple(snakemake.config["natural"]["raw_shape"]))
seed = prepare_seed(raw, tex["image_size"], tex["seed_downsample"])
np.save(snakemake.output[0], seed)
log.info("seed %s from %s: %s -> %s", snakemake.wildcards.family, snakemake.params.source, raw.shape, seed.shape)
