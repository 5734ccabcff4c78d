"""The self-calibrating ELBO weight (``calibrate``) on a planted analytic model.

With ``a_u(x) = <w_u, x>`` and ``ELBO(x) = -|x|^2 / 2`` the gradients are ``w_u`` and ``-x``, so at
weight 1 the ratio of chain n at iteration 0 is ``r1_n = |x0_n| / |w_u|``.
"""

import math

import numpy as np
import pytest
from am_toys import LinearUnits, pixel_config, unit_weights

from tdvae_am.am import AMError, Target, build_run, parse_config, run_am

UNITS = LinearUnits(unit_weights(2))
TARGET = Target(UNITS, elbo=lambda x: -0.5 * (x**2).sum(dim=(-2, -1)))


def _config(elbo: dict, **extra) -> dict:
    return {**pixel_config(steps=8, budget=None, obj=[{"name": "elbo", **elbo}]), "snapshots": [0], **extra}


def _run(elbo: dict, seed: int = 0, **extra):
    return run_am(TARGET, [0, 1], _config(elbo, **extra), n_restarts=2, seed=seed)


def _start_ratio(result) -> np.ndarray:
    """``r1`` (U, R) by hand from the images at iteration 0."""
    x_norm = np.linalg.norm(result.snapshots[0].reshape(2, 2, -1), axis=-1)
    return x_norm / UNITS.weights.flatten(1).norm(dim=1).numpy()[:, None]


def test_calibrated_weight_is_the_target_over_the_median_start_ratio():
    result = _run({"calibrate": 0.7})
    r1 = _start_ratio(result)
    weight = result.summary["elbo_weight"]
    np.testing.assert_allclose(weight, 0.7 / np.median(r1), rtol=1e-5)
    start = np.asarray(result.summary["elbo_grad_ratio_start"])
    assert start.shape == (2, 2)
    np.testing.assert_allclose(start, weight * r1, rtol=1e-5)
    np.testing.assert_allclose(np.median(start), 0.7, rtol=1e-5)
    np.testing.assert_allclose(start, result.traces["elbo_grad_ratio"][0], rtol=1e-6)
    np.testing.assert_allclose(result.summary["elbo_grad_ratio"], result.traces["elbo_grad_ratio"].mean(0), rtol=1e-6)


@pytest.mark.parametrize("extra", [{}, {"pre": [{"name": "jitter", "shift": 2}]}])
@pytest.mark.parametrize("rest", [[], [{"name": "lp", "weight": 0.2}]])
def test_a_calibrated_run_equals_the_run_with_its_weight(extra, rest):
    """Iteration 0 already steps with the calibrated weight, alone or with another term, and the
    calibration draws no random numbers."""
    def run(elbo):
        config = {**_config(elbo, **extra), "obj": [{"name": "elbo", **elbo}, *rest]}
        return run_am(TARGET, [0, 1], config, n_restarts=2, seed=3)

    calibrated = run({"calibrate": 2.0, "sign": "original_code_bug"})
    explicit = run({"weight": calibrated.summary["elbo_weight"], "sign": "original_code_bug"})
    np.testing.assert_array_equal(calibrated.images, explicit.images)
    for key in ("elbo_weight", "elbo_grad_ratio_start", "elbo_grad_ratio"):
        np.testing.assert_allclose(calibrated.summary[key], explicit.summary[key], rtol=1e-6)


def test_each_run_of_a_method_calibrates_its_own_weight():
    method = build_run(_config({"calibrate": 1.0}))
    for seed in (0, 1):
        result = method.run(TARGET, [0, 1], n_restarts=2, seed=seed)
        np.testing.assert_allclose(result.summary["elbo_weight"], 1.0 / np.median(_start_ratio(result)), rtol=1e-5)


def test_summary_records_the_weight_and_start_ratio_of_any_weighted_elbo_term():
    fixed = _run({"weight": 0.3})
    assert fixed.summary["elbo_weight"] == 0.3
    np.testing.assert_allclose(fixed.summary["elbo_grad_ratio_start"], 0.3 * _start_ratio(fixed), rtol=1e-5)
    scheduled = _run({"weight": {"schedule": "linear", "start": 0.2, "end": 1.0}})
    assert scheduled.summary["elbo_weight"] == 0.2
    for result in (_run({"weight": 0.0}), _run({"calibrate": 1.0}, steps=0, snapshots=[])):
        assert all(result.summary[k] is None for k in ("elbo_weight", "elbo_grad_ratio_start", "elbo_grad_ratio"))


@pytest.mark.parametrize("elbo, match", [
    ({"weight": 0.5, "calibrate": 1.0}, "weight or calibrate"),
    ({"calibrate": 0.0}, "^obj.0.calibrate: must be > 0, got 0.0"),
    ({"calibrate": -1.0}, "^obj.0.calibrate: must be > 0"),
    ({"calibrate": math.nan}, "obj.0.calibrate: nan is not a finite number"),
    ({"calibrate": math.inf}, "obj.0.calibrate: inf is not a finite number"),
    ({"calibrate": "1"}, "^obj.0.calibrate: must be a finite number, got '1'"),
    ({"calibrate": True}, "^obj.0.calibrate: must be a finite number, got True"),
])
def test_bad_calibrate_options_are_rejected(elbo, match):
    with pytest.raises(AMError, match=match):
        parse_config(_config(elbo))


def test_calibration_needs_an_elbo_gradient():
    flat = Target(UNITS, elbo=lambda x: 0.0 * x.sum(dim=(-2, -1)))
    with pytest.raises(AMError, match="elbo calibrate: the median .* is 0"):
        run_am(flat, [0, 1], _config({"calibrate": 1.0}), n_restarts=2)


def test_calibrate_reads_scientific_notation():
    assert parse_config(_config({"calibrate": "1e-2"})).obj.terms[0].calibrate == pytest.approx(0.01)
