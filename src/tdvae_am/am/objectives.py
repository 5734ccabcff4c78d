"""R_obj: regularizers added to the maximized objective of every chain.

The objective of chain n is ``mean_s a(R_pre(x_ns)) + sum_k sign_k * w_k * value_k(x_n)``
where ``x_n`` are the chain's samples before R_pre. Each term's ``value`` is oriented
so that a larger value is better *before* the sign:

========== ========================================= ========================================
name       value (per chain, mean over samples)      options
========== ========================================= ========================================
elbo       ELBO(x), log-likelihood lower bound        weight or calibrate, sign
tv         -TV(x), isotropic total variation          weight
lp         -||x||_p                                  weight, p
diversity  D(samples), see ``diversity.py``           weight, metric, linkage
========== ========================================= ========================================

The ELBO sign is explicit: ``sign="paper_intent"`` (default) maximizes
``activation + w * ELBO``, the likelihood regularizer the paper describes;
``sign="original_code_bug"`` maximizes ``activation - w * ELBO`` as the original notebooks
did (they minimized ``-activation + ELBO``), which pushes images toward *low* likelihood.
Instead of a ``weight``, ``calibrate=r`` (> 0) fixes the ELBO weight of each run at iteration 0
to ``w = r / median_n(r1_n)``, with ``r1_n`` chain n's norm of the ELBO term's gradient at weight 1
over that of the activation's (see :mod:`tdvae_am.am.run`): the median ratio starts at ``r``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import torch
from pydantic import model_validator

from tdvae_am.imageops.filters import total_variation

from .diversity import Diversity
from .errors import AMError
from .schedules import Strength
from .spec import Positive, Stage, component
from .term import Term

ELBO_SIGNS = {"paper_intent": 1.0, "original_code_bug": -1.0}


class ELBOTerm(Term):
    """``sign * weight * ELBO(x)``; needs ``Target(elbo=...)``. With ``calibrate`` the weight is 1
    until :meth:`calibrated_weight` fixes a run's weight."""

    name: Literal["elbo"] = "elbo"
    weight: Strength = 1.0
    sign: Literal[tuple(ELBO_SIGNS)] = "paper_intent"
    calibrate: Positive | None = None

    @model_validator(mode="before")
    @classmethod
    def _weight_or_calibrate(cls, data):
        if isinstance(data, dict) and data.get("calibrate") is not None and data.get("weight") is not None:
            raise ValueError("the elbo term takes either weight or calibrate, not both")
        return data

    @property
    def factor(self) -> float:
        return ELBO_SIGNS[self.sign]

    def calibrated_weight(self, ratio: torch.Tensor) -> float:
        """The weight ``calibrate / median(ratio)`` from the per-chain gradient ratios (N,) at weight 1."""
        median = torch.quantile(ratio.detach().double(), 0.5).item()
        weight = self.calibrate / median if median > 0 else math.inf
        if not 0 < weight < math.inf:
            raise AMError(f"elbo calibrate: the median ELBO / activation gradient ratio at iteration 0 is {median:g}; "
                          "calibration needs a finite ratio > 0")
        return weight

    def value(self, x: torch.Tensor, elbo: Callable | None) -> torch.Tensor:
        if elbo is None:
            raise AMError("the 'elbo' objective term needs an elbo(x) callable: Target(elbo=...)")
        return evaluate_elbo(elbo, x)


class TotalVariationTerm(Term):
    """``-weight * TV(x)``, TV as in :func:`tdvae_am.imageops.filters.total_variation`."""

    name: Literal["tv"] = "tv"
    weight: Strength = 0.01

    def value(self, x: torch.Tensor, elbo) -> torch.Tensor:
        return -total_variation(x).mean(1)


class LpNorm(Term):
    """``-weight * ||x||_p`` per image."""

    name: Literal["lp"] = "lp"
    weight: Strength = 0.01
    p: Positive = 2.0

    def value(self, x: torch.Tensor, elbo) -> torch.Tensor:
        return -torch.linalg.vector_norm(x, ord=self.p, dim=(-2, -1)).mean(1)


#: One R_obj term, by name.
ObjTerm = component(ELBOTerm | TotalVariationTerm | LpNorm | Diversity)


def evaluate_elbo(elbo: Callable, x: torch.Tensor) -> torch.Tensor:
    """ELBO of samples (N, S, H, W) averaged per chain, shape (N,).

    Raises
    ------
    AMError
        If ``elbo`` does not return one value per image.
    """
    values = elbo(x.reshape(-1, *x.shape[-2:]))
    if not isinstance(values, torch.Tensor) or values.shape != (x.shape[0] * x.shape[1],):
        got = tuple(values.shape) if isinstance(values, torch.Tensor) else type(values).__name__
        raise AMError(f"elbo(x) must return shape ({x.shape[0] * x.shape[1]},), got {got}")
    return values.reshape(x.shape[:2]).mean(1)


class ObjectiveStage(Stage):
    """R_obj: the weighted sum of the listed terms per chain (each term at most once)."""

    root: tuple[ObjTerm, ...] = ()

    @model_validator(mode="after")
    def _each_term_once(self):
        names = [term.name for term in self.root]
        if len(set(names)) != len(names):
            raise ValueError(f"each objective term may appear once, got {names}")
        return self

    @property
    def terms(self) -> tuple:
        return self.root

    def weighted_by(self, name: str) -> bool:
        """Whether term ``name`` is present with a weight that is not zero at every step."""
        return any(term.name == name and (term.weight.minimum() != 0 or term.weight.maximum() != 0)
                   for term in self.terms)

    def __call__(self, x: torch.Tensor, t: int, n_steps: int, elbo: Callable | None, weights: dict | None = None,
                 raw: dict | None = None):
        """Return the weighted total (N,), the raw value of each term and its signed, weighted
        contribution to the total, each {name: (N,)}. ``weights`` {name: float} replaces the named
        terms' weights; ``raw`` reuses the values already computed at ``x``."""
        raw, weights, parts = raw or {term.name: term.value(x, elbo) for term in self.terms}, weights or {}, {}
        for term in self.terms:
            parts[term.name] = term.factor * weights.get(term.name, term.weight(t, n_steps)) * raw[term.name]
        total = sum(parts.values(), torch.zeros(x.shape[0], device=x.device))
        return total, raw, parts
