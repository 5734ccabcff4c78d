"""Texture-family decoding accuracy per model and feature set."""


from tdvae_am.files import load_json
from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.models import decoding_figure
from tdvae_am.plots.style import save_figure

setup_job_logging(snakemake.log[0])
decoding = {m: load_json(p)["decoding"] for m, p in zip(snakemake.params.models, snakemake.input.units)}
save_figure(decoding_figure(decoding), snakemake.output.png)
