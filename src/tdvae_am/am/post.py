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

from typing import Literal

import torch

from tdvae_am.imageops.filters import bilateral_filter, gaussian_blur, tv_denoise

from .budget import Norm, project
from .schedules import PositiveStrength, Strength
from .spec import Count, Spec, Stage, component


class Blur(Spec):
    """Gaussian blur with standard deviation ``sigma`` pixels."""

    name: Literal["blur"] = "blur"
    sigma: Strength = 0.5

    def __call__(self, x, t, n_steps):
        return gaussian_blur(x, self.sigma(t, n_steps))


class Bilateral(Spec):
    """Bilateral filter; ``sigma_color`` is in the units of the pixel values."""

    name: Literal["bilateral"] = "bilateral"
    sigma_spatial: Strength = 1.0
    sigma_color: PositiveStrength = 0.5

    def __call__(self, x, t, n_steps):
        return bilateral_filter(x, self.sigma_spatial(t, n_steps), self.sigma_color(t, n_steps))


class TVDenoise(Spec):
    """Total-variation denoising with TV weight ``weight``."""

    name: Literal["tv"] = "tv"
    weight: Strength = 0.1
    n_iter: Count = 30

    def __call__(self, x, t, n_steps):
        return tv_denoise(x, self.weight(t, n_steps), self.n_iter)


class PostNormalize(Spec):
    """Projection to a fixed L2 norm or standard deviation per image."""

    name: Literal["normalize"] = "normalize"
    norm: Norm = "std"
    value: PositiveStrength = 1.0

    def __call__(self, x, t, n_steps):
        return project(x, self.norm, self.value(t, n_steps))


class Clip(Spec):
    """Clamp pixel values to ``[min, max]``."""

    name: Literal["clip"] = "clip"
    min: Strength = -3.0
    max: Strength = 3.0

    def __call__(self, x, t, n_steps):
        return x.clamp(self.min(t, n_steps), self.max(t, n_steps))


#: One R_post operation, by name.
PostOp = component(Blur | Bilateral | TVDenoise | PostNormalize | Clip)


class PostStage(Stage):
    """R_post: the listed operations applied in order, in place, without grad."""

    root: tuple[PostOp, ...] = ()

    @torch.no_grad()
    def __call__(self, targets: list, t: int, n_steps: int) -> None:
        for tensor in targets:
            x = tensor
            for op in self.ops:
                x = op(x, t, n_steps)
            tensor.copy_(x)
