"""The smoke-scale workflow, end to end, in a throw-away copy of the repository."""

import csv
import json
import os
import re
import signal
import subprocess
import time

import numpy as np
import pandas as pd
import pytest
import torch
import yaml
from PIL import Image
from workflow_helpers import BIN, ROOT, committed_results, copy_workflow, init_dvc, run_tool, set_param

from tdvae_am.code_deps import import_closure
from tdvae_am.config import validated_config
from tdvae_am.data.patches import load_patch_set
from tdvae_am.scorecard.confirmation import rules_version

pytestmark = pytest.mark.slow



def assert_drawn(png):
    """A figure was drawn, not left blank: a PNG of some size with more than a few colours."""
    image = Image.open(png)
    assert max(image.size) >= 300 and len(image.convert("RGB").getcolors(2**24)) > 8, png

def test_lint_is_clean(smoke_run):
    proc = run_tool(["snakemake", "--lint"], smoke_run, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Lints for" not in proc.stdout + proc.stderr


def test_committed_results_are_rewritten_not_in_the_way(smoke_run):
    """The fixture's copy holds the committed default-run results, as a fresh clone does: the run
    went through and replaced every one of them that the default target makes (the recipe study's
    files, the seed confirmation's and dvc.lock come from other commands)."""
    other_targets = ("results/recipes/", "figures/figS5", "results/seeds/", "results/confirm/", "figures/figS8")
    made = [p for p in committed_results() if not p.startswith((*other_targets, "dvc.lock"))]
    if not made:
        pytest.skip("the default run's results are not committed yet")
    kept = [p for p in made if (smoke_run / p).read_bytes() == (ROOT / p).read_bytes()]
    assert kept == []


def test_data_outputs(smoke_run):
    natural, meta = load_patch_set(smoke_run / "data/processed/natural_patches.npz")
    assert {k: len(v) for k, v in natural.items()} == {"train": 2000, "val": 500, "test": 500}
    assert abs(natural["train"].std() - 1.0) < 1e-3
    textures, tmeta = load_patch_set(smoke_run / "data/processed/texture_patches.npz")
    n_fam = len(tmeta["families"])
    assert n_fam == 5 and len(textures["patches"]) == 5 * 2 * 100
    assert textures["scrambled"].shape == textures["patches"].shape
    for f in range(n_fam):
        assert abs(textures["patches"][textures["family"] == f].std() - 1.0) < 1e-3
    assert set(tmeta["equalization_factors"]) == set(tmeta["families"])
    metrics = json.loads((smoke_run / "results/metrics/data.json").read_text())
    assert metrics["ps_synthesis"]["images"] == 10
    assert metrics["ps_synthesis"]["loss_reduction_median"] < 0.2
    assert_drawn(smoke_run / "figures/fig04_data.png")
    assert (smoke_run / "figures/fig04_data.pdf").stat().st_size > 10_000
    logs = list((smoke_run / "logs").rglob("*.log"))
    assert len(logs) >= 1 + 5 + 10 + 1 + 1


def test_nothing_left_to_do(smoke_run):
    proc = run_tool(["snakemake", "-n", "--config", "scale=smoke"], smoke_run)
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_texture_change_reruns_only_texture_jobs(smoke_run):
    proc = run_tool(["snakemake", "-n", "--config", "scale=smoke", "textures={iterations: 5}"], smoke_run)
    out = proc.stdout + proc.stderr
    assert "rule synthesize_texture" in out and "rule texture_patches" in out
    assert "rule natural_patches" not in out


def test_same_seed_same_data(smoke_run, tmp_path):
    """Rebuilding the natural patches from scratch gives identical arrays (seeded)."""
    again = copy_workflow(tmp_path / "again")
    run_tool(["snakemake", "--cores", "1", "--config", "scale=smoke", "--", "data/processed/natural_patches.npz"],
             again)
    a = json.loads((smoke_run / "data/processed/natural_patches.json").read_text())
    b = json.loads((again / "data/processed/natural_patches.json").read_text())
    assert a["arrays"] == b["arrays"]
    first = np.load(smoke_run / "data/processed/natural_patches.npz")["train"]
    np.testing.assert_array_equal(first, np.load(again / "data/processed/natural_patches.npz")["train"])


def test_models_trained_and_evaluated(smoke_run):
    for model in ("tdvae", "chain"):
        summary = json.loads((smoke_run / f"results/models/{model}/summary.json").read_text())
        assert summary["steps"] == 60 and np.isfinite(summary["final"]["val_elbo"])
        evaluation = json.loads((smoke_run / f"results/metrics/evaluation_{model}.json").read_text())
        assert evaluation["iwae"]["k"] == 10 and evaluation["iwae"]["n"] == 200
        with open(smoke_run / f"results/models/{model}/metrics.csv") as f:
            assert [int(r["step"]) for r in csv.DictReader(f)] == [20, 40, 60]
    assert json.loads((smoke_run / "results/models/tdvae/summary.json").read_text())["n_parameters"] == 34_438_300


def test_units_selected(smoke_run):
    from tdvae_am.experiments.registry import units_file

    assert units_file("chain") == "results/units_chain.json"
    for model in ("tdvae", "chain"):  # each model's own selection, as its classification wrote it
        path = smoke_run / units_file(model)
        assert path.read_bytes() == (smoke_run / f"results/units/{model}.json").read_bytes()
        units = json.loads(path.read_text())
        chosen = units["texture_sensitive"] + units["non_texture_sensitive"]
        # n_units null: every candidate; the smoke fallback fills a short class up to 2 units
        assert min(len(units["texture_sensitive"]), len(units["non_texture_sensitive"])) >= 2
        assert len(set(chosen)) == len(chosen)
        assert all(0 <= u < 250 for u in chosen)
        assert {"active", "n_active", "n_active_untrained", "fallback", "candidates"} <= set(units)
    metrics = json.loads((smoke_run / "results/metrics/units.json").read_text())
    assert set(metrics) == {"tdvae", "chain"}
    assert {"z2", "z2_untrained", "z2_scrambled", "z1", "pixels"} <= set(metrics["tdvae"]["decoding"])
    for name in ("figS1_training", "figS2_unit_activity", "figS3_decoding", "figS4_texture_sensitivity"):
        assert_drawn(smoke_run / f"figures/{name}.png")
        assert (smoke_run / f"figures/{name}.pdf").is_file()


def test_am_runs_and_figures(smoke_run):
    from tdvae_am.am import AMResult
    from tdvae_am.experiments.registry import all_runs, am_dir, load_registry, registry_models, run_restarts, units_file

    registry = load_registry(smoke_run / "config/experiments.yaml")
    restarts = yaml.safe_load((smoke_run / "params.yaml").read_text())["am"]["restarts"]
    assert registry_models(registry) == ["tdvae", "chain"]
    assert len(all_runs(registry, "chain")) == 12
    for model in registry_models(registry):  # each model's runs on its own studied units
        units = json.loads((smoke_run / units_file(model)).read_text())
        chosen = units["texture_sensitive"] + units["non_texture_sensitive"]
        for exp, var in all_runs(registry, model):
            result = AMResult.load(smoke_run / f"{am_dir(model)}/{exp}/{var}.npz")
            assert result.units.tolist() == chosen and result.n_restarts == run_restarts(registry, exp, var, restarts)
            assert result.summary["experiment"] == exp and result.summary["variant"] == var
            assert result.summary["n_steps"] <= 20
            assert np.isfinite(result.summary["final_activation"]).all()
        reference = json.loads((smoke_run / f"{am_dir(model)}/reference.json").read_text())
        assert reference["units"] == chosen and reference["sta_samples"] == 2000
    assert (smoke_run / "results/am_chain/reference.json").is_file()
    assert not (smoke_run / "results/am_chain/pixel").exists()  # experiments without `models` run on the TDVAE only
    chain_figures = [name for name in registry["figures"] if name.startswith("figC")]
    assert len(chain_figures) == 7
    for name in list(registry["figures"]) + ["scorecard"]:
        assert_drawn(smoke_run / f"figures/{name}.png")
        assert (smoke_run / f"figures/{name}.pdf").is_file()


def test_scorecard(smoke_run):
    scorecard = json.loads((smoke_run / "results/scorecard.json").read_text())
    assert scorecard["seed"] == 0 and len(scorecard["rules_version"]) == 12
    params = yaml.safe_load((ROOT / "params.yaml").read_text()) | {"scale": "smoke"}
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    units = validated_config(params, schema, ROOT)["units"]
    assert scorecard["rules_version"] == rules_version(smoke_run / "config/experiments.yaml", {"units": units})
    card = scorecard["rows"]
    ids = [row["id"] for row in card]
    assert len(ids) == len(set(ids))
    assert {"M1", "M2", "M6a", "M6b", "1a", "2b", "2d", "3c", "7c", "8b", "9", "13a", "15", "16a", "17b",
            "S1"} <= set(ids)
    for row in card:
        assert set(row) >= {"id", "section", "finding", "statistic", "value", "interval", "rule", "verdict",
                            "threshold", "direction", "method"}
        assert row["verdict"] in ("replicated", "not_replicated", "inconclusive")
    totals = json.loads((smoke_run / "results/metrics/scorecard.json").read_text())
    assert totals["findings"] == len(card)
    assert sum(totals[v] for v in ("replicated", "not_replicated", "inconclusive")) == len(card)


def test_benchmark_summary(smoke_run):
    """Every job of the run wrote its benchmark record; the summary has one row per job, each
    phase (its rule file) and the figure."""
    records = [p for p in (smoke_run / "results/benchmarks").rglob("*.tsv") if p.parent.name != "benchmark_summary"]
    table = pd.read_csv(smoke_run / "results/benchmarks.csv")
    assert len(table) == len(records) > 100 and not table.duplicated(["rule", "job"]).any()
    assert list(dict.fromkeys(table["phase"])) == ["data", "train", "units", "am", "figures"]
    assert (table["s"] > 0).all()
    assert set(table.loc[table["rule"] == "train_model", "job"]) == {"tdvae", "chain"}
    assert (table.loc[table["rule"] == "train_model", "max_rss"] > 100).all()  # MB: torch and the model
    assert (smoke_run / "results/benchmarks/benchmark_summary/benchmark_summary.tsv").is_file()
    assert_drawn(smoke_run / "figures/figS7_benchmarks.png")


@pytest.mark.parametrize(
    "old, new, runs, figures",
    [
        # a TDVAE-only experiment: its one job and its one figure
        ('g1: {label: "gamma 1", am: {grad: [{name: fourier, exponent: 0.5}]}}',
         'g1: {label: "gamma 1", am: {grad: [{name: fourier, exponent: 0.4}]}}',
         ["results/am/pixel_grad/g1"], ["fig15_pixel_grad"]),
        # an experiment of both models: its job on each and the paper figure and its side-by-side twin
        ('onehot: {label: "one-hot (5)", am: {parametrization: {init: onehot}}}',
         'onehot: {label: "one-hot (5)", am: {parametrization: {init: onehot, value: 4.0}}}',
         ["results/am/z2_space/onehot", "results/am_chain/z2_space/onehot"], ["fig32_z2_space", "figC7_z2_space"]),
    ],
)
def test_experiment_change_reruns_only_that_experiment_and_its_figure(smoke_run, old, new, runs, figures):
    registry = smoke_run / "config/experiments.yaml"
    original = registry.read_text()
    assert original.count(old) == 1
    registry.write_text(original.replace(old, new))
    try:
        proc = run_tool(["snakemake", "-n", "--config", "scale=smoke"], smoke_run)
    finally:
        registry.write_text(original)
    out = proc.stdout + proc.stderr
    table = out.split("Job stats:")[1].strip().split("\n\n")[0].splitlines()[2:]
    counts = {line.split()[0]: int(line.split()[1]) for line in table}
    # and the benchmark summary, which reads the re-run jobs' benchmark records
    assert counts == {"am_run": len(runs), "am_figure": len(figures), "scorecard": 1, "benchmark_summary": 1,
                      "all": 1, "total": len(runs) + len(figures) + 3}, table
    assert all(f"{run}.npz" in out for run in runs) and all(f"figures/{fig}.png" in out for fig in figures)


def test_bad_registry_is_reported_by_key(smoke_run, tmp_path):
    bad = tmp_path / "experiments.yaml"
    bad.write_text((smoke_run / "config/experiments.yaml").read_text().replace(
        "fig13_pixel_pre: {kind: images, experiments: [pixel_pre]}",
        "fig13_pixel_pre: {kind: images, experiments: [pixel_jitter]}"))
    proc = run_tool(["snakemake", "-n", "--config", "scale=smoke", f"am={{experiments: {bad}}}"], smoke_run,
                    check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "figures.fig13_pixel_pre.experiments: unknown experiment 'pixel_jitter'" in out
    assert "Traceback" not in out
    proc = run_tool(["snakemake", "-n", "--config", "scale=smoke", "train={models: [tdvae]}"], smoke_run, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in out
    assert "experiments.pixel_pre.models: 'chain' is not a trained model (train.models: tdvae)" in out


def test_report(smoke_report):
    html = smoke_report.read_text(errors="replace")
    assert smoke_report.stat().st_size > 1_000_000
    for name in ("fig11_sta.png", "fig27_kernel_size.png", "scorecard.png", "figS3_decoding.png", "figC1_sta.png",
                 "Top-down vs chain"):
        assert name in html


def test_training_recipe_study(smoke_run):
    """The recipe study (not part of `all`) trains the TDVAE per recipe and counts its active units."""
    run_tool(["snakemake", "--cores", "2", "--config", "scale=smoke", "--", "recipes"], smoke_run)
    registry = yaml.safe_load((smoke_run / "params.yaml").read_text())["recipes"]["runs"]
    for name in registry:
        curve = pd.read_csv(smoke_run / f"results/recipes/{name}.csv")
        assert curve["step"].tolist() == [0, 10, 20] and (curve["recipe"] == name).all()
        assert curve["n_active"].iloc[0] <= 2 and curve["threshold"].nunique() == 1
    assert_drawn(smoke_run / "figures/figS5_training_recipes.png")
    assert not list((smoke_run / "results/recipes").glob("*_run"))


def test_seed_runs_continue_and_summarize_the_model_claims(smoke_run):
    """`seeds` reads the main seed from results/ and runs another seed in runs/seed<k>/ (its own patches,
    models and units; the main run's texture syntheses); a second call has nothing to do; `confirm` plans
    the whole workflow for its seed."""
    config = ["--config", "scale=smoke", "confirm={seed: 1, seeds: [0, 1]}"]
    run_tool(["snakemake", "--cores", "2", *config, "--", "seeds"], smoke_run)
    assert (smoke_run / "runs/seed1/results/models/tdvae/model.pt").is_file()
    assert not (smoke_run / "runs/seed1/results/scorecard.json").exists()  # no AM for `seeds`
    record = json.loads((smoke_run / "results/seeds/seed1.json").read_text())
    assert record["seed"] == 1 and {"cpu", "torch", "native_bf16"} <= set(record["machine"])
    summary = json.loads((smoke_run / "results/seeds/summary.json").read_text())
    assert summary["seeds"] == [0, 1] and {"M1", "M2", "M7"} <= set(summary["claims"])
    main = json.loads((smoke_run / "results/scorecard.json").read_text())["rows"]
    assert summary["claims"]["M1"]["values"][0] == next(r["value"] for r in main if r["id"] == "M1")
    nested = yaml.safe_load((smoke_run / "runs/seed1/config.yaml").read_text())
    assert nested["seed"] == 1 and nested["scale"] == "smoke"
    assert nested["confirm"]["syntheses_from"] == str(smoke_run.resolve())
    assert (smoke_run / "runs/seed1/data/processed/texture_patches.npz").is_file()
    assert not (smoke_run / "runs/seed1/data/interim/textures/synth").exists()  # read from the main run
    assert_drawn(smoke_run / "figures/figS8_seeds.png")
    proc = run_tool(["snakemake", "-n", *config, "--", "seeds"], smoke_run)
    assert "Nothing to be done" in proc.stdout + proc.stderr
    plan = run_tool(["snakemake", "-n", *config, "--", "confirm"], smoke_run).stdout
    assert re.search(r"confirm_run\s+1", plan) and "seed_record" not in plan
    seed_run = smoke_run / "runs/seed1"
    proc = run_tool(["snakemake", "-n", "--snakefile", str(smoke_run / "Snakefile"), "--directory", str(seed_run),
                     "--configfile", str(seed_run / "config.yaml"), "--", "all"], smoke_run)
    nested = proc.stdout + proc.stderr  # the seed run's own plan for `confirm`: no syntheses of its own
    assert re.search(r"am_run\s+\d+", nested) and "synthesize_texture" not in nested


def _rule_scripts(root):
    """{rule: script name} of every rule of the default target that runs a script (the recipe
    study's and the seed confirmation's rules are not part of it)."""
    rules = {}
    for path in (root / "workflow/rules").glob("*.smk"):
        if path.name in ("recipes.smk", "confirm.smk"):
            continue
        for block in re.split(r"(?m)^rule ", path.read_text())[1:]:
            script = re.search(r'"\.\./scripts/(\w+)\.py"', block)
            if script:
                rules[block.split(":")[0]] = script.group(1)
    return rules


@pytest.mark.parametrize("module", ["logs.py", "imageops/fourier.py", "units/summary.py", "plots/am.py",
                                    "models/tdvae.py", "am/run.py"])
def test_editing_a_module_reruns_exactly_the_jobs_that_import_it(smoke_run, module):
    """Dry run after editing a module: the jobs re-run for it (not because another job updates
    their inputs) are exactly those whose script imports it, directly or indirectly; touching it
    without a change re-runs nothing (content, not only mtime, decides)."""
    path = smoke_run / "src/tdvae_am" / module
    expected = {rule for rule, script in _rule_scripts(smoke_run).items()
                if f"src/tdvae_am/{module}" in import_closure(smoke_run / f"workflow/scripts/{script}.py",
                                                              smoke_run / "src/tdvae_am")}
    assert expected
    original, stat = path.read_text(), path.stat()
    try:
        os.utime(path)
        proc = run_tool(["snakemake", "-n", "--config", "scale=smoke"], smoke_run)
        assert "Nothing to be done" in proc.stdout + proc.stderr
        path.write_text(original + "\n# edited\n")
        out = run_tool(["snakemake", "-n", "--config", "scale=smoke"], smoke_run).stdout
    finally:
        path.write_text(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    jobs = re.findall(r"(?ms)^(?:local)?rule (\w+):\n(.*?)(?:\n\n|\Z)", out)
    direct = {rule for rule, body in jobs if re.search(rf"Updated input files:[^\n]*src/tdvae_am/{module}", body)}
    # Snakemake names one reason per job: an importer downstream of another importer re-runs
    # "because another job updates its inputs"; every other job re-runs only for that reason
    assert direct and direct <= expected and expected <= {rule for rule, _ in jobs}
    for rule, body in jobs:
        if rule not in direct and rule != "all":
            assert "reason: Input files updated by another job" in body, (rule, body)


def test_dvc_and_snakemake_stay_in_step(smoke_run):
    """After a complete Snakemake run, `dvc repro` runs no job (although caching re-writes the
    outputs) and records the lock; afterwards both tools have nothing to do."""
    init_dvc(smoke_run)
    set_param(smoke_run, "scale: default", "scale: smoke")
    model = smoke_run / "results/models/tdvae/model.pt"
    before = model.stat().st_mtime_ns
    proc = run_tool(["dvc", "repro"], smoke_run)
    out = proc.stdout + proc.stderr
    assert out.count("Nothing to be done") == 5, out[-3000:]
    assert (smoke_run / "dvc.lock").is_file()
    assert model.stat().st_mtime_ns > before  # cached by DVC: same content, a new file
    proc = run_tool(["snakemake", "-n"], smoke_run)
    assert "Nothing to be done" in proc.stdout + proc.stderr
    again = run_tool(["dvc", "repro"], smoke_run).stdout
    assert "Data and pipelines are up to date" in again and "Running stage" not in again
    out = run_tool(["dvc", "metrics", "show"], smoke_run).stdout
    for key in ("elbo.mean", "iwae.mean", "tdvae.decoding.z2.accuracy", "replicated", "inconclusive"):
        assert key in out, key


def checkpoint_step(path):
    try:
        return torch.load(path, map_location="cpu", weights_only=True)["step"]
    except Exception:  # not written yet, or caught mid-replace
        return -1


def test_killed_training_resumes_from_checkpoint(smoke_run):
    """Kill a training job hard, re-run the workflow: training continues from the last
    checkpoint (rows logged before it are kept verbatim) and finishes all steps."""
    args = [str(BIN / "snakemake"), "--cores", "2", "--config", "scale=smoke",
            "train={steps: 200, checkpoint_every: 25, log_every: 25}", "--", "results/models/tdvae/model.pt"]
    run_dir = smoke_run / "results/models/tdvae/run"
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.Popen(args, cwd=smoke_run, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while checkpoint_step(run_dir / "checkpoint.pt") < 75 and time.time() < deadline:
        assert proc.poll() is None, "training finished before it could be killed"
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = checkpoint_step(run_dir / "checkpoint.pt")
    assert 75 <= killed_at < 200
    with open(run_dir / "metrics.csv") as f:
        before = [r for r in csv.DictReader(f) if int(r["step"]) <= killed_at]
    run_tool(["snakemake", "--unlock", "--config", "scale=smoke"], smoke_run)
    run_tool(["snakemake", *args[1:]], smoke_run)
    with open(run_dir / "metrics.csv") as f:
        after = list(csv.DictReader(f))
    assert after[: len(before)] == before  # timings included: those rows were not recomputed
    assert [int(r["step"]) for r in after] == list(range(25, 201, 25))
    assert json.loads((smoke_run / "results/models/tdvae/summary.json").read_text())["steps"] == 200
    log = (smoke_run / "logs/train/tdvae.log").read_text()
    starts = re.findall(r"(training tdvae|resuming tdvae from step \d+): \{", log)
    assert starts[-1] == f"resuming tdvae from step {killed_at}"


def test_killed_dvc_repro_recovers(smoke_run):
    """A `dvc repro` killed mid-stage leaves Snakemake's incomplete marks (and no lock, thanks
    to --nolock): the next `dvc repro` finishes the stage."""
    synth = smoke_run / "data/interim/textures/synth/brick_0.npz"
    n_losses = len(np.load(synth)["losses"])
    set_param(smoke_run, "  iterations: null", "  iterations: 12")  # re-runs the 10 texture syntheses
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.Popen([str(BIN / "dvc"), "repro", "data"], cwd=smoke_run, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    incomplete = smoke_run / ".snakemake/incomplete"
    deadline = time.time() + 120
    while not (incomplete.is_dir() and any(incomplete.iterdir())) and time.time() < deadline:
        assert proc.poll() is None, "the stage finished before it could be killed"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    run_tool(["dvc", "repro", "data"], smoke_run)
    assert "up to date" in run_tool(["dvc", "status", "data"], smoke_run).stdout.lower()
    assert len(np.load(synth)["losses"]) != n_losses  # re-synthesized with the new iteration count
