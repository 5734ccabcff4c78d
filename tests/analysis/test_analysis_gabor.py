import math

import numpy as np
import pytest
import torch
from am_toys import LinearUnits

from tdvae_am.analysis import best_gabor, default_grid, gabor, optimal_gabor

SHAPE = (24, 24)
GRID = {"phase": np.array([0.0, 0.5, 1.0, 1.5]) * np.pi, "wavelength": np.array([4.0, 6.0, 9.0]),
        "theta": np.linspace(0, np.pi, 8, endpoint=False), "sigma": np.array([2.0, 3.0, 5.0]),
        "x0": np.array([8.0, 11.5, 15.0]), "y0": np.array([8.0, 11.5, 15.0])}
TRUE = [dict(x0=15.0, y0=8.0, theta=3 * np.pi / 8, wavelength=6.0, sigma=3.0, phase=0.5 * np.pi),
        dict(x0=11.5, y0=15.0, theta=0.0, wavelength=9.0, sigma=5.0, phase=np.pi)]


def _gabor_units(params):
    return LinearUnits(torch.stack([gabor(SHAPE, **p) for p in params]))


def test_gabor_is_normalized_and_oriented():
    g = gabor(SHAPE, 11.5, 11.5, 0.0, 6.0, 4.0, 0.0, norm=2.0)
    assert torch.linalg.vector_norm(g).item() == pytest.approx(2.0)
    assert torch.allclose(g[:, 11], g[:, 11].mean(), atol=0.2)         # theta = 0: stripes along rows vary in x only
    batch = gabor(SHAPE, torch.zeros(3) + 11.5, 11.5, torch.tensor([0.0, 1.0, 2.0]), 6.0, 4.0, 0.0)
    assert batch.shape == (3, *SHAPE)
    assert sum(len(v) for v in default_grid().values()) == 4 + 5 + 8 + 5 + 7 + 7


def test_best_gabor_grid_search_recovers_gabor_units():
    fit = best_gabor(_gabor_units(TRUE), [0, 1], grid=GRID, shape=SHAPE, batch_size=500)
    for i, truth in enumerate(TRUE):
        for name, value in truth.items():
            assert fit.params[name][i] == pytest.approx(value, abs=1e-5), name
    np.testing.assert_allclose(fit.activation, 1.0, rtol=1e-4)         # cosine 1 under the unit-norm budget
    assert np.isnan(fit.correlation).all()


def test_best_gabor_by_correlation_with_target_images():
    noise = torch.randn(2, *SHAPE, generator=torch.Generator().manual_seed(0))
    targets = torch.stack([gabor(SHAPE, **p) for p in TRUE]) + 0.01 * noise
    fit = best_gabor(target=targets, grid=GRID)
    assert fit.params["theta"] == pytest.approx([TRUE[0]["theta"], TRUE[1]["theta"]])
    assert np.all(fit.correlation > 0.95) and np.isnan(fit.activation).all()


def test_optimal_gabor_refines_an_off_grid_unit():
    truth = [dict(x0=12.7, y0=10.2, theta=0.5, wavelength=7.3, sigma=3.6, phase=1.0)]
    units = _gabor_units(truth)
    grid_fit = best_gabor(units, [0], grid=GRID, shape=SHAPE, reference=units.weights)
    fit = optimal_gabor(units, [0], init=grid_fit, shape=SHAPE, steps=150, reference=units.weights)
    assert grid_fit.correlation[0] < 0.95
    assert fit.correlation[0] > 0.99 and fit.activation[0] > grid_fit.activation[0]
    assert 0 <= fit.params["theta"][0] < math.pi
    assert fit.params["wavelength"][0] == pytest.approx(7.3, rel=0.05)


def test_edge_likeness_removes_what_the_amplitude_spectrum_explains():
    """On 40x40 images and the default grid: the raw best-Gabor correlation of smooth images without any
    edge is high (the grid fits any smooth image to some degree) and the phase-scrambled null removes it;
    a Gabor beats its null, and so does a centred blob, which the null cannot tell from an edge."""
    from scipy.ndimage import gaussian_filter

    from tdvae_am.analysis.gabor import edge_likeness

    rng = np.random.default_rng(0)
    noise = rng.standard_normal((4, 40, 40))
    smooth = np.stack([gaussian_filter(n, 3) for n in noise])
    yy, xx = np.mgrid[:40, :40] - 19.5
    blob = np.exp(-(xx**2 + yy**2) / (2 * 4.0**2))
    edge = gabor((40, 40), x0=19.5, y0=19.5, theta=np.pi / 4, wavelength=8.0, sigma=4.0, phase=0.0).numpy()
    white, smooth, planted = (edge_likeness(x) for x in (noise, smooth, np.stack([blob, edge])))
    assert np.all(white["r"] < 0.3) and np.all(smooth["r"] > 0.35)  # raw r follows the spectrum
    assert np.all(np.abs(smooth["excess"]) < 0.1)  # the null takes it out
    assert np.all(planted["r"] > 0.6) and np.all(planted["excess"] > 0.15)  # blob and Gabor alike
