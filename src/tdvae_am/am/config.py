"""Configuration: a plain dict (or YAML) -> validated, built components of a run.

Every component is looked up by name in a plain registry (no import-by-string):
``PARAMETRIZATIONS``, ``PRE``, ``GRAD``, ``OBJ``, ``POST``, ``OPTIMIZERS``,
``LR_SCHEDULES``. See :mod:`tdvae_am.am` for the format and examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ..yaml_numbers import load_yaml, non_finite, with_numbers
from .budget import Budget, make_budget
from .errors import AMError
from .grad import GRAD, GradStage
from .objectives import OBJ, ObjectiveStage
from .optimizers import OPTIMIZERS, make_optimizer
from .parametrizations import PARAMETRIZATIONS, ParametrizationSpec
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
    parametrization : ParametrizationSpec
        Its validated source and head; built per run.
    pre, grad, obj, post : PreStage, GradStage, ObjectiveStage, PostStage
        R_pre, R_grad, R_obj and R_post.
    optimizer : dict
        Optimizer spec, built per run by :func:`tdvae_am.am.optimizers.make_optimizer`.
    """

    config: dict
    parametrization: ParametrizationSpec
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
    except AMError:
        raise
    except (TypeError, ValueError) as err:
        raise AMError(f"bad options {options} for {what} {name!r}: {err}") from err


def _parametrization(spec, shape: tuple) -> tuple:
    """The name and the validated :class:`ParametrizationSpec` of a parametrization entry."""
    name, options = _split(spec, "parametrization", PARAMETRIZATIONS)
    try:
        param = PARAMETRIZATIONS[name](**options)
        param.check_shape(shape)
    except TypeError as err:
        raise AMError(f"bad options {options} for parametrization {name!r}: {err}") from err
    except AMError as err:
        raise AMError(f"parametrization {name!r}: {err}") from None
    return name, param


def _build_list(specs, what: str, registry: dict) -> list:
    if not isinstance(specs, (list, tuple)):
        raise AMError(f"the {what} stage must be a list of operations, got {specs!r}")
    return [_build(spec, what, registry) for spec in specs]


def parse_config(config: dict) -> RunSpec:
    """Validate a config dict and build its components.

    Strings in scientific notation (``lr: 1e-2`` in YAML 1.1) are read as numbers first, integral
    ones as ints (:mod:`tdvae_am.yaml_numbers`, as in the workflow config and the registry).

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
        On an unknown key, name or option, a non-finite number, an option value out of its range, or R_grad /
        R_post on a parametrization without image-shaped parameters; the message names the key.
    """
    unknown = set(config) - set(DEFAULTS)
    if unknown:
        raise AMError(f"unknown config keys {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    full = with_numbers({**DEFAULTS, **config})
    if bad := non_finite(full):
        raise AMError(f"{bad[0][0]}: {bad[0][1]} is not a finite number")
    try:
        shape = tuple(int(s) for s in full["shape"])
    except (TypeError, ValueError):
        shape = ()
    if len(shape) != 2 or min(shape) < 2:
        raise AMError(f"shape must be [height, width] with sides >= 2, got {full['shape']!r}")
    steps = full["steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise AMError(f"steps must be an integer >= 0, got {steps!r}")
    snapshots = full["snapshots"]
    if not isinstance(snapshots, (list, tuple)) or not all(
            isinstance(k, int) and not isinstance(k, bool) and 0 <= k <= steps for k in snapshots):
        raise AMError(f"snapshots must be a list of iteration counts in [0, steps={steps}], got {snapshots!r}")
    name, param = _parametrization(full["parametrization"], shape)
    grad = GradStage(_build_list(full["grad"], "grad filter", GRAD))
    post = PostStage(_build_list(full["post"], "post operation", POST))
    for key, stage, what in (("grad", grad, "R_grad filters"), ("post", post, "R_post operations")):
        if stage and not param.has_image_params:
            raise AMError(f"{key}: {what} need image-shaped parameters; parametrization {name!r} has none")
    obj = ObjectiveStage(_build_list(full["obj"], "objective term", OBJ))
    if any(term.name == "diversity" for term in obj.terms) and param.n_samples < 2:
        raise AMError(f"obj: the diversity term needs at least 2 samples per chain; parametrization {name!r} "
                      f"has n_samples={param.n_samples}")
    kind, options = _split(full["optimizer"], "optimizer", OPTIMIZERS)
    optimizer = {"name": kind, **options}
    make_optimizer(optimizer, [torch.zeros(1, requires_grad=True)], steps)      # validates its options
    return RunSpec(
        config=full,
        parametrization=param,
        shape=shape,
        steps=steps,
        budget=make_budget(full["budget"]),
        pre=PreStage(_build_list(full["pre"], "pre operation", PRE)),
        grad=grad,
        obj=obj,
        post=post,
        optimizer=optimizer,
        success=make_success_rule(full["success"]),
        snapshots=tuple(sorted(set(snapshots))),
        track_elbo=bool(full["track_elbo"]),
        progress=bool(full["progress"]),
    )


def load_config(source) -> dict:
    """Read a config dict from a YAML file (a ``Path``, or a name ending in .yaml / .yml)
    or from a YAML string (numbers as :func:`tdvae_am.yaml_numbers.load_yaml` reads them)."""
    is_file = isinstance(source, Path) or ("\n" not in source and source.endswith((".yaml", ".yml")))
    text = Path(source).read_text() if is_file else source
    config = load_yaml(text)
    if not isinstance(config, dict):
        raise AMError(f"a config must be a mapping, got {type(config).__name__}")
    return config
