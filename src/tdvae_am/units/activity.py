"""Unit activity: posterior moments and KL of each unit over a set of patches."""

import numpy as np
import torch

from tdvae_am.models import LatentVariableModel
from tdvae_am.train.evaluation import as_patch_tensor


@torch.no_grad()
def encode(
    model: LatentVariableModel, patches, layer: str = "z2", batch_size: int = 512, kl: bool = True
) -> dict[str, np.ndarray]:
    """Posterior means, standard deviations and (optionally) per-unit KL to the prior, ``(N, D)`` each.

    Means are those of :meth:`LatentVariableModel.posterior_moments`; the KL is
    :meth:`LatentVariableModel.kl_per_unit` (for z1 of the TDVAE, at the z2 posterior mean).
    """
    device = next(model.parameters()).device
    x = as_patch_tensor(patches, device)
    out = {"mean": [], "std": [], "kl": []} if kl else {"mean": [], "std": []}
    for i in range(0, len(x), batch_size):
        mean, std = model.posterior_moments(x[i : i + batch_size], layer)
        out["mean"].append(mean)
        out["std"].append(std)
        if kl:
            out["kl"].append(model.kl_per_unit(x[i : i + batch_size], layer))
    return {k: torch.cat(v).cpu().numpy() for k, v in out.items()}


def activity(codes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-unit variance of posterior means, mean posterior std and mean KL over patches."""
    return {
        "var_mean": codes["mean"].var(0, dtype=np.float64),
        "mean_std": codes["std"].mean(0, dtype=np.float64),
        "mean_kl": codes["kl"].mean(0, dtype=np.float64),
    }


def active_units(mean_kl: np.ndarray, threshold: float = 0.1) -> np.ndarray:
    """Indices of units whose mean KL to the prior exceeds ``threshold`` nats."""
    return np.flatnonzero(mean_kl > threshold)
