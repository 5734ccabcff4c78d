"""Confirmation on independent seeds (targets `confirm` and `seeds`, not part of `all`).

Each other seed is a run of this workflow in runs/seed<k>/ (tdvae_am.seed_runs): its own patches
(drawn and whitened by its seed), models, units and, for `confirm`, the AM battery and the
scorecard; the texture syntheses are the main run's (every model is shown the same texture images). Re-running a target continues an interrupted seed run. The main run's seed
(`seed`) is read from its committed unit results as they are (no job re-creates them: a fresh clone
does not retrain the main models, and the record is that of the models the committed AM results and
scorecard come from); their content hash re-runs the record when they change."""

from tdvae_am.seed_runs import check_seeds

try:
    check_seeds(config)
except ConfigError as err:
    raise WorkflowError(str(err)) from None
SEEDS = config["confirm"]["seeds"]
CONFIRM_SEED = config["confirm"]["seed"]
CONFIRM_FILES = [
    "results/scorecard.json",
    *(units_file(m) for m in AM_MODELS),
    "results/metrics/units.json",
    "results/metrics/scorecard.json",
    "figures/scorecard.png",
]


rule seed_record:
    input:
        syntheses=lambda w: synth_files() if int(w.seed) != config["seed"] else [],
        code=script_code("seed_record"),
    output:
        "results/seeds/seed{seed}.json",
    log:
        "logs/seeds/seed{seed}.log",
    benchmark:
        bench("seed_record", "{seed}")
    wildcard_constraints:
        seed=r"\d+",
    conda:
        ENV
    threads: workflow.cores
    params:
        models=MODELS,
        config=config,
        main_units=lambda w: main_units() if int(w.seed) == config["seed"] else {},
    script:
        "../scripts/seed_record.py"


rule seeds_summary:
    input:
        records=expand("results/seeds/seed{seed}.json", seed=SEEDS),
        code=script_code("seeds_summary"),
    output:
        summary="results/seeds/summary.json",
        png="figures/figS8_seeds.png",
        pdf="figures/figS8_seeds.pdf",
    log:
        "logs/seeds/summary.log",
    benchmark:
        bench("seeds_summary")
    conda:
        ENV
    threads: 1
    script:
        "../scripts/seeds_summary.py"


rule confirm_run:
    input:
        # the seed's units first: the two jobs share its run directory
        record=f"results/seeds/seed{CONFIRM_SEED}.json",
        code=script_code("confirm_run"),
    output:
        [f"results/confirm/{p.split('/', 1)[1]}" for p in CONFIRM_FILES],  # results/confirm/scorecard.json, ...
    log:
        "logs/seeds/confirm.log",
    benchmark:
        bench("confirm_run")
    conda:
        ENV
    threads: workflow.cores
    params:
        files=CONFIRM_FILES,
        seed=CONFIRM_SEED,
        config=config,
    script:
        "../scripts/confirm_run.py"


rule seeds:
    input:
        rules.seeds_summary.output,


rule confirm:
    input:
        rules.confirm_run.output,
