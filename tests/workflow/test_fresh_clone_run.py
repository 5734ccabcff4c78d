"""The fresh-clone benchmark: it finds the README's main command, and an interrupted run continues
in the same folder with its wall clock summed over the segments."""

import json
import runpy
import sys

import pytest
from workflow_helpers import ROOT

SCRIPT = runpy.run_path(str(ROOT / "benchmarks/fresh_clone_run.py"))
# stands for the README's main command: the same shape, and it returns at once
COMMAND = "python3.11 -m venv --help > /dev/null && echo ran: snakemake --cores all"


def test_the_main_command_is_the_readmes_one_line(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n\n    {COMMAND}\n\ntext\n")
    assert SCRIPT["main_command"](readme) == COMMAND
    readme.write_text(f"    {COMMAND}\n    {COMMAND}\n")
    with pytest.raises(SystemExit, match="expected one indented line"):
        SCRIPT["main_command"](readme)


def test_an_interrupted_run_continues_and_sums_its_segments(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()                      # an existing clone: not cloned again
    (tmp_path / "README.md").write_text(f"    {COMMAND}\n")
    (tmp_path / "segments.json").write_text(json.dumps([100.0]))     # a first segment, killed
    snakemake = tmp_path / ".venv/bin/snakemake"                     # stands for the installed Snakemake
    snakemake.parent.mkdir(parents=True)
    snakemake.write_text("#!/bin/sh\necho unlocked\n")
    snakemake.chmod(0o755)
    output = tmp_path / "record.json"
    monkeypatch.setattr(sys, "argv", ["fresh_clone_run.py", "--dir", str(tmp_path), "--output", str(output)])
    SCRIPT["main"]()
    record = json.loads(output.read_text())
    assert len(record["segments_s"]) == 2 and record["segments_s"][0] == 100.0
    assert record["wall_s"] == pytest.approx(sum(record["segments_s"]), abs=0.2)
    assert json.loads((tmp_path / "segments.json").read_text())[0] == 100.0
    # the continuation unlocks Snakemake first, then runs the command with --rerun-incomplete
    assert record["returncode"] == 0 and record["command"] == COMMAND
    log = (tmp_path / "run.log").read_text().splitlines()
    assert log == ["unlocked", "ran: snakemake --cores all --rerun-incomplete"]
