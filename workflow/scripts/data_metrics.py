"""Summarize the data stage as DVC metrics."""

import json
from pathlib import Path

import numpy as np

from tdvae_am.data.summary import data_metrics
from tdvae_am.logs import setup_job_logging

setup_job_logging(snakemake.log[0])
losses = {Path(p).stem: np.load(p)["losses"] for p in snakemake.input.synth}
metrics = data_metrics(
    json.loads(Path(snakemake.input.natural).read_text()),
    json.loads(Path(snakemake.input.textures).read_text()),
    losses,
)
Path(snakemake.output[0]).write_text(json.dumps(metrics, indent=2) + "\n")
