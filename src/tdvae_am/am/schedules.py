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
from dataclasses import dataclass

from .errors import AMError


@dataclass(frozen=True)
class Constant:
    """A constant strength."""

    value: float

    def __call__(self, t: int, n_steps: int) -> float:
        return self.value

    def minimum(self) -> float:
        return self.value

    def maximum(self) -> float:
        return self.value


@dataclass(frozen=True)
class Linear:
    """Linear interpolation from ``start`` (step 0) to ``end`` (last step)."""

    start: float
    end: float

    def __call__(self, t: int, n_steps: int) -> float:
        frac = t / max(n_steps - 1, 1)
        return self.start + (self.end - self.start) * frac

    def minimum(self) -> float:
        return min(self.start, self.end)

    def maximum(self) -> float:
        return max(self.start, self.end)


@dataclass(frozen=True)
class Geometric:
    """Geometric interpolation from ``start`` (step 0) to ``end`` (last step)."""

    start: float
    end: float

    def __post_init__(self):
        if self.start <= 0 or self.end <= 0:
            raise AMError(f"geometric schedule needs positive start and end, got {self.start}, {self.end}")

    def __call__(self, t: int, n_steps: int) -> float:
        frac = t / max(n_steps - 1, 1)
        return self.start * math.exp(frac * math.log(self.end / self.start))

    def minimum(self) -> float:
        return min(self.start, self.end)

    def maximum(self) -> float:
        return max(self.start, self.end)


@dataclass(frozen=True)
class Step:
    """Piecewise constant: ``values[i]`` from step ``milestones[i-1]`` on."""

    values: tuple
    milestones: tuple

    def __post_init__(self):
        if len(self.values) != len(self.milestones) + 1:
            raise AMError("step schedule needs len(values) == len(milestones) + 1, "
                          f"got {len(self.values)} values and {len(self.milestones)} milestones")

    def __call__(self, t: int, n_steps: int) -> float:
        return self.values[bisect.bisect_right(self.milestones, t)]

    def minimum(self) -> float:
        return min(self.values)

    def maximum(self) -> float:
        return max(self.values)


SCHEDULES = {"linear": Linear, "geometric": Geometric, "step": Step}


def as_schedule(spec) -> Constant | Linear | Geometric | Step:
    """Turn a number or a schedule dict into a callable ``f(t, n_steps) -> float``.

    Parameters
    ----------
    spec : float or dict
        A number, or ``{"schedule": name, **options}`` (see module docstring).

    Returns
    -------
    callable
    """
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return Constant(float(spec))
    if isinstance(spec, dict):
        options = dict(spec)
        name = options.pop("schedule", None)
        if name not in SCHEDULES:
            raise AMError(f"unknown schedule {name!r}; known: {sorted(SCHEDULES)}")
        try:
            if name == "step":
                return Step(tuple(float(v) for v in options["values"]),
                            tuple(int(m) for m in options["milestones"]))
            return SCHEDULES[name](**{k: float(v) for k, v in options.items()})
        except (KeyError, TypeError) as err:
            raise AMError(f"bad options {options} for schedule {name!r}: {err}") from err
    raise AMError(f"a strength must be a number or a schedule dict, got {spec!r}")


def positive_schedule(spec, key: str) -> Constant | Linear | Geometric | Step:
    """:func:`as_schedule` for a strength that must stay > 0; an :class:`AMError` names ``key`` otherwise."""
    schedule = as_schedule(spec)
    if not schedule.minimum() > 0:
        raise AMError(f"{key} must be > 0 at every step, got {spec!r}")
    return schedule
