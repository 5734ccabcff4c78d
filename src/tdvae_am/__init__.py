"""Activation maximization for interpreting the latent units of a Top-Down VAE of early vision.

Subpackages follow the direction of the data flow: ``data`` -> ``models`` -> ``units``
-> ``am`` / ``analysis`` -> ``plots``. Nothing here imports Snakemake.
"""

__version__ = "0.1.0"
