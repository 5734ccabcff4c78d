import numpy as np
import torch
from am_toys import LinearUnits, unit_weights

from tdvae_am.analysis import nearest_in_activation, top_activating


def test_top_activating_matches_a_full_sort():
    units = LinearUnits(unit_weights(4, shape=(8, 8)))
    patches = torch.randn(1000, 8, 8, generator=torch.Generator().manual_seed(0))
    sel = top_activating(units, patches, [3, 1], k=5, batch_size=128)
    acts = units(patches)
    for row, u in enumerate([3, 1]):
        order = torch.argsort(acts[:, u], descending=True)[:5]
        np.testing.assert_array_equal(sel.indices[row], order.numpy())
        np.testing.assert_allclose(sel.scores[row], acts[order, u].numpy(), rtol=1e-5)
    np.testing.assert_array_equal(sel.patches[0, 0], patches[sel.indices[0, 0]].numpy())


def test_nearest_in_activation_finds_the_query_itself():
    units = LinearUnits(unit_weights(4, shape=(8, 8)))
    patches = torch.randn(300, 8, 8, generator=torch.Generator().manual_seed(1))
    queries = patches[[17, 250]] + 1e-3
    sel = nearest_in_activation(units, patches, queries, k=3, batch_size=64)
    assert sel.indices[:, 0].tolist() == [17, 250]
    assert np.all(np.diff(sel.scores, axis=1) >= 0)
    dist = torch.cdist(units(queries), units(patches))
    np.testing.assert_array_equal(sel.indices, torch.argsort(dist, dim=1)[:, :3].numpy())
