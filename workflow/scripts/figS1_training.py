"""Training curves of the trained models."""

import pandas as pd

from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.models import training_figure
from tdvae_am.plots.style import save_figure

setup_job_logging(snakemake.log[0])
metrics = {m: pd.read_csv(p) for m, p in zip(snakemake.params.models, snakemake.input.metrics)}
save_figure(training_figure(metrics), snakemake.output.png)
