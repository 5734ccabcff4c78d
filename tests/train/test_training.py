import csv
import json

import numpy as np
import pytest
import torch

from tdvae_am.models import LatentVariableModel
from tdvae_am.train.config import TrainingConfig
from tdvae_am.train.loop import Trainer, epoch_permutation, train

MODEL = {"name": "tdvae", "x_dim": 16, "z1_dim": 12, "z2_dim": 6, "h_dim": 20, "z2_hidden": [10, 8],
         "top_down": [8, 20], "z1_hidden": [20], "prior_hidden": [16]}  # fmt: skip
CONFIG = {"steps": 14, "batch_size": 8, "lr": 1e-3, "log_every": 3, "checkpoint_every": 4, "val_size": 16,
          "warmup_start": 2, "warmup_end": 10, "progress": False, "device": "cpu"}  # fmt: skip


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((64, 4, 4)).astype(np.float32), rng.standard_normal((20, 4, 4)).astype(np.float32)


def read_metrics(path):
    with open(path / "metrics.csv", newline="") as f:
        return [{k: v for k, v in row.items() if k != "samples_per_s"} for row in csv.DictReader(f)]


def weights(path):
    return LatentVariableModel.load(path / "model.pt").state_dict()


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_training_writes_metrics_summary_and_model(tmp_path, data):
    summary = train(MODEL, *data, tmp_path, CONFIG)
    rows = read_metrics(tmp_path)
    assert [int(r["step"]) for r in rows] == [3, 6, 9, 12, 14]
    assert [float(r["beta_y"]) for r in rows] == pytest.approx([0.1 + 1.15 * s / 8 for s in (0, 3, 6)] + [1.25, 1.25])
    for row in rows:
        elbo = float(row["train_reconstruction"]) - float(row["train_kl_z1"]) - float(row["train_kl_z2"])
        assert float(row["train_elbo"]) == pytest.approx(elbo, rel=1e-5)
        assert np.isfinite(float(row["val_elbo"]))
    assert summary == json.loads((tmp_path / "summary.json").read_text())
    assert summary["steps"] == 14 and summary["epochs"] == pytest.approx(14 / 8) and summary["device"] == "cpu"
    assert summary["final"]["val_elbo"] == pytest.approx(float(rows[-1]["val_elbo"]))
    assert LatentVariableModel.load(tmp_path / "model.pt").config == MODEL | {"sigma_x": 0.4}


def test_training_is_deterministic(tmp_path, data):
    train(MODEL, *data, tmp_path / "a", CONFIG)
    train(MODEL, *data, tmp_path / "b", CONFIG)
    assert_same_weights(weights(tmp_path / "a"), weights(tmp_path / "b"))
    assert read_metrics(tmp_path / "a") == read_metrics(tmp_path / "b")


def test_stop_and_resume_continue_the_same_trajectory(tmp_path, data):
    train(MODEL, *data, tmp_path / "straight", CONFIG)
    assert train(MODEL, *data, tmp_path / "resumed", CONFIG, until=5) is None
    assert torch.load(tmp_path / "resumed" / "checkpoint.pt", weights_only=True)["step"] == 5
    train(MODEL, *data, tmp_path / "resumed", CONFIG)
    assert_same_weights(weights(tmp_path / "straight"), weights(tmp_path / "resumed"))
    assert read_metrics(tmp_path / "straight") == read_metrics(tmp_path / "resumed")


class Killed(Exception):
    pass


def test_resume_after_a_kill_restarts_from_the_last_checkpoint(tmp_path, data, monkeypatch):
    train(MODEL, *data, tmp_path / "straight", CONFIG)
    step = Trainer._train_step

    def dies_after_step_7(self, x):
        if self.step == 7:
            raise Killed
        step(self, x)

    monkeypatch.setattr(Trainer, "_train_step", dies_after_step_7)
    with pytest.raises(Killed):
        train(MODEL, *data, tmp_path / "killed", CONFIG)
    monkeypatch.undo()
    assert [int(r["step"]) for r in read_metrics(tmp_path / "killed")] == [3, 6]
    ckpt = torch.load(tmp_path / "killed" / "checkpoint.pt", weights_only=True)
    assert (ckpt["step"], ckpt["epoch"], ckpt["position"]) == (4, 0, 4)

    train(MODEL, *data, tmp_path / "killed", CONFIG)
    assert_same_weights(weights(tmp_path / "straight"), weights(tmp_path / "killed"))
    assert read_metrics(tmp_path / "straight") == read_metrics(tmp_path / "killed")


def test_resume_refuses_a_different_trajectory(tmp_path, data):
    train(MODEL, *data, tmp_path, CONFIG, until=4)
    with pytest.raises(ValueError, match="lr"):
        train(MODEL, *data, tmp_path, CONFIG | {"lr": 1e-2})


def test_non_finite_loss_names_its_step(tmp_path, data):
    train_data = data[0].copy()
    order = epoch_permutation(TrainingConfig.from_dict(CONFIG).seed, 0, len(train_data), torch.device("cpu"))
    train_data[order[6 * CONFIG["batch_size"]].item()] = np.nan  # in the batch of step 7
    with pytest.raises(FloatingPointError, match=r"at step 7 .*checkpoint \(.*\) is from step 4"):
        train(MODEL, train_data, data[1], tmp_path, CONFIG)
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=True)["step"] == 4


def test_data_order_is_a_function_of_seed_and_epoch():
    a = epoch_permutation(0, 3, 100, torch.device("cpu"))
    assert torch.equal(a, epoch_permutation(0, 3, 100, torch.device("cpu")))
    assert sorted(a.tolist()) == list(range(100))
    assert not torch.equal(a, epoch_permutation(0, 4, 100, torch.device("cpu")))
    assert not torch.equal(a, epoch_permutation(1, 3, 100, torch.device("cpu")))


def test_config_validation(tmp_path):
    with pytest.raises(ValueError, match="unknown"):
        TrainingConfig.from_dict({"step": 3})
    with pytest.raises(ValueError, match="fewer than one batch"):
        Trainer(MODEL, np.zeros((4, 16), np.float32), np.zeros((4, 16), np.float32), tmp_path, CONFIG)


def test_resume_drops_a_metrics_row_cut_short(tmp_path, data):
    train(MODEL, *data, tmp_path / "straight", CONFIG)
    train(MODEL, *data, tmp_path / "cut", CONFIG, until=4)
    with open(tmp_path / "cut" / "metrics.csv", "a") as f:
        f.write("4,0.5,0.1")  # a kill while appending a row
    train(MODEL, *data, tmp_path / "cut", CONFIG)
    assert read_metrics(tmp_path / "straight") == read_metrics(tmp_path / "cut")


def test_settings_from_workflow_config():
    section = {"steps": 1000, "model_steps": {"chain": 400}, "batch_size": 32, "lr": 1e-3, "beta_z": 1.0,
               "beta_y_start": 0.1, "beta_y_final": 1.25, "warmup": [0.1, 0.5], "log_every": 2000,
               "checkpoint_every": 100, "val_size": 64, "threads": 1}
    tdvae = TrainingConfig.from_workflow(section, "tdvae", seed=3, device="cpu")
    chain = TrainingConfig.from_workflow(section, "chain", seed=3, device="cpu")
    assert (tdvae.steps, tdvae.warmup_start, tdvae.warmup_end, tdvae.log_every) == (1000, 100, 500, 1000)
    assert (chain.steps, chain.warmup_start, chain.warmup_end, chain.log_every) == (400, 40, 200, 400)
    assert chain.beta_y(0) == pytest.approx(0.1) and chain.beta_y(200) == pytest.approx(1.25)
    assert TrainingConfig.from_workflow({**section, "model_steps": None}, "chain", 0, "cpu").steps == 1000


def test_resume_refuses_other_data_or_model(tmp_path, data):
    train(MODEL, *data, tmp_path, CONFIG, until=4, data_id="a")
    with pytest.raises(ValueError, match="data: 'a' in the checkpoint, 'b' now"):
        train(MODEL, *data, tmp_path, CONFIG, data_id="b")
    with pytest.raises(ValueError, match="model.h_dim: 20 in the checkpoint, 24 now"):
        train(MODEL | {"h_dim": 24}, *data, tmp_path, CONFIG, data_id="a")


def test_changed_run_starts_afresh_when_asked(tmp_path, data):
    changed = CONFIG | {"lr": 1e-2}
    train(MODEL, *data, tmp_path / "fresh", changed)
    train(MODEL, *data, tmp_path / "stale", CONFIG)
    assert train(MODEL, *data, tmp_path / "stale", changed, until=4, on_change="restart") is None
    assert not (tmp_path / "stale" / "model.pt").exists() and not (tmp_path / "stale" / "summary.json").exists()
    train(MODEL, *data, tmp_path / "stale", changed, on_change="restart")
    assert_same_weights(weights(tmp_path / "fresh"), weights(tmp_path / "stale"))
    assert read_metrics(tmp_path / "fresh") == read_metrics(tmp_path / "stale")


def test_save_checkpoint_before_run_resumes_from_step_0(tmp_path, data):
    train(MODEL, *data, tmp_path / "straight", CONFIG)
    trainer = Trainer(MODEL, *data, tmp_path / "saved", CONFIG)
    trainer.save_checkpoint()
    assert torch.load(tmp_path / "saved" / "checkpoint.pt", weights_only=True)["elapsed_s"] == 0
    train(MODEL, *data, tmp_path / "saved", CONFIG)
    assert_same_weights(weights(tmp_path / "straight"), weights(tmp_path / "saved"))
    assert read_metrics(tmp_path / "straight") == read_metrics(tmp_path / "saved")


def test_training_leaves_the_global_rng_and_thread_count_alone(tmp_path, data):
    threads, one_thread = torch.get_num_threads(), CONFIG | {"num_threads": 1}
    torch.set_num_threads(2)
    try:
        torch.manual_seed(123)
        state = torch.get_rng_state()
        train(MODEL, *data, tmp_path / "a", one_thread)
        assert torch.equal(torch.get_rng_state(), state) and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(threads)
    torch.rand(5)  # another global RNG state
    train(MODEL, *data, tmp_path / "b", one_thread)
    assert_same_weights(weights(tmp_path / "a"), weights(tmp_path / "b"))
    assert read_metrics(tmp_path / "a") == read_metrics(tmp_path / "b")
