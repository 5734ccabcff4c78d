"""Frequency grids and spectral statistics shared by R_grad, tracking, analysis and the scorecard.

Two frequency units appear in this package:

* cycles per pixel (``radial_frequency``), the physical unit: 0 at DC, 0.5 at Nyquist;
* cycles per image (``index_frequency``), the integer FFT index folded to ``[0, n/2]``.
  The original code's gradient filter ``1/max(1, (fx^2 + fy^2)^p)`` uses this unit, so
  on a 40x40 image ``max(1, .)`` leaves only DC and the four lowest frequencies
  (|f| <= 1 cycle per image) unfiltered.
"""

from __future__ import annotations

from functools import lru_cache

import torch

# cycles per pixel above which an image's power counts as high-frequency (half of Nyquist)
HF_CUTOFF = 0.25


@lru_cache(maxsize=64)
def index_frequency(h: int, w: int, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Folded FFT indices ``fy`` (h, 1) and ``fx`` (1, w) in cycles per image (cached)."""
    fy = torch.arange(h, device=device, dtype=torch.float32)
    fx = torch.arange(w, device=device, dtype=torch.float32)
    fy = torch.minimum(fy, h - fy)
    fx = torch.minimum(fx, w - fx)
    return fy[:, None], fx[None, :]


@lru_cache(maxsize=64)
def radial_frequency(h: int, w: int, device=None) -> torch.Tensor:
    """Radial frequency |f| in cycles per pixel on the unshifted FFT grid, shape (h, w) (cached)."""
    fy = torch.fft.fftfreq(h, device=device)[:, None]
    fx = torch.fft.fftfreq(w, device=device)[None, :]
    return torch.sqrt(fy**2 + fx**2)


@lru_cache(maxsize=64)
def _half_plane_weights(h: int, w: int, cutoff: float, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Multiplicity of each rfft2 coefficient in the full spectrum, and that times |f| > cutoff."""
    count = torch.full((w // 2 + 1,), 2.0, device=device)
    count[0] = 1.0
    if w % 2 == 0:
        count[-1] = 1.0
    count = count.expand(h, -1)
    return count, count * (radial_frequency(h, w, device)[:, : w // 2 + 1] > cutoff)


def high_frequency_power(x: torch.Tensor, cutoff: float = 0.25) -> torch.Tensor:
    """Fraction of the (mean-removed) power above ``cutoff`` cycles per pixel.

    Parameters
    ----------
    x : Tensor (..., H, W)
    cutoff : float
        In cycles per pixel (Nyquist is 0.5).

    Returns
    -------
    Tensor (...)
        In [0, 1]; 0 for a constant image.
    """
    h, w = x.shape[-2:]
    spectrum = torch.fft.rfft2(x - x.mean(dim=(-2, -1), keepdim=True))
    power = spectrum.real**2 + spectrum.imag**2
    count, high = _half_plane_weights(h, w, cutoff, x.device)
    total = (power * count).sum(dim=(-2, -1))
    return (power * high).sum(dim=(-2, -1)) / total.clamp_min(torch.finfo(x.dtype).tiny)
