"""The benchmark scripts run at tiny sizes, end with their documented summary line and record what they
print with the machine."""

import json
import re
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


def record(path: Path) -> dict:
    out = json.loads(path.read_text())
    assert {"cpu", "cores", "threads", "native_bf16", "torch", "date"} <= set(out["machine"])
    assert out["machine"]["threads"] == 1
    return out["measured"]


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
    assert (measured["batched_s"], measured["loop_s"]) == pytest.approx((batched, loop), rel=0.01, abs=0.01)
    assert (measured["units"], measured["restarts"]) == (1, 2)


def test_am_phase_cost_estimates_each_run_and_sums_them():
    lines = output_lines("am_phase_cost.py", "--units", "1", "--restarts", "1", "--steps", "1", "--only", "pixel_grad")
    per_run = [float(re.search(rf"{NUMBER} min$", line).group(1)) for line in lines[:-1]]
    last = re.fullmatch(rf"runs {NUMBER} estimated {NUMBER} min \(tdvae {NUMBER} chain {NUMBER}\)", lines[-1])
    runs, total, tdvae, chain = map(float, last.groups())
    assert runs == len(per_run) == 6 and chain == 0  # pixel_grad: six gammas, on the TDVAE only
    assert total == pytest.approx(sum(per_run), abs=0.1) == pytest.approx(tdvae, abs=0.1)
