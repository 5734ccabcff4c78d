import math

import numpy as np
import pytest
import torch
from am_toys import LinearUnits, pixel_config, unit_weights

from tdvae_am.am import run_am
from tdvae_am.am.grad import FourierFilter, GradBlur, fourier_filter
from tdvae_am.imageops.fourier import high_frequency_power


def test_gradient_fourier_filter_units_and_normalization():
    filt = fourier_filter(40, 40, 0.5)
    assert filt.mean().item() == pytest.approx(1.0)
    assert filt[0, 0] == filt[0, 1] == filt[1, 0] == filt.max()        # |f| <= 1 cycle per image is unfiltered
    assert filt[0, 2] / filt[0, 1] == pytest.approx(0.5)                # 1 / |f| in cycles per image
    assert filt[20, 20] / filt[0, 1] == pytest.approx(1 / math.sqrt(800))
    torch.testing.assert_close(fourier_filter(40, 40, 0.0), torch.ones(40, 40))
    g = torch.randn(3, 40, 40)
    assert torch.all(high_frequency_power(FourierFilter(exponent=0.5)(g, 0, 1)) < 0.5 * high_frequency_power(g))


def test_gradient_blur_lowers_high_frequencies():
    g = torch.randn(3, 40, 40)
    assert torch.all(high_frequency_power(GradBlur(sigma=1.0)(g, 0, 1)) < 0.3 * high_frequency_power(g))


@pytest.mark.parametrize("op", [{"name": "fourier", "exponent": 1.0}, {"name": "blur", "sigma": 1.0}])
def test_gradient_filters_lower_high_frequency_power_of_the_result(slow_pixel_am, op):
    plain, filtered = slow_pixel_am(), slow_pixel_am(grad=[op])
    assert high_frequency_power(filtered).mean() < 0.7 * high_frequency_power(plain).mean()


def test_only_the_activation_gradient_is_filtered():
    """With a TV term only, the filter must not change the step: R_grad acts on the activation term."""
    units = LinearUnits(unit_weights(1))
    config = pixel_config(steps=3, budget=None, optimizer={"name": "sgd", "lr": 0.01})
    zero = lambda x: units(x) * 0.0  # noqa: E731
    plain = run_am(zero, [0], {**config, "obj": [{"name": "tv", "weight": 1.0}]}, seed=0)
    filtered = run_am(zero, [0], {**config, "obj": [{"name": "tv", "weight": 1.0}],
                                  "grad": [{"name": "fourier", "exponent": 1.0}]}, seed=0)
    np.testing.assert_allclose(filtered.images, plain.images, rtol=1e-6)
    assert not math.isclose(float(np.abs(plain.images).sum()),
                            float(np.abs(run_am(zero, [0], config, seed=0).images).sum()))
