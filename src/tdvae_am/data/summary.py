"""A flat summary of the data stage, written as DVC metrics."""

from __future__ import annotations

import numpy as np


def data_metrics(natural_meta: dict, texture_meta: dict, ps_losses: dict[str, np.ndarray]) -> dict:
    """Counts, patch std, texture contrasts and PS synthesis convergence.

    ``ps_losses`` maps each synthesized image's name to its loss per iteration.
    """
    final = np.array([v[-1] for v in ps_losses.values()])
    reduction = np.array([v[-1] / v[0] for v in ps_losses.values()])
    return {
        "natural": {
            "counts": natural_meta["counts"],
            "std": natural_meta["std"],
            "normalization_scale": natural_meta["normalization"]["scale"],
        },
        "textures": {
            "patches": texture_meta["counts"]["patches"],
            "raw_family_std": texture_meta["raw_family_std"],
            "raw_contrast_ratio_max_min": texture_meta["raw_contrast_ratio_max_min"],
            "equalization_factors": texture_meta["equalization_factors"],
        },
        "ps_synthesis": {
            "images": len(final),
            "final_loss_median": float(np.median(final)),
            "final_loss_max": float(final.max()),
            "loss_reduction_median": float(np.median(reduction)),
        },
    }
