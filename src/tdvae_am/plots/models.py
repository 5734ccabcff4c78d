"""Model figures: training curves, unit activity, decoding accuracy, texture sensitivity."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

MODEL_LABELS = {"tdvae": "TDVAE", "chain": "chain VAE", "sparse": "sparse VAE"}


def training_figure(metrics: dict[str, pd.DataFrame]) -> plt.Figure:
    """Training and validation ELBO per step for each model, with the beta_y schedule."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False)
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
    fig.tight_layout()
    return fig


def activity_figure(units: dict) -> plt.Figure:
    """Mean posterior std vs std of posterior means of every unit (natural patches), trained
    vs untrained, active units highlighted and the selected units labelled."""
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.6), sharex=True, sharey=True)
    active = set(units["active"])
    chosen = {u: "T" for u in units["texture_sensitive"]} | {u: "N" for u in units["non_texture_sensitive"]}
    for ax, which in zip(axes, ["trained", "untrained"]):
        st = units["units"][which]
        sd_mean = np.sqrt(np.asarray(st["var_mean_natural"]))
        mean_std = np.asarray(st["mean_std_natural"])
        is_active = np.array([i in active for i in range(len(sd_mean))]) if which == "trained" else \
            np.asarray(st["mean_kl_natural"]) > units["kl_threshold"]
        ax.scatter(sd_mean[~is_active], mean_std[~is_active], s=8, color="0.6", label="collapsed")
        ax.scatter(sd_mean[is_active], mean_std[is_active], s=10, color="C3", label="active")
        if which == "trained":
            for u, tag in chosen.items():
                ax.annotate(f"{u}{tag}", (sd_mean[u], mean_std[u]), fontsize=6,
                            xytext=(2, 2), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_title(f"{which} model: {int(is_active.sum())} active units")
        ax.set_xlabel("std of posterior means")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("mean posterior std")
    sns.despine(fig)
    fig.tight_layout()
    return fig


def decoding_figure(decoding: dict[str, dict]) -> plt.Figure:
    """Cross-validated texture-family decoding accuracy per model and feature set, with
    image-level bootstrap intervals and the chance level."""
    rows = []
    for model, entries in decoding.items():
        for feature, d in entries.items():
            lo, hi = d["ci_bootstrap"]
            rows.append({"model": MODEL_LABELS.get(model, model), "features": feature,
                         "accuracy": d["accuracy"], "lo": lo, "hi": hi, "chance": d["chance"]})
    df = pd.DataFrame(rows)
    features = list(dict.fromkeys(df["features"]))
    models = list(dict.fromkeys(df["model"]))
    fig, ax = plt.subplots(figsize=(1.0 + 0.9 * len(features) * len(models), 3.4))
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
    ax.set_ylabel("texture-family decoding accuracy")
    ax.legend(fontsize=7)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def sensitivity_figure(units: dict) -> plt.Figure:
    """Per-unit modulation index (texture vs phase-scrambled) against family selectivity,
    trained and untrained units, with the chosen units marked."""
    tr, un = units["units"]["trained"], units["units"]["untrained"]
    active = np.asarray(units["active"], dtype=int)
    fig, ax = plt.subplots(figsize=(5.0, 4.0))
    ax.scatter(un["modulation"], un["selectivity"], s=8, color="0.75", label="untrained units")
    ax.scatter(np.asarray(tr["modulation"])[active], np.asarray(tr["selectivity"])[active], s=12,
               color="C0", label="active trained units")
    for key, color, label in [("texture_sensitive", "C3", "texture-sensitive"),
                              ("non_texture_sensitive", "C2", "non-texture-sensitive")]:
        idx = np.asarray(units[key], dtype=int)
        ax.scatter(np.asarray(tr["modulation"])[idx], np.asarray(tr["selectivity"])[idx], s=40,
                   facecolor="none", edgecolor=color, lw=1.5, label=label)
        for u in idx:
            ax.annotate(str(u), (tr["modulation"][u], tr["selectivity"][u]), fontsize=6,
                        xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("modulation index (texture vs phase-scrambled)")
    ax.set_ylabel(r"family selectivity $\eta^2$")
    ax.legend(fontsize=7)
    sns.despine(fig)
    fig.tight_layout()
    return fig
