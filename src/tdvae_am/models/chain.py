"""The bottom-up (chain) VAE: the TDVAE's generative model with ladder-free inference."""

from collections.abc import Sequence

from torch import Tensor, nn

from tdvae_am.models.base import Latent, LatentVariableModel
from tdvae_am.models.distributions import LaplaceFamily, NormalFamily
from tdvae_am.models.generative import HierarchicalGenerator
from tdvae_am.models.layers import DiagonalHead, softplus_mlp


class ChainVAE(LatentVariableModel):
    """Bottom-up inference ``q(z1|x) q(z2|z1)`` over ``p(z2) p(z1|z2) p(x|z1)``.

    ``q(z1|x)``: x -> 2000 -> 2000 -> Laplace (1800), the depth of the TDVAE's path to
    z1; ``q(z2|z1)``: z1 -> 1000 -> 500 -> 250 -> Normal (250). Without sampling, z2 is
    inferred from the posterior mean of z1.

    Parameters
    ----------
    x_dim, z1_dim, z2_dim : int
        Pixels, z1 units, z2 units.
    z1_hidden, z2_hidden, prior_hidden : sequence of int
        Softplus layers of ``q(z1|x)``, ``q(z2|z1)`` and ``p(z1|z2)``.
    sigma_x : float
        Fixed pixel noise of ``p(x|z1)``.
    """

    name = "chain"
    families = {"z2": NormalFamily.name, "z1": LaplaceFamily.name}

    def __init__(
        self,
        x_dim: int = 1600,
        z1_dim: int = 1800,
        z2_dim: int = 250,
        z1_hidden: Sequence[int] = (2000, 2000),
        z2_hidden: Sequence[int] = (1000, 500, 250),
        prior_hidden: Sequence[int] = (2000,),
        sigma_x: float = 0.4,
    ):
        super().__init__(
            x_dim, z1_dim=z1_dim, z2_dim=z2_dim, z1_hidden=z1_hidden, z2_hidden=z2_hidden,
            prior_hidden=prior_hidden, sigma_x=sigma_x,
        )  # fmt: skip
        self.latent_dims = {"z2": z2_dim, "z1": z1_dim}
        self.q_z1 = nn.Sequential(softplus_mlp([x_dim, *z1_hidden]), DiagonalHead(z1_hidden[-1], z1_dim))
        self.q_z2 = nn.Sequential(softplus_mlp([z1_dim, *z2_hidden]), DiagonalHead(z2_hidden[-1], z2_dim))
        self.generative = HierarchicalGenerator(z2_dim, z1_dim, x_dim, prior_hidden, sigma_x)

    def _posterior_params(self, x: Tensor, sample: bool, stop_at: str | None = None) -> dict[str, Latent]:
        loc1, logvar1 = self.q_z1(x)
        z1 = LaplaceFamily.rsample(loc1, logvar1) if sample else loc1
        out = {"z1": Latent(loc1, logvar1, z1)}
        if stop_at == "z1":
            return out
        loc2, logvar2 = self.q_z2(z1)
        z2 = NormalFamily.rsample(loc2, logvar2) if sample else loc2
        out["z2"] = Latent(loc2, logvar2, z2)
        return out
