import numpy as np
import pytest
import torch
from am_toys import LinearUnits, pixel_config, unit_weights

from tdvae_am.am import Target, run_am
from tdvae_am.imageops.filters import total_variation


def gaussian_elbo(x: torch.Tensor) -> torch.Tensor:
    """log N(x; 0, I) up to a constant: a likelihood that prefers small images."""
    return -0.5 * (x**2).sum(dim=(-2, -1))


def _run(**extra):
    units = LinearUnits(unit_weights(1))
    config = pixel_config(steps=40, budget=None, optimizer={"name": "sgd", "lr": 0.01},
                          parametrization={"name": "pixel", "init_scale": 0.1})
    config.update(extra)
    return run_am(Target(units, elbo=gaussian_elbo), [0], config, seed=0)


def test_elbo_sign_paper_intent_raises_likelihood_original_bug_lowers_it():
    none = _run()
    intent = _run(obj=[{"name": "elbo", "weight": 1.0}])
    bug = _run(obj=[{"name": "elbo", "weight": 1.0, "sign": "original_code_bug"}])
    elbo = {name: r.traces["elbo"][-1, 0, 0] for name, r in (("none", none), ("intent", intent), ("bug", bug))}
    assert elbo["intent"] > elbo["none"] > elbo["bug"]
    direct = gaussian_elbo(torch.as_tensor(intent.images[0, 0])).item()
    np.testing.assert_allclose(intent.summary["final_elbo"][0][0], direct, rtol=1e-5)
    # the likelihood-regularized optimum of w.x - 0.5 |x|^2 is x = w
    w = unit_weights(1)[0]
    long = _run(obj=[{"name": "elbo", "weight": 1.0}], steps=600)
    np.testing.assert_allclose(long.images[0, 0, 0], w.numpy(), atol=1e-2)


def test_elbo_weight_follows_a_schedule():
    off = _run(obj=[{"name": "elbo", "weight": {"schedule": "step", "values": [0.0, 1.0], "milestones": [1000]}}])
    none = _run()
    np.testing.assert_allclose(off.images, none.images, rtol=1e-6)


def test_tv_term_lowers_total_variation():
    plain, smooth = _run(), _run(obj=[{"name": "tv", "weight": 0.5}])
    tv = lambda r: total_variation(torch.as_tensor(r.images)).item()  # noqa: E731
    assert tv(smooth) < 0.8 * tv(plain)
    assert "tv" in smooth.traces


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_lp_term_lowers_the_norm(p):
    plain, small = _run(), _run(obj=[{"name": "lp", "weight": 5.0, "p": p}])
    norm = lambda r: np.linalg.norm(r.images.ravel(), ord=p)  # noqa: E731
    assert norm(small) < 0.8 * norm(plain)
