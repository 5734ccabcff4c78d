"""Frequency grids and the high-frequency power share."""

import math

import numpy as np
import pytest
import torch

from tdvae_am.imageops.fourier import high_frequency_power


def _grating(shape, fy, fx, phase=0.3):
    y = torch.arange(shape[0])[:, None].float()
    x = torch.arange(shape[1])[None, :].float()
    return torch.cos(2 * math.pi * (fy * y / shape[0] + fx * x / shape[1]) + phase)


def test_high_frequency_power_of_gratings_and_noise():
    low, high = _grating((16, 15), 2, 2), _grating((16, 15), 6, 5)   # 0.18 and 0.51 cycles / pixel
    values = high_frequency_power(torch.stack([low, high, low + high, torch.ones(16, 15)]))
    np.testing.assert_allclose(values.numpy(), [0.0, 1.0, 0.5, 0.0], atol=0.02)
    noise = torch.randn(64, 32, 32, generator=torch.Generator().manual_seed(0))
    expected = 1 - math.pi * 0.25**2                                   # area of |f| <= 0.25 in the unit square
    assert high_frequency_power(noise).mean().item() == pytest.approx(expected, abs=0.02)
