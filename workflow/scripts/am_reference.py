"""STA, Gabor fit and natural-patch statistics of one model's studied units (results/am/reference.*
for the TDVAE, results/am_<model>/reference.* for any other)."""

import json

import numpy as np
import torch

from tdvae_am.data.patches import load_patch_set
from tdvae_am.devices import resolve_device
from tdvae_am.experiments.reference import unit_reference
from tdvae_am.experiments.study import load_study
from tdvae_am.files import check_file
from tdvae_am.logs import setup_job_logging
from tdvae_am.models import LatentVariableModel

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params
device = resolve_device(p.device)
model, units = load_study(snakemake.input.model, check_file(snakemake.input.units), device)
natural, _ = load_patch_set(snakemake.input.natural)
torch.manual_seed(p.seed)  # the untrained twin: same architecture, the seed's initialization
untrained = LatentVariableModel.from_config(model.config).to(device).eval()
arrays, summary = unit_reference(model, units, natural["test"][: p.n_natural], sta_samples=p.sta_samples,
                                 whitening_cutoff=p.whitening_cutoff, seed=p.seed, device=device, progress=True,
                                 untrained=untrained)
np.savez_compressed(snakemake.output.npz, **arrays)
with open(snakemake.output.json, "w") as f:
    json.dump(summary, f, indent=1)
log.info("STA of units %s from %d noise images; Gabor correlation %s", units, p.sta_samples,
         np.round(summary["sta_gabor_correlation"], 2).tolist())
