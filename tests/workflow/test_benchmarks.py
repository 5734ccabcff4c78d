"""The benchmark scripts run at tiny sizes, end with their documented summary line and record what they
print with the machine."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
NUMBER = r"([0-9.]+)"


def output_lines(script: str, *args: str) -> list[str]:
    """Standard output lines of ``benchmarks/<script>`` run on one thread."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--threads", "1", *args],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()


def record_of(path: Path) -> dict:
    out = json.loads(path.read_text())
    assert {"cpu", "cores", "threads", "native_bf16", "torch", "date"} <= set(out["machine"])
    return out["measured"]


def record(path: Path) -> dict:
    assert json.loads(path.read_text())["machine"]["threads"] == 1
    return record_of(path)


def test_train_throughput_reports_rate_bound_ratio_and_ceiling(tmp_path):
    lines = output_lines("train_throughput.py", "--batch", "16", "--steps", "3", "--log-every", "1",
                         "--output", str(tmp_path / "r.json"))
    last = re.fullmatch(rf"samples/s {NUMBER} bound {NUMBER} ratio {NUMBER}", lines[-1])
    rate, bound, ratio = map(float, last.groups())
    assert rate > 0 and bound > 0
    assert ratio == pytest.approx(rate / bound, abs=2e-3)
    ceiling, reached = map(float, re.search(rf"ratio {NUMBER}, reached {NUMBER} of it", lines[-2]).groups())
    assert 0 < ceiling < 1
    # the ceiling bounds the measured ratio: ratio = ceiling x (fraction of the ceiling reached)
    assert ratio == pytest.approx(ceiling * reached, rel=0.02)
    measured = record(tmp_path / "r.json")
    assert (measured["samples_per_s"], measured["ratio"], measured["ceiling"]) == pytest.approx(
        (rate, ratio, ceiling), rel=5e-3, abs=1e-3)  # as printed
    assert measured["precision"] == "fp32" and measured["batch"] == 16


def test_am_batching_reports_speedup(tmp_path):
    lines = output_lines("am_batching.py", "--units", "1", "--restarts", "2", "--repeats", "1", "--loop-runs", "1",
                         "--output", str(tmp_path / "r.json"))
    last = re.fullmatch(rf"batched {NUMBER} s loop {NUMBER} s speedup {NUMBER}x", lines[-1])
    batched, loop, speedup = map(float, last.groups())
    assert speedup == pytest.approx(loop / batched, rel=0.1)
    measured = record(tmp_path / "r.json")
    # as printed: batched to 0.01 s, loop to 0.1 s
    assert measured["batched_s"] == pytest.approx(batched, abs=0.0051) and measured["loop_s"] == pytest.approx(
        loop, abs=0.051)
    assert (measured["units"], measured["restarts"]) == (1, 2)


def test_am_phase_cost_estimates_each_run_and_sums_them():
    lines = output_lines("am_phase_cost.py", "--units", "1", "--restarts", "1", "--steps", "1", "--only", "pixel_grad")
    per_run = [float(re.search(rf"{NUMBER} min$", line).group(1)) for line in lines[:-1]]
    last = re.fullmatch(rf"runs {NUMBER} estimated {NUMBER} min \(tdvae {NUMBER} chain {NUMBER}\)", lines[-1])
    runs, total, tdvae, chain = map(float, last.groups())
    assert runs == len(per_run) == 6 and chain == 0  # pixel_grad: six gammas, on the TDVAE only
    assert total == pytest.approx(sum(per_run), abs=0.1) == pytest.approx(tdvae, abs=0.1)


def test_seed_runs_time_sums_each_runs_jobs_per_phase(tmp_path):
    """Every benchmark record of runs/seed<k>/ counted once, under its rule file's phase, in workflow order."""
    root = BENCHMARKS.parent
    (tmp_path / "workflow").mkdir()
    (tmp_path / "Snakefile").write_text((root / "Snakefile").read_text())
    shutil.copytree(root / "workflow/rules", tmp_path / "workflow/rules")
    records = {"seed2": {"train_model/tdvae": 600, "train_model/chain": 300, "natural_patches/natural_patches": 6,
                         "classify_units/tdvae": 120}, "seed10": {"am_run/tdvae/pixel/a": 60}}
    # seed 2's jobs end at 1000 (data), 2000 and 2100 (training, side by side), 9000 (units): 6 + 700 + 120 s busy
    ends = {"train_model/tdvae": 2000, "train_model/chain": 2100, "natural_patches/natural_patches": 1000,
            "classify_units/tdvae": 9000, "am_run/tdvae/pixel/a": 50}
    for run, jobs in records.items():
        for job, seconds in jobs.items():
            path = tmp_path / f"runs/{run}/results/benchmarks/{job}.tsv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"s\th:m:s\tcpu_time\n{seconds}\t0:00:00\t{seconds}\n")
            os.utime(path, (ends[job], ends[job]))
    output = tmp_path / "benchmarks/records/seed_runs.json"
    output.parent.mkdir(parents=True)
    earlier = {"phases": [{"phase": "train", "jobs": 2, "s": 1.0}], "wall_s": 1.0}  # measured on another machine
    output.write_text(json.dumps({"measured": {"2": earlier, "7": earlier}, "machine": {}}))
    subprocess.run([sys.executable, str(BENCHMARKS / "seed_runs_time.py"), "--root", str(tmp_path)], check=True,
                   capture_output=True, timeout=120)
    measured = record_of(output)
    assert list(measured) == ["2", "7", "10"] and measured["7"] == earlier  # seed 2 measured again, 7 kept
    assert measured["2"]["machine"]["cores"] == os.cpu_count()
    assert [(p["phase"], p["jobs"], p["s"]) for p in measured["2"]["phases"]] == [
        ("data", 1, 6), ("train", 2, 900), ("units", 1, 120)]
    assert measured["2"]["wall_s"] == 826 and measured["10"]["wall_s"] == 60
    assert [(p["phase"], p["s"]) for p in measured["10"]["phases"]] == [("am", 60)]
    # only the runs named finished: seed 10 still running
    output.unlink()
    subprocess.run([sys.executable, str(BENCHMARKS / "seed_runs_time.py"), "--root", str(tmp_path), "--seeds", "2"],
                   check=True, capture_output=True, timeout=120)
    assert list(record_of(output)) == ["2"]
