"""Choosing one variant per group of a sweep, e.g. each optimizer's learning rate.

A registry variant may carry ``group: <name>`` (the optimizers experiment: one group per
optimizer, one variant per learning rate). The figures and the scorecard compare groups at
the variant :func:`best_variants` picks, by the same rule.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def variant_groups(registry: dict, experiment: str) -> dict[str, list[str]]:
    """``{group: [variant, ...]}`` of ``experiment``, both in registry order (empty without groups)."""
    groups: dict[str, list[str]] = {}
    for name, variant in registry["experiments"][experiment]["variants"].items():
        if (variant or {}).get("group") is not None:
            groups.setdefault(variant["group"], []).append(name)
    return groups


def best_variants(variants_by_group: dict[str, list[str]], final_activation: dict[str, np.ndarray]) -> dict[str, str]:
    """The best variant of each group.

    Within a group, every unit ranks the variants by their restart-mean final activation
    (1 = lowest; ties share the mean rank; a non-finite mean ranks lowest); the variant with
    the highest mean rank over units wins, a tie going to the earlier variant of the list.

    Parameters
    ----------
    variants_by_group : dict of str -> list of str
        Variants of each group in registry order (:func:`variant_groups`).
    final_activation : dict of str -> array (U, R)
        Final activation per unit and restart of every variant, units in the same order.

    Returns
    -------
    dict of str -> str
        ``{group: variant}``.
    """
    best = {}
    for group, variants in variants_by_group.items():
        means = np.stack([np.asarray(final_activation[v], dtype=float).mean(1) for v in variants])   # (V, U)
        ranks = rankdata(np.where(np.isfinite(means), means, -np.inf), axis=0)
        best[group] = variants[int(np.argmax(ranks.mean(1)))]
    return best
