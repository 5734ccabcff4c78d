"""R_grad: filters of the activation gradient of the image-shaped parameters.

Only gradients of image parameters (pixels, distribution mean / std, transformation
input) are filtered; conv weights and latent codes never are.

======== ============================= ==================================================
name     options (may be schedules)    effect
======== ============================= ==================================================
fourier  exponent p                    FFT(g) * 1/max(1, (fx^2 + fy^2)^p), mean-1 filter
blur     sigma (pixels)                Gaussian blur of the gradient
======== ============================= ==================================================

Units of the Fourier filter: ``fx``, ``fy`` are folded FFT indices in cycles per image
(0 ... n/2), as in the original code, so ``p = 0.5`` gives ``1/|f|`` above 1 cycle per
image and the paper's ``1/|f|^gamma`` has ``gamma = 2p``. The filter is divided by its
mean over the full frequency grid, so it redistributes rather than rescales the gradient.
"""

from __future__ import annotations

from typing import Literal

import torch

from tdvae_am.imageops.filters import gaussian_blur
from tdvae_am.imageops.fourier import index_frequency

from .schedules import Strength
from .spec import Spec, Stage, component


def fourier_filter(h: int, w: int, exponent: float, device=None) -> torch.Tensor:
    """The gradient filter ``1/max(1, (fx^2 + fy^2)^p)`` normalized to mean 1, shape (h, w)."""
    fy, fx = index_frequency(h, w, device)
    response = 1.0 / torch.clamp((fx**2 + fy**2) ** exponent, min=1.0)
    return response / response.mean()


class FourierFilter(Spec):
    """Multiply the gradient's 2-D FFT by :func:`fourier_filter`."""

    name: Literal["fourier"] = "fourier"
    exponent: Strength = 0.25

    def __call__(self, g, t, n_steps):
        p = self.exponent(t, n_steps)
        if p == 0:
            return g
        h, w = g.shape[-2:]
        response = fourier_filter(h, w, p, g.device)[:, : w // 2 + 1]
        return torch.fft.irfft2(torch.fft.rfft2(g) * response, s=(h, w))


class GradBlur(Spec):
    """Gaussian blur of the gradient with standard deviation ``sigma`` pixels."""

    name: Literal["blur"] = "blur"
    sigma: Strength = 1.0

    def __call__(self, g, t, n_steps):
        return gaussian_blur(g, self.sigma(t, n_steps))


#: One R_grad filter, by name.
GradOp = component(FourierFilter | GradBlur)


class GradStage(Stage):
    """R_grad: the listed filters applied in order to one gradient tensor (..., H, W)."""

    root: tuple[GradOp, ...] = ()

    def __call__(self, g: torch.Tensor, t: int, n_steps: int) -> torch.Tensor:
        for op in self.ops:
            g = op(g, t, n_steps)
        return g
