import json

import numpy as np
import pytest
import torch
from scipy import stats

from tdvae_am.models import LatentVariableModel
from tdvae_am.units.activity import active_units, activity, encode
from tdvae_am.units.classify import classify_units
from tdvae_am.units.decoding import decode_family, image_folds
from tdvae_am.units.selection import select_units
from tdvae_am.units.sensitivity import against_reference, equalize_contrast, eta_squared, modulation_index

MODEL = {"name": "tdvae", "x_dim": 64, "z1_dim": 24, "z2_dim": 16, "h_dim": 32, "z2_hidden": [24],
         "top_down": [16], "z1_hidden": [24], "prior_hidden": [16]}  # fmt: skip
COLLAPSED = [3, 7, 12, 13, 14, 15]


def models():
    """An untrained model and a copy with units COLLAPSED at the prior and the others active."""
    torch.manual_seed(0)
    untrained = LatentVariableModel.from_config(MODEL)
    torch.manual_seed(0)
    model = LatentVariableModel.from_config(MODEL)
    head = model.q_z2[1].linear
    d = MODEL["z2_dim"]
    with torch.no_grad():
        head.weight[:d] *= 20
        head.bias[d:] = -2
        for unit in COLLAPSED:  # q(z2_i|x) = N(0, 1) = p(z2_i)
            head.weight[[unit, d + unit]] = 0
            head.bias[[unit, d + unit]] = 0
    return model, untrained


def textures(n_families=3, n_images=6, n_crops=8, seed=0):
    """Oriented gratings (one orientation and frequency per family) with noise, and phase-scrambled twins."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:8, :8]
    patches, family, image = [], [], []
    for f in range(n_families):
        theta, freq = np.pi * f / n_families, 0.15 + 0.1 * f
        for i in range(n_images):
            for _ in range(n_crops):
                phase = rng.uniform(0, 2 * np.pi)
                grating = np.sign(np.sin(2 * np.pi * freq * (xx * np.cos(theta) + yy * np.sin(theta)) + phase))
                patches.append(grating + 0.3 * rng.standard_normal((8, 8)))
                family.append(f)
                image.append(f * n_images + i)
    patches = np.array(patches, dtype=np.float32)
    spectrum = np.fft.fft2(patches)
    random_phase = np.angle(np.fft.fft2(rng.standard_normal(patches.shape)))
    scrambled = np.fft.ifft2(np.abs(spectrum) * np.exp(1j * random_phase)).real.astype(np.float32)
    return patches, scrambled, np.array(family), np.array(image)


def test_activity_rule_separates_collapsed_from_active_units():
    model, _ = models()
    natural = np.random.default_rng(1).standard_normal((300, 8, 8)).astype(np.float32)
    stats_ = activity(encode(model, natural))
    assert active_units(stats_["mean_kl"]).tolist() == [u for u in range(16) if u not in COLLAPSED]
    assert np.allclose(stats_["mean_kl"][COLLAPSED], 0, atol=1e-6)
    assert np.allclose(stats_["mean_std"][COLLAPSED], 1) and np.allclose(stats_["var_mean"][COLLAPSED], 0)


def test_image_folds_never_split_an_image():
    _, _, family, image = textures()
    folds = image_folds(family, image, n_splits=4)
    assert len(folds) == 4
    test_images = [set(image[test]) for _, test in folds]
    assert sum(len(s) for s in test_images) == len(set(image))  # each image in exactly one test fold
    for (train, test), imgs in zip(folds, test_images):
        assert not imgs & set(image[train])
        assert set(family[test]) == set(family)  # stratified


def grouped_labels(n_families=5, n_images=20, n_crops=10):
    family = np.repeat(np.arange(n_families), n_images * n_crops)
    image = np.repeat(np.arange(n_families * n_images), n_crops)
    return family, image


def test_decoding_is_high_on_a_separable_set():
    family, image = grouped_labels()
    rng = np.random.default_rng(0)
    features = rng.standard_normal((len(family), 10)) + 5 * np.eye(10)[family]
    result = decode_family(features, family, image)
    assert result["accuracy"] > 0.95 and result["ci_bootstrap"][0] > 0.9
    assert result["chance"] == pytest.approx(0.2) and result["n_images"] == 100
    assert np.sum(result["confusion"]) == len(family)
    json.dumps(result)


def test_decoding_is_at_chance_on_shuffled_labels():
    family, image = grouped_labels()
    rng = np.random.default_rng(0)
    features = rng.standard_normal((len(family), 10)) + 3 * np.eye(10)[family]
    shuffled = rng.permutation(family[::10]).repeat(10)  # images keep their crops, families are shuffled
    result = decode_family(features, shuffled, image)
    assert result["ci_bootstrap"][0] <= result["uniform_chance"] <= result["ci_bootstrap"][1]
    assert abs(result["accuracy"] - 0.2) < 0.05


def test_unit_statistics_have_known_values():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 20)
    values = rng.standard_normal((60, 2)) + np.array([[0.0], [1.0], [2.0]])[labels] * [1, 0]
    f = np.array([stats.f_oneway(*(values[labels == k, j] for k in range(3))).statistic for j in range(2)])
    assert np.allclose(eta_squared(values, labels), f * 2 / (f * 2 + 57))
    tex = rng.standard_normal((50, 3))
    assert np.allclose(modulation_index(3 * tex, tex), 0.8)
    z, pct = against_reference(np.array([0.0, 2.0]), np.array([-1.0, 0.0, 1.0, 1.0]))
    assert np.allclose(z, [(0 - 0.25) / np.std([-1, 0, 1, 1]), (2 - 0.25) / np.std([-1, 0, 1, 1])])
    assert pct.tolist() == [50.0, 100.0]
    eq = equalize_contrast(rng.standard_normal((4, 8, 8)) * [[[1]], [[2]], [[3]], [[4]]] + 1, rms=1.5)
    assert np.allclose(eq.mean((1, 2)), 0, atol=1e-6) and np.allclose(np.sqrt((eq**2).mean((1, 2))), 1.5)


def test_selection_falls_back_when_few_units_are_active():
    score, kl = np.arange(12.0), np.linspace(1, 0, 12)
    with pytest.warns(UserWarning, match="only 3 active"):
        result = select_units(score, np.array([0, 5, 11]), kl)
    assert result["fallback"]
    assert result["texture_sensitive"] == [9, 8, 7, 6, 5] and result["non_texture_sensitive"] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        select_units(np.arange(8.0), np.arange(8), np.ones(8))


def test_classify_units_returns_five_and_five_distinct_active_units():
    model, untrained = models()
    tex, scr, family, image = textures()
    natural = np.random.default_rng(1).standard_normal((200, 8, 8)).astype(np.float32)
    result = classify_units(model, untrained, natural, tex, scr, family, image, ["a", "b", "c"], n_splits=3)
    chosen = result["texture_sensitive"] + result["non_texture_sensitive"]
    assert len(set(chosen)) == 10 and set(chosen) <= set(result["active"])
    assert not result["fallback"] and result["n_active"] == 10
    score = np.array(result["units"]["trained"]["texture_score"])
    assert score[result["texture_sensitive"]].min() >= score[result["non_texture_sensitive"]].max()
    assert np.array(result["units"]["trained"]["mean_kl_family"]).shape == (3, 16)
    assert set(result["decoding"]) == {"z2", "z2_untrained", "z2_scrambled", "z2_untrained_scrambled", "pixels", "z1"}
    assert all(0 <= d["accuracy"] <= 1 and d["n"] == len(family) for d in result["decoding"].values())
    json.dumps(result)
