"""Synthesize one Portilla-Simoncelli texture image of one family."""

import numpy as np
import torch

from tdvae_am.data.synthesis import synthesize_texture
from tdvae_am.devices import resolve_device
from tdvae_am.files import load_npy
from tdvae_am.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
cfg, tex = snakemake.config, snakemake.config["textures"]
index = int(snakemake.wildcards.index)
rng_seed = int(np.random.SeedSequence([cfg["seed"], 2, snakemake.params.family_index, index]).generate_state(1)[0])
seed = load_npy(snakemake.input.seed)
image, losses = synthesize_texture(
    seed, tex["n_scales"], tex["iterations"], rng_seed,
    n_orientations=tex["n_orientations"], spatial_corr_width=tex["spatial_corr_width"],
    device=resolve_device(cfg["device"]),
)
np.savez(snakemake.output[0], image=image, seed=seed, losses=losses, rng_seed=rng_seed)
log.info("%s #%d: PS loss %.4g -> %.4g after %d iterations",
         snakemake.wildcards.family, index, losses[0], losses[-1], len(losses) - 1)
