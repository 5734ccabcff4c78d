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

from dataclasses import dataclass

import torch

from .errors import AMError

EPS = 1e-12


@dataclass(frozen=True)
class Budget:
    """Projection of images onto a fixed L2 norm or a fixed standard deviation.

    Parameters
    ----------
    norm : {"l2", "std"}
    value : float
        Target L2 norm or target standard deviation (> 0).
    mode : {"sphere", "ball"}
        Exactly ``value`` (sphere) or at most ``value`` (ball).
    """

    norm: str = "l2"
    value: float = 1.0
    mode: str = "sphere"

    def __post_init__(self):
        if self.norm not in ("l2", "std"):
            raise AMError(f"unknown budget norm {self.norm!r}; known: ['l2', 'std']")
        if self.mode not in ("sphere", "ball"):
            raise AMError(f"unknown budget mode {self.mode!r}; known: ['ball', 'sphere']")
        if not self.value > 0:
            raise AMError(f"budget value must be > 0, got {self.value}")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Project each image (last two dims) of ``x`` onto the budget."""
        if self.norm == "std":
            x = x - x.mean(dim=(-2, -1), keepdim=True)
            scale = x.std(dim=(-2, -1), keepdim=True)
        else:
            scale = torch.linalg.vector_norm(x, dim=(-2, -1), keepdim=True)
        factor = self.value / (scale + EPS)
        return x * (factor if self.mode == "sphere" else torch.clamp(factor, max=1.0))


def make_budget(spec: dict | None) -> Budget | None:
    """Build a :class:`Budget` from ``None`` or ``{"norm": ..., "value": ...}``."""
    if spec is None:
        return None
    try:
        return Budget(**spec)
    except TypeError as err:
        raise AMError(f"bad budget {spec!r}: {err}") from err
