"""Active units along training: the activity rule of the unit classification measured at regular
steps of a training run, for comparing training recipes."""

from __future__ import annotations

from collections.abc import Callable

import torch

from tdvae_am.train.evaluation import as_patch_tensor, per_patch
from tdvae_am.train.loop import Trainer

from .activity import activity, encode, information_threshold


def active_unit_curve(trainer: Trainer, val, every: int, info_threshold: float = 0.05, max_untrained: int = 2,
                      layer: str = "z2", log: Callable[[dict], None] | None = None) -> list[dict]:
    """Train ``trainer`` from step 0 to its end, measuring its units every ``every`` steps.

    At each measurement (and before the first step, on the untrained model, which calibrates the
    activity threshold as in :func:`~tdvae_am.units.classify.classify_units`) the Gaussian
    information of every unit of ``layer`` is estimated on the patches ``val``.

    Returns
    -------
    list of dict
        One row per measurement: ``step``, ``samples``, ``beta_y``, ``val_elbo`` (mean over ``val``),
        ``n_active``, ``information_total`` (nats summed over units) and ``information_active``.
    """
    if trainer.step:
        raise ValueError(f"{trainer.out_dir}: the curve needs a fresh run, this one resumes at step {trainer.step}")
    cfg = trainer.config

    patches = as_patch_tensor(val, trainer.device)

    def measure() -> dict:
        info = activity(encode(trainer.model, patches, layer, kl=False))["information"]
        with torch.no_grad():
            elbo = per_patch(trainer.model.elbo, patches, cfg.val_batch_size, cfg.seed).mean().item()
        return {"information": info, "val_elbo": elbo}

    untrained = measure()
    threshold = information_threshold(untrained["information"], info_threshold, max_untrained)
    rows = []
    while True:
        m = untrained if trainer.step == 0 else measure()
        active = m["information"] > threshold
        row = {"step": trainer.step, "samples": trainer.step * cfg.batch_size,
               "beta_y": cfg.beta_y(max(trainer.step - 1, 0)), "val_elbo": m["val_elbo"],
               "n_active": int(active.sum()), "information_total": float(m["information"].sum()),
               "information_active": float(m["information"][active].sum()), "threshold": threshold}
        rows.append(row)
        if log:
            log(row)
        if trainer.step >= cfg.steps:
            return rows
        trainer.run(until=trainer.step + every)
