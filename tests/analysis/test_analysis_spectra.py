import math

import numpy as np
import pytest
import torch

from tdvae_am.analysis import amplitude_spectrum, dominant_frequency, gabor, spectral_entropy


def _grating(shape, fy, fx, phase=0.3):
    y = torch.arange(shape[0])[:, None].float()
    x = torch.arange(shape[1])[None, :].float()
    return torch.cos(2 * math.pi * (fy * y / shape[0] + fx * x / shape[1]) + phase)


def test_amplitude_spectrum_of_a_grating_has_two_peaks():
    amp = amplitude_spectrum(_grating((16, 16), 2, 3))
    assert amp.shape == (16, 16)
    peaks = torch.nonzero(amp > amp.max() / 2).tolist()
    assert sorted(peaks) == [[6, 5], [10, 11]]                         # centre (8, 8) -/+ (2, 3)
    assert amp[8, 8] == pytest.approx(0, abs=1e-4)


def test_spectral_entropy_orders_white_noise_above_gabor_above_grating():
    noise = torch.randn(16, 16, generator=torch.Generator().manual_seed(0))
    g = gabor((16, 16), 7.5, 7.5, 0.7, 5.0, 3.0, 0.0)
    values = spectral_entropy(torch.stack([noise, g, _grating((16, 16), 2, 3)]))
    assert 0.9 < values[0] <= 1.0
    assert values[0] > values[1] > values[2]
    assert values[2] < 0.2


def test_dominant_frequency_and_orientation():
    freq, orient = dominant_frequency(np.stack([_grating((32, 32), 0, 4).numpy(), _grating((32, 32), 4, 4).numpy()]))
    np.testing.assert_allclose(freq.numpy(), [4 / 32, math.sqrt(32) / 32], rtol=1e-5)
    np.testing.assert_allclose(orient.numpy(), [0.0, math.pi / 4], atol=1e-6)
    _, theta = dominant_frequency(gabor((32, 32), 15.5, 15.5, 2.0, 8.0, 5.0, 0.0))
    assert theta.item() == pytest.approx(2.0, abs=0.15)


def test_dominant_frequency_of_pooled_spectra():
    strong, weak = _grating((32, 32), 0, 4), 0.3 * _grating((32, 32), 0, 8)
    images = torch.stack([torch.stack([strong + weak, weak]), torch.stack([weak, weak])])   # (2 units, 2 restarts)
    freq, _ = dominant_frequency(images, pool_dim=1)
    assert freq.shape == (2,)
    assert freq[0].item() == pytest.approx(4 / 32) and freq[1].item() == pytest.approx(8 / 32)
