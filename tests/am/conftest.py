"""Fixtures of the AM tests; the toy models live in ``am_toys``."""

import pytest
import torch
from am_toys import LinearUnits, pixel_config, unit_weights

from tdvae_am.am import run_am


@pytest.fixture
def linear3():
    """Three linear units with white-noise weights on 16x16 images."""
    return LinearUnits(unit_weights(3))


@pytest.fixture
def slow_pixel_am():
    """Few SGD steps from a tiny init on white-noise units: the result is still shaped by the path.

    Returns a function of config overrides giving the final images (U=2, R=2, 1, 16, 16).
    """
    units = LinearUnits(unit_weights(2))

    def run(**extra):
        config = pixel_config(steps=30, optimizer={"name": "sgd", "lr": 0.02},
                              parametrization={"name": "pixel", "init_scale": 0.01})
        config.update(extra)
        return torch.as_tensor(run_am(units, [0, 1], config, n_restarts=2, seed=0).images)

    return run
