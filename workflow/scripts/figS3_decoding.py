"""Texture-family and texture-vs-twin decoding accuracy per model and feature set."""


from tdvae_am.files import load_json
from tdvae_am.logs import setup_job_logging
from tdvae_am.plots.models import decoding_figure
from tdvae_am.plots.style import save_figure

setup_job_logging(snakemake.log[0])
units = {m: load_json(p) for m, p in zip(snakemake.params.models, snakemake.input.units)}
figure = decoding_figure({m: u["decoding"] for m, u in units.items()},
                         {m: u["decoding_phase"] for m, u in units.items()})
save_figure(figure, snakemake.output.png)
