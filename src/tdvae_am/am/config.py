"""Configuration: a plain dict (or YAML) -> validated, built components of a run.

Every component is looked up by name in a plain registry (no import-by-string):
``PARAMETRIZATIONS``, ``PRE``, ``GRAD``, ``OBJ``, ``POST``, ``OPTIMIZERS``,
``LR_SCHEDULES``. See :mod:`tdvae_am.am` for the format and examples.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from pathlib import Path

import yaml

from .budget import Budget, make_budget
from .errors import AMError
from .grad import GRAD, GradStage
from .objectives import OBJ, ObjectiveStage
from .optimizers import LR_SCHEDULES, OPTIMIZERS
from .parametrizations import PARAMETRIZATIONS
from .post import POST, PostStage
from .pre import PRE, PreStage
from .tracking import SuccessRule, make_success_rule

DEFAULTS = {
    "parametrization": {"name": "pixel"},
    "shape": [40, 40],
    "steps": 100,
    "budget": None,
    "pre": [],
    "grad": [],
    "obj": [],
    "post": [],
    "optimizer": {"name": "rmsprop", "lr": 0.01},
    "success": {},
    "snapshots": [],
    "track_elbo": True,
    "progress": False,
}


@dataclass
class RunSpec:
    """The built components of a run (everything that does not need the model).

    Attributes
    ----------
    config : dict
        The full configuration with defaults filled in.
    parametrization : (type, dict)
        Parametrization class and its options; instantiated per run.
    pre, grad, obj, post : PreStage, GradStage, ObjectiveStage, PostStage
        R_pre, R_grad, R_obj and R_post.
    optimizer : dict
        Optimizer spec, built per run by :func:`tdvae_am.am.optimizers.make_optimizer`.
    """

    config: dict
    parametrization: tuple
    shape: tuple
    steps: int
    budget: Budget | None
    pre: PreStage
    grad: GradStage
    obj: ObjectiveStage
    post: PostStage
    optimizer: dict
    success: SuccessRule
    snapshots: tuple
    track_elbo: bool
    progress: bool


def _split(spec, what: str, registry: dict) -> tuple:
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        raise AMError(f"a {what} must be a name or a dict with 'name', got {spec!r}")
    options = dict(spec)
    name = options.pop("name", None)
    if name not in registry:
        raise AMError(f"unknown {what} {name!r}; known: {sorted(registry)}")
    return name, options


def _build(spec, what: str, registry: dict):
    name, options = _split(spec, what, registry)
    try:
        return registry[name](**options)
    except TypeError as err:
        raise AMError(f"bad options {options} for {what} {name!r}: {err}") from err


def _build_list(specs, what: str, registry: dict) -> list:
    if not isinstance(specs, (list, tuple)):
        raise AMError(f"the {what} stage must be a list of operations, got {specs!r}")
    return [_build(spec, what, registry) for spec in specs]


def parse_config(config: dict) -> RunSpec:
    """Validate a config dict and build its components.

    Parameters
    ----------
    config : dict
        See :mod:`tdvae_am.am`. Missing keys take the values of ``DEFAULTS``.

    Returns
    -------
    RunSpec

    Raises
    ------
    AMError
        On an unknown key, name or option.
    """
    unknown = set(config) - set(DEFAULTS)
    if unknown:
        raise AMError(f"unknown config keys {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    full = copy.deepcopy({**DEFAULTS, **config})
    name, options = _split(full["parametrization"], "parametrization", PARAMETRIZATIONS)
    cls = PARAMETRIZATIONS[name]
    try:
        inspect.signature(cls).bind(None, **options)
    except TypeError as err:
        raise AMError(f"bad options {options} for parametrization {name!r}: {err}") from err
    shape = tuple(int(s) for s in full["shape"])
    if len(shape) != 2 or min(shape) < 2:
        raise AMError(f"shape must be [height, width] with sides >= 2, got {full['shape']}")
    steps = full["steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise AMError(f"steps must be an integer >= 0, got {steps!r}")
    snapshots = full["snapshots"]
    if not isinstance(snapshots, (list, tuple)) or not all(
            isinstance(k, int) and not isinstance(k, bool) and 0 <= k <= steps for k in snapshots):
        raise AMError(f"snapshots must be a list of iteration counts in [0, steps={steps}], got {snapshots!r}")
    _split(full["optimizer"], "optimizer", OPTIMIZERS)
    schedule = full["optimizer"].get("schedule") if isinstance(full["optimizer"], dict) else None
    if schedule is not None:
        _split(schedule, "learning-rate schedule", LR_SCHEDULES)
    return RunSpec(
        config=full,
        parametrization=(cls, options),
        shape=shape,
        steps=steps,
        budget=make_budget(full["budget"]),
        pre=PreStage(_build_list(full["pre"], "pre operation", PRE)),
        grad=GradStage(_build_list(full["grad"], "grad filter", GRAD)),
        obj=ObjectiveStage(_build_list(full["obj"], "objective term", OBJ)),
        post=PostStage(_build_list(full["post"], "post operation", POST)),
        optimizer=full["optimizer"] if isinstance(full["optimizer"], dict) else {"name": full["optimizer"]},
        success=make_success_rule(full["success"]),
        snapshots=tuple(sorted(set(snapshots))),
        track_elbo=bool(full["track_elbo"]),
        progress=bool(full["progress"]),
    )


def load_config(source) -> dict:
    """Read a config dict from a YAML file (a ``Path``, or a name ending in .yaml / .yml)
    or from a YAML string."""
    is_file = isinstance(source, Path) or ("\n" not in source and source.endswith((".yaml", ".yml")))
    text = Path(source).read_text() if is_file else source
    config = yaml.safe_load(text)
    if not isinstance(config, dict):
        raise AMError(f"a config must be a mapping, got {type(config).__name__}")
    return config
