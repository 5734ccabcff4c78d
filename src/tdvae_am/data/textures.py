"""Texture patch sets: whitened patches of synthesized textures with family and
source-image labels, contrast equalization and phase-scrambled twins."""

from __future__ import annotations

import numpy as np

from .patches import random_crops
from .whitening import whiten


def phase_scramble(patches: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Twins of ``patches`` (..., H, W) with the same Fourier amplitude spectrum and
    random phases (the phases of white noise's FFT keep the result real)."""
    patches = np.asarray(patches, dtype=np.float64)
    amplitude = np.abs(np.fft.fft2(patches))
    noise_phase = np.angle(np.fft.fft2(rng.standard_normal(patches.shape)))
    return np.fft.ifft2(amplitude * np.exp(1j * noise_phase)).real


def texture_patch_set(
    synthesized: dict[str, list[np.ndarray]], size: int, per_image: int, cutoff: float,
    natural_scale: float, target_std: float, equalize: bool, rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], dict]:
    """Whitened texture patches with labels, contrast equalization and scrambled twins.

    Parameters
    ----------
    synthesized
        Family name -> list of synthesized images (periodic, so no padding is needed).
    natural_scale
        The factor that normalized the whitened natural images; applied first so raw
        texture contrasts are in natural-patch units.
    target_std
        The natural patches' std; with ``equalize`` every family is scaled to it.

    Returns
    -------
    arrays
        ``patches``, ``scrambled`` (float32, N x size x size), ``family`` and ``image``
        (int64 labels; ``image`` is global across families) and ``raw_std`` (float32 std
        of each patch before equalization).
    metadata
        Families, per-family raw std and equalization factors.
    """
    families = list(synthesized)
    patches, fam, img_idx = [], [], []
    image_counter = 0
    for f, name in enumerate(families):
        for image in synthesized[name]:
            white = whiten(image, cutoff, pad=0) * natural_scale
            patches.append(random_crops(white, per_image, size, rng))
            fam.append(np.full(per_image, f))
            img_idx.append(np.full(per_image, image_counter))
            image_counter += 1
    patches = np.concatenate(patches)
    fam = np.concatenate(fam).astype(np.int64)
    img_idx = np.concatenate(img_idx).astype(np.int64)
    raw_std = patches.reshape(len(patches), -1).std(axis=1)
    family_std = np.array([patches[fam == f].std() for f in range(len(families))])
    factors = target_std / family_std if equalize else np.ones(len(families))
    patches = patches * factors[fam][:, None, None]
    arrays = {
        "patches": patches.astype(np.float32),
        "scrambled": phase_scramble(patches, rng).astype(np.float32),
        "family": fam,
        "image": img_idx,
        "raw_std": raw_std.astype(np.float32),
    }
    meta = {
        "families": families,
        "raw_family_std": dict(zip(families, family_std.round(6).tolist())),
        "raw_contrast_ratio_max_min": float(family_std.max() / family_std.min()),
        "equalized": bool(equalize),
        "equalization_factors": dict(zip(families, factors.round(6).tolist())),
        "images_per_family": {n: len(v) for n, v in synthesized.items()},
        "patches_per_image": per_image,
    }
    return arrays, meta
