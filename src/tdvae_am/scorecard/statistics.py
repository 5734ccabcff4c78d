"""Interval estimates and the pre-declared verdict rule of the scorecard.

Unit-level rows have 5-10 observations (the studied units), too few for a percentile
bootstrap to cover at its nominal level, so their intervals are t-based: a one-sample t
interval of the mean (n - 1 df) for a per-unit statistic, Welch's t interval for the
difference of the two classes (5 vs 5), and an exact Clopper-Pearson interval for a
proportion of units. Each row also carries an exact sign test in its claimed direction.
A t interval needs :data:`MIN_UNITS` finite values (Welch's, in each class): with fewer,
as in a short class, it is undefined (NaN) and the verdict inconclusive.
Decoding rows compare decoders on the same images (hundreds) with a paired image-level
bootstrap. Verdicts of a rule with direction "above": ``replicated`` when the interval
lies above the threshold, ``not_replicated`` when it lies below, ``inconclusive``
otherwise ("below" mirrors this).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

N_BOOT = 4000
LEVEL = 0.95
MIN_UNITS = 2  # the fewest values of a t interval: one for the mean, one more for the spread


def _finite(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


def t_interval(values) -> list:
    """95% one-sample t interval of the mean of ``values`` (NaNs dropped; n - 1 df)."""
    v = _finite(values)
    if len(v) < MIN_UNITS:
        return [float("nan"), float("nan")]
    half = stats.t.ppf(0.5 + LEVEL / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return [float(v.mean() - half), float(v.mean() + half)]


def welch_interval(a, b) -> list:
    """95% Welch t interval of ``mean(a) - mean(b)`` for independent groups (NaNs dropped)."""
    a, b = _finite(a), _finite(b)
    if min(len(a), len(b)) < MIN_UNITS:
        return [float("nan"), float("nan")]
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = a.mean() - b.mean()
    if va + vb == 0:
        return [float(diff), float(diff)]
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.5 + LEVEL / 2, df) * np.sqrt(va + vb)
    return [float(diff - half), float(diff + half)]


def clopper_pearson(k: int, n: int) -> list:
    """Exact 95% interval of a proportion ``k / n``."""
    if n == 0:
        return [float("nan"), float("nan")]
    ci = stats.binomtest(int(k), int(n)).proportion_ci(LEVEL, method="exact")
    return [float(ci.low), float(ci.high)]


def sign_test(values, threshold: float = 0.0, direction: str = "above") -> float:
    """One-sided exact sign test p-value that values lie ``direction`` of ``threshold``
    (ties dropped; 1.0 when nothing is left)."""
    v = _finite(values) - threshold
    v = v[v != 0]
    if not len(v):
        return 1.0
    k = int((v > 0).sum() if direction == "above" else (v < 0).sum())
    return float(stats.binomtest(k, len(v), alternative="greater").pvalue)


def rank_sum_test(a, b, direction: str = "above") -> float:
    """One-sided exact Mann-Whitney p-value that ``a`` lies ``direction`` of ``b``."""
    a, b = _finite(a), _finite(b)
    if not (len(a) and len(b)):
        return 1.0
    return float(stats.mannwhitneyu(a, b, alternative="greater" if direction == "above" else "less",
                                    method="exact").pvalue)


def verdict(interval, threshold: float = 0.0, direction: str = "above") -> str:
    """The pre-declared decision on an interval (see the module docstring)."""
    lo, hi = interval
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "inconclusive"
    above, below = lo > threshold, hi < threshold
    if direction == "below":
        above, below = below, above
    return "replicated" if above else "not_replicated" if below else "inconclusive"


def spearman_rows(x, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of ``y[u]`` with ``x`` for every unit u (rows of y); NaN where
    ``y[u]`` or ``x`` is constant."""
    x = np.asarray(x, dtype=float)
    if np.ptp(x) == 0:
        return np.full(len(y), np.nan)
    return np.array([stats.spearmanr(x, row).statistic if np.ptp(row) > 0 else np.nan for row in y])


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
