import numpy as np
import pytest

from tdvae_am.units.selection import FALLBACK_MIN_UNITS, holm, select_units


def test_holm_has_hand_computed_values():
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4 x 0.005, 3 x 0.01, 2 x 0.03, max(1 x 0.04, 0.06)
    assert np.allclose(holm(np.array([0.01, 0.04, 0.03, 0.005])), [0.03, 0.06, 0.06, 0.02])
    assert np.allclose(holm(np.array([0.5, 0.6])), [1.0, 1.0])  # capped at 1
    assert np.allclose(holm(np.array([0.02, 0.02, 0.5])), [0.06, 0.06, 0.5])  # ties
    assert np.allclose(holm(np.array([0.01])), [0.01]) and len(holm(np.array([]))) == 0


# units:          0      1      2     3     4      5      6     7     8     9    10    11
GAIN = np.array([0.30, 0.10, 0.20, 0.01, 0.05, -0.02, 0.02, 0.00, 0.50, 0.40, 0.15, 0.25])
P = np.array([0.001, 0.002, 0.001, 0.30, 0.04, 0.80, 0.06, 1.00, 0.001, 0.001, 0.90, 0.001])
INFO = np.array([1.0, 2.0, 0.5, 0.4, 3.0, 0.8, 0.3, 0.9, 0.01, 0.02, 0.00, 0.03])
ACTIVE = np.arange(8)  # 8-11 inactive


def test_select_units_classes_and_ordering():
    result = select_units(GAIN, P, INFO, ACTIVE, n_units=5)
    # Holm over the 8 active: 0.001 x 8 = 0.008 (units 0, 2), 0.002 x 6 = 0.012 (unit 1), 0.04 x 5 = 0.2 (unit 4)
    assert np.allclose(result["p_holm"][[0, 1, 2, 4]], [0.008, 0.012, 0.008, 0.2])
    assert np.all(np.isnan(result["p_holm"][8:]))
    assert result["texture_sensitive"] == [0, 2, 1]  # largest gain first
    assert result["non_texture_sensitive"] == [7, 5, 3, 6]  # p >= 0.05, most informative first
    # unit 4: p = 0.04 is significant alone but not after the correction: neither class
    assert result["candidates"] == {"texture_sensitive": 3, "non_texture_sensitive": 4, "neither": 1}
    assert not result["fallback"]


def test_select_units_cuts_to_n_units_and_requires_a_positive_gain():
    result = select_units(GAIN, P, INFO, ACTIVE, n_units=2)
    assert result["texture_sensitive"] == [0, 2] and result["non_texture_sensitive"] == [7, 5]
    assert result["candidates"]["texture_sensitive"] == 3 and not result["fallback"]
    gain = GAIN.copy()
    gain[0] = 0.0  # significant p but no gain: neither class
    result = select_units(gain, P, INFO, ACTIVE, n_units=5)
    assert result["texture_sensitive"] == [2, 1] and result["candidates"]["neither"] == 2


def test_select_units_fallback_only_when_asked_and_flagged():
    active = np.array([0, 3, 4, 5])  # texture-sensitive: 0 (Holm 0.004); null level: 3, 5; neither: 4
    short = select_units(GAIN, P, INFO, active, n_units=3)
    assert short["texture_sensitive"] == [0] and short["non_texture_sensitive"] == [5, 3] and not short["fallback"]
    filled = select_units(GAIN, P, INFO, active, n_units=3, fallback=True)
    assert filled["fallback"]
    # the texture class from inactive units by gain (8, 9), the other from what is left by information (1)
    assert filled["texture_sensitive"] == [0, 8, 9] and filled["non_texture_sensitive"] == [5, 3, 1]
    assert filled["candidates"] == short["candidates"]
    chosen = filled["texture_sensitive"] + filled["non_texture_sensitive"]
    assert len(set(chosen)) == 6 and 4 not in chosen  # an active unit of neither class is never a filler
    # full classes: nothing to fill, not flagged
    full = select_units(GAIN, P, INFO, ACTIVE, n_units=3, fallback=True)
    assert not full["fallback"] and full["texture_sensitive"] == [0, 2, 1]


def test_select_units_fallback_needs_enough_units():
    with pytest.raises(ValueError, match="distinct"):
        select_units(GAIN[:5], P[:5], INFO[:5], np.array([0]), n_units=3, fallback=True)
    result = select_units(GAIN[:5], P[:5], INFO[:5], np.array([0]), n_units=3)  # without fallback: short classes
    assert result["texture_sensitive"] == [0] and result["non_texture_sensitive"] == []


def test_select_units_with_no_active_unit():
    result = select_units(GAIN, P, INFO, np.array([], dtype=int), n_units=2)
    assert result["texture_sensitive"] == [] and result["non_texture_sensitive"] == []
    assert result["candidates"] == {"texture_sensitive": 0, "non_texture_sensitive": 0, "neither": 0}
    assert np.all(np.isnan(result["p_holm"]))


def test_select_units_takes_every_candidate_by_default():
    result = select_units(GAIN, P, INFO, ACTIVE)  # n_units None: the whole classes, in class order
    assert result["texture_sensitive"] == [0, 2, 1] and result["non_texture_sensitive"] == [7, 5, 3, 6]
    capped = select_units(GAIN, P, INFO, ACTIVE, n_units=2)  # a number caps each class, the same order
    assert capped["texture_sensitive"] == result["texture_sensitive"][:2]
    assert capped["non_texture_sensitive"] == result["non_texture_sensitive"][:2]
    assert result["candidates"] == capped["candidates"] and not result["fallback"]


def test_select_units_fallback_without_n_units_fills_short_classes_to_the_minimum():
    active = np.array([0, 3, 4, 5])  # texture-sensitive: 0; null level: 3, 5; neither: 4
    filled = select_units(GAIN, P, INFO, active, fallback=True)
    assert FALLBACK_MIN_UNITS == 2 and filled["fallback"]
    # only the short texture class grows, by gain among the inactive units, up to 2; the other keeps its 2
    assert filled["texture_sensitive"] == [0, 8] and filled["non_texture_sensitive"] == [5, 3]
    # a class longer than the minimum is neither cut nor filled
    long = select_units(GAIN, P, INFO, ACTIVE, fallback=True)
    assert not long["fallback"] and long["non_texture_sensitive"] == [7, 5, 3, 6]
    none = select_units(GAIN, P, INFO, np.array([], dtype=int), fallback=True)
    assert none["texture_sensitive"] == [8, 9] and none["non_texture_sensitive"] == [4, 1]  # the rest by information
    with pytest.raises(ValueError, match="2 x 2 distinct"):
        select_units(GAIN[:3], P[:3], INFO[:3], np.array([], dtype=int), fallback=True)
