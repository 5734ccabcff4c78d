import pytest
import torch

from tdvae_am.models import LatentVariableModel

SMALL = {
    "tdvae": {
        "name": "tdvae", "x_dim": 16, "z1_dim": 12, "z2_dim": 6, "h_dim": 20, "z2_hidden": [10, 8],
        "top_down": [8, 20], "z1_hidden": [20], "prior_hidden": [16],
    },
    "chain": {
        "name": "chain", "x_dim": 16, "z1_dim": 12, "z2_dim": 6, "z1_hidden": [20], "z2_hidden": [10],
        "prior_hidden": [16],
    },
    "sparse": {"name": "sparse", "x_dim": 16, "z1_dim": 12, "hidden": [20]},
}  # fmt: skip


@pytest.fixture(params=sorted(SMALL))
def small_config(request) -> dict:
    return SMALL[request.param]


@pytest.fixture
def small_model(small_config) -> LatentVariableModel:
    torch.manual_seed(0)
    return LatentVariableModel.from_config(small_config)
