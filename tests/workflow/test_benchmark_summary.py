"""Per-job benchmark records: their layout, the summary table and figure (on synthetic records),
and a dry run showing that every job writes one and the summary reads exactly those of `all`."""

import math
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from workflow_helpers import ROOT, run_tool

from tdvae_am.benchmarks import BENCHMARK_DIR, benchmark_file, busy_seconds, job_of
from tdvae_am.plots.benchmarks import COLUMNS, benchmark_figure, benchmark_table, phase_summary

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time"


def write_record(root, rule, pattern, s, rss):
    """A benchmark file as Snakemake writes it (``rss`` None: a job too short to be sampled)."""
    path = root / benchmark_file(rule, pattern)
    path.parent.mkdir(parents=True, exist_ok=True)
    # max_rss, max_vms, max_uss, max_pss, io_in, io_out, mean_load, cpu_time
    values = ["NA"] * 8 if rss is None else [rss, 2 * rss, rss - 1, rss - 2, 1.5, 0.5, 90.0, s]
    mem = "\t".join(map(str, values))
    path.write_text(f"{HEADER}\n{s}\t0:00:{int(s):02d}\t{mem}\n")
    return path


def test_layout_names_rule_and_job():
    assert benchmark_file("natural_patches") == f"{BENCHMARK_DIR}/natural_patches/natural_patches.tsv"
    assert benchmark_file("am_run", "{amdir}/{experiment}/{variant}") == (
        f"{BENCHMARK_DIR}/am_run/{{amdir}}/{{experiment}}/{{variant}}.tsv")
    assert job_of(f"{BENCHMARK_DIR}/am_run/am_chain/pixel_pre/none.tsv") == ("am_run", "am_chain/pixel_pre/none")
    assert job_of(f"/tmp/x/{BENCHMARK_DIR}/train_model/tdvae.tsv") == ("train_model", "tdvae")
    with pytest.raises(ValueError, match="not a benchmark record"):
        job_of("logs/train/tdvae.log")


def test_table_and_phase_summary_from_records(tmp_path):
    phases = {"natural_patches": "data", "train_model": "train", "am_run": "am", "am_figure": "figures"}
    files = [
        write_record(tmp_path, "am_run", "am/pixel/plain", 12.0, 900.0),
        write_record(tmp_path, "train_model", "tdvae", 40.0, 2000.0),
        write_record(tmp_path, "am_run", "am_chain/pixel_pre/none", 8.0, 1100.0),
        write_record(tmp_path, "natural_patches", None, 3.0, None),
        write_record(tmp_path, "train_model", "chain", 20.0, 1500.0),
        write_record(tmp_path, "am_figure", "fig11_sta", 2.0, 300.0),
    ]
    table = benchmark_table(files, phases)
    assert list(table.columns) == ["phase", "rule", "job", *COLUMNS]
    # rows in workflow order of the rules, then by job
    assert table[["rule", "job"]].values.tolist() == [
        ["natural_patches", "natural_patches"], ["train_model", "chain"], ["train_model", "tdvae"],
        ["am_run", "am/pixel/plain"], ["am_run", "am_chain/pixel_pre/none"], ["am_figure", "fig11_sta"]]
    assert table["phase"].tolist() == ["data", "train", "train", "am", "am", "figures"]
    tdvae = table.set_index("job").loc["tdvae"]
    assert (tdvae["s"], tdvae["max_rss"], tdvae["max_vms"], tdvae["cpu_time"]) == (40.0, 2000.0, 4000.0, 40.0)
    assert math.isnan(table.loc[0, "max_rss"])  # NA: a job that ended before its first sample

    summary = phase_summary(table).set_index("phase")
    assert summary.index.tolist() == ["data", "train", "am", "figures"]
    assert summary["jobs"].tolist() == [1, 2, 2, 1]
    assert summary["s"].tolist() == [3.0, 60.0, 20.0, 2.0]
    assert summary.loc["train", "longest_job"] == "train_model/tdvae"
    assert summary.loc["am", "max_rss"] == 1100.0
    assert summary.loc["am", "max_rss_job"] == "am_run/am_chain/pixel_pre/none"
    assert math.isnan(summary.loc["data", "max_rss"]) and summary.loc["data", "max_rss_job"] == ""

    figure = benchmark_figure(table)
    left, right = figure.axes
    assert [round(p.get_width(), 6) for p in left.patches] == [3.0, 60.0, 20.0, 2.0]  # seconds: under 5 min
    assert [p.get_width() for p in right.patches] == [0.0, 2000.0, 1100.0, 300.0]
    assert [t.get_text() for t in left.get_yticklabels()] == ["data", "train", "am", "figures"]
    plt.close(figure)


def test_bad_records_are_named(tmp_path):
    good = write_record(tmp_path, "train_model", "tdvae", 4.0, 10.0)
    with pytest.raises(ValueError, match="unknown rule train_model"):
        benchmark_table([good], {"am_run": "am"})
    repeated = write_record(tmp_path, "am_run", "am/pixel/plain", 1.0, 10.0)
    repeated.write_text(repeated.read_text() + repeated.read_text().splitlines()[1] + "\n")
    with pytest.raises(ValueError, match="plain.tsv: expected one Snakemake benchmark record, found 2 rows"):
        benchmark_table([repeated], {"am_run": "am"})


def test_every_rule_that_runs_a_job_has_a_benchmark_named_after_itself():
    """Every rule of every rule file (the recipe study's included) that runs a script, shell
    command or run block writes a benchmark record under its own name."""
    checked = []
    for path in sorted((ROOT / "workflow/rules").glob("*.smk")):
        for block in re.split(r"(?m)^rule ", path.read_text())[1:]:
            name = block.split(":")[0]
            if re.search(r"(?m)^    (script|shell|run):", block):
                assert re.search(rf'(?m)^    benchmark:\n        bench\("{name}"', block), (path.name, name)
                checked.append(name)
    assert {"natural_patches", "am_run", "training_recipe", "benchmark_summary"} <= set(checked)


def test_summary_reads_the_record_of_every_job_of_all(workflow_dir):
    """A forced dry run at the smoke scale: every job but `all` has a benchmark record, and the
    summary's inputs are exactly the records of all the other jobs."""
    out = run_tool(["snakemake", "-n", "-F", "--config", "scale=smoke"], workflow_dir).stdout
    jobs = re.findall(r"(?m)^(?:local)?rule (\w+):\n((?:    .*\n)+)", out)
    assert len(jobs) > 100
    records = {}
    for rule, body in jobs:
        if rule == "all":
            continue
        bench = re.search(r"(?m)^    benchmark: (\S+)$", body)
        assert bench, (rule, body)
        records[rule, bench.group(1)] = body
    summary = [body for rule, body in jobs if rule == "benchmark_summary"]
    assert len(summary) == 1
    inputs = re.search(r"(?m)^    input: (.*)$", summary[0]).group(1).split(", ")
    read = {f for f in inputs if f.startswith(f"{BENCHMARK_DIR}/")}
    expected = {f for rule, f in records if rule != "benchmark_summary"}
    assert read == expected, (sorted(read - expected), sorted(expected - read))
    counts = pd.Series([job_of(f)[0] for f in read]).value_counts()
    assert counts["synthesize_texture"] == 10 and counts["train_model"] == 2 and counts["am_run"] > 50


@pytest.mark.parametrize("intervals, busy", [
    ([], 0), ([(0, 10)], 10), ([(0, 10), (2, 5)], 10), ([(5, 8), (0, 6)], 8), ([(0, 1), (3, 4)], 2),
    ([(0, 2), (2, 3)], 3),
])  # fmt: skip
def test_busy_seconds_counts_overlapping_jobs_once_and_gaps_not_at_all(intervals, busy):
    assert busy_seconds(intervals) == busy
