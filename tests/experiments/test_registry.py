"""The experiment registry: schema, merging, caps, checks and one real run per kind."""

from pathlib import Path

import numpy as np
import pytest
import torch
from snakemake.utils import validate

from tdvae_am.config import ConfigError, load_schema
from tdvae_am.experiments.reference import unit_reference
from tdvae_am.experiments.registry import (
    all_runs,
    am_dir,
    apply_caps,
    check_registry,
    deep_merge,
    experiment_models,
    figure_caption,
    figure_category,
    figure_model_runs,
    figure_runs,
    load_registry,
    registry_models,
    resolve_run,
    run_restarts,
    run_settings,
    units_file,
    validated_registry,
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


def test_shipped_registry_is_valid(registry):
    """Which paper figure each entry draws: tests/experiments/test_paper_figures.py."""
    validate(registry, str(SCHEMA))
    check_registry(registry)
    check_registry(registry, {"max_steps": 20, "max_samples": 4})
    assert all(len(exp["variants"]) >= 1 for exp in registry["experiments"].values())
    assert len(all_runs(registry)) == sum(len(e["variants"]) for e in registry["experiments"].values())


# the experiments that carry the paper's interpretation, also run on the chain VAE (issue #15)
CHAIN_EXPERIMENTS = ["pixel_pre", "distribution_fixed", "transformation_distribution", "onehot_synthesis", "z2_space"]


def small_chain():
    torch.manual_seed(0)
    return LatentVariableModel.from_config({
        "name": "chain", "z1_dim": 30, "z2_dim": 8, "z1_hidden": [40], "z2_hidden": [20],
        "prior_hidden": [20]}).eval()


def test_models_default_to_the_tdvae_and_runs_are_enumerated_per_model(registry):
    assert registry_models(registry) == ["tdvae", "chain"]
    assert all_runs(registry, "tdvae") == all_runs(registry)             # every experiment runs on the TDVAE
    assert experiment_models(registry, "pixel") == ["tdvae"]             # no `models` key: the TDVAE alone
    chain = all_runs(registry, "chain")
    assert list(dict.fromkeys(e for e, _ in chain)) == CHAIN_EXPERIMENTS
    assert chain == [(e, v) for e in CHAIN_EXPERIMENTS for v in registry["experiments"][e]["variants"]]
    assert all_runs(registry, "sparse") == []
    validated = validated_registry(REGISTRY, load_schema(SCHEMA), models=["tdvae", "chain"])
    assert validated["experiments"]["pixel"]["models"] == ["tdvae"]     # the schema default, filled in


def test_result_paths_keep_the_tdvae_where_it_was():
    assert (am_dir("tdvae"), units_file("tdvae")) == ("results/am", "results/units.json")
    assert (am_dir("chain"), units_file("chain")) == ("results/am_chain", "results/units_chain.json")


def test_models_outside_train_models_are_rejected_by_key(registry):
    check_registry(registry, models=["tdvae", "chain"])
    with pytest.raises(ConfigError, match=r"^config key experiments\.pixel_pre\.models: 'chain' is not a trained "
                                          r"model \(train\.models: tdvae\)$"):
        check_registry(registry, models=["tdvae"])
    bad = deep_merge(registry, {"experiments": {"pixel": {"models": ["tdvae", "sparse"]}}})
    with pytest.raises(ConfigError, match="experiments.pixel.models: 'sparse' is not a trained model"):
        check_registry(bad, models=["tdvae", "chain"])
    bad = deep_merge(registry, {"figures": {"figC1_sta": {"models": ["tdvae", "chian"]}}})
    with pytest.raises(ConfigError, match="figures.figC1_sta.models: 'chian' is not a trained model"):
        check_registry(bad, models=["tdvae", "chain"])
    bad = deep_merge(registry, {"figures": {"fig12_pixel": {"models": ["tdvae", "chain"]}}})
    with pytest.raises(ConfigError, match="figures.fig12_pixel.models: experiment 'pixel' does not run on chain; "
                                          "add it to experiments.pixel.models"):
        check_registry(bad)
    bad = deep_merge(registry, {"experiments": {"pixel": {"models": []}}})
    with pytest.raises(Exception, match="models"):
        validate(bad, str(SCHEMA))


def test_side_by_side_figures_read_each_models_runs(registry):
    shown = [("pixel_pre", "none"), ("pixel_pre", "jitter")]
    assert figure_model_runs(registry, "figC2_pixel_jitter") == {"tdvae": shown, "chain": shown}
    assert figure_model_runs(registry, "figC1_sta") == {"tdvae": [], "chain": []}
    assert figure_model_runs(registry, "fig13_pixel_pre") == {"tdvae": figure_runs(registry, "fig13_pixel_pre")}
    comparisons = [f for f in registry["figures"] if figure_category(registry, f) == "Top-down vs chain"]
    assert comparisons == [f for f in registry["figures"] if f.startswith("figC")] and len(comparisons) == 7
    assert figure_category(registry, "fig13_pixel_pre") == "AM methods"
    caption = figure_caption(registry, "figC4_transformation_distribution")
    assert caption.startswith("Top-down vs chain Fig. C4. TDVAE (left) vs chain VAE (right)")
    assert "every restart" in caption
    assert "TDVAE (left)" not in figure_caption(registry, "fig26_transformation_distribution")


def test_every_chain_run_and_the_reference_run_on_a_chain_vae(registry):
    """The chain VAE offers the TDVAE's interface to AM and to the reference measurements (STA):
    activation, ELBO, decoder and one-hot codes."""
    model = small_chain()
    for exp, var in all_runs(registry, "chain"):
        run = resolve_run(registry, exp, var, {"max_steps": 2, "max_samples": 2})
        if run["am"]["parametrization"]["name"] == "generator":
            run["am"]["parametrization"]["dim"] = 8
        result = run_experiment(model, run, [1, 6], restarts=2, seed=1)
        assert np.isfinite(result.images).all() and np.isfinite(result.summary["final_activation"]).all(), (exp, var)
    natural = np.random.default_rng(0).normal(size=(20, 40, 40)).astype("float32")
    arrays, summary = unit_reference(model, [6, 1], natural, sta_samples=100, whitening_cutoff=0.2, seed=0)
    assert arrays["sta"].shape == (2, 40, 40) and np.isfinite(arrays["sta"]).all() and summary["units"] == [6, 1]


def test_schema_rejects_unknown_keys_and_bad_names(registry):
    bad = deep_merge(registry, {"experiments": {"pixel": {"iterations": 5}}})
    with pytest.raises(Exception, match="iterations"):
        validate(bad, str(SCHEMA))
    bad = deep_merge(registry, {"figures": {"figure12": {"kind": "images", "experiments": ["pixel"]}}})
    with pytest.raises(Exception, match="figure12"):
        validate(bad, str(SCHEMA))
    bad = deep_merge(registry, {"experiments": {"pixel": {"variants": {"lr 1e-2": {"label": "x"}}}}})
    with pytest.raises(Exception, match="lr 1e-2"):
        validate(bad, str(SCHEMA))
    bad = deep_merge(registry, {"figures": {"fig32_z2_space": {"samples": 0}}})
    with pytest.raises(Exception, match="samples"):
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


# methods whose restarts converge to one image (measured: pixel 0.0002, distribution 0.004,
# transformation 0.006 restart variability at the default scale) run once; the kernel sweep twice
SINGLE = ["pixel", "pixel_pre", "pixel_post", "pixel_grad", "pixel_elbo", "pixel_elbo_original_sign",
          "optimizers", "diversity", "distribution_fixed", "transformation", "transformation_elbo", "z1_space"]


def test_restarts_per_experiment_and_variant_override_the_default(registry):
    for exp, var in all_runs(registry):
        expected = 1 if exp in SINGLE else 2 if exp == "kernel_size" else 3
        assert run_restarts(registry, exp, var, 3) == expected, (exp, var)
    # the restart-variability rows and the restart figures read runs with the default
    assert run_restarts(registry, "method_stability", "pixel", 4) == 4
    assert run_restarts(registry, "transformation_distribution", "paper", 3) == 3
    assert "restarts" not in resolve_run(registry, "pixel", "plain")
    # a variant's restarts beats its experiment's
    custom = deep_merge(registry, {"experiments": {"pixel": {"variants": {"unbudgeted": {"restarts": 5}}}}})
    assert run_restarts(custom, "pixel", "unbudgeted", 3) == 5 and run_restarts(custom, "pixel", "plain", 3) == 1
    validate(custom, str(SCHEMA))
    check_registry(custom)


@pytest.mark.parametrize("restarts", [0, 1.5, True, "2"])
def test_bad_restarts_are_rejected(registry, restarts):
    bad = deep_merge(registry, {"experiments": {"diversity": {"restarts": restarts}}})
    with pytest.raises(Exception, match="restarts|" + str(restarts)):
        validate(bad, str(SCHEMA))
    with pytest.raises(ConfigError, match=f"experiments.diversity.restarts: {restarts!r} is not a positive integer"):
        check_registry(bad)
    bad = deep_merge(registry, {"experiments": {"pixel": {"variants": {"plain": {"restarts": restarts}}}}})
    with pytest.raises(ConfigError, match="experiments.pixel.variants.plain.restarts: "):
        check_registry(bad)


def test_check_registry_names_the_bad_entry(registry):
    bad = deep_merge(registry, {"figures": {"fig12_pixel": {"experiments": ["pixle"]}}})
    with pytest.raises(ConfigError, match="figures.fig12_pixel.experiments: unknown experiment 'pixle'"):
        check_registry(bad)
    untuned = deep_merge(registry, {"figures": {"fig13_pixel_pre": {"tuned": True}}})
    with pytest.raises(ConfigError, match="figures.fig13_pixel_pre.tuned: needs a group on every variant; none on "
                                          "pixel_pre/none"):
        check_registry(untuned)
    jiggle = {"variants": {"jitter": {"am": {"pre": [{"name": "jiggle"}]}}}}
    bad = deep_merge(registry, {"experiments": {"pixel_pre": jiggle}})
    with pytest.raises(ConfigError, match="experiments.pixel_pre.variants.jitter: pre.0.name: unknown name 'jiggle'; "
                                          "known: jitter"):
        check_registry(bad)


def test_figure_runs_and_caption(registry):
    assert figure_runs(registry, "fig30_onehot_mean") == [("onehot_synthesis", "mean")]
    assert figure_runs(registry, "fig28_kernels") == [("kernel_size", "k11")]
    assert ("pixel", "plain") in figure_runs(registry, "fig33_z1_space")
    caption = figure_caption(registry, "fig27_kernel_size")
    assert caption.startswith("Paper Fig. 27.") and "5x5" in caption and "13x13" in caption
    assert "R_grad: fourier(exponent=0.4)" in caption and "kernel_size 5" not in caption      # shared settings only
    caption = figure_caption(registry, "figS6_method_stability")
    assert caption.startswith("Supplementary Fig. S6.") and "every restart" in caption
    assert "highest mean over units of the per-unit rank" in figure_caption(registry, "fig17_optimizers")
    assert "weighted ELBO term's gradient" in figure_caption(registry, "fig16_pixel_elbo")
    assert "weighted ELBO term's gradient" not in figure_caption(registry, "fig15_pixel_grad")


def test_run_settings_name_every_stage(registry):
    settings = run_settings(resolve_run(registry, "distribution_fixed", "normal")["am"])
    assert settings[:2] == ["250 iterations", "distribution parametrization"]
    assert "n_samples 128" in settings and "adam lr 0.01 with step decay" in settings
    assert "R_pre: jitter(shift=3)" in settings and "R_grad: fourier(exponent=0.5)" in settings
    assert settings[-1] == "pixel std <= 1.0"
    assert run_settings(resolve_run(registry, "pixel", "unbudgeted")["am"])[-1] == "no contrast budget"


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
        weighted = any(term["name"] == "elbo" and (term.get("weight") or term.get("calibrate"))
                       for term in run["am"].get("obj", []))
        assert (result.summary["elbo_grad_ratio"] is not None) == weighted, (exp, var)
        if weighted:
            assert np.all(np.asarray(result.summary["elbo_grad_ratio"]) > 0)
    assert len(seen) == 6


def test_z2_space_samples_z1_and_x(registry):
    """The samples are x ~ N(A z1 + b, x_noise^2 I) with z1 ~ p(z1|z2): the same draw of z1 with
    and without the pixel noise differs by white noise of std x_noise."""
    model = small_tdvae()
    run = resolve_run(registry, "z2_space", "onehot", {"max_samples": 3})
    run["am"].update(steps=0, budget=None)
    run["am"]["parametrization"]["dim"] = 8
    noisy = run_experiment(model, run, [1, 6], restarts=2, seed=1)
    run["am"]["parametrization"]["x_noise"] = 0.0
    clean = run_experiment(model, run, [1, 6], restarts=2, seed=1)
    assert noisy.samples.shape[:3] == (2, 2, 3)
    assert not np.allclose(clean.samples[:, :, 0], clean.samples[:, :, 1])          # z1 sampled
    noise = noisy.samples - clean.samples
    assert noise.std() == pytest.approx(0.4, rel=0.05) and abs(noise.mean()) < 0.02


def test_captions_state_the_grey_scale_and_the_unit_rule(registry):
    for figure in ("fig26_transformation_distribution", "fig28_kernels", "fig23_distribution_fixed_failure"):
        assert "share one grey scale" in figure_caption(registry, figure)
    fig21 = figure_caption(registry, "fig21_validation_metrics")
    assert "succeed most often" in fig21 and "where no chain succeeds" in fig21 and "highest mean final" in fig21
    assert "The first units of each class." in figure_caption(registry, "fig23_distribution_fixed_failure")
    assert "5x5" in figure_caption(registry, "fig29_spectra") and "13x13" in figure_caption(registry, "fig29_spectra")
