"""AM phase (the reference measurements of the studied units and every run of the
experiment registry config/experiments.yaml, one job per experiment variant) and
figures phase (one job per registry figure, and the scorecard)."""

AM_LIB = lib(
    "experiments", "am/__init__", "am/budget", "am/config", "am/diversity", "am/errors",
    "am/filters", "am/fourier", "am/grad", "am/objectives", "am/optimizers",
    "am/parametrizations", "am/post", "am/pre", "am/result", "am/run", "am/schedules",
    "am/selector", "am/tracking",
)
REFERENCE_LIB = lib("reference", "analysis/gabor", "analysis/spectra", "analysis/sta")


rule am_reference:
    input:
        model="results/models/tdvae/model.pt",
        natural="data/processed/natural_patches.npz",
        units="results/units.json",
        lib=MODEL_LIB + AM_LIB + REFERENCE_LIB,
    output:
        npz="results/am/reference.npz",
        json="results/am/reference.json",
    params:
        seed=config["seed"],
        device=config["device"],
        sta_samples=config["am"]["sta_samples"],
        n_natural=config["am"]["n_natural"],
    log:
        "logs/am/reference.log",
    conda:
        ENV
    threads: config["am"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
    script:
        "../scripts/am_reference.py"


rule am_run:
    input:
        model="results/models/tdvae/model.pt",
        units="results/units.json",
        lib=MODEL_LIB + AM_LIB,
    output:
        npz="results/am/{experiment}/{variant}.npz",
        json="results/am/{experiment}/{variant}.json",
    params:
        run=lambda w: resolve_run(REGISTRY, w.experiment, w.variant, AM_CAPS),
        restarts=config["am"]["restarts"],
        seed=config["seed"],
        device=config["device"],
    wildcard_constraints:
        experiment="|".join(REGISTRY["experiments"]),
        variant="[A-Za-z0-9_]+",
    log:
        "logs/am/{experiment}/{variant}.log",
    conda:
        ENV
    threads: config["am"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
    script:
        "../scripts/am_run.py"


rule am_figure:
    input:
        runs=lambda w: am_outputs(figure_runs(REGISTRY, w.figure)),
        arrays=lambda w: am_outputs(figure_runs(REGISTRY, w.figure), "npz"),
        reference="results/am/reference.json",
        reference_arrays="results/am/reference.npz",
        units="results/units.json",
        lib=lib("experiments", "plots/am", "plots/style", "analysis/spectra"),
    output:
        png=report(
            "figures/{figure}.png",
            caption="../report/am_figure.rst",
            category="AM methods",
        ),
        pdf="figures/{figure}.pdf",
    params:
        spec=lambda w: REGISTRY["figures"][w.figure],
        caption=lambda w: figure_caption(REGISTRY, w.figure),
    wildcard_constraints:
        figure="|".join(AM_FIGURES),
    log:
        "logs/figures/{figure}.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/am_figure.py"




rule scorecard:
    input:
        runs=am_outputs(AM_RUNS),
        arrays=am_outputs(AM_RUNS, "npz"),
        reference="results/am/reference.json",
        units="results/units.json",
        decoding=expand("results/units/{model}.json", model=MODELS),
        lib=lib("scorecard", "experiments", "plots/scorecard", "plots/style", "analysis/gabor", "analysis/spectra"),
    output:
        scorecard="results/scorecard.json",
        metrics="results/metrics/scorecard.json",
        png=report("figures/scorecard.png", caption="../report/scorecard.rst", category="Scorecard"),
        pdf="figures/scorecard.pdf",
    params:
        models=MODELS,
    log:
        "logs/scorecard.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/scorecard.py"


rule am_all:
    input:
        "results/am/reference.json",
        am_outputs(AM_RUNS),


rule figures_all:
    input:
        expand("figures/{figure}.png", figure=AM_FIGURES),
        "results/scorecard.json",
