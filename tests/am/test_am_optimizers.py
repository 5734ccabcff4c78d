import numpy as np
import pytest
import torch
from am_toys import LinearUnits, pixel_config, unit_weights

from tdvae_am.am import MEI, AMError, run_am
from tdvae_am.am.optimizers import make_optimizer


@pytest.mark.parametrize("optimizer", [{"name": "sgd", "lr": 0.01, "momentum": 0.5}, {"name": "rmsprop", "lr": 0.01},
                                       {"name": "adam", "lr": 0.05, "betas": [0.8, 0.99]}, {"name": "mei", "lr": 0.05}])
def test_every_optimizer_raises_the_activation(optimizer):
    units = LinearUnits(unit_weights(2))
    result = run_am(units, [0, 1], pixel_config(steps=30, optimizer=optimizer), seed=0)
    trace = result.traces["activation"]
    assert np.all(trace[-1] > trace[0] + 5)


def test_mei_step_has_mean_absolute_size_lr_per_chain():
    p = torch.zeros(3, 4, 5, requires_grad=True)
    p.grad = torch.randn(3, 4, 5) * torch.tensor([1e-3, 1.0, 1e3])[:, None, None]
    MEI([p], lr=0.1).step()
    np.testing.assert_allclose(p.detach().abs().mean(dim=(1, 2)).numpy(), 0.1, rtol=1e-5)
    assert torch.all(torch.sign(p.detach()) == -torch.sign(p.grad))   # descends


def test_mei_global_normalization_couples_chains():
    p = torch.zeros(2, 10, requires_grad=True)
    p.grad = torch.cat([torch.ones(1, 10), 3 * torch.ones(1, 10)])
    MEI([p], lr=1.0, per_chain=False).step()
    np.testing.assert_allclose(p.detach().numpy(), -np.array([[0.5] * 10, [1.5] * 10]), rtol=1e-6)


def test_learning_rate_schedules():
    p = [torch.zeros(1, requires_grad=True)]
    optimizer, scheduler = make_optimizer({"name": "mei", "lr": 1.0, "schedule": {"name": "step", "step_size": 2,
                                                                                    "gamma": 0.5}}, p, 10)
    lrs = []
    for _ in range(5):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25]
    _, cosine = make_optimizer({"name": "adam", "lr": 1.0, "schedule": {"name": "cosine"}}, p, 10)
    assert cosine.T_max == 10
    with pytest.raises(AMError, match="^optimizer.name: unknown name 'lbfgs'"):
        make_optimizer({"name": "lbfgs"}, p, 1)
    with pytest.raises(AMError, match="^optimizer.warp: unknown key"):
        make_optimizer({"name": "sgd", "lr": 0.1, "warp": 9}, p, 1)
