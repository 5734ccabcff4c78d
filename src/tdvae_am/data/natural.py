"""The natural-image patch set: load, whiten whole images, cut split patches, normalize."""

from __future__ import annotations

import logging

import numpy as np

from .images import load_natural_images
from .patches import SPLITS, cut_split_patches
from .whitening import whiten


def build_natural_patches(
    config: dict, rng: np.random.Generator, log: logging.Logger | None = None
) -> tuple[dict[str, np.ndarray], dict]:
    """Whitened natural patches for every split, scaled so the training patches have
    ``whitening.target_std``; returns the arrays and their metadata."""
    log = log or logging.getLogger(__name__)
    nat, wcfg = config["natural"], config["whitening"]
    images = load_natural_images(nat["image_dir"], tuple(nat["raw_shape"]))
    log.info("loaded %d natural images: %s", len(images), ", ".join(images))
    white = {k: whiten(v, wcfg["cutoff"], wcfg["pad"]) for k, v in images.items()}
    counts = {s: nat[f"n_{s}"] for s in SPLITS}
    arrays = cut_split_patches(white, counts, config["patch_size"], tuple(nat["split_fractions"]), rng)
    raw_std = float(arrays["train"].std())
    scale = wcfg["target_std"] / raw_std
    arrays = {k: (v * scale).astype(np.float32) for k, v in arrays.items()}
    log.info("patches %s; whitened std %.4g -> scale %.4g", {k: len(v) for k, v in arrays.items()}, raw_std, scale)
    meta = {
        "counts": {k: int(len(v)) for k, v in arrays.items()},
        "patch_size": config["patch_size"],
        "source": nat["image_dir"] or "bundled",
        "images": {k: list(v.shape) for k, v in images.items()},
        "whitening": {
            "filter": "|f| exp(-(|f|/f0)^4), f in cycles/pixel",
            "cutoff_fraction_of_nyquist": wcfg["cutoff"],
            "f0_cycles_per_pixel": wcfg["cutoff"] * 0.5,
            "reflect_pad": wcfg["pad"],
        },
        "normalization": {"scale": scale, "target_std": wcfg["target_std"], "raw_train_std": raw_std},
        "split_rule": f"random disjoint {2 * config['patch_size']}px tiles of each image per split, "
        f"fractions {nat['split_fractions']}",
        "seed": config["seed"],
        "std": {k: float(v.std()) for k, v in arrays.items()},
    }
    return arrays, meta
