"""Scorecard statistics and decision rules on inputs with known answers."""

import warnings

import numpy as np
import pytest
from scipy import stats

from tdvae_am.scorecard.evidence import (
    common_level,
    iterations_to_level,
    lowpass_correlation,
    max_xcorr,
    pairwise_diversity,
    shift_invariant_variability,
)
from tdvae_am.scorecard.findings import model_findings, totals
from tdvae_am.scorecard.rows import NON_TEXTURE, TEXTURE, contrast, finalize, gated, positive, proportion
from tdvae_am.scorecard.statistics import (
    adjusted_contrast,
    binomial_test,
    clopper_pearson,
    decide,
    fisher_t_test,
    holm,
    image_bootstrap,
    log_t_test,
    paired_image_bootstrap,
    spearman_rows,
    t_interval,
    t_test,
    verdict,
    welch_interval,
    welch_test,
)


def test_interval_rule_and_declared_verdict():
    assert verdict([0.1, 0.4]) == "replicated"
    assert verdict([-0.4, -0.1]) == "not_replicated"
    assert verdict([-0.1, 0.4]) == "inconclusive"
    assert verdict([-0.4, -0.1], direction="below") == "replicated"
    assert verdict([0.3, 0.45], threshold=0.5, direction="below") == "replicated"
    assert verdict([float("nan"), 1.0]) == "inconclusive"
    assert decide(0.01, [0.1, 0.4]) == "replicated"
    assert decide(0.2, [0.1, 0.4]) == "inconclusive"          # interval above, but the adjusted p is not
    assert decide(0.9, [-0.4, -0.1]) == "not_replicated"
    assert decide(float("nan"), [float("nan")] * 2) == "inconclusive"


def test_t_tests_match_scipy():
    x = [1.0, 2, 3, 4, 5]
    (lo, hi), p = t_test(x, threshold=1.0)
    ref = stats.ttest_1samp(x, 1.0, alternative="greater")
    assert p == pytest.approx(ref.pvalue)
    assert [lo, hi] == pytest.approx(list(stats.ttest_1samp(x, 1.0).confidence_interval(0.95)))
    assert t_test(x, threshold=1.0, direction="below")[1] == pytest.approx(1 - ref.pvalue)
    assert t_interval([2.0, 2.0, 2.0]) == [2.0, 2.0]
    assert np.isnan(t_interval([1.0])).all()
    a, b = [3.1, 4.2, 5.0, 3.8, 4.4], [1.0, 2.5, 1.7, 0.4, 2.2]
    ref = stats.ttest_ind(a, b, equal_var=False, alternative="greater")
    interval, p = welch_test(a, b)
    assert p == pytest.approx(ref.pvalue)
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert interval == pytest.approx([expected.low, expected.high]) == welch_interval(a, b)


def test_bounded_intervals_stay_inside_their_bounds():
    r = [0.97, 0.99, 0.5, 0.999, 0.9]                      # a t interval of these leaves [-1, 1]
    assert t_interval(r)[1] > 1
    interval, p, centre = fisher_t_test(r)
    assert -1 < interval[0] < centre < interval[1] < 1 and p < 0.01
    assert fisher_t_test([-1.0, -1.0, -1.0], direction="below")[0] == pytest.approx([-1, -1], abs=1e-5)
    ratios = [0.01, 0.02, 0.5, 0.03]                         # a t interval of these goes below 0
    assert t_interval(ratios)[0] < 0
    interval, p, centre = log_t_test(ratios, direction="below")
    assert 0 < interval[0] < centre < interval[1] and centre == pytest.approx(stats.gmean(ratios))
    assert clopper_pearson(1, 10)[0] >= 0 and clopper_pearson(10, 10) == pytest.approx([0.6915, 1.0], abs=1e-4)


def test_exact_binomial_test():
    assert binomial_test(10, 10, threshold=0.5) == pytest.approx(1 / 1024)
    assert binomial_test(0, 10, threshold=0.5, direction="below") == pytest.approx(1 / 1024)
    assert binomial_test(5, 10, threshold=0.5) > 0.5
    row = proportion("s", "x", "f", "stat", [1, 1, 1, 0, np.nan], threshold=0.5)
    assert row.value == 0.75 and row.details["n_units"] == 4 and row.bounds == [0.0, 1.0]
    assert row.p_value == pytest.approx(5 / 16)


@pytest.mark.parametrize("n", [5, 12])
def test_t_interval_coverage_by_simulation(n):
    rng = np.random.default_rng(n)
    samples = rng.normal(0.0, 1.0, (2000, n))
    cover = np.mean([lo < 0 < hi for lo, hi in map(t_interval, samples)])
    assert 0.93 < cover < 0.97
    if n == 5:  # where a percentile bootstrap of five units under-covers
        boot = rng.integers(0, n, (400, n))
        assert np.mean([lo < 0 < hi for lo, hi in (np.percentile(x[boot].mean(1), [2.5, 97.5])
                                                    for x in samples)]) < 0.9
    r = np.tanh(rng.normal(np.arctanh(0.6), 0.3, (2000, n)))   # correlations: Fisher z interval
    cover_z = np.mean([lo < 0.6 < hi for lo, hi in (fisher_t_test(x)[0] for x in r)])
    assert 0.93 < cover_z < 0.97


def test_holm_against_hand_computed_values():
    # sorted 0.01, 0.02, 0.03, 0.5 -> 4 x 0.01, 3 x 0.02, max(0.06, 2 x 0.03), max(0.06, 1 x 0.5)
    assert holm([0.03, 0.01, 0.5, 0.02]) == pytest.approx([0.06, 0.04, 0.5, 0.06])
    assert holm([0.3, 0.4]) == pytest.approx([0.6, 0.6])        # monotone
    assert holm([0.8, 0.9]) == pytest.approx([1.0, 1.0])        # capped at 1
    out = holm([0.01, np.nan, 0.02])
    assert np.isnan(out[1]) and out[[0, 2]] == pytest.approx([0.02, 0.02])


def test_the_adjusted_verdict_differs_from_the_unadjusted_one():
    rng = np.random.default_rng(0)
    # one row with a modest effect (unadjusted p about 0.02), four nulls of the same family
    effect = positive("s", "a", "f", "stat", rng.normal(0.6, 1.0, 16) + 0.1)
    nulls = [positive("s", f"n{k}", "f", "stat", rng.normal(0, 1, 16) - 0.5) for k in range(4)]
    assert effect.verdict == "replicated" and effect.p_value < 0.05
    finalize([effect, *nulls])
    assert effect.p_adjusted == pytest.approx(min(1, 5 * effect.p_value))
    assert effect.verdict == "inconclusive"
    alone = positive("s", "a", "f", "stat", rng.normal(0.6, 1.0, 16) + 0.1, family="sanity")
    assert finalize([alone, *nulls])[0].verdict == "replicated"  # another family is not counted


def test_gates_and_invalid_contests_apply_after_adjustment():
    strong = [1.0, 2.0, 1.5, 1.2, 1.8, 1.6]
    cond = positive("s", "c", "f", "stat", -np.array(strong))
    row = gated(positive("s", "r", "f", "stat", strong), "c")
    bad = positive("s", "b", "f", "stat", strong, invalid="chosen at the edge of its grid")
    finalize([cond, row, bad])
    assert row.verdict == "inconclusive" and row.details["gated_by"] == "c is not_replicated"
    assert bad.verdict == "inconclusive" and bad.details["invalid"].startswith("chosen")


def test_adjusted_contrast_removes_a_strength_confound():
    info = np.geomspace(0.05, 1.5, 20)
    group = (np.arange(20) >= 10).astype(float)              # the second class is the stronger one
    value = 2 * np.log(info) + np.random.default_rng(0).normal(0, 0.05, 20)
    beta, interval, p = adjusted_contrast(value, group, np.log(info))
    assert welch_test(value[group == 1], value[group == 0])[1] < 1e-6   # unadjusted: a large difference
    assert interval[0] < 0 < interval[1] and p > 0.05                     # at equal strength: none
    beta, interval, p = adjusted_contrast(value + group, group, np.log(info))
    assert beta == pytest.approx(1.0, abs=0.1) and p < 1e-6
    classes = {NON_TEXTURE: group == 1, TEXTURE: group == 0}
    row = contrast("s", "x", "f", "stat", value, classes, info)
    assert row.verdict == "inconclusive" and row.details["unadjusted_welch_p"] < 1e-6


def test_common_level_and_iterations_to_level():
    t = np.arange(100, dtype=float)[:, None]
    fast, slow = 1 - np.exp(-t / 5), 1 - np.exp(-t / 20)
    its, reached = iterations_to_level(np.hstack([fast, slow]), np.array([0.9, 0.9]))
    assert its == pytest.approx([12, 47], abs=1) and reached.all()
    oscillating = np.where(np.arange(100) % 2 == 0, 1.0, 0.0)[:, None]     # touches the level, never stays
    its, reached = iterations_to_level(oscillating, np.array([0.9]))
    assert its[0] == 100 and not reached[0]
    assert common_level(np.array([[1.0, 3.0], [2.0, 1.0]]), np.array([0.0, 1.0])) == pytest.approx([1.8, 2.8])


def test_shift_invariant_variability_diversity_and_lowpass_correlation():
    rng = np.random.default_rng(1)
    same = np.repeat(rng.normal(size=(2, 1, 16, 16)), 3, axis=1)
    shifted = np.stack([np.roll(same[:, 0], (k, 2 * k), axis=(-2, -1)) for k in range(3)], 1)
    noise = rng.normal(size=(2, 3, 16, 16))
    assert shift_invariant_variability(same) == pytest.approx([0, 0], abs=1e-6)
    assert shift_invariant_variability(shifted) == pytest.approx([0, 0], abs=1e-6)  # same pattern, moved
    assert shift_invariant_variability(noise).min() > 0.5
    mixed = np.concatenate([same[:, :2], noise[:, :1]], 1)
    keep = np.array([[True, True, False], [True, False, False]])
    out = shift_invariant_variability(mixed, keep)
    assert out[0] == pytest.approx(0, abs=1e-6) and np.isnan(out[1])   # the failed restart is left out
    assert max_xcorr(same[:, 0], shifted[:, 2]) == pytest.approx([1, 1], abs=1e-6)
    assert pairwise_diversity(same[:, None]) == pytest.approx([0, 0], abs=1e-6)  # (U, R=1, K=3, H, W)
    assert pairwise_diversity(noise[:, None]).min() > 0.8
    assert lowpass_correlation(same, same) == pytest.approx([1, 1], abs=1e-6)
    assert abs(lowpass_correlation(same, -same)).min() > 0.99


def test_spearman_rows():
    x = np.arange(5)
    rho = spearman_rows(x, np.stack([x**2, -x, np.ones(5)]))
    assert rho[0] == pytest.approx(1) and rho[1] == pytest.approx(-1) and np.isnan(rho[2])
    assert np.isnan(spearman_rows(np.ones(5), np.stack([x]))).all()


def _decoder(correct, n=100, strata=None):
    """A decoder with ``correct[i]`` of ``n`` patches right on image i (marginal interval: a wide
    image-level spread)."""
    correct = np.asarray(correct)
    per_image = {"image": list(range(len(correct))), "correct": correct.tolist(), "n": [n] * len(correct)}
    if strata is not None:
        per_image["stratum"] = list(strata)
    return {"accuracy": correct.sum() / (n * len(correct)), "chance": 0.2,
            "ci_bootstrap": [correct.min() / n, correct.max() / n], "per_image": per_image}


def test_paired_image_bootstrap_detects_a_consistent_gain_that_marginal_intervals_miss():
    images = np.linspace(30, 90, 20).astype(int)  # decoders share a wide per-image difficulty
    better, worse = _decoder(images + 4), _decoder(images)
    assert better["ci_bootstrap"][0] < worse["ci_bootstrap"][1]  # the marginal intervals overlap
    (lo, hi), p = paired_image_bootstrap(better["per_image"], worse["per_image"])
    assert 0.03 < lo <= hi < 0.05 and p < 0.001  # every image gains 4 of 100: the difference is exactly 0.04
    assert paired_image_bootstrap(worse["per_image"], worse["per_image"])[0] == [0.0, 0.0]
    with pytest.raises(ValueError, match="same images"):
        paired_image_bootstrap(worse["per_image"], _decoder(images[:10])["per_image"])


def test_stratified_image_bootstrap_keeps_each_family():
    # two families, one all right and one all wrong: stratified draws always hold half of each
    decoder = _decoder([100] * 4 + [0] * 4, strata=[0] * 4 + [1] * 4)
    (lo, hi), p = image_bootstrap(decoder["per_image"], 0.4)
    assert lo == hi == 0.5 and p < 0.001
    (lo, hi), _ = image_bootstrap(_decoder([100] * 4 + [0] * 4)["per_image"], 0.4)
    assert lo < 0.5 < hi                             # unstratified draws vary the mix


def test_model_findings_follow_the_declared_tests():
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
    assert all(f.family == "model" for f in model_findings(units, decoding, phase))
    for n_active, n_untrained in [(0, 0), (12, 12), (12, 40)]:  # none active, or no more than untrained
        units |= {"n_active": n_active, "n_active_untrained": n_untrained}
        assert model_findings(units, decoding, phase)[0].verdict == "not_replicated"
    card = [{"verdict": v, "family": f} for v, f in (("replicated", "paper"), ("replicated", "model"),
                                                      ("inconclusive", "paper"))]
    assert totals(card) == {"replicated": 2, "not_replicated": 0, "inconclusive": 1, "findings": 3,
                            "families": {"paper": {"replicated": 1, "not_replicated": 0, "inconclusive": 1,
                                                   "findings": 2},
                                         "model": {"replicated": 1, "not_replicated": 0, "inconclusive": 0,
                                                   "findings": 1}}}


def test_rows_of_too_few_units_have_no_interval_and_say_why():
    def classes(n_texture, n=6):
        return {TEXTURE: np.arange(n) < n_texture, NON_TEXTURE: np.arange(n) >= n_texture}

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        none, one, two = (positive("s", "x", "f", "stat", v) for v in ([], [3.0, np.nan], [3.0, 3.5]))
        empty, single = (contrast("s", "y", "f", "stat", [0.0, 0.1, 5, 6, 7, 8][2 - k:], classes(k, 4 + k),
                                  np.ones(4 + k)) for k in (0, 1))
    assert none.value is None and none.verdict == "inconclusive" and none.details["n_units"] == 0
    assert none.details["too_few_units"].startswith("0 units with a finite value (the one-sample t test")
    assert one.value == 3.0 and one.verdict == "inconclusive" and one.details["too_few_units"].startswith("1 unit ")
    assert two.verdict == "replicated" and "too_few_units" not in two.details
    assert empty.value is None and empty.verdict == "inconclusive"
    assert single.value is None and single.verdict == "inconclusive" and np.isnan(single.interval).all()
    assert single.details["too_few_units"].startswith("1 texture-sensitive unit with a finite value")
