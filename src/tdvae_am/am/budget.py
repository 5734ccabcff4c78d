"""A fixed norm / contrast budget for images, so activations compare across units and
methods.

``{"norm": "l2", "value": c}`` rescales every image to L2 norm ``c``;
``{"norm": "std", "value": s}`` removes each image's mean and rescales it to standard
deviation ``s`` (a contrast budget). With ``"mode": "ball"`` the norm is an upper bound
instead: only images above it are scaled down (std: after removing the mean), so a
regularizer can still lower the contrast. The projection is differentiable: applied inside a
parametrization, the gradient that reaches the parameters is the gradient on the budget
sphere.
"""

from __future__ import annotations

from typing import Literal

import torch

from .spec import Positive, Spec

EPS = 1e-12

Norm = Literal["l2", "std"]


def project(x: torch.Tensor, norm: str, value: float, mode: str = "sphere") -> torch.Tensor:
    """Each image (last two dims) of ``x`` projected onto L2 norm or standard deviation ``value``:
    exactly (``sphere``) or at most (``ball``)."""
    if norm == "std":
        x = x - x.mean(dim=(-2, -1), keepdim=True)
        scale = x.std(dim=(-2, -1), keepdim=True)
    else:
        scale = torch.linalg.vector_norm(x, dim=(-2, -1), keepdim=True)
    factor = value / (scale + EPS)
    return x * (factor if mode == "sphere" else torch.clamp(factor, max=1.0))


class Budget(Spec):
    """Projection of images onto a fixed L2 norm or a fixed standard deviation.

    Attributes
    ----------
    norm : {"l2", "std"}
    value : float
        Target L2 norm or target standard deviation (> 0).
    mode : {"sphere", "ball"}
        Exactly ``value`` (sphere) or at most ``value`` (ball).
    """

    norm: Norm = "l2"
    value: Positive = 1.0
    mode: Literal["sphere", "ball"] = "sphere"

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Project each image (last two dims) of ``x`` onto the budget."""
        return project(x, self.norm, self.value, self.mode)
