"""Active units along training, on a tiny TDVAE with a planted informative direction in the data."""

import numpy as np
import pytest

from tdvae_am.train.loop import Trainer
from tdvae_am.units.training_curve import active_unit_curve

MODEL = {"name": "tdvae", "x_dim": 16, "z1_dim": 12, "z2_dim": 6, "h_dim": 20, "z2_hidden": [10, 8],
         "top_down": [8, 20], "z1_hidden": [20], "prior_hidden": [16]}  # fmt: skip
CONFIG = {"steps": 300, "batch_size": 32, "lr": 3e-3, "log_every": 100, "checkpoint_every": 100, "val_size": 64,
          "beta_y_start": 1.0, "beta_y_final": 1.0, "progress": False, "device": "cpu"}  # fmt: skip


def test_curve_counts_units_that_learn_the_data_and_calibrates_on_the_untrained_model(tmp_path):
    rng = np.random.default_rng(0)
    # two strong latent directions: a trained model needs a few informative z2 units
    data = (rng.standard_normal((2048, 2)) * 3.0) @ rng.standard_normal((2, 16)) + 0.1 * rng.standard_normal((2048, 16))
    data = data.astype(np.float32).reshape(-1, 4, 4)
    trainer = Trainer(MODEL, data[:1536], data[1536:], tmp_path, CONFIG)
    logged = []
    rows = active_unit_curve(trainer, data[1536:], 100, info_threshold=0.05, max_untrained=2, log=logged.append)
    assert [r["step"] for r in rows] == [0, 100, 200, 300] and logged == rows
    assert [r["samples"] for r in rows] == [0, 3200, 6400, 9600]
    assert rows[0]["n_active"] <= 2  # the threshold is calibrated on the untrained model
    assert rows[-1]["n_active"] >= 1 and rows[-1]["information_total"] > 2 * rows[0]["information_total"]
    assert rows[-1]["val_elbo"] > rows[0]["val_elbo"]
    assert len({r["threshold"] for r in rows}) == 1
    with pytest.raises(ValueError, match="fresh run"):
        active_unit_curve(trainer, data[1536:], 100)
