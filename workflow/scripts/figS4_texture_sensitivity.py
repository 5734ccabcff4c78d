"""Figure from the TDVAE's unit classification (results/units.json)."""

import json

from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.models import sensitivity_figure
from tdvae_am.plots.style import save_figure

setup_job_logging(snakemake.log[0])
with open(snakemake.input.units) as f:
    units = json.load(f)
save_figure(sensitivity_figure(units), snakemake.output.png)
