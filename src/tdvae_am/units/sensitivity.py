"""Texture sensitivity of units: modulation by phase structure and family selectivity,
each against a reference distribution of units."""

import numpy as np


def equalize_contrast(patches: np.ndarray, rms: float = 1.0) -> np.ndarray:
    """Remove each patch's mean and scale it to root-mean-square ``rms``."""
    p = np.asarray(patches, dtype=np.float64)
    p = p - p.mean(axis=(-2, -1), keepdims=True)
    norm = np.sqrt((p**2).mean(axis=(-2, -1), keepdims=True))
    return (p * (rms / np.maximum(norm, 1e-12))).astype(np.float32)


def eta_squared(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One-way ANOVA effect size per column: between-group over total sum of squares."""
    values = np.asarray(values, dtype=np.float64)
    classes, idx = np.unique(labels, return_inverse=True)
    onehot = np.eye(len(classes))[idx]
    counts = onehot.sum(0)
    group_means = onehot.T @ values / counts[:, None]
    centered = values - values.mean(0)
    between = (counts[:, None] * (group_means - values.mean(0)) ** 2).sum(0)
    return between / np.maximum((centered**2).sum(0), 1e-300)


def modulation_index(texture_means: np.ndarray, scrambled_means: np.ndarray) -> np.ndarray:
    """``(var_tex - var_scr) / (var_tex + var_scr)`` per unit, from ``(N, D)`` posterior means."""
    v_tex, v_scr = texture_means.var(0, dtype=np.float64), scrambled_means.var(0, dtype=np.float64)
    return (v_tex - v_scr) / np.maximum(v_tex + v_scr, 1e-300)


def against_reference(values: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """z-score and percentile (0-100) of ``values`` within the ``reference`` distribution."""
    z = (values - reference.mean()) / max(reference.std(), 1e-12)
    percentile = 100 * np.searchsorted(np.sort(reference), values, side="right") / len(reference)
    return z, percentile


def texture_sensitivity(
    textures: dict[str, np.ndarray], scrambled: dict[str, np.ndarray], family: np.ndarray
) -> dict[str, np.ndarray]:
    """Modulation index and family selectivity (on textures and scrambled twins) per unit."""
    return {
        "modulation": modulation_index(textures["mean"], scrambled["mean"]),
        "selectivity": eta_squared(textures["mean"], family),
        "selectivity_scrambled": eta_squared(scrambled["mean"], family),
    }

