"""The scorecard as a forest plot: each row's value and interval against its rule's threshold,
coloured by verdict, grouped by paper section (the table stays in the JSON and the README)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

VERDICT_COLORS = {"replicated": "#2a9d3f", "not_replicated": "#c8323c", "inconclusive": "#8a8a8a"}


def standardized(row: dict) -> tuple:
    """``(value, lo, hi)`` of a row on the forest plot's axis: the distance from the rule's
    threshold in the claimed direction (positive: on the replicated side), divided by the
    row's largest absolute coordinate, so every row spans at most [-1, 1]. NaN where absent."""
    sign = 1.0 if row.get("direction", "above") == "above" else -1.0
    t = row.get("threshold", 0.0)

    def shift(x):
        return np.nan if x is None or not np.isfinite(x) else sign * (x - t)

    value = shift(row["value"])
    lo, hi = sorted(shift(x) for x in row["interval"]) if row["interval"] is not None else (np.nan, np.nan)
    coords = np.abs([value, lo, hi])
    coords = coords[np.isfinite(coords)]
    scale = coords.max() if coords.size and coords.max() > 0 else 1.0
    return value / scale, lo / scale, hi / scale


def scorecard_figure(scorecard: list) -> plt.Figure:
    """Forest plot of the scorecard rows in scorecard order, one block per section; a row without
    an interval for too few units (a short class) says so."""
    sections = list(dict.fromkeys(r["section"] for r in scorecard))
    y, ticks, labels, heads = 0.0, [], [], []
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.24 * (len(scorecard) + 1.5 * len(sections))))
    for sec in sections:
        heads.append((y, sec))
        y -= 1.0
        for row in (r for r in scorecard if r["section"] == sec):
            v, lo, hi = standardized(row)
            color = VERDICT_COLORS[row["verdict"]]
            if np.isfinite([lo, hi]).all():
                ax.plot([lo, hi], [y, y], color=color, lw=2.2, solid_capstyle="butt")
            if np.isfinite(v):
                ax.plot(v, y, "o", color=color, ms=5, mec="white", mew=0.6)
            if "too_few_units" in row.get("details", {}):
                ax.text(0.03, y, "no interval: too few units", fontsize=6, color=color, va="center")
            ticks.append(y)
            labels.append(f"{row['id']:>4}  {textwrap.shorten(row['finding'], 80, placeholder='...')}")
            y -= 1.0
        y -= 0.5
    for yy, sec in heads:
        ax.text(-1.12, yy, sec, fontsize=9, weight="bold", ha="left", va="center")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(ticks, labels, fontsize=7)
    ax.set_xlim(-1.15, 1.15)
    ax.set_ylim(y + 0.5, 0.8)
    ax.set_xlabel("distance from the rule's threshold in the claimed direction\n"
                  "(right of 0: the claim's side; each row scaled by its largest |coordinate|)", fontsize=8)
    counts = {v: sum(r["verdict"] == v for r in scorecard) for v in VERDICT_COLORS}
    handles = [plt.Line2D([], [], color=c, lw=2.2, marker="o", label=f"{v.replace('_', ' ')} ({counts[v]})")
               for v, c in VERDICT_COLORS.items()]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    ax.set_title("Replication scorecard: value and 95% interval of each finding", fontsize=10, pad=22)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
