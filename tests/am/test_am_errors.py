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
    ({"stepz": 3}, "unknown config keys"),
    ({"parametrization": {"name": "voxels"}}, "unknown parametrization 'voxels'"),
    ({"parametrization": {"name": "pixel", "colour": 1}}, "bad options"),
    ({"pre": [{"name": "jiter"}]}, "unknown pre operation 'jiter'"),
    ({"post": [{"name": "blur", "radius": 2}]}, "bad options"),
    ({"grad": {"name": "fourier"}}, "must be a list"),
    ({"obj": [{"name": "elbo", "sign": "+"}]}, "unknown ELBO sign"),
    ({"obj": [{"name": "diversity", "metric": "manhattan"}]}, "unknown diversity metric"),
    ({"optimizer": {"name": "adagrad"}}, "unknown optimizer"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "warmup"}}}, "unknown learning-rate schedule"),
    ({"budget": {"norm": "l1", "value": 1}}, "unknown budget norm"),
    ({"steps": -1}, "steps must be"),
    ({"post": [{"name": "blur", "sigma": {"schedule": "cubic"}}]}, "unknown schedule"),
    ({"success": {"threshold": 2}}, "bad success rule"),
    # option values out of range: rejected when parsed, naming the option
    ({"optimizer": {"name": "rmsprop", "lr": 0}}, "optimizer lr must be > 0, got 0"),
    ({"optimizer": {"name": "adam", "lr": -0.01}}, "optimizer lr must be > 0"),
    ({"optimizer": {"name": "sgd", "lr": 0.1, "momentum": -1}}, "bad options .* 'sgd': Invalid momentum"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "step", "step_size": 0}}},
     "schedule step_size must be an integer >= 1"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "cosine", "T_max": 0}}}, "schedule T_max must be"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "exponential", "gamma": 0}}}, "schedule gamma must be > 0"),
    ({"optimizer": {"name": "adam", "schedule": {"name": "linear", "start_factor": 0}}}, "'linear': Starting"),
    ({"steps": 2.5}, "steps must be an integer"),
    ({"shape": ["wide", 16]}, "shape must be"),
    ({"parametrization": {"name": "pixel", "n_samples": 0}}, "'pixel': n_samples must be an integer >= 1"),
    ({"parametrization": {"name": "distribution", "std": 0}}, "'distribution': distribution std must be > 0"),
    ({"parametrization": {"name": "distribution", "family": "cauchy"}}, "unknown distribution family 'cauchy'"),
    ({"parametrization": {"name": "transformation", "kernel_size": 4}}, "kernel_size 4 must be one odd size"),
    ({"parametrization": {"name": "transformation", "hidden": [8, 0]}}, "hidden channels must be an integer >= 1"),
    ({"shape": [16, 16], "parametrization": {"name": "transformation", "kernel_size": 33, "padding_mode": "reflect"}},
     "kernel_size 33 is too large for padding_mode 'reflect'"),
    ({"parametrization": {"name": "transformation_distribution", "nonlinearity": "gelu"}}, "unknown nonlinearity"),
    ({"parametrization": {"name": "generator", "dim": 0}}, "'generator': dim must be an integer >= 1"),
    ({"parametrization": {"name": "generator", "dim": 8, "init": "random"}}, "unknown generator init 'random'"),
    ({"pre": [{"name": "normalize", "value": 0}]}, "normalize value must be > 0"),
    ({"post": [{"name": "normalize", "value": {"schedule": "linear", "start": 1.0, "end": 0.0}}]},
     "normalize value must be > 0 at every step"),
    ({"post": [{"name": "bilateral", "sigma_color": 0}]}, "bilateral sigma_color must be > 0"),
    ({"success": {"window": "wide"}}, "success window must be a finite number"),
    ({"obj": [{"name": "diversity"}]}, "obj: the diversity term needs at least 2 samples"),
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
