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
    """Per-unit variance of posterior means, mean posterior std, mean KL and information over patches.

    ``information`` is the Gaussian estimate of the mutual information between the input and
    the unit, ``0.5 log((Var_x mu + E_x sigma^2) / E_x sigma^2)`` nats: the aggregate
    posterior's variance over the average posterior variance. It is 0 when the posterior does
    not depend on the input, however far it sits from the prior (where the KL is not).
    """
    var_mean = codes["mean"].var(0, dtype=np.float64)
    mean_var = (codes["std"].astype(np.float64) ** 2).mean(0)
    out = {
        "var_mean": var_mean,
        "mean_std": codes["std"].mean(0, dtype=np.float64),
        "information": 0.5 * np.log1p(var_mean / np.maximum(mean_var, 1e-300)),
    }
    if "kl" in codes:
        out["mean_kl"] = codes["kl"].mean(0, dtype=np.float64)
    return out


def information_threshold(untrained_information: np.ndarray, threshold: float = 0.05, max_untrained: int = 2) -> float:
    """The activity threshold (nats): ``threshold``, raised where needed so that at most
    ``max_untrained`` units of the untrained model exceed it (calibration on the null model)."""
    ranked = np.sort(np.asarray(untrained_information, dtype=np.float64))[::-1]
    return float(max(threshold, ranked[max_untrained])) if len(ranked) > max_untrained else float(threshold)


def active_units(information: np.ndarray, threshold: float) -> np.ndarray:
    """Indices of units whose information (nats) exceeds ``threshold``."""
    return np.flatnonzero(np.asarray(information) > threshold)
