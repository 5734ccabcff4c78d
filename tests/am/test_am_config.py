import re

import numpy as np
import pytest
import yaml
from am_toys import SHAPE, LinearDecoder, LinearUnits, unit_weights

from tdvae_am.am import AMError, Target, build_run, load_config, parse_config, run_am

EXAMPLES = {
    "pixel": {"parametrization": {"name": "pixel", "n_samples": 2}, "pre": [{"name": "jitter", "shift": 3}],
              "grad": [{"name": "fourier", "exponent": 0.05}], "optimizer": {"name": "rmsprop", "lr": 0.01},
              "obj": [{"name": "diversity", "metric": "correlation", "weight": 0.1}]},
    "distribution": {"parametrization": {"name": "distribution", "family": "laplace", "n_samples": 8, "std": 0.6,
                                         "learn_std": True},
                     "grad": [{"name": "fourier", "exponent": 0.5}],
                     "optimizer": {"name": "adam", "lr": 0.01,
                                   "schedule": {"name": "step", "step_size": 2, "gamma": 0.5}}},
    "transformation": {"parametrization": {"name": "transformation", "kernel_size": 9}, "obj": [{"name": "elbo"}],
                       "grad": [{"name": "fourier", "exponent": 0.4}], "optimizer": {"name": "adam", "lr": 0.01}},
    "transformation_distribution": {"parametrization": {"name": "transformation_distribution", "kernel_size": 11,
                                                        "n_samples": 8, "std": 0.6},
                                    "optimizer": {"name": "mei", "lr": 0.1}},
    "generator": {"parametrization": {"name": "generator", "dim": 8, "init": "onehot", "value": 5.0}},
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_configs_run(name):
    config = {**EXAMPLES[name], "shape": list(SHAPE), "steps": 3, "budget": {"norm": "std", "value": 1.0}}
    target = Target(LinearUnits(unit_weights(3)), elbo=lambda x: -(x**2).sum(dim=(1, 2)),
                    decode=LinearDecoder(8, SHAPE))
    result = run_am(target, [0, 2], config, n_restarts=2, seed=0)
    assert result.images.shape[:2] == (2, 2)
    assert result.traces["activation"].shape == (3, 2, 2)
    assert result.config["parametrization"] == config["parametrization"]


def test_defaults_are_filled_and_config_is_not_mutated():
    config = {"steps": 4}
    spec = parse_config(config)
    assert config == {"steps": 4}
    assert spec.config == {
        "parametrization": {"name": "pixel"}, "shape": [40, 40], "steps": 4, "budget": None, "pre": [], "grad": [],
        "obj": [], "post": [], "optimizer": {"name": "rmsprop", "lr": 0.01}, "success": {}, "snapshots": [],
        "track_elbo": True, "progress": False}
    assert spec.shape == (40, 40) and spec.steps == 4


def test_yaml_config_equals_dict_config(tmp_path):
    text = """
shape: [16, 16]
steps: 4
budget: {norm: l2, value: 1.0}
pre:
  - {name: jitter, shift: 2}
post:
  - name: blur
    sigma: {schedule: linear, start: 1.0, end: 0.0}
optimizer: {name: adam, lr: 0.05, betas: [0.9, 0.99]}
"""
    path = tmp_path / "am.yaml"
    path.write_text(text)
    from_file, from_text = load_config(path), load_config(text)
    assert from_file == from_text == load_config(str(path))
    units = LinearUnits(unit_weights(2))
    a = build_run(from_file).run(units, [0, 1], seed=3)
    b = run_am(units, [0, 1], dict(from_text), seed=3)
    np.testing.assert_array_equal(a.images, b.images)


SCIENTIFIC_YAML = """
shape: [16, 16]
steps: 4
budget: {norm: std, value: 1.0e0}
parametrization: {name: distribution, n_samples: 4, std: 6e-1, init_scale: 1e-1}
post: [{name: blur, sigma: {schedule: linear, start: 1e0, end: 0.0}}]
optimizer: {name: adam, lr: 5e-2, eps: 1E-8}
success: {other_ratio: 5e-1}
"""


def test_scientific_notation_that_yaml_reads_as_strings_is_parsed_as_numbers():
    config = yaml.safe_load(SCIENTIFIC_YAML)
    assert config["optimizer"]["lr"] == "5e-2" and config["budget"]["value"] == "1.0e0"     # YAML 1.1: strings
    assert load_config(SCIENTIFIC_YAML)["optimizer"]["lr"] == 0.05                          # read as numbers
    spec = parse_config(config)
    assert parse_config(load_config(SCIENTIFIC_YAML)).config == spec.config
    assert spec.config["optimizer"] == {"name": "adam", "lr": 0.05, "eps": 1e-8}
    assert spec.config["parametrization"] == {"name": "distribution", "n_samples": 4, "std": 0.6, "init_scale": 0.1}
    assert spec.config["post"][0]["sigma"] == {"schedule": "linear", "start": 1.0, "end": 0.0}
    assert spec.success.other_ratio == 0.5 and spec.budget.value == 1.0
    numbers = load_config(SCIENTIFIC_YAML.replace("1.0e0", "1.0").replace("6e-1", "0.6").replace("1e-1", "0.1")
                          .replace("1e0", "1.0").replace("5e-2", "0.05").replace("1E-8", "0.00000001")
                          .replace("5e-1", "0.5"))
    assert parse_config(numbers).config == spec.config
    units = LinearUnits(unit_weights(2))
    a, b = run_am(units, [0, 1], config, seed=0), run_am(units, [0, 1], numbers, seed=0)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.samples, b.samples)


def test_integral_scientific_notation_is_a_count_as_in_the_registry():
    """``steps: 1e3`` passes the registry's checks (tdvae_am.config) and runs in the engine alike."""
    assert parse_config(load_config("steps: 1e3")).steps == 1000
    assert parse_config({"steps": "2e2", "snapshots": ["1e2"]}).snapshots == (100,)


@pytest.mark.parametrize("text, key", [
    ("optimizer: {name: adam, lr: .nan}", "optimizer.lr: nan"),
    ("budget: {norm: std, value: .inf}", "budget.value: inf"),
    ("pre: [{name: jitter, shift: 2}, {name: scale, factor: -.inf}]", "pre.1.factor: -inf"),
])
def test_non_finite_numbers_are_rejected_naming_the_key(text, key):
    with pytest.raises(AMError, match=f"^{re.escape(key)} is not a finite number"):
        parse_config(load_config(text))


def test_other_strings_are_left_alone():
    with pytest.raises(AMError, match="^optimizer.lr: must be a finite number, got 'fast'"):
        parse_config({"optimizer": {"name": "adam", "lr": "fast"}})
    spec = parse_config({"parametrization": {"name": "distribution", "family": "laplace"}})
    assert spec.parametrization.head.family == "laplace"
