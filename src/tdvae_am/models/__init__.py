"""Latent variable models of whitened patches: the TDVAE, the chain VAE and a sparse-coding VAE.

``LatentVariableModel.from_config({"name": "tdvae", ...})`` builds any of them;
``LatentVariableModel.load(path)`` restores a saved model or a training checkpoint.
"""

from tdvae_am.models.base import LatentVariableModel
from tdvae_am.models.chain import ChainVAE
from tdvae_am.models.elbo import BetaWarmup, ELBOTerms, iwae
from tdvae_am.models.sparse import SparseVAE
from tdvae_am.models.tdvae import TDVAE

__all__ = ["TDVAE", "BetaWarmup", "ChainVAE", "ELBOTerms", "LatentVariableModel", "SparseVAE", "iwae"]
