"""Configuration: a plain dict (or YAML) -> a validated, typed :class:`RunSpec` of built components.

:class:`RunSpec` is the typed model of an AM config (:mod:`tdvae_am.am.spec`): every key with its
default, each component picked by ``name`` from a discriminated union whose members declare their
own options. See :mod:`tdvae_am.am` for the format and examples.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated

from pydantic import Field, PrivateAttr, Strict

from ..yaml_numbers import load_yaml, non_finite, with_numbers
from .budget import Budget
from .errors import AMError
from .grad import GradStage
from .objectives import ObjectiveStage
from .optimizers import OptimizerSpec
from .parametrizations import ParametrizationConfig
from .post import PostStage
from .pre import PreStage
from .spec import Spec, validate
from .tracking import SuccessRule

Side = Annotated[int, Strict(), Field(ge=2)]
Iterations = Annotated[int, Strict(), Field(ge=0)]


class RunSpec(Spec):
    """An AM configuration, validated, with its components built (everything that does not need
    the model). The defaults are written as a config writes them.

    Attributes
    ----------
    parametrization : ParametrizationSpec
        What is optimized (a source and a head), built per run.
    shape : (int, int)
        Image height and width.
    steps : int
        Iterations (0: the initial images, e.g. one-hot synthesis).
    budget : Budget or None
    pre, grad, obj, post : PreStage, GradStage, ObjectiveStage, PostStage
        R_pre, R_grad, R_obj and R_post.
    optimizer : Optimizer
        Built per run by :meth:`~tdvae_am.am.optimizers.Optimizer.build`.
    success : SuccessRule
    snapshots : tuple of int
        Iteration counts in [0, steps] after which the images are kept.
    track_elbo, progress : bool
    config : dict
        The config as given, with the defaults of the keys it leaves out (stored with the result).
    """

    parametrization: ParametrizationConfig = {"name": "pixel"}
    shape: tuple[Side, Side] = [40, 40]
    steps: Iterations = 100
    budget: Budget | None = None
    pre: PreStage = []
    grad: GradStage = []
    obj: ObjectiveStage = []
    post: PostStage = []
    optimizer: OptimizerSpec = {"name": "rmsprop", "lr": 0.01}
    success: SuccessRule = {}
    snapshots: tuple[Iterations, ...] = []
    track_elbo: bool = True
    progress: bool = False
    _config: dict = PrivateAttr(default_factory=dict)

    @property
    def config(self) -> dict:
        return self._config

    def check(self) -> RunSpec:
        """The checks across keys; raises :class:`AMError` naming the key."""
        param = self.parametrization
        if bad := [k for k in self.snapshots if k > self.steps]:
            raise AMError(f"snapshots: {bad[0]} is after the last iteration (steps={self.steps})")
        try:
            param.check_shape(self.shape)
        except AMError as err:
            raise AMError(f"parametrization {param.name!r}: {err}") from None
        for key, stage, what in (("grad", self.grad, "R_grad filters"), ("post", self.post, "R_post operations")):
            if stage and not param.has_image_params:
                raise AMError(f"{key}: {what} need image-shaped parameters; parametrization {param.name!r} has none")
        if any(term.name == "diversity" for term in self.obj.terms) and param.n_samples < 2:
            raise AMError(f"obj: the diversity term needs at least 2 samples per chain; parametrization "
                          f"{param.name!r} has n_samples={param.n_samples}")
        return self


def parse_config(config: dict) -> RunSpec:
    """Validate a config dict and build its components.

    Strings in scientific notation (``lr: 1e-2`` in YAML 1.1) are read as numbers first, integral
    ones as ints (:mod:`tdvae_am.yaml_numbers`, as in the workflow config and the registry).

    Raises
    ------
    AMError
        On an unknown key, name or option, a non-finite number, an option value out of its range, or R_grad /
        R_post on a parametrization without image-shaped parameters; the message names the key.
    """
    if not isinstance(config, dict):
        raise AMError(f"a config must be a mapping, got {type(config).__name__}")
    config = with_numbers(config)
    if bad := non_finite(config):
        raise AMError(f"{bad[0][0]}: {bad[0][1]} is not a finite number")
    spec = validate(RunSpec, config).check()
    spec._config = {key: copy.deepcopy(config.get(key, field.default)) for key, field in RunSpec.model_fields.items()}
    return spec


def load_config(source) -> dict:
    """Read a config dict from a YAML file (a ``Path``, or a name ending in .yaml / .yml)
    or from a YAML string (numbers as :func:`tdvae_am.yaml_numbers.load_yaml` reads them)."""
    is_file = isinstance(source, Path) or ("\n" not in source and source.endswith((".yaml", ".yml")))
    text = Path(source).read_text() if is_file else source
    config = load_yaml(text)
    if not isinstance(config, dict):
        raise AMError(f"a config must be a mapping, got {type(config).__name__}")
    return config
