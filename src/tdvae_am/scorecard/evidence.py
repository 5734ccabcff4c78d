"""The evidence the findings are read from: the AM results, the reference measurements of
the studied units, and per-unit image statistics of AM images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from tdvae_am.am import AMResult
from tdvae_am.experiments.study import unit_classes
from tdvae_am.imageops.filters import gaussian_blur
from tdvae_am.imageops.fourier import HF_CUTOFF, high_frequency_power


class Evidence:
    """Lazy access to the workflow's outputs that the findings are computed from."""

    def __init__(self, am_dir, units: dict, reference: dict):
        self.am_dir, self.units, self.reference = Path(am_dir), units, reference
        self.classes = unit_classes(units)
        self.order = list(self.classes)
        self.nat_mean, self.nat_std, self.nat_p99 = (
            self.reference_of(k) for k in ("natural_mean", "natural_std", "natural_p99")
        )
        self._cache: dict = {}

    def reference_of(self, key: str) -> np.ndarray:
        """A per-unit entry of the reference summary, in studied-unit order (U,)."""
        row = {u: i for i, u in enumerate(self.reference["units"])}
        return np.array([self.reference[key][row[u]] for u in self.order])

    def run(self, experiment: str, variant: str) -> tuple:
        """The run's result and its row of each studied unit (studied-unit order)."""
        key = (experiment, variant)
        if key not in self._cache:
            res = AMResult.load(self.am_dir / experiment / f"{variant}.npz")
            self._cache[key] = (res, res.rows(self.order))
        return self._cache[key]

    def per_chain(self, experiment: str, variant: str, key: str) -> np.ndarray:
        """A (U, R) summary entry in studied-unit order."""
        res, rows = self.run(experiment, variant)
        return np.asarray(res.summary[key], dtype=float)[rows]

    def images(self, experiment: str, variant: str, which: str = "images", first: bool = True) -> np.ndarray:
        """(U, R, H, W) first image of every chain, or (U, R, K, ...) all of them, of
        ``images``, ``samples`` or a learned parameter (``params`` key)."""
        res, rows = self.run(experiment, variant)
        arrays = res.params[which] if which in res.params else getattr(res, which)
        return arrays[rows][:, :, 0] if first else arrays[rows]

    def trace(self, experiment: str, variant: str, key: str) -> np.ndarray:
        """(T, U, R) trace in studied-unit order."""
        res, rows = self.run(experiment, variant)
        return np.asarray(res.traces[key])[:, rows]

    def zact(self, experiment: str, variant: str) -> np.ndarray:
        """Final activation as a natural-patch z-score, restart mean per unit (U,)."""
        a = self.per_chain(experiment, variant, "final_activation").mean(1)
        return (a - self.nat_mean) / self.nat_std

    def mask(self, cls: str) -> np.ndarray:
        return np.array([self.classes[u] == cls for u in self.order])


def hf(images: np.ndarray) -> np.ndarray:
    """High-frequency power fraction per unit, restart mean, of (U, R, H, W) images."""
    return high_frequency_power(torch.as_tensor(images, dtype=torch.float32), HF_CUTOFF).mean(1).numpy()


def log_neg_elbo(elbo) -> np.ndarray:
    """``log10(-ELBO)`` (ELBO below -1 nat), the scale on which off-distribution ELBOs compare."""
    return np.log10(np.maximum(-np.asarray(elbo, dtype=float), 1.0))


def pixel_std(images: np.ndarray) -> np.ndarray:
    return images.reshape(*images.shape[:2], -1).std(-1).mean(1)


def iterations_to(trace: np.ndarray, fraction: float = 0.9) -> np.ndarray:
    """First iteration reaching ``a0 + fraction * (a_end - a0)`` per chain, restart mean (U,)."""
    start, end = trace[0], trace[-1]
    reached = (trace - start) >= fraction * (end - start) - 1e-12
    return reached.argmax(0).mean(1).astype(float)


def restart_variability(images: np.ndarray) -> np.ndarray:
    """1 - mean pairwise correlation between the restarts' images, per unit (U,)."""
    flat = images.reshape(*images.shape[:2], -1)
    flat = flat - flat.mean(-1, keepdims=True)
    flat = flat / np.maximum(np.linalg.norm(flat, axis=-1, keepdims=True), 1e-12)
    corr = np.einsum("urp,usp->urs", flat, flat)
    r = images.shape[1]
    off = (corr.sum((1, 2)) - np.trace(corr, axis1=1, axis2=2)) / (r * (r - 1))
    return 1 - off


def lowpass_correlation(a: np.ndarray, b: np.ndarray, sigma: float = 2.0) -> np.ndarray:
    """Correlation of Gaussian-blurred image pairs (U, R, H, W), restart mean per unit."""
    blur = [gaussian_blur(torch.as_tensor(x, dtype=torch.float32), sigma).numpy() for x in (a, b)]
    fa, fb = (x.reshape(*x.shape[:2], -1) for x in blur)
    fa, fb = (x - x.mean(-1, keepdims=True) for x in (fa, fb))
    num = (fa * fb).sum(-1)
    return (num / np.maximum(np.linalg.norm(fa, axis=-1) * np.linalg.norm(fb, axis=-1), 1e-12)).mean(1)
