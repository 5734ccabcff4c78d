"""The experiment registry: AM experiments and figures declared as data (YAML).

The registry (``config/experiments.yaml``) has ``defaults`` (an AM config), ``experiments``
(each an ``am`` config plus ``variants``, the swept settings) and ``figures``. This module
resolves one run's full AM config, checks the registry beyond its JSON schema and writes
the figures' captions.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from tdvae_am.am import AMError, parse_config
from tdvae_am.config import ConfigError, load_yaml, validate_schema


def load_registry(path) -> dict:
    """Read the registry YAML (numbers such as ``1e-2`` as numbers, see
    :class:`tdvae_am.config.YAMLLoader`); a missing file or bad YAML is a :class:`ConfigError`."""
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


def validated_registry(path, schema: dict, caps: dict | None = None) -> dict:
    """The registry at ``path``, validated against its JSON ``schema`` (defaults filled,
    unknown keys named with the closest valid one) and by :func:`check_registry`."""
    registry = load_registry(path)
    validate_schema(registry, schema, f" of the registry {path}")
    check_registry(registry, caps)
    return registry


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


def all_runs(registry: dict) -> list:
    """Every ``(experiment, variant)`` pair of the registry."""
    return [(e, v) for e, exp in registry["experiments"].items() for v in exp["variants"]]


def figure_runs(registry: dict, figure: str) -> list:
    """The ``(experiment, variant)`` pairs a figure reads."""
    spec = registry["figures"][figure]
    keep = spec.get("variants") or ([spec["variant"]] if "variant" in spec else None)
    return [(e, v) for e in spec.get("experiments", []) for v in registry["experiments"][e]["variants"]
            if keep is None or v in keep]


def check_registry(registry: dict, caps: dict | None = None) -> None:
    """Checks a JSON schema cannot express: figures name existing experiments and
    variants, and every run's AM config is valid. Raises :class:`ConfigError`."""
    experiments = registry["experiments"]
    for name, spec in registry["figures"].items():
        for exp in spec.get("experiments", []):
            if exp not in experiments:
                raise ConfigError(f"figures.{name}.experiments", f"unknown experiment {exp!r}; "
                                  f"known: {', '.join(experiments)}")
        for var in spec.get("variants", []) + ([spec["variant"]] if "variant" in spec else []):
            if not any(var in experiments[e]["variants"] for e in spec.get("experiments", [])):
                raise ConfigError(f"figures.{name}", f"variant {var!r} is not in its experiments")
        if spec["kind"] != "sta" and not figure_runs(registry, name):
            raise ConfigError(f"figures.{name}", "reads no runs")
    for exp, var in all_runs(registry):
        run = resolve_run(registry, exp, var, caps)
        try:
            parse_config(run["am"])
        except AMError as err:
            raise ConfigError(f"experiments.{exp}.variants.{var}", str(err)) from None
        if run["init"] == "onehot_z2_mean" and run["space"] != "z1":
            raise ConfigError(f"experiments.{exp}.init", "onehot_z2_mean needs space: z1")


CAPTION_KINDS = {
    "sta": "Spike-triggered average of white noise per studied unit (rows: texture-sensitive, "
           "then non-texture-sensitive), its best Gabor fit and the unit's activation to the STA "
           "scaled to unit pixel std.",
    "images": "Rows: studied units by class; columns: the swept setting. Each panel is restart 0's "
              "final image with the unit's activation (a) printed; colour scale symmetric per panel.",
    "traces": "Per-iteration metrics of every studied unit (mean over restarts; texture-sensitive "
              "units in orange, non-texture-sensitive in blue), one column per variant.",
    "kernels": "Learned convolution kernels of transformation+distribution AM, per unit (restart 0).",
    "spectra": "Amplitude spectra (log scale) of the learned input and of the transformed input, "
               "per unit, with their normalized spectral entropies.",
}


def figure_caption(registry: dict, figure: str) -> str:
    """A caption from the registry: what the figure shows and the settings of its runs."""
    spec = registry["figures"][figure]
    number = int(figure[3:5])
    lines = [f"Paper Fig. {number}. " + (spec.get("title") or "")]
    for exp in dict.fromkeys(e for e, _ in figure_runs(registry, figure)):
        e = registry["experiments"][exp]
        labels = [(v or {}).get("label", name) for name, v in e["variants"].items()]
        lines.append(f"{e['title']} (experiment ``{exp}``; {e.get('sweep', 'variants')}: {', '.join(labels)}).")
    lines.append(CAPTION_KINDS[spec["kind"]])
    return " ".join(line for line in lines if line.strip())
