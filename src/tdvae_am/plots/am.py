"""AM figures (paper Figs. 11-33), one layout per figure kind of the experiment registry.

Every function takes loaded results and returns a figure; rows are the studied units by
class (texture-sensitive first), activations are printed on the image panels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from ..am import AMResult
from ..analysis.spectra import amplitude_spectrum, spectral_entropy
from .style import show_image

CLASS_COLORS = {"texture_sensitive": "C1", "non_texture_sensitive": "C0"}
CLASS_SHORT = {"texture_sensitive": "texture", "non_texture_sensitive": "non-texture"}
TRACE_LABELS = {"objective": "objective", "activation": "activation a(x)", "elbo": "ELBO (nats)",
                "max_other": "largest other z2", "std": "mean |std|", "hf_power": "high-freq. power",
                "image_std": "pixel std"}


@dataclass
class Run:
    """One experiment variant's result with its column label."""

    label: str
    result: AMResult


def _row_label(ax, unit: int, cls: str) -> None:
    ax.set_ylabel(f"{CLASS_SHORT[cls]}\nunit {unit}", fontsize=7, color=CLASS_COLORS[cls],
                  rotation=0, ha="right", va="center")


def _column_title(ax, unit: int, cls: str) -> None:
    ax.set_title(f"{CLASS_SHORT[cls]}\nunit {unit}", fontsize=7, color=CLASS_COLORS[cls])


def _tag(ax, text: str) -> None:
    """A small boxed label in the panel's top-left corner."""
    ax.text(0.03, 0.97, text, transform=ax.transAxes, fontsize=6, va="top", color="yellow",
            bbox={"facecolor": "black", "alpha": 0.5, "pad": 1, "lw": 0})


def _panel(ax, image, activation: float | None) -> None:
    show_image(ax, image)
    if activation is not None:
        _tag(ax, f"a={activation:.2f}")


def _grid(n_rows: int, n_cols: int, size: float = 0.95):
    """Image panels with room for two-line column titles and a suptitle above them."""
    height = 0.75 + size * n_rows
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(0.6 + size * n_cols, height), squeeze=False,
                             gridspec_kw={"wspace": 0.05, "hspace": 0.08, "top": 1 - 0.7 / height,
                                          "bottom": 0.05 / height})
    return fig, axes


def images_figure(runs: Sequence[Run], classes: dict, title: str, *, columns: str = "variants",
                  samples: bool = False) -> plt.Figure:
    """Rows = units; columns = runs (final images of restart 0), or each run's snapshots,
    or each run's samples.

    Parameters
    ----------
    runs : sequence of Run
    classes : dict of unit -> class, in row order
    columns : {"variants", "snapshots"}
    samples : bool
        Show every sample of restart 0 (e.g. diversity or sampled syntheses).
    """
    units = list(classes)
    cells = []   # (column title, images (U, H, W), activations (U,) or None)
    for run in runs:
        res = run.result
        order = res.rows(units)
        if columns == "snapshots" and res.snapshots is not None:
            # activation after k steps: the trace entry k (recorded before step k), or the final one
            final = np.asarray(res.summary["final_activation"])[None, :, 0]
            act = np.concatenate([res.traces["activation"][:, :, 0], final])
            for k, step in enumerate(res.summary["snapshot_steps"]):
                cells.append((f"{run.label}\n{step} it.", res.snapshots[k][order, 0, 0], act[step, order]))
        elif samples:
            for k in range(res.samples.shape[2]):
                a = np.asarray(res.summary["final_activation"])[order, 0] if k == 0 else None
                cells.append((f"{run.label}\nsample {k + 1}", res.samples[order, 0, k], a))
        else:
            cells.append((run.label, res.images[order, 0, 0], np.asarray(res.summary["final_activation"])[order, 0]))
    fig, axes = _grid(len(units), len(cells))
    for c, (col_title, images, acts) in enumerate(cells):
        axes[0, c].set_title(col_title, fontsize=7)
        for r, unit in enumerate(units):
            _panel(axes[r, c], images[r], None if acts is None else float(acts[r]))
    for r, unit in enumerate(units):
        _row_label(axes[r, 0], unit, classes[unit])
    fig.suptitle(title, fontsize=9, y=1.0)
    return fig


def traces_figure(runs: Sequence[Run], classes: dict, metrics: Sequence[str], title: str, *,
                  images: bool = False) -> plt.Figure:
    """Rows = metrics, columns = runs; one line per unit (mean over restarts, band = min-max),
    coloured by class. ``images`` adds the final images (restart 0) under the traces."""
    units = list(classes)
    width = max(3.2 * len(runs), 0.95 * len(units) + 0.8 if images else 0)
    heights = [2.1 * len(metrics)] + ([1.15 * len(runs)] if images else [])
    fig = plt.figure(figsize=(width, sum(heights)))
    sub = fig.subfigures(len(heights), 1, height_ratios=heights, squeeze=False)[:, 0]
    axes = sub[0].subplots(len(metrics), len(runs), squeeze=False, sharex="col")
    for c, run in enumerate(runs):
        res, rows = run.result, run.result.rows(units)
        for r, metric in enumerate(metrics):
            ax = axes[r, c]
            if metric not in res.traces:
                ax.text(0.5, 0.5, f"{metric}: not recorded", ha="center", transform=ax.transAxes, fontsize=7)
                continue
            trace = np.asarray(res.traces[metric])                         # (T, U, R)
            steps = np.arange(trace.shape[0])
            trace = np.where(np.isfinite(trace), trace, np.nan)            # float32 overflow of the ELBO
            for unit, i in zip(units, rows):
                y = trace[:, i]
                ax.plot(steps, np.nanmean(y, 1), color=CLASS_COLORS[classes[unit]], lw=0.9, alpha=0.85)
                ax.fill_between(steps, np.nanmin(y, 1), np.nanmax(y, 1), color=CLASS_COLORS[classes[unit]],
                                alpha=0.08, lw=0)
            if metric == "elbo":    # off-distribution ELBOs span many orders of magnitude
                ax.set_yscale("symlog", linthresh=100)
            ax.set_ylabel(TRACE_LABELS.get(metric, metric), fontsize=7)
            if r == 0:
                ax.set_title(run.label, fontsize=8)
            if r == len(metrics) - 1:
                ax.set_xlabel("iteration", fontsize=7)
            ax.tick_params(labelsize=6)
    handles = [plt.Line2D([], [], color=col, label=CLASS_SHORT[c]) for c, col in CLASS_COLORS.items()
               if c in classes.values()]
    axes[0, -1].legend(handles=handles, fontsize=6, loc="best")
    sns.despine(fig)
    if images:
        img_axes = sub[1].subplots(len(runs), len(units), squeeze=False,
                                   gridspec_kw={"wspace": 0.05, "hspace": 0.25})
        for r, run in enumerate(runs):
            res = run.result
            final = np.asarray(res.summary["final_activation"])
            for c, (unit, i) in enumerate(zip(units, res.rows(units))):
                _panel(img_axes[r, c], res.images[i, 0, 0], float(final[i, 0]))
                if r == 0:
                    img_axes[r, c].set_title(f"unit {unit}", fontsize=7, color=CLASS_COLORS[classes[unit]])
            img_axes[r, 0].set_ylabel(run.label, fontsize=7)
    fig.suptitle(title, fontsize=9)
    return fig


def sta_figure(sta: np.ndarray, gabor: np.ndarray, reference: dict, classes: dict, title: str) -> plt.Figure:
    """Columns = units; rows: the STA (with the unit's activation to it) and its best Gabor
    (with the correlation)."""
    units = list(classes)
    index = {u: i for i, u in enumerate(reference["units"])}
    fig, axes = _grid(2, len(units), size=1.1)
    for c, unit in enumerate(units):
        i = index[unit]
        _panel(axes[0, c], sta[i], reference["sta_activation"][i])
        show_image(axes[1, c], gabor[i])
        _tag(axes[1, c], f"r={reference['sta_gabor_correlation'][i]:.2f}")
        _column_title(axes[0, c], unit, classes[unit])
    axes[0, 0].set_ylabel("STA", fontsize=8)
    axes[1, 0].set_ylabel("best Gabor", fontsize=8)
    fig.suptitle(title, fontsize=9, y=1.0)
    return fig


def kernels_figure(run: Run, classes: dict, title: str) -> plt.Figure:
    """The learned (first-layer) kernel of each unit, restart 0."""
    units = list(classes)
    kernels = run.result.params["kernel0"]
    fig, axes = _grid(1, len(units), size=1.1)
    for c, (unit, i) in enumerate(zip(units, run.result.rows(units))):
        show_image(axes[0, c], kernels[i, 0].reshape(-1, *kernels.shape[-2:])[0])
        _column_title(axes[0, c], unit, classes[unit])
    axes[0, 0].set_ylabel(run.label, fontsize=8)
    fig.suptitle(title, fontsize=9, y=1.0)
    return fig


def spectra_figure(run: Run, classes: dict, title: str) -> plt.Figure:
    """Amplitude spectra (log) of the learned input and of the transformed input, with their
    normalized spectral entropies, per unit (restart 0)."""
    units = list(classes)
    rows = run.result.rows(units)
    inputs = run.result.params["input"][:, 0].reshape(len(run.result.units), -1, *run.result.images.shape[-2:])[:, 0]
    outputs = run.result.images[:, 0, 0]
    fig, axes = _grid(2, len(units), size=1.1)
    pairs = [("learned input", inputs), ("transformed", outputs)]
    spectra = [np.log(amplitude_spectrum(images / images.std(axis=(-2, -1), keepdims=True)).numpy() + 1e-3)
               for _, images in pairs]                                   # unit contrast: shapes compare
    vmin, vmax = np.percentile(np.concatenate([x.ravel() for x in spectra]), [1, 99.5])
    for r, (name, images) in enumerate(pairs):
        entropy = spectral_entropy(images).numpy()
        for c, (unit, i) in enumerate(zip(units, rows)):
            ax = axes[r, c]
            ax.imshow(spectra[r][i], cmap="magma", interpolation="nearest", vmin=vmin, vmax=vmax)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.text(0.03, 0.97, f"H={entropy[i]:.3f}", transform=ax.transAxes, fontsize=6, va="top",
                    color="white")
            if r == 0:
                _column_title(ax, unit, classes[unit])
        axes[r, 0].set_ylabel(name, fontsize=8)
    fig.suptitle(title, fontsize=9, y=1.0)
    return fig
