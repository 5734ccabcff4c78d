"""The studied units: the texture-sensitive and non-texture-sensitive classes."""

import numpy as np


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (family-wise error over all of ``p_values``)."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


#: With ``n_units`` None, ``fallback`` fills a short class only up to this many units: the
#: fewest with which a per-class statistic (a mean and its spread) is defined.
FALLBACK_MIN_UNITS = 2


def fill_target(n_units: int | None) -> int:
    """The size ``fallback`` fills a short class up to: ``n_units``, or :data:`FALLBACK_MIN_UNITS`
    when every candidate is studied (``n_units`` None)."""
    return FALLBACK_MIN_UNITS if n_units is None else n_units


def select_units(gain: np.ndarray, p_value: np.ndarray, information: np.ndarray, active: np.ndarray,
                 n_units: int | None = None, alpha: float = 0.05, fallback: bool = False) -> dict:
    """Texture-sensitive and non-texture-sensitive units among the active ones.

    Texture-sensitive: active, phase-sensitivity gain above the permutation null at family-wise
    level ``alpha`` (Holm over the active units), largest gain first. Non-texture-sensitive:
    active and at the null level (uncorrected p >= ``alpha``), most informative first. Active
    units in between (significant before but not after the correction) are in neither class.
    Each class holds every candidate, or at most ``n_units`` (the first in that order) when it
    is a number; with fewer candidates it is shorter, unless ``fallback`` (the smoke scale only)
    fills it from the inactive units up to ``n_units``, or up to :data:`FALLBACK_MIN_UNITS` when
    ``n_units`` is None: the texture class by gain, the other by information, and the result
    says so (``"fallback": true``).

    Returns
    -------
    dict
        ``texture_sensitive``, ``non_texture_sensitive`` (unit indices), ``fallback``,
        ``p_holm`` (per unit, NaN for inactive units) and ``candidates`` (class sizes before
        any cut to ``n_units``).
    """
    gain, p_value, information = (np.asarray(x, dtype=np.float64) for x in (gain, p_value, information))
    active = np.asarray(active, dtype=int)
    p_holm = np.full(len(gain), np.nan)
    p_holm[active] = holm(p_value[active])
    sensitive = active[(p_holm[active] < alpha) & (gain[active] > 0)]
    null_level = active[p_value[active] >= alpha]
    texture = sensitive[np.argsort(-gain[sensitive], kind="stable")][:n_units]   # [:None]: all
    non_texture = null_level[np.argsort(-information[null_level], kind="stable")][:n_units]
    target = fill_target(n_units)
    filled = fallback and (len(texture) < target or len(non_texture) < target)
    if filled:
        if 2 * target > len(gain):
            raise ValueError(f"cannot choose 2 x {target} distinct units among {len(gain)}")
        rest = np.setdiff1d(np.arange(len(gain)), np.concatenate([texture, non_texture, active]))
        by_gain = rest[np.argsort(-gain[rest], kind="stable")]
        texture = np.concatenate([texture, by_gain[: max(target - len(texture), 0)]]).astype(int)
        rest = np.setdiff1d(rest, texture)
        by_info = rest[np.argsort(-information[rest], kind="stable")]
        non_texture = np.concatenate([non_texture, by_info[: max(target - len(non_texture), 0)]]).astype(int)
    return {
        "texture_sensitive": texture.tolist(),
        "non_texture_sensitive": non_texture.tolist(),
        "fallback": bool(filled),
        "p_holm": p_holm,
        "candidates": {"texture_sensitive": len(sensitive), "non_texture_sensitive": len(null_level),
                       "neither": len(active) - len(sensitive) - len(null_level)},
    }
