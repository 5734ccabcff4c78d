"""Measurement: the time of each seed run (runs/seed<k>/: training and units for `seeds`, the whole
workflow for `confirm`) from the benchmark records of its finished jobs, so an interrupted and continued
run counts each finished job once: the job time summed per phase, and the wall clock during which a job
ran (a record is written when its job ends: the job ran from the record's modification time minus its
seconds to that time; the union of these intervals). Writes benchmarks/records/seed_runs.json, which
the README and docs/results.md render.

Usage: ``python benchmarks/seed_runs_time.py [--root .] [--output FILE]``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tdvae_am.benchmarks import BENCHMARK_DIR, busy_seconds
from tdvae_am.machine import RECORD_DIR, write_record
from tdvae_am.plots.benchmarks import benchmark_table, phase_summary, read_record

INCLUDE = re.compile(r'^include: "(workflow/rules/\w+\.smk)"', re.M)
RULE = re.compile(r"^rule (\w+):", re.M)
SEED_RUN = re.compile(r"seed(\d+)")


def rule_phases(root: Path) -> dict[str, str]:
    """Rule -> phase (its rule file's name), in the Snakefile's order of the rule files."""
    files = INCLUDE.findall((root / "Snakefile").read_text())
    return {rule: Path(f).stem for f in files for rule in RULE.findall((root / f).read_text())}


def seed_runs_time(root: Path) -> dict:
    """{seed: {"phases": [{phase, jobs, s}, ...], "wall_s": ...}} of every run under ``root``/runs/ with
    benchmark records."""
    phases, out = rule_phases(root), {}
    for run in sorted((root / "runs").glob("seed*"), key=lambda p: int(SEED_RUN.fullmatch(p.name)[1])):
        files = sorted((run / BENCHMARK_DIR).rglob("*.tsv"))
        if files:
            summary = phase_summary(benchmark_table(files, phases))
            ends = [(f.stat().st_mtime, read_record(f)["s"]) for f in files]
            out[SEED_RUN.fullmatch(run.name)[1]] = {
                "phases": [{"phase": p, "jobs": int(n), "s": round(float(s), 1)}
                           for p, n, s in summary[["phase", "jobs", "s"]].itertuples(index=False)],
                "wall_s": round(busy_seconds((end - s, end) for end, s in ends), 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root holding runs/")
    parser.add_argument("--output", type=Path, help="record (default: <root>/benchmarks/records/seed_runs.json)")
    args = parser.parse_args()
    runs = seed_runs_time(args.root)
    if not runs:
        raise SystemExit(f"no seed run with benchmark records under {args.root / 'runs'}")
    for seed, run in runs.items():
        phases = ", ".join(f"{p['phase']} {p['jobs']} jobs {p['s'] / 60:.1f} min" for p in run["phases"])
        print(f"seed {seed}: {phases}; wall clock {run['wall_s'] / 3600:.2f} h")
    write_record(args.output or args.root / RECORD_DIR / "seed_runs.json", runs)


if __name__ == "__main__":
    main()
