"""Model figures: training curves, unit activity, decoding accuracy, texture sensitivity."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from tdvae_am.labels import MODEL_LABELS

from .style import BAR, CHART, TITLE


def training_figure(metrics: dict[str, pd.DataFrame]) -> plt.Figure:
    """Training and validation ELBO per step for each model, with the beta_y schedule."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(CHART[0] * len(metrics), CHART[1]), squeeze=False)
    for ax, (name, df) in zip(axes[0], metrics.items()):
        ax.plot(df["step"], df["train_elbo"], label="train ELBO", color="C0")
        ax.plot(df["step"], df["val_elbo"], label="validation ELBO", color="C1")
        ax.set_title(MODEL_LABELS.get(name, name))
        ax.set_xlabel("step")
        ax.set_ylabel("ELBO (nats / patch)")
        low = np.nanpercentile(df[["train_elbo", "val_elbo"]].to_numpy(), 5)
        ax.set_ylim(low, None)
        beta = ax.twinx()
        beta.plot(df["step"], df["beta_y"], color="0.5", ls=":", label=r"$\beta_y$")
        beta.set_ylabel(r"$\beta_y$", color="0.4")
        lines = ax.get_lines() + beta.get_lines()
        ax.legend(lines, [line.get_label() for line in lines], fontsize=7, loc="lower right")
    sns.despine(fig, right=False)
    return fig


def _classes_title(units: dict) -> str:
    """A title's note on the studied units: the class sizes where they differ (a class may be short
    or empty), and the smoke-scale fallback."""
    counts = {c: len(units[c]) for c in ("texture_sensitive", "non_texture_sensitive")}
    notes = [] if len(set(counts.values())) == 1 else [
        ", ".join(f"{n} {c.replace('_', '-')}" for c, n in counts.items()) + " units"]
    if units.get("fallback"):
        notes.append("classes filled with inactive units: smoke-scale fallback")
    return f" ({'; '.join(notes)})" if notes else ""


def activity_figure(units: dict) -> plt.Figure:
    """Information about the input vs mean posterior std of every unit (natural patches),
    trained vs untrained, with the activity threshold; the selected units labelled."""
    fig, axes = plt.subplots(1, 2, figsize=(2 * CHART[0], CHART[1] + TITLE), sharex=True, sharey=True)
    chosen = {u: "T" for u in units["texture_sensitive"]} | {u: "N" for u in units["non_texture_sensitive"]}
    threshold = units["threshold"]
    for ax, which in zip(axes, ["trained", "untrained"]):
        st = units["units"][which]
        info = np.maximum(np.asarray(st["information_natural"]), 1e-6)
        mean_std = np.asarray(st["mean_std_natural"])
        is_active = info > threshold
        ax.scatter(info[~is_active], mean_std[~is_active], s=8, color="0.6", label="collapsed")
        ax.scatter(info[is_active], mean_std[is_active], s=10, color="C3", label="active")
        ax.axvline(threshold, color="0.3", ls="--", lw=1, label=f"threshold {threshold:.3g} nats")
        if which == "trained":
            for u, tag in chosen.items():
                ax.annotate(f"{u}{tag}", (info[u], mean_std[u]), fontsize=6, xytext=(2, 2), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_title(f"{which} model: {int(is_active.sum())} active units")
        ax.set_xlabel("information about the input (nats, Gaussian estimate)")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("mean posterior std")
    fig.suptitle("z2 unit activity" + _classes_title(units), fontsize=9)
    sns.despine(fig)
    return fig


def _decoding_panel(ax, decoding: dict[str, dict], ylabel: str) -> None:
    rows = []
    for model, entries in decoding.items():
        for feature, d in entries.items():
            lo, hi = d["ci_bootstrap"]
            rows.append({"model": MODEL_LABELS.get(model, model), "features": feature,
                         "accuracy": d["accuracy"], "lo": lo, "hi": hi, "chance": d["chance"]})
    df = pd.DataFrame(rows)
    features = list(dict.fromkeys(df["features"]))
    models = list(dict.fromkeys(df["model"]))
    width = 0.8 / len(models)
    for m, model in enumerate(models):
        sub = df[df["model"] == model].set_index("features").reindex(features)
        x = np.arange(len(features)) + (m - (len(models) - 1) / 2) * width
        ax.bar(x, sub["accuracy"], width, label=model, color=f"C{m}")
        ax.errorbar(x, sub["accuracy"], yerr=[sub["accuracy"] - sub["lo"], sub["hi"] - sub["accuracy"]],
                    fmt="none", color="k", lw=1)
    ax.axhline(df["chance"].max(), color="0.4", ls="--", lw=1, label="chance")
    ax.set_xticks(np.arange(len(features)), [f.replace("_", "\n") for f in features], fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)


def decoding_figure(decoding: dict[str, dict], phase: dict[str, dict]) -> plt.Figure:
    """Cross-validated decoding accuracy per model and feature set, with image-level bootstrap
    intervals and the chance level: the texture family (left) and texture vs its phase-scrambled
    twin (right)."""
    n_family = max(len(v) for v in decoding.values()) * len(decoding)
    n_phase = max(len(v) for v in phase.values()) * len(phase)
    fig, axes = plt.subplots(1, 2, figsize=(2.0 + BAR * (n_family + n_phase), CHART[1]),
                             width_ratios=[n_family, n_phase])
    _decoding_panel(axes[0], decoding, "texture-family decoding accuracy")
    _decoding_panel(axes[1], phase, "texture vs scrambled twin: accuracy")
    sns.despine(fig)
    return fig


def sensitivity_figure(units: dict) -> plt.Figure:
    """Per-unit family information beyond the amplitude spectrum (gain, eta^2 textures minus eta^2
    scrambled twins) against its permutation p-value, trained and untrained units, the chosen units marked."""
    tr, un = units["units"]["trained"], units["units"]["untrained"]
    active = np.asarray(units["active"], dtype=int)
    fig, ax = plt.subplots(figsize=(1.2 * CHART[0], 1.2 * CHART[1]))  # room for the unit labels
    log_p = {k: -np.log10(np.asarray(st["p_value"])) for k, st in (("trained", tr), ("untrained", un))}
    ax.scatter(un["gain"], log_p["untrained"], s=8, color="0.75", label="untrained units")
    ax.scatter(np.asarray(tr["gain"])[active], log_p["trained"][active], s=12, color="C0", label="active trained units")
    chosen = []
    for key, color, label in [("texture_sensitive", "C3", "texture-sensitive"),
                              ("non_texture_sensitive", "C2", "non-texture-sensitive")]:
        idx = np.asarray(units[key], dtype=int)
        ax.scatter(np.asarray(tr["gain"])[idx], log_p["trained"][idx], s=40, facecolor="none", edgecolor=color,
                   lw=1.5, label=label)
        chosen += [(u, (tr["gain"][u], log_p["trained"][u])) for u in idx]
    ax.axhline(-np.log10(0.05), color="0.4", ls=":", lw=1, label="p = 0.05 (uncorrected)")
    ax.set_xlabel(r"gain: $\eta^2$(textures) $-$ $\eta^2$(scrambled twins)")
    ax.set_ylabel(r"$-\log_{10}$ p (swap-permutation null)")
    ax.set_title("texture sensitivity" + _classes_title(units), fontsize=8)
    legend = ax.legend(fontsize=7)
    sns.despine(fig)
    fig.draw_without_rendering()   # the layout engine places the axes once,
    fig.set_layout_engine("none")  # and they stay there while the labels go in
    label_apart(ax, [str(u) for u, _ in chosen], [xy for _, xy in chosen], avoid=[legend, ax.title])
    return fig


def label_apart(ax: plt.Axes, labels: list, points: list, avoid=(), fontsize: float = 6) -> None:
    """Label each of ``points`` (data coordinates) with the first of a ring of offsets, growing
    outwards, where its label overlaps no label placed before, no labelled point and none of the
    ``avoid`` artists (e.g. the legend), joined to its point by a thin line. Call it once the
    axes' layout is final."""
    renderer = ax.figure.canvas.get_renderer()
    taken = [a.get_window_extent(renderer) for a in avoid]
    taken += [Bbox.from_bounds(*(ax.transData.transform(p) - 5), 10, 10) for p in points]   # the point markers
    ring = [(1, 1), (1, -1), (-1, 1), (-1, -1), (0, 1.5), (0, -1.5), (1.5, 0), (-1.5, 0)]
    offsets = [(7 * r * dx, 7 * r * dy) for r in (1, 2, 3, 4, 5, 6) for dx, dy in ring]
    for text, point in zip(labels, points):
        for k, (dx, dy) in enumerate(offsets):
            label = ax.annotate(text, point, xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                                ha="center" if dx == 0 else "left" if dx > 0 else "right",
                                va="center" if dy == 0 else "bottom" if dy > 0 else "top",
                                arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "0.4", "shrinkA": 1, "shrinkB": 4})
            label.update_positions(renderer)
            box = Text.get_window_extent(label, renderer)                              # the text without its line
            if k == len(offsets) - 1 or not any(box.overlaps(t) for t in taken):
                taken.append(box)
                break
            label.remove()


def recipes_figure(curves: pd.DataFrame) -> plt.Figure:
    """Active units, summed information and beta_y against training samples, one line per recipe
    (rows of :func:`~tdvae_am.units.training_curve.active_unit_curve` with a ``recipe`` column)."""
    fig, axes = plt.subplots(3, 1, figsize=(1.4 * CHART[0], 2 * CHART[1]), sharex=True, height_ratios=[3, 2, 1])
    for i, (name, df) in enumerate(curves.groupby("recipe", sort=False)):
        label = f"{name} (final ELBO {df['val_elbo'].iloc[-1]:.0f})"
        axes[0].plot(df["samples"], df["n_active"], color=f"C{i}", label=label)
        axes[1].plot(df["samples"], df["information_total"], color=f"C{i}")
        axes[2].plot(df["samples"], df["beta_y"], color=f"C{i}")
    axes[0].set_ylabel("active z2 units")
    axes[0].legend(fontsize=7)
    axes[1].set_ylabel("information, all z2 units (nats)")
    axes[2].set_ylabel(r"$\beta_y$")
    axes[2].set_xlabel("training samples")
    sns.despine(fig)
    return fig
