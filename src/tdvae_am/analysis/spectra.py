"""Fourier amplitude spectra, their entropy, and the dominant spatial frequency."""

from __future__ import annotations

import math

import numpy as np
import torch

from tdvae_am.imageops.fourier import radial_frequency


def _as_tensor(images) -> torch.Tensor:
    return torch.as_tensor(np.asarray(images) if not isinstance(images, torch.Tensor) else images,
                           dtype=torch.float32)


def _amplitude(images) -> torch.Tensor:
    x = _as_tensor(images)
    return torch.fft.fft2(x - x.mean(dim=(-2, -1), keepdim=True)).abs()


def amplitude_spectrum(images) -> torch.Tensor:
    """Amplitude |FFT| of mean-removed images, zero frequency shifted to the centre.

    Parameters
    ----------
    images : array or Tensor (..., H, W)

    Returns
    -------
    Tensor (..., H, W)
        Element ``[H // 2, W // 2]`` is the (zero) DC term.
    """
    return torch.fft.fftshift(_amplitude(images), dim=(-2, -1))


def spectral_entropy(images, normalize: bool = True) -> torch.Tensor:
    """Shannon entropy of the amplitude spectrum seen as a distribution over frequencies.

    ``p_f = A_f / sum A`` over all non-DC frequencies; ``H = -sum p_f log p_f``. A flat
    (white) spectrum has maximal entropy, a single grating minimal.

    Parameters
    ----------
    images : array or Tensor (..., H, W)
    normalize : bool
        Divide by ``log(H W - 1)`` so the result lies in [0, 1].

    Returns
    -------
    Tensor (...)
    """
    amp = _amplitude(images).flatten(-2)[..., 1:]
    p = amp / amp.sum(-1, keepdim=True).clamp_min(1e-30)
    entropy = -(p * torch.log(p.clamp_min(1e-30))).sum(-1)
    return entropy / math.log(amp.shape[-1]) if normalize else entropy


def dominant_frequency(images, pool_dim: int | None = None) -> tuple:
    """Spatial frequency and orientation of the largest non-DC amplitude.

    Parameters
    ----------
    images : array or Tensor (..., H, W)
    pool_dim : int, optional
        Average the amplitude spectra over this dimension first (e.g. the restarts of a
        unit), so one peak describes the group.

    Returns
    -------
    frequency : Tensor (...)
        In cycles per pixel (0.5 is Nyquist).
    orientation : Tensor (...)
        Direction of the wave vector in [0, pi) radians (0: vertical stripes), as the
        ``theta`` of :func:`tdvae_am.analysis.gabor.gabor`.
    """
    amp = _amplitude(images)
    if pool_dim is not None:
        amp = amp.mean(pool_dim)
    h, w = amp.shape[-2:]
    flat = amp.flatten(-2).clone()
    flat[..., 0] = -1.0
    arg = flat.argmax(-1)
    fy = torch.fft.fftfreq(h)[arg // w]
    fx = torch.fft.fftfreq(w)[arg % w]
    frequency = radial_frequency(h, w).flatten()[arg]
    orientation = torch.remainder(torch.atan2(fy, fx), math.pi)
    return frequency, orientation


def mean_frequency(images, pool_dim: int | None = None) -> torch.Tensor:
    """Power-weighted mean radial frequency (cycles per pixel) of mean-removed images.

    Unlike the argmax of :func:`dominant_frequency` it varies smoothly with the spectrum, so
    it does not tie on a coarse frequency grid.

    Parameters
    ----------
    images : array or Tensor (..., H, W)
    pool_dim : int, optional
        Average the power spectra over this dimension first.

    Returns
    -------
    Tensor (...)
    """
    power = _amplitude(images) ** 2
    if pool_dim is not None:
        power = power.mean(pool_dim)
    f = radial_frequency(*power.shape[-2:])
    return (power * f).sum((-2, -1)) / power.sum((-2, -1)).clamp_min(1e-30)
