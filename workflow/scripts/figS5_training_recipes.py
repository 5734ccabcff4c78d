"""Active z2 units and their information along training, one curve per recipe."""

import pandas as pd

from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.models import recipes_figure
from tdvae_am.plots.style import save_figure

setup_job_logging(snakemake.log[0])
curves = pd.concat([pd.read_csv(path) for path in snakemake.input.curves])
save_figure(recipes_figure(curves), snakemake.output.png)
