import json

import numpy as np
import pytest
import torch
from planted import kurtosis_feature

from tdvae_am.units.decoding import decode_family, decode_texture_vs_scrambled, image_folds
from tdvae_am.units.sensitivity import equalize_contrast


def test_image_folds_never_split_an_image(planted):
    family, image = planted.family, planted.image
    folds = image_folds(family, image, n_splits=4)
    assert len(folds) == 4
    test_images = [set(image[test]) for _, test in folds]
    assert sum(len(s) for s in test_images) == len(set(image))  # each image in exactly one test fold
    for (train, test), imgs in zip(folds, test_images):
        assert not imgs & set(image[train])
        assert set(family[test]) == set(family)  # stratified
    assert len(image_folds(family, image, n_splits=10)) == 4  # at most the images of a family
    with pytest.raises(ValueError, match="2 images"):
        image_folds(family, family)


def grouped_labels(n_families=5, n_images=20, n_crops=10):
    family = np.repeat(np.arange(n_families), n_images * n_crops)
    image = np.repeat(np.arange(n_families * n_images), n_crops)
    return family, image


def test_decoding_is_high_on_a_separable_set():
    family, image = grouped_labels()
    rng = np.random.default_rng(0)
    features = rng.standard_normal((len(family), 10)) + 5 * np.eye(10)[family]
    result = decode_family(features, family, image)
    assert result["accuracy"] > 0.95 and result["ci_bootstrap"][0] > 0.9 and result["ci_binomial"][0] > 0.9
    assert result["chance"] == pytest.approx(0.2) and result["n_images"] == 100 and result["n_splits"] == 5
    assert np.sum(result["confusion"]) == len(family)
    assert np.trace(result["confusion"]) == round(result["accuracy"] * len(family))
    json.dumps(result)


def test_decoding_is_at_chance_on_shuffled_labels():
    family, image = grouped_labels()
    rng = np.random.default_rng(0)
    features = rng.standard_normal((len(family), 10)) + 3 * np.eye(10)[family]
    shuffled = rng.permutation(family[::10]).repeat(10)  # images keep their crops, families are shuffled
    result = decode_family(features, shuffled, image)
    assert result["ci_bootstrap"][0] <= result["uniform_chance"] <= result["ci_bootstrap"][1]
    assert abs(result["accuracy"] - 0.2) < 0.05


def test_per_image_counts_sum_to_the_totals():
    family, image = grouped_labels(n_families=3, n_images=6, n_crops=5)
    image = image[::-1] * 7  # arbitrary image ids, not sorted along the patches
    image[:4] = image[4]  # images of unequal sizes
    rng = np.random.default_rng(1)
    features = rng.standard_normal((len(family), 4)) + 1.5 * np.eye(4)[family]
    result = decode_family(features, family, image, n_splits=3, n_bootstrap=100)
    per_image = result["per_image"]
    assert per_image["image"] == sorted(set(image.tolist()))
    assert sum(per_image["n"]) == result["n"] == len(family)
    assert sum(per_image["correct"]) == round(result["accuracy"] * result["n"])
    assert per_image["n"] == [int(np.sum(image == i)) for i in per_image["image"]]
    assert all(0 <= c <= n for c, n in zip(per_image["correct"], per_image["n"]))
    assert 0 < result["accuracy"] < 1


def test_texture_vs_scrambled_decoding_on_planted_data(planted):
    tex, scr = equalize_contrast(planted.textures), equalize_contrast(planted.scrambled)
    n = len(tex)
    pixels = decode_texture_vs_scrambled(tex.reshape(n, -1), scr.reshape(n, -1), planted.image, n_splits=4)
    assert pixels["chance"] == 0.5 and pixels["n"] == 2 * n and pixels["n_images"] == len(set(planted.image))
    assert pixels["ci_binomial"][0] <= 0.5 <= pixels["ci_binomial"][1] and abs(pixels["accuracy"] - 0.5) < 0.1

    def kurtosis(p):
        return kurtosis_feature(torch.as_tensor(p.reshape(n, -1), dtype=torch.float64)).numpy()[:, None]

    phase = decode_texture_vs_scrambled(kurtosis(tex), kurtosis(scr), planted.image, n_splits=4)
    assert phase["accuracy"] > 0.8 and phase["ci_binomial"][0] > 0.7
    json.dumps(phase)
