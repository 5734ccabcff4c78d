import math

import numpy as np
import torch
from am_toys import EnergyUnit

from tdvae_am.am import run_am
from tdvae_am.analysis import dominant_frequency

SHAPE = (24, 24)


def test_energy_unit_am_finds_gabor_at_the_right_orientation_and_frequency():
    theta, wavelength = math.pi / 4, 6.0
    unit = EnergyUnit(SHAPE, theta, wavelength, sigma=4.0)
    config = {"shape": list(SHAPE), "steps": 150, "budget": {"norm": "l2", "value": 1.0},
              "optimizer": {"name": "rmsprop", "lr": 0.01}}
    result = run_am(unit, [0], config, n_restarts=3, seed=0)
    images = torch.as_tensor(result.images[0, :, 0])                   # (R, H, W)
    frequency, orientation = dominant_frequency(images)
    assert torch.all((frequency - 1 / wavelength).abs() <= 1 / SHAPE[0])
    assert torch.all((orientation - theta).abs() < 0.2)
    # the image lies in the plane of the quadrature pair: its energy is the pair's maximum
    pair = unit.pair.flatten(1)
    best = torch.linalg.svdvals(pair)[0]
    np.testing.assert_array_less(0.97 * best.item(), unit(images)[:, 0].numpy())
