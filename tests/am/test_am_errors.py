import numpy as np
import pytest
import torch
from am_toys import SHAPE, LinearUnits, pixel_config, unit_weights

from tdvae_am.am import AMError, Target, build_run, run_am
from tdvae_am.analysis import spike_triggered_average


@pytest.fixture
def units():
    return LinearUnits(unit_weights(3))


def test_am_error_is_a_value_error():
    assert issubclass(AMError, ValueError)


@pytest.mark.parametrize("bad, message", [([], "empty"), ([0, 3], r"unknown unit index \[3\]"),
                                          ([-1], "unknown unit index"), ([1.5], "not an integer")])
def test_bad_unit_lists(units, bad, message):
    with pytest.raises(AMError, match=message):
        run_am(units, bad, pixel_config(steps=2))
    with pytest.raises(AMError, match=message):
        spike_triggered_average(units, bad, 10, shape=SHAPE)


def test_unknown_unit_index_is_caught_without_steps(units):
    with pytest.raises(AMError, match="the layer has 3 units"):
        run_am(units, [7], pixel_config(steps=0))


def test_non_differentiable_model(units):
    numpy_model = lambda x: torch.from_numpy(units(x.detach()).numpy())  # noqa: E731
    with pytest.raises(AMError, match="not differentiable"):
        run_am(numpy_model, [0], pixel_config(steps=2))


def test_nan_activation_names_iteration_and_chain(units):
    calls = []

    def flaky(x):
        calls.append(1)
        out = units(x)
        return out * float("nan") if len(calls) == 3 else out

    with pytest.raises(AMError, match="non-finite.*activation at iteration 2 for unit 1 restart 0"):
        run_am(flaky, [1], pixel_config(steps=5))


def test_nan_objective_term(units):
    with pytest.raises(AMError, match="non-finite.*R_obj"):
        run_am(Target(units, elbo=lambda x: x.sum(dim=(1, 2)) * np.nan), [0], pixel_config(steps=2, obj=["elbo"]))


def test_wrong_model_outputs(units):
    with pytest.raises(AMError, match=r"must return a tensor of shape \(B=1, n_units\)"):
        run_am(lambda x: units(x)[:, 0], [0], pixel_config(steps=2))
    with pytest.raises(AMError, match=r"elbo\(x\) must return shape"):
        run_am(Target(units, elbo=lambda x: x.sum()), [0], pixel_config(steps=2, obj=["elbo"]))
    with pytest.raises(AMError, match="needs an elbo"):
        run_am(units, [0], pixel_config(steps=2, obj=["elbo"]))


@pytest.mark.parametrize("config, message", [
    # unknown keys and names: the key path, and the closest valid one or all of them
    ({"stepz": 3}, "^stepz: unknown key; did you mean steps"),
    ({"parametrization": {"name": "voxels"}}, "^parametrization.name: unknown name 'voxels'; known: pixel, distrib"),
    ({"parametrization": {"name": "pixel", "colour": 1}},
     "^parametrization.colour: unknown key; valid keys: name, n_samples, init_scale"),
    ({"pre": [{"name": "jiter"}]}, "^pre.0.name: unknown name 'jiter'; did you mean 'jitter'"),
    ({"post": [{"name": "blur", "radius": 2}]}, "^post.0.radius: unknown key"),
    ({"grad": {"name": "fourier"}}, "^grad: must be a list"),
    ({"obj": [{"name": "elbo", "sign": "+"}]}, "^obj.0.sign: unknown name '[+]'; known: paper_intent, original"),
    ({"obj": [{"name": "diversity", "metric": "manhattan"}]}, "^obj.0.metric: unknown name 'manhattan'"),
    ({"optimizer": {"name": "adagrad"}}, "^optimizer.name: unknown name 'adagrad'; known: sgd, rmsprop, adam, mei"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "warmup"}}}, "^optimizer.schedule.name: unknown name 'warm"),
    ({"budget": {"norm": "l1", "value": 1}}, "^budget.norm: unknown name 'l1'; known: l2, std"),
    ({"post": [{"name": "blur", "sigma": {"schedule": "cubic"}}]},
     "^post.0.sigma.schedule: unknown name 'cubic'; known: linear, geometric, step"),
    ({"post": [{"name": "blur", "sigma": "wide"}]}, "^post.0.sigma: a strength must be a number or a schedule"),
    ({"success": {"threshold": 2}}, "^success.threshold: unknown key; valid keys: window"),
    ({"parametrization": {"name": "transformation_distribution", "nonlinearity": "gelu"}},
     "nonlinearity: unknown name 'gelu'; did you mean 'relu'"),
    ({"parametrization": {"name": "generator", "dim": 8, "init": "random"}}, "init: unknown name 'random'"),
    ({"parametrization": {"name": "distribution", "family": "cauchy"}}, "family: unknown name 'cauchy'"),
    # option values out of range: rejected when parsed, naming the option, its range and the value
    ({"steps": -1}, "^steps: must be >= 0, got -1"),
    ({"steps": 2.5}, "^steps: must be an integer, got 2.5"),
    ({"shape": ["wide", 16]}, "^shape.0: must be an integer, got 'wide'"),
    ({"shape": [16]}, "^shape.1: is required"),
    ({"shape": [16, 16, 16]}, r"^shape: must have 2 items, got \[16, 16, 16\]"),
    ({"parametrization": {"name": "generator"}}, "^parametrization.dim: is required"),
    ({"optimizer": {"name": "rmsprop", "lr": 0}}, "^optimizer.lr: must be > 0, got 0"),
    ({"optimizer": {"name": "adam", "lr": -0.01}}, "^optimizer.lr: must be > 0"),
    ({"optimizer": {"name": "sgd", "lr": 0.1, "momentum": -1}}, "^optimizer.momentum: must be >= 0, got -1"),
    ({"optimizer": {"name": "adam", "betas": [0.9, 1.5]}}, r"^optimizer.betas.1: must be < 1, got 1.5"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "step", "step_size": 0}}}, "step_size: must be >= 1, got 0"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "cosine", "T_max": 0}}}, "T_max: must be >= 1"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "exponential", "gamma": 0}}}, "gamma: must be > 0"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "linear", "start_factor": 0}}}, "start_factor: must be > 0"),
    ({"parametrization": {"name": "pixel", "n_samples": 0}}, "^parametrization.n_samples: must be >= 1, got 0"),
    ({"parametrization": {"name": "distribution", "std": 0}}, "^parametrization.std: must be > 0"),
    ({"parametrization": {"name": "transformation", "kernel_size": 4}}, "kernel_size 4 must be one odd size"),
    ({"parametrization": {"name": "transformation", "hidden": [8, 0]}}, "^parametrization.hidden.1: must be >= 1"),
    ({"shape": [16, 16], "parametrization": {"name": "transformation", "kernel_size": 33, "padding_mode": "reflect"}},
     "kernel_size 33 is too large for padding_mode 'reflect'"),
    ({"parametrization": {"name": "generator", "dim": 0}}, "^parametrization.dim: must be >= 1, got 0"),
    ({"pre": [{"name": "normalize", "value": 0}]}, "^pre.0.value: must be > 0 at every step, got 0"),
    ({"post": [{"name": "normalize", "value": {"schedule": "linear", "start": 1.0, "end": 0.0}}]},
     "^post.0.value: must be > 0 at every step, got 0"),
    ({"post": [{"name": "bilateral", "sigma_color": 0}]}, "post.0.sigma_color: must be > 0 at every step"),
    ({"success": {"window": "wide"}}, "^success.window: must be a finite number, got 'wide'"),
    ({"steps": 4, "snapshots": [2, 9]}, "^snapshots: 9 is after the last iteration"),
    # checks across keys
    ({"obj": [{"name": "diversity"}]}, "obj: the diversity term needs at least 2 samples"),
    ({"obj": [{"name": "tv"}, {"name": "tv", "weight": 1.0}]}, "each objective term may appear once"),
    ({"parametrization": {"name": "generator", "dim": 8}, "post": ["blur"]}, "post: R_post operations need image"),
])
def test_bad_configs(config, message):
    with pytest.raises(AMError, match=message):
        build_run(config)


def test_diversity_needs_several_samples(units):
    with pytest.raises(AMError, match="at least 2 samples"):
        run_am(units, [0], pixel_config(steps=2, obj=[{"name": "diversity"}]))


def test_bad_init_shape(units):
    with pytest.raises(AMError, match="does not fit"):
        run_am(units, [0, 1], pixel_config(steps=1), init=torch.zeros(3, *SHAPE))
