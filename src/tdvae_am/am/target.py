"""The model as AM sees it: three callables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import AMError


@dataclass(frozen=True)
class Target:
    """What AM maximizes and regularizes with; the model enters a run only through this.

    Attributes
    ----------
    activation : callable
        ``activation(x (B, H, W)) -> (B, n_units)``, differentiable in ``x``.
    elbo : callable, optional
        ``elbo(x (B, H, W)) -> (B,)``, for the ``elbo`` objective term and tracking.
    decode : callable, optional
        ``decode(z, sample: bool) -> (B, H, W)``, for the generator parametrization.
    """

    activation: Callable
    elbo: Callable | None = None
    decode: Callable | None = None

    def __post_init__(self):
        for name in ("activation", "elbo", "decode"):
            value = getattr(self, name)
            if not callable(value) and (name == "activation" or value is not None):
                raise AMError(f"Target {name} must be callable, got {type(value).__name__}")
