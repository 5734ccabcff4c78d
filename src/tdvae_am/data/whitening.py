"""Olshausen-Field whitening: one Fourier-domain filter |f| exp(-(|f|/f0)^4).

Frequencies are in cycles/pixel (Nyquist = 0.5); the cutoff ``f0`` is given as a fraction
of Nyquist, so ``cutoff=0.4`` means f0 = 0.2 cycles/pixel. (The original code used f0 = 48
with frequencies in cycles/pixel, which switched the low-pass part off.) The same filter
is applied to whole natural images and whole synthesized textures before cutting patches.
"""

from __future__ import annotations

import numpy as np

NYQUIST = 0.5


def radial_frequency(shape: tuple[int, int]) -> np.ndarray:
    """|f| in cycles/pixel for every 2-d FFT coefficient of an image of ``shape``."""
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.fftfreq(shape[1])[None, :]
    return np.hypot(fy, fx)


def whitening_filter(shape: tuple[int, int], cutoff: float = 0.4) -> np.ndarray:
    """Filter |f| exp(-(|f|/f0)^4) with f0 = cutoff * Nyquist, on the FFT grid of ``shape``."""
    if not 0 < cutoff <= 1:
        raise ValueError(f"whitening cutoff must be in (0, 1] (fraction of Nyquist), got {cutoff}")
    f = radial_frequency(shape)
    f0 = cutoff * NYQUIST
    return f * np.exp(-((f / f0) ** 4))


def whiten(image: np.ndarray, cutoff: float = 0.4, pad: int = 0) -> np.ndarray:
    """Whiten one image in the Fourier domain.

    Parameters
    ----------
    image
        2-d array; its mean is removed (the filter is zero at f = 0 anyway).
    cutoff
        f0 as a fraction of the Nyquist frequency.
    pad
        Reflect-pad by this many pixels before filtering and crop after, which keeps the
        periodic FFT boundary away from non-periodic photographs. Use 0 for periodic
        images such as Portilla-Simoncelli syntheses.
    """
    img = np.asarray(image, dtype=np.float64)
    img = img - img.mean()
    if pad:
        img = np.pad(img, pad, mode="reflect")
    out = np.fft.ifft2(np.fft.fft2(img) * whitening_filter(img.shape, cutoff)).real
    if pad:
        out = out[pad:-pad, pad:-pad]
    return out


def radial_power_spectrum(images: np.ndarray, n_bins: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Radially averaged power spectrum of a stack of images (..., H, W).

    Returns bin centres (cycles/pixel) and mean power per bin, averaged over the stack.
    """
    images = np.asarray(images, dtype=np.float64)
    shape = images.shape[-2:]
    power = (np.abs(np.fft.fft2(images)) ** 2).reshape(-1, *shape).mean(axis=0)
    f = radial_frequency(shape).ravel()
    edges = np.linspace(0, NYQUIST, n_bins + 1)
    idx = np.clip(np.digitize(f, edges) - 1, 0, n_bins - 1)
    keep = f <= NYQUIST
    sums = np.bincount(idx[keep], weights=power.ravel()[keep], minlength=n_bins)
    counts = np.bincount(idx[keep], minlength=n_bins)
    centres = 0.5 * (edges[1:] + edges[:-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return centres, sums / counts
