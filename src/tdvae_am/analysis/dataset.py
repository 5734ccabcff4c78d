"""Dataset patches with the highest activation, or nearest in activation to an image."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..am.errors import AMError
from ..am.selector import check_output, check_units


@dataclass
class PatchSelection:
    """Selected dataset patches per query.

    Attributes
    ----------
    indices : int array (Q, k)
        Indices into the dataset, best first.
    scores : array (Q, k)
        Activation (``top_activating``) or activation-space distance
        (``nearest_in_activation``).
    patches : array (Q, k, H, W)
    """

    indices: np.ndarray
    scores: np.ndarray
    patches: np.ndarray


def _patches(patches) -> torch.Tensor:
    return torch.as_tensor(np.asarray(patches) if not isinstance(patches, torch.Tensor) else patches,
                           dtype=torch.float32)


def _stream_topk(score_fn: Callable, data: torch.Tensor, n_queries: int, k: int, batch_size: int):
    """Running top-k (largest scores) over the dataset, all queries at once."""
    if not 1 <= k <= len(data):
        raise AMError(f"k must be between 1 and the dataset size {len(data)}, got {k}")
    best = torch.full((n_queries, 0), -torch.inf)
    best_idx = torch.zeros((n_queries, 0), dtype=torch.long)
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            batch = data[start:start + batch_size]
            scores = score_fn(batch).T  # (Q, b)
            idx = torch.arange(start, start + len(batch)).expand(n_queries, -1)
            merged, merged_idx = torch.cat([best, scores], 1), torch.cat([best_idx, idx], 1)
            best, order = merged.topk(min(k, merged.shape[1]), dim=1)
            best_idx = merged_idx.gather(1, order)
    return best, best_idx


def top_activating(activation: Callable, patches, units: Sequence[int], k: int = 9,
                   batch_size: int = 1024) -> PatchSelection:
    """The ``k`` dataset patches with the highest activation of each unit.

    Parameters
    ----------
    activation : callable
        ``activation(x (B, H, W)) -> (B, n_units)``.
    patches : array or Tensor (P, H, W)
    units : sequence of int
    k : int
    batch_size : int

    Returns
    -------
    PatchSelection
        With ``scores`` the activations, highest first.
    """
    unit_idx = check_units(units)
    data = _patches(patches)

    def score(batch):
        out = activation(batch)
        check_output(out, len(batch), unit_idx)
        return out[:, unit_idx]

    best, idx = _stream_topk(score, data, len(unit_idx), k, batch_size)
    return PatchSelection(idx.numpy(), best.numpy(), data[idx].numpy())


def nearest_in_activation(activation: Callable, patches, images, k: int = 9,
                          batch_size: int = 1024) -> PatchSelection:
    """The ``k`` dataset patches whose layer activation vectors are nearest to the images'.

    Parameters
    ----------
    activation : callable
    patches : array or Tensor (P, H, W)
    images : array or Tensor (Q, H, W)
        Query images, e.g. AM results.
    k : int
    batch_size : int

    Returns
    -------
    PatchSelection
        With ``scores`` the Euclidean distances in activation space, nearest first.
    """
    data, queries = _patches(patches), _patches(images)
    with torch.no_grad():
        reference = activation(queries)
    check_output(reference, len(queries), torch.zeros(1, dtype=torch.long))

    def score(batch):
        out = activation(batch)
        check_output(out, len(batch), torch.zeros(1, dtype=torch.long))
        return -torch.cdist(out, reference)

    best, idx = _stream_topk(score, data, len(queries), k, batch_size)
    return PatchSelection(idx.numpy(), (-best).numpy(), data[idx].numpy())
