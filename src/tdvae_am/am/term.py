"""The base of the R_obj terms (:mod:`tdvae_am.am.objectives`)."""

from __future__ import annotations

import torch

from .spec import Spec


class Term(Spec):
    """An R_obj term: ``factor * weight * value(x)`` joins chain n's maximized objective, with
    ``value`` oriented so that larger is better."""

    @property
    def factor(self) -> float:
        """The sign the term enters the objective with (+1 unless the term says otherwise)."""
        return 1.0

    def value(self, x: torch.Tensor, elbo) -> torch.Tensor:
        """The term's value per chain (N,) of samples ``x`` (N, S, H, W)."""
        raise NotImplementedError
