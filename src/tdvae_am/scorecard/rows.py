"""A scorecard row and the constructors that attach an interval, a test and a verdict to a
per-unit statistic (see :mod:`tdvae_am.scorecard.statistics` for the methods)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .statistics import (
    MIN_UNITS,
    clopper_pearson,
    paired_image_bootstrap,
    rank_sum_test,
    sign_test,
    t_interval,
    verdict,
    welch_interval,
)

TEXTURE, NON_TEXTURE = "texture_sensitive", "non_texture_sensitive"


@dataclass
class Finding:
    """One scorecard row (the keys of results/scorecard.json).

    ``threshold`` and ``direction`` are the rule's: ``replicated`` when the interval lies
    on the ``direction`` side of ``threshold``; ``method`` names the interval.
    """

    id: str
    section: str
    finding: str
    statistic: str
    value: float | None
    interval: list | None
    rule: str
    verdict: str
    threshold: float = 0.0
    direction: str = "above"
    method: str = ""
    details: dict = field(default_factory=dict)


def _rule(threshold: float, direction: str, method: str) -> str:
    other = "below" if direction == "above" else "above"
    return (f"replicated if the {method} lies {direction} {threshold:g}; not_replicated if it lies {other}; "
            "inconclusive otherwise")


def _round(x) -> list:
    return np.round(np.asarray(x, dtype=float), 4).tolist()


def too_few(method: str, counts: dict) -> dict:
    """``{"too_few_units": reason}`` where a group of ``counts`` (its name, "" for a single group ->
    its units with a finite value) is short of the :data:`MIN_UNITS` the t interval ``method``
    needs (the interval is then undefined and the verdict inconclusive); ``{}`` otherwise."""
    short = [" ".join(filter(None, [str(n), name, "unit" if n == 1 else "units"]))
             for name, n in counts.items() if n < MIN_UNITS]
    if not short:
        return {}
    each = " per group" if len(counts) > 1 else ""
    return {"too_few_units": f"{' and '.join(short)} with a finite value (the {method} needs at least "
                             f"{MIN_UNITS}{each})"}


def positive(section, id_, finding, statistic, per_unit, threshold=0.0, direction="above", **details) -> Finding:
    """A claim about the mean of a per-unit statistic: t interval over units, sign test; no value
    and an undefined interval (``too_few_units``) with fewer than :data:`MIN_UNITS` finite values."""
    per_unit = np.asarray(per_unit, dtype=float)
    finite = per_unit[np.isfinite(per_unit)]
    interval = t_interval(per_unit)
    method = "95% t interval over units"
    return Finding(id_, section, finding, statistic, float(finite.mean()) if len(finite) else None, interval,
                   _rule(threshold, direction, method), verdict(interval, threshold, direction), threshold,
                   direction, method, {"per_unit": _round(per_unit), "n_units": len(finite),
                                       "sign_test_p": sign_test(per_unit, threshold, direction),
                                       **too_few(method, {"": len(finite)}), **details})


def contrast(section, id_, finding, statistic, per_unit, classes: dict, direction="above", **details) -> Finding:
    """Non-texture minus texture units (direction 'above': non-texture larger): Welch t interval
    of the class difference, and the exact rank-sum test in the claimed direction. A class of
    fewer than :data:`MIN_UNITS` units leaves the interval undefined (``too_few_units``)."""
    per_unit = np.asarray(per_unit, dtype=float)
    a, b = per_unit[classes[NON_TEXTURE]], per_unit[classes[TEXTURE]]
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    interval = welch_interval(a, b)
    method = "95% Welch t interval of the class difference"
    return Finding(id_, section, finding, statistic, float(np.mean(a) - np.mean(b)) if len(a) and len(b) else None,
                   interval, _rule(0.0, direction, method), verdict(interval, 0.0, direction), 0.0, direction, method,
                   {"non_texture": _round(a), "texture": _round(b), "rank_sum_p": rank_sum_test(a, b, direction),
                    **too_few(method, {"texture-sensitive": len(b), "non-texture-sensitive": len(a)}), **details})


def proportion(section, id_, finding, statistic, hits, threshold=0.5, direction="above", **details) -> Finding:
    """A claim about the fraction of units for which ``hits`` is true: exact Clopper-Pearson
    interval."""
    hits = np.asarray(hits, dtype=bool)
    interval = clopper_pearson(int(hits.sum()), len(hits))
    method = "exact Clopper-Pearson 95% interval"
    return Finding(id_, section, finding, statistic, float(hits.mean()) if len(hits) else None, interval,
                   _rule(threshold, direction, method), verdict(interval, threshold, direction), threshold,
                   direction, method, {"per_unit": hits.astype(int).tolist(), "n_units": len(hits), **details})


def decoding(id_, finding, ours: dict, other: dict, ours_name: str, other_name: str) -> Finding:
    """Two decoders on the same images: paired image-level bootstrap of the accuracy difference."""
    interval = paired_image_bootstrap(ours["per_image"], other["per_image"])
    method = "paired image-level bootstrap 95% interval"
    return Finding(id_, "model", finding, f"decoding accuracy of {ours_name} minus that of {other_name} (same images)",
                   ours["accuracy"] - other["accuracy"], interval, _rule(0.0, "above", method), verdict(interval),
                   0.0, "above", method,
                   {ours_name: ours["accuracy"], other_name: other["accuracy"],
                    "n_images": len(ours["per_image"]["n"])})


def gated(row: Finding, condition: Finding) -> Finding:
    """``row`` made ``inconclusive`` unless ``condition`` replicated (a precondition: a claim
    about what a term does cannot pass when the term did nothing)."""
    if condition.verdict != "replicated" and row.verdict == "replicated":
        row.verdict = "inconclusive"
        row.details["gated_by"] = f"{condition.id} is {condition.verdict}"
    row.rule += f"; inconclusive unless {condition.id} replicated"
    return row
