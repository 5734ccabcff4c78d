"""R_post: operations on the image parameters after each optimizer step, without grad.

They act in place on the parametrization's ``post_targets()`` (pixel images, the
distribution mean, or the transformation input); a norm budget is re-applied after them.

========== ============================================= ==================================
name       options (numbers may be schedules)            effect
========== ============================================= ==================================
blur       sigma (pixels)                                Gaussian blur
bilateral  sigma_spatial (pixels), sigma_color           edge-preserving bilateral filter
tv         weight, n_iter                                Chambolle TV denoising
normalize  norm ("l2" / "std"), value                    fixed norm / contrast
clip       min, max                                      clamp pixel values
========== ============================================= ==================================
"""

from __future__ import annotations

import torch

from tdvae_am.imageops.filters import bilateral_filter, gaussian_blur, tv_denoise

from .budget import Budget
from .schedules import as_schedule, positive_schedule


class Blur:
    """Gaussian blur with standard deviation ``sigma`` pixels."""

    def __init__(self, sigma=0.5):
        self.sigma = as_schedule(sigma)

    def __call__(self, x, t, n_steps):
        return gaussian_blur(x, self.sigma(t, n_steps))


class Bilateral:
    """Bilateral filter; ``sigma_color`` is in the units of the pixel values."""

    def __init__(self, sigma_spatial=1.0, sigma_color=0.5):
        self.sigma_spatial = as_schedule(sigma_spatial)
        self.sigma_color = positive_schedule(sigma_color, "bilateral sigma_color")

    def __call__(self, x, t, n_steps):
        return bilateral_filter(x, self.sigma_spatial(t, n_steps), self.sigma_color(t, n_steps))


class TVDenoise:
    """Total-variation denoising with TV weight ``weight``."""

    def __init__(self, weight=0.1, n_iter=30):
        self.weight, self.n_iter = as_schedule(weight), int(n_iter)

    def __call__(self, x, t, n_steps):
        return tv_denoise(x, self.weight(t, n_steps), self.n_iter)


class PostNormalize:
    """Projection to a fixed L2 norm or standard deviation per image."""

    def __init__(self, norm="std", value=1.0):
        self.norm, self.value = norm, positive_schedule(value, "normalize value")
        Budget(norm, 1.0)  # validates the norm name

    def __call__(self, x, t, n_steps):
        return Budget(self.norm, self.value(t, n_steps))(x)


class Clip:
    """Clamp pixel values to ``[min, max]``."""

    def __init__(self, min=-3.0, max=3.0):
        self.low, self.high = as_schedule(min), as_schedule(max)

    def __call__(self, x, t, n_steps):
        return x.clamp(self.low(t, n_steps), self.high(t, n_steps))


POST = {"blur": Blur, "bilateral": Bilateral, "tv": TVDenoise, "normalize": PostNormalize, "clip": Clip}


class PostStage:
    """R_post: the listed operations applied in order, in place, without grad."""

    def __init__(self, ops: list):
        self.ops = ops

    def __bool__(self) -> bool:
        return bool(self.ops)

    @torch.no_grad()
    def __call__(self, targets: list, t: int, n_steps: int) -> None:
        for tensor in targets:
            x = tensor
            for op in self.ops:
                x = op(x, t, n_steps)
            tensor.copy_(x)
