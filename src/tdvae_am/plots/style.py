"""Shared figure style and saving (PNG + PDF, named figNN_<slug>)."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from PIL import Image

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

sns.set_theme(context="paper", style="white", font_scale=1.0)
# 100 dpi (over two screen pixels per image pixel in the AM figures) and 256-colour PNGs keep every
# PNG of the default run, committed to git, under 10 MB together with every candidate unit
# (docs/dvc.md); the PDFs beside them are vector graphics
plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "image.cmap": "gray"})


def save_figure(fig: plt.Figure, png_path: str | Path) -> None:
    """Save ``fig`` as ``png_path`` (256 colours, no dithering) and as the PDF beside it, then close it."""
    png_path = Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    image = Image.open(buffer).convert("RGB")
    image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(png_path, optimize=True)
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
