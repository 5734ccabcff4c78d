"""The unit figures (Figs. S2, S4) on a synthetic classification: drawn with the units each class
has, their titles naming unequal class sizes and the smoke-scale fallback."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from tdvae_am.plots.models import activity_figure, sensitivity_figure

N = 20


def units(texture, non_texture, fallback=False) -> dict:
    """A results/units.json of N z2 units with the given classes."""
    rng = np.random.default_rng(0)
    stats = {k: {"information_natural": rng.uniform(0, 0.2, N).tolist(),
                 "mean_std_natural": rng.uniform(0, 1, N).tolist(), "gain": rng.normal(0, 0.02, N).tolist(),
                 "p_value": rng.uniform(0.001, 1, N).tolist()} for k in ("trained", "untrained")}
    return {"texture_sensitive": texture, "non_texture_sensitive": non_texture, "fallback": fallback,
            "active": list(range(10)), "threshold": 0.05, "units": stats}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("texture, non_texture, fallback, note", [
    ([0, 1], [2, 3], False, ""),
    ([0], [2, 3, 4, 5, 6], False, " (1 texture-sensitive, 5 non-texture-sensitive units)"),
    ([], [2, 3], False, " (0 texture-sensitive, 2 non-texture-sensitive units)"),
    ([0, 1], [2, 3], True, " (classes filled with inactive units: smoke-scale fallback)"),
    ([0], [2, 3], True, " (1 texture-sensitive, 2 non-texture-sensitive units; classes filled with inactive units: "
                        "smoke-scale fallback)"),
])
def test_titles_name_unequal_classes_and_the_fallback(texture, non_texture, fallback, note):
    result = units(texture, non_texture, fallback)
    activity = activity_figure(result)
    assert activity.get_suptitle() == "z2 unit activity" + note
    marked = [t.get_text() for t in activity.axes[0].texts]
    assert marked == [f"{u}T" for u in texture] + [f"{u}N" for u in non_texture]
    sensitivity = sensitivity_figure(result)
    assert sensitivity.axes[0].get_title() == "texture sensitivity" + note
    assert [t.get_text() for t in sensitivity.axes[0].texts] == [str(u) for u in texture + non_texture]


def test_unit_labels_of_the_sensitivity_figure_do_not_overlap():
    result = units([0, 1, 2, 3], [4, 5, 6])
    for st in result["units"].values():                     # the texture units at one point, as at the p-value floor
        st["gain"][:4] = [0.05, 0.0501, 0.0502, 0.05]
        st["p_value"][:4] = [0.0005] * 4
    fig = sensitivity_figure(result)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [Text.get_window_extent(t, renderer) for t in fig.axes[0].texts]
    assert len(boxes) == 7
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert not any(box.overlaps(fig.axes[0].get_legend().get_window_extent(renderer)) for box in boxes)
