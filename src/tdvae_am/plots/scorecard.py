"""The scorecard as a forest plot: every row on one scale, the distance of its value from its
rule's threshold in standard errors, coloured by verdict and grouped by family (or section); the
table stays in the JSON and the README."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

from .style import CHART, ROW

VERDICT_COLORS = {"replicated": "#2a9d3f", "not_replicated": "#c8323c", "inconclusive": "#8a8a8a"}
Z95 = 1.959964           # a 95% interval is +-Z95 standard errors
MAX_Z = 12.0             # the axis ends here; rows beyond it are drawn at its end with their value
FAMILY_TITLES = {"paper": "paper findings", "model": "model findings", "chain": "top-down vs chain",
                 "sanity": "sanity checks"}


def _number(x) -> float:
    return np.nan if x is None or not np.isfinite(x) else float(x)


def distance(row: dict) -> float:
    """The row's value minus its threshold, signed so that positive is the claimed direction
    (``direction`` "above": value - threshold; "below": threshold - value); NaN without a value."""
    sign = -1.0 if row.get("direction", "above") == "below" else 1.0
    return sign * (_number(row.get("value")) - row.get("threshold", 0.0))


def standard_error(row: dict) -> float:
    """The standard error a row's 95% interval implies, (high - low) / (2 * 1.959964); NaN where
    the row has no interval or an undefined one (a bound missing or not finite, zero width)."""
    interval = row.get("interval")
    bounds = [_number(x) for x in interval] if interval is not None and len(interval) == 2 else [np.nan] * 2
    lo, hi = min(bounds), max(bounds)
    if not np.isfinite(bounds).all() or hi - lo <= 1e-9 * max(abs(lo), abs(hi)):
        return np.nan
    return (hi - lo) / (2 * Z95)


def standardized(row: dict) -> tuple:
    """``(z, low, high)``: the row's :func:`distance` in standard errors and its 95% interval on
    that scale, z -+ 1.96; NaN where the standard error is undefined."""
    z = distance(row) / standard_error(row)
    return z, z - Z95, z + Z95


def _group(row: dict) -> str:
    return FAMILY_TITLES.get(row["family"], row["family"]) if row.get("family") else row["section"]


def _label(row: dict) -> str:
    return textwrap.fill(f"{row['id']}  {row['finding']}", 64)


def scorecard_figure(scorecard: list) -> plt.Figure:
    """Forest plot of the scorecard rows in scorecard order, one block per ``family`` (per
    ``section`` where a row has none): each row's value as the distance from its threshold in
    standard errors, positive on the claimed side, with its 95% interval (+-1.96), coloured by
    verdict. A row without a defined interval is a hollow marker at the axis end on its value's
    side (at 0 without a value) marked "no interval", with the reason where too few units had one."""
    groups = list(dict.fromkeys(_group(r) for r in scorecard))
    labels = {r["id"]: _label(r) for r in scorecard}
    heights = [1.0 + 0.35 * labels[r["id"]].count("\n") for r in scorecard]
    fig, ax = plt.subplots(figsize=(2.5 * CHART[0], 1.3 + ROW * (sum(heights) + 1.5 * len(groups))))
    zs = np.array([standardized(r)[0] for r in scorecard])
    zs = np.abs(zs[np.isfinite(zs)])
    lim = min(MAX_Z, max(4.0, zs.max() + Z95 if zs.size else 0))
    y, ticks = 0.0, []
    for group in groups:
        ax.text(0.005, y, group, fontsize=9, weight="bold", ha="left", va="center", transform=ax.get_yaxis_transform())
        y -= 1.0
        for row, height in zip(scorecard, heights):
            if _group(row) != group:
                continue
            y -= height / 2
            _draw_row(ax, row, y, lim)
            ticks.append(y)
            y -= height / 2
        y -= 0.5
    ax.set_yticks(ticks, [labels[r["id"]] for g in groups for r in scorecard if _group(r) == g], fontsize=7)
    for x in (-Z95, Z95):
        ax.axvline(x, color="0.55", lw=0.7, ls="--")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1.08 * lim, 1.08 * lim)
    ax.set_ylim(y + 0.5, 0.8)
    ax.set_xlabel("(value - threshold) / SE, signed so that right of 0 is the claimed direction; bar: 95% interval "
                  "(+-1.96), SE = interval width / 3.92;\ndashed: +-1.96; a row beyond "
                  f"+-{lim:g} is drawn at the end with its value", fontsize=8)
    counts = {v: sum(r["verdict"] == v for r in scorecard) for v in VERDICT_COLORS}
    handles = [plt.Line2D([], [], color=c, lw=2.2, marker="o", label=f"{v.replace('_', ' ')} ({counts[v]})")
               for v, c in VERDICT_COLORS.items()]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    ax.set_title("Replication scorecard: each finding's distance from its threshold in standard errors", fontsize=10,
                 pad=22)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _draw_row(ax, row: dict, y: float, lim: float) -> None:
    """One row at height ``y`` of an axis ending at +-``lim``."""
    color = VERDICT_COLORS.get(row["verdict"], "0.5")
    z, lo, hi = standardized(row)
    if np.isfinite(z):
        x = float(np.clip(z, -lim, lim))
        ax.plot(np.clip([lo, hi], -lim, lim), [y, y], color=color, lw=2.2, solid_capstyle="butt")
        ax.plot(x, y, "o" if x == z else (">" if z > 0 else "<"), color=color, ms=5, mec="white", mew=0.6)
        if x != z:
            ax.text(x - np.sign(z) * 0.3, y + 0.15, f"{z:.3g}", fontsize=6, color=color, va="bottom",
                    ha="right" if z > 0 else "left")
        return
    d = distance(row)
    x = float(np.sign(d)) * lim if np.isfinite(d) else 0.0
    ax.plot(x, y, "D", mfc="white", mec=color, mew=1.2, ms=5)
    reason = ": too few units" if "too_few_units" in row.get("details", {}) else ""
    ax.text(x - 0.3 if x > 0 else x + 0.3, y, f"no interval{reason}", fontsize=6, color=color, va="center",
            ha="right" if x > 0 else "left")
