import numpy as np
import pytest
import torch
from am_toys import SHAPE, ConcaveUnits, LinearUnits, cosine, pixel_config, unit_weights

from tdvae_am.am import AMResult, run_am


def test_linear_unit_under_budget_converges_to_normalized_weight(linear3):
    result = run_am(linear3, [0, 1, 2], pixel_config(steps=150), n_restarts=2, seed=0)
    images = torch.as_tensor(result.images[:, :, 0])                  # (U, R, H, W)
    w = linear3.weights
    own = cosine(images, w[:, None])
    assert own.min() > 0.99
    cross = cosine(images[0], w[1])                                    # chain of unit 0 vs unit 1
    assert cross.abs().max() < 0.3
    np.testing.assert_allclose(np.linalg.norm(result.images.reshape(6, -1), axis=1), 1.0, rtol=1e-4)
    expected = (w / w.flatten(1).norm(dim=1)[:, None, None]).flatten(1).norm(dim=1) * w.flatten(1).norm(dim=1)
    np.testing.assert_allclose(np.array(result.summary["final_activation"]).max(1), expected.numpy(), rtol=0.02)


def test_each_chain_maximizes_its_own_unit_in_one_batch():
    units = LinearUnits(unit_weights(5, seed=1))
    result = run_am(units, [4, 1], pixel_config(steps=120), n_restarts=1, seed=1)
    images = torch.as_tensor(result.images[:, 0, 0])
    assert cosine(images[0], units.weights[4]) > 0.99
    assert cosine(images[1], units.weights[1]) > 0.99
    assert result.units.tolist() == [4, 1]


def test_same_seed_same_result_other_seed_differs(linear3):
    config = pixel_config(steps=5, pre=[{"name": "jitter", "shift": 2}])
    a = run_am(linear3, [0, 2], config, n_restarts=2, seed=7)
    b = run_am(linear3, [0, 2], config, n_restarts=2, seed=7)
    c = run_am(linear3, [0, 2], config, n_restarts=2, seed=8)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.traces["activation"], b.traces["activation"])
    assert not np.allclose(a.images, c.images)
    assert not np.allclose(a.images[0, 0], a.images[0, 1])            # restarts differ


def test_best_images_are_copies_of_the_best_iterate():
    centre = torch.zeros(1, *SHAPE)
    unit = ConcaveUnits(centre)
    init = torch.full((1, *SHAPE), 0.5)
    # SGD steps x <- c - 1.1 (x - c) on -mean((x - c)^2): each overshoot is larger, the first iterate is best
    config = {"shape": list(SHAPE), "steps": 10, "optimizer": {"name": "sgd", "lr": 2.1 * SHAPE[0] * SHAPE[1] / 2}}
    result = run_am(unit, [0], config, init=init, seed=0)
    assert result.summary["best_step"] == [[0]]
    np.testing.assert_allclose(result.best_images[0, 0, 0], init[0].numpy())
    assert np.abs(result.images).max() > 1.0                            # the final iterate diverged
    assert result.summary["best_activation"][0][0] > result.summary["final_activation"][0][0]
    trace = result.traces["activation"][:, 0, 0]
    assert np.all(np.diff(trace) < 0)


def test_result_save_load_roundtrip(tmp_path, linear3):
    result = run_am(linear3, [1], pixel_config(steps=3, pre=["jitter"]), n_restarts=2, seed=0)
    npz, meta = result.save(tmp_path / "run.v1")
    assert npz.name == "run.v1.npz" and meta.name == "run.v1.json"
    loaded = AMResult.load(tmp_path / "run.v1.json")
    np.testing.assert_array_equal(loaded.images, result.images)
    np.testing.assert_array_equal(loaded.best_images, result.best_images)
    assert loaded.traces.keys() == result.traces.keys()
    np.testing.assert_array_equal(loaded.traces["max_other"], result.traces["max_other"])
    assert loaded.summary["final_activation"] == result.summary["final_activation"]
    assert loaded.config == result.config
    assert loaded.n_restarts == 2


def test_ball_budget_bounds_contrast_but_lets_it_shrink():
    from tdvae_am.am.budget import Budget

    x = torch.randn(3, 8, 8, generator=torch.Generator().manual_seed(0))
    x[0] *= 5
    x[1] *= 0.2
    ball = Budget(norm="std", value=1.0, mode="ball")(x)
    stds = ball.flatten(1).std(1)
    assert stds[0] == pytest.approx(1.0, rel=1e-4)
    assert stds[1] == pytest.approx(x[1].std().item(), rel=1e-4)   # inside the ball: untouched contrast
    sphere = Budget(norm="std", value=1.0)(x).flatten(1).std(1)
    assert torch.allclose(sphere, torch.ones(3), rtol=1e-4)
    with pytest.raises(ValueError, match="mode"):
        Budget(mode="cube")
