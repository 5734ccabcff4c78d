"""Per-job benchmarks of a run (Snakemake's ``benchmark:`` records, laid out by ``tdvae_am.benchmarks``):
one table of every job (wall time, CPU time, memory, I/O) and the figure of wall time and peak memory
per phase."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from tdvae_am.benchmarks import job_of

from .style import CHART, ROW

# Snakemake's record columns (memory and I/O in MB, times in seconds), in this order in the table
COLUMNS = ["s", "cpu_time", "mean_load", "max_rss", "max_uss", "max_pss", "max_vms", "io_in", "io_out"]


def read_record(path: str | Path) -> dict:
    """The one record of a benchmark file (``NA``, a job faster than the first sample, as NaN)."""
    table = pd.read_csv(path, sep="\t", na_values=["NA", "-"])
    if len(table) != 1 or "s" not in table:
        raise ValueError(f"{path}: expected one Snakemake benchmark record, found {len(table)} rows")
    record = table.iloc[0]
    return {c: float(record[c]) if c in table else float("nan") for c in COLUMNS}


def benchmark_table(files, phases: dict[str, str]) -> pd.DataFrame:
    """One row per job (phase, rule, job and the record's columns), ordered as ``phases``
    (rule -> phase, in workflow order) lists the rules, then by job."""
    order = {rule: i for i, rule in enumerate(phases)}
    rows = []
    for path in files:
        rule, job = job_of(path)
        if rule not in phases:
            raise ValueError(f"{path}: unknown rule {rule}")
        rows.append({"phase": phases[rule], "rule": rule, "job": job, **read_record(path)})
    table = pd.DataFrame(rows, columns=["phase", "rule", "job", *COLUMNS])
    table = table.sort_values(["rule", "job"], key=lambda c: c.map(order) if c.name == "rule" else c)
    return table.reset_index(drop=True)


def phase_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per phase, in the table's order: jobs, summed wall and CPU time, the longest job and the
    largest peak RSS (NaN where no job lasted long enough to be sampled) with its job."""
    rows = []
    for phase, jobs in table.groupby("phase", sort=False):
        longest = jobs.loc[jobs["s"].idxmax()]
        rss = jobs["max_rss"].dropna()
        largest = jobs.loc[rss.idxmax()] if len(rss) else None
        rows.append({
            "phase": phase, "jobs": len(jobs), "s": jobs["s"].sum(), "cpu_time": jobs["cpu_time"].sum(),
            "longest_job": f"{longest['rule']}/{longest['job']}", "longest_s": longest["s"],
            "max_rss": rss.max() if len(rss) else float("nan"),
            "max_rss_job": f"{largest['rule']}/{largest['job']}" if largest is not None else "",
        })  # fmt: skip
    return pd.DataFrame(rows)


def benchmark_figure(table: pd.DataFrame) -> plt.Figure:
    """Left: summed job wall time per phase (jobs that ran in parallel both count); right: the
    largest peak RSS of a job per phase. Each bar is labelled with its jobs and the job behind it."""
    summary = phase_summary(table)
    minutes = summary["s"].max() >= 300
    scale, unit = (60.0, "min") if minutes else (1.0, "s")
    fig, (left, right) = plt.subplots(1, 2, figsize=(2 * CHART[0], 2 * ROW * len(summary) + 1.6), sharey=True)
    y = range(len(summary))
    colors = sns.color_palette("deep", len(summary))
    left.barh(y, summary["s"] / scale, color=colors)
    for i, row in summary.iterrows():
        left.text(row["s"] / scale, i, f" {row['s'] / scale:.3g} {unit}, {row['jobs']} jobs", va="center", fontsize=7)
        if pd.notna(row["max_rss"]):
            right.text(row["max_rss"], i, f" {row['max_rss']:.0f} MB ({row['max_rss_job']})", va="center", fontsize=7)
    right.barh(y, summary["max_rss"].fillna(0), color=colors)
    left.set_yticks(list(y), summary["phase"])
    left.invert_yaxis()
    left.set_xlabel(f"wall time, summed over jobs ({unit})")
    right.set_xlabel("largest peak RSS of a job (MB)")
    for ax in (left, right):
        ax.set_xlim(0, ax.get_xlim()[1] * 1.6)
    left.set_title(f"{len(table)} jobs, {table['s'].sum() / scale:.3g} {unit} in all", fontsize=9)
    sns.despine(fig)
    return fig
