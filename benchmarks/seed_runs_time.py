"""Measurement: the time of each seed run (runs/seed<k>/: training and units for `seeds`, the whole
workflow for `confirm`) from the benchmark records of its finished jobs, so an interrupted and continued
run counts each finished job once: the job time summed per phase, and the wall clock during which a job
ran (a record is written when its job ends: the job ran from the record's modification time minus its
seconds to that time; the union of these intervals), with the machine it ran on. Updates
benchmarks/records/seed_runs.json, which the README and docs/results.md render: the runs found here
replace their entries, the others (measured where a run's records are no longer on disk) are kept.

Record a run once it has finished (``--seeds`` names the finished ones where others are still
running or were interrupted).

Usage: ``python benchmarks/seed_runs_time.py [--root .] [--output FILE] [--seeds K ...]``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from tdvae_am.benchmarks import BENCHMARK_DIR, busy_seconds, job_of
from tdvae_am.machine import RECORD_DIR, machine, write_record
from tdvae_am.plots.benchmarks import benchmark_table, phase_summary

INCLUDE = re.compile(r'^include: "(workflow/rules/\w+\.smk)"', re.M)
RULE = re.compile(r"^rule (\w+):", re.M)
SEED_RUN = re.compile(r"seed(\d+)")


def rule_phases(root: Path) -> dict[str, str]:
    """Rule -> phase (its rule file's name), in the Snakefile's order of the rule files."""
    files = INCLUDE.findall((root / "Snakefile").read_text())
    return {rule: Path(f).stem for f in files for rule in RULE.findall((root / f).read_text())}


def seed_runs_time(root: Path, seeds: list[int] | None = None) -> dict:
    """{seed: {"phases": [{phase, jobs, s}, ...], "wall_s": ..., "machine": ...}} of every run under
    ``root``/runs/ with benchmark records (of the runs of ``seeds`` only, when given)."""
    phases, out = rule_phases(root), {}
    for run in sorted((root / "runs").glob("seed*"), key=lambda p: int(SEED_RUN.fullmatch(p.name)[1])):
        if seeds is not None and int(SEED_RUN.fullmatch(run.name)[1]) not in seeds:
            continue
        files = sorted((run / BENCHMARK_DIR).rglob("*.tsv"))
        if files:
            jobs = benchmark_table(files, phases)
            end = {job_of(f): f.stat().st_mtime for f in files}
            summary = phase_summary(jobs)
            out[SEED_RUN.fullmatch(run.name)[1]] = {
                "phases": [{"phase": p, "jobs": int(n), "s": round(float(s), 1)}
                           for p, n, s in summary[["phase", "jobs", "s"]].itertuples(index=False)],
                "wall_s": round(busy_seconds((end[r, j] - s, end[r, j])
                                             for r, j, s in jobs[["rule", "job", "s"]].itertuples(index=False)), 1),
                "machine": machine()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root holding runs/")
    parser.add_argument("--output", type=Path, help="record (default: <root>/benchmarks/records/seed_runs.json)")
    parser.add_argument("--seeds", type=int, nargs="+", help="the finished runs to record (default: every run)")
    args = parser.parse_args()
    output = args.output or args.root / RECORD_DIR / "seed_runs.json"
    runs = seed_runs_time(args.root, args.seeds)
    if not runs:
        raise SystemExit(f"no seed run with benchmark records under {args.root / 'runs'}")
    for seed, run in runs.items():
        phases = ", ".join(f"{p['phase']} {p['jobs']} jobs {p['s'] / 60:.1f} min" for p in run["phases"])
        print(f"seed {seed}: {phases}; wall clock {run['wall_s'] / 3600:.2f} h")
    kept = json.loads(output.read_text())["measured"] if output.is_file() else {}
    if kept := {seed: run for seed, run in kept.items() if seed not in runs}:
        print(f"kept from {output}: seed{'s' * (len(kept) > 1)} {', '.join(kept)}")
    write_record(output, dict(sorted({**kept, **runs}.items(), key=lambda item: int(item[0]))))


if __name__ == "__main__":
    main()
