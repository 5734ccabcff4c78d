"""AM figures (paper Figs. 11-33, top-down vs chain Figs. C1-C7), one layout per figure kind of the registry.

Every ``*_layout`` function takes one model's loaded results and returns a :class:`Layout`:
its natural size (built from the sizes of :mod:`.style`; the layout engine places the panels
and their labels in it) and how to draw it into a figure or subfigure. :func:`figure` draws one
layout with a title, :func:`side_by_side` one layout per model (TDVAE vs chain VAE). Rows
are the studied units by class (texture-sensitive first), activations are printed on the
image panels. The image panels of a row share one grey scale, symmetric about 0, with its
colour bar at the row's end (:func:`_image_row`). A class may be short or empty (no
smoke-scale fallback): figures draw the units there are, and :func:`class_note` names the
class sizes where they differ.
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
from .style import COLORBAR, LARGE_PANEL, PANEL, ROW_LABEL, TITLE, TITLE_LINE, TRACE, UNIT_TRACE

CLASS_COLORS = {"texture_sensitive": "C1", "non_texture_sensitive": "C0"}
CLASS_SHORT = {"texture_sensitive": "texture", "non_texture_sensitive": "non-texture"}
TRACE_LABELS = {"objective": "objective", "activation": "activation a(x)", "elbo": "ELBO (nats)",
                "max_other": "largest other z2", "std": "mean |std|", "hf_power": "high-freq. power",
                "image_std": "pixel std", "elbo_grad_ratio": "|d ELBO term| / |d a|"}
# the paper's colours of the validation metrics (Fig. 21)
METRIC_COLORS = {"objective": "C0", "activation": "C1", "elbo": "C2", "max_other": "C3"}


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


def _title(title: str, width: float) -> str:
    """``title`` with each line wrapped to about a figure's ``width`` (inches) at 9-10 pt, or to 60
    characters in a narrow figure."""
    return "\n".join(textwrap.fill(line, max(60, int(15 * width)), break_on_hyphens=False)
                     for line in title.split("\n"))


def figure(layout: Layout, title: str) -> plt.Figure:
    """One layout as a figure of its natural size, under ``title`` wrapped to its width."""
    fig = plt.figure(figsize=layout.size)
    layout.draw(fig)
    fig.suptitle(_title(title, layout.size[0]), fontsize=9)
    return fig


def side_by_side(blocks: Sequence[tuple[str, Layout]], title: str) -> plt.Figure:
    """One block per ``(label, layout)`` from left to right (e.g. TDVAE, chain VAE), each at its
    natural size, top-aligned and titled with its label, under a ``title`` of one or more lines."""
    widths = [layout.size[0] for _, layout in blocks]
    height = max(layout.size[1] for _, layout in blocks)
    title = _title(title, sum(widths))
    fig = plt.figure(figsize=(sum(widths), height + TITLE * (1 + title.count("\n"))))
    for sub, (label, layout) in zip(fig.subfigures(1, len(blocks), width_ratios=widths, squeeze=False)[0], blocks):
        if layout.size[1] < height:
            sub = sub.subfigures(2, 1, height_ratios=[layout.size[1], height - layout.size[1]])[0]
        layout.draw(sub)
        sub.suptitle(label, fontsize=9, fontweight="bold")
    fig.suptitle(title, fontsize=10)
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


def pick_units(runs: Sequence[Run], classes: dict, n: int | None = None, rule: str = "first") -> tuple[list, dict]:
    """The units of a unit_traces figure, ``n`` per class (all when None), class by class.

    ``rule="first"``: the first units of each class. ``rule="success"``: the units whose chains
    (every restart of every run) succeed most often by the runs' success rule (summary
    ``success``, units x restarts; paper Sec. 3.8.1), ties broken by the mean final activation;
    where no chain of a class succeeds, that class's units with the highest mean final activation.
    Returns the units and, under ``"success"``, a note per unit for its column title.
    """
    by_class = {c: [u for u, cu in classes.items() if cu == c] for c in dict.fromkeys(classes.values())}
    if rule == "first":
        return [u for us in by_class.values() for u in us[:n]], {}
    units, notes = [], {}
    for us in by_class.values():
        success = {u: _chains(runs, u, "success") for u in us}
        act = {u: np.nan_to_num(np.nanmean(_chains(runs, u, "final_activation")), nan=-np.inf) for u in us}
        chosen = sorted(us, key=lambda u: (-success[u].mean(), -act[u]))[:n]
        failed = not any(success[u].any() for u in us)
        notes |= {u: "no chain succeeds: highest a" if failed else f"success {success[u].sum():.0f}/{success[u].size}"
                  for u in chosen}
        units += chosen
    return units, notes


def _chains(runs: Sequence[Run], unit: int, key: str) -> np.ndarray:
    """A unit's per-restart summary ``key`` over every run, concatenated (zeros where a run lacks it)."""
    values = []
    for run in runs:
        res = run.result
        value = res.summary.get(key)
        value = np.zeros((len(res.units), res.n_restarts)) if value is None else np.asarray(value, dtype=float)
        values.append(value[res.rows([unit])[0]])
    return np.concatenate(values)


def _row_label(ax, unit: int, cls: str) -> None:
    ax.set_ylabel(f"{CLASS_SHORT[cls]}\nunit {unit}", fontsize=7, color=CLASS_COLORS[cls],
                  rotation=0, ha="right", va="center")


def _column_title(ax, unit: int, cls: str) -> None:
    ax.set_title(f"{CLASS_SHORT[cls]}\nunit {unit}", fontsize=7, color=CLASS_COLORS[cls])


def _tag(ax, text: str) -> None:
    """A small boxed label in the panel's top-left corner."""
    ax.text(0.03, 0.97, text, transform=ax.transAxes, fontsize=6, va="top", color="yellow",
            bbox={"facecolor": "black", "alpha": 0.5, "pad": 1, "lw": 0})


def _tags(activations, ratios=None) -> list:
    """The tag of each panel: its activation ``a`` and, with an ELBO term, the run's mean ratio
    ``r`` of the weighted ELBO gradient to the activation gradient (None: no ratio)."""
    ratios = [None] * len(activations) if ratios is None else ratios
    return [f"a={float(a):.2f}" + ("" if r is None else f"\nr={float(r):.2g}") for a, r in zip(activations, ratios)]


def _image_row(axes, images, tags=None, *, cmap: str = "gray", limits=None, colorbar: bool = True) -> None:
    """One row of image panels on one colour scale (default: grey, symmetric about 0 at the row's
    largest |value|), each with its tag (None: none) and the scale's colour bar right of the last."""
    if limits is None:
        lim = max(float(np.abs(np.nan_to_num(image)).max()) for image in images) or 1.0
        limits = (-lim, lim)
    for ax, image, tag in zip(axes, images, tags or [None] * len(axes)):
        shown = ax.imshow(image, cmap=cmap, vmin=limits[0], vmax=limits[1], interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if tag:
            _tag(ax, tag)
    if colorbar:
        bar = axes[-1].inset_axes([1.06, 0.0, 0.07, 1.0])
        bar.figure.colorbar(shown, cax=bar)
        bar.tick_params(labelsize=5, length=2, pad=1)


def _wrapped(text: str, width: int = 14) -> str:
    """``text`` with each line wrapped to about an image panel's width at 7 pt."""
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def _header(lines: int) -> float:
    """Inches above a layout's panels: a title line and ``lines`` lines of 7 pt column titles."""
    return TITLE + TITLE_LINE * lines + 0.1


def _grid_size(n_rows: int, n_cols: int, size: float = PANEL, header: int = 2) -> tuple[float, float]:
    """Width and height (inches) of a grid of image panels of side ``size`` with row labels, colour
    bars and ``header`` lines of column titles."""
    return ROW_LABEL + size * n_cols + COLORBAR, _header(header) + 0.05 + size * n_rows


def _trace_axis(ax, values: np.ndarray, metric: str, ylabel: bool = True) -> None:
    """One metric's trace panel: its label, tick marks and labels, and a symlog scale only where
    the values span more than two decades above 100 (off-distribution ELBOs; within one decade the
    symlog axis would have no tick at all)."""
    size = np.abs(values[np.isfinite(values)])
    if size.size and size.max() > 100 * max(size.min(), 100):
        ax.set_yscale("symlog", linthresh=100)
    if ylabel:
        ax.set_ylabel(TRACE_LABELS.get(metric, metric), fontsize=7)
    ax.tick_params(labelsize=6, length=2, left=True, bottom=True)
    sns.despine(ax=ax)


def _metric_panel(ax, res: AMResult, metric: str, lines: Callable, ylabel: bool = True) -> None:
    """One metric's trace panel of a run: ``lines(ax, trace)`` draws the trace (T, U, R; a non-finite
    value, a float32 overflow of the ELBO, as a gap) and returns the values it drew, which scale the
    axis (:func:`_trace_axis`); a metric the run did not record says so."""
    if metric not in res.traces:
        ax.text(0.5, 0.5, f"{metric}: not recorded", ha="center", transform=ax.transAxes, fontsize=7)
        ax.set_axis_off()
        return
    trace = np.asarray(res.traces[metric])
    _trace_axis(ax, lines(ax, np.where(np.isfinite(trace), trace, np.nan)), metric, ylabel)


def _run_rows(run: Run, units: list) -> tuple:
    """A run's rows of ``units``, its final activations (U, R) and ELBO gradient ratios (U, R) or Nones."""
    res = run.result
    order = res.rows(units)
    final = np.asarray(res.summary["final_activation"])[order]
    ratio = res.summary.get("elbo_grad_ratio")
    return order, final, np.full(final.shape, None) if ratio is None else np.asarray(ratio)[order]


def _cells_layout(cells: list, classes: dict) -> Layout:
    """Rows = units, one column per cell ``(title, images (U, H, W), tags (U,) or None)``; the panels
    of a row share one grey scale."""
    units = list(classes)
    titles = [_wrapped(title) for title, _, _ in cells]
    header = max(t.count("\n") + 1 for t in titles)

    def draw(fig):
        axes = fig.subplots(len(units), len(cells), squeeze=False)
        for ax, title in zip(axes[0], titles):
            ax.set_title(title, fontsize=7)
        for r, unit in enumerate(units):
            _image_row(axes[r], [images[r] for _, images, _ in cells],
                       [None if tags is None else tags[r] for _, _, tags in cells])
            _row_label(axes[r, 0], unit, classes[unit])

    return Layout(_grid_size(len(units), len(cells), header=header), draw)


def images_layout(runs: Sequence[Run], classes: dict, columns: str = "variants") -> Layout:
    """Rows = units; columns = runs (final images of restart 0), each run's snapshots
    (``snapshots``) or each run's restarts (``restarts``)."""
    units, cells = list(classes), []   # (column title, images (U, H, W), tags (U,) or None)
    for run in runs:
        res = run.result
        order, final, ratio = _run_rows(run, units)
        if columns == "snapshots" and res.snapshots is not None:
            # activation after k steps: the trace entry k (recorded before step k), or the final one
            act = np.concatenate([res.traces["activation"][:, order, 0], final[None, :, 0]])
            for k, step in enumerate(res.summary["snapshot_steps"]):
                cells.append((f"{run.label}\n{step} it.", res.snapshots[k][order, 0, 0], _tags(act[step])))
        elif columns == "restarts":
            cells += [(f"{run.label}\nrestart {r + 1}", res.images[order, r, 0], _tags(final[:, r], ratio[:, r]))
                      for r in range(res.n_restarts)]
        else:
            cells.append((run.label, res.images[order, 0, 0], _tags(final[:, 0], ratio[:, 0])))
    return _cells_layout(cells, classes)


def samples_layout(runs: Sequence[Run], classes: dict, count: int | None = None, mean: bool = False) -> Layout:
    """Rows = units; columns: per run, the first ``count`` samples of restart 0 (every sample when
    None), after its representative image (distribution mean, mean decode) with ``mean``."""
    units, cells = list(classes), []
    for run in runs:
        res = run.result
        order, final, ratio = _run_rows(run, units)
        if mean:
            cells.append((f"{run.label}\nmean", res.images[order, 0, 0], _tags(final[:, 0], ratio[:, 0])))
        shown = res.samples.shape[2] if count is None else min(count, res.samples.shape[2])
        cells += [(f"{run.label}\nsample {k + 1}", res.samples[order, 0, k],
                   None if mean or k else _tags(final[:, 0])) for k in range(shown)]
    return _cells_layout(cells, classes)


def traces_layout(runs: Sequence[Run], classes: dict, metrics: Sequence[str], *, images: bool = False) -> Layout:
    """Rows = metrics, columns = runs; one line per unit (mean over restarts, band = min-max),
    coloured by class. ``images`` adds the final images (restart 0) under the traces, one grey
    scale per run's row."""
    units = list(classes)
    width = max(TRACE[0] * len(runs), PANEL * len(units) + ROW_LABEL + 0.2 + COLORBAR if images else 0)
    heights = [TRACE[1] * len(metrics)] + ([(PANEL + 0.2) * len(runs)] if images else [])

    def draw(fig):
        sub = fig.subfigures(len(heights), 1, height_ratios=heights, squeeze=False)[:, 0]
        axes = sub[0].subplots(len(metrics), len(runs), squeeze=False, sharex="col")
        for c, run in enumerate(runs):
            res, rows = run.result, run.result.rows(units)
            axes[0, c].set_title(run.label, fontsize=8)
            def unit_bands(ax, trace, rows=rows):
                steps = np.arange(trace.shape[0])
                for unit, i in zip(units, rows):
                    y = trace[:, i]
                    ax.plot(steps, np.nanmean(y, 1), color=CLASS_COLORS[classes[unit]], lw=0.9, alpha=0.85)
                    ax.fill_between(steps, np.nanmin(y, 1), np.nanmax(y, 1), color=CLASS_COLORS[classes[unit]],
                                    alpha=0.08, lw=0)
                return trace[:, rows]

            for r, metric in enumerate(metrics):
                _metric_panel(axes[r, c], res, metric, unit_bands)
                if r == len(metrics) - 1 and metric in res.traces:
                    axes[r, c].set_xlabel("iteration", fontsize=7)
        handles = [plt.Line2D([], [], color=col, label=CLASS_SHORT[c]) for c, col in CLASS_COLORS.items()
                   if c in classes.values()]
        axes[0, -1].legend(handles=handles, fontsize=6, loc="best")
        if images:
            img_axes = sub[1].subplots(len(runs), len(units), squeeze=False)
            for r, run in enumerate(runs):
                res, rows = run.result, run.result.rows(units)
                _image_row(img_axes[r], res.images[rows, 0, 0],
                           _tags(np.asarray(res.summary["final_activation"])[rows, 0]))
                img_axes[r, 0].set_ylabel(run.label, fontsize=7)
            for ax, unit in zip(img_axes[0], units):
                ax.set_title(f"unit {unit}", fontsize=7, color=CLASS_COLORS[classes[unit]])

    return Layout((width, sum(heights)), draw)


def unit_traces_layout(runs: Sequence[Run], classes: dict, metrics: Sequence[str], *,
                       units_per_class: int | None = None, select: str = "first") -> Layout:
    """The paper's validation plots (Figs. 21, 23, 25): one column per unit and run, the
    per-iteration ``metrics`` of every restart (restart 0 solid, one row each) above the final
    image of restart 0 with its activation (one grey scale for the row).

    Parameters
    ----------
    runs : sequence of Run
    classes : dict of unit -> class, in order
    metrics : sequence of str
        Trace names, e.g. objective, activation, elbo, max_other.
    units_per_class : int, optional
        How many units of each class (all when None).
    select : {"first", "success"}
        Which units of a class: the first, or the most successful (:func:`pick_units`).
    """
    units, notes = pick_units(runs, classes, units_per_class, select)
    cols = [(run, unit) for run in runs for unit in units]
    titles = [f"{run.label}\n{CLASS_SHORT[classes[unit]]} unit {unit}" + (f"\n{notes[unit]}" if unit in notes else "")
              for run, unit in cols]
    header = max(t.count("\n") + 1 for t in titles)
    size = (ROW_LABEL + UNIT_TRACE[0] * len(cols) + COLORBAR, _header(header) + UNIT_TRACE[1] * len(metrics) + 1.7)

    def draw(fig):
        axes = fig.subplots(len(metrics) + 1, len(cols), squeeze=False,
                            height_ratios=[1] * len(metrics) + [1.8])
        images, tags = [], []
        for c, ((run, unit), title) in enumerate(zip(cols, titles)):
            res = run.result
            i = res.rows([unit])[0]
            for r, metric in enumerate(metrics):
                def restarts(ax, trace, i=i, color=METRIC_COLORS.get(metric, "C4")):
                    for k in range(trace.shape[2]):
                        ax.plot(trace[:, i, k], color=color, lw=1.0 if k == 0 else 0.6, alpha=1.0 if k == 0 else 0.45,
                                ls="-" if k == 0 else "--")
                    return trace[:, i]

                _metric_panel(axes[r, c], res, metric, restarts, ylabel=c == 0)
                if r < len(metrics) - 1 and metric in res.traces:
                    axes[r, c].tick_params(labelbottom=False)
            axes[len(metrics) - 1, c].set_xlabel("iteration", fontsize=7, labelpad=1)
            axes[0, c].set_title(title, fontsize=7, color=CLASS_COLORS[classes[unit]])
            ratio = res.summary.get("elbo_grad_ratio")
            images.append(res.images[i, 0, 0])
            tags += _tags(np.asarray(res.summary["final_activation"])[i, :1],
                          None if ratio is None else np.asarray(ratio)[i, :1])
        _image_row(axes[-1], images, tags)

    return Layout(size, draw)


def sta_layout(sta: np.ndarray, gabor: np.ndarray, reference: dict, classes: dict) -> Layout:
    """Columns = units; rows: the STA (with the unit's activation to it) and its best Gabor
    (with the correlation), one grey scale per row."""
    units = list(classes)
    index = [reference["units"].index(u) for u in units]

    def draw(fig):
        axes = fig.subplots(2, len(units), squeeze=False)
        _image_row(axes[0], sta[index], _tags([reference["sta_activation"][i] for i in index]))
        _image_row(axes[1], gabor[index], [f"r={reference['sta_gabor_correlation'][i]:.2f}" for i in index])
        for ax, unit in zip(axes[0], units):
            _column_title(ax, unit, classes[unit])
        axes[0, 0].set_ylabel("STA", fontsize=8)
        axes[1, 0].set_ylabel("best Gabor", fontsize=8)

    return Layout(_grid_size(2, len(units), size=LARGE_PANEL), draw)


def kernels_layout(run: Run, classes: dict) -> Layout:
    """The learned (first-layer) kernel of each unit, restart 0, on one grey scale."""
    units = list(classes)
    kernels = run.result.params["kernel0"]

    def draw(fig):
        axes = fig.subplots(1, len(units), squeeze=False)
        _image_row(axes[0], [kernels[i, 0].reshape(-1, *kernels.shape[-2:])[0] for i in run.result.rows(units)])
        for ax, unit in zip(axes[0], units):
            _column_title(ax, unit, classes[unit])
        axes[0, 0].set_ylabel(run.label, fontsize=8)

    return Layout(_grid_size(1, len(units), size=LARGE_PANEL), draw)


def _spectra(res: AMResult) -> tuple:
    """The learned inputs and transformed images (restart 0) of a transformation run, their log
    amplitude spectra at unit contrast (so that shapes compare) and normalized spectral entropies."""
    inputs = res.params["input"][:, 0].reshape(len(res.units), -1, *res.images.shape[-2:])[:, 0]
    images = [inputs, res.images[:, 0, 0]]
    spectra = [np.log(amplitude_spectrum(x / x.std(axis=(-2, -1), keepdims=True)).numpy() + 1e-3) for x in images]
    return images, spectra, [spectral_entropy(x).numpy() for x in images]


def spectra_layout(runs: Sequence[Run], classes: dict) -> Layout:
    """The paper's 2x2 block per unit (restart 0): the learned input and the transformed input
    (bottom row) under their log amplitude spectra with normalized spectral entropies H (top
    row); one row of blocks per run (e.g. each kernel size of a sweep) and class. The spectra
    share one colour scale (its bar right of the first row), the images of a row one grey scale."""
    by_class = {c: [u for u, cu in classes.items() if cu == c] for c in dict.fromkeys(classes.values())}
    drawn = [(run, _spectra(run.result)) for run in runs]
    blocks = [(run, data, cls, us) for run, data in drawn for cls, us in by_class.items()]
    limits = np.percentile(np.concatenate([s.ravel() for _, (_, spectra, _) in drawn for s in spectra]), [1, 99.5])
    n_blocks = max(len(us) for us in by_class.values())
    size = (ROW_LABEL + PANEL * 2 * n_blocks + COLORBAR, _header(1) + 0.05 + (PANEL + 0.25) * 2 * len(blocks))

    def draw(fig):
        axes = fig.subplots(2 * len(blocks), 2 * n_blocks, squeeze=False)
        for ax in axes.flat:
            ax.set_axis_off()
        for b, (run, (images, spectra, entropy), cls, us) in enumerate(blocks):
            panels = [(i, j) for i in run.result.rows(us) for j in (0, 1)]            # (unit row, input / transformed)
            top, bottom = axes[2 * b, :len(panels)], axes[2 * b + 1, :len(panels)]
            for ax in (*top, *bottom):
                ax.set_axis_on()
            final = np.asarray(run.result.summary["final_activation"])[:, 0]
            _image_row(top, [spectra[j][i] for i, j in panels], [f"H={entropy[j][i]:.3f}" for i, j in panels],
                       cmap="magma", limits=limits, colorbar=b == 0)
            _image_row(bottom, [images[j][i] for i, j in panels],
                       [f"a={final[i]:.2f}" if j else None for i, j in panels])
            for k, unit in enumerate(us):
                top[2 * k].set_title(f"unit {unit}: input", fontsize=7, color=CLASS_COLORS[cls])
                top[2 * k + 1].set_title("transformed", fontsize=7, color=CLASS_COLORS[cls])
            run_label = f"{run.label}\n" if len(runs) > 1 else ""
            top[0].set_ylabel(f"{run_label}{CLASS_SHORT[cls]}\nspectrum", fontsize=7, color=CLASS_COLORS[cls])
            bottom[0].set_ylabel(f"{run_label}{CLASS_SHORT[cls]}\nimage", fontsize=7, color=CLASS_COLORS[cls])

    return Layout(size, draw)
