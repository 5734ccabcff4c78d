"""The Top-Down VAE of Csikor et al. (2022), "TDVAE40"."""

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from tdvae_am.models.base import Latent, LatentVariableModel
from tdvae_am.models.distributions import LaplaceFamily, NormalFamily
from tdvae_am.models.generative import HierarchicalGenerator
from tdvae_am.models.layers import DiagonalHead, softplus_mlp


class TDVAE(LatentVariableModel):
    """Top-down inference ``q(z2|x) q(z1|x, z2)`` over ``p(z2) p(z1|z2) p(x|z1)``.

    The defaults are the original sizes (about 34.4M parameters): ``h_x = softplus(W x)``
    (2000); ``q(z2|x)``: h_x -> 1000 -> 500 -> 250 -> Normal (250); top-down path
    ``h_z``: z2 -> 250 -> 500 -> 1000 -> 2000; ``q(z1|x, z2)``: [h_x, h_z] -> 2000 ->
    Laplace (1800); ``p(z1|z2)``: z2 -> 2000 -> Laplace; ``p(x|z1) = N(A z1 + b, 0.4^2 I)``.

    Parameters
    ----------
    x_dim, z1_dim, z2_dim : int
        Pixels, z1 units, z2 units.
    h_dim : int
        Width of the shared encoder layer ``h_x``.
    z2_hidden, top_down, z1_hidden, prior_hidden : sequence of int
        Softplus layers of ``q(z2|x)`` after ``h_x``, of ``h_z``, of ``q(z1|x, z2)`` and of
        ``p(z1|z2)``.
    sigma_x : float
        Fixed pixel noise of ``p(x|z1)``.
    """

    name = "tdvae"
    families = {"z2": NormalFamily.name, "z1": LaplaceFamily.name}

    def __init__(
        self,
        x_dim: int = 1600,
        z1_dim: int = 1800,
        z2_dim: int = 250,
        h_dim: int = 2000,
        z2_hidden: Sequence[int] = (1000, 500, 250),
        top_down: Sequence[int] = (250, 500, 1000, 2000),
        z1_hidden: Sequence[int] = (2000,),
        prior_hidden: Sequence[int] = (2000,),
        sigma_x: float = 0.4,
    ):
        super().__init__(
            x_dim, z1_dim=z1_dim, z2_dim=z2_dim, h_dim=h_dim, z2_hidden=z2_hidden, top_down=top_down,
            z1_hidden=z1_hidden, prior_hidden=prior_hidden, sigma_x=sigma_x,
        )  # fmt: skip
        self.latent_dims = {"z2": z2_dim, "z1": z1_dim}
        self.h_x = softplus_mlp([x_dim, h_dim])
        self.q_z2 = nn.Sequential(softplus_mlp([h_dim, *z2_hidden]), DiagonalHead(z2_hidden[-1], z2_dim))
        self.h_z = softplus_mlp([z2_dim, *top_down])
        self.q_z1 = nn.Sequential(
            softplus_mlp([h_dim + top_down[-1], *z1_hidden]), DiagonalHead(z1_hidden[-1], z1_dim)
        )
        self.generative = HierarchicalGenerator(z2_dim, z1_dim, x_dim, prior_hidden, sigma_x)

    def _posterior_params(self, x: Tensor, sample: bool, stop_at: str | None = None) -> dict[str, Latent]:
        h_x = self.h_x(x)
        loc2, logvar2 = self.q_z2(h_x)
        z2 = NormalFamily.rsample(loc2, logvar2) if sample else loc2
        out = {"z2": Latent(loc2, logvar2, z2)}
        if stop_at == "z2":
            return out
        loc1, logvar1 = self.q_z1(torch.cat([h_x, self.h_z(z2)], dim=-1))
        z1 = LaplaceFamily.rsample(loc1, logvar1) if sample else loc1
        out["z1"] = Latent(loc1, logvar1, z1)
        return out
