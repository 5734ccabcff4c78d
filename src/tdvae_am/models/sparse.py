"""One-layer sparse-coding VAE baseline."""

from collections.abc import Sequence

from torch import Tensor, nn

from tdvae_am.models.base import Latent, LatentVariableModel
from tdvae_am.models.distributions import LaplaceFamily
from tdvae_am.models.generative import SparseGenerator
from tdvae_am.models.layers import DiagonalHead, softplus_mlp


class SparseVAE(LatentVariableModel):
    """``q(z1|x)`` Laplace over ``p(z1) = Laplace(0, 1)``, ``p(x|z1) = N(A z1 + b, sigma^2 I)``.

    Its only latent layer is z1; its KL is weighted by ``beta_z``.

    Parameters
    ----------
    x_dim, z1_dim : int
        Pixels and latent units.
    hidden : sequence of int
        Softplus layers of the encoder.
    sigma_x : float
        Fixed pixel noise of ``p(x|z1)``.
    """

    name = "sparse"
    families = {"z1": LaplaceFamily.name}

    def __init__(self, x_dim: int = 1600, z1_dim: int = 1800, hidden: Sequence[int] = (2000,), sigma_x: float = 0.4):
        super().__init__(x_dim, z1_dim=z1_dim, hidden=hidden, sigma_x=sigma_x)
        self.latent_dims = {"z1": z1_dim}
        self.q_z1 = nn.Sequential(softplus_mlp([x_dim, *hidden]), DiagonalHead(hidden[-1], z1_dim))
        self.generative = SparseGenerator(z1_dim, x_dim, sigma_x)

    def _posterior_params(self, x: Tensor, sample: bool, stop_at: str | None = None) -> dict[str, Latent]:
        loc, logvar = self.q_z1(x)
        return {"z1": Latent(loc, logvar, LaplaceFamily.rsample(loc, logvar) if sample else loc)}
