"""Tiny analytic models with known AM / STA / Gabor answers, shared by the AM tests."""

from __future__ import annotations

import math

import torch

from tdvae_am.analysis.gabor import gabor

SHAPE = (16, 16)


class LinearUnits:
    """``a_u(x) = <w_u, x>`` for rows ``w_u`` of ``weights`` (U, H, W)."""

    def __init__(self, weights: torch.Tensor, offset: float = 0.0):
        self.weights, self.offset = weights, offset

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1) @ self.weights.flatten(1).T + self.offset


class EnergyUnit:
    """Unit 0 is a complex cell ``sqrt((g0 . x)^2 + (g90 . x)^2)`` on a quadrature Gabor pair;
    unit 1 is a linear distractor."""

    def __init__(self, shape, theta: float, wavelength: float, sigma: float):
        centre = ((shape[1] - 1) / 2, (shape[0] - 1) / 2)
        self.pair = torch.stack([gabor(shape, *centre, theta, wavelength, sigma, phase)
                                 for phase in (0.0, math.pi / 2)])
        self.other = torch.randn(shape, generator=torch.Generator().manual_seed(5))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        proj = x.flatten(1) @ self.pair.flatten(1).T
        energy = torch.sqrt((proj**2).sum(1) + 1e-8)
        return torch.stack([energy, x.flatten(1) @ self.other.flatten() * 0.01], 1)


class ConcaveUnits:
    """``a_u(x) = -mean((x - c_u)^2)``: a unique, sharp maximum at ``c_u``."""

    def __init__(self, centres: torch.Tensor):
        self.centres = centres

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return -((x[:, None] - self.centres[None]) ** 2).mean(dim=(-2, -1))


class LinearDecoder:
    """``decode(z, sample) = A z (+ noise when sample)`` reshaped to images."""

    def __init__(self, dim: int, shape, seed: int = 3):
        g = torch.Generator().manual_seed(seed)
        self.matrix, self.shape = torch.randn(dim, shape[0] * shape[1], generator=g) / 4, shape

    def __call__(self, z: torch.Tensor, sample: bool) -> torch.Tensor:
        x = (z @ self.matrix).reshape(-1, *self.shape)
        return x + 0.1 * torch.randn_like(x) if sample else x


def unit_weights(n_units: int, shape=SHAPE, seed: int = 0) -> torch.Tensor:
    return torch.randn(n_units, *shape, generator=torch.Generator().manual_seed(1000 + seed))


def cosine(a, b) -> torch.Tensor:
    a, b = torch.as_tensor(a).flatten(-2), torch.as_tensor(b).flatten(-2)
    return (a * b).sum(-1) / (a.norm(dim=-1) * b.norm(dim=-1))


def pixel_config(**overrides) -> dict:
    """A small pixel-AM config on 16x16 images under a unit L2 budget."""
    config = {"shape": list(SHAPE), "steps": 100, "budget": {"norm": "l2", "value": 1.0},
              "optimizer": {"name": "rmsprop", "lr": 0.01}}
    config.update(overrides)
    return config
