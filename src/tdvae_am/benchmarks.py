"""Where the workflow's per-job benchmark records go (Snakemake's ``benchmark:`` files): one
folder per rule, one ``.tsv`` per job named by its wildcards. Read by the rules (common.smk's
``bench``), the summary (``tdvae_am.plots.benchmarks``) and dvc.yaml's generator."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

BENCHMARK_DIR = "results/benchmarks"


def benchmark_dir(rule: str) -> str:
    """The folder of the benchmark records of ``rule``'s jobs."""
    return f"{BENCHMARK_DIR}/{rule}"


def benchmark_file(rule: str, pattern: str | None = None) -> str:
    """The benchmark record of one job of ``rule``: ``<dir>/<rule>/<pattern>.tsv``, where ``pattern``
    names the job by its wildcards (e.g. ``{model}``); a rule of one job is named after itself."""
    return f"{benchmark_dir(rule)}/{pattern or rule}.tsv"


def job_of(path: str | Path) -> tuple[str, str]:
    """(rule, job) of a benchmark record's path (relative to the workflow, or absolute)."""
    parts = PurePosixPath(Path(path).as_posix()).parts
    base = PurePosixPath(BENCHMARK_DIR).parts
    for i in range(len(parts) - len(base)):
        if parts[i : i + len(base)] == base:
            rule, *job = parts[i + len(base) :]
            if job:
                return rule, str(PurePosixPath(*job).with_suffix(""))
    raise ValueError(f"{path} is not a benchmark record under {BENCHMARK_DIR}/<rule>/")


def busy_seconds(intervals) -> float:
    """Length of the union of ``(start, end)`` intervals: the wall clock during which at least one
    job ran, so jobs side by side count once and a pause between two sessions not at all."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total
