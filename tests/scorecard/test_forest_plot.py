"""The scorecard's forest plot: every row as its distance from its threshold in standard errors."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tdvae_am.plots.scorecard import Z95, scorecard_figure, standard_error, standardized  # noqa: E402


def _row(value, interval, threshold=0.0, direction="above", verdict="replicated", section="pixel", id_="x",
         details=None, **extra):
    return {"id": id_, "section": section, "finding": "a finding", "value": value, "interval": interval,
            "threshold": threshold, "direction": direction, "verdict": verdict, "details": details or {}, **extra}


def _around(value, se):
    """The 95% interval of ``value`` with standard error ``se``."""
    return [value - Z95 * se, value + Z95 * se]


def _markers(ax) -> dict:
    """y -> x of each row's point marker (lines of one point)."""
    return {line.get_ydata()[0]: line.get_xdata()[0] for line in ax.get_lines() if len(line.get_xdata()) == 1}


def test_rows_are_distances_from_the_threshold_in_standard_errors_positive_on_the_claimed_side():
    assert standard_error(_row(2.0, _around(2.0, 0.5))) == pytest.approx(0.5)
    assert standardized(_row(2.0, _around(2.0, 0.5))) == pytest.approx((4.0, 4.0 - Z95, 4.0 + Z95))
    # "below 0.5": a value under the threshold is on the claimed side, right of zero
    assert standardized(_row(0.3, _around(0.3, 0.1), 0.5, "below"))[0] == pytest.approx(2.0)
    assert standardized(_row(0.7, _around(0.7, 0.1), 0.5, "below"))[0] == pytest.approx(-2.0)
    # an asymmetric (bootstrap) interval: its width sets the SE, the interval is drawn around the point
    z, lo, hi = standardized(_row(1.0, [-1.0, 2.92], threshold=0.5))
    assert z == pytest.approx(0.5 / (3.92 / (2 * Z95))) and hi - lo == pytest.approx(2 * Z95)


@pytest.mark.parametrize("interval", [None, [float("nan")] * 2, [None, 1.0], [0.5, 0.5], [1.0, 1.0 + 1e-16]])
def test_a_missing_or_undefined_interval_has_no_standard_error(interval):
    assert np.isnan(standard_error(_row(1.0, interval)))
    assert np.isnan(standardized(_row(1.0, interval))).all()


def test_figure_has_one_tick_per_row_grouped_by_section_with_full_labels():
    long = "a finding whose text is far too long for one line of the plot's labels, so it wraps"
    card = [_row(1.0, [0.5, 1.5], id_="1a", section="STA"),
            _row(-1.0, [-2.0, -0.5], verdict="not_replicated", id_="2a"),
            _row(0.1, [-1.0, 1.0], verdict="inconclusive", id_="2b") | {"finding": long},
            _row(3.0, None, id_="M1", section="model")]
    ax = scorecard_figure(card).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert [lab.split()[0] for lab in labels] == ["1a", "2a", "2b", "M1"]
    assert "\n" in labels[2] and labels[2].replace("\n", " ") == "2b  " + long          # wrapped, not shortened
    assert {"STA", "pixel", "model"} <= {t.get_text() for t in ax.texts}
    ticks = ax.get_yticks()
    assert _markers(ax)[ticks[0]] == pytest.approx(standardized(card[0])[0])
    vertical = sorted(line.get_xdata()[0] for line in ax.get_lines() if len(set(line.get_xdata())) == 1
                      and len(line.get_xdata()) == 2 and line.get_ydata()[0] != line.get_ydata()[1])
    assert vertical == pytest.approx([-Z95, 0.0, Z95])
    colors = {line.get_color() for line in ax.get_lines() if len(line.get_xdata()) == 1}
    assert {"#2a9d3f", "#c8323c", "#8a8a8a"} <= colors                                    # by verdict


def test_rows_group_by_family_when_present_and_extra_keys_are_ignored():
    extra = {"p_value": 0.01, "p_adjusted": 0.04, "bounds": [-0.1, 0.1]}
    card = [_row(1.0, [0.5, 1.5], id_="1a", section="STA", family="paper", **extra),
            _row(2.0, [1.0, 3.0], id_="M1", section="model", family="model", **extra),
            _row(1.0, [0.5, 1.5], id_="2a", section="pixel", family="paper", **extra),
            _row(1.0, [0.5, 1.5], id_="Z1", section="checks")]                            # no family: its section
    ax = scorecard_figure(card).axes[0]
    assert [t.get_text().split()[0] for t in ax.get_yticklabels()] == ["1a", "2a", "M1", "Z1"]
    heads = {t.get_text() for t in ax.texts}
    assert {"paper findings", "model findings", "checks"} <= heads and not {"STA", "pixel"} & heads


def test_a_row_without_an_interval_is_a_marker_saying_so():
    short = _row(-8.0, [float("nan")] * 2, verdict="inconclusive", id_="1a",
                 details={"too_few_units": "1 texture-sensitive unit with a finite value"})
    count = _row(33.0, None, id_="M1")
    fig = scorecard_figure([short, _row(1.0, [0.5, 1.5], id_="2a"), count])
    ax = fig.axes[0]
    notes = {t.get_position()[1]: t.get_text() for t in ax.texts if t.get_text().startswith("no interval")}
    ticks = ax.get_yticks()
    assert notes == {ticks[0]: "no interval: too few units", ticks[2]: "no interval"}
    x = _markers(ax)
    assert x[ticks[0]] < 0 < x[ticks[2]]                                     # at the end of its value's side


def test_a_row_far_out_is_drawn_at_the_axis_end_with_its_value():
    ax = scorecard_figure([_row(40.0, _around(40.0, 1.0), 0.0, "below", verdict="not_replicated"),
                           _row(1.0, [0.5, 1.5], id_="2a")]).axes[0]
    tick = ax.get_yticks()[0]
    assert _markers(ax)[tick] == pytest.approx(ax.get_xlim()[0] / 1.08)
    assert "-40" in {t.get_text() for t in ax.texts}
