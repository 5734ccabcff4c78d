"""The metrics CSV and the fingerprinted checkpoint store on their own."""

import pytest
import torch

from tdvae_am.train.checkpoints import CheckpointStore, fingerprint_changes
from tdvae_am.train.metrics_log import MetricsLog


def test_metrics_log_truncates_after_a_step_and_drops_a_cut_row(tmp_path):
    log = MetricsLog(tmp_path / "m.csv", ["step", "a", "b"])
    log.start()
    for step in (2, 4, 6):
        log.append({"step": step, "a": step / 2, "b": -step})
    with open(log.path, "a") as f:
        f.write("8,4.0")
    log.truncate(6)
    assert [r["step"] for r in log.rows()] == ["2", "4", "6"]
    log.truncate(4)
    assert log.rows() == [{"step": "2", "a": "1.0", "b": "-2"}, {"step": "4", "a": "2.0", "b": "-4"}]
    log.start()
    assert log.rows() == [] and log.path.read_text().strip() == "step,a,b"
    MetricsLog(tmp_path / "new.csv", ["step"]).truncate(3)
    assert (tmp_path / "new.csv").read_text().strip() == "step"


def test_fingerprint_changes_name_the_differing_entries():
    a = {"model": {"name": "tdvae", "h_dim": 20}, "training": {"lr": 1e-3, "seed": 0}, "data": "x"}
    assert fingerprint_changes(a, a) == []
    b = {"model": {"name": "tdvae", "h_dim": 20}, "training": {"lr": 1e-2, "seed": 0, "new": 1}, "data": None}
    assert fingerprint_changes(a, b) == [
        "data: 'x' in the checkpoint, None now",
        "training.lr: 0.001 in the checkpoint, 0.01 now",
        "training.new: None in the checkpoint, 1 now",
    ]
    assert fingerprint_changes(None, a) == ["the checkpoint has no fingerprint"]


def test_checkpoint_store_loads_only_its_own_fingerprint(tmp_path):
    path, cpu = tmp_path / "checkpoint.pt", torch.device("cpu")
    store = CheckpointStore(path, {"model": {"hidden": (3, 4)}, "data": "x"})
    assert store.load(cpu) is None and store.step is None
    store.save({"step": 7, "w": torch.ones(2)})
    again = CheckpointStore(path, {"model": {"hidden": [3, 4]}, "data": "x"})
    ckpt = again.load(cpu)
    assert again.step == 7 and torch.equal(ckpt["w"], torch.ones(2)) and ckpt["fingerprint"] == again.fingerprint
    other = CheckpointStore(path, {"model": {"hidden": [3, 4]}, "data": "y"})
    with pytest.raises(ValueError, match="data: 'x' in the checkpoint, 'y' now"):
        other.load(cpu)
    assert other.load(cpu, restart=True) is None and not path.exists() and other.step is None
    torch.save({"step": 1}, path)  # written without a fingerprint
    with pytest.raises(ValueError, match="no fingerprint"):
        store.load(cpu)
