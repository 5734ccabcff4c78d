import numpy as np
import pytest
from planted import (
    COLLAPSED,
    INFORMATIVE,
    OFFSET,
    PHASE,
    SPECTRUM,
    STD,
    TDVAE_COLLAPSED,
    TDVAE_OFFSET,
    offset_kl,
    tdvae_with_planted_units,
)

from tdvae_am.units.activity import active_units, activity, encode, information_threshold


def test_encode_a_tdvae_with_collapsed_and_offset_units():
    model = tdvae_with_planted_units()
    natural = np.random.default_rng(1).standard_normal((100, 8, 8)).astype(np.float32)
    codes = encode(model, natural, batch_size=512)
    assert {k: v.shape for k, v in codes.items()} == {"mean": (100, 16), "std": (100, 16), "kl": (100, 16)}
    batched = encode(model, natural, batch_size=7, kl=False)
    assert set(batched) == {"mean", "std"}
    for k in batched:
        assert np.allclose(batched[k], codes[k], rtol=1e-5, atol=1e-4)  # float32 batching noise
    stats = activity(codes)
    others = [u for u in range(16) if u not in TDVAE_COLLAPSED + TDVAE_OFFSET]
    assert np.all(stats["information"][TDVAE_COLLAPSED + TDVAE_OFFSET] == 0)
    assert np.allclose(stats["mean_kl"][TDVAE_COLLAPSED], 0, atol=1e-6)
    assert np.allclose(stats["mean_kl"][TDVAE_OFFSET], offset_kl(), rtol=1e-5)  # about 4.8 nats, yet no information
    assert np.allclose(stats["mean_std"][TDVAE_COLLAPSED], 1) and np.allclose(stats["mean_std"][TDVAE_OFFSET], 0.5)
    assert np.all(stats["information"][others] > 0.05)
    assert active_units(stats["information"], 0.05).tolist() == others


def test_activity_of_planted_units(planted):
    codes = encode(planted.model, planted.natural, batch_size=64)
    stats = activity(codes)
    info, kl = stats["information"], stats["mean_kl"]
    # offset but input-independent: far from the prior (the old KL rule would call it active), no information
    assert info[OFFSET] == 0 and kl[OFFSET] == pytest.approx(offset_kl(), rel=1e-5) and kl[OFFSET] > 4
    assert kl[OFFSET] > max(kl[INFORMATIVE], kl[PHASE], kl[SPECTRUM])
    # exactly collapsed: the prior for every input
    assert info[COLLAPSED] == 0 and kl[COLLAPSED] == 0 and stats["mean_std"][COLLAPSED] == 1
    # input-dependent units: the Gaussian information estimate, by hand
    for unit in (INFORMATIVE, PHASE, SPECTRUM):
        expected = 0.5 * np.log((codes["mean"][:, unit].astype(np.float64).var() + STD**2) / STD**2)
        assert info[unit] == pytest.approx(expected, rel=1e-5) and info[unit] > 1
    assert active_units(info, 0.05).tolist() == [INFORMATIVE, PHASE, SPECTRUM]


def test_information_has_known_values():
    codes = {"mean": np.array([[0.0, 1.0, 5.0], [2.0, 1.0, 5.0]]), "std": np.array([[1.0, 1.0, 2.0], [1.0, 1.0, 0.0]])}
    stats = activity(codes)
    # unit 0: Var mu = 1, E sigma^2 = 1; unit 1: constant; unit 2: E sigma^2 = 2
    assert np.allclose(stats["information"], [0.5 * np.log(2), 0, 0])
    assert np.allclose(stats["var_mean"], [1, 0, 0]) and np.allclose(stats["mean_std"], [1, 1, 1])
    assert "mean_kl" not in stats


def test_information_threshold_is_raised_to_admit_at_most_max_untrained():
    assert information_threshold(np.zeros(10), 0.05, 2) == 0.05
    untrained = np.array([0.01, 0.3, 0.1, 0.2, 0.0])
    assert information_threshold(untrained, 0.05, 2) == 0.1
    assert active_units(untrained, 0.1).tolist() == [1, 3]
    assert information_threshold(untrained, 0.05, 0) == 0.3 and len(active_units(untrained, 0.3)) == 0
    assert information_threshold(untrained, 0.5, 2) == 0.5  # never lowered
    assert information_threshold(untrained[:2], 0.05, 2) == 0.05  # fewer units than allowed
    assert information_threshold(np.array([0.3, 0.2, 0.2, 0.2]), 0.05, 2) == 0.2  # ties: only 1 passes


@pytest.mark.parametrize("seed", range(5))
def test_information_threshold_calibration(seed):
    rng = np.random.default_rng(seed)
    untrained = rng.exponential(0.05, 30) * (rng.random(30) < 0.5)
    for max_untrained in range(6):
        threshold = information_threshold(untrained, 0.05, max_untrained)
        assert threshold >= 0.05
        assert len(active_units(untrained, threshold)) <= max_untrained
        if threshold > 0.05:  # raised no further than needed
            assert np.sum(untrained >= threshold) > max_untrained


def test_active_units_is_strict():
    assert active_units(np.array([0.05, 0.0500001, 0.2, 0.0]), 0.05).tolist() == [1, 2]
