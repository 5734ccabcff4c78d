"""AM phase: the reference measurements of the studied units and every run of the
experiment registry config/experiments.yaml, one job per experiment variant."""


rule am_reference:
    input:
        model=lambda w: intact("results/models/tdvae/model.pt"),
        natural=lambda w: intact("data/processed/natural_patches.npz"),
        units=lambda w: intact("results/units.json"),
        code=script_code("am_reference"),
    output:
        npz="results/am/reference.npz",
        json="results/am/reference.json",
    log:
        "logs/am/reference.log",
    conda:
        ENV
    threads: config["am"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
    params:
        seed=config["seed"],
        device=config["device"],
        sta_samples=config["am"]["sta_samples"],
        n_natural=config["am"]["n_natural"],
    script:
        "../scripts/am_reference.py"


rule am_run:
    input:
        model=lambda w: intact("results/models/tdvae/model.pt"),
        units=lambda w: intact("results/units.json"),
        code=script_code("am_run"),
    output:
        npz="results/am/{experiment}/{variant}.npz",
        json="results/am/{experiment}/{variant}.json",
    log:
        "logs/am/{experiment}/{variant}.log",
    wildcard_constraints:
        experiment="|".join(REGISTRY["experiments"]),
        variant="[A-Za-z0-9_]+",
    conda:
        ENV
    threads: config["am"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
    params:
        run=lambda w: resolve_run(REGISTRY, w.experiment, w.variant, AM_CAPS),
        restarts=config["am"]["restarts"],
        seed=config["seed"],
        device=config["device"],
    script:
        "../scripts/am_run.py"


rule am_all:
    input:
        "results/am/reference.json",
        am_outputs(AM_RUNS),
