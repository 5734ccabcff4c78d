"""Units phase: active vs collapsed z2 units, texture decoding and sensitivity, selection."""


rule classify_units:
    input:
        model=lambda w: intact(f"results/models/{w.model}/model.pt"),
        natural=lambda w: intact("data/processed/natural_patches.npz"),
        textures=lambda w: intact("data/processed/texture_patches.npz"),
        code=script_code("classify_units"),
    output:
        "results/units/{model}.json",
    log:
        "logs/units/classify_{model}.log",
    benchmark:
        bench("classify_units", "{model}")
    conda:
        ENV
    threads: config["train"]["threads"]
    resources:
        mem_mb=8000,
    params:
        cfg=section("seed", "device", "units"),
    script:
        "../scripts/classify_units.py"


rule select_units:
    input:
        all=lambda w: intact(expand("results/units/{model}.json", model=MODELS)),
        code=script_code("select_units"),
    output:
        units=[units_file(m) for m in AM_MODELS],
        metrics="results/metrics/units.json",
    log:
        "logs/units/select_units.log",
    benchmark:
        bench("select_units")
    conda:
        ENV
    threads: 1
    params:
        models=MODELS,
        selected=AM_MODELS,
    script:
        "../scripts/select_units.py"


rule figS2_unit_activity:
    input:
        units=lambda w: intact("results/units.json"),
        code=script_code("figS2_unit_activity"),
    output:
        png=report("figures/figS2_unit_activity.png", caption="../report/figS2_unit_activity.rst", category="Units"),
        pdf="figures/figS2_unit_activity.pdf",
    log:
        "logs/figures/figS2_unit_activity.log",
    benchmark:
        bench("figS2_unit_activity")
    conda:
        ENV
    threads: 1
    script:
        "../scripts/figS2_unit_activity.py"


rule figS3_decoding:
    input:
        units=lambda w: intact(expand("results/units/{model}.json", model=MODELS)),
        code=script_code("figS3_decoding"),
    output:
        png=report("figures/figS3_decoding.png", caption="../report/figS3_decoding.rst", category="Units"),
        pdf="figures/figS3_decoding.pdf",
    log:
        "logs/figures/figS3_decoding.log",
    benchmark:
        bench("figS3_decoding")
    conda:
        ENV
    threads: 1
    params:
        models=MODELS,
    script:
        "../scripts/figS3_decoding.py"


rule figS4_texture_sensitivity:
    input:
        units=lambda w: intact("results/units.json"),
        code=script_code("figS4_texture_sensitivity"),
    output:
        png=report(
            "figures/figS4_texture_sensitivity.png",
            caption="../report/figS4_texture_sensitivity.rst",
            category="Units",
        ),
        pdf="figures/figS4_texture_sensitivity.pdf",
    log:
        "logs/figures/figS4_texture_sensitivity.log",
    benchmark:
        bench("figS4_texture_sensitivity")
    conda:
        ENV
    threads: 1
    script:
        "../scripts/figS4_texture_sensitivity.py"


rule units_all:
    input:
        expand(rules.classify_units.output, model=MODELS),
        [units_file(m) for m in AM_MODELS],
        "figures/figS2_unit_activity.png",
        "figures/figS3_decoding.png",
        "figures/figS4_texture_sensitivity.png",
