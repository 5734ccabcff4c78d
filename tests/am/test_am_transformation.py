import numpy as np
import pytest
import torch
import torch.nn.functional as F
from am_toys import SHAPE, LinearUnits, cosine, unit_weights

from tdvae_am.am import run_am
from tdvae_am.am.parametrizations import ChainConvNet, Setup


def _setup(n_chains: int) -> Setup:
    return Setup(n_chains, 1, SHAPE, torch.arange(n_chains), torch.Generator().manual_seed(0), torch.device("cpu"))


def test_chain_conv_net_applies_each_chains_own_kernel():
    net = ChainConvNet(_setup(3), [1], kernel_size=5, padding_mode="circular")
    x = torch.randn(3, 2, 1, *SHAPE)
    y = net(x)
    assert y.shape == (3, 2, 1, *SHAPE)
    for n in range(3):
        expected = F.conv2d(F.pad(x[n], (2, 2, 2, 2), mode="circular"), net.weights[0][n])
        torch.testing.assert_close(y[n], expected)
    with torch.no_grad():
        net.weights[0][1].mul_(5.0)
    torch.testing.assert_close(net(x)[0], y[0])                      # other chains untouched


@pytest.mark.parametrize("parametrization", [
    {"name": "transformation", "kernel_size": 5},
    {"name": "transformation", "kernel_size": 5, "hidden": [4], "nonlinearity": "relu"},
    {"name": "transformation_distribution", "kernel_size": 5, "n_samples": 8},
    {"name": "transformation_distribution", "kernel_size": 5, "n_samples": 8, "learn_std": True},
])
def test_transformation_am_reaches_the_linear_units_optimum(parametrization):
    units = LinearUnits(unit_weights(2))
    centred = units.weights - units.weights.mean(dim=(-2, -1), keepdim=True)
    config = {"shape": list(SHAPE), "steps": 100, "budget": {"norm": "std", "value": 1.0},
              "parametrization": parametrization, "optimizer": {"name": "adam", "lr": 0.05}}
    result = run_am(units, [0, 1], config, n_restarts=2, seed=0)
    assert cosine(result.images[:, :, 0], centred[:, None]).min() > 0.95
    np.testing.assert_allclose(result.images.std(axis=(-2, -1)), 1.0, rtol=0.01)
    assert np.all(np.array(result.summary["final_activation"]) > result.traces["activation"][0] + 100)
    n_layers = 1 + len(parametrization.get("hidden", []))
    assert set(result.params) == {"input", *(f"kernel{i}" for i in range(n_layers))}
    assert result.params["kernel0"].shape[-2:] == (5, 5)
    assert ("std" in result.traces) == parametrization.get("learn_std", False)


def test_gradient_filter_touches_the_input_but_not_the_kernel():
    units = LinearUnits(unit_weights(1))
    base = {"shape": list(SHAPE), "steps": 1, "parametrization": {"name": "transformation", "kernel_size": 3},
            "optimizer": {"name": "sgd", "lr": 0.1}}
    plain = run_am(units, [0], base, seed=0)
    filtered = run_am(units, [0], {**base, "grad": [{"name": "fourier", "exponent": 1.0}]}, seed=0)
    np.testing.assert_allclose(filtered.params["kernel0"], plain.params["kernel0"], rtol=1e-6)
    assert not np.allclose(filtered.params["input"], plain.params["input"])
