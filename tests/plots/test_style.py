"""Palette PNGs: grey panels snap to evenly spaced greys, the few colours of labels and lines stay exact."""

import numpy as np
from PIL import Image

from tdvae_am.plots.style import GREY_LEVELS, palette_image, save_figure


def test_greys_snap_to_the_nearest_level_and_colours_stay():
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2).repeat(4, axis=0)   # every grey
    colours = np.array([[221, 132, 82], [76, 114, 176], [42, 157, 63]], dtype=np.uint8)  # class / verdict colours
    rgb = np.concatenate([ramp, np.tile(colours[:, None], (1, 256, 1))])
    out = np.asarray(palette_image(Image.fromarray(rgb)).convert("RGB")).astype(int)
    levels = np.linspace(0, 255, GREY_LEVELS).round()
    greys = out[:4]
    assert (greys[..., 0] == greys[..., 1]).all() and (greys[..., 1] == greys[..., 2]).all()
    assert len(np.unique(greys)) == GREY_LEVELS and set(np.unique(greys)) <= set(levels)
    assert np.abs(greys[0, :, 0] - np.arange(256)).max() <= (255 / (GREY_LEVELS - 1)) / 2 + 0.5
    np.testing.assert_array_equal(out[4:, 0], colours)


def test_a_saved_figure_is_a_palette_png_with_a_pdf(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.imshow(np.random.default_rng(0).normal(size=(40, 40)))
    ax.set_title("unit 3", color="C1")
    save_figure(fig, tmp_path / "fig.png")
    assert Image.open(tmp_path / "fig.png").mode == "P" and (tmp_path / "fig.pdf").is_file()
