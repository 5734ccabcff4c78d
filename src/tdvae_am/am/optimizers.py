"""Optimizers and learning-rate schedules, by name.

``{"name": "sgd" | "rmsprop" | "adam" | "mei", "lr": float, **torch_options,
"schedule": {"name": "step" | "multistep" | "exponential" | "cosine" | "linear", ...}}``; an option
left out takes torch's default.

The optimizers minimize ``-objective``. The MEI step is scale-free per chain:
``p <- p - lr * g / (mean|g| + eps)``, with the mean over each chain's slice of the
parameter, so the mean absolute change of every chain's parameter is ``lr``.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import torch
from pydantic import Field
from torch.optim import lr_scheduler

from .spec import Count, NonNegative, Number, Positive, Spec, component, validate


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


class LRSchedule(Spec):
    """Base of the learning-rate schedules: ``torch_class`` built with the options that are set."""

    def build(self, optimizer: torch.optim.Optimizer, n_steps: int):
        options = self.model_dump(exclude={"name"}, exclude_none=True)
        return self.torch_class(optimizer, **options)


class StepSchedule(LRSchedule):
    """``lr * gamma`` every ``step_size`` steps."""

    name: Literal["step"] = "step"
    step_size: Count
    gamma: Positive | None = None
    torch_class: ClassVar[type] = lr_scheduler.StepLR


class MultiStepSchedule(LRSchedule):
    """``lr * gamma`` at each of the ``milestones``."""

    name: Literal["multistep"] = "multistep"
    milestones: tuple[Count, ...]
    gamma: Positive | None = None
    torch_class: ClassVar[type] = lr_scheduler.MultiStepLR


class ExponentialSchedule(LRSchedule):
    """``lr * gamma`` every step."""

    name: Literal["exponential"] = "exponential"
    gamma: Positive
    torch_class: ClassVar[type] = lr_scheduler.ExponentialLR


class CosineSchedule(LRSchedule):
    """Cosine annealing to ``eta_min`` over ``T_max`` steps (default: the run's steps)."""

    name: Literal["cosine"] = "cosine"
    T_max: Count | None = None
    eta_min: NonNegative | None = None
    torch_class: ClassVar[type] = lr_scheduler.CosineAnnealingLR

    def build(self, optimizer: torch.optim.Optimizer, n_steps: int):
        schedule = self if self.T_max is not None else self.model_copy(update={"T_max": max(n_steps, 1)})
        return LRSchedule.build(schedule, optimizer, n_steps)


class LinearSchedule(LRSchedule):
    """The learning rate scaled linearly from ``start_factor`` to ``end_factor`` over ``total_iters`` steps."""

    name: Literal["linear"] = "linear"
    start_factor: Annotated[Positive, Field(le=1)] | None = None
    end_factor: Annotated[NonNegative, Field(le=1)] | None = None
    total_iters: Count | None = None
    torch_class: ClassVar[type] = lr_scheduler.LinearLR


Fraction = Annotated[NonNegative, Field(lt=1)]


class Optimizer(Spec):
    """Base of the optimizers: ``torch_class`` built with the options that are set (torch's defaults
    for the others) and its learning-rate schedule."""

    lr: Positive | None = None
    schedule: component(StepSchedule | MultiStepSchedule | ExponentialSchedule | CosineSchedule
                        | LinearSchedule) | None = None

    def build(self, params: list, n_steps: int):
        """The optimizer of ``params`` and its scheduler (or None)."""
        optimizer = self.torch_class(params, **self.model_dump(exclude={"name", "schedule"}, exclude_none=True))
        return optimizer, None if self.schedule is None else self.schedule.build(optimizer, n_steps)


class SGD(Optimizer):
    name: Literal["sgd"] = "sgd"
    momentum: NonNegative | None = None
    dampening: Number | None = None
    weight_decay: NonNegative | None = None
    nesterov: bool | None = None
    torch_class: ClassVar[type] = torch.optim.SGD


class RMSprop(Optimizer):
    name: Literal["rmsprop"] = "rmsprop"
    alpha: NonNegative | None = None
    eps: Positive | None = None
    weight_decay: NonNegative | None = None
    momentum: NonNegative | None = None
    centered: bool | None = None
    torch_class: ClassVar[type] = torch.optim.RMSprop


class Adam(Optimizer):
    name: Literal["adam"] = "adam"
    betas: tuple[Fraction, Fraction] | None = None
    eps: Positive | None = None
    weight_decay: NonNegative | None = None
    amsgrad: bool | None = None
    torch_class: ClassVar[type] = torch.optim.Adam


class MEIOptimizer(Optimizer):
    name: Literal["mei"] = "mei"
    eps: Positive | None = None
    per_chain: bool | None = None
    torch_class: ClassVar[type] = MEI


#: An optimizer, by name.
OptimizerSpec = component(SGD | RMSprop | Adam | MEIOptimizer)


def make_optimizer(spec, params: list, n_steps: int):
    """The optimizer and learning-rate scheduler (or None) of ``spec`` (a mapping or an
    :data:`OptimizerSpec`); ``n_steps`` is the cosine schedule's default ``T_max``."""
    return validate(OptimizerSpec, spec, "optimizer").build(params, n_steps)
