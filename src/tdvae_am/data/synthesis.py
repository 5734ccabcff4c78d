"""Portilla-Simoncelli texture synthesis with plenoptic (Metamer + LBFGS)."""

from __future__ import annotations

import numpy as np
import torch


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
    n_orientations: int = 4, spatial_corr_width: int = 7, device: str | torch.device = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """Synthesize one PS texture matching ``seed``'s statistics (Metamer + LBFGS).

    Returns the synthesized image (same size as ``seed``, in [0, 1]) and the loss per
    iteration. plenoptic's own progress bar reports the iterations.
    """
    import plenoptic as po

    target = torch.as_tensor(seed, dtype=torch.float32, device=device)[None, None]
    model = ps_model(seed.shape[0], n_scales, n_orientations, spatial_corr_width).to(device)
    loss = po.loss.portilla_simoncelli_loss_factory(model, target)
    metamer = po.Metamer(target, model, loss_function=loss)
    gen = torch.Generator().manual_seed(rng_seed)
    noise = torch.rand(target.shape, generator=gen).to(device)
    init = (target.mean() + 0.2 * (noise - 0.5)).clamp(0, 1)
    metamer.setup(
        init, optimizer=torch.optim.LBFGS,
        optimizer_kwargs={"history_size": 100, "max_iter": 10, "line_search_fn": "strong_wolfe", "lr": 1},
    )
    torch.manual_seed(rng_seed)
    metamer.synthesize(max_iter=iterations, store_progress=False)
    image = metamer.metamer.detach()[0, 0].clamp(0, 1).cpu().numpy().astype(np.float64)
    return image, metamer.losses.numpy().astype(np.float64)
