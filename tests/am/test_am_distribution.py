import math

import numpy as np
import pytest
import torch
from am_toys import SHAPE, ConcaveUnits, LinearUnits, cosine, unit_weights

from tdvae_am.am import run_am
from tdvae_am.am.parametrizations import draw


@pytest.mark.parametrize("family", ["normal", "laplace"])
def test_draw_has_the_requested_mean_and_std_and_is_reparameterized(family):
    loc = torch.full((2, 1, 8, 8), 1.5, requires_grad=True)
    std = torch.full((2, 1, 8, 8), 0.6, requires_grad=True)
    x = draw(family, loc, std, 2000, torch.Generator().manual_seed(0))
    assert x.shape == (2, 2000, 8, 8)
    assert x.mean().item() == pytest.approx(1.5, abs=0.01)
    assert x.std().item() == pytest.approx(0.6, rel=0.02)
    kurtosis = (((x - 1.5) / 0.6) ** 4).mean().item()
    assert kurtosis == pytest.approx(3.0 if family == "normal" else 6.0, rel=0.15)
    x.sum().backward()
    assert torch.allclose(loc.grad, torch.full_like(loc, 2000.0))
    assert std.grad is not None and torch.isfinite(std.grad).all()


@pytest.mark.parametrize("family", ["normal", "laplace"])
def test_learnable_std_shrinks_on_a_unit_with_a_sharp_maximum(family):
    centres = torch.randn(2, *SHAPE, generator=torch.Generator().manual_seed(1001))
    config = {"shape": list(SHAPE), "steps": 100,
              "parametrization": {"name": "distribution", "family": family, "n_samples": 8, "std": 0.6,
                                  "learn_std": True},
              "optimizer": {"name": "adam", "lr": 0.05}}
    result = run_am(ConcaveUnits(centres), [0, 1], config, n_restarts=2, seed=0)
    std = result.traces["std"]                                        # (T, U, R)
    assert std[0] == pytest.approx(0.6)
    assert std[-1].max() < 0.3
    assert (result.params["std"] > 0).all()
    assert cosine(result.images[:, :, 0], centres[:, None]).min() > 0.98


def test_fixed_std_distribution_am_raises_activation_and_reports_the_mean():
    units = LinearUnits(unit_weights(2))
    config = {"shape": list(SHAPE), "steps": 60, "budget": {"norm": "std", "value": 1.0},
              "parametrization": {"name": "distribution", "n_samples": 16, "std": 0.6},
              "optimizer": {"name": "adam", "lr": 0.05}}
    result = run_am(units, [0, 1], config, seed=0)
    assert result.images.shape == (2, 1, 1, *SHAPE)
    assert result.samples.shape == (2, 1, 16, *SHAPE)
    assert "std" not in result.traces
    spread = (result.samples - result.images).std()
    assert spread == pytest.approx(0.6, rel=0.05)
    np.testing.assert_allclose(result.images.std(axis=(-2, -1)), 1.0, rtol=0.01)  # budget on the mean
    centred = units.weights - units.weights.mean(dim=(-2, -1), keepdim=True)   # the std budget centres
    assert cosine(result.images[:, 0, 0], centred).min() > 0.97
    final = np.array(result.summary["final_activation"])
    assert np.all(final > result.traces["activation"][0] + 5)
    direct = (units.weights[0] * torch.as_tensor(result.images[0, 0, 0])).sum().item()
    assert math.isclose(final[0, 0], direct, rel_tol=1e-4)


@pytest.mark.parametrize("budget_samples, within", [(False, False), (True, True)])
def test_budget_samples_keeps_every_sample_within_the_contrast_budget(budget_samples, within):
    config = {"shape": list(SHAPE), "steps": 20, "budget": {"norm": "std", "value": 1.0, "mode": "ball"},
              "parametrization": {"name": "distribution", "n_samples": 8, "std": 0.6, "learn_std": True,
                                  "budget_samples": budget_samples}}
    result = run_am(LinearUnits(unit_weights(2)), [0, 1], config, n_restarts=2, seed=0)
    sample_std = result.samples.reshape(*result.samples.shape[:3], -1).std(-1)
    assert (sample_std.max() <= 1.0 + 1e-4) == within
    assert result.images.reshape(*result.images.shape[:3], -1).std(-1).max() <= 1.0 + 1e-4
