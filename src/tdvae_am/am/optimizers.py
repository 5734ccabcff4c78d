"""Optimizers and learning-rate schedules, by name.

``{"name": "sgd" | "rmsprop" | "adam" | "mei", "lr": float, **torch_options,
"schedule": {"name": "step" | "multistep" | "exponential" | "cosine" | "linear", ...}}``

The optimizers minimize ``-objective``. The MEI step is scale-free per chain:
``p <- p - lr * g / (mean|g| + eps)``, with the mean over each chain's slice of the
parameter, so the mean absolute change of every chain's parameter is ``lr``.
"""

from __future__ import annotations

import torch
from torch.optim import lr_scheduler

from .checks import check_int, check_number
from .errors import AMError


class MEI(torch.optim.Optimizer):
    """Normalized gradient descent ``p <- p - lr * g / (mean|g| + eps)``.

    Parameters
    ----------
    params : iterable of Tensor
    lr : float
        Mean absolute step per chain (per parameter when ``per_chain=False``).
    eps : float
    per_chain : bool
        Normalize each slice ``p[n]`` along the first (chain) dimension separately, so
        batching chains does not change any chain's step.
    """

    def __init__(self, params, lr: float = 1.0, eps: float = 1e-12, per_chain: bool = True):
        if not lr > 0:
            raise AMError(f"MEI learning rate must be > 0, got {lr}")
        super().__init__(params, {"lr": lr, "eps": eps, "per_chain": per_chain})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["per_chain"] and g.dim() > 1:
                    scale = g.abs().mean(dim=tuple(range(1, g.dim())), keepdim=True)
                else:
                    scale = g.abs().mean()
                p.sub_(group["lr"] * g / (scale + group["eps"]))
        return loss


OPTIMIZERS = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam, "mei": MEI}

LR_SCHEDULES = {
    "step": lr_scheduler.StepLR,
    "multistep": lr_scheduler.MultiStepLR,
    "exponential": lr_scheduler.ExponentialLR,
    "cosine": lr_scheduler.CosineAnnealingLR,
    "linear": lr_scheduler.LinearLR,
}


def make_optimizer(spec: dict, params: list, n_steps: int):
    """Build an optimizer and its learning-rate scheduler (or None) from a spec dict.

    Parameters
    ----------
    spec : dict
        ``{"name": ..., "lr": ..., "schedule": {...}, **options}``; list options such as
        Adam's ``betas`` may come from YAML as lists.
    params : list of Tensor
    n_steps : int
        Default ``T_max`` of the cosine schedule.

    Returns
    -------
    (torch.optim.Optimizer, lr_scheduler or None)

    Raises
    ------
    AMError
        On an unknown name or option, ``lr <= 0``, an option out of torch's range, or a
        schedule whose ``step_size`` or ``T_max`` is below 1 or ``gamma`` is <= 0.
    """
    options = dict(spec)
    name = options.pop("name", None)
    schedule = options.pop("schedule", None)
    if name not in OPTIMIZERS:
        raise AMError(f"unknown optimizer {name!r}; known: {sorted(OPTIMIZERS)}")
    options = {k: tuple(v) if isinstance(v, list) else v for k, v in options.items()}
    if "lr" in options:
        check_number("optimizer lr", options["lr"], positive=True)
    try:
        optimizer = OPTIMIZERS[name](params, **options)
    except (TypeError, ValueError) as err:
        raise AMError(f"bad options {options} for optimizer {name!r}: {err}") from err
    if schedule is None:
        return optimizer, None
    schedule = dict(schedule)
    kind = schedule.pop("name", None)
    if kind not in LR_SCHEDULES:
        raise AMError(f"unknown learning-rate schedule {kind!r}; known: {sorted(LR_SCHEDULES)}")
    if kind == "cosine":
        schedule.setdefault("T_max", max(n_steps, 1))
    for key in ("step_size", "T_max"):
        if key in schedule:
            check_int(f"learning-rate schedule {key}", schedule[key], 1)
    if "gamma" in schedule:
        check_number("learning-rate schedule gamma", schedule["gamma"], positive=True)
    try:
        return optimizer, LR_SCHEDULES[kind](optimizer, **schedule)
    except (TypeError, ValueError) as err:
        raise AMError(f"bad options {schedule} for learning-rate schedule {kind!r}: {err}") from err
