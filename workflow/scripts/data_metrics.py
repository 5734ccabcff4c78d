"""Summarize the data stage as DVC metrics."""

import json
from pathlib import Path

from tdvae_am.data.summary import data_metrics
from tdvae_am.files import load_json, load_npz
from tdvae_am.logs import setup_job_logging

setup_job_logging(snakemake.log[0])
losses = {Path(p).stem: load_npz(p)["losses"] for p in snakemake.input.synth}
metrics = data_metrics(
    load_json(snakemake.input.natural),
    load_json(snakemake.input.textures),
    losses,
)
Path(snakemake.output[0]).write_text(json.dumps(metrics, indent=2) + "\n")
