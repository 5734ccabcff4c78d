"""Batched image filters used by R_grad and R_post: Gaussian blur, bilateral filter,
total-variation (TV) denoising, and the total variation itself.

All act on the last two dims of a tensor of any leading shape, with no Python loop over
images or pixels.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _as_batch(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(-1, 1, *x.shape[-2:])


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur with reflecting borders.

    Parameters
    ----------
    x : Tensor (..., H, W)
    sigma : float
        Standard deviation in pixels; ``sigma <= 0`` returns ``x`` unchanged.

    Returns
    -------
    Tensor (..., H, W)
    """
    if sigma <= 0:
        return x
    h, w = x.shape[-2:]
    radius = min(int(math.ceil(3 * sigma)), h - 1, w - 1)
    offsets = torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype)
    kernel = torch.exp(-0.5 * (offsets / sigma) ** 2)
    kernel = kernel / kernel.sum()
    y = F.pad(_as_batch(x), (radius, radius, radius, radius), mode="reflect")
    y = F.conv2d(y, kernel.view(1, 1, 1, -1))
    y = F.conv2d(y, kernel.view(1, 1, -1, 1))
    return y.reshape(x.shape)


def bilateral_filter(x: torch.Tensor, sigma_spatial: float, sigma_color: float) -> torch.Tensor:
    """Edge-preserving bilateral filter.

    Each pixel becomes the average of its neighbours within ``2 * sigma_spatial`` pixels,
    weighted by ``exp(-d^2 / 2 sigma_spatial^2) * exp(-(I_n - I_c)^2 / 2 sigma_color^2)``.

    Parameters
    ----------
    x : Tensor (..., H, W)
    sigma_spatial : float
        Spatial scale in pixels; ``<= 0`` returns ``x``.
    sigma_color : float
        Intensity scale in the units of ``x``.

    Returns
    -------
    Tensor (..., H, W)
    """
    if sigma_spatial <= 0:
        return x
    h, w = x.shape[-2:]
    radius = max(1, min(int(math.ceil(2 * sigma_spatial)), h - 1, w - 1))
    size = 2 * radius + 1
    batch = _as_batch(x)
    windows = F.unfold(F.pad(batch, (radius,) * 4, mode="reflect"), size)  # (B, size^2, H*W)
    offsets = torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype)
    dist2 = (offsets[:, None] ** 2 + offsets[None, :] ** 2).reshape(1, -1, 1)
    centre = batch.reshape(batch.shape[0], 1, -1)
    log_weight = -dist2 / (2 * sigma_spatial**2) - (windows - centre) ** 2 / (2 * sigma_color**2)
    weight = torch.softmax(log_weight, dim=1)
    return (weight * windows).sum(dim=1).reshape(x.shape)


def _grad(u: torch.Tensor) -> torch.Tensor:
    """Forward differences (Neumann border), stacked as (..., 2, H, W)."""
    gy = F.pad(u[..., 1:, :] - u[..., :-1, :], (0, 0, 0, 1))
    gx = F.pad(u[..., :, 1:] - u[..., :, :-1], (0, 1, 0, 0))
    return torch.stack([gy, gx], dim=-3)


def _div(p: torch.Tensor) -> torch.Tensor:
    """Divergence, the negative adjoint of ``_grad``."""
    py, px = p[..., 0, :, :], p[..., 1, :, :]
    dy = torch.cat([py[..., :1, :], py[..., 1:-1, :] - py[..., :-2, :], -py[..., -2:-1, :]], dim=-2)
    dx = torch.cat([px[..., :1], px[..., 1:-1] - px[..., :-2], -px[..., -2:-1]], dim=-1)
    return dy + dx


def tv_denoise(x: torch.Tensor, weight: float, n_iter: int = 30) -> torch.Tensor:
    """Isotropic total-variation denoising by Chambolle's (2004) dual projection.

    Approximately solves ``argmin_u 0.5 ||u - x||^2 + weight * TV(u)`` per image.

    Parameters
    ----------
    x : Tensor (..., H, W)
    weight : float
        TV weight in the units of ``x``; ``<= 0`` returns ``x``.
    n_iter : int
        Number of dual iterations (step 1/8, which guarantees convergence).

    Returns
    -------
    Tensor (..., H, W)
    """
    if weight <= 0:
        return x
    tau = 0.125
    p = torch.zeros(*x.shape[:-2], 2, *x.shape[-2:], device=x.device, dtype=x.dtype)
    for _ in range(n_iter):
        g = _grad(_div(p) - x / weight)
        norm = torch.sqrt((g**2).sum(dim=-3, keepdim=True))
        p = (p + tau * g) / (1 + tau * norm)
    return x - weight * _div(p)


def total_variation(x: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Isotropic total variation ``sum_ij sqrt(dy^2 + dx^2 + eps)`` per image.

    Parameters
    ----------
    x : Tensor (..., H, W)

    Returns
    -------
    Tensor (...)
    """
    dy = x[..., 1:, :-1] - x[..., :-1, :-1]
    dx = x[..., :-1, 1:] - x[..., :-1, :-1]
    return torch.sqrt(dy**2 + dx**2 + eps).sum(dim=(-2, -1))
