"""AM figures (paper Figs. 11-33, top-down vs chain Figs. C1-C7), one layout per figure kind of the registry.

Every ``*_layout`` function takes one model's loaded results and returns a :class:`Layout`:
its natural size and how to draw it into a figure or subfigure. :func:`figure` draws one
layout with a title, :func:`side_by_side` one layout per model (TDVAE vs chain VAE). Rows
are the studied units by class (texture-sensitive first), activations are printed on the
image panels. A class may be short or empty (no smoke-scale fallback): figures draw the units
there are, and :func:`class_note` names the class sizes where they differ.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import FigureBase

from ..am import AMResult
from ..analysis.spectra import amplitude_spectrum, spectral_entropy
from .style import show_image

CLASS_COLORS = {"texture_sensitive": "C1", "non_texture_sensitive": "C0"}
CLASS_SHORT = {"texture_sensitive": "texture", "non_texture_sensitive": "non-texture"}
TRACE_LABELS = {"objective": "objective", "activation": "activation a(x)", "elbo": "ELBO (nats)",
                "max_other": "largest other z2", "std": "mean |std|", "hf_power": "high-freq. power",
                "image_std": "pixel std", "elbo_grad_ratio": "|d ELBO term| / |d a|"}
# the paper's colours of the validation metrics (Fig. 21)
METRIC_COLORS = {"objective": "C0", "activation": "C1", "elbo": "C2", "max_other": "C3"}
TITLE_HEIGHT = 0.35      # inches above the blocks of a side-by-side figure, per line of its title


@dataclass
class Run:
    """One experiment variant's result with its column label."""

    label: str
    result: AMResult


@dataclass
class Layout:
    """A figure body: its natural ``size`` (width, height in inches) and ``draw``, which draws it
    into a figure or subfigure of that size."""

    size: tuple[float, float]
    draw: Callable[[FigureBase], None]


def figure(layout: Layout, title: str) -> plt.Figure:
    """One layout as a figure of its natural size."""
    fig = plt.figure(figsize=layout.size)
    layout.draw(fig)
    fig.suptitle(title, fontsize=9, y=1.0)
    return fig


def side_by_side(blocks: Sequence[tuple[str, Layout]], title: str) -> plt.Figure:
    """One block per ``(label, layout)`` from left to right (e.g. TDVAE, chain VAE), each at its
    natural size, top-aligned and titled with its label, under a ``title`` of one or more lines."""
    widths = [layout.size[0] for _, layout in blocks]
    height = max(layout.size[1] for _, layout in blocks)
    band = TITLE_HEIGHT * (1 + title.count("\n"))
    fig = plt.figure(figsize=(sum(widths), height + band))
    body = fig.subfigures(2, 1, height_ratios=[band, height])[1]
    for sub, (label, layout) in zip(body.subfigures(1, len(blocks), width_ratios=widths, squeeze=False)[0], blocks):
        if layout.size[1] < height:
            sub = sub.subfigures(2, 1, height_ratios=[layout.size[1], height - layout.size[1]])[0]
        layout.draw(sub)
        sub.suptitle(label, fontsize=9, fontweight="bold", y=1.0)
    fig.suptitle(title, fontsize=10, y=1.0)
    return fig


def class_note(classes: dict) -> str:
    """``"n texture, m non-texture units"`` where the classes of ``classes`` (unit -> class) differ
    in size, for a title; ``""`` where they are equal."""
    counts = {cls: sum(c == cls for c in classes.values()) for cls in CLASS_COLORS}
    if len(set(counts.values())) == 1:
        return ""
    return ", ".join(f"{n} {CLASS_SHORT[cls]}" for cls, n in counts.items()) + " units"


def note_layout(text: str) -> Layout:
    """A figure body of one line of ``text``, where there are no units to draw."""
    def draw(fig):
        ax = fig.subplots()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=8, transform=ax.transAxes)

    return Layout((4.0, 1.2), draw)


def _row_label(ax, unit: int, cls: str) -> None:
    ax.set_ylabel(f"{CLASS_SHORT[cls]}\nunit {unit}", fontsize=7, color=CLASS_COLORS[cls],
                  rotation=0, ha="right", va="center")


def _column_title(ax, unit: int, cls: str) -> None:
    ax.set_title(f"{CLASS_SHORT[cls]}\nunit {unit}", fontsize=7, color=CLASS_COLORS[cls])


def _tag(ax, text: str) -> None:
    """A small boxed label in the panel's top-left corner."""
    ax.text(0.03, 0.97, text, transform=ax.transAxes, fontsize=6, va="top", color="yellow",
            bbox={"facecolor": "black", "alpha": 0.5, "pad": 1, "lw": 0})


def _panel(ax, image, activation: float | None, ratio: float | None = None) -> None:
    """An image with its activation ``a`` and, with an ELBO term, the run's mean ratio ``r`` of the
    weighted ELBO gradient to the activation gradient."""
    show_image(ax, image)
    if activation is not None:
        _tag(ax, f"a={activation:.2f}" + ("" if ratio is None else f"\nr={ratio:.2g}"))


def _wrapped(text: str, width: int = 14) -> str:
    """``text`` with each line wrapped to about an image panel's width at 7 pt."""
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def _grid_size(n_rows: int, n_cols: int, size: float = 0.95) -> tuple[float, float]:
    """Width and height (inches) of a grid of image panels of side ``size``."""
    return 0.6 + size * n_cols, 0.75 + size * n_rows


def _grid(fig: FigureBase, n_rows: int, n_cols: int, size: float = 0.95) -> np.ndarray:
    """Image panels with room for two-line column titles and a suptitle above them."""
    height = _grid_size(n_rows, n_cols, size)[1]
    return fig.subplots(n_rows, n_cols, squeeze=False, gridspec_kw={"wspace": 0.05, "hspace": 0.08,
                                                                    "top": 1 - 0.7 / height, "bottom": 0.05 / height})


def images_layout(runs: Sequence[Run], classes: dict, *, columns: str = "variants",
                  samples: bool | int = False, mean: bool = False) -> Layout:
    """Rows = units; columns = runs (final images of restart 0), each run's snapshots or
    restarts, or each run's samples.

    Parameters
    ----------
    runs : sequence of Run
    classes : dict of unit -> class, in row order
    columns : {"variants", "snapshots", "restarts"}
    samples : bool or int
        Show every sample (True) or the first ``samples`` samples of restart 0 (e.g. diversity
        or sampled syntheses).
    mean : bool
        With ``samples``: the representative image (distribution mean, mean decode) first.
    """
    units = list(classes)
    cells = []   # (column title, images (U, H, W), activations (U,) or None, ELBO gradient ratios (U,) or None)
    for run in runs:
        res = run.result
        order = res.rows(units)
        final = np.asarray(res.summary["final_activation"])[order]              # (U, R)
        ratio = res.summary.get("elbo_grad_ratio")
        ratio = np.full(final.shape, None) if ratio is None else np.asarray(ratio)[order]
        if columns == "snapshots" and res.snapshots is not None:
            # activation after k steps: the trace entry k (recorded before step k), or the final one
            act = np.concatenate([res.traces["activation"][:, order, 0], final[None, :, 0]])
            for k, step in enumerate(res.summary["snapshot_steps"]):
                cells.append((f"{run.label}\n{step} it.", res.snapshots[k][order, 0, 0], act[step], None))
        elif columns == "restarts":
            cells += [(f"{run.label}\nrestart {r + 1}", res.images[order, r, 0], final[:, r], ratio[:, r])
                      for r in range(res.n_restarts)]
        elif samples:
            if mean:
                cells.append((f"{run.label}\nmean", res.images[order, 0, 0], final[:, 0], ratio[:, 0]))
            shown = res.samples.shape[2] if samples is True else min(samples, res.samples.shape[2])
            cells += [(f"{run.label}\nsample {k + 1}", res.samples[order, 0, k], None if mean or k else final[:, 0],
                       None) for k in range(shown)]
        else:
            cells.append((run.label, res.images[order, 0, 0], final[:, 0], ratio[:, 0]))

    def draw(fig):
        axes = _grid(fig, len(units), len(cells))
        for c, (col_title, images, acts, ratios) in enumerate(cells):
            axes[0, c].set_title(_wrapped(col_title), fontsize=7)
            for r, unit in enumerate(units):
                _panel(axes[r, c], images[r], None if acts is None else float(acts[r]),
                       None if ratios is None or ratios[r] is None else float(ratios[r]))
        for r, unit in enumerate(units):
            _row_label(axes[r, 0], unit, classes[unit])

    return Layout(_grid_size(len(units), len(cells)), draw)


def traces_layout(runs: Sequence[Run], classes: dict, metrics: Sequence[str], *, images: bool = False) -> Layout:
    """Rows = metrics, columns = runs; one line per unit (mean over restarts, band = min-max),
    coloured by class. ``images`` adds the final images (restart 0) under the traces."""
    units = list(classes)
    width = max(3.2 * len(runs), 0.95 * len(units) + 0.8 if images else 0)
    heights = [2.1 * len(metrics)] + ([1.15 * len(runs)] if images else [])

    def draw(fig):
        sub = fig.subfigures(len(heights), 1, height_ratios=heights, squeeze=False)[:, 0]
        axes = sub[0].subplots(len(metrics), len(runs), squeeze=False, sharex="col")
        for c, run in enumerate(runs):
            res, rows = run.result, run.result.rows(units)
            axes[0, c].set_title(run.label, fontsize=8)
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
                if r == len(metrics) - 1:
                    ax.set_xlabel("iteration", fontsize=7)
                ax.tick_params(labelsize=6)
        handles = [plt.Line2D([], [], color=col, label=CLASS_SHORT[c]) for c, col in CLASS_COLORS.items()
                   if c in classes.values()]
        axes[0, -1].legend(handles=handles, fontsize=6, loc="best")
        sns.despine(sub[0])
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

    return Layout((width, sum(heights)), draw)


def unit_traces_layout(runs: Sequence[Run], classes: dict, metrics: Sequence[str], *,
                       units_per_class: int | None = None) -> Layout:
    """The paper's validation plots (Figs. 21, 23, 25): one column per unit and run, the
    per-iteration ``metrics`` of every restart (restart 0 solid, one row each) above the final
    image of restart 0 with its activation.

    Parameters
    ----------
    runs : sequence of Run
    classes : dict of unit -> class, in order
    metrics : sequence of str
        Trace names, e.g. objective, activation, elbo, max_other.
    units_per_class : int, optional
        Only the first units of each class (all when None).
    """
    units = [u for cls in dict.fromkeys(classes.values())
             for u in [v for v, c in classes.items() if c == cls][:units_per_class]]
    cols = [(run, unit) for run in runs for unit in units]

    def draw(fig):
        axes = fig.subplots(len(metrics) + 1, len(cols), squeeze=False,
                            gridspec_kw={"height_ratios": [1] * len(metrics) + [1.8], "hspace": 0.45})
        for c, (run, unit) in enumerate(cols):
            res = run.result
            i = res.rows([unit])[0]
            for r, metric in enumerate(metrics):
                ax = axes[r, c]
                if metric not in res.traces:
                    ax.text(0.5, 0.5, f"{metric}: not recorded", ha="center", transform=ax.transAxes, fontsize=7)
                    ax.set_axis_off()
                    continue
                trace = np.asarray(res.traces[metric])[:, i]                          # (T, R)
                trace = np.where(np.isfinite(trace), trace, np.nan)                    # float32 overflow of the ELBO
                color = METRIC_COLORS.get(metric, "C4")
                for k in range(trace.shape[1]):
                    ax.plot(trace[:, k], color=color, lw=1.0 if k == 0 else 0.6, alpha=1.0 if k == 0 else 0.45,
                            ls="-" if k == 0 else "--")
                if metric == "elbo":    # off-distribution ELBOs span many orders of magnitude
                    ax.set_yscale("symlog", linthresh=100)
                if c == 0:
                    ax.set_ylabel(TRACE_LABELS.get(metric, metric), fontsize=7)
                ax.tick_params(labelsize=6)
                if r < len(metrics) - 1:
                    ax.tick_params(labelbottom=False)
            axes[len(metrics) - 1, c].set_xlabel("iteration", fontsize=7, labelpad=1)
            axes[0, c].set_title(f"{run.label}\n{CLASS_SHORT[classes[unit]]} unit {unit}", fontsize=7,
                                 color=CLASS_COLORS[classes[unit]])
            ratio = res.summary.get("elbo_grad_ratio")
            _panel(axes[-1, c], res.images[i, 0, 0], float(np.asarray(res.summary["final_activation"])[i, 0]),
                   None if ratio is None else float(np.asarray(ratio)[i, 0]))
        sns.despine(fig)

    return Layout((2.3 * len(cols), 1.25 * len(metrics) + 2.3), draw)


def sta_layout(sta: np.ndarray, gabor: np.ndarray, reference: dict, classes: dict) -> Layout:
    """Columns = units; rows: the STA (with the unit's activation to it) and its best Gabor
    (with the correlation)."""
    units = list(classes)
    index = {u: i for i, u in enumerate(reference["units"])}

    def draw(fig):
        axes = _grid(fig, 2, len(units), size=1.1)
        for c, unit in enumerate(units):
            i = index[unit]
            _panel(axes[0, c], sta[i], reference["sta_activation"][i])
            show_image(axes[1, c], gabor[i])
            _tag(axes[1, c], f"r={reference['sta_gabor_correlation'][i]:.2f}")
            _column_title(axes[0, c], unit, classes[unit])
        axes[0, 0].set_ylabel("STA", fontsize=8)
        axes[1, 0].set_ylabel("best Gabor", fontsize=8)

    return Layout(_grid_size(2, len(units), size=1.1), draw)


def kernels_layout(run: Run, classes: dict) -> Layout:
    """The learned (first-layer) kernel of each unit, restart 0."""
    units = list(classes)
    kernels = run.result.params["kernel0"]

    def draw(fig):
        axes = _grid(fig, 1, len(units), size=1.1)
        for c, (unit, i) in enumerate(zip(units, run.result.rows(units))):
            show_image(axes[0, c], kernels[i, 0].reshape(-1, *kernels.shape[-2:])[0])
            _column_title(axes[0, c], unit, classes[unit])
        axes[0, 0].set_ylabel(run.label, fontsize=8)

    return Layout(_grid_size(1, len(units), size=1.1), draw)


def spectra_layout(run: Run, classes: dict) -> Layout:
    """The paper's 2x2 block per unit (restart 0): the learned input and the transformed input
    (bottom row) under their log amplitude spectra with normalized spectral entropies H (top
    row); one row of blocks per class."""
    res = run.result
    inputs = res.params["input"][:, 0].reshape(len(res.units), -1, *res.images.shape[-2:])[:, 0]
    pairs = [("input", inputs), ("transformed", res.images[:, 0, 0])]
    spectra = [np.log(amplitude_spectrum(images / images.std(axis=(-2, -1), keepdims=True)).numpy() + 1e-3)
               for _, images in pairs]                                   # unit contrast: shapes compare
    entropy = [spectral_entropy(images).numpy() for _, images in pairs]
    vmin, vmax = np.percentile(np.concatenate([x.ravel() for x in spectra]), [1, 99.5])
    final = np.asarray(res.summary["final_activation"])[:, 0]
    by_class = {c: [u for u, cu in classes.items() if cu == c] for c in dict.fromkeys(classes.values())}
    n_blocks = max(len(us) for us in by_class.values())

    def draw(fig):
        axes = fig.subplots(2 * len(by_class), 2 * n_blocks, squeeze=False,
                            gridspec_kw={"wspace": 0.06, "hspace": 0.3})
        for ax in axes.flat:
            ax.set_axis_off()
        for b, (cls, class_units) in enumerate(by_class.items()):
            for k, (unit, i) in enumerate(zip(class_units, res.rows(class_units))):
                for j, (name, images) in enumerate(pairs):
                    top, bottom = axes[2 * b, 2 * k + j], axes[2 * b + 1, 2 * k + j]
                    top.set_axis_on()
                    top.imshow(spectra[j][i], cmap="magma", interpolation="nearest", vmin=vmin, vmax=vmax)
                    top.set_xticks([])
                    top.set_yticks([])
                    top.text(0.03, 0.97, f"H={entropy[j][i]:.3f}", transform=top.transAxes, fontsize=6, va="top",
                             color="white")
                    top.set_title(f"unit {unit}: {name}" if j == 0 else name, fontsize=7, color=CLASS_COLORS[cls])
                    bottom.set_axis_on()
                    _panel(bottom, images[i], float(final[i]) if j == 1 else None)
            axes[2 * b, 0].set_ylabel(f"{CLASS_SHORT[cls]}\nspectrum", fontsize=7, color=CLASS_COLORS[cls])
            axes[2 * b + 1, 0].set_ylabel(f"{CLASS_SHORT[cls]}\nimage", fontsize=7, color=CLASS_COLORS[cls])

    return Layout((0.6 + 0.95 * 2 * n_blocks, 0.6 + 1.2 * 2 * len(by_class)), draw)
