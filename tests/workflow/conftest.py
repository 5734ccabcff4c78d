"""Shared fixtures."""

from pathlib import Path

import pytest
from workflow_helpers import copy_committed_results, copy_workflow, run_tool


@pytest.fixture
def workflow_dir(tmp_path: Path) -> Path:
    return copy_workflow(tmp_path / "wf")


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """The whole workflow at the smoke scale, run once per test session in a throw-away copy that
    also holds the committed default-run results, as a fresh clone does."""
    workdir = copy_workflow(tmp_path_factory.mktemp("smoke"))
    copy_committed_results(workdir)
    run_tool(["snakemake", "--cores", "2", "--config", "scale=smoke"], workdir)
    return workdir


@pytest.fixture(scope="session")
def smoke_report(smoke_run: Path) -> Path:
    """The smoke run's self-contained HTML report (``snakemake --report report.html``), built once."""
    run_tool(["snakemake", "--report", "report.html", "--config", "scale=smoke"], smoke_run)
    return smoke_run / "report.html"
