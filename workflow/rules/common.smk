"""Config validation, scale presets and helpers shared by all rules."""

import re
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError

from tdvae_am.config import ConfigError, validated_config
from tdvae_am.code_deps import import_closure
from tdvae_am.experiments.registry import all_runs, figure_caption, figure_runs, resolve_run, validated_registry
from tdvae_am.files import check_file, producer


def _schema(name):
    """A JSON schema of workflow/schemas/."""
    return yaml.safe_load(Path(workflow.basedir, "workflow/schemas", name).read_text())


def _validated(config):
    """The preset-resolved config, checked from end to end before any job runs
    (tdvae_am.config.validated_config); any problem as one line naming the key."""
    try:
        return validated_config(config, _schema("config.schema.yaml"), workflow.basedir)
    except ConfigError as err:
        raise WorkflowError(str(err)) from None


config.update(_validated(config))


def _validated_registry(path, caps):
    """The experiment registry, schema-validated and checked; one line naming the key on any problem."""
    try:
        return validated_registry(path, _schema("experiments.schema.yaml"), caps)
    except ConfigError as err:
        raise WorkflowError(str(err)) from None


def intact(path):
    """``path`` (or a list of paths), for an input function, once checked not to be corrupt
    (tdvae_am.files.check_file): a damaged input stops the run while Snakemake builds the DAG,
    before it deletes the outputs of the jobs that read it. Skipped for a file this run
    re-creates (-R on it or its rule, -F)."""
    if not isinstance(path, str):
        return [intact(p) for p in path]
    dag = workflow.dag_settings
    if dag.forceall or {path, producer(path)} & set(dag.forcerun) or (dag.forcetargets and path in dag.targets):
        return path
    return check_file(path)


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


def script_code(name):
    """The library modules that workflow/scripts/<name>.py imports (its import closure), given
    as inputs of the job that runs the script. Snakemake's code trigger sees only the script,
    so an edited module re-runs exactly the jobs that import it. dvc.yaml's stage deps are
    generated from the same closures (workflow/dvc_stages.py)."""
    return import_closure(f"workflow/scripts/{name}.py")


def section(*keys):
    """The config sub-dicts a job depends on, as a params value (re-run trigger)."""
    return {k: config[k] for k in keys}
