"""The experiment registry: schema, merging, caps, checks and one real run per kind."""

from pathlib import Path

import numpy as np
import pytest
import torch
from snakemake.utils import validate

from tdvae_am.config import ConfigError
from tdvae_am.experiments.registry import (
    all_runs,
    apply_caps,
    check_registry,
    deep_merge,
    figure_caption,
    figure_runs,
    load_registry,
    resolve_run,
)
from tdvae_am.experiments.study import run_experiment, studied_units, unit_classes
from tdvae_am.models import LatentVariableModel

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "config" / "experiments.yaml"
SCHEMA = ROOT / "workflow" / "schemas" / "experiments.schema.yaml"


@pytest.fixture
def registry():
    return load_registry(REGISTRY)


def small_tdvae():
    torch.manual_seed(0)
    return LatentVariableModel.from_config({
        "name": "tdvae", "z1_dim": 30, "z2_dim": 8, "h_dim": 40, "z2_hidden": [20], "top_down": [8, 20],
        "z1_hidden": [20], "prior_hidden": [20]}).eval()


def test_shipped_registry_is_valid_and_covers_every_paper_figure(registry):
    validate(registry, str(SCHEMA))
    check_registry(registry)
    check_registry(registry, {"max_steps": 20, "max_samples": 4})
    numbers = {int(name[3:5]) for name in registry["figures"]}
    assert numbers == set(range(11, 34))
    assert all(len(exp["variants"]) >= 1 for exp in registry["experiments"].values())
    assert len(all_runs(registry)) == sum(len(e["variants"]) for e in registry["experiments"].values())


def test_schema_rejects_unknown_keys_and_bad_names(registry):
    bad = deep_merge(registry, {"experiments": {"pixel": {"iterations": 5}}})
    with pytest.raises(Exception, match="iterations"):
        validate(bad, str(SCHEMA))
    bad = deep_merge(registry, {"figures": {"figure12": {"kind": "images", "experiments": ["pixel"]}}})
    with pytest.raises(Exception, match="figure12"):
        validate(bad, str(SCHEMA))


def test_deep_merge_merges_dicts_replaces_lists_and_renamed_components():
    base = {"optimizer": {"name": "rmsprop", "lr": 0.01}, "pre": [{"name": "jitter"}],
            "parametrization": {"name": "pixel", "init_scale": 0.1}}
    out = deep_merge(base, {"optimizer": {"lr": 0.5}, "pre": [], "parametrization": {"name": "generator", "dim": 4}})
    assert out["optimizer"] == {"name": "rmsprop", "lr": 0.5}
    assert out["pre"] == []
    assert out["parametrization"] == {"name": "generator", "dim": 4}
    assert base["optimizer"]["lr"] == 0.01                       # the base is not modified


def test_caps_shrink_steps_snapshots_and_samples():
    am = {"steps": 250, "snapshots": [5, 10, 50, 100, 250],
          "parametrization": {"name": "distribution", "n_samples": 32}}
    out = apply_caps(am, max_steps=20, max_samples=4)
    assert out["steps"] == 20 and out["snapshots"] == [5, 10, 20]
    assert out["parametrization"]["n_samples"] == 4
    assert apply_caps(am) == am


def test_resolve_run_layers_defaults_experiment_and_variant(registry):
    run = resolve_run(registry, "pixel_pre", "jitter")
    assert run["am"]["pre"] == [{"name": "jitter", "shift": 3}]
    assert run["am"]["steps"] == registry["defaults"]["steps"]
    assert run["label"] == "jitter 3 px" and run["space"] == "z2"
    kern = resolve_run(registry, "kernel_size", "k5")["am"]
    assert kern["parametrization"]["name"] == "transformation_distribution"
    assert kern["parametrization"]["kernel_size"] == 5 and "init_scale" in kern["parametrization"]


def test_check_registry_names_the_bad_entry(registry):
    bad = deep_merge(registry, {"figures": {"fig12_pixel": {"experiments": ["pixle"]}}})
    with pytest.raises(ConfigError, match="figures.fig12_pixel.experiments: unknown experiment 'pixle'"):
        check_registry(bad)
    jiggle = {"variants": {"jitter": {"am": {"pre": [{"name": "jiggle"}]}}}}
    bad = deep_merge(registry, {"experiments": {"pixel_pre": jiggle}})
    with pytest.raises(ConfigError, match="experiments.pixel_pre.variants.jitter: unknown pre operation 'jiggle'"):
        check_registry(bad)


def test_figure_runs_and_caption(registry):
    assert figure_runs(registry, "fig30_onehot_mean") == [("onehot_synthesis", "mean")]
    assert figure_runs(registry, "fig28_kernels") == [("kernel_size", "k11")]
    assert ("pixel", "plain") in figure_runs(registry, "fig33_z1_space")
    caption = figure_caption(registry, "fig27_kernel_size")
    assert caption.startswith("Paper Fig. 27.") and "5x5" in caption and "13x13" in caption


def test_unit_order_is_texture_first():
    units = {"texture_sensitive": [7, 3], "non_texture_sensitive": [1]}
    assert studied_units(units) == [7, 3, 1]
    assert unit_classes(units)[1] == "non_texture_sensitive"


def test_z1_space_run_starts_from_the_mean_of_p_z1_given_onehot_z2(registry):
    model = small_tdvae()
    run = resolve_run(registry, "z1_space", "onehot_z2", {"max_steps": 1})
    run["am"] = {**run["am"], "steps": 0, "parametrization": {**run["am"]["parametrization"], "dim": 30}}
    result = run_experiment(model, run, [2, 5], restarts=3, seed=0)
    onehot = 5.0 * torch.nn.functional.one_hot(torch.tensor([2, 5]), 8).float()
    with torch.no_grad():
        expected = model.decode(onehot, "z2").numpy()
    budget = run["am"]["budget"]
    std = expected.reshape(2, -1).std(1)
    expected = (expected - expected.mean((1, 2), keepdims=True)) * np.minimum(1, budget["value"] / std)[:, None, None]
    np.testing.assert_allclose(result.images[:, 0, 0], expected, atol=1e-4)
    assert result.summary["experiment"] == "z1_space" and result.images.shape[:2] == (2, 3)


def test_every_parametrization_of_the_registry_runs_on_a_model(registry):
    model = small_tdvae()
    seen = set()
    for exp, var in all_runs(registry):
        run = resolve_run(registry, exp, var, {"max_steps": 2, "max_samples": 2})
        name = run["am"]["parametrization"]["name"]
        if (name, run["space"]) in seen:
            continue
        seen.add((name, run["space"]))
        param = run["am"]["parametrization"]
        if name == "generator":
            param["dim"] = 8 if run["space"] == "z2" else 30
        result = run_experiment(model, run, [1, 6], restarts=3, seed=1)
        assert np.isfinite(result.images).all()
        assert np.isfinite(result.summary["final_activation"]).all()
    assert len(seen) == 6
