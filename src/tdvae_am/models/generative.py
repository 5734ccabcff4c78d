"""The hierarchical generative model shared by the TDVAE and the chain VAE."""

from collections.abc import Sequence

from torch import Tensor, nn

from tdvae_am.models.distributions import LaplaceFamily
from tdvae_am.models.layers import DiagonalHead, LinearGaussianDecoder, softplus_mlp


class HierarchicalGenerator(nn.Module):
    """``p(z2) p(z1|z2) p(x|z1)``: standard Normal z2, Laplace z1 given z2, linear Gaussian x.

    Parameters
    ----------
    z2_dim, z1_dim, x_dim : int
        Layer sizes.
    hidden : sequence of int
        Softplus layers of the ``z2 -> (loc, logvar)`` network of ``p(z1|z2)``.
    sigma_x : float
        Fixed pixel noise of ``p(x|z1)``.
    """

    def __init__(self, z2_dim: int, z1_dim: int, x_dim: int, hidden: Sequence[int], sigma_x: float):
        super().__init__()
        self.p_z1 = nn.Sequential(softplus_mlp([z2_dim, *hidden]), DiagonalHead(hidden[-1], z1_dim))
        self.decoder = LinearGaussianDecoder(z1_dim, x_dim, sigma_x)

    def priors(self, z: dict[str, Tensor]) -> dict[str, tuple[Tensor | None, Tensor | None]]:
        """``(loc, logvar)`` of each layer's prior given the layer above (``None``: standard)."""
        return {"z2": (None, None), "z1": self.p_z1(z["z2"])}

    def z1_from(self, z: Tensor, layer: str, sample: bool) -> Tensor:
        """z1 code for a code of ``layer``: itself, or the mean or a sample of ``p(z1|z2)``."""
        if layer == "z1":
            return z
        loc, logvar = self.p_z1(z)
        return LaplaceFamily.rsample(loc, logvar) if sample else loc


class SparseGenerator(nn.Module):
    """``p(z1) p(x|z1)``: Laplace(0, 1) z1 and a linear Gaussian decoder (sparse coding)."""

    def __init__(self, z1_dim: int, x_dim: int, sigma_x: float):
        super().__init__()
        self.decoder = LinearGaussianDecoder(z1_dim, x_dim, sigma_x)

    def priors(self, z: dict[str, Tensor]) -> dict[str, tuple[Tensor | None, Tensor | None]]:
        """Standard Laplace prior of z1."""
        return {"z1": (None, None)}

    def z1_from(self, z: Tensor, layer: str, sample: bool) -> Tensor:
        """Codes are z1 codes."""
        if layer != "z1":
            raise ValueError(f"the sparse model has no layer {layer!r}")
        return z
