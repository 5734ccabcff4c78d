"""Diversity across the samples of one chain, an R_obj term that rewards distance.

For every metric the pairwise quantity is a *distance* (0 for identical images, larger
for more different ones), so adding ``+ weight * D`` to the maximized objective always
rewards diversity:

============ ======================================== ==========
metric       pairwise distance d(x_i, x_j)            range
============ ======================================== ==========
euclidean    ||x_i - x_j||_2 / sqrt(H W)  (RMS diff)  [0, inf)
cosine       1 - cos(x_i, x_j)                        [0, 2]
correlation  1 - pearson(x_i, x_j)                    [0, 2]
============ ======================================== ==========

``D`` is the mean (``linkage="mean"``) or the minimum (``"min"``) over the S(S-1)/2
pairs of a chain, so it does not grow with the number of samples.
"""

from __future__ import annotations

import math
from typing import Literal

import torch

from .errors import AMError
from .schedules import Strength
from .term import Term

EPS = 1e-8
METRICS = ("euclidean", "cosine", "correlation")


def pairwise_distance(x: torch.Tensor, metric: str) -> torch.Tensor:
    """Pairwise distances between the samples of each chain.

    Parameters
    ----------
    x : Tensor (N, S, H, W)
    metric : {"euclidean", "cosine", "correlation"}

    Returns
    -------
    Tensor (N, S, S)
    """
    flat = x.reshape(*x.shape[:2], -1)
    if metric == "euclidean":
        sq = (flat[:, :, None] - flat[:, None]).pow(2).sum(-1)
        return torch.sqrt(sq + EPS) / math.sqrt(flat.shape[-1])
    if metric == "correlation":
        flat = flat - flat.mean(-1, keepdim=True)
    elif metric != "cosine":
        raise AMError(f"unknown diversity metric {metric!r}; known: {list(METRICS)}")
    unit = flat / (flat.norm(dim=-1, keepdim=True) + EPS)
    return 1.0 - unit @ unit.transpose(1, 2)


def diversity(x: torch.Tensor, metric: str, linkage: str = "mean") -> torch.Tensor:
    """Diversity ``D`` of each chain's samples, shape (N,), see the module docstring."""
    s = x.shape[1]
    if s < 2:
        raise AMError(f"diversity needs at least 2 samples per chain, got n_samples={s}")
    d = pairwise_distance(x, metric)
    i, j = torch.triu_indices(s, s, offset=1, device=x.device)
    pairs = d[:, i, j]
    if linkage == "mean":
        return pairs.mean(1)
    if linkage == "min":
        return pairs.min(1).values
    raise AMError(f"unknown diversity linkage {linkage!r}; known: ['mean', 'min']")


class Diversity(Term):
    """R_obj term ``+ weight * D(samples)`` with the pairwise ``metric`` and the ``linkage`` over pairs."""

    name: Literal["diversity"] = "diversity"
    weight: Strength = 0.1
    metric: Literal[METRICS] = "correlation"
    linkage: Literal["mean", "min"] = "mean"

    def value(self, x: torch.Tensor, elbo) -> torch.Tensor:
        return diversity(x, self.metric, self.linkage)
