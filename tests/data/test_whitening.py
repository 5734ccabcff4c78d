import numpy as np
import pytest

from tdvae_am.data.whitening import radial_frequency, radial_power_spectrum, whiten, whitening_filter


def pink_noise(n_images: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise with a 1/f amplitude spectrum (power 1/f^2), periodic."""
    f = radial_frequency((size, size))
    f[0, 0] = 1.0
    spectrum = np.fft.fft2(rng.standard_normal((n_images, size, size))) / f
    spectrum[:, 0, 0] = 0
    return np.fft.ifft2(spectrum).real


def test_filter_units_and_shape():
    filt = whitening_filter((64, 64), cutoff=0.4)
    f = radial_frequency((64, 64))
    assert filt[0, 0] == 0
    # peak of f exp(-(f/f0)^4) is at f0 / 4**0.25 with f0 = 0.4 * 0.5 cycles/pixel
    assert abs(f.ravel()[filt.argmax()] - 0.2 / 4**0.25) < 1 / 64
    with pytest.raises(ValueError, match="cutoff"):
        whitening_filter((8, 8), cutoff=48)


def test_whitened_pink_noise_is_flat_in_pass_band():
    rng = np.random.default_rng(0)
    white = np.stack([whiten(img, cutoff=0.4) for img in pink_noise(24, 128, rng)])
    centres, power = radial_power_spectrum(white, n_bins=64)
    f0 = 0.2
    band = (centres > 0.02) & (centres < 0.5 * f0)
    flat = power[band] / np.exp(-2 * (centres[band] / f0) ** 4)
    assert flat.max() / flat.min() < 1.25
    # the raw spectrum is flat within 25% in the lower pass band too
    lower = (centres > 0.02) & (centres < 0.4 * f0)
    assert power[lower].max() / power[lower].min() < 1.25
    # and strongly attenuated beyond the cutoff
    assert power[centres > 1.5 * f0].max() < 0.05 * power[band].mean()


def test_unwhitened_pink_noise_is_not_flat():
    rng = np.random.default_rng(1)
    centres, power = radial_power_spectrum(pink_noise(8, 128, rng), n_bins=64)
    band = (centres > 0.02) & (centres < 0.1)
    assert power[band].max() / power[band].min() > 10


def test_padding_keeps_shape_and_removes_mean():
    img = np.random.default_rng(2).random((50, 70)) + 5
    out = whiten(img, 0.4, pad=16)
    assert out.shape == img.shape
    assert abs(out.mean()) < 0.05 * out.std()
