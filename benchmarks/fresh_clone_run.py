"""Benchmark: the README's main command, run once in a fresh clone, timed from set-up to the last job.

Clones the repository (its committed HEAD) into ``--dir``, runs the README's first command there
(the line that creates the virtual environment and runs ``snakemake --cores all``) with bash, and
writes the wall clock and the machine to ``--output`` (default: benchmarks/default_run.json, which
the README's run-time block reads). Run it on a machine with nothing else running; it takes hours
at the default scale. Interrupted, the same call continues in the same folder (Snakemake redoes the
unfinished jobs) and the recorded wall clock is the sum of the segments, each kept in the record.

Usage: ``python benchmarks/fresh_clone_run.py --dir /scratch/run [--output FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = re.compile(r"^    (python3\.11 -m venv .*snakemake --cores all)$", re.M)


def main_command(readme: Path) -> str:
    """The README's one command that sets up and runs the workflow."""
    found = COMMAND.findall(readme.read_text())
    if len(found) != 1:
        raise SystemExit(f"{readme}: expected one indented line 'python3.11 -m venv ... snakemake --cores all', "
                         f"found {len(found)}")
    return found[0]


def cpu() -> tuple[str, bool]:
    """The CPU's model name and whether it has native bf16 (AVX-512 BF16 or AMX)."""
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    name = re.search(r"^model name\s*:\s*(.*)$", text, re.M)
    return (name[1] if name else platform.processor()), bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", text))


def record(workdir: Path, command: str, segments: list[float], returncode: int) -> dict:
    """What a finished run says about itself and the machine it ran on."""
    name, bf16 = cpu()
    summary = workdir / "results/models/tdvae/summary.json"
    precision = json.loads(summary.read_text())["training"]["precision"] if summary.is_file() else None
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=workdir, capture_output=True, text=True).stdout.strip()
    return {"command": command, "commit": commit, "returncode": returncode, "wall_s": round(sum(segments), 1),
            "segments_s": [round(s, 1) for s in segments],
            "cores": os.cpu_count(), "cpu": name, "native_bf16": bf16, "precision": precision,
            "gpu": shutil.which("nvidia-smi") is not None, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="empty folder to clone into and run in")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks/default_run.json")
    args = parser.parse_args()
    done = args.dir / "segments.json"
    if not (args.dir / ".git").is_dir():
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(args.dir)], check=True)
    segments = json.loads(done.read_text()) if done.is_file() else []
    command = main_command(args.dir / "README.md")
    # a killed run leaves Snakemake's lock and its unfinished outputs behind (no Snakemake yet if it was
    # killed while installing: the command installs it)
    unlock = "if [ -x .venv/bin/snakemake ]; then .venv/bin/snakemake --unlock --quiet; fi"
    run = f"{unlock}; {command} --rerun-incomplete" if segments else command
    start = time.perf_counter()
    with open(args.dir / "run.log", "a") as log:
        proc = subprocess.Popen(["bash", "-c", run], cwd=args.dir, stdout=log, stderr=subprocess.STDOUT)
        while True:  # record the segment as it grows, so an interrupted run keeps its time
            try:
                proc.wait(timeout=30)
                break
            except subprocess.TimeoutExpired:
                done.write_text(json.dumps(segments + [time.perf_counter() - start]))
    segments.append(time.perf_counter() - start)
    done.write_text(json.dumps(segments))
    result = record(args.dir, command, segments, proc.returncode)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
