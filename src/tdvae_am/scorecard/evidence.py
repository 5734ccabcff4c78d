"""The evidence the findings are read from: the AM results, the reference measurements of
the studied units, and per-unit image statistics of AM images."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from tdvae_am.am import AMResult
from tdvae_am.experiments.study import unit_classes
from tdvae_am.imageops.filters import gaussian_blur
from tdvae_am.imageops.fourier import HF_CUTOFF, high_frequency_power

CLASSES = ("texture_sensitive", "non_texture_sensitive")


class Evidence:
    """Lazy access to the workflow's outputs that the findings are computed from.

    ``experiments`` is the registry's ``experiments`` mapping (variant order, swept values,
    groups). Reads are limited to the runs the current section declared (:meth:`reading`),
    so a section's declaration is complete by construction.
    """

    def __init__(self, am_dir, units: dict, reference: dict, experiments: dict):
        self.am_dir, self.units, self.reference, self.experiments = Path(am_dir), units, reference, experiments
        self.classes = unit_classes(units)
        self.order = list(self.classes)
        self.nat_mean, self.nat_std, self.nat_p99 = (
            self.reference_of(k) for k in ("natural_mean", "natural_std", "natural_p99")
        )
        self._cache: dict = {}
        self._allowed: tuple | None = None
        self.masks = {c: np.array([self.classes[u] == c for u in self.order], dtype=bool) for c in CLASSES}

    @contextmanager
    def reading(self, reads: tuple):
        """Allow only the runs ``reads`` declares (``experiment/variant``, ``experiment/*`` or
        ``experiment/group=<name>``) inside the block."""
        self._allowed = reads
        try:
            yield self
        finally:
            self._allowed = None

    def _check_declared(self, experiment: str, variant: str) -> None:
        if self._allowed is None:
            return
        ok = {f"{experiment}/{variant}", f"{experiment}/*"}
        group = (self.experiments[experiment]["variants"][variant] or {}).get("group")
        if group is not None:
            ok.add(f"{experiment}/group={group}")
        if not ok & set(self._allowed):
            raise KeyError(f"run {experiment}/{variant} is read but not declared ({', '.join(self._allowed)})")

    def reference_of(self, key: str) -> np.ndarray:
        """A per-unit entry of the reference summary, in studied-unit order (U,)."""
        row = {u: i for i, u in enumerate(self.reference["units"])}
        return np.array([self.reference[key][row[u]] for u in self.order])

    def reference_array(self, key: str) -> np.ndarray:
        """A per-unit array of the reference (``sta``, ``sta_gabor``), in studied-unit order."""
        if "reference_arrays" not in self._cache:
            with np.load(self.am_dir / "reference.npz") as f:
                self._cache["reference_arrays"] = dict(f)
        row = {u: i for i, u in enumerate(self.reference["units"])}
        return self._cache["reference_arrays"][key][[row[u] for u in self.order]]

    def variants(self, experiment: str) -> list:
        """The experiment's variants in registry order."""
        return list(self.experiments[experiment]["variants"])

    def run(self, experiment: str, variant: str) -> tuple:
        """The run's result and its row of each studied unit (studied-unit order)."""
        self._check_declared(experiment, variant)
        key = (experiment, variant)
        if key not in self._cache:
            res = self.load(experiment, variant)
            self._cache[key] = (res, res.rows(self.order))
        return self._cache[key]

    def load(self, experiment: str, variant: str) -> AMResult:
        """The stored result of one run."""
        return AMResult.load(self.am_dir / experiment / f"{variant}.npz")

    def config(self, experiment: str, variant: str) -> dict:
        """The run's full AM config, as it ran."""
        return self.run(experiment, variant)[0].config

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

    def snapshot(self, experiment: str, variant: str, step: int) -> np.ndarray:
        """(U, R, H, W) first image of every chain after ``step`` iterations (a registered snapshot)."""
        res, rows = self.run(experiment, variant)
        steps = res.summary["snapshot_steps"]
        if step not in steps:
            raise KeyError(f"{experiment}/{variant} has no snapshot at step {step} (has {steps})")
        return res.snapshots[steps.index(step)][rows][:, :, 0]

    def trace(self, experiment: str, variant: str, key: str) -> np.ndarray:
        """(T, U, R) trace in studied-unit order."""
        res, rows = self.run(experiment, variant)
        return np.asarray(res.traces[key])[:, rows]

    @property
    def scale(self) -> np.ndarray:
        """Per-unit activation scale: what unregularized pixel AM (``pixel/plain``) gains over
        the natural mean, floored at the natural-response std. A z-score by the natural std
        alone blows up on a low-variance unit; this scale cannot collapse while AM works."""
        if "scale" not in self._cache:
            res = self.load("pixel", "plain")  # read by every section
            plain = np.asarray(res.summary["final_activation"], dtype=float)[res.rows(self.order)].mean(1)
            self._cache["scale"] = np.maximum(plain - self.nat_mean, self.nat_std)
        return self._cache["scale"]

    def normalized(self, activation: np.ndarray) -> np.ndarray:
        """Per-unit activation (U,) above the natural mean, in units of :attr:`scale`."""
        return (activation - self.nat_mean) / self.scale

    def nact(self, experiment: str, variant: str, key: str = "final_activation") -> np.ndarray:
        """A (U, R) activation summary, restart mean, normalized (:meth:`normalized`)."""
        return self.normalized(self.per_chain(experiment, variant, key).mean(1))

    def mask(self, cls: str) -> np.ndarray:
        return self.masks[cls]


def hf(images: np.ndarray, cutoff: float = HF_CUTOFF) -> np.ndarray:
    """Fraction of power above ``cutoff`` (cycles/pixel) per unit, restart mean, of (U, R, H, W) images."""
    return high_frequency_power(torch.as_tensor(images, dtype=torch.float32), cutoff).mean(1).numpy()


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


def lowpass_correlation(a: np.ndarray, b: np.ndarray, sigma: float = 2.0) -> np.ndarray:
    """Correlation of Gaussian-blurred image pairs (U, R, H, W), restart mean per unit."""
    blur = [gaussian_blur(torch.as_tensor(x, dtype=torch.float32), sigma).numpy() for x in (a, b)]
    fa, fb = (x.reshape(*x.shape[:2], -1) for x in blur)
    fa, fb = (x - x.mean(-1, keepdims=True) for x in (fa, fb))
    num = (fa * fb).sum(-1)
    return (num / np.maximum(np.linalg.norm(fa, axis=-1) * np.linalg.norm(fb, axis=-1), 1e-12)).mean(1)


def _unit_norm(flat: np.ndarray) -> np.ndarray:
    flat = flat - flat.mean(-1, keepdims=True)
    return flat / np.maximum(np.linalg.norm(flat, axis=-1, keepdims=True), 1e-12)


def shift_invariant_variability(images: np.ndarray) -> np.ndarray:
    """1 - mean over restart pairs of the maximal circular cross-correlation (any shift),
    per unit, of (U, R, H, W) images: two restarts that found the same pattern at different
    positions count as the same."""
    u, r, h, w = images.shape
    x = _unit_norm(images.reshape(u, r, -1)).reshape(u, r, h, w)
    f = np.fft.rfft2(x)
    xcorr = np.fft.irfft2(f[:, :, None] * np.conj(f[:, None, :]), s=(h, w))   # (U, R, R, H, W)
    best = xcorr.reshape(u, r, r, -1).max(-1)
    off = ~np.eye(r, dtype=bool)
    return 1 - best[:, off].mean(-1)


def pairwise_diversity(samples: np.ndarray) -> np.ndarray:
    """1 - mean pairwise correlation among the K images of each chain, restart mean per
    unit, of (U, R, K, H, W) images."""
    u, r, k = samples.shape[:3]
    flat = _unit_norm(samples.reshape(u, r, k, -1))
    corr = np.einsum("urkp,urlp->urkl", flat, flat)
    off = ~np.eye(k, dtype=bool)
    return (1 - corr[:, :, off].mean(-1)).mean(1)
