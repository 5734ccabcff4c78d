"""One experiment variant of the registry on one model, for every studied unit of it x restart (one batch)."""

import json

import numpy as np
import torch

from tdvae_am.devices import resolve_device
from tdvae_am.experiments.study import load_study, run_experiment
from tdvae_am.files import check_file
from tdvae_am.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
p = snakemake.params
device = resolve_device(p.device)
model, units = load_study(snakemake.input.model, check_file(snakemake.input.units), device)
log.info("%s / %s (%s): units %s, %d restarts, config %s", p.run["experiment"], p.run["variant"],
         p.run["label"], units, p.restarts, json.dumps(p.run["am"]))
result = run_experiment(model, p.run, units, restarts=p.restarts, seed=p.seed, device=device, progress=True)
result.save(snakemake.output.npz)
s = result.summary
log.info("%.1f s; final activation per unit (mean over restarts) %s; success rate %.2f", s["elapsed_s"],
         np.round(np.mean(s["final_activation"], 1), 2).tolist(), s["success_rate"])
