"""dvc.yaml agrees with the workflow: generated from its template, one stage per phase, every code
dependency and every registry figure tracked."""

import importlib.util
from pathlib import Path

import yaml

from tdvae_am.code_deps import import_closure
from tdvae_am.experiments.registry import am_dir, load_registry, registry_models, units_file

ROOT = Path(__file__).resolve().parents[2]


def _outs(stage):
    return {next(iter(o)) if isinstance(o, dict) else o for o in stage.get("outs", [])}


def test_stages_cover_every_phase():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert list(stages) == ["data", "train", "units", "am", "figures"]
    for name, target in [("am", "am_all"), ("figures", "figures_all")]:
        assert f"snakemake --cores all --nolock {target}" in stages[name]["cmd"]
    assert "--report" in stages["figures"]["cmd"]


def test_figures_stage_tracks_every_registry_figure():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    registry = load_registry(ROOT / "config/experiments.yaml")
    expected = {f"figures/{name}.{ext}" for name in [*registry["figures"], "scorecard"] for ext in ("png", "pdf")}
    tracked = {o for o in _outs(stages["figures"]) if o.startswith("figures/")}
    assert tracked == expected
    assert "results/metrics/scorecard.json" in {next(iter(m)) for m in stages["figures"]["metrics"]}


def test_stages_track_the_files_of_every_model_the_registry_runs_on():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    models = registry_models(load_registry(ROOT / "config/experiments.yaml"))
    assert models == ["tdvae", "chain"]
    assert {"results/units.json", "results/units_chain.json"} == {units_file(m) for m in models}
    assert {units_file(m) for m in models} <= _outs(stages["units"])
    read = {f for m in models for f in (f"results/models/{m}/model.pt", units_file(m))}
    assert read <= set(stages["am"]["deps"])
    assert {am_dir(m) for m in models} == {"results/am", "results/am_chain"} == _outs(stages["am"])
    assert {am_dir(m) for m in models} <= set(stages["figures"]["deps"])


def test_the_train_stage_follows_train_models():
    """dvc.yaml's per-model entries come from params.yaml's train.models: a third model appears in them."""
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    trained = yaml.safe_load((ROOT / "params.yaml").read_text())["train"]["models"]
    assert {f"results/models/{m}/model.pt" for m in trained} <= _outs(stages["train"])
    files = _generator().trained_files([*trained, "sparse"])
    assert "results/models/sparse/model.pt" in {next(iter(o)) for o in files["train"]["outs"]}
    assert "results/metrics/evaluation_sparse.json" in {next(iter(m)) for m in files["train"]["metrics"]}
    assert files["units"]["deps"][-1] == "results/models/sparse/model.pt"


def _generator():
    spec = importlib.util.spec_from_file_location("dvc_stages", ROOT / "workflow/dvc_stages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dvc_yaml_is_generated_from_the_template_and_the_workflow():
    assert (ROOT / "dvc.yaml").read_text() == _generator().render(ROOT), "run python workflow/dvc_stages.py"


def test_every_stage_depends_on_every_module_its_scripts_import():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    generator = _generator()
    for name, stage in stages.items():
        scripts = generator.stage_scripts(name, ROOT)
        assert scripts, name
        needed = {m for s in scripts for m in import_closure(ROOT / s, ROOT / "src/tdvae_am")} | set(scripts)
        assert needed <= set(stage["deps"]), (name, sorted(needed - set(stage["deps"])))
    assert "src/tdvae_am/train/loop.py" not in stages["am"]["deps"]  # AM jobs do not depend on the trainer
