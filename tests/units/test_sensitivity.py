import numpy as np
import pytest
import torch
from planted import INFORMATIVE, PHASE, SPECTRUM, kurtosis_feature, orientation_feature
from scipy import stats

from tdvae_am.units.sensitivity import (
    _eta_squared_of_swaps,
    equalize_contrast,
    eta_squared,
    modulation_index,
    phase_sensitivity,
)


def test_eta_squared_matches_the_anova_f_statistic():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 20)
    values = rng.standard_normal((60, 2)) + np.array([[0.0], [1.0], [2.0]])[labels] * [1, 0]
    f = np.array([stats.f_oneway(*(values[labels == k, j] for k in range(3))).statistic for j in range(2)])
    assert np.allclose(eta_squared(values, labels), f * 2 / (f * 2 + 57))
    assert np.allclose(eta_squared(np.arange(6.0)[:, None], np.array([0, 0, 0, 1, 1, 1])), 27 / 35)


def test_modulation_index_and_equalize_contrast():
    rng = np.random.default_rng(0)
    tex = rng.standard_normal((50, 3))
    assert np.allclose(modulation_index(3 * tex, tex), 0.8) and np.allclose(modulation_index(tex, tex), 0)
    eq = equalize_contrast(rng.standard_normal((4, 8, 8)) * [[[1]], [[2]], [[3]], [[4]]] + 1, rms=1.5)
    assert eq.dtype == np.float32
    assert np.allclose(eq.mean((1, 2)), 0, atol=1e-6) and np.allclose(np.sqrt((eq**2).mean((1, 2))), 1.5)


def test_swap_algebra_matches_explicit_swaps():
    rng = np.random.default_rng(0)
    family = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 1, 0, 2])
    tex, scr = rng.standard_normal((12, 3)) + 2, rng.standard_normal((12, 3)) - 1
    swaps = rng.integers(0, 2, (6, 12)).astype(np.float64)
    eta_tex, eta_scr = _eta_squared_of_swaps(tex, scr, np.eye(3)[family], swaps)
    for p, swap in enumerate(swaps.astype(bool)):
        a, b = np.where(swap[:, None], scr, tex), np.where(swap[:, None], tex, scr)
        assert np.allclose(eta_tex[p], eta_squared(a, family)) and np.allclose(eta_scr[p], eta_squared(b, family))


def pairs(n_units, effect, n_per_family=20, n_families=3, seed=0):
    """Texture and twin responses ``(N, U)``: the family shifts each unit of the textures by
    ``effect * family``, and of the twins by as much as their family's spectrum explains (0.5)."""
    rng = np.random.default_rng(seed)
    family = np.repeat(np.arange(n_families), n_per_family)
    tex = rng.standard_normal((len(family), n_units)) + (0.5 + effect) * family[:, None]
    scr = rng.standard_normal((len(family), n_units)) + 0.5 * family[:, None]
    return tex, scr, family


def test_phase_sensitivity_null_is_calibrated_for_exchangeable_pairs():
    n_units, n_permutations = 400, 199
    tex, scr, family = pairs(n_units, effect=0.0)
    result = phase_sensitivity(tex, scr, family, n_permutations, seed=1)
    p = result["p_value"]
    assert p.min() >= 1 / (n_permutations + 1) and p.max() <= 1
    low, high = stats.binom.ppf([0.0005, 0.9995], n_units, 0.05)
    assert low <= np.sum(p < 0.05) <= high
    assert stats.kstest(p, "uniform").pvalue > 0.001
    assert np.all(np.abs(result["gain"]) < 4 * result["null_std"])


def test_phase_sensitive_units_reach_the_smallest_p_value():
    n_permutations = 99
    tex, scr, family = pairs(4, effect=3.0)
    result = phase_sensitivity(tex, scr, family, n_permutations)
    assert np.all(result["gain"] > 0.2)
    assert np.all(result["p_value"] == 1 / (n_permutations + 1))
    assert np.all(result["gain"] > result["null_mean"] + 4 * result["null_std"])
    # swapping the roles: more family information in the twins, p near 1
    reversed_ = phase_sensitivity(scr, tex, family, n_permutations)
    assert np.allclose(reversed_["gain"], -result["gain"]) and np.all(reversed_["p_value"] > 0.9)


def test_spectrum_only_units_have_no_gain():
    tex, _, family = pairs(3, effect=1.0)
    result = phase_sensitivity(tex, tex.copy(), family, 50)
    assert np.all(result["gain"] == 0) and np.all(result["p_value"] == 1) and np.all(result["null_std"] == 0)


def test_phase_sensitivity_does_not_depend_on_chunking_or_offsets():
    tex, scr, family = pairs(5, effect=0.2)
    a = phase_sensitivity(tex, scr, family, 120, seed=3)
    b = phase_sensitivity(tex + 100, scr + 100, family, 120, seed=3, chunk=7)
    for k in a:
        assert np.allclose(a[k], b[k])


def test_planted_features_on_textures_and_twins(planted):
    """The planted phase feature separates textures from their twins; the spectrum feature does not."""
    tex, scr = (torch.as_tensor(p.reshape(len(p), -1), dtype=torch.float64) for p in (planted.textures,
                                                                                        planted.scrambled))
    assert kurtosis_feature(tex).mean() > kurtosis_feature(scr).mean() + 0.5
    assert np.allclose(orientation_feature(tex), orientation_feature(scr), atol=1e-4)


def test_phase_sensitivity_of_planted_units(planted):
    from tdvae_am.units.activity import encode

    tex = encode(planted.model, equalize_contrast(planted.textures), kl=False)["mean"]
    scr = encode(planted.model, equalize_contrast(planted.scrambled), kl=False)["mean"]
    result = phase_sensitivity(tex, scr, planted.family, n_permutations=99)
    assert result["p_value"][PHASE] == pytest.approx(0.01) and result["gain"][PHASE] > 0.3
    assert abs(result["gain"][SPECTRUM]) < 1e-4 and eta_squared(tex, planted.family)[SPECTRUM] > 0.5
    assert result["p_value"][INFORMATIVE] > 0.05 and result["p_value"][SPECTRUM] > 0.05
