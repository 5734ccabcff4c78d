"""The default run's results in git (docs/dvc.md, "Results in the repository"): exactly the DVC outputs
with ``cache: false`` are committed, everything cached by DVC is git-ignored, the PNGs fit 10 MB."""

import subprocess

import pytest
import yaml
from workflow_helpers import ROOT, committed_results

PNG_BUDGET = 10 * 2**20


def _dvc_outputs():
    """``{path: committed}`` over every out, metric and plot of dvc.yaml."""
    out = {}
    for stage in yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"].values():
        for entry in [*stage.get("outs", []), *stage.get("metrics", []), *stage.get("plots", [])]:
            path, opts = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
            out[path] = (opts or {}).get("cache", True) is False
    return out


def _ignored(paths):
    """The paths git's ignore rules exclude (whether or not they are tracked)."""
    proc = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT, input="\n".join(paths),
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return set(proc.stdout.split())


def _committed_or_skip():
    files = committed_results()
    if not any(f.startswith("figures/") for f in files):
        pytest.skip("the default run's results are not committed yet")
    return files


def test_gitignore_ignores_exactly_the_outputs_dvc_caches():
    outputs = _dvc_outputs()
    assert any(outputs.values()) and not all(outputs.values())
    ignored = _ignored(list(outputs))
    assert sorted(p for p, committed in outputs.items() if committed and p in ignored) == []
    assert sorted(p for p, committed in outputs.items() if not committed and p not in ignored) == []


def test_every_uncached_output_is_committed():
    files = set(_committed_or_skip())
    assert sorted(p for p, committed in _dvc_outputs().items() if committed and p not in files) == []
    assert "dvc.lock" in files


def test_committed_pngs_fit_the_budget():
    pngs = [f for f in _committed_or_skip() if f.endswith(".png")]
    total = sum((ROOT / f).stat().st_size for f in pngs)
    assert total < PNG_BUDGET, f"{len(pngs)} PNGs take {total / 2**20:.1f} MB"
