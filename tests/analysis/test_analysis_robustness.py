import numpy as np
import torch
from am_toys import LinearUnits

from tdvae_am.analysis import aperture_curve, gabor, jitter_activation, occlusion_map, shift_map

SHAPE = (16, 16)


def _localized_unit():
    """One unit: a small Gabor at the centre; its best image is that Gabor."""
    g = gabor(SHAPE, 7.5, 7.5, 0.0, 5.0, 2.0, 0.0)
    return LinearUnits(g[None]), g[None]


def test_aperture_curve_saturates_once_the_receptive_field_is_inside():
    unit, image = _localized_unit()
    curve = aperture_curve(unit, image, [0], radii=[0.5, 2, 4, 8, 12])
    assert curve.shape == (1, 5)
    assert curve[0, 0] < 0.2 and curve[0, -1] > 0.999
    assert np.all(np.diff(curve[0].numpy()) > -1e-6)


def test_occlusion_map_drops_only_over_the_receptive_field():
    unit, image = _localized_unit()
    omap = occlusion_map(unit, image, [0], patch=4, stride=4)
    assert omap.shape == (1, 4, 4)
    assert omap[0, 1:3, 1:3].max() < 0.9 and omap[0, 0, 0] > 0.99


def test_shift_map_peaks_at_zero_and_knows_direction():
    unit, image = _localized_unit()
    smap = shift_map(unit, image, [0], max_shift=3)
    assert smap.shape == (1, 7, 7)
    assert torch.argmax(smap[0]).item() == 3 * 7 + 3
    torch.testing.assert_close(smap[0, 3, 3], torch.tensor(1.0))
    # a unit tuned to the image shifted by (dy, dx) = (1, -2) responds best at that shift
    shifted = torch.roll(image, (1, -2), dims=(1, 2))
    smap = shift_map(LinearUnits(shifted), image, [0], max_shift=3, mode="circular")
    assert torch.argmax(smap[0]).item() == (3 + 1) * 7 + (3 - 2)


def test_jitter_activation_stays_below_the_unshifted_optimum():
    unit, image = _localized_unit()
    values = jitter_activation(unit, image, [0], shift=2, n=50, seed=1)
    assert values.shape == (1, 50)
    assert values.max() <= 1.0 + 1e-5 and values.min() < 0.9
    torch.testing.assert_close(values, jitter_activation(unit, image, [0], shift=2, n=50, seed=1))
