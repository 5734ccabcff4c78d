"""Supplementary Fig. S8: every seed's value is drawn, coloured by its verdict."""

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex

from tdvae_am.plots.scorecard import VERDICT_COLORS
from tdvae_am.plots.seeds import seeds_figure
from tdvae_am.scorecard.confirmation import over_seeds


def test_every_seed_is_a_point_coloured_by_its_verdict():
    values, verdicts = [0.05, -0.01, 0.03], ["replicated", "not_replicated", "inconclusive"]
    summary = {
        "seeds": [0, 1, 2],
        "claims": {"M1": {"values": [30, 0, 20], "verdicts": verdicts, **over_seeds([30, 0, 20])},
                   "M3": {"values": values, "verdicts": verdicts, **over_seeds(values)}},
        "units": {m: {"active": {"values": [30, 0, 20], **over_seeds([30, 0, 20])},
                      "active_untrained": {"values": [0, 0, 1]}} for m in ("tdvae", "chain")},
    }
    fig = seeds_figure(summary)
    left, right = fig.axes
    points = right.collections[0]
    assert np.allclose(points.get_offsets()[:, 1], values)
    assert [to_hex(c) for c in points.get_facecolors()] == [VERDICT_COLORS[v] for v in verdicts]
    assert [t.get_text() for t in right.get_xticklabels()] == ["M3"]      # M1 is a count: left panel
    scatters = [c for c in left.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 4                                              # trained and untrained per model
