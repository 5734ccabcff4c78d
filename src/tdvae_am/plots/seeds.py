"""The model claims and unit counts over seeds (supplementary Fig. S8)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from tdvae_am.labels import MODEL_LABELS

from .scorecard import VERDICT_COLORS
from .style import CHART, TITLE


def _with_interval(ax, x: float, summary: dict, color="k") -> None:
    lo, hi = summary["interval"]
    if np.isfinite([lo, hi]).all():
        ax.errorbar(x + 0.25, summary["mean"], yerr=[[summary["mean"] - lo], [hi - summary["mean"]]], fmt="_",
                    color=color, capsize=3, ms=12)


def seeds_figure(summary: dict) -> plt.Figure:
    """Left: active z2 units of each model per seed (dots) and untrained twin (crosses), with the
    mean and 95% t interval over seeds (bars). Right: each model claim's statistic per seed, coloured by
    that seed's verdict, with the mean and t interval."""
    seeds = summary["seeds"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(2.4 * CHART[0], CHART[1] + TITLE), width_ratios=[1, 2.2])
    rng = np.random.default_rng(0)
    for i, (model, counts) in enumerate(summary["units"].items()):
        jitter = rng.uniform(-0.08, 0.08, len(seeds))
        left.scatter(i + jitter, counts["active"]["values"], color="k", s=14, label="trained" if i == 0 else None)
        left.scatter(i + jitter, counts["active_untrained"]["values"], marker="x", color="0.5", s=14,
                     label="untrained" if i == 0 else None)
        _with_interval(left, i, counts["active"])
    left.set_xticks(range(len(summary["units"])), [MODEL_LABELS.get(m, m) for m in summary["units"]])
    left.set_ylabel("active z2 units")
    left.set_title(f"Active units over {len(seeds)} seeds (mean, 95% t interval)", fontsize=9)
    left.legend(fontsize=7, frameon=False)
    claims = {k: c for k, c in summary["claims"].items() if k != "M1"}
    for i, claim in enumerate(claims.values()):
        jitter = rng.uniform(-0.08, 0.08, len(seeds))
        colors = [VERDICT_COLORS.get(v, "0.5") for v in claim["verdicts"]]
        right.scatter(i + jitter, claim["values"], c=colors, s=14)
        _with_interval(right, i, claim)
    right.axhline(0, color="0.7", lw=0.8)
    right.set_xticks(range(len(claims)), list(claims))
    right.set_ylabel("statistic (accuracy or difference)")
    right.set_title("Model claims per seed (colour: that seed's verdict)", fontsize=9)
    handles = [plt.Line2D([], [], ls="", marker="o", color=c, label=v.replace("_", " "))
               for v, c in VERDICT_COLORS.items()]
    right.legend(handles=handles, fontsize=7, frameon=False, loc="best")
    return fig
