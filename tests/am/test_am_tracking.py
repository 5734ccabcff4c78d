import numpy as np
import pytest
import torch
from am_toys import LinearUnits, pixel_config, unit_weights

from tdvae_am.am import Target, run_am
from tdvae_am.am.tracking import SuccessRule

T = 100


def _flags(trace, final, other, **rule):
    out = SuccessRule(**rule).evaluate(np.asarray(trace, dtype=float)[:, None],
                                       np.array([final], dtype=float), np.array([other], dtype=float))
    return {k: bool(v[0]) for k, v in out.items()}


def test_success_rule_cases():
    t = np.arange(T)
    saturating = 5 * (1 - np.exp(-t / 10))
    assert _flags(saturating, 5.0, 1.0)["success"]
    rising = 0.05 * t
    assert not _flags(rising, 5.0, 1.0)["converged"]
    oscillating = 2.5 + 2.5 * np.sign(np.sin(t))
    assert not _flags(oscillating, 5.0, 1.0)["converged"]
    low = _flags(0.5 * (1 - np.exp(-t / 10)), 0.5, 0.0)
    assert low["converged"] and not low["high"] and not low["success"]
    crowded = _flags(saturating, 5.0, 4.0)
    assert not crowded["others_low"] and not crowded["success"]
    assert _flags(saturating, 5.0, 4.0, other_ratio=0.9)["success"]
    assert not _flags(saturating[:3], 5.0, 1.0)["converged"]


def test_traces_track_own_and_other_units():
    units = LinearUnits(unit_weights(3))
    result = run_am(units, [0, 2], pixel_config(steps=20), n_restarts=2, seed=0)
    assert {"objective", "activation", "max_other", "image_mean", "image_std", "hf_power"} <= set(result.traces)
    assert all(v.shape == (20, 2, 2) for v in result.traces.values())
    images = torch.as_tensor(result.images[:, :, 0]).reshape(4, -1)
    out = units(images.reshape(4, 16, 16))
    own = out[[0, 1, 2, 3], [0, 0, 2, 2]]
    other = torch.stack([out[:2, 1:].max(1).values, out[2:, :2].max(1).values]).flatten()
    np.testing.assert_allclose(np.ravel(result.summary["final_activation"]), own.numpy(), rtol=1e-5)
    np.testing.assert_allclose(np.ravel(result.summary["final_max_other"]), other.numpy(), rtol=1e-5)
    np.testing.assert_allclose(result.traces["image_std"][-1], 1 / 16, rtol=0.05)  # unit L2 norm on 256 pixels
    assert result.traces["objective"].shape == result.traces["activation"].shape
    np.testing.assert_allclose(result.traces["objective"], result.traces["activation"])  # no R_obj terms
    assert set(result.summary) >= {"converged", "high", "others_low", "success", "success_rate", "success_rule"}


def test_elbo_is_tracked_when_given():
    units = LinearUnits(unit_weights(1))
    elbo = lambda x: -(x**2).sum(dim=(-2, -1))  # noqa: E731
    result = run_am(Target(units, elbo=elbo), [0], pixel_config(steps=5, budget=None), seed=0)
    assert result.traces["elbo"].shape == (5, 1, 1)
    assert np.all(np.diff(result.traces["elbo"][:, 0, 0]) < 0)        # growing images, falling likelihood


def test_snapshots_are_the_images_after_k_steps(tmp_path):
    from tdvae_am.am import AMResult

    units = LinearUnits(unit_weights(2))
    config = pixel_config(steps=12, budget=None)
    full = run_am(units, [0, 1], {**config, "snapshots": [0, 5, 12]}, n_restarts=2, seed=4)
    assert full.summary["snapshot_steps"] == [0, 5, 12]
    assert full.snapshots.shape == (3, *full.images.shape)
    np.testing.assert_array_equal(full.snapshots[-1], full.images)
    short = run_am(units, [0, 1], {**config, "steps": 5}, n_restarts=2, seed=4)
    np.testing.assert_allclose(full.snapshots[1], short.images, rtol=1e-6)
    assert not np.allclose(full.snapshots[0], full.snapshots[1])
    full.save(tmp_path / "run")
    np.testing.assert_array_equal(AMResult.load(tmp_path / "run").snapshots, full.snapshots)
    assert run_am(units, [0], config).snapshots is None


def test_snapshots_beyond_the_run_are_rejected():

    from tdvae_am.am import AMError

    with pytest.raises(AMError, match="snapshots"):
        run_am(LinearUnits(unit_weights(1)), [0], {**pixel_config(steps=5), "snapshots": [10]})


def test_result_rows_follow_the_requested_unit_order():
    result = run_am(LinearUnits(unit_weights(3)), [2, 0, 1], pixel_config(steps=2), n_restarts=1, seed=0)
    assert result.rows([0, 1, 2]) == [1, 2, 0]
    np.testing.assert_array_equal(result.units[result.rows([1, 2])], [1, 2])


def _ratio_run(obj, **extra):
    units = LinearUnits(unit_weights(2))
    elbo = lambda x: -0.5 * (x**2).sum(dim=(-2, -1))  # noqa: E731
    config = {**pixel_config(steps=6, budget=None, obj=obj), "snapshots": [0, 3], **extra}
    return units, run_am(Target(units, elbo=elbo), [0, 1], config, n_restarts=2, seed=0)


def test_elbo_grad_ratio_is_the_weighted_elbo_gradient_over_the_activation_gradient_per_chain():
    """a_u(x) = <w_u, x> and ELBO(x) = -|x|^2 / 2: the ratio is weight * |x| / |w_u| for each chain."""
    units, result = _ratio_run([{"name": "elbo", "weight": 0.3}])
    ratio = result.traces["elbo_grad_ratio"]
    assert ratio.shape == (6, 2, 2)
    w_norm = units.weights.flatten(1).norm(dim=1).numpy()[:, None]
    for k, step in enumerate(result.summary["snapshot_steps"]):
        x_norm = np.linalg.norm(result.snapshots[k].reshape(2, 2, -1), axis=-1)
        np.testing.assert_allclose(ratio[step], 0.3 * x_norm / w_norm, rtol=1e-4)
    np.testing.assert_allclose(result.summary["elbo_grad_ratio"], ratio.mean(0), rtol=1e-6)


def test_no_elbo_grad_ratio_without_a_weighted_elbo_term():
    for obj in ([], [{"name": "elbo", "weight": 0.0}], [{"name": "tv", "weight": 0.1}]):
        result = _ratio_run(obj)[1]
        assert "elbo_grad_ratio" not in result.traces and result.summary["elbo_grad_ratio"] is None


@pytest.mark.parametrize("grad", [[], [{"name": "fourier", "exponent": 0.25}]])
def test_splitting_off_the_elbo_gradient_leaves_the_step_unchanged(grad):
    """A TV term written as an ELBO callable steps exactly as the TV term, alone and with a second term."""
    from tdvae_am.imageops.filters import total_variation

    units = LinearUnits(unit_weights(2))
    config = pixel_config(steps=5, budget=None, grad=grad, optimizer={"name": "sgd", "lr": 0.05},
                          parametrization={"name": "pixel", "init_scale": 0.1})
    lp = {"name": "lp", "weight": 0.2}
    for rest in ([], [lp]):
        as_elbo = run_am(Target(units, elbo=lambda x: -total_variation(x)), [0, 1],
                         {**config, "obj": [{"name": "elbo", "weight": 0.5}, *rest]}, n_restarts=2, seed=3)
        as_tv = run_am(units, [0, 1], {**config, "obj": [{"name": "tv", "weight": 0.5}, *rest]}, n_restarts=2, seed=3)
        assert "elbo_grad_ratio" in as_elbo.traces
        np.testing.assert_allclose(as_elbo.images, as_tv.images, rtol=1e-3, atol=1e-4)
