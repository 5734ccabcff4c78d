"""Spatial filters: exact Gaussian transfer function, edge-preserving denoisers."""

import math

import numpy as np
import pytest
import torch
from skimage.restoration import denoise_tv_chambolle

from tdvae_am.imageops.filters import bilateral_filter, gaussian_blur, total_variation, tv_denoise
from tdvae_am.imageops.fourier import high_frequency_power


def _noisy_step(seed=0):
    clean = torch.zeros(16, 16)
    clean[:, 8:] = 1.0
    noise = 0.1 * torch.randn(16, 16, generator=torch.Generator().manual_seed(seed))
    return clean, clean + noise


def test_gaussian_blur_keeps_constants():
    torch.testing.assert_close(gaussian_blur(torch.full((2, 8, 8), 3.0), 1.5), torch.full((2, 8, 8), 3.0))
    x = torch.ones(3, 5)
    assert gaussian_blur(x, 0.0) is x


@pytest.mark.parametrize("frequency", [0.05, 0.125, 0.25])
@pytest.mark.parametrize("sigma", [0.7, 1.0, 1.5])
def test_gaussian_blur_attenuates_a_grating_by_the_gaussian_transfer_function(frequency, sigma):
    """Away from the borders a cosine grating keeps its phase and is scaled by exp(-2 pi^2 sigma^2 f^2)."""
    columns = torch.arange(32.0)
    grating = torch.cos(2 * math.pi * frequency * columns + 0.3).expand(32, 32)
    border = math.ceil(3 * sigma)
    interior = (slice(border, -border), slice(border, -border))
    gain = math.exp(-2 * math.pi**2 * sigma**2 * frequency**2)
    torch.testing.assert_close(gaussian_blur(grating, sigma)[interior], gain * grating[interior], atol=0.01, rtol=0)


def test_gaussian_blur_lowers_the_high_frequency_share_of_white_noise():
    noise = torch.randn(256, 32, 32, generator=torch.Generator().manual_seed(0))
    before, after = high_frequency_power(noise).mean(), high_frequency_power(gaussian_blur(noise, 1.0)).mean()
    assert before == pytest.approx(0.81, abs=0.01)  # share of the frequency plane above 0.25 cycles/pixel
    assert after < 0.2 * before


def test_bilateral_filter_removes_noise_but_keeps_the_edge():
    clean, noisy = _noisy_step()
    bilateral = bilateral_filter(noisy, sigma_spatial=1.5, sigma_color=0.3)
    blurred = gaussian_blur(noisy, 1.5)
    assert bilateral[:, 1:6].std() < 0.5 * noisy[:, 1:6].std()
    edge = lambda x: (x[:, 8] - x[:, 7]).mean()  # noqa: E731
    assert edge(bilateral) > 0.9 and edge(blurred) < 0.5


def test_tv_denoise_matches_scikit_image_and_lowers_total_variation():
    clean, noisy = _noisy_step()
    ours = tv_denoise(noisy, 0.1, n_iter=300)
    reference = denoise_tv_chambolle(noisy.numpy(), weight=0.1, max_num_iter=300, eps=1e-8)
    np.testing.assert_allclose(ours.numpy(), reference, atol=0.01)
    assert total_variation(ours) < 0.5 * total_variation(noisy)
    assert (ours - clean).norm() < (noisy - clean).norm()
