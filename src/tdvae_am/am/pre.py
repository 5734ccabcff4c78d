"""R_pre: differentiable transformations of the images before the forward pass.

Each operation maps samples (N, S, H, W) to the same shape, drawing its randomness from
the run's generator independently for every image, and lets the gradient through.

========== ===================================== =========================
name       options (numbers may be schedules)    effect
========== ===================================== =========================
jitter     shift (pixels)                        random circular roll
scale      min, max (zoom factors)               random zoom about centre
rotate     degrees                               random rotation
normalize  norm ("l2" / "std"), value            fixed norm / contrast
========== ===================================== =========================
"""

from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F

from .budget import Norm, project
from .schedules import PositiveStrength, Strength
from .spec import Spec, Stage, component


class _Roll(torch.autograd.Function):
    """Per-image circular shift by a flat gather; its adjoint is the opposite shift."""

    @staticmethod
    def forward(ctx, x, dy, dx):
        ctx.save_for_backward(dy, dx)
        return _gather_roll(x, dy, dx)

    @staticmethod
    def backward(ctx, grad):
        dy, dx = ctx.saved_tensors
        return _gather_roll(grad, -dy, -dx), None, None


def _gather_roll(x: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor) -> torch.Tensor:
    b, h, w = x.shape
    rows = (torch.arange(h, device=x.device)[None] - dy[:, None]) % h
    cols = (torch.arange(w, device=x.device)[None] - dx[:, None]) % w
    index = (rows[:, :, None] * w + cols[:, None, :]).reshape(b, h * w)
    return x.reshape(b, h * w).gather(1, index).reshape(b, h, w)


def roll_images(x: torch.Tensor, dy: torch.Tensor, dx: torch.Tensor) -> torch.Tensor:
    """Circularly shift each image ``x[b]`` by ``(dy[b], dx[b])`` pixels (differentiable).

    Parameters
    ----------
    x : Tensor (B, H, W)
    dy, dx : LongTensor (B,)

    Returns
    -------
    Tensor (B, H, W)
        ``out[b, i, j] = x[b, (i - dy[b]) % H, (j - dx[b]) % W]``, as ``torch.roll``.
    """
    return _Roll.apply(x, dy, dx)


def _affine(x: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    grid = F.affine_grid(theta, (x.shape[0], 1, *x.shape[-2:]), align_corners=False)
    out = F.grid_sample(x[:, None], grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    return out[:, 0]


class Jitter(Spec):
    """Random circular roll by up to ``shift`` pixels along each axis."""

    name: Literal["jitter"] = "jitter"
    shift: Strength = 3

    def __call__(self, x, t, n_steps, generator):
        shift = int(round(self.shift(t, n_steps)))
        if shift <= 0:
            return x
        flat = x.reshape(-1, *x.shape[-2:])
        d = torch.randint(-shift, shift + 1, (2, flat.shape[0]), generator=generator, device=x.device)
        return roll_images(flat, d[0], d[1]).reshape(x.shape)


class RandomScale(Spec):
    """Random zoom by a factor uniform in ``[min, max]`` about the image centre."""

    name: Literal["scale"] = "scale"
    min: Strength = 0.9
    max: Strength = 1.1

    def __call__(self, x, t, n_steps, generator):
        flat = x.reshape(-1, *x.shape[-2:])
        low, high = self.min(t, n_steps), self.max(t, n_steps)
        factor = low + (high - low) * torch.rand(flat.shape[0], generator=generator, device=x.device)
        theta = torch.zeros(flat.shape[0], 2, 3, device=x.device)
        theta[:, 0, 0] = theta[:, 1, 1] = 1.0 / factor
        return _affine(flat, theta).reshape(x.shape)


class RandomRotate(Spec):
    """Random rotation by an angle uniform in ``[-degrees, degrees]``."""

    name: Literal["rotate"] = "rotate"
    degrees: Strength = 10.0

    def __call__(self, x, t, n_steps, generator):
        flat = x.reshape(-1, *x.shape[-2:])
        u = 2 * torch.rand(flat.shape[0], generator=generator, device=x.device) - 1
        angle = u * math.radians(self.degrees(t, n_steps))
        cos, sin = torch.cos(angle), torch.sin(angle)
        theta = torch.stack([torch.stack([cos, -sin, torch.zeros_like(cos)], 1),
                             torch.stack([sin, cos, torch.zeros_like(cos)], 1)], 1)
        return _affine(flat, theta).reshape(x.shape)


class Normalize(Spec):
    """Differentiable projection to a fixed L2 norm or standard deviation per image."""

    name: Literal["normalize"] = "normalize"
    norm: Norm = "std"
    value: PositiveStrength = 1.0

    def __call__(self, x, t, n_steps, generator):
        return project(x, self.norm, self.value(t, n_steps))


#: One R_pre operation, by name.
PreOp = component(Jitter | RandomScale | RandomRotate | Normalize)


class PreStage(Stage):
    """R_pre: the listed operations applied in order."""

    root: tuple[PreOp, ...] = ()

    def __call__(self, x: torch.Tensor, t: int, n_steps: int, generator: torch.Generator) -> torch.Tensor:
        for op in self.ops:
            x = op(x, t, n_steps, generator)
        return x
