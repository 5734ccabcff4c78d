import pytest
import torch
from am_toys import LinearUnits, cosine, unit_weights

from tdvae_am.analysis import spike_triggered_average


def test_sta_recovers_linear_weights_of_many_units_at_once():
    weights = unit_weights(3)
    units = LinearUnits(weights, offset=50.0)                          # a large offset: responses must be centred
    sta = spike_triggered_average(units, [2, 0], 20000, shape=(16, 16), noise_std=0.5, batch_size=4096)
    assert sta.shape == (2, 16, 16)
    assert cosine(sta, weights[[2, 0]]).min() > 0.98
    scale = (sta * weights[[2, 0]]).sum(dim=(1, 2)) / (weights[[2, 0]] ** 2).sum(dim=(1, 2))
    assert scale.numpy() == pytest.approx([0.25, 0.25], rel=0.05)     # STA = noise_std^2 * w


def test_sta_is_reproducible_and_sees_only_the_linear_part():
    energy = lambda x: torch.stack([(x.flatten(1) ** 2).sum(1), x[:, 0, 0]], 1)  # noqa: E731
    a = spike_triggered_average(energy, [0, 1], 20000, shape=(8, 8), seed=1, batch_size=5000)
    b = spike_triggered_average(energy, [0, 1], 20000, shape=(8, 8), seed=1, batch_size=5000)
    torch.testing.assert_close(a, b)
    assert a[0].abs().max() < 0.4                                      # an even unit has no STA (noise only)
    assert a[1, 0, 0] == pytest.approx(1.0, abs=0.1) and a[1].flatten()[1:].abs().max() < 0.1
