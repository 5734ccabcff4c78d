"""Lint: ruff on the Python code, snakefmt on the rules (settings in pyproject.toml)."""

from workflow_helpers import ROOT, run_tool


def test_ruff_is_clean():
    proc = run_tool(["ruff", "check", "--no-cache", "."], ROOT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rules_are_snakefmt_formatted():
    proc = run_tool(["snakefmt", "--check", "Snakefile", "workflow/rules"], ROOT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
