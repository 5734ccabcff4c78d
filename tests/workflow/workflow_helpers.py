"""Helpers for tests that run Snakemake and DVC in a throw-away copy of the workflow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_FILES = ("Snakefile", "dvc.yaml", "params.yaml", "workflow", "config", "profiles", "src", ".dvcignore")
BIN = Path(sys.executable).parent


def copy_workflow(dest: Path) -> Path:
    """Copy the workflow definition (not its outputs) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def committed_results(root: Path = ROOT) -> list[str]:
    """The result files committed to git (docs/dvc.md, "Results in the repository"), as in a fresh clone."""
    proc = subprocess.run(["git", "ls-files", "results", "figures", "dvc.lock"], cwd=root, capture_output=True,
                          text=True, check=True)
    return proc.stdout.split()


def copy_committed_results(dest: Path) -> None:
    """Copy the committed result files into ``dest`` (the state of a fresh clone)."""
    for name in committed_results():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)


def init_dvc(workdir: Path) -> None:
    """Make ``workdir`` a DVC repository without git, with the project's .dvc/config."""
    (workdir / ".dvc").mkdir(exist_ok=True)
    shutil.copy2(ROOT / ".dvc/config", workdir / ".dvc/config")
    run_tool(["dvc", "config", "core.no_scm", "true"], workdir)


def run_tool(args: list[str], cwd: Path, check: bool = True, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run snakemake/dvc from this interpreter's environment in ``cwd``."""
    env = dict(os.environ, DVC_NO_ANALYTICS="1", PYTHONUNBUFFERED="1",
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    exe = str(BIN / args[0]) if (BIN / args[0]).exists() else args[0]
    proc = subprocess.run([exe, *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def set_param(workdir: Path, old: str, new: str) -> None:
    """Edit one line of the copied params.yaml (keeps its comments)."""
    path = workdir / "params.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
