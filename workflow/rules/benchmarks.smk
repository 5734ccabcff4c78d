"""Benchmarks: the record of every job of the default target `all` (wall time, CPU time, memory,
I/O; Snakemake's `benchmark:` files, common.smk's `bench`) as one table, results/benchmarks.csv,
and a figure of wall time and peak memory per phase. A rule's phase is its rule file."""

from tdvae_am.benchmarks import benchmark_dir, job_of

# every job of `all`, each rule's records from its own `benchmark:` pattern; a dry run checks them
# against the jobs Snakemake plans (tests/workflow/test_benchmark_summary.py)
ALL_BENCHMARKS = [
    *expand(rules.natural_patches.benchmark),
    *expand(rules.texture_seed.benchmark, family=FAMILIES),
    *(
        expand(rules.synthesize_texture.benchmark, family=FAMILIES, index=range(N_TEXTURE_IMAGES))
        if OWN_SYNTHESES
        else []
    ),
    *expand(rules.texture_patches.benchmark),
    *expand(rules.fig04_data.benchmark),
    *expand(rules.data_metrics.benchmark),
    *expand(rules.train_model.benchmark, model=MODELS),
    *expand(rules.evaluate_model.benchmark, model=MODELS),
    *expand(rules.figS1_training.benchmark),
    *expand(rules.classify_units.benchmark, model=MODELS),
    *expand(rules.select_units.benchmark),
    *expand(rules.figS2_unit_activity.benchmark),
    *expand(rules.figS3_decoding.benchmark),
    *expand(rules.figS4_texture_sensitivity.benchmark),
    *expand(rules.am_reference.benchmark, amdir=list(AM_DIRS)),
    *[
        rules.am_run.benchmark.format(amdir=Path(am_dir(m)).name, experiment=e, variant=v)
        for m, runs in AM_RUNS_BY_MODEL.items()
        for e, v in runs
    ],
    *expand(rules.am_figure.benchmark, figure=AM_FIGURES),
    *expand(rules.scorecard.benchmark),
]
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
