"""The smoke-scale workflow, end to end, in a throw-away copy of the repository."""

import json

import numpy as np
import pytest

from workflow_helpers import copy_workflow, run_tool
from tdvae_am.data.patches import load_patch_set

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    workdir = copy_workflow(tmp_path_factory.mktemp("smoke"))
    run_tool(["snakemake", "--cores", "2", "--config", "scale=smoke"], workdir)
    return workdir


def test_lint_is_clean(smoke_run):
    proc = run_tool(["snakemake", "--lint"], smoke_run, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Lints for" not in proc.stdout + proc.stderr


def test_data_outputs(smoke_run):
    natural, meta = load_patch_set(smoke_run / "data/processed/natural_patches.npz")
    assert {k: len(v) for k, v in natural.items()} == {"train": 2000, "val": 500, "test": 500}
    assert abs(natural["train"].std() - 1.0) < 1e-3
    textures, tmeta = load_patch_set(smoke_run / "data/processed/texture_patches.npz")
    n_fam = len(tmeta["families"])
    assert n_fam == 5 and len(textures["patches"]) == 5 * 2 * 100
    assert textures["scrambled"].shape == textures["patches"].shape
    for f in range(n_fam):
        assert abs(textures["patches"][textures["family"] == f].std() - 1.0) < 1e-3
    assert set(tmeta["equalization_factors"]) == set(tmeta["families"])
    metrics = json.loads((smoke_run / "results/metrics/data.json").read_text())
    assert metrics["ps_synthesis"]["images"] == 10
    assert metrics["ps_synthesis"]["loss_reduction_median"] < 0.2
    for ext in ("png", "pdf"):
        assert (smoke_run / f"figures/fig04_data.{ext}").stat().st_size > 10_000
    logs = list((smoke_run / "logs").rglob("*.log"))
    assert len(logs) >= 1 + 5 + 10 + 1 + 1


def test_nothing_left_to_do(smoke_run):
    proc = run_tool(["snakemake", "-n", "--config", "scale=smoke"], smoke_run)
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_texture_change_reruns_only_texture_jobs(smoke_run):
    proc = run_tool(["snakemake", "-n", "--config", "scale=smoke", "textures={iterations: 5}"], smoke_run)
    out = proc.stdout + proc.stderr
    assert "rule synthesize_texture" in out and "rule texture_patches" in out
    assert "rule natural_patches" not in out


def test_same_seed_same_data(smoke_run, tmp_path):
    """Rebuilding the natural patches from scratch gives identical arrays (seeded)."""
    again = copy_workflow(tmp_path / "again")
    run_tool(["snakemake", "--cores", "1", "--config", "scale=smoke", "--", "data/processed/natural_patches.npz"], again)
    a = json.loads((smoke_run / "data/processed/natural_patches.json").read_text())
    b = json.loads((again / "data/processed/natural_patches.json").read_text())
    assert a["arrays"] == b["arrays"]
    first = np.load(smoke_run / "data/processed/natural_patches.npz")["train"]
    np.testing.assert_array_equal(first, np.load(again / "data/processed/natural_patches.npz")["train"])
