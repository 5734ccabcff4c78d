"""Interval estimates and the pre-declared verdict rule of the scorecard.

Intervals are 95% percentile bootstraps over units (within each class for class
contrasts). Verdicts of a "positive" rule: ``replicated`` when the interval lies above
the threshold, ``not_replicated`` when it lies below, ``inconclusive`` otherwise (a
"negative" rule mirrors this).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

N_BOOT = 4000


def bootstrap(values, seed: int = 0) -> list:
    """95% percentile bootstrap interval of the mean of ``values`` (NaNs dropped)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) < 2:
        return [float("nan"), float("nan")]
    idx = np.random.default_rng(seed).integers(0, len(v), (N_BOOT, len(v)))
    return np.percentile(v[idx].mean(1), [2.5, 97.5]).tolist()


def bootstrap_difference(a, b, seed: int = 0) -> list:
    """95% interval of ``mean(a) - mean(b)`` for independent groups (each resampled)."""
    a, b = (np.asarray(x, dtype=float) for x in (a, b))
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return [float("nan"), float("nan")]
    rng = np.random.default_rng(seed)
    diff = (a[rng.integers(0, len(a), (N_BOOT, len(a)))].mean(1)
            - b[rng.integers(0, len(b), (N_BOOT, len(b)))].mean(1))
    return np.percentile(diff, [2.5, 97.5]).tolist()


def verdict(interval, threshold: float = 0.0, direction: str = "above") -> str:
    """The pre-declared decision on an interval (see the module docstring)."""
    lo, hi = interval
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "inconclusive"
    above, below = lo > threshold, hi < threshold
    if direction == "below":
        above, below = below, above
    return "replicated" if above else "not_replicated" if below else "inconclusive"


def spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of ``y[u]`` with ``x`` for every unit u (rows of y)."""
    return np.array([spearmanr(x, row).statistic if np.ptp(row) > 0 else np.nan for row in y])


def paired_image_bootstrap(a: dict, b: dict, seed: int = 0) -> list:
    """95% percentile interval of ``accuracy(a) - accuracy(b)`` for two decoders evaluated on the
    same images, resampling images jointly (a paired, image-level bootstrap).

    ``a`` and ``b`` are the ``per_image`` entries of
    :func:`~tdvae_am.units.decoding.decode_family`: ``image`` ids, ``correct`` and ``n`` per image.
    """
    if a["image"] != b["image"]:
        raise ValueError("paired decoders must be evaluated on the same images")
    correct = np.asarray([a["correct"], b["correct"]], dtype=float)
    n = np.asarray([a["n"], b["n"]], dtype=float)
    draw = np.random.default_rng(seed).integers(0, correct.shape[1], (N_BOOT, correct.shape[1]))
    accuracy = correct[:, draw].sum(-1) / n[:, draw].sum(-1)
    return np.percentile(accuracy[0] - accuracy[1], [2.5, 97.5]).tolist()
