"""AM phase: the reference measurements of each model's studied units and every run of the
experiment registry config/experiments.yaml, one job per model x experiment variant. The
TDVAE's results go to results/am/, any other model's to results/am_<model>/ (the {amdir}
wildcard, tdvae_am.experiments.registry.am_dir)."""


rule am_reference:
    input:
        model=lambda w: intact(f"results/models/{AM_DIRS[w.amdir]}/model.pt"),
        natural=lambda w: intact("data/processed/natural_patches.npz"),
        units=lambda w: intact(units_file(AM_DIRS[w.amdir])),
        code=script_code("am_reference"),
    output:
        npz="results/{amdir}/reference.npz",
        json="results/{amdir}/reference.json",
    log:
        "logs/{amdir}/reference.log",
    benchmark:
        bench("am_reference", "{amdir}")
    wildcard_constraints:
        amdir="|".join(AM_DIRS),
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
        whitening_cutoff=config["whitening"]["cutoff"] * 0.5,  # fraction of Nyquist -> cycles/pixel
    script:
        "../scripts/am_reference.py"


rule am_run:
    input:
        model=lambda w: intact(f"results/models/{AM_DIRS[w.amdir]}/model.pt"),
        units=lambda w: intact(units_file(AM_DIRS[w.amdir])),
        code=script_code("am_run"),
    output:
        npz="results/{amdir}/{experiment}/{variant}.npz",
        json="results/{amdir}/{experiment}/{variant}.json",
    log:
        "logs/{amdir}/{experiment}/{variant}.log",
    benchmark:
        bench("am_run", "{amdir}/{experiment}/{variant}")
    wildcard_constraints:
        amdir="|".join(AM_DIRS),
        experiment="|".join(REGISTRY["experiments"]),
        variant="[A-Za-z0-9_-]+",
    conda:
        ENV
    threads: config["am"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
    params:
        run=lambda w: resolve_run(REGISTRY, w.experiment, w.variant, AM_CAPS),
        restarts=lambda w: run_restarts(REGISTRY, w.experiment, w.variant, config["am"]["restarts"]),
        seed=config["seed"],
        device=config["device"],
    script:
        "../scripts/am_run.py"


rule am_all:
    input:
        [reference_file(m) for m in AM_MODELS],
        [am_outputs(runs, model=m) for m, runs in AM_RUNS_BY_MODEL.items()],
