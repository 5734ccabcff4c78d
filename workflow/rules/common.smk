"""Config validation, scale presets and helpers shared by all rules."""

import hashlib
import os
import re
from pathlib import Path

from snakemake.exceptions import WorkflowError

from tdvae_am.benchmarks import benchmark_file
from tdvae_am.config import ConfigError, load_schema, validated_config
from tdvae_am.code_deps import import_closure
from tdvae_am.experiments.registry import (
    all_runs,
    am_dir,
    figure_caption,
    figure_category,
    figure_model_runs,
    figure_models,
    registry_models,
    resolve_run,
    run_restarts,
    units_file,
    validated_registry,
)
from tdvae_am.files import check_file
from tdvae_am.labels import MODEL_LABELS
from tdvae_am.scorecard.sections import check_reads, scorecard_runs


def _schema(name):
    """A JSON schema of workflow/schemas/ (tdvae_am.config.load_schema)."""
    return load_schema(Path(workflow.basedir, "workflow/schemas", name))


def _validated(config):
    """The preset-resolved config, checked from end to end before any job runs
    (tdvae_am.config.validated_config); any problem as one line naming the key."""
    try:
        return validated_config(config, _schema("config.schema.yaml"), workflow.basedir)
    except ConfigError as err:
        raise WorkflowError(str(err)) from None


config.update(_validated(config))


def _validated_registry(path, caps, models):
    """The experiment registry, schema-validated and checked (every model it names among the trained
    ``models``), with the runs every scorecard section reads (tdvae_am.scorecard.sections.check_reads);
    one line naming the key on any problem."""
    try:
        registry = validated_registry(path, _schema("experiments.schema.yaml"), caps, models)
        check_reads(registry["experiments"], config["train"]["models"])
        return registry
    except ConfigError as err:
        raise WorkflowError(str(err)) from None


def repo_path(path):
    """A repository-relative path (a module, the registry) relative to the working directory, which
    is the repository root except in a seed run (runs/seed<k>/, workflow/rules/confirm.smk); an
    absolute path as it is."""
    return str(path) if Path(path).is_absolute() else os.path.relpath(Path(workflow.basedir, path))


def intact(path):
    """``path`` (or a list of paths), for an input function, once checked not to be corrupt
    (tdvae_am.files.check_file): a damaged input stops the run while Snakemake builds the DAG,
    before it deletes the outputs of the jobs that read it. Skipped for a file this run
    re-creates (-R on it or on its rule, -F). Snakemake 9 gives a Snakefile no public view of the
    forced targets: they are read from `workflow.dag_settings`, the DAGSettings of Snakemake's API
    (snakemake.settings.types) that the command line fills; tests/workflow/test_corrupt_inputs.py
    fails if that changes (a corrupt file re-created by -R must not stop the run)."""
    if not isinstance(path, str):
        return [intact(p) for p in path]
    dag = workflow.dag_settings
    if dag.forceall or (dag.forcetargets and path in dag.targets) or _forced(path, set(dag.forcerun)):
        return path
    return check_file(path)


def _forced(path, forcerun):
    """Whether ``-R`` names ``path`` or a rule whose outputs match it (the rules' output patterns
    are the one map from a file to the rule that writes it)."""
    return path in forcerun or any(r.name in forcerun and r.is_producer(path) for r in workflow.rules)


def job_benchmarks(files):
    """The benchmark record of the job that writes each of ``files``, once per job: the benchmark
    pattern of the one rule whose output pattern matches the file, with the wildcards it binds."""
    records = {}
    for path in files:
        rules_ = [r for r in workflow.rules if r.is_producer(path)]
        if len(rules_) != 1:
            names = ", ".join(r.name for r in rules_)
            raise WorkflowError(f"{path}: written by {len(rules_)} rules ({names}), expected one")
        benchmark = getattr(rules, rules_[0].name).benchmark
        records[str(benchmark).format(**rules_[0].get_wildcards(path))] = None
    return list(records)


ENV = "../envs/tdvae_am.yaml"
FAMILIES = list(config["textures"]["seeds"])
N_TEXTURE_IMAGES = config["textures"]["n_images"]
OWN_SYNTHESES = not config["confirm"]["syntheses_from"]  # a seed run reads the main run's
SYNTH_DIR = str(Path(config["confirm"]["syntheses_from"] or "", "data/interim/textures/synth"))


def synth_files(indices=None):
    """The texture syntheses this run reads, per family and image index (all ``n_images`` by default):
    its own, or those of the run ``confirm.syntheses_from`` names (a seed run reads the main run's)."""
    indices = range(N_TEXTURE_IMAGES) if indices is None else indices
    return intact(expand(f"{SYNTH_DIR}/{{family}}_{{index}}.npz", family=FAMILIES, index=indices))


MODELS = config["train"]["models"]
AM_CAPS = {k: config["am"][k] for k in ("max_steps", "max_samples")}
REGISTRY = _validated_registry(repo_path(config["am"]["experiments"]), AM_CAPS, MODELS)
AM_MODELS = registry_models(REGISTRY)  # the models the registry runs on, the TDVAE first
AM_RUNS_BY_MODEL = {m: all_runs(REGISTRY, m) for m in AM_MODELS}  # model -> [(experiment, variant)]
AM_DIRS = {Path(am_dir(m)).name: m for m in AM_MODELS}  # {amdir} wildcard of the AM rules -> model
AM_FIGURES = list(REGISTRY["figures"])
SCORECARD_RUNS = scorecard_runs(REGISTRY["experiments"], AM_MODELS)  # model -> the runs its sections read


def am_outputs(runs, ext="json", model="tdvae"):
    """Result files (.json or .npz) of a model's (experiment, variant) runs."""
    return [f"{am_dir(model)}/{e}/{v}.{ext}" for e, v in runs]


def reference_file(model="tdvae", ext="json"):
    """A model's reference measurements of its studied units (STA, natural-patch statistics)."""
    return f"{am_dir(model)}/reference.{ext}"


def figure_inputs(figure):
    """The files an AM figure reads, per model it draws (`<name>_<model>`): its runs (.json and
    .npz), the model's reference (.json and .npz) and studied units."""
    files = {}
    for model, runs in figure_model_runs(REGISTRY, figure).items():
        files |= {
            f"runs_{model}": am_outputs(runs, "json", model),
            f"arrays_{model}": am_outputs(runs, "npz", model),
            f"reference_{model}": reference_file(model, "json"),
            f"reference_arrays_{model}": reference_file(model, "npz"),
            f"units_{model}": units_file(model),
        }
    return {name: intact(path) for name, path in files.items()}


def script_code(name):
    """The library modules that workflow/scripts/<name>.py imports (its import closure), given
    as inputs of the job that runs the script. Snakemake's code trigger sees only the script,
    so an edited module re-runs exactly the jobs that import it. dvc.yaml's stage deps are
    generated from the same closures (workflow/dvc_stages.py)."""
    return [repo_path(p) for p in import_closure(Path(workflow.basedir, f"workflow/scripts/{name}.py"))]


def section(*keys):
    """The config sub-dicts a job depends on, as a params value (re-run trigger)."""
    return {k: config[k] for k in keys}


def bench(rule, pattern=None):
    """The ``benchmark:`` file of a job of ``rule`` (wall time, memory, I/O of the job),
    ``results/benchmarks/<rule>/<pattern>.tsv`` with ``pattern`` the job's wildcards (a rule of
    one job: ``<rule>.tsv``); tdvae_am.benchmarks holds the layout."""
    return benchmark_file(rule, pattern)


def main_units():
    """The main run's unit results of every trained model with their SHA-256 (a params value: an edit
    re-runs the main seed's record); missing ones stop the run naming them."""
    files = [units_file(m) for m in MODELS]
    if missing := [f for f in files if not Path(f).is_file()]:
        raise WorkflowError(
            f"{', '.join(missing)} missing: the main seed's record reads the main run's unit "
            "results; run the workflow (`snakemake --cores all`) first"
        )
    return {f: hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in files}
