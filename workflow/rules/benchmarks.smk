"""Benchmarks: the record of every job of the default target `all` (wall time, CPU time, memory,
I/O; Snakemake's `benchmark:` files, common.smk's `bench`) as one table, results/benchmarks.csv,
and a figure of wall time and peak memory per phase. A rule's phase is its rule file."""

from tdvae_am.benchmarks import benchmark_dir, job_of

# what `all` makes besides the benchmark summary: every product of every phase
PRODUCTS = [
    *rules.data_all.input,
    *rules.train_all.input,
    *rules.units_all.input,
    *rules.am_all.input,
    *rules.figures_all.input,
]
# every job of `all`, those that write its products; a dry run checks them against the jobs
# Snakemake plans (tests/workflow/test_benchmark_summary.py)
ALL_BENCHMARKS = job_benchmarks(PRODUCTS)
ALL_BENCHMARK_RULES = {job_of(f)[0] for f in ALL_BENCHMARKS} | {"benchmark_summary"}


rule benchmark_summary:
    input:
        benchmarks=ALL_BENCHMARKS,
        code=script_code("benchmark_summary"),
    output:
        table="results/benchmarks.csv",
        png=report("figures/figS7_benchmarks.png", caption="../report/figS7_benchmarks.rst", category="Benchmarks"),
        pdf="figures/figS7_benchmarks.pdf",
    log:
        "logs/benchmark_summary.log",
    benchmark:
        bench("benchmark_summary")
    conda:
        ENV
    threads: 1
    params:
        # rule -> phase (its rule file), in workflow order
        phases=lambda w: {r.name: Path(r.snakefile).stem for r in workflow.rules if r.benchmark},
        # rules outside `all` (the recipe study): their records are added when they exist, read
        # but not required (`all` never runs them)
        optional=lambda w: [
            benchmark_dir(r.name) for r in workflow.rules if r.benchmark and r.name not in ALL_BENCHMARK_RULES
        ],
    script:
        "../scripts/benchmark_summary.py"
