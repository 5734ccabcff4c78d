"""Building blocks shared by the models: softplus MLPs, distribution heads, the linear decoder."""

import math
from collections.abc import Sequence

from torch import Tensor, nn

from tdvae_am.models.distributions import LOG_2PI

LOGVAR_BOUNDS = (-30.0, 20.0)


def softplus_mlp(sizes: Sequence[int]) -> nn.Sequential:
    """Stack of ``Linear -> Softplus`` layers through ``sizes`` (softplus on the last layer too)."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.Softplus()]
    return nn.Sequential(*layers)


class DiagonalHead(nn.Module):
    """Linear map to the location and log-variance of a ``dim``-dimensional diagonal latent.

    The log-variance is clamped to ``LOGVAR_BOUNDS``: far outside the range natural
    patches produce (about -9 to 4 in the trained TDVAE), but it keeps the KL terms and
    samples finite for off-distribution inputs such as AM images, where the unbounded head
    reached -340 and overflowed the ELBO.

    Both outputs have the parameters' dtype (float32) even under bf16 autocast, so the
    samples, KLs and log-densities computed from them keep it too.

    Parameters
    ----------
    n_in : int
        Input features.
    dim : int
        Latent dimension; one ``Linear(n_in, 2 * dim)`` yields ``(loc, logvar)``.
    """

    def __init__(self, n_in: int, dim: int):
        super().__init__()
        self.dim = dim
        self.linear = nn.Linear(n_in, 2 * dim)

    def forward(self, h: Tensor) -> tuple[Tensor, Tensor]:
        loc, logvar = self.linear(h).to(self.linear.weight.dtype).unflatten(-1, (2, self.dim)).unbind(-2)
        return loc, logvar.clamp(*LOGVAR_BOUNDS)


class LinearGaussianDecoder(nn.Module):
    """``p(x|z1) = N(A z1 + b, sigma^2 I)`` with a fixed ``sigma``.

    Parameters
    ----------
    z_dim, x_dim : int
        Latent and pixel dimensions.
    sigma : float
        Fixed observation noise standard deviation (0.4 in the TDVAE).
    """

    def __init__(self, z_dim: int, x_dim: int, sigma: float):
        super().__init__()
        self.linear = nn.Linear(z_dim, x_dim)
        self.sigma = sigma
        self._log_norm = x_dim * (math.log(sigma) + 0.5 * LOG_2PI)

    def forward(self, z1: Tensor) -> Tensor:
        """Mean ``A z1 + b`` of shape ``(B, x_dim)`` in the parameters' dtype (also under bf16 autocast)."""
        return self.linear(z1).to(self.linear.weight.dtype)

    def log_prob(self, x: Tensor, z1: Tensor) -> Tensor:
        """``log p(x|z1)`` summed over pixels, shape ``(B,)``."""
        sq = (x - self(z1)).square().sum(-1)
        return sq.mul(-0.5 / self.sigma**2) - self._log_norm
