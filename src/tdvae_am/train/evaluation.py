"""Held-out evaluation of trained models: ELBO and importance-weighted log-likelihood per patch."""

import math

import torch
from torch import Tensor

from tdvae_am.models import LatentVariableModel, iwae


def as_patch_tensor(patches, device: str | torch.device = "cpu") -> Tensor:
    """``(N, 40, 40)`` or ``(N, 1600)`` arrays as a flat float32 ``(N, 1600)`` tensor on ``device``."""
    x = torch.as_tensor(patches, dtype=torch.float32, device=device)
    return x.reshape(x.shape[0], -1)


@torch.no_grad()
def per_patch(fn, patches: Tensor, batch_size: int, seed: int) -> Tensor:
    """``fn(batch) -> (B,)`` over ``patches`` in batches, with its own seeded RNG.

    The global RNG state is restored afterwards, so evaluation does not perturb training.
    """
    devices = [patches.device] if patches.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        return torch.cat([fn(patches[i : i + batch_size]) for i in range(0, len(patches), batch_size)])


def summarize(values: Tensor) -> dict:
    """Mean, standard error of the mean and count of per-patch values."""
    v = values.double()
    n = v.numel()
    sem = v.std().item() / math.sqrt(n) if n > 1 else float("nan")
    return {"mean": v.mean().item(), "sem": sem, "n": n}


def evaluate(
    model: LatentVariableModel,
    patches,
    iwae_samples: int = 100,
    iwae_chunk: int = 25,
    batch_size: int = 256,
    seed: int = 0,
) -> dict:
    """Held-out ELBO, its terms and the IWAE bound, in nats per patch.

    Parameters
    ----------
    model : LatentVariableModel
        Model to evaluate (its device is used).
    patches : array-like
        Held-out patches, ``(N, 40, 40)`` or ``(N, 1600)``.
    iwae_samples, iwae_chunk : int
        Importance samples per patch, and samples per forward pass.
    batch_size : int
        Patches per forward pass.
    seed : int
        Seed of the posterior samples.

    Returns
    -------
    dict
        ``{"elbo", "reconstruction", "kl_z1", ["kl_z2",] "iwae"}``, each ``{"mean", "sem",
        "n"}``; ``"iwae"`` also holds ``"k"``. JSON-serializable.
    """
    device = next(model.parameters()).device
    x = as_patch_tensor(patches, device)

    def terms(batch):
        t = model.terms(batch)
        return torch.stack([t.elbo(), t.reconstruction, *t.kl.values()], dim=1)

    columns = per_patch(terms, x, batch_size, seed)
    names = ["elbo", "reconstruction", *(f"kl_{layer}" for layer in model.families)]
    out = {name: summarize(columns[:, i]) for i, name in enumerate(names)}
    iw_batch = max(1, batch_size // iwae_chunk)
    iw = per_patch(lambda b: iwae(model, b, iwae_samples, iwae_chunk), x, iw_batch, seed + 1)
    out["iwae"] = summarize(iw) | {"k": iwae_samples}
    return out
