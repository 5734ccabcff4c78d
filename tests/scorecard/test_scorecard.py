"""Scorecard statistics and decision rules on inputs with known answers."""

import warnings

import numpy as np
import pytest
from scipy import stats

from tdvae_am.scorecard.evidence import (
    iterations_to,
    lowpass_correlation,
    pairwise_diversity,
    shift_invariant_variability,
)
from tdvae_am.scorecard.findings import model_findings, totals
from tdvae_am.scorecard.rows import NON_TEXTURE, TEXTURE, contrast, positive
from tdvae_am.scorecard.statistics import (
    clopper_pearson,
    paired_image_bootstrap,
    rank_sum_test,
    sign_test,
    spearman_rows,
    t_interval,
    verdict,
    welch_interval,
)


def test_verdict_rules():
    assert verdict([0.1, 0.4]) == "replicated"
    assert verdict([-0.4, -0.1]) == "not_replicated"
    assert verdict([-0.1, 0.4]) == "inconclusive"
    assert verdict([-0.4, -0.1], direction="below") == "replicated"
    assert verdict([0.1, 0.4], direction="below") == "not_replicated"
    assert verdict([0.3, 0.45], 0.5, "below") == "replicated"
    assert verdict([float("nan"), 1.0]) == "inconclusive"


def test_t_intervals_have_known_answers():
    lo, hi = t_interval([1, 2, 3, 4, 5])  # mean 3, se 1.5811 / sqrt(5), t(0.975, 4) = 2.7764
    assert (lo, hi) == pytest.approx((3 - 1.9632, 3 + 1.9632), abs=1e-3)
    assert t_interval([2.0, 2.0, 2.0]) == [2.0, 2.0]
    assert np.isnan(t_interval([1.0])).all()
    a, b = [3.1, 4.2, 5.0, 3.8, 4.4], [1.0, 2.5, 1.7, 0.4, 2.2]
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert welch_interval(a, b) == pytest.approx([expected.low, expected.high], rel=1e-9)


def test_t_interval_covers_where_a_percentile_bootstrap_of_five_units_does_not():
    rng = np.random.default_rng(0)
    samples = rng.normal(0.0, 1.0, (2000, 5))
    t_cover = np.mean([lo < 0 < hi for lo, hi in map(t_interval, samples)])
    boot = rng.integers(0, 5, (400, 5))
    boot_cover = np.mean([lo < 0 < hi for lo, hi in (np.percentile(x[boot].mean(1), [2.5, 97.5]) for x in samples)])
    assert 0.93 < t_cover < 0.97 and boot_cover < 0.9


def test_exact_tests_and_proportion_interval():
    assert clopper_pearson(0, 10) == pytest.approx([0.0, 0.3085], abs=1e-4)
    assert clopper_pearson(10, 10)[0] == pytest.approx(0.6915, abs=1e-4)
    assert sign_test([1, 2, 3, 4, 5]) == pytest.approx(1 / 32)
    assert sign_test([1, 2, 3, 4, 5], direction="below") == 1.0
    assert sign_test([0.3, 0.1], 0.5, "below") == pytest.approx(0.25)
    assert rank_sum_test([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]) == pytest.approx(1 / 252)
    assert rank_sum_test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], "below") == pytest.approx(1 / 252)


def test_iterations_to_90_percent():
    t = np.arange(100, dtype=float)
    fast = 1 - np.exp(-t / 5)
    slow = 1 - np.exp(-t / 20)
    trace = np.stack([fast, slow], 1)[:, :, None]          # (T, U=2, R=1)
    its = iterations_to(trace)
    assert its[0] == pytest.approx(12, abs=1) and its[1] == pytest.approx(46, abs=1)


def test_shift_invariant_variability_diversity_and_lowpass_correlation():
    rng = np.random.default_rng(1)
    same = np.repeat(rng.normal(size=(2, 1, 16, 16)), 3, axis=1)
    shifted = np.stack([np.roll(same[:, 0], (k, 2 * k), axis=(-2, -1)) for k in range(3)], 1)
    noise = rng.normal(size=(2, 3, 16, 16))
    assert shift_invariant_variability(same) == pytest.approx([0, 0], abs=1e-6)
    assert shift_invariant_variability(shifted) == pytest.approx([0, 0], abs=1e-6)  # same pattern, moved
    assert shift_invariant_variability(noise).min() > 0.5
    assert pairwise_diversity(same[:, None]) == pytest.approx([0, 0], abs=1e-6)  # (U, R=1, K=3, H, W)
    assert pairwise_diversity(noise[:, None]).min() > 0.8
    assert lowpass_correlation(same, same) == pytest.approx([1, 1], abs=1e-6)
    assert abs(lowpass_correlation(same, -same)).min() > 0.99


def test_spearman_rows():
    x = np.arange(5)
    rho = spearman_rows(x, np.stack([x**2, -x, np.ones(5)]))
    assert rho[0] == pytest.approx(1) and rho[1] == pytest.approx(-1) and np.isnan(rho[2])
    assert np.isnan(spearman_rows(np.ones(5), np.stack([x]))).all()


def _decoder(correct, n=100):
    """A decoder with ``correct[i]`` of ``n`` patches right on image i (marginal interval: a wide
    image-level spread)."""
    correct = np.asarray(correct)
    return {"accuracy": correct.sum() / (n * len(correct)), "chance": 0.2,
            "ci_bootstrap": [correct.min() / n, correct.max() / n],
            "per_image": {"image": list(range(len(correct))), "correct": correct.tolist(), "n": [n] * len(correct)}}


def test_paired_image_bootstrap_detects_a_consistent_gain_that_marginal_intervals_miss():
    images = np.linspace(30, 90, 20).astype(int)  # decoders share a wide per-image difficulty
    better, worse = _decoder(images + 4), _decoder(images)
    assert better["ci_bootstrap"][0] < worse["ci_bootstrap"][1]  # the marginal intervals overlap
    lo, hi = paired_image_bootstrap(better["per_image"], worse["per_image"])
    assert 0.03 < lo <= hi < 0.05  # every image gains 4 of 100: the paired difference is exactly 0.04
    assert paired_image_bootstrap(worse["per_image"], worse["per_image"]) == [0.0, 0.0]
    with pytest.raises(ValueError, match="same images"):
        paired_image_bootstrap(worse["per_image"], _decoder(images[:10])["per_image"])


def test_model_findings_follow_the_intervals():
    units = {"n_active": 12, "n_active_untrained": 1, "rule": {"active": "information > 0.05 nats"},
             "units": {"trained": {"information_natural": [0.0] * 250}}}
    base = np.linspace(40, 80, 20).astype(int)
    decoding = {"tdvae": {"z2": _decoder(base + 10), "z1": _decoder(base + 10 + np.tile([1, -1], 10)),
                          "pixels": _decoder(base - 20), "z2_untrained": _decoder(base - 15)},
                "chain": {"z2": _decoder(base + 15)}}
    phase = {"tdvae": {"z2": _decoder(base + 5), "z2_untrained": _decoder(base), "pixels": _decoder(base + 8)}}
    rows = {f.id: f.verdict for f in model_findings(units, decoding, phase)}
    assert rows == {"M1": "replicated", "M2": "replicated", "M3": "inconclusive", "M4": "replicated",
                    "M5": "replicated", "M6a": "replicated", "M6b": "not_replicated", "M7": "not_replicated"}
    for n_active, n_untrained in [(0, 0), (12, 12), (12, 40)]:  # none active, or no more than untrained
        units |= {"n_active": n_active, "n_active_untrained": n_untrained}
        assert model_findings(units, decoding, phase)[0].verdict == "not_replicated"
    card = [{"verdict": v} for v in ("replicated", "replicated", "inconclusive")]
    assert totals(card) == {"replicated": 2, "not_replicated": 0, "inconclusive": 1, "findings": 3}


def test_rows_of_too_few_units_have_no_interval_and_say_why():
    def classes(n_texture, n=6):
        return {TEXTURE: np.arange(n) < n_texture, NON_TEXTURE: np.arange(n) >= n_texture}

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        none, one, two = (positive("s", "x", "f", "stat", v) for v in ([], [3.0, np.nan], [3.0, 3.5]))
        empty, single, pair = (contrast("s", "y", "f", "stat", [0.0, 0.1, 5, 6, 7, 8][2 - k:], classes(k, 4 + k))
                               for k in (0, 1, 2))
    assert none.value is None and none.verdict == "inconclusive" and none.details["n_units"] == 0
    assert none.details["too_few_units"] == ("0 units with a finite value (the 95% t interval over units needs at "
                                             "least 2)")
    assert one.value == 3.0 and one.verdict == "inconclusive" and one.details["too_few_units"].startswith("1 unit ")
    assert two.verdict == "replicated" and "too_few_units" not in two.details
    # non-texture units 5-8 (mean 6.5) against texture units {}, {0.1}, {0, 0.1}
    assert empty.value is None and empty.verdict == "inconclusive"
    assert single.value == pytest.approx(6.4) and single.verdict == "inconclusive" and np.isnan(single.interval).all()
    assert single.details["too_few_units"] == ("1 texture-sensitive unit with a finite value (the 95% Welch t interval "
                                               "of the class difference needs at least 2 per group)")
    assert empty.details["too_few_units"].startswith("0 texture-sensitive units ")
    assert pair.value == pytest.approx(6.45) and pair.verdict == "replicated" and "too_few_units" not in pair.details
