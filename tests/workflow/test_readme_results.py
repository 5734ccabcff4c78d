"""README result blocks rendered from the result files (tdvae_am.readme), and the README in step with them."""

import json
import re

import pytest
from workflow_helpers import ROOT, committed_results

from tdvae_am.files import load_json
from tdvae_am.readme import loose_numbers, main, render
from tdvae_am.scorecard.findings import scorecard_rows, totals

ROWS = [
    {"id": "M1", "section": "model", "finding": "Some units are active", "statistic": "active units", "value": 9,
     "interval": None, "verdict": "replicated"},
    {"id": "14", "section": "transformations", "finding": "Kernel size sets frequency", "statistic": "|rho| of a",
     "value": 0.86612, "interval": [float("nan"), float("nan")], "verdict": "inconclusive"},
    {"id": "1a", "section": "STA", "finding": "STA edges", "statistic": "Gabor r", "value": None,
     "interval": [float("nan"), float("nan")], "verdict": "inconclusive",
     "details": {"too_few_units": "0 texture-sensitive units with a finite value"}},
    {"id": "C1", "section": "top-down vs chain", "finding": "Chain units are edge-like", "statistic": "Gabor r",
     "value": -0.012345, "interval": [-0.0301, 0.00634], "verdict": "not_replicated"},
]
BENCHMARKS = """phase,rule,job,s,cpu_time,max_rss
data,natural_patches,natural_patches,96,90,300
train,train_model,tdvae,3600,3500,2000
train,train_model,chain,1560,1500,1800
recipes,train_recipe,beta1.0,600,590,1900
"""
README = """# Results

<!-- results:models -->
stale
<!-- /results:models -->

Totals: <!-- results:scorecard-totals -->old<!-- /results:scorecard-totals --> Then:

<!-- results:scorecard -->
<!-- /results:scorecard -->
<!-- results:chain -->
<!-- /results:chain -->
<!-- results:timing -->
<!-- /results:timing -->
<!-- results:recipes -->
<!-- /results:recipes -->
tail, ü
"""
PARAMS = """scale: default
seed: 0
confirm: {seed: 1}
presets:
  smoke:
    natural: {n_train: 2000}
    textures: {n_images: 2, image_size: 64}
    train: {steps: 60, batch_size: 64, precision: fp32}
  default:
    natural: {n_train: 60000}
    textures: {n_images: 12, image_size: 128}
    train: {steps: 2000, batch_size: 256, precision: fp32}
recipes:
  runs:
    slow: {beta_y_final: 1.25, warmup: [0.05, 0.5]}
    fast: {lr: 1.0e-3}
"""
CURVE = """step,samples,beta_y,val_elbo,n_active,information_total
0,0,0.1,-7000.0,0,0.0
1,100,0.1,-2000.0,50,12.0
2,200,0.5,-1000.0,30,11.0
3,300,0.5,-990.0,20,10.5
4,400,1.25,-980.04,10,10.36
"""
MARKED = re.compile(r"(<!-- results:(\S+) -->).*?(<!-- /results:\2 -->)", re.S)


def _write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))


def _decoders(acc, keys, chance):
    return {k: {"accuracy": acc, "chance": chance, "ci_bootstrap": [acc - 0.0728, acc + 0.0721]} for k in keys}


@pytest.fixture
def root(tmp_path):
    """Small result files of both models, as the workflow writes them, and a README with every block."""
    res = tmp_path / "results"
    units = {}
    models = [("tdvae", 12000, 3630, 0.747, False, 7), ("chain", 6000, 1500, 0.65, True, 0)]
    for m, steps, elapsed, acc, fallback, cand in models:
        units[m] = {"n_active": 9, "n_active_untrained": 2, "threshold_nats": 0.05,
                    "decoding": _decoders(acc, ["z2", "z2_untrained", "z2_scrambled", "z1", "pixels"], 0.2),
                    "decoding_phase": _decoders(0.5, ["z2", "z2_untrained", "pixels"], 0.5)}
        _write(res / f"models/{m}/summary.json", {"steps": steps, "elapsed_s": elapsed, "final": {"val_elbo": -518.24}})
        _write(res / f"metrics/evaluation_{m}.json", {"elbo": {"mean": -591.73, "sem": 8.94, "n": 2000},
                                                      "iwae": {"mean": -557.3, "k": 100}})
        _write(res / ("units.json" if m == "tdvae" else f"units_{m}.json"),
               {"texture_sensitive": [3, 1, 4, 1, 5], "non_texture_sensitive": [9, 2], "fallback": fallback,
                "candidates": {"texture_sensitive": cand, "non_texture_sensitive": 2}})
    _write(res / "metrics/units.json", units)
    _write(res / "scorecard.json", ROWS)
    _write(res / "metrics/scorecard.json", totals(ROWS))
    _write(res / "benchmarks.csv", BENCHMARKS)
    _write(tmp_path / "params.yaml", PARAMS)
    _write(res / "recipes/slow.csv", CURVE)
    _write(tmp_path / "README.md", README)
    return tmp_path


def _cli(capsys, *args):
    rc = main(list(args))
    return rc, capsys.readouterr().err


def test_blocks_render_known_markdown(root):
    assert render("scorecard", root) == (
        "| id | finding | statistic | value | 95% interval | verdict |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| M1 | Some units are active | active units | 9 | - | **replicated** |\n"
        "| 14 | Kernel size sets frequency | \\|rho\\| of a | 0.866 | - | **inconclusive** |\n"
        "| 1a | STA edges | Gabor r | - | - (too few units) | **inconclusive** |"
    )
    assert render("chain", root).endswith(
        "| C1 | Chain units are edge-like | Gabor r | -0.0123 | [-0.0301, 0.00634] | **not replicated** |")
    assert render("scorecard-totals", root) == "**1 replicated, 1 not replicated, 2 inconclusive** of 4 findings."
    assert render("timing", root) == (
        "| phase | jobs | wall time, summed over jobs (min) |\n"
        "| --- | --- | --- |\n"
        "| data | 1 | 1.6 |\n"
        "| train | 2 | 86.0 |\n"
        "| recipes | 1 | 10.0 |\n"
        "| **total** | 4 | 97.6 (1 h 38 min) |"
    )
    assert render("recipes", root) == (
        "| recipe | beta_y schedule | samples | active z2 units at 50% / 75% / 100% of the samples "
        "| z2 information at the end (nats) | validation ELBO at the end |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| `slow` | 0.1 -> 1.25 over 25%-100% of the steps | 400 | 30 / 20 / 10 | 10.4 | -980.0 |\n\n"
        "Not run yet: `fast`."
    )
    _write(root / "results/recipes/fast.csv", CURVE)
    assert render("recipes", root).endswith(
        "| `fast` | 0.1 -> 1.25 over 25%-100% of the steps, lr 0.001 | 400 | 30 / 20 / 10 | 10.4 | -980.0 |")
    (root / "results/recipes/fast.csv").unlink()
    models = render("models", root).splitlines()
    assert models[0] == "|  | TDVAE | chain VAE |"
    assert "| training | 12,000 steps, 60.5 min | 6,000 steps, 25.0 min |" in models
    assert ("| test ELBO +- sem / IWAE (nats/patch) | -591.7 +- 8.9 / -557.3 (k=100, 2,000 patches) "
            "| -591.7 +- 8.9 / -557.3 (k=100, 2,000 patches) |") in models
    assert ("| studied units, texture-sensitive / non-texture-sensitive | 5 / 2 (of 7 / 2 candidates) "
            "| 5 / 2 (of 0 / 2 candidates, fallback) |") in models
    assert "| texture family from z2 (chance 0.2) | 0.747 [0.674, 0.819] | 0.650 [0.577, 0.722] |" in models
    assert len(models) == 2 + 5 + 5 + 3


def test_update_then_check_round_trip(root, capsys):
    readme = root / "README.md"
    assert _cli(capsys, "--root", str(root), "--check") == (
        1, "out of date: README.md in block(s) models, scorecard-totals, scorecard, chain, timing, recipes: "
        "run python -m tdvae_am.readme\n")
    assert readme.read_text() == README
    assert _cli(capsys, "--root", str(root)) == (0, "")
    text = readme.read_text()
    assert MARKED.sub(r"\1\3", text) == MARKED.sub(r"\1\3", README)  # only the blocks changed
    assert "Totals: <!-- results:scorecard-totals -->**1 replicated" in text
    assert "\n<!-- results:chain -->\n| id |" in text and "| **not replicated** |\n<!-- /results:chain -->" in text
    assert _cli(capsys, "--root", str(root), "--check") == (0, "")

    rows = load_json(root / "results/scorecard.json")
    rows[-1]["verdict"] = "replicated"  # C1
    _write(root / "results/scorecard.json", rows)
    rc, err = _cli(capsys, "--root", str(root), "--check")
    assert rc == 1 and "block(s) scorecard-totals, chain: run python -m tdvae_am.readme" in err
    assert readme.read_text() == text
    assert _cli(capsys, "--root", str(root)) == (0, "")
    assert _cli(capsys, "--root", str(root), "--check") == (0, "")


@pytest.mark.parametrize("readme, remove, named", [
    ("a\n<!-- results:timing -->\n| old |\n", None, "<!-- /results:timing -->"),
    ("<!-- results:timings --><!-- /results:timings -->", None, "<!-- results:timings -->"),
    (README, "results/benchmarks.csv", "results/benchmarks.csv"),
    (README, "results/models/chain/summary.json", "results/models/chain/summary.json"),
    (README, "results/recipes/slow.csv", "results/recipes"),
])
def test_clear_error_for_a_missing_marker_or_file(root, capsys, readme, remove, named):
    _write(root / "README.md", readme)
    if remove:
        (root / remove).unlink()
    rc, err = _cli(capsys, "--root", str(root))
    assert rc == 2 and named in err and len(err.splitlines()) == 1, err
    assert (root / "README.md").read_text() == readme


def test_a_number_typed_outside_the_blocks_of_a_results_page_is_an_error(root, capsys):
    assert loose_numbers(README) == []
    code = README + ("Run `python3.11 -m venv .venv`, threshold in ``` 0.05 ``` and "
                     "<!-- results:timing -->0.5<!-- /results:timing -->\n")
    assert loose_numbers(code) == []                        # code, commands, versions and blocks are not typed results
    _write(root / "README.md", README + "The decoding accuracy fell to 0.62 (from -0.7).\n")
    rc, err = _cli(capsys, "--root", str(root))
    assert rc == 2 and "README.md: 0.62, -0.7" in err, err
    _write(root / "README.md", README)
    _write(root / "docs/results.md", "Fig. 4 and 12 units; M6a scored 0.0557.\n")
    rc, err = _cli(capsys, "--root", str(root))
    assert rc == 2 and "docs/results.md: 0.0557" in err and "README.md" not in err, err
    _write(root / "docs/methods.md", "A rule's threshold of 0.05 nats is a declared constant.\n")
    (root / "docs/results.md").unlink()
    assert _cli(capsys, "--root", str(root))[0] == 0        # only the results pages are checked


REGISTRY = """experiments:
  pixel: {variants: {a: {}, b: {}}}
  both: {models: [tdvae, chain], variants: {a: {}}}
figures:
  fig12: {kind: images, experiments: [pixel]}
"""


def test_blocks_in_docs_pages_run_time_and_registry_counts(root, capsys):
    _write(root / "config/experiments.yaml", REGISTRY)
    for name in ("fig12.png", "scorecard.png"):
        _write(root / "figures" / name, "png")
    page = ("# Results\n<!-- results:run-time -->\n<!-- /results:run-time -->\n"
            "<!-- results:registry --><!-- /results:registry -->\n")
    _write(root / "docs/results.md", page)
    assert render("run-time", root) == "4 jobs, 1 h 38 min of job time summed over jobs."
    _write(root / "benchmarks/default_run.json", {"wall_s": 8160, "cores": 2, "cpu": "AVX2", "native_bf16": False,
                                                  "precision": "fp32", "gpu": False})
    assert render("run-time", root) == (
        "4 jobs, 1 h 38 min of job time summed over jobs; the command took 2 h 16 min of wall clock in a fresh "
        "clone, installation included, on 2 CPU cores (AVX2, without native bf16; training in fp32), no GPU.")
    _write(root / "benchmarks/default_run.json", {"wall_s": 8160, "segments_s": [5000, 3160], "cores": 2, "cpu": "AVX2",
                                                  "native_bf16": True, "precision": "fp32", "gpu": False})
    assert "included (summed over 2 segments: the run was interrupted and continued), on 2 CPU cores (AVX2, with " \
           "native bf16" in render("run-time", root)
    assert render("scales", root).splitlines()[2:] == [
        "| smoke | `snakemake --cores all --config scale=smoke` | 2,000 | 60 x 64 (fp32) | 2 of 64 px "
        "| any CPU, minutes; CI |",
        "| default | `snakemake --cores all` | 60,000 | 2,000 x 256 (fp32) | 12 of 128 px "
        "| 2 CPU cores, hours (below) |"]
    assert render("registry", root) == (
        "2 experiments, 4 AM runs (3 on the TDVAE; 1 on the chain VAE), 1 AM figures; 2 figures in `figures/` in all.")
    rc, err = _cli(capsys, "--root", str(root), "--check")
    assert rc == 1 and "docs/results.md in block(s) run-time, registry" in err
    assert _cli(capsys, "--root", str(root)) == (0, "")
    assert "\n<!-- results:run-time -->\n4 jobs, " in (root / "docs/results.md").read_text()
    assert _cli(capsys, "--root", str(root), "--check") == (0, "")


def test_repository_readme_matches_committed_results(capsys):
    if "results/scorecard.json" not in committed_results():
        pytest.skip("results/scorecard.json is not committed yet")
    rows = scorecard_rows(load_json(ROOT / "results/scorecard.json"))
    assert load_json(ROOT / "results/metrics/scorecard.json") == totals(rows)
    rc, err = _cli(capsys, "--root", str(ROOT), "--check")
    assert rc == 0, err


def test_rows_with_declared_tests_render_family_p_and_the_paper_tally_first(root):
    families = {"M1": ("model", None), "14": ("paper", 0.2), "1a": ("paper", None), "C1": ("chain", 0.9)}
    rows = [r | {"family": families[r["id"]][0], "p_value": families[r["id"]][1],
                 "p_adjusted": families[r["id"]][1]} for r in ROWS]
    _write(root / "results/scorecard.json", rows)
    assert render("scorecard", root).splitlines()[3] == (
        "| 14 | Kernel size sets frequency | \\|rho\\| of a | 0.866 | - | paper | 0.2 | **inconclusive** |")
    assert render("scorecard-totals", root) == (
        "**Paper findings: 0 replicated, 0 not replicated, 2 inconclusive of 2** (Holm-adjusted within each "
        "family); model: 1 replicated, 0 not replicated, 0 inconclusive of 1; chain: 0 replicated, 1 not "
        "replicated, 0 inconclusive of 1.")


def test_confirmation_and_seeds_blocks(root):
    assert render("confirmation", root) == ("Not run yet: `snakemake --cores all confirm` writes "
                                            "`results/confirm/scorecard.json`.")
    assert render("confirmation-totals", root) == render("confirmation", root)
    assert render("seeds", root).startswith("Not run yet: `snakemake --cores all seeds`")
    assert render("seeds-totals", root) == render("seeds", root)
    assert render("seed-runs", root).startswith("No seed run measured yet")
    assert render("seed-runs-total", root) == render("seed-runs", root)
    rows = [r | {"family": "paper"} for r in ROWS]
    _write(root / "results/scorecard.json", {"seed": 0, "rules_version": "abc", "rows": rows})
    flipped = [r | ({"verdict": "replicated"} if r["id"] == "14" else {}) for r in rows]
    _write(root / "results/confirm/scorecard.json", {"seed": 1, "rules_version": "abc", "rows": flipped})
    lines = render("confirmation", root).splitlines()
    assert lines[0] == ("Confirmed (same verdict on seeds 0 and 1, scored by the same rules: rules_version abc / abc): "
                        "paper: 3 of 4. Not confirmed: 14.")
    assert "| 14 | paper | Kernel size sets frequency | inconclusive (0.866) | replicated (0.866) | **no** |" in lines
    assert render("confirmation-totals", root) == lines[0]
    assert "| 1a | paper | STA edges | inconclusive | inconclusive | yes |" in lines  # no value: none shown
    assert "Units studied" not in lines[0]  # the confirmation run's unit files are missing
    _write(root / "results/confirm/units.json", {"texture_sensitive": [1], "non_texture_sensitive": [2, 3]})
    _write(root / "results/confirm/units_chain.json", {"texture_sensitive": [], "non_texture_sensitive": [2]})
    assert render("confirmation", root).splitlines()[0].endswith(
        "Units studied (texture-sensitive + non-texture-sensitive): seed 0: TDVAE 5 + 2, chain VAE 5 + 2; "
        "seed 1: TDVAE 1 + 2, chain VAE 0 + 1.")
    assert render("scorecard-totals", root).startswith("**Paper findings: 1 replicated")  # rows of the new format
    _write(root / "results/confirm/scorecard.json", {"seed": 1, "rules_version": "abd", "rows": rows})
    assert "scored by DIFFERENT rules" in render("confirmation", root)
    assert "paper: 4 of 4. Not confirmed: none." in render("confirmation-totals", root)
    claim = {"statistic": "accuracy", "verdicts": ["replicated", "inconclusive"], "replicated": 1, "mean": 0.5,
             "interval": [0.25, 0.75]}
    counts = {"values": [30, 20], "mean": 25.0, "interval": [float("nan")] * 2}
    _write(root / "results/seeds/summary.json", {
        "seeds": [0, 1], "claims": {"M2": claim},
        "units": {"tdvae": {"active": counts, "active_untrained": {"values": [0, 1]}}}})
    assert render("seeds-totals", root) == "Model claims replicated over 2 seeds (seeds 0, 1): M2 on 1 of 2."
    machine = {"cpu": "Opteron", "cores": 2, "torch": "2.x"}
    _write(root / "results/seeds/seed1.json", {"seed": 1, "models": {"tdvae": {"n_active": 20}}, "machine": machine})
    _write(root / "results/confirm/units.json", {"n_active": 20})  # the same count: no sentence on it
    lines = render("seeds", root).splitlines()
    assert lines[2:4] == [
        "| M2 | accuracy | replicated / inconclusive | 1 of 2 | 0.5 [0.25, 0.75] |",
        "| active z2 units, TDVAE | trained (untrained) | 30 (0) / 20 (1) |  | 25 |"]
    assert lines[-1] == ("Models: seed 0's are the main run's (its committed unit results, read as they are); "
                         "seed 1 trained by `seeds` on 2 CPU cores (Opteron), torch 2.x.")
    _write(root / "results/confirm/units.json", {"n_active": 21})
    _write(root / "benchmarks/default_run.json", {"cores": 2, "cpu": "Xeon", "precision": "fp32"})
    assert render("seeds", root).splitlines()[-1] == (
        "Models: seed 0's are the main run's (its committed unit results, read as they are, trained on 2 CPU "
        "cores (Xeon) in fp32); seed 1 trained by `seeds` on 2 CPU cores (Opteron), torch 2.x. The confirmation "
        "scorecard's seed-1 TDVAE (results/confirm/) has 21 active z2 units, this seed run's 20: trained in "
        "separate runs, they are different models of the same seed (docs/methods.md says when training repeats "
        "itself).")
    _write(root / "results/seeds/summary.json", {
        "seeds": [0, 1], "claims": {"M2": claim, "M3": claim | {"replicated": 0}, "M4": claim | {"replicated": 2}},
        "units": {"tdvae": {"active": counts, "active_untrained": {"values": [0, 1]}}}})
    assert render("seeds-totals", root) == ("Model claims replicated over 2 seeds (seeds 0, 1): M4 on 2 of 2; "
                                            "M2 on 1 of 2; M3 on 0 of 2.")


def _record(root, name, measured, native_bf16=True):
    machine = {"cpu": "Xeon", "cores": 2, "threads": 2, "native_bf16": native_bf16, "torch": "2.x", "date": "d"}
    _write(root / f"benchmarks/records/{name}.json", {"measured": measured, "machine": machine})


THROUGHPUT = {"precision": "fp32", "batch": 256, "samples_per_s": 1000.0, "bound_samples_per_s": 1250.0, "ratio": 0.8,
              "gflop_per_s": 300.0, "mflop_per_sample": 200.0, "optimizer_ms": 20.0, "bound_ms": 200.0,
              "ceiling": 0.9, "reached": 0.889}
PLAN_PARAMS = """scale: default
seed: 0
confirm: {seed: 1}
textures: {image_size: null, iterations: null, n_images: null, seeds: {brick: brick, grass: grass}}
train: {steps: null, batch_size: null, checkpoint_every: null}
evaluation: {iwae_samples: null, n_test: null}
am: {experiments: config/experiments.yaml}
presets:
  default:
    textures: {image_size: 128, iterations: 60, n_images: 12}
    train: {steps: 2000, batch_size: 256, checkpoint_every: 250}
    evaluation: {iwae_samples: 100, n_test: 2000}
  paper:
    textures: {image_size: 256, iterations: 120, n_images: 20}
    train: {steps: 1000000, batch_size: 1000, checkpoint_every: 100000}
    evaluation: {iwae_samples: 1000, n_test: 20000}
"""


def test_performance_blocks_render_the_benchmark_records_and_judge_the_target(root):
    _record(root, "train_throughput_fp32", THROUGHPUT)
    text = render("throughput", root)
    assert "at 1,000 samples/s, 0.800 of the dense-matmul bound" in text and "misses the target of 0.90" in text
    assert "2 CPU cores (Xeon, with native bf16), 2 torch threads" in text and "0.100 of the bound's 200.0 ms" in text
    _record(root, "train_throughput_fp32", THROUGHPUT | {"ratio": 0.95})
    assert "meets the target" in render("throughput", root)
    _record(root, "train_throughput_bf16", THROUGHPUT | {"samples_per_s": 1500.0, "bf16_bound_ms": 50.0})
    assert "1,500 samples/s, 1.50x the fp32 rate; the step's matrix products alone run 4.00x faster" in render(
        "precision", root)
    _record(root, "am_batching", {"units": 10, "restarts": 8, "steps": 250, "batched_s": 2.0, "loop_s": 30.0,
                                  "speedup": 15.0})
    xeon = {"cpu": "Xeon", "cores": 2, "threads": None, "native_bf16": False, "torch": "2.x", "date": "d"}
    _write(root / "benchmarks/records/seed_runs.json", {
        "measured": {"1": {"phases": [{"phase": "train", "jobs": 2, "s": 900}, {"phase": "am", "jobs": 3, "s": 60}],
                           "wall_s": 900, "machine": xeon},
                     "2": {"phases": [{"phase": "train", "jobs": 2, "s": 900},
                                      {"phase": "units", "jobs": 1, "s": 1800}], "wall_s": 1800,
                           "machine": xeon | {"date": "e"}},
                     "3": {"phases": [{"phase": "train", "jobs": 1, "s": 7200}], "wall_s": 7200, "machine": xeon}},
        "machine": xeon | {"date": "e"}})
    assert render("seed-runs", root).splitlines()[:5] == [
        "| seed | train (min) | am (min) | units (min) | job time (h) | wall clock (h) |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 1 | 15.0 | 1.0 | - | 0.3 | 0.2 |", "| 2 | 15.0 | - | 30.0 | 0.8 | 0.5 |",
        "| 3 | 120.0 | - | - | 2.0 | 2.0 |"]
    assert render("seed-runs", root).endswith("seeds 1, 3 on 2 CPU cores (Xeon, without native bf16), torch 2.x, d; "
                                              "seed 2 on 2 CPU cores (Xeon, without native bf16), torch 2.x, e.")
    assert render("seed-runs-total", root) == (
        "Wall clock of the seed runs while a job ran (pauses between working sessions excluded): seed 1, the whole "
        "workflow (`confirm`): 0.2 h; seeds 2, 3, training and units (`seeds`): 0.5 h, 2.0 h.")
    assert render("am-batching", root).startswith("Pixel AM of 10 units x 8 restarts x 250 steps on the TDVAE "
                                                  "encoder takes 2.0 s as one batch and 30 s one chain at a time (15x)")


def test_paper_plan_scales_the_measurements_by_the_paper_preset(root):
    from tdvae_am.performance_docs import GPU_EFFICIENCY, GPU_PEAK_FLOPS, paper_plan

    _write(root / "params.yaml", PLAN_PARAMS)
    _write(root / "config/experiments.yaml", REGISTRY)
    _write(root / "results/benchmarks.csv", "phase,rule,job,s\ndata,synthesize_texture,a,70\n"
                                            "data,synthesize_texture,b,80\ndata,synthesize_texture,c,200\n")
    _record(root, "train_throughput_fp32", THROUGHPUT)
    plan = paper_plan(root)
    compute = 1e6 * 1000 * 200e6 / (GPU_PEAK_FLOPS * GPU_EFFICIENCY)  # steps x batch x FLOP per sample / rate
    assert plan["train_tdvae"] == (1, pytest.approx((compute, compute)))  # launches (1-2 ms a step) stay below
    assert plan["cpu_training_s"] == pytest.approx(1e6 * 1000 / 1000)
    assert plan["synth_cpu_s"] == pytest.approx(80 * 4 * 2)  # median job, twice the side, twice the iterations
    assert plan["synthesize"][0] == 40 and plan["am"][0] == 3 + 1 + 1 + 1  # runs + one reference per model
    assert 0.5 < plan["chain_ratio"] < 1
    text = render("paper-plan", root)
    assert "| `synthesize_texture` | 40 |" in text and "1,000,000 steps of batch 1000" in text
    _write(root / "params.yaml", PLAN_PARAMS.replace("batch_size: 1000", "batch_size: 10"))
    assert paper_plan(root)["train_tdvae"][1] == pytest.approx((1000, 2000))  # 200 launches of 5-10 us a step
