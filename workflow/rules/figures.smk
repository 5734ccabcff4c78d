"""Figures phase: one job per figure of the experiment registry, and the scorecard."""


rule am_figure:
    input:
        runs=lambda w: intact(am_outputs(figure_runs(REGISTRY, w.figure))),
        arrays=lambda w: intact(am_outputs(figure_runs(REGISTRY, w.figure), "npz")),
        reference=lambda w: intact("results/am/reference.json"),
        reference_arrays=lambda w: intact("results/am/reference.npz"),
        units=lambda w: intact("results/units.json"),
        code=script_code("am_figure"),
    output:
        png=report(
            "figures/{figure}.png",
            caption="../report/am_figure.rst",
            category="AM methods",
        ),
        pdf="figures/{figure}.pdf",
    log:
        "logs/figures/{figure}.log",
    wildcard_constraints:
        figure="|".join(AM_FIGURES),
    conda:
        ENV
    threads: 1
    params:
        spec=lambda w: REGISTRY["figures"][w.figure],
        caption=lambda w: figure_caption(REGISTRY, w.figure),
    script:
        "../scripts/am_figure.py"


rule scorecard:
    input:
        runs=lambda w: intact(am_outputs(AM_RUNS)),
        arrays=lambda w: intact(am_outputs(AM_RUNS, "npz")),
        reference=lambda w: intact("results/am/reference.json"),
        units=lambda w: intact("results/units.json"),
        decoding=lambda w: intact(expand("results/units/{model}.json", model=MODELS)),
        code=script_code("scorecard"),
    output:
        scorecard="results/scorecard.json",
        metrics="results/metrics/scorecard.json",
        png=report("figures/scorecard.png", caption="../report/scorecard.rst", category="Scorecard"),
        pdf="figures/scorecard.pdf",
    log:
        "logs/scorecard.log",
    conda:
        ENV
    threads: 1
    params:
        models=MODELS,
    script:
        "../scripts/scorecard.py"


rule figures_all:
    input:
        expand("figures/{figure}.png", figure=AM_FIGURES),
        "results/scorecard.json",
