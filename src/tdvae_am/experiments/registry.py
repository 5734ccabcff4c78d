"""The experiment registry: AM experiments and figures declared as data (YAML).

The registry (``config/experiments.yaml``) has ``defaults`` (an AM config), ``experiments``
(each an ``am`` config plus ``variants``, the swept settings; optionally ``restarts``, per
experiment or variant, instead of the workflow's ``am.restarts``) and ``figures``. This module
resolves one run's full AM config, checks the registry beyond its JSON schema, names the
files of each model's runs and writes the figures' captions.

Every experiment runs on the models it names (``models``, default the TDVAE alone), one job
per model x experiment x variant; a figure naming several ``models`` draws its layout once per
model, side by side.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from tdvae_am.am import AMError, parse_config
from tdvae_am.config import ConfigError, validate_schema
from tdvae_am.experiments.figures import Figure, figure_spec
from tdvae_am.labels import MODEL_LABELS
from tdvae_am.yaml_numbers import load_yaml

#: The models of an experiment or figure that names none.
DEFAULT_MODELS = ("tdvae",)


def load_registry(path) -> dict:
    """Read the registry YAML (numbers such as ``1e-2`` as numbers, see
    :mod:`tdvae_am.yaml_numbers`); a missing file or bad YAML is a :class:`ConfigError`."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("am.experiments", f"registry file {str(path)!r} does not exist")
    try:
        registry = load_yaml(path.read_text())
    except yaml.YAMLError as err:
        raise ConfigError("am.experiments", f"{path} is not valid YAML: {' '.join(str(err).split())}") from None
    if not isinstance(registry, dict):
        raise ConfigError("am.experiments", f"{path} must be a mapping with experiments and figures")
    return registry


def validated_registry(path, schema: dict, caps: dict | None = None, models=None) -> dict:
    """The registry at ``path``, validated against its JSON ``schema`` (defaults filled,
    unknown keys named with the closest valid one) and by :func:`check_registry` (``models``:
    the trained models, ``train.models``)."""
    registry = load_registry(path)
    validate_schema(registry, schema, f" of the registry {path}")
    check_registry(registry, caps, models)
    return registry


def am_dir(model: str) -> str:
    """Folder of a model's AM results (runs and reference): ``results/am`` for the TDVAE,
    ``results/am_<model>`` for any other model."""
    return "results/am" if model == "tdvae" else f"results/am_{model}"


def units_file(model: str) -> str:
    """A model's studied units: ``results/units.json`` for the TDVAE, ``results/units_<model>.json``
    for any other model."""
    return "results/units.json" if model == "tdvae" else f"results/units_{model}.json"


def experiment_models(registry: dict, experiment: str) -> list:
    """The models an experiment runs on."""
    return list(registry["experiments"][experiment].get("models", DEFAULT_MODELS))


def figure(registry: dict, name: str) -> Figure:
    """A figure of the registry as its kind's type (:mod:`tdvae_am.experiments.figures`)."""
    return figure_spec(registry["figures"][name])


def figure_models(registry: dict, name: str) -> list:
    """The models a figure draws, one block each."""
    return figure(registry, name).models


def registry_models(registry: dict) -> list:
    """Every model an experiment or a figure names, the TDVAE first: the models whose units
    are selected and whose reference (STA) is measured."""
    named = [m for e in registry["experiments"] for m in experiment_models(registry, e)]
    named += [m for f in registry["figures"] for m in figure_models(registry, f)]
    return list(dict.fromkeys([*DEFAULT_MODELS, *named]))


def deep_merge(base: dict, override: dict) -> dict:
    """``override`` merged into a copy of ``base``: dicts recursively, anything else replaced.
    A dict naming another component (a different ``name``) replaces rather than merges."""
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and value.get("name", old.get("name")) == old.get("name"):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_caps(am: dict, max_steps: int | None = None, max_samples: int | None = None) -> dict:
    """Shrink a run for small scales: at most ``max_steps`` iterations (snapshots beyond
    it move to the last one) and ``max_samples`` samples per chain."""
    am = copy.deepcopy(am)
    if max_steps is not None and am.get("steps", 0) > max_steps:
        am["steps"] = max_steps
        if am.get("snapshots"):
            am["snapshots"] = sorted({min(k, max_steps) for k in am["snapshots"]})
    param = am.get("parametrization", {})
    if max_samples is not None and param.get("n_samples", 1) > max_samples:
        param["n_samples"] = max_samples
    return am


def resolve_run(registry: dict, experiment: str, variant: str, caps: dict | None = None) -> dict:
    """Everything one run needs: the full AM config and its metadata.

    Returns
    -------
    dict
        ``experiment``, ``variant``, ``label``, ``title``, ``sweep``, ``space``, ``init`` and
        ``am`` (defaults <- experiment ``am`` <- variant ``am``, then ``caps``).
    """
    exp = registry["experiments"][experiment]
    var = exp["variants"][variant] or {}
    am = deep_merge(deep_merge(registry.get("defaults", {}), exp.get("am", {})), var.get("am", {}))
    return {"experiment": experiment, "variant": variant, "label": var.get("label", variant),
            "title": exp.get("title", experiment), "sweep": exp.get("sweep", ""),
            "space": exp.get("space", "z2"), "init": exp.get("init"),
            "am": apply_caps(am, **(caps or {}))}


def run_restarts(registry: dict, experiment: str, variant: str, default: int) -> int:
    """Independent restarts per unit of one run: the variant's ``restarts``, else the
    experiment's, else ``default`` (the workflow's ``am.restarts``). A deterministic method
    (pixel AM from a fixed-scale random init converges to the same image from every start)
    sets 1."""
    exp = registry["experiments"][experiment]
    var = exp["variants"][variant] or {}
    return var.get("restarts", exp.get("restarts", default))


def all_runs(registry: dict, model: str | None = None) -> list:
    """Every ``(experiment, variant)`` pair of the registry, or those that run on ``model``."""
    return [(e, v) for e, exp in registry["experiments"].items() for v in exp["variants"]
            if model is None or model in experiment_models(registry, e)]


def figure_runs(registry: dict, name: str) -> list:
    """The ``(experiment, variant)`` pairs a figure reads (of each model it draws)."""
    return figure(registry, name).runs(registry["experiments"])


def figure_model_runs(registry: dict, name: str) -> dict:
    """``{model: [(experiment, variant), ...]}``: the runs a figure reads, per model it draws."""
    return {m: figure_runs(registry, name) for m in figure_models(registry, name)}


def figure_category(registry: dict, name: str) -> str:
    """The figure's category in the report: a comparison of models or one model's AM method."""
    return "Top-down vs chain" if len(figure_models(registry, name)) > 1 else "AM methods"


def check_registry(registry: dict, caps: dict | None = None, models=None) -> None:
    """Checks a JSON schema cannot express: figures name existing experiments and
    variants and draw only models their experiments run on, a ``tuned`` figure reads only
    grouped variants, every named model is among ``models`` (the trained ones, when given),
    every run's ``restarts`` (:func:`run_restarts`) is a positive integer and its AM config
    is valid. Raises :class:`ConfigError`."""
    experiments = registry["experiments"]
    if models is not None:
        named = [(f"experiments.{e}.models", experiment_models(registry, e)) for e in experiments]
        named += [(f"figures.{f}.models", figure_models(registry, f)) for f in registry["figures"]]
        for key, names in named:
            for model in names:
                if model not in models:
                    raise ConfigError(key, f"{model!r} is not a trained model (train.models: {', '.join(models)})")
    for name in registry["figures"]:
        spec = figure(registry, name)
        for exp in getattr(spec, "experiments", []):
            if exp not in experiments:
                raise ConfigError(f"figures.{name}.experiments", f"unknown experiment {exp!r}; "
                                  f"known: {', '.join(experiments)}")
            missing = [m for m in spec.models if m not in experiment_models(registry, exp)]
            if missing:
                raise ConfigError(f"figures.{name}.models", f"experiment {exp!r} does not run on "
                                  f"{', '.join(missing)}; add it to experiments.{exp}.models")
        for var in getattr(spec, "variants", None) or []:
            if not any(var in experiments[e]["variants"] for e in spec.experiments):
                raise ConfigError(f"figures.{name}", f"variant {var!r} is not in its experiments")
        runs = spec.runs(experiments)
        if not spec.reads_reference and not runs:
            raise ConfigError(f"figures.{name}", "reads no runs")
        ungrouped = [f"{e}/{v}" for e, v in runs if (experiments[e]["variants"][v] or {}).get("group") is None]
        if getattr(spec, "tuned", False) and ungrouped:
            raise ConfigError(f"figures.{name}.tuned",
                              f"needs a group on every variant; none on {', '.join(ungrouped)}")
    for exp, var in all_runs(registry):
        restarts = run_restarts(registry, exp, var, 1)
        if not isinstance(restarts, int) or isinstance(restarts, bool) or restarts < 1:
            where = f".variants.{var}" if "restarts" in (experiments[exp]["variants"][var] or {}) else ""
            raise ConfigError(f"experiments.{exp}{where}.restarts", f"{restarts!r} is not a positive integer")
        run = resolve_run(registry, exp, var, caps)
        try:
            parse_config(run["am"])
        except AMError as err:
            raise ConfigError(f"experiments.{exp}.variants.{var}", str(err)) from None
        if run["init"] == "onehot_z2_mean" and run["space"] != "z1":
            raise ConfigError(f"experiments.{exp}.init", "onehot_z2_mean needs space: z1")


def _op(entry: dict) -> str:
    options = ", ".join(f"{k}={v}" for k, v in entry.items() if k != "name")
    return f"{entry['name']}({options})" if options else entry["name"]


def run_settings(am: dict) -> list[str]:
    """Short phrases naming a resolved run's AM settings (iterations, method, optimizer,
    R_pre / R_grad / R_obj / R_post, budget)."""
    param, opt = am["parametrization"], am["optimizer"]
    parts = [f"{am['steps']} iterations", f"{param['name']} parametrization"]
    parts += [f"{key} {value}" for key, value in param.items() if key != "name"]
    decay = opt.get("schedule")
    parts.append(f"{opt['name']} lr {opt['lr']}" + (f" with {decay['name']} decay" if decay else ""))
    parts += [f"R_{stage}: " + "; ".join(_op(op) for op in am[stage]) for stage in ("pre", "grad", "obj", "post")
              if am.get(stage)]
    budget = am.get("budget")
    parts.append(f"pixel {budget['norm']} <= {budget['value']}" if budget else "no contrast budget")
    return parts


def figure_caption(registry: dict, name: str) -> str:
    """A caption from the registry: what the figure shows and the settings of its runs."""
    spec = figure(registry, name)
    number = name.split("_")[0][3:]
    kind = {"S": "Supplementary Fig.", "C": "Top-down vs chain Fig."}.get(number[0])
    lines = [f"{kind} {number}." if kind else f"Paper Fig. {int(number)}.",
             spec.title.rstrip(".") + "." if spec.title else ""]
    models = spec.models
    if len(models) > 1:
        sides = ["left", *["middle"] * (len(models) - 2), "right"]
        lines.append(" vs ".join(f"{MODEL_LABELS[m]} ({side})" for m, side in zip(models, sides))
                     + ": the same layout once per model, each with its own studied units.")
    runs = spec.runs(registry["experiments"])
    for exp in dict.fromkeys(e for e, _ in runs):
        e = registry["experiments"][exp]
        names = [v for ee, v in runs if ee == exp]
        labels = [(e["variants"][v] or {}).get("label", v) for v in names]
        settings = [run_settings(resolve_run(registry, exp, v)["am"]) for v in names]
        shared = [p for p in settings[0] if all(p in other for other in settings[1:])]
        lines.append(f"{e['title']} (experiment ``{exp}``; {e.get('sweep', 'variants')}: {', '.join(labels)}; "
                     f"{', '.join(shared)}).")
    lines.append(spec.describe())
    if spec.prints_ratio and any(
            parse_config(resolve_run(registry, e, v)["am"]).obj.weighted_by("elbo") for e, v in runs):
        lines.append("With an ELBO term, r is the mean over iterations of the norm of the weighted ELBO term's "
                     "gradient over that of the activation's (the chain shown).")
    return " ".join(line for line in lines if line.strip())
