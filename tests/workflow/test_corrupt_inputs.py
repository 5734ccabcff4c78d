"""A corrupt intermediate file stops Snakemake while it builds the DAG: one line naming the file
and its remedy, before any job runs and before the outputs of the jobs that read it are deleted."""

import os

import numpy as np
import pytest
from workflow_helpers import run_tool

from tdvae_am.data.patches import save_patch_set

NATURAL = "data/processed/natural_patches.npz"


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def make_patch_set(workdir):
    arrays = {s: np.zeros((n, 40, 40), np.float32) for s, n in [("train", 64), ("val", 8), ("test", 8)]}
    save_patch_set(workdir / NATURAL, arrays, {"seed": 0})


def make_outputs(workdir, *paths):
    """Stand-ins for a previous run's outputs, older than the patch set."""
    for path in paths:
        (workdir / path).parent.mkdir(parents=True, exist_ok=True)
        (workdir / path).write_bytes(b"previous result")
        os.utime(workdir / path, (1e9, 1e9))


def remedy(path):
    return f"{path} is corrupt ({{}}); re-create it with `snakemake -R {path}` or restore the last DVC version " \
           f"with `dvc checkout {path}`"


@pytest.mark.parametrize(
    "target, outputs",
    [
        ("figures/fig04_data.png", ["figures/fig04_data.png", "figures/fig04_data.pdf"]),
        ("results/models/tdvae/model.pt", ["results/models/tdvae/model.pt", "results/models/tdvae/summary.json",
                                           "results/models/tdvae/metrics.csv"]),
    ],
)
def test_truncated_patch_set_stops_the_run_and_keeps_previous_outputs(workflow_dir, target, outputs):
    make_outputs(workflow_dir, *outputs)
    make_patch_set(workflow_dir)
    truncate(workflow_dir / NATURAL)
    proc = run_tool(["snakemake", "--cores", "1", "--", target], workflow_dir, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert remedy(NATURAL).format("BadZipFile: File is not a zip file") in out
    assert "Job stats" not in out
    assert all((workflow_dir / p).read_bytes() == b"previous result" for p in outputs)
    # the remedy it names gets past the check, and so does -R on the rule that writes the file
    for forced in (NATURAL, "natural_patches"):
        run_tool(["snakemake", "-n", "-R", forced, "--", target], workflow_dir)


def test_truncated_model_stops_its_evaluation(workflow_dir):
    make_patch_set(workflow_dir)
    model = workflow_dir / "results/models/tdvae/model.pt"
    make_outputs(workflow_dir, "results/models/tdvae/summary.json", "results/models/tdvae/metrics.csv",
                 "results/models/tdvae/model.pt")
    os.utime(model)  # newer than the patch set: only the model is wrong
    proc = run_tool(["snakemake", "-n", "--", "results/metrics/evaluation_tdvae.json"], workflow_dir, check=False)
    assert proc.returncode != 0
    assert remedy("results/models/tdvae/model.pt").format("BadZipFile: File is not a zip file") in (
        proc.stdout + proc.stderr)
