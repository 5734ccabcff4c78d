"""The scorecard's forest plot: rows on a standardized axis against their thresholds."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tdvae_am.plots.scorecard import scorecard_figure, standardized  # noqa: E402


def _row(value, interval, threshold=0.0, direction="above", verdict="replicated", section="pixel", id_="x",
         details=None):
    return {"id": id_, "section": section, "finding": "a finding", "value": value, "interval": interval,
            "threshold": threshold, "direction": direction, "verdict": verdict, "details": details or {}}


def test_standardized_axis_puts_the_claimed_side_right_of_zero():
    assert standardized(_row(2.0, [1.0, 4.0])) == pytest.approx((0.5, 0.25, 1.0))
    # a "below 0.5" rule with an interval below the threshold lands right of zero, mirrored
    assert standardized(_row(0.3, [0.2, 0.4], 0.5, "below")) == pytest.approx((2 / 3, 1 / 3, 1.0))
    v, lo, hi = standardized(_row(-1.0, [-3.0, 1.0]))
    assert (v, lo, hi) == pytest.approx((-1 / 3, -1.0, 1 / 3)) and lo < 0 < hi
    v, lo, hi = standardized(_row(5.0, None))
    assert v == 1.0 and np.isnan(lo) and np.isnan(hi)
    assert np.isnan(standardized(_row(None, [float("nan")] * 2))).all()


def test_figure_has_one_tick_per_row_grouped_by_section():
    card = [_row(1.0, [0.5, 1.5], id_="1a", section="STA"),
            _row(-1.0, [-2.0, -0.5], verdict="not_replicated", id_="2a"),
            _row(0.1, [-1.0, 1.0], verdict="inconclusive", id_="2b"), _row(3.0, None, id_="M1", section="model")]
    fig = scorecard_figure(card)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert [lab.split()[0] for lab in labels] == ["1a", "2a", "2b", "M1"]
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"STA", "pixel", "model"} <= texts


def test_a_row_of_too_few_units_says_so_where_its_interval_would_be():
    short = _row(-8.0, [float("nan")] * 2, verdict="inconclusive", id_="1a",
                 details={"too_few_units": "1 texture-sensitive unit with a finite value"})
    fig = scorecard_figure([short, _row(1.0, [0.5, 1.5], id_="2a")])
    notes = [t for t in fig.axes[0].texts if t.get_text() == "no interval: too few units"]
    assert len(notes) == 1 and notes[0].get_position()[1] == fig.axes[0].get_yticks()[0]
