"""A scorecard row and the constructors that attach the declared test, its interval and a
verdict to a statistic (methods: :mod:`tdvae_am.scorecard.statistics`).

Constructors give the unadjusted verdict; :func:`finalize` Holm-adjusts the p-values within
each family, decides every row on the adjusted p-value and applies the gates."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .statistics import (
    ALPHA,
    MIN_UNITS,
    adjusted_contrast,
    binomial_test,
    clopper_pearson,
    decide,
    fisher_t_test,
    holm,
    log_t_test,
    paired_image_bootstrap,
    t_test,
    welch_test,
)

TEXTURE, NON_TEXTURE = "texture_sensitive", "non_texture_sensitive"
FAMILIES = ("paper", "model", "chain", "sanity")
CORRELATION = [-1.0, 1.0]
FRACTION = [0.0, 1.0]


@dataclass(kw_only=True)
class Finding:
    """One scorecard row (the keys of a row of results/scorecard.json).

    ``threshold`` and ``direction`` are the claim's: the statistic lies on the ``direction``
    side of ``threshold``; ``method`` names the test and its interval, ``bounds`` the range of
    the statistic (None: unbounded), ``p_value`` the one-sided p in the claimed direction and
    ``p_adjusted`` its Holm adjustment within ``family``.
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
    family: str = "paper"
    bounds: list | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    details: dict = field(default_factory=dict)


def rule_text(method: str, threshold: float, direction: str) -> str:
    other = "below" if direction == "above" else "above"
    return (f"{method}; replicated if its one-sided p-value, Holm-adjusted within the family, is below {ALPHA:g} "
            f"(claim: {direction} {threshold:g}); not_replicated if the 95% interval lies {other} {threshold:g}; "
            "inconclusive otherwise")


def _round(x) -> list:
    return np.round(np.asarray(x, dtype=float), 4).tolist()


def _num(x) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def too_few(method: str, counts: dict) -> dict:
    """``{"too_few_units": reason}`` where a group of ``counts`` (its name, "" for a single group ->
    its units with a finite value) is short of the :data:`MIN_UNITS` the test ``method`` needs (the
    interval is then undefined and the verdict inconclusive); ``{}`` otherwise."""
    short = [" ".join(filter(None, [str(n), name, "unit" if n == 1 else "units"]))
             for name, n in counts.items() if n < MIN_UNITS]
    if not short:
        return {}
    each = " per group" if len(counts) > 1 else ""
    return {"too_few_units": f"{' and '.join(short)} with a finite value (the {method} needs at least "
                             f"{MIN_UNITS}{each})"}


def make(section, id_, finding, statistic, *, value, interval, p, threshold, direction, method, family, bounds,
         details) -> Finding:
    """A row with its unadjusted verdict."""
    interval = None if interval is None else [_num(x) if _num(x) is not None else float("nan") for x in interval]
    return Finding(id=id_, section=section, finding=finding, statistic=statistic, value=_num(value), interval=interval,
                   rule=rule_text(method, threshold, direction),
                   verdict=decide(p, interval or [float("nan")] * 2, threshold=threshold, direction=direction),
                   threshold=threshold, direction=direction, method=method, family=family, bounds=bounds,
                   p_value=_num(p), details=details)


KINDS = {  # per-unit statistic -> (test, interval's method text, bounds)
    "mean": (t_test, "one-sample t test over units, 95% t interval", None),
    "correlation": (fisher_t_test, "one-sample t test of Fisher z over units, 95% t interval back-transformed",
                    CORRELATION),
    "ratio": (log_t_test, "one-sample t test of the log ratio over units, 95% t interval back-transformed",
              [0.0, None]),
}


def positive(section, id_, finding, statistic, per_unit, *, threshold=0.0, direction="above", kind="mean",
             bounds=None, family="paper", **details) -> Finding:
    """A claim about the centre of a per-unit statistic (``kind``: mean, correlation on Fisher's z,
    ratio on the log scale); undefined (``too_few_units``) with fewer than :data:`MIN_UNITS` finite
    values."""
    per_unit = np.asarray(per_unit, dtype=float)
    finite = per_unit[np.isfinite(per_unit)]
    test, method, kind_bounds = KINDS[kind]
    out = test(per_unit, threshold=threshold, direction=direction)
    interval, p = out[:2]
    value = out[2] if len(out) > 2 else (finite.mean() if len(finite) else None)
    return make(section, id_, finding, statistic, value=value, interval=interval, p=p, threshold=threshold,
                direction=direction, method=method, family=family, bounds=bounds or kind_bounds,
                details={"per_unit": _round(per_unit), "n_units": len(finite),
                         **too_few(method, {"": len(finite)}), **details})


def contrast(section, id_, finding, statistic, per_unit, classes: dict, information, *, direction="above",
             family="paper", **details) -> Finding:
    """Non-texture minus texture units (direction 'above': non-texture larger) at equal unit
    strength: the class coefficient of an OLS with log(information) as covariate decides; the
    unadjusted Welch difference is reported beside it."""
    per_unit = np.asarray(per_unit, dtype=float)
    group = classes[NON_TEXTURE].astype(float)
    inside = classes[NON_TEXTURE] | classes[TEXTURE]
    value, interval, p = adjusted_contrast(per_unit[inside], group[inside], np.log(np.asarray(information))[inside],
                                           direction=direction)
    a, b = per_unit[classes[NON_TEXTURE]], per_unit[classes[TEXTURE]]
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    welch, welch_p = welch_test(a, b, direction=direction)
    method = "t test of the class coefficient of an OLS on class and log(unit information), 95% t interval"
    return make(section, id_, finding, statistic, value=value, interval=interval, p=p, threshold=0.0,
                direction=direction, method=method, family=family, bounds=None,
                details={"non_texture": _round(a), "texture": _round(b),
                         "unadjusted_difference": _num(a.mean() - b.mean()) if len(a) and len(b) else None,
                         "unadjusted_welch_interval": welch, "unadjusted_welch_p": _num(welch_p),
                         **too_few(method, {"texture-sensitive": len(b), "non-texture-sensitive": len(a)}),
                         **details})


def two_groups(section, id_, finding, statistic, a, b, *, direction="above", family="chain", names=("a", "b"),
               **details) -> Finding:
    """``mean(a) - mean(b)`` of two independent groups of units: Welch t test and interval."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    interval, p = welch_test(a, b, direction=direction)
    method = "Welch t test of the group difference, 95% Welch t interval"
    fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
    return make(section, id_, finding, statistic, value=fa.mean() - fb.mean() if len(fa) and len(fb) else None,
                interval=interval, p=p, threshold=0.0, direction=direction, method=method, family=family, bounds=None,
                details={names[0]: _round(a), names[1]: _round(b),
                         **too_few(method, {names[0]: len(fa), names[1]: len(fb)}), **details})


def proportion(section, id_, finding, statistic, hits, *, threshold=0.5, direction="above", family="paper",
               **details) -> Finding:
    """A claim about the fraction of units for which ``hits`` is true (NaN: not counted): exact
    binomial test against ``threshold``, Clopper-Pearson interval."""
    hits = np.asarray(hits, dtype=float)
    counted = hits[np.isfinite(hits)].astype(bool)
    k, n = int(counted.sum()), len(counted)
    method = "exact binomial test, Clopper-Pearson 95% interval"
    return make(section, id_, finding, statistic, value=k / n if n else None, interval=clopper_pearson(k, n),
                p=binomial_test(k, n, threshold=threshold, direction=direction), threshold=threshold,
                direction=direction, method=method, family=family, bounds=FRACTION,
                details={"per_unit": [None if not np.isfinite(h) else int(h) for h in hits], "n_units": n,
                         **details})


def decoding(id_, finding, ours: dict, other: dict, ours_name: str, other_name: str) -> Finding:
    """Two decoders on the same images: paired image-level bootstrap of the accuracy difference."""
    interval, p = paired_image_bootstrap(ours["per_image"], other["per_image"])
    return make("model", id_, finding, f"decoding accuracy of {ours_name} minus that of {other_name} (same images)",
                value=ours["accuracy"] - other["accuracy"], interval=interval, p=p, threshold=0.0, direction="above",
                method="paired image-level bootstrap test, 95% percentile interval", family="model",
                bounds=[-1.0, 1.0],
                details={ours_name: ours["accuracy"], other_name: other["accuracy"],
                         "n_images": len(ours["per_image"]["n"])})


def gated(row: Finding, condition: str) -> Finding:
    """``row`` cannot replicate unless row ``condition`` replicated (a precondition: a claim
    about what a term does cannot pass when the term did nothing); applied by :func:`finalize`."""
    row.details["gate"] = condition
    row.rule += f"; inconclusive unless {condition} replicated"
    return row


def finalize(rows: list) -> list:
    """Holm-adjust each family's p-values, decide every row on its adjusted p-value, then apply
    the gates (in row order, so a gate reads its condition's final verdict). A row whose details
    say ``invalid`` (an unfair contest, e.g. a learning rate chosen at the edge of its grid) is
    inconclusive whatever its statistic."""
    for family in {r.family for r in rows}:
        members = [r for r in rows if r.family == family]
        for r, p in zip(members, holm([np.nan if r.p_value is None else r.p_value for r in members])):
            r.p_adjusted = _num(p)
            if r.p_value is not None:
                r.verdict = decide(r.p_adjusted, r.interval or [float("nan")] * 2, threshold=r.threshold,
                                   direction=r.direction)
            if r.details.get("invalid"):
                r.verdict = "inconclusive"
    by_id = {r.id: r for r in rows}
    for r in rows:
        gate = r.details.get("gate")
        if gate is not None and by_id[gate].verdict != "replicated" and r.verdict == "replicated":
            r.verdict = "inconclusive"
            r.details["gated_by"] = f"{gate} is {by_id[gate].verdict}"
    return rows
