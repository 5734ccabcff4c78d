"""Fig. 4: whitened natural patches; per texture family the seed, a synthesis and patches."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import PANEL, TITLE, show_image


def data_figure(
    natural: np.ndarray, seeds: dict[str, np.ndarray], synthesized: dict[str, np.ndarray],
    texture_patches: dict[str, np.ndarray], n_natural: int = 12, n_texture: int = 4,
) -> plt.Figure:
    """(a) ``n_natural`` whitened natural patches; (b) one row per family: seed crop,
    synthesized image and ``n_texture`` whitened patches."""
    families = list(seeds)
    n_cols = max(2 + n_texture, n_natural // 2)
    # each panel with room for its title
    fig = plt.figure(figsize=((PANEL + 0.35) * n_cols, (PANEL + 0.45) * (2 + len(families)) + 2 * TITLE))
    grid = fig.add_gridspec(2 + len(families), n_cols)
    for i in range(min(n_natural, 2 * n_cols)):
        ax = fig.add_subplot(grid[i // n_cols, i % n_cols])
        show_image(ax, natural[i])
        if i == 0:
            ax.set_title("(a) whitened natural patches", fontsize=9, loc="left")
    for r, name in enumerate(families, start=2):
        ax = fig.add_subplot(grid[r, 0])
        show_image(ax, seeds[name], f"{name}: seed", symmetric=False)
        if r == 2:
            ax.annotate("(b) texture families", (0, 1.3), xycoords="axes fraction", fontsize=9)
        show_image(fig.add_subplot(grid[r, 1]), synthesized[name], "PS synthesis", symmetric=False)
        for j, patch in enumerate(texture_patches[name][:n_texture]):
            show_image(fig.add_subplot(grid[r, 2 + j]), patch, "whitened" if j == 0 else None)
    return fig
