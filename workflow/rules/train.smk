"""Train phase: the TDVAE and the chain VAE on the natural patches, and their evaluation."""


rule train_model:
    input:
        natural=lambda w: intact("data/processed/natural_patches.npz"),
        code=script_code("train_model"),
    output:
        model="results/models/{model}/model.pt",
        summary="results/models/{model}/summary.json",
        metrics="results/models/{model}/metrics.csv",
    log:
        "logs/train/{model}.log",
    benchmark:
        bench("train_model", "{model}")
    conda:
        ENV
    threads: config["train"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
        runtime=600,
    params:
        cfg=section("seed", "device", "train"),
        run_dir=lambda w: f"results/models/{w.model}/run",
    script:
        "../scripts/train_model.py"


rule evaluate_model:
    input:
        model=lambda w: intact(f"results/models/{w.model}/model.pt"),
        natural=lambda w: intact("data/processed/natural_patches.npz"),
        code=script_code("evaluate_model"),
    output:
        "results/metrics/evaluation_{model}.json",
    log:
        "logs/train/evaluate_{model}.log",
    benchmark:
        bench("evaluate_model", "{model}")
    conda:
        ENV
    threads: config["train"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
    params:
        cfg=section("seed", "device", "evaluation"),
    script:
        "../scripts/evaluate_model.py"


rule figS1_training:
    input:
        metrics=expand("results/models/{model}/metrics.csv", model=MODELS),
        code=script_code("figS1_training"),
    output:
        png=report("figures/figS1_training.png", caption="../report/figS1_training.rst", category="Model"),
        pdf="figures/figS1_training.pdf",
    log:
        "logs/figures/figS1_training.log",
    benchmark:
        bench("figS1_training")
    conda:
        ENV
    threads: 1
    params:
        models=MODELS,
    script:
        "../scripts/figS1_training.py"


rule train_all:
    input:
        expand(rules.train_model.output.model, model=MODELS),
        expand("results/metrics/evaluation_{model}.json", model=MODELS),
        "figures/figS1_training.png",
