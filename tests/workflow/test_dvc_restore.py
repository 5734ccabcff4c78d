"""A re-run that fails after Snakemake deleted its output: `dvc checkout <file>` restores the last
`dvc repro` result (the recovery of docs/dvc.md), here with the real texture_seed rule as a one-job stage
in a DVC repository without git, with the project's hard-linked cache."""

import numpy as np
import pytest
import yaml
from workflow_helpers import copy_workflow, init_dvc, run_tool, set_param

pytestmark = pytest.mark.slow

SEED = "data/interim/textures/seeds/brick.npy"
FAILURE = 'if snakemake.config["textures"]["iterations"] == 16:\n    raise RuntimeError("a failing re-run")\n'


def test_dvc_checkout_restores_what_a_failed_rerun_deleted(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    script = workdir / "workflow/scripts/texture_seed.py"
    script.write_text(FAILURE + script.read_text())  # a job that fails for one parameter value
    stage = {"cmd": f"snakemake --cores 1 --config scale=smoke -- {SEED}", "params": ["textures"],
             "outs": [{"data/interim/textures/seeds": {"persist": True}}]}
    (workdir / "dvc.yaml").write_text(yaml.safe_dump({"stages": {"seeds": stage}}))
    init_dvc(workdir)
    run_tool(["dvc", "repro", "seeds"], workdir)
    before = np.load(workdir / SEED)

    set_param(workdir, "  iterations: null", "  iterations: 16")  # a params change re-runs the job, which fails
    proc = run_tool(["dvc", "repro", "seeds"], workdir, check=False)
    assert proc.returncode != 0
    assert "RuntimeError: a failing re-run" in proc.stdout + proc.stderr
    assert not (workdir / SEED).exists()  # Snakemake removed the output of the failed job

    run_tool(["dvc", "checkout", SEED], workdir)
    np.testing.assert_array_equal(np.load(workdir / SEED), before)
    assert "seeds" in run_tool(["dvc", "status", "seeds"], workdir).stdout  # still out of date: params changed
