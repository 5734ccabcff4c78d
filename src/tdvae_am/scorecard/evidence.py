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
        self.nat_mean, self.nat_std, self.nat_median, self.nat_p99, self.nat_max = (
            self.reference_of(k) for k in ("natural_mean", "natural_std", "natural_median", "natural_p99",
                                           "natural_max")
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

    @property
    def information(self) -> np.ndarray:
        """Gaussian information (nats) of each studied unit about natural patches, the strength
        the class contrasts are adjusted for."""
        info = self.units["units"]["trained"]["information_natural"]
        return np.array([info[u] for u in self.order], dtype=float)

    def succeeded(self, experiment: str, variant: str) -> np.ndarray:
        """(U, R): the restart's final activation reaches the unit's natural median (else the run
        failed: its image is not scored as a property of the unit)."""
        return self.per_chain(experiment, variant, "final_activation") >= self.nat_median[:, None]


def hf(images: np.ndarray, cutoff: float = HF_CUTOFF) -> np.ndarray:
    """Fraction of power above ``cutoff`` (cycles/pixel) per unit, restart mean, of (U, R, H, W) images."""
    return high_frequency_power(torch.as_tensor(images, dtype=torch.float32), cutoff).mean(1).numpy()


def log_neg_elbo(elbo) -> np.ndarray:
    """``log10(-ELBO)`` (ELBO below -1 nat), the scale on which off-distribution ELBOs compare."""
    return np.log10(np.maximum(-np.asarray(elbo, dtype=float), 1.0))


def pixel_std(images: np.ndarray) -> np.ndarray:
    return images.reshape(*images.shape[:2], -1).std(-1).mean(1)


LEVEL_FRACTION = 0.9


def common_level(finals: np.ndarray, natural_mean: np.ndarray, fraction: float = LEVEL_FRACTION) -> np.ndarray:
    """Per unit the activation ``fraction`` of the way from the natural mean to the best of
    ``finals`` (M, U), the final activations of the M contestants: one target for all of them."""
    return natural_mean + fraction * (np.nanmax(finals, 0) - natural_mean)


def iterations_to_level(trace: np.ndarray, level: np.ndarray) -> tuple:
    """(iterations, reached) per unit of a (T, U) trace: the first iteration from which the trace
    stays at or above ``level`` (U,) to the end; a trace that does not end there is censored at
    T (``reached`` False), so an oscillating run that touches the level once is not fast."""
    above = trace >= level[None] - 1e-12
    stays = np.flip(np.logical_and.accumulate(np.flip(above, 0), 0), 0)      # above from t to the end
    reached = stays[-1]
    first = np.where(reached, stays.argmax(0), len(trace))
    return first.astype(float), reached


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


def max_xcorr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Maximal circular cross-correlation (any shift) of image pairs (..., H, W), a shift-invariant
    similarity in [-1, 1]."""
    h, w = a.shape[-2:]
    fa, fb = (np.fft.rfft2(_unit_norm(x.reshape(*x.shape[:-2], -1)).reshape(x.shape)) for x in (a, b))
    xcorr = np.fft.irfft2(fa * np.conj(fb), s=(h, w))
    return xcorr.reshape(*xcorr.shape[:-2], -1).max(-1)


def shift_invariant_variability(images: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """1 - mean over restart pairs of :func:`max_xcorr`, per unit, of (U, R, H, W) images: two
    restarts that found the same pattern at different positions count as the same. ``keep``
    (U, R) restricts the pairs to kept restarts (NaN where fewer than two are kept)."""
    u, r = images.shape[:2]
    best = max_xcorr(images[:, :, None], images[:, None, :])                 # (U, R, R)
    keep = np.ones((u, r), dtype=bool) if keep is None else keep
    pairs = keep[:, :, None] & keep[:, None, :] & ~np.eye(r, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - (best * pairs).sum((1, 2)) / np.where(pairs.any((1, 2)), pairs.sum((1, 2)), np.nan)


def pairwise_diversity(samples: np.ndarray) -> np.ndarray:
    """1 - mean pairwise correlation among the K images of each chain, restart mean per
    unit, of (U, R, K, H, W) images."""
    u, r, k = samples.shape[:3]
    flat = _unit_norm(samples.reshape(u, r, k, -1))
    corr = np.einsum("urkp,urlp->urkl", flat, flat)
    off = ~np.eye(k, dtype=bool)
    return (1 - corr[:, :, off].mean(-1)).mean(1)
