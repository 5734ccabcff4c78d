"""End to end on the planted units (tests/units/planted.py)."""

import json

import numpy as np
import pytest
import torch
from planted import (
    COLLAPSED,
    INFORMATIVE,
    NAMES,
    OFFSET,
    PHASE,
    SPECTRUM,
    TDVAE_COLLAPSED,
    TDVAE_OFFSET,
    tdvae_with_planted_units,
)

from tdvae_am.data.textures import phase_scramble
from tdvae_am.models import LatentVariableModel
from tdvae_am.units.classify import classify_units

N_PERMUTATIONS = 199


def classify(planted, images_per_family=4, **kwargs):
    """classify_units on the planted data (the first ``images_per_family`` images of each family)."""
    keep = planted.image % 4 < images_per_family
    kwargs = {"untrained": planted.untrained, "n_permutations": N_PERMUTATIONS, "n_splits": 4} | kwargs
    return classify_units(planted.model, natural=planted.natural, textures=planted.textures[keep],
                          scrambled=planted.scrambled[keep], family=planted.family[keep], image=planted.image[keep],
                          families=["sparse", "dense", "vertical"], **kwargs)


@pytest.fixture(scope="module")
def result(planted):
    return classify(planted)


def test_planted_units_are_classified_correctly(result):
    units = {k: np.array(v) for k, v in result["units"]["trained"].items()}
    info, kl = units["information_natural"], units["mean_kl_natural"]
    assert result["threshold"] == 0.05 and result["n_active_untrained"] == 0
    assert result["active"] == [INFORMATIVE, PHASE, SPECTRUM] and result["n_active"] == 3
    # offset, input-independent: a large KL to the prior, no information: inactive
    assert info[OFFSET] == 0 and kl[OFFSET] > 4 and kl[OFFSET] > kl[[INFORMATIVE, PHASE, SPECTRUM]].max()
    # exactly collapsed
    assert info[COLLAPSED] == 0 and kl[COLLAPSED] == 0
    # phase-sensitive: texture-sensitive at the smallest p-value, Holm-adjusted over the 3 active units
    assert result["texture_sensitive"] == [PHASE]
    assert units["p_value"][PHASE] == 1 / (N_PERMUTATIONS + 1)
    assert units["p_holm"][PHASE] == pytest.approx(3 / (N_PERMUTATIONS + 1))
    assert units["gain"][PHASE] > 0.3 and units["selectivity"][PHASE] > 0.5 > units["selectivity_scrambled"][PHASE]
    # spectrum-only: family information in textures and twins alike, no gain, at the null level
    assert SPECTRUM in result["non_texture_sensitive"]
    assert abs(units["gain"][SPECTRUM]) < 1e-4 and units["p_value"][SPECTRUM] >= 0.05
    assert units["selectivity"][SPECTRUM] > 0.5
    assert units["selectivity_scrambled"][SPECTRUM] == pytest.approx(units["selectivity"][SPECTRUM], abs=1e-4)
    # informative (a linear filter): active, no family information beyond the spectrum
    assert result["non_texture_sensitive"] == [SPECTRUM, INFORMATIVE]  # most informative first
    assert info[SPECTRUM] > info[INFORMATIVE]
    assert result["candidates"] == {"texture_sensitive": 1, "non_texture_sensitive": 2, "neither": 0}
    assert not result["fallback"]
    assert np.all(np.isnan(units["p_holm"][[OFFSET, COLLAPSED]]))


def test_classification_statistics_and_decoding(result, planted):
    units = result["units"]
    assert np.array(units["trained"]["mean_kl_family"]).shape == (3, len(NAMES))
    assert np.array(units["trained"]["information_family"])[:, [OFFSET, COLLAPSED]].max() == 0
    assert np.array(units["untrained"]["information_natural"]).max() == 0
    assert result["families"] == ["sparse", "dense", "vertical"] and result["rule"]["contrast_equalized"]
    decoding, phase = result["decoding"], result["decoding_phase"]
    assert set(decoding) == {"z2", "z2_untrained", "z2_scrambled", "z2_untrained_scrambled", "pixels"}
    assert all(d["n"] == len(planted.family) for d in decoding.values())
    assert decoding["z2"]["accuracy"] > decoding["z2_scrambled"]["accuracy"] > decoding["z2_untrained"]["accuracy"]
    assert decoding["z2_untrained"]["accuracy"] == pytest.approx(1 / 3)
    assert phase["z2"]["accuracy"] > 0.75 and phase["z2_untrained"]["accuracy"] == 0.5
    assert abs(phase["pixels"]["accuracy"] - 0.5) < 0.1
    json.dumps(result)


def test_fallback_fills_from_inactive_units_and_is_flagged(planted):
    result = classify(planted, images_per_family=2, n_units=2, fallback=True)
    assert result["fallback"] and result["rule"]["fallback"] != "none"
    assert result["texture_sensitive"] == [PHASE, OFFSET]  # gains tie at 0: the first inactive unit
    assert result["non_texture_sensitive"] == [SPECTRUM, INFORMATIVE]


def test_untrained_calibration_raises_the_threshold(planted):
    """With the trained model as its own null at most 2 units may pass: the least informative of
    the three input-dependent units sets the threshold."""
    result = classify(planted, images_per_family=2, untrained=planted.model, max_untrained_active=2)
    info = np.array(result["units"]["trained"]["information_natural"])
    assert result["threshold"] == pytest.approx(np.sort(info)[-3]) and result["threshold"] > 0.05
    assert result["n_active_untrained"] == 2 and result["n_active"] == 2
    assert result["active"] == [INFORMATIVE, SPECTRUM]  # the phase unit is the least informative
    assert result["texture_sensitive"] == [] and result["non_texture_sensitive"] == [SPECTRUM, INFORMATIVE]


def test_classify_a_tdvae_with_collapsed_and_offset_units(planted):
    """The real model interface, z1 decoding included, on 8 x 8 crops of the planted textures."""
    model = tdvae_with_planted_units()
    torch.manual_seed(0)
    untrained = LatentVariableModel.from_config(model.config)
    keep = planted.image % 4 < 2
    textures = planted.textures[keep][:, :8, :8]
    scrambled = phase_scramble(textures, np.random.default_rng(0)).astype(np.float32)
    natural = np.random.default_rng(1).standard_normal((100, 8, 8)).astype(np.float32)
    result = classify_units(model, untrained, natural, textures, scrambled, planted.family[keep], planted.image[keep],
                            n_units=3, n_permutations=49, n_splits=2)
    assert not set(result["active"]) & set(TDVAE_COLLAPSED + TDVAE_OFFSET)
    assert result["n_active_untrained"] <= 2 and result["threshold"] >= 0.05
    chosen = result["texture_sensitive"] + result["non_texture_sensitive"]
    assert set(chosen) <= set(result["active"]) and len(set(chosen)) == len(chosen) and not result["fallback"]
    assert set(result["decoding"]) == {"z2", "z2_untrained", "z2_scrambled", "z2_untrained_scrambled", "pixels", "z1"}
    assert all(0 <= d["accuracy"] <= 1 and d["n"] == len(textures) for d in result["decoding"].values())
    assert np.array(result["units"]["untrained"]["information_family"]).shape == (3, 16)
    json.dumps(result)
