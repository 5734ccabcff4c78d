"""Gabor fits of a unit: best Gabor by grid search, optimal Gabor by gradient ascent.

A Gabor here is

    g(x, y) = exp(-(x'^2 + y'^2) / (2 sigma^2)) * cos(2 pi x' / wavelength + phase)
    x' = (x - x0) cos(theta) + (y - y0) sin(theta)

on pixel coordinates (x = column, y = row, from 0), rescaled to L2 norm ``norm`` so that
activations of different Gabors compare under one contrast budget. ``theta`` is the
direction of the carrier's wave vector (theta = 0: vertical stripes) in [0, pi).

A fit either maximizes a unit's activation (``activation`` + ``units``) or the Pearson
correlation with target images (``target``). The fit quality reported is the correlation
with ``target`` or, when fitting activation, with optional ``reference`` images (e.g.
the STA or an AM result).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..am.errors import AMError
from ..am.selector import check_output, check_units, unit_activation
from ..data.textures import phase_scramble

PARAMS = ("x0", "y0", "theta", "wavelength", "sigma", "phase")


def gabor(shape, x0, y0, theta, wavelength, sigma, phase, norm: float | None = 1.0) -> torch.Tensor:
    """Gabor images for broadcastable parameter tensors.

    Parameters
    ----------
    shape : (int, int)
    x0, y0, theta, wavelength, sigma, phase : float or Tensor
        Broadcastable to a common shape P (see module docstring).
    norm : float or None
        L2 norm of every image; None keeps the raw amplitude 1 envelope.

    Returns
    -------
    Tensor (*P, H, W)
    """
    x0, y0, theta, wavelength, sigma, phase = (torch.as_tensor(v, dtype=torch.float32)[..., None, None]
                                               for v in (x0, y0, theta, wavelength, sigma, phase))
    device = x0.device
    y = torch.arange(shape[0], dtype=torch.float32, device=device)[:, None]
    x = torch.arange(shape[1], dtype=torch.float32, device=device)[None, :]
    dx, dy = x - x0, y - y0
    along = dx * torch.cos(theta) + dy * torch.sin(theta)
    envelope = torch.exp(-(dx**2 + dy**2) / (2 * sigma**2))
    g = envelope * torch.cos(2 * math.pi * along / wavelength + phase)
    if norm is None:
        return g
    return norm * g / torch.linalg.vector_norm(g, dim=(-2, -1), keepdim=True).clamp_min(1e-12)


def default_grid(shape=(40, 40), n_positions: int = 7) -> dict:
    """The original package's grid: 4 phases x 5 wavelengths (4-20 px) x 8 orientations x
    5 sigmas (2-9 px) x ``n_positions`` x ``n_positions`` centres within +-30 % of the
    image size around its centre.
    """
    h, w = shape
    return {
        "phase": np.array([0.0, 0.5, 1.0, 1.5]) * np.pi,
        "wavelength": np.array([4.0, 7.0, 10.0, 15.0, 20.0]),
        "theta": np.linspace(0, np.pi, 8, endpoint=False),
        "sigma": np.array([2.0, 3.0, 5.0, 7.0, 9.0]),
        "y0": (h - 1) / 2 + np.linspace(-0.3, 0.3, n_positions) * h,
        "x0": (w - 1) / 2 + np.linspace(-0.3, 0.3, n_positions) * w,
    }


@dataclass
class GaborFit:
    """Fitted Gabors of U units.

    Attributes
    ----------
    params : dict of str -> array (U,)
        ``x0, y0, theta, wavelength, sigma, phase``.
    images : array (U, H, W)
    activation : array (U,)
        Own-unit activation of each fitted Gabor (NaN when fitting a target).
    correlation : array (U,)
        Pearson correlation with the target / reference images (NaN without one).
    """

    params: dict
    images: np.ndarray
    activation: np.ndarray
    correlation: np.ndarray


def _standardize(x: torch.Tensor) -> torch.Tensor:
    flat = x.reshape(*x.shape[:-2], -1)
    flat = flat - flat.mean(-1, keepdim=True)
    return flat / flat.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def _correlation(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (_standardize(a) * _standardize(b)).sum(-1)


def _objective(activation, units, target):
    if (activation is None) == (target is None):
        raise AMError("give either activation and units (fit activation) or target (fit images), not both")
    if activation is not None:
        if units is None:
            raise AMError("fitting activation needs the list of units")
        return check_units(units), None
    target = torch.as_tensor(np.asarray(target), dtype=torch.float32)
    if target.dim() != 3:
        raise AMError(f"target must be (U, H, W) images, got shape {tuple(target.shape)}")
    return None, target


def _canonical(params: dict) -> dict:
    """Same Gabors with theta in [0, pi) and phase in [0, 2 pi): (theta + pi, phase) == (theta, -phase)."""
    turns = torch.floor(params["theta"] / math.pi)
    flip = torch.remainder(turns, 2) == 1
    phase = torch.where(flip, -params["phase"], params["phase"])
    return {**params, "theta": params["theta"] - turns * math.pi, "phase": torch.remainder(phase, 2 * math.pi)}


def _fit(params: dict, shape, norm, activation, units, reference) -> GaborFit:
    params = _canonical(params)
    images = gabor(shape, *(params[k] for k in PARAMS), norm=norm)
    act = (unit_activation(activation, images, units).numpy() if activation is not None
           else np.full(images.shape[0], np.nan))
    corr = (_correlation(images, torch.as_tensor(np.asarray(reference), dtype=torch.float32)).numpy()
            if reference is not None else np.full(images.shape[0], np.nan))
    return GaborFit({k: params[k].detach().numpy().copy() for k in PARAMS}, images.numpy(), act, corr)


def best_gabor(activation: Callable | None = None, units: Sequence[int] | None = None, *, target=None,
               grid: dict | None = None, shape=(40, 40), norm: float = 1.0, batch_size: int = 2048,
               reference=None) -> GaborFit:
    """Best Gabor of each unit by exhaustive, batched grid search.

    Parameters
    ----------
    activation : callable, optional
        ``activation(x (B, H, W)) -> (B, n_units)``; maximize each unit's activation.
    units : sequence of int, optional
    target : array (U, H, W), optional
        Instead of activation, maximize the correlation with these images.
    grid : dict of str -> 1-D array, optional
        Values of each of ``x0, y0, theta, wavelength, sigma, phase``; default
        :func:`default_grid`. All combinations are scored, ``batch_size`` at a time, all
        units per forward pass.
    shape : (int, int)
        Image size (taken from ``target`` when given).
    norm : float
        L2 norm of every Gabor (a contrast budget).
    reference : array (U, H, W), optional
        Images to report the correlation with when fitting activation.

    Returns
    -------
    GaborFit
    """
    unit_idx, target = _objective(activation, units, target)
    if target is not None:
        shape, reference = tuple(target.shape[-2:]), target
    grid = default_grid(shape) if grid is None else grid
    missing = set(PARAMS) - set(grid)
    if missing:
        raise AMError(f"the Gabor grid misses {sorted(missing)}")
    axes = [torch.as_tensor(np.asarray(grid[k], dtype=np.float32)).reshape(-1) for k in PARAMS]
    table = torch.stack([m.reshape(-1) for m in torch.meshgrid(*axes, indexing="ij")], 1)  # (G, 6)
    n_fits = len(unit_idx) if target is None else target.shape[0]
    best_score = torch.full((n_fits,), -torch.inf)
    best_row = torch.zeros(n_fits, dtype=torch.long)
    with torch.no_grad():
        for start in range(0, table.shape[0], batch_size):
            rows = table[start:start + batch_size]
            images = gabor(shape, *rows.T, norm=norm)
            if target is None:
                out = activation(images)
                check_output(out, len(rows), unit_idx)
                score = out[:, unit_idx]
            else:
                score = _standardize(images) @ _standardize(target).T
            value, arg = score.max(0)
            better = value > best_score
            best_score = torch.where(better, value, best_score)
            best_row = torch.where(better, arg + start, best_row)
    params = dict(zip(PARAMS, table[best_row].T))
    return _fit(params, shape, norm, activation, units, reference)


def optimal_gabor(activation: Callable | None = None, units: Sequence[int] | None = None, *, target=None,
                  init: GaborFit | None = None, grid: dict | None = None, shape=(40, 40), norm: float = 1.0,
                  steps: int = 200, lr: float = 0.05, reference=None) -> GaborFit:
    """Optimal Gabor of each unit: gradient ascent on the continuous Gabor parameters.

    Starts from ``init`` (default: :func:`best_gabor` on ``grid``) and optimizes all
    units at once with Adam; wavelength and sigma are optimized in log space. A unit
    keeps its starting Gabor if optimization did not improve its score.

    Parameters
    ----------
    activation, units, target, grid, shape, norm, reference
        As in :func:`best_gabor`.
    init : GaborFit, optional
    steps : int
    lr : float
        Adam learning rate (pixels for positions, radians for angles, log units).

    Returns
    -------
    GaborFit
    """
    unit_idx, target = _objective(activation, units, target)
    if target is not None:
        shape, reference = tuple(target.shape[-2:]), target
    if init is None:
        init = best_gabor(activation, units, target=target, grid=grid, shape=shape, norm=norm)
    start = {k: torch.as_tensor(init.params[k], dtype=torch.float32) for k in PARAMS}
    free = {k: (start[k].log() if k in ("wavelength", "sigma") else start[k]).clone().requires_grad_(True)
            for k in PARAMS}
    optimizer = torch.optim.Adam(free.values(), lr=lr)

    def current() -> dict:
        return {k: free[k].exp() if k in ("wavelength", "sigma") else free[k] for k in PARAMS}

    def score(params: dict) -> torch.Tensor:
        images = gabor(shape, *(params[k] for k in PARAMS), norm=norm)
        if target is None:
            out = activation(images)
            check_output(out, images.shape[0], unit_idx)
            return out.gather(1, unit_idx[:, None]).squeeze(1)
        return _correlation(images, target)

    for _ in range(steps):
        optimizer.zero_grad()
        (-score(current()).sum()).backward()
        optimizer.step()
    with torch.no_grad():
        final = current()
        keep = score(final) >= score(start)
        params = {k: torch.where(keep, final[k], start[k]) for k in PARAMS}
    return _fit(params, shape, norm, activation, units, reference)


N_NULL = 8  # phase-scrambled copies per image of the edge-likeness null


def edge_likeness(images, n_null: int = N_NULL, seed: int = 0) -> dict:
    """Best-Gabor correlation of each image against a null of the same fit on ``n_null`` copies of
    it with the phase scrambled (same amplitude spectrum): a grid of Gabors fits any smooth or
    band-limited image to some degree, so an image is edge-like only as far as it beats its own
    scrambled copies.

    Returns ``{"r": (U,), "null": (U,) mean r of the copies, "excess": r - null}``.
    """
    images = np.asarray(images, dtype=np.float64)
    scrambled = phase_scramble(np.repeat(images[:, None], n_null, 1), np.random.default_rng(seed))
    r = best_gabor(target=images).correlation
    null = best_gabor(target=scrambled.reshape(-1, *images.shape[-2:])).correlation.reshape(len(images), n_null)
    return {"r": r, "null": null.mean(1), "excess": r - null.mean(1)}
