"""Schedules for the strength of a regularizer over the iterations of a run.

Every numeric strength of an R_pre, R_grad, R_obj or R_post operation accepts either a
number (constant) or a dict ``{"schedule": NAME, ...}``:

``{"schedule": "linear", "start": a, "end": b}``
    linear interpolation from ``a`` at the first step to ``b`` at the last.
``{"schedule": "geometric", "start": a, "end": b}``
    geometric interpolation (``a``, ``b`` > 0).
``{"schedule": "step", "values": [v0, v1, ...], "milestones": [t1, ...]}``
    ``v0`` before step ``t1``, ``v1`` from ``t1`` on, and so on.
"""

from __future__ import annotations

import bisect
import math
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from ..config import unknown_name
from .spec import Int, Number, Positive, Spec, validate


class Constant(Spec):
    """A constant strength (a number in a config)."""

    schedule: Literal["constant"] = "constant"
    value: Number

    def __call__(self, t: int, n_steps: int) -> float:
        return self.value

    def minimum(self) -> float:
        return self.value

    def maximum(self) -> float:
        return self.value


class Linear(Spec):
    """Linear interpolation from ``start`` (step 0) to ``end`` (last step)."""

    schedule: Literal["linear"] = "linear"
    start: Number
    end: Number

    def __call__(self, t: int, n_steps: int) -> float:
        frac = t / max(n_steps - 1, 1)
        return self.start + (self.end - self.start) * frac

    def minimum(self) -> float:
        return min(self.start, self.end)

    def maximum(self) -> float:
        return max(self.start, self.end)


class Geometric(Spec):
    """Geometric interpolation from ``start`` (step 0) to ``end`` (last step), both > 0."""

    schedule: Literal["geometric"] = "geometric"
    start: Positive
    end: Positive

    def __call__(self, t: int, n_steps: int) -> float:
        frac = t / max(n_steps - 1, 1)
        return self.start * math.exp(frac * math.log(self.end / self.start))

    def minimum(self) -> float:
        return min(self.start, self.end)

    def maximum(self) -> float:
        return max(self.start, self.end)


class Step(Spec):
    """Piecewise constant: ``values[i]`` from step ``milestones[i-1]`` on."""

    schedule: Literal["step"] = "step"
    values: tuple[Number, ...]
    milestones: tuple[Int, ...]

    @model_validator(mode="after")
    def _one_value_per_interval(self):
        if len(self.values) != len(self.milestones) + 1:
            raise ValueError("step schedule needs len(values) == len(milestones) + 1, "
                             f"got {len(self.values)} values and {len(self.milestones)} milestones")
        return self

    def __call__(self, t: int, n_steps: int) -> float:
        return self.values[bisect.bisect_right(self.milestones, t)]

    def minimum(self) -> float:
        return min(self.values)

    def maximum(self) -> float:
        return max(self.values)


def _constant(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"schedule": "constant", "value": value}
    if not isinstance(value, dict):
        raise ValueError(f"a strength must be a number or a schedule mapping, got {value!r}")
    if (name := value.get("schedule")) not in SCHEDULES:
        raise PydanticCustomError("unknown_name", "{hint}", {"key": "schedule", "hint": unknown_name(name, SCHEDULES)})
    return value


def _positive(schedule):
    if not schedule.minimum() > 0:
        raise ValueError(f"must be > 0 at every step, got {schedule.minimum():g}")
    return schedule


SCHEDULES = ("linear", "geometric", "step")

#: A strength: a number (constant) or a schedule mapping ``{"schedule": name, ...}``.
Strength = Annotated[Constant | Linear | Geometric | Step, Field(discriminator="schedule"),
                     BeforeValidator(_constant, json_schema_input_type=Number | Annotated[
                         Linear | Geometric | Step, Field(discriminator="schedule")])]
#: A strength that stays > 0 at every step.
PositiveStrength = Annotated[Strength, AfterValidator(_positive)]


def as_schedule(spec) -> Constant | Linear | Geometric | Step:
    """A number or a schedule mapping as a callable ``f(t, n_steps) -> float``."""
    return validate(Strength, spec)
