"""Texture families: Portilla-Simoncelli synthesis (plenoptic), whitened patches with
family and source-image labels, contrast equalization and phase-scrambled twins."""

from __future__ import annotations

import numpy as np
import torch

from .patches import random_crops
from .whitening import whiten


def prepare_seed(image: np.ndarray, size: int, downsample: int = 1) -> np.ndarray:
    """Downsample a grayscale seed photograph by an integer factor (block mean), take the
    central ``size`` x ``size`` crop and rescale it to [0, 1]."""
    from skimage.transform import downscale_local_mean

    img = downscale_local_mean(np.asarray(image, float), (downsample, downsample)) if downsample > 1 else image
    h, w = img.shape
    if h < size or w < size:
        raise ValueError(
            f"seed image is {h}x{w} after {downsample}x downsampling, smaller than the "
            f"{size}x{size} synthesis size"
        )
    top, left = (h - size) // 2, (w - size) // 2
    crop = img[top: top + size, left: left + size]
    lo, hi = crop.min(), crop.max()
    return (crop - lo) / (hi - lo) if hi > lo else np.zeros_like(crop)


def ps_model(size: int, n_scales: int, n_orientations: int = 4, spatial_corr_width: int = 7):
    """The plenoptic Portilla-Simoncelli model for ``size`` x ``size`` images."""
    import plenoptic as po

    if size % 2**n_scales:
        raise ValueError(f"texture size {size} must be divisible by 2**n_scales = {2**n_scales}")
    return po.models.PortillaSimoncelli(
        (size, size), n_scales=n_scales, n_orientations=n_orientations,
        spatial_corr_width=spatial_corr_width,
    )


def ps_statistics(image: np.ndarray, model) -> np.ndarray:
    """The PS statistics vector of one image (as the synthesis loss sees them)."""
    x = torch.as_tensor(np.asarray(image), dtype=torch.float32)[None, None]
    with torch.no_grad():
        return model(x).flatten().numpy()


def synthesize_texture(
    seed: np.ndarray, n_scales: int, iterations: int, rng_seed: int,
    n_orientations: int = 4, spatial_corr_width: int = 7,
) -> tuple[np.ndarray, np.ndarray]:
    """Synthesize one PS texture matching ``seed``'s statistics (Metamer + LBFGS).

    Returns the synthesized image (same size as ``seed``, in [0, 1]) and the loss per
    iteration. plenoptic's own progress bar reports the iterations.
    """
    import plenoptic as po

    target = torch.as_tensor(seed, dtype=torch.float32)[None, None]
    model = ps_model(seed.shape[0], n_scales, n_orientations, spatial_corr_width)
    loss = po.loss.portilla_simoncelli_loss_factory(model, target)
    metamer = po.Metamer(target, model, loss_function=loss)
    gen = torch.Generator().manual_seed(rng_seed)
    init = (target.mean() + 0.2 * (torch.rand(target.shape, generator=gen) - 0.5)).clamp(0, 1)
    metamer.setup(
        init, optimizer=torch.optim.LBFGS,
        optimizer_kwargs={"history_size": 100, "max_iter": 10, "line_search_fn": "strong_wolfe", "lr": 1},
    )
    torch.manual_seed(rng_seed)
    metamer.synthesize(max_iter=iterations, store_progress=False)
    image = metamer.metamer.detach()[0, 0].clamp(0, 1).numpy().astype(np.float64)
    return image, np.array([float(v) for v in metamer.losses])


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
