import math

import pytest
import torch
from am_toys import LinearUnits, pixel_config, unit_weights

from tdvae_am.am import AMError, run_am
from tdvae_am.am.diversity import diversity, pairwise_distance

METRICS = ["euclidean", "cosine", "correlation"]


def test_pairwise_distances_have_known_values():
    a = torch.randn(8, 8)
    b = torch.randn(8, 8)
    b = b - (b * a).sum() / (a * a).sum() * a                         # orthogonal to a
    x = torch.stack([a, a, -a, b, 3 * a + 2])[None]
    eu, co, cr = (pairwise_distance(x, m)[0] for m in METRICS)
    assert eu[0, 1] == pytest.approx(0, abs=1e-3) and co[0, 1] == pytest.approx(0, abs=1e-5)
    assert eu[0, 2] == pytest.approx(2 * a.norm().item() / 8, rel=1e-5)
    assert co[0, 2] == pytest.approx(2.0) and cr[0, 2] == pytest.approx(2.0)
    assert co[0, 3] == pytest.approx(1.0, abs=1e-5)
    assert cr[0, 4] == pytest.approx(0.0, abs=1e-5)                    # correlation ignores gain and offset
    assert co[0, 4] > 0.01


def test_linkage_and_sample_count():
    x = torch.randn(2, 4, 6, 6)
    d = pairwise_distance(x, "euclidean")
    i, j = torch.triu_indices(4, 4, 1)
    torch.testing.assert_close(diversity(x, "euclidean", "mean"), d[:, i, j].mean(1))
    torch.testing.assert_close(diversity(x, "euclidean", "min"), d[:, i, j].min(1).values)
    with pytest.raises(AMError, match="at least 2 samples"):
        diversity(x[:, :1], "cosine")


@pytest.mark.parametrize("metric", METRICS)
def test_gradient_ascent_on_diversity_spreads_the_samples(metric):
    x = (torch.randn(1, 1, 8, 8) + 0.1 * torch.randn(1, 5, 8, 8)).requires_grad_(True)
    before = diversity(x, metric).item()
    (grad,) = torch.autograd.grad(diversity(x, metric).sum(), x)
    after = diversity(x + 0.05 * grad / grad.abs().mean(), metric).item()
    assert after > before


@pytest.mark.parametrize("metric", METRICS)
def test_diversity_term_raises_the_pairwise_distance_of_am_samples(metric):
    units = LinearUnits(unit_weights(2))
    distances = []
    for weight in (0.0, 100.0):
        config = pixel_config(steps=100, parametrization={"name": "pixel", "n_samples": 4},
                              budget={"norm": "l2", "value": 16.0},
                              obj=[{"name": "diversity", "metric": metric, "weight": weight}])
        result = run_am(units, [0, 1], config, seed=0)
        distances.append(diversity(torch.as_tensor(result.images[:, 0]), metric))
    assert torch.all(distances[1] > 1.3 * distances[0])
    assert not math.isnan(distances[1].sum().item())
