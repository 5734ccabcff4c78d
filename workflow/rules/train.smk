"""Train phase: the TDVAE and the chain VAE on the natural patches, and their evaluation."""

MODEL_LIB = lib(
    "devices", "evaluation", "training", "models/__init__", "models/base", "models/chain",
    "models/distributions", "models/elbo", "models/generative", "models/layers",
    "models/sparse", "models/tdvae",
)


rule train_model:
    input:
        natural="data/processed/natural_patches.npz",
        lib=MODEL_LIB,
    output:
        model="results/models/{model}/model.pt",
        summary="results/models/{model}/summary.json",
        metrics="results/models/{model}/metrics.csv",
    params:
        cfg=section("seed", "device", "train"),
        run_dir=lambda w: f"results/models/{w.model}/run",
    log:
        "logs/train/{model}.log",
    conda:
        ENV
    threads: config["train"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
        runtime=600,
    script:
        "../scripts/train_model.py"


rule evaluate_model:
    input:
        model="results/models/{model}/model.pt",
        natural="data/processed/natural_patches.npz",
        lib=MODEL_LIB,
    output:
        "results/metrics/evaluation_{model}.json",
    params:
        cfg=section("seed", "device", "evaluation"),
    log:
        "logs/train/evaluate_{model}.log",
    conda:
        ENV
    threads: config["train"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
    script:
        "../scripts/evaluate_model.py"


rule figS1_training:
    input:
        metrics=expand("results/models/{model}/metrics.csv", model=MODELS),
        lib=lib("plots/models", "plots/style"),
    output:
        png=report("figures/figS1_training.png", caption="../report/figS1_training.rst", category="Model"),
        pdf="figures/figS1_training.pdf",
    params:
        models=MODELS,
    log:
        "logs/figures/figS1_training.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/figS1_training.py"


rule train_all:
    input:
        expand("results/metrics/evaluation_{model}.json", model=MODELS),
        "figures/figS1_training.png",
