"""Figures phase: one job per figure of the experiment registry, and the scorecard."""

from tdvae_am.experiments.tuning import variant_groups


rule am_figure:
    input:
        unpack(lambda w: figure_inputs(w.figure)),
        code=script_code("am_figure"),
    output:
        png=report(
            "figures/{figure}.png",
            caption="../report/am_figure.rst",
            category=lambda w: figure_category(REGISTRY, w.figure),
        ),
        pdf="figures/{figure}.pdf",
    log:
        "logs/figures/{figure}.log",
    benchmark:
        bench("am_figure", "{figure}")
    wildcard_constraints:
        figure="|".join(AM_FIGURES),
    conda:
        ENV
    threads: 1
    params:
        spec=lambda w: REGISTRY["figures"][w.figure],
        models=lambda w: {m: MODEL_LABELS[m] for m in figure_models(REGISTRY, w.figure)},
        caption=lambda w: figure_caption(REGISTRY, w.figure),
        groups=lambda w: {e: variant_groups(REGISTRY, e) for e in REGISTRY["figures"][w.figure].get("experiments", [])},
    script:
        "../scripts/am_figure.py"


rule scorecard:
    input:
        runs=lambda w: intact(am_outputs(SCORECARD_RUNS["tdvae"])),
        arrays=lambda w: intact(am_outputs(SCORECARD_RUNS["tdvae"], "npz")),
        reference=lambda w: intact(reference_file()),
        reference_arrays=lambda w: intact(reference_file(ext="npz")),
        units=lambda w: intact(units_file("tdvae")),
        decoding=lambda w: intact(expand("results/units/{model}.json", model=MODELS)),
        chain=lambda w: intact(
            [units_file("chain"), reference_file("chain"), reference_file("chain", "npz")]
            + am_outputs(SCORECARD_RUNS["chain"], "json", "chain")
            + am_outputs(SCORECARD_RUNS["chain"], "npz", "chain")
            if "chain" in AM_MODELS
            else []
        ),
        code=script_code("scorecard"),
    output:
        scorecard="results/scorecard.json",
        metrics="results/metrics/scorecard.json",
        png=report("figures/scorecard.png", caption="../report/scorecard.rst", category="Scorecard"),
        pdf="figures/scorecard.pdf",
    log:
        "logs/scorecard.log",
    benchmark:
        bench("scorecard")
    conda:
        ENV
    threads: 1
    params:
        models=MODELS,
        experiments=REGISTRY["experiments"],
    script:
        "../scripts/scorecard.py"


rule figures_all:
    input:
        expand("figures/{figure}.png", figure=AM_FIGURES),
        "results/scorecard.json",
