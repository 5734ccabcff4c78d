"""Config validation, scale presets and helpers shared by all rules."""

import jsonschema
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from tdvae_am.config import (
    ConfigError,
    apply_preset,
    check_config,
    coerce_scalars,
    format_schema_error,
)
from tdvae_am.experiments import all_runs, check_registry, figure_caption, figure_runs, load_registry, resolve_run


def _schema_validate(data, schema, where=""):
    """snakemake.utils.validate (filling defaults), a schema violation as one line naming the key."""
    try:
        validate(data, schema)
    except WorkflowError as err:
        cause = err.__context__
        if isinstance(cause, jsonschema.ValidationError):
            raise WorkflowError(format_schema_error(cause, where)) from None
        raise


def _validated(config):
    """Schema-validate (filling defaults), apply the scale preset, check; one clear
    message naming the key on any problem."""
    config = coerce_scalars(config)
    _schema_validate(config, "../schemas/config.schema.yaml")
    try:
        resolved = apply_preset(config)
        check_config(resolved, workflow.basedir)
    except ConfigError as err:
        raise WorkflowError(str(err)) from None
    return resolved


config.update(_validated(config))


def _validated_registry(path, caps):
    """The experiment registry, schema-validated and checked; one clear message on any problem."""
    try:
        registry = load_registry(path)
        _schema_validate(registry, "../schemas/experiments.schema.yaml", f" of the registry {path}")
        check_registry(registry, caps)
    except ConfigError as err:
        raise WorkflowError(str(err)) from None
    return registry

ENV = "../envs/tdvae_am.yaml"
FAMILIES = list(config["textures"]["seeds"])
N_TEXTURE_IMAGES = config["textures"]["n_images"]
MODELS = config["train"]["models"]
AM_CAPS = {k: config["am"][k] for k in ("max_steps", "max_samples")}
REGISTRY = _validated_registry(config["am"]["experiments"], AM_CAPS)
AM_RUNS = all_runs(REGISTRY)
AM_FIGURES = list(REGISTRY["figures"])


def am_outputs(runs, ext="json"):
    """Result files (.json or .npz) of (experiment, variant) runs."""
    return [f"results/am/{e}/{v}.{ext}" for e, v in runs]



def lib(*modules):
    """Library source files a job uses, given as inputs. Snakemake's code trigger sees only the
    script, so an edited library module re-runs the jobs that import it (and, through
    DVC's deps on src/, `dvc repro` reaches them)."""
    return [f"src/tdvae_am/{m}.py" for m in modules]


def section(*keys):
    """The config sub-dicts a job depends on, as a params value (re-run trigger)."""
    return {k: config[k] for k in keys}
