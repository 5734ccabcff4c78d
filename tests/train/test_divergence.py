"""A diverging run stops within CHECK_EVERY steps, names its step and resume point, and keeps good files."""

import math

import numpy as np
import pytest
import torch

from tdvae_am.train.loop import CHECK_EVERY, Trainer

MODEL = {"name": "tdvae", "x_dim": 16, "z1_dim": 12, "z2_dim": 6, "h_dim": 20, "z2_hidden": [10, 8],
         "top_down": [8, 20], "z1_hidden": [20], "prior_hidden": [16]}  # fmt: skip
# logs and scheduled checkpoints too rare to catch anything: only the periodic check does
CONFIG = {"steps": 300, "batch_size": 8, "lr": 1e-3, "log_every": 300, "checkpoint_every": 1000, "val_size": 16,
          "progress": False, "device": "cpu"}  # fmt: skip


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((64, 4, 4)).astype(np.float32), rng.standard_normal((20, 4, 4)).astype(np.float32)


def poison(monkeypatch, after_step: int) -> None:
    """Make the model's first parameter NaN once the trainer has taken ``after_step`` steps."""
    step = Trainer._train_step

    def train_step(self, x):
        step(self, x)
        if self.step == after_step:
            with torch.no_grad():
                next(self.model.parameters()).fill_(math.nan)

    monkeypatch.setattr(Trainer, "_train_step", train_step)


def snapshot(path):
    return path.read_bytes(), path.stat().st_mtime_ns


def test_huge_learning_rate_is_caught_within_check_every_steps(tmp_path, data):
    trainer = Trainer(MODEL, *data, tmp_path, CONFIG | {"lr": 1e4})
    with pytest.raises(FloatingPointError, match="no checkpoint exists, so a rerun would restart from step 0") as e:
        trainer.run()
    step = int(e.value.args[0].split("at step ")[1].split()[0])
    assert step <= trainer.step < step + CHECK_EVERY
    assert not (tmp_path / "checkpoint.pt").exists() and not (tmp_path / "model.pt").exists()


def test_planted_divergence_names_its_step_and_no_checkpoint(tmp_path, data, monkeypatch):
    poison(monkeypatch, after_step=129)
    trainer = Trainer(MODEL, *data, tmp_path, CONFIG)
    with pytest.raises(FloatingPointError, match=r"at step 130 \(of 300\).*no checkpoint exists"):
        trainer.run()
    assert trainer.step == 200
    assert not (tmp_path / "checkpoint.pt").exists()


def test_planted_divergence_keeps_the_last_checkpoint(tmp_path, data, monkeypatch):
    config = CONFIG | {"checkpoint_every": 100}
    Trainer(MODEL, *data, tmp_path, config).run(until=100)
    before = snapshot(tmp_path / "checkpoint.pt")
    poison(monkeypatch, after_step=129)
    trainer = Trainer(MODEL, *data, tmp_path, config)
    with pytest.raises(FloatingPointError, match=r"at step 130 .*checkpoint \(.*checkpoint.pt\) is from step 100"):
        trainer.run()
    assert trainer.step == 200
    assert snapshot(tmp_path / "checkpoint.pt") == before


def test_non_finite_parameters_are_not_checkpointed(tmp_path, data, monkeypatch):
    config = CONFIG | {"checkpoint_every": 100}
    Trainer(MODEL, *data, tmp_path, config).run(until=100)
    before = snapshot(tmp_path / "checkpoint.pt")
    poison(monkeypatch, after_step=200)  # after the last loss before the checkpoint at step 200
    with pytest.raises(FloatingPointError, match="parameters are not finite at step 200, checkpoint.pt not written; "
                                                 r"the last checkpoint \(.*\) is from step 100"):  # fmt: skip
        Trainer(MODEL, *data, tmp_path, config).run()
    assert snapshot(tmp_path / "checkpoint.pt") == before


def test_non_finite_parameters_are_not_saved_as_the_model(tmp_path, data):
    trainer = Trainer(MODEL, *data, tmp_path, CONFIG | {"steps": 20, "log_every": 10})
    trainer.run()
    before = snapshot(tmp_path / "model.pt")
    with torch.no_grad():
        next(trainer.model.parameters()).fill_(math.inf)
    with pytest.raises(FloatingPointError, match="model.pt not written; the last checkpoint .* is from step 20"):
        trainer.run()
    with pytest.raises(FloatingPointError, match="checkpoint.pt not written"):
        trainer.save_checkpoint()
    assert snapshot(tmp_path / "model.pt") == before
