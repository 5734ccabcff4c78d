"""Units phase: active vs collapsed z2 units, texture decoding and sensitivity, selection."""


rule classify_units:
    input:
        model="results/models/{model}/model.pt",
        natural="data/processed/natural_patches.npz",
        textures="data/processed/texture_patches.npz",
        lib=MODEL_LIB + lib("units"),
    output:
        "results/units/{model}.json",
    params:
        cfg=section("seed", "device", "units"),
    log:
        "logs/units/classify_{model}.log",
    conda:
        ENV
    threads: config["train"]["threads"]
    resources:
        mem_mb=8000,
    script:
        "../scripts/classify_units.py"


rule select_units:
    input:
        tdvae="results/units/tdvae.json",
        all=expand("results/units/{model}.json", model=MODELS),
        lib=lib("units_summary"),
    output:
        units="results/units.json",
        metrics="results/metrics/units.json",
    params:
        models=MODELS,
    log:
        "logs/units/select_units.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/select_units.py"


rule figS2_unit_activity:
    input:
        units="results/units.json",
        lib=lib("plots/models", "plots/style"),
    output:
        png=report("figures/figS2_unit_activity.png", caption="../report/figS2_unit_activity.rst", category="Units"),
        pdf="figures/figS2_unit_activity.pdf",
    log:
        "logs/figures/figS2_unit_activity.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/figS2_unit_activity.py"


rule figS3_decoding:
    input:
        units=expand("results/units/{model}.json", model=MODELS),
        lib=lib("plots/models", "plots/style"),
    output:
        png=report("figures/figS3_decoding.png", caption="../report/figS3_decoding.rst", category="Units"),
        pdf="figures/figS3_decoding.pdf",
    params:
        models=MODELS,
    log:
        "logs/figures/figS3_decoding.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/figS3_decoding.py"


rule figS4_texture_sensitivity:
    input:
        units="results/units.json",
        lib=lib("plots/models", "plots/style"),
    output:
        png=report(
            "figures/figS4_texture_sensitivity.png",
            caption="../report/figS4_texture_sensitivity.rst",
            category="Units",
        ),
        pdf="figures/figS4_texture_sensitivity.pdf",
    log:
        "logs/figures/figS4_texture_sensitivity.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/figS4_texture_sensitivity.py"


rule units_all:
    input:
        "results/units.json",
        "figures/figS2_unit_activity.png",
        "figures/figS3_decoding.png",
        "figures/figS4_texture_sensitivity.png",
