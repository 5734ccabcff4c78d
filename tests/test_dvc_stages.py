"""dvc.yaml agrees with the workflow: one stage per phase, every registry figure tracked."""

from pathlib import Path

import yaml

from tdvae_am.experiments import load_registry

ROOT = Path(__file__).resolve().parents[1]


def _outs(stage):
    return {next(iter(o)) if isinstance(o, dict) else o for o in stage.get("outs", [])}


def test_stages_cover_every_phase():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert list(stages) == ["data", "train", "units", "am", "figures"]
    for name, target in [("am", "am_all"), ("figures", "figures_all")]:
        assert f"snakemake --cores all {target}" in stages[name]["cmd"]
    assert "--report" in stages["figures"]["cmd"]


def test_figures_stage_tracks_every_registry_figure():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    registry = load_registry(ROOT / "config/experiments.yaml")
    expected = {f"figures/{name}.{ext}" for name in [*registry["figures"], "scorecard"] for ext in ("png", "pdf")}
    tracked = {o for o in _outs(stages["figures"]) if o.startswith("figures/")}
    assert tracked == expected
    assert "results/metrics/scorecard.json" in {next(iter(m)) for m in stages["figures"]["metrics"]}
