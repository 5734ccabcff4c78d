"""The declared tests, intervals and verdict rule of the scorecard.

One test per row type, each with the interval that inverts it (declared before the
results were seen; README "Scorecard statistics"):

================ ============================================= ============================================
row type         test (one-sided, in the claimed direction)    95% interval
================ ============================================= ============================================
mean over units  one-sample t test                             t interval (n - 1 df)
correlations     one-sample t test on Fisher z = atanh(r)      t interval on z, back-transformed by tanh
ratios           one-sample t test on log(ratio)               t interval on the log, back-transformed
class contrast   t test of the class coefficient of an OLS     its t interval (n - 3 df)
                 of value ~ class + log(information)
model contrast   Welch t test                                  Welch t interval
fraction         exact binomial test against the threshold    exact Clopper-Pearson interval
decoding         paired image-level bootstrap                  percentile interval
================ ============================================= ============================================

With 10-24 studied units a t interval covers close to its level where a percentile
bootstrap of units does not (tests/scorecard). Each row belongs to a ``family`` (``paper``,
``model``, ``chain``, ``sanity``); p-values are Holm-adjusted within the family
(:func:`holm`), and the verdict (:func:`decide`) is ``replicated`` when the adjusted p-value
is below :data:`ALPHA`, ``not_replicated`` when the interval lies on the other side of the
threshold, ``inconclusive`` otherwise. A row's ``bounds`` are the range of its statistic;
its interval lies inside them by construction of the transform.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

N_BOOT = 4000
LEVEL = 0.95
ALPHA = 0.05
MIN_UNITS = 2  # the fewest values of a t interval: one for the mean, one more for the spread
NAN2 = [float("nan"), float("nan")]
#: |r| is clipped below 1 before Fisher's z, so a constant r = +-1 keeps a finite transform
R_MAX = 1 - 1e-6


def _finite(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


def _one_sided(t: float, df: float, direction: str) -> float:
    """P-value of a t statistic in the claimed direction."""
    return float(stats.t.sf(t, df) if direction == "above" else stats.t.cdf(t, df))


def t_test(values, *, threshold: float = 0.0, direction: str = "above") -> tuple:
    """(95% t interval of the mean, one-sided p that the mean lies ``direction`` of ``threshold``)
    of ``values`` (NaNs dropped; n - 1 df). A constant sample has a point interval and p 0 or 1."""
    v = _finite(values)
    if len(v) < MIN_UNITS:
        return NAN2, float("nan")
    mean, se = v.mean(), v.std(ddof=1) / np.sqrt(len(v))
    if se == 0:
        side = mean > threshold if direction == "above" else mean < threshold
        return [float(mean), float(mean)], 0.0 if side else 1.0
    half = stats.t.ppf(0.5 + LEVEL / 2, len(v) - 1) * se
    return [float(mean - half), float(mean + half)], _one_sided((mean - threshold) / se, len(v) - 1, direction)


def t_interval(values) -> list:
    """95% one-sample t interval of the mean of ``values`` (NaNs dropped; n - 1 df)."""
    return t_test(values)[0]


def fisher_t_test(r, *, threshold: float = 0.0, direction: str = "above") -> tuple:
    """:func:`t_test` of per-unit correlations on Fisher's z scale, the interval back-transformed
    (inside [-1, 1]); the centre is ``tanh(mean z)``."""
    z = np.arctanh(np.clip(_finite(r), -R_MAX, R_MAX))
    interval, p = t_test(z, threshold=float(np.arctanh(np.clip(threshold, -R_MAX, R_MAX))), direction=direction)
    return np.tanh(interval).tolist(), p, float(np.tanh(z.mean())) if len(z) else None


def log_t_test(ratio, *, threshold: float = 1.0, direction: str = "above") -> tuple:
    """:func:`t_test` of positive per-unit ratios on the log scale, the interval back-transformed
    (inside (0, inf)); the centre is the geometric mean."""
    v = np.log(_finite(ratio)[_finite(ratio) > 0])
    interval, p = t_test(v, threshold=float(np.log(threshold)), direction=direction)
    return np.exp(interval).tolist(), p, float(np.exp(v.mean())) if len(v) else None


def welch_test(a, b, *, direction: str = "above") -> tuple:
    """(95% Welch t interval of ``mean(a) - mean(b)``, one-sided p in ``direction``), NaNs dropped."""
    a, b = _finite(a), _finite(b)
    if min(len(a), len(b)) < MIN_UNITS:
        return NAN2, float("nan")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = a.mean() - b.mean()
    if va + vb == 0:
        side = diff > 0 if direction == "above" else diff < 0
        return [float(diff), float(diff)], 0.0 if side else 1.0
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    se = np.sqrt(va + vb)
    half = stats.t.ppf(0.5 + LEVEL / 2, df) * se
    return [float(diff - half), float(diff + half)], _one_sided(diff / se, df, direction)


def welch_interval(a, b) -> list:
    """95% Welch t interval of ``mean(a) - mean(b)`` for independent groups (NaNs dropped)."""
    return welch_test(a, b)[0]


def adjusted_contrast(values, group, covariate, *, direction: str = "above") -> tuple:
    """(class coefficient, its 95% t interval, one-sided p) of the OLS ``value ~ 1 + group +
    covariate`` (``group`` 1 for the first class, 0 for the other): the class difference at
    equal covariate. Undefined (NaN) with fewer than 2 finite units per class."""
    y, g, c = (np.asarray(x, dtype=float) for x in (values, group, covariate))
    keep = np.isfinite(y) & np.isfinite(c)
    y, g, c = y[keep], g[keep], c[keep]
    if min(g.sum(), (1 - g).sum()) < MIN_UNITS or len(y) < 4:
        return None, NAN2, float("nan")
    design = np.column_stack([np.ones_like(y), g, c])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    df = len(y) - np.linalg.matrix_rank(design)
    resid = y - design @ coef
    cov = np.linalg.pinv(design.T @ design) * (resid @ resid) / df
    se = float(np.sqrt(max(cov[1, 1], 0.0)))
    beta = float(coef[1])
    if se == 0:
        side = beta > 0 if direction == "above" else beta < 0
        return beta, [beta, beta], 0.0 if side else 1.0
    half = stats.t.ppf(0.5 + LEVEL / 2, df) * se
    return beta, [beta - half, beta + half], _one_sided(beta / se, df, direction)


def clopper_pearson(k: int, n: int) -> list:
    """Exact 95% interval of a proportion ``k / n``."""
    if n == 0:
        return NAN2
    ci = stats.binomtest(int(k), int(n)).proportion_ci(LEVEL, method="exact")
    return [float(ci.low), float(ci.high)]


def binomial_test(k: int, n: int, *, threshold: float, direction: str = "above") -> float:
    """Exact one-sided p that the success probability lies ``direction`` of ``threshold``."""
    if n == 0:
        return float("nan")
    alternative = "greater" if direction == "above" else "less"
    return float(stats.binomtest(int(k), int(n), threshold, alternative=alternative).pvalue)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment of ``p_values`` (NaN stays NaN and is not counted)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    idx = np.flatnonzero(np.isfinite(p))
    order = idx[np.argsort(p[idx], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def verdict(interval, *, threshold: float = 0.0, direction: str = "above") -> str:
    """The interval rule alone: ``replicated`` when ``interval`` lies on the ``direction`` side
    of ``threshold``, ``not_replicated`` when on the other, ``inconclusive`` otherwise."""
    lo, hi = interval
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "inconclusive"
    above, below = lo > threshold, hi < threshold
    if direction == "below":
        above, below = below, above
    return "replicated" if above else "not_replicated" if below else "inconclusive"


def decide(p: float, interval, *, threshold: float = 0.0, direction: str = "above") -> str:
    """The declared verdict: ``replicated`` when the (adjusted) one-sided p is below :data:`ALPHA`,
    ``not_replicated`` when the interval lies on the other side of the threshold."""
    if p is not None and np.isfinite(p) and p < ALPHA:
        return "replicated"
    against = verdict(interval, threshold=threshold, direction=direction) == "not_replicated"
    return "not_replicated" if against else "inconclusive"


def spearman_rows(x, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of ``y[u]`` with ``x`` for every unit u (rows of y); NaN where
    ``y[u]`` or ``x`` is constant."""
    x = np.asarray(x, dtype=float)
    if np.ptp(x) == 0:
        return np.full(len(y), np.nan)
    return np.array([stats.spearmanr(x, row).statistic if np.ptp(row) > 0 else np.nan for row in y])


def image_draws(per_image: dict, seed: int = 0) -> np.ndarray:
    """(N_BOOT, n_images) bootstrap draws of image indices, stratified by ``per_image["stratum"]``
    (each family keeps its number of images) where recorded."""
    strata = np.asarray(per_image.get("stratum", np.zeros(len(per_image["n"]), dtype=int)))
    rng = np.random.default_rng(seed)
    return np.concatenate([idx[rng.integers(0, len(idx), (N_BOOT, len(idx)))]
                           for idx in (np.flatnonzero(strata == s) for s in np.unique(strata))], axis=1)


def bootstrap_p(diffs: np.ndarray, *, threshold: float = 0.0) -> float:
    """One-sided bootstrap p that the statistic exceeds ``threshold``: the share of draws at or
    below it (with the +1 correction, never 0)."""
    return float((1 + np.sum(diffs <= threshold)) / (len(diffs) + 1))


def image_bootstrap(a: dict, chance: float, seed: int = 0) -> tuple:
    """(95% percentile interval of a decoder's accuracy, bootstrap p that it exceeds ``chance``),
    resampling images within their family (``per_image`` of :func:`~tdvae_am.units.decoding.decode_family`)."""
    correct, n = np.asarray(a["correct"], dtype=float), np.asarray(a["n"], dtype=float)
    draw = image_draws(a, seed)
    accuracy = correct[draw].sum(-1) / n[draw].sum(-1)
    return np.percentile(accuracy, [2.5, 97.5]).tolist(), bootstrap_p(accuracy, threshold=chance)


def paired_image_bootstrap(a: dict, b: dict, seed: int = 0) -> tuple:
    """(95% percentile interval of ``accuracy(a) - accuracy(b)``, bootstrap p that it exceeds 0)
    for two decoders evaluated on the same images, resampling images jointly (within their family).

    ``a`` and ``b`` are the ``per_image`` entries of
    :func:`~tdvae_am.units.decoding.decode_family`: ``image`` ids, ``correct`` and ``n`` per image.
    """
    if a["image"] != b["image"]:
        raise ValueError("paired decoders must be evaluated on the same images")
    correct = np.asarray([a["correct"], b["correct"]], dtype=float)
    n = np.asarray([a["n"], b["n"]], dtype=float)
    draw = image_draws(a, seed)
    accuracy = correct[:, draw].sum(-1) / n[:, draw].sum(-1)
    diffs = accuracy[0] - accuracy[1]
    return np.percentile(diffs, [2.5, 97.5]).tolist(), bootstrap_p(diffs)
