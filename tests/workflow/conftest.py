"""Shared fixtures."""

from pathlib import Path

import pytest
from workflow_helpers import copy_workflow


@pytest.fixture
def workflow_dir(tmp_path: Path) -> Path:
    return copy_workflow(tmp_path / "wf")
