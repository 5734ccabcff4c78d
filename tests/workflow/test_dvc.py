"""DVC: the data stage through `dvc repro` (no git), selective re-runs, push/pull."""

import hashlib
import json
import shutil

import pytest
from workflow_helpers import copy_workflow, init_dvc, run_tool, set_param

pytestmark = pytest.mark.slow


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def dvc_repo(tmp_path_factory):
    workdir = copy_workflow(tmp_path_factory.mktemp("dvc"))
    init_dvc(workdir)
    set_param(workdir, "scale: default", "scale: smoke")
    run_tool(["dvc", "repro", "data"], workdir)
    return workdir


def test_repro_is_up_to_date_after_run(dvc_repo):
    proc = run_tool(["dvc", "status", "data"], dvc_repo)
    assert "up to date" in proc.stdout.lower()
    assert (dvc_repo / "dvc.lock").is_file()


def test_texture_parameter_reruns_texture_jobs_only(dvc_repo):
    natural = dvc_repo / "data/processed/natural_patches.npz"
    textures = dvc_repo / "data/processed/texture_patches.npz"
    before = natural.stat().st_mtime_ns, textures.stat().st_mtime_ns
    set_param(dvc_repo, "  equalize_contrast: true", "  equalize_contrast: false")
    status = run_tool(["dvc", "status", "data"], dvc_repo).stdout
    assert "textures" in status
    run_tool(["dvc", "repro", "data"], dvc_repo)
    assert natural.stat().st_mtime_ns == before[0]
    assert textures.stat().st_mtime_ns != before[1]
    meta = json.loads((dvc_repo / "data/processed/texture_patches.json").read_text())
    assert meta["equalized"] is False
    assert "up to date" in run_tool(["dvc", "status", "data"], dvc_repo).stdout.lower()


def test_push_pull_roundtrip(dvc_repo, tmp_path):
    remote = tmp_path / "remote"
    run_tool(["dvc", "remote", "add", "-d", "shared", str(remote)], dvc_repo)
    run_tool(["dvc", "push", "data"], dvc_repo)
    tracked = sorted(p for p in (dvc_repo / "data/processed").iterdir())
    before = {p.name: digest(p) for p in tracked}
    shutil.rmtree(dvc_repo / "data/processed")
    shutil.rmtree(dvc_repo / ".dvc/cache")
    run_tool(["dvc", "pull", "data"], dvc_repo)
    assert {p.name: digest(p) for p in sorted((dvc_repo / "data/processed").iterdir())} == before


@pytest.mark.parametrize(("module", "changed"), [("data/whitening.py", True), ("logs.py", True), ("am/run.py", False)])
def test_editing_an_imported_module_changes_the_stage(dvc_repo, module, changed):
    path = dvc_repo / "src/tdvae_am" / module
    original = path.read_text()
    path.write_text(original + "\n# edited\n")
    try:
        status = run_tool(["dvc", "status", "data"], dvc_repo).stdout
    finally:
        path.write_text(original)
    assert (f"src/tdvae_am/{module}" in status) is changed, status
