"""The scorecard as a figure: one row per finding, its statistic, value, interval and verdict."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np

VERDICT_COLORS = {"replicated": "#b7e4c7", "not_replicated": "#f4b6b6", "inconclusive": "#e0e0e0"}


def _number(x) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{x:.3g}"


def scorecard_figure(scorecard: list) -> plt.Figure:
    """A colour-coded table of the scorecard (rows in scorecard order)."""
    rows = [[r["id"], textwrap.fill(r["finding"], 58), textwrap.fill(r["statistic"], 58), _number(r["value"]),
             "-" if r["interval"] is None else f"[{_number(r['interval'][0])}, {_number(r['interval'][1])}]",
             r["verdict"].replace("_", " ")] for r in scorecard]
    heights = [max(c.count("\n") for c in row) + 1 for row in rows]
    fig, ax = plt.subplots(figsize=(15, 0.5 + 0.19 * sum(heights) + 0.1 * len(rows)))
    ax.axis("off")
    table = ax.table(cellText=rows, colLabels=["id", "finding", "statistic", "value", "95% interval", "verdict"],
                     colWidths=[0.035, 0.34, 0.34, 0.07, 0.13, 0.1], loc="upper center", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    for (r, c), cell in table.get_celld().items():
        if r == 0:
            cell.set_text_props(weight="bold")
            cell.set_height(0.35 / len(rows))
            continue
        cell.set_height(heights[r - 1] * 0.9 / sum(heights))
        cell.set_facecolor(VERDICT_COLORS[scorecard[r - 1]["verdict"]] if c == 5 else "white")
    counts = {v: sum(r["verdict"] == v for r in scorecard) for v in VERDICT_COLORS}
    ax.set_title("Replication scorecard: " + ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in counts.items()),
                 fontsize=10)
    return fig
