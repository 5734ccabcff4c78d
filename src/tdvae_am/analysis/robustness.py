"""Activation of a unit under masking, shifting and jittering of its (AM) image.

Every function takes the images of U units (one image per unit, ``images[i]`` for
``units[i]``), builds all variants as one batch, and returns the own-unit activations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ..am.errors import AMError
from ..am.pre import roll_images
from ..am.selector import unit_activation


def _images(images) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(images) if not isinstance(images, torch.Tensor) else images,
                        dtype=torch.float32)
    if x.dim() != 3:
        raise AMError(f"images must be (U, H, W), one per unit, got shape {tuple(x.shape)}")
    return x


def aperture_curve(activation: Callable, images, units: Sequence[int], radii: Sequence[float],
                   fill: float = 0.0) -> torch.Tensor:
    """Activation when everything outside a centred disk of radius ``r`` is set to ``fill``.

    Returns
    -------
    Tensor (U, len(radii))
    """
    x = _images(images)
    h, w = x.shape[-2:]
    yy = torch.arange(h, dtype=torch.float32)[:, None] - (h - 1) / 2
    xx = torch.arange(w, dtype=torch.float32)[None, :] - (w - 1) / 2
    radius = torch.sqrt(yy**2 + xx**2)
    inside = (radius[None] <= torch.as_tensor(radii, dtype=torch.float32)[:, None, None]).float()  # (R, H, W)
    masked = x[:, None] * inside + fill * (1 - inside)
    return unit_activation(activation, masked, units)


def occlusion_map(activation: Callable, images, units: Sequence[int], patch: int = 8, stride: int = 4,
                  fill: float = 0.0) -> torch.Tensor:
    """Activation when a ``patch`` x ``patch`` square at each grid position is set to ``fill``.

    Returns
    -------
    Tensor (U, n_y, n_x)
        Entry ``[i, a, b]`` has the square's top-left corner at ``(a * stride, b * stride)``.
    """
    x = _images(images)
    h, w = x.shape[-2:]
    tops = torch.arange(0, h - patch + 1, stride)
    lefts = torch.arange(0, w - patch + 1, stride)
    rows = torch.arange(h)[None, :, None]
    cols = torch.arange(w)[None, None, :]
    in_rows = (rows >= tops[:, None, None]) & (rows < tops[:, None, None] + patch)    # (ny, H, 1)
    in_cols = (cols >= lefts[:, None, None]) & (cols < lefts[:, None, None] + patch)  # (nx, 1, W)
    hole = (in_rows[:, None] & in_cols[None]).float()                                 # (ny, nx, H, W)
    masked = x[:, None, None] * (1 - hole) + fill * hole
    return unit_activation(activation, masked, units)


def shift_map(activation: Callable, images, units: Sequence[int], max_shift: int = 5,
              mode: str = "zeros") -> torch.Tensor:
    """Activation for every translation by ``(dy, dx)`` with ``|dy|, |dx| <= max_shift``.

    Parameters
    ----------
    mode : {"zeros", "circular"}
        Content shifted out of the patch is lost and zeros move in, or it wraps around.

    Returns
    -------
    Tensor (U, 2 max_shift + 1, 2 max_shift + 1)
        Entry ``[i, max_shift + dy, max_shift + dx]``; the centre is the unshifted image.
    """
    if mode not in ("zeros", "circular"):
        raise AMError(f"unknown shift mode {mode!r}; known: ['circular', 'zeros']")
    x = _images(images)
    h, w = x.shape[-2:]
    m = int(max_shift)
    padded = F.pad(x[:, None], (m, m, m, m), mode="constant" if mode == "zeros" else "circular")[:, 0]
    windows = padded.unfold(1, h, 1).unfold(2, w, 1)  # [i, oy, ox] = shift (m - oy, m - ox)
    return unit_activation(activation, windows.flip(1, 2), units)


def jitter_activation(activation: Callable, images, units: Sequence[int], shift: int = 3, n: int = 64,
                      seed: int = 0) -> torch.Tensor:
    """Activation under ``n`` random circular rolls of up to ``shift`` pixels (as R_pre jitter).

    Returns
    -------
    Tensor (U, n)
    """
    x = _images(images)
    generator = torch.Generator().manual_seed(seed)
    d = torch.randint(-shift, shift + 1, (2, x.shape[0] * n), generator=generator).to(x.device)
    rolled = roll_images(x.repeat_interleave(n, 0), d[0], d[1]).reshape(x.shape[0], n, *x.shape[-2:])
    return unit_activation(activation, rolled, units)
