"""The one style of every figure (theme, resolution, layout engine and the sizes that figure sizes
are built from) and their saving (PNG + PDF, named figNN_<slug>)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

sns.set_theme(context="paper", style="white", font_scale=1.0)
# 100 dpi (over two screen pixels per image pixel in the AM figures) and palette PNGs
# (:func:`palette_image`) keep every PNG of the default run, committed to git, under 10 MB
# together with every candidate unit (docs/dvc.md); the PDFs beside them are vector graphics
# Matplotlib's constrained layout places every figure's panels, titles, labels and colour bars
plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "image.cmap": "gray",
                     "figure.constrained_layout.use": True, "figure.constrained_layout.wspace": 0.02,
                     "figure.constrained_layout.hspace": 0.02})

# The sizes (inches) every figure's size is built from; the layout engine fits the decorations in.
PANEL = 0.95              # an image panel (a 40-pixel patch at over two screen pixels per pixel)
LARGE_PANEL = 1.1         # an image panel of a single row or two (STAs, kernels)
CHART = (4.2, 3.2)        # a chart (line, scatter or bar plot) with its axis labels
TRACE = (3.2, 2.1)        # a trace panel of an AM figure (one metric of one run)
UNIT_TRACE = (2.3, 1.25)  # a trace panel of a validation plot (one metric of one unit)
BAR = 0.9                 # a group of bars of a bar chart
ROW = 0.24                # a row of a forest plot or a horizontal bar chart
TITLE = 0.35              # a line of a figure title
TITLE_LINE = 0.13         # a line of a 7 pt panel title
ROW_LABEL = 0.6           # the row labels left of an image grid
COLORBAR = 0.45           # a row's colour bar right of an image grid
GREY_LEVELS = 64          # of a palette PNG; the other palette entries go to the colours


def palette_image(image: Image.Image) -> Image.Image:
    """``image`` on one palette of :data:`GREY_LEVELS` evenly spaced greys, to which its grey pixels
    (the image panels) snap, and the median-cut colours of its other pixels (labels, lines, colour
    maps), each pixel at its nearest palette entry (no dithering)."""
    rgb = np.array(image.convert("RGB"))
    grey = (rgb[..., 0] == rgb[..., 1]) & (rgb[..., 1] == rgb[..., 2])
    levels = np.linspace(0, 255, GREY_LEVELS).round().astype(np.uint8)
    index = np.rint(rgb[..., 0] / 255 * (GREY_LEVELS - 1)).astype(np.uint8)
    palette = np.repeat(levels[:, None], 3, axis=1)
    if not grey.all():
        colours = Image.fromarray(rgb[~grey].reshape(1, -1, 3)).quantize(256 - GREY_LEVELS)
        colours = np.array(colours.convert("RGB")).reshape(-1, 3)
        colours = np.unique(colours, axis=0)
        seen, inverse = np.unique(rgb[~grey], axis=0, return_inverse=True)
        nearest = ((seen[:, None, :].astype(int) - colours[None].astype(int)) ** 2).sum(-1).argmin(1)
        index[~grey] = GREY_LEVELS + nearest[inverse.ravel()]
        palette = np.concatenate([palette, colours])
    out = Image.fromarray(index, mode="P")
    out.putpalette(palette.ravel().tolist())
    return out


def save_figure(fig: plt.Figure, png_path: str | Path) -> None:
    """Save ``fig`` as ``png_path`` (a :func:`palette_image`) and as the PDF beside it, then close it."""
    png_path = Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    palette_image(Image.open(buffer)).save(png_path, optimize=True)
    fig.savefig(png_path.with_suffix(".pdf"), bbox_inches="tight")
    plt.close(fig)


def show_image(ax: plt.Axes, image, title: str | None = None, symmetric: bool = True) -> None:
    """Gray image without ticks; ``symmetric`` centres the colour scale on zero."""
    if symmetric:
        lim = float(abs(image).max()) or 1.0
        ax.imshow(image, cmap="gray", vmin=-lim, vmax=lim, interpolation="nearest")
    else:
        ax.imshow(image, cmap="gray", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)
