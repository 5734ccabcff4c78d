"""Data stage: whitened natural patches, PS texture families, texture patches, Fig. 4."""


rule natural_patches:
    input:
        code=script_code("natural_patches"),
    output:
        npz="data/processed/natural_patches.npz",
        meta="data/processed/natural_patches.json",
    log:
        "logs/data/natural_patches.log",
    benchmark:
        bench("natural_patches")
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    params:
        cfg=section("seed", "patch_size", "natural", "whitening"),
    script:
        "../scripts/natural_patches.py"


rule texture_seed:
    input:
        code=script_code("texture_seed"),
    output:
        "data/interim/textures/seeds/{family}.npy",
    log:
        "logs/data/texture_seed_{family}.log",
    benchmark:
        bench("texture_seed", "{family}")
    conda:
        ENV
    threads: 1
    params:
        source=lambda w: config["textures"]["seeds"][w.family],
        cfg=section("textures"),
    script:
        "../scripts/texture_seed.py"


rule synthesize_texture:
    input:
        seed=lambda w: intact(f"data/interim/textures/seeds/{w.family}.npy"),
        code=script_code("synthesize_texture"),
    output:
        "data/interim/textures/synth/{family}_{index}.npz",
    log:
        "logs/data/synthesize_texture_{family}_{index}.log",
    benchmark:
        bench("synthesize_texture", "{family}_{index}")
    conda:
        ENV
    threads: 1
    resources:
        gpu=1,
        mem_mb=2000,
    params:
        cfg=section("seed", "textures"),
        family_index=lambda w: FAMILIES.index(w.family),
    script:
        "../scripts/synthesize_texture.py"


rule texture_patches:
    input:
        synth=lambda w: synth_files(),
        natural_meta=lambda w: intact("data/processed/natural_patches.json"),
        code=script_code("texture_patches"),
    output:
        npz="data/processed/texture_patches.npz",
        meta="data/processed/texture_patches.json",
    log:
        "logs/data/texture_patches.log",
    benchmark:
        bench("texture_patches")
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    params:
        cfg=section("seed", "patch_size", "textures", "whitening"),
        families=FAMILIES,
    script:
        "../scripts/texture_patches.py"


rule fig04_data:
    input:
        natural=lambda w: intact("data/processed/natural_patches.npz"),
        textures=lambda w: intact("data/processed/texture_patches.npz"),
        seeds=lambda w: intact(expand("data/interim/textures/seeds/{family}.npy", family=FAMILIES)),
        synth=lambda w: synth_files([0]),
        code=script_code("fig04_data"),
    output:
        png=report("figures/fig04_data.png", caption="../report/fig04_data.rst", category="Data"),
        pdf="figures/fig04_data.pdf",
    log:
        "logs/figures/fig04_data.log",
    benchmark:
        bench("fig04_data")
    conda:
        ENV
    threads: 1
    params:
        families=FAMILIES,
    script:
        "../scripts/fig04_data.py"


rule data_metrics:
    input:
        natural=lambda w: intact("data/processed/natural_patches.json"),
        textures=lambda w: intact("data/processed/texture_patches.json"),
        synth=rules.texture_patches.input.synth,
        code=script_code("data_metrics"),
    output:
        "results/metrics/data.json",
    log:
        "logs/data/data_metrics.log",
    benchmark:
        bench("data_metrics")
    conda:
        ENV
    threads: 1
    script:
        "../scripts/data_metrics.py"


# every product of the phase (one file per job: the benchmark records of `all` derive from these
# lists, workflow/rules/benchmarks.smk)
rule data_all:
    input:
        expand(rules.texture_seed.output, family=FAMILIES),
        expand(rules.synthesize_texture.output, family=FAMILIES, index=range(N_TEXTURE_IMAGES)) if OWN_SYNTHESES else [],
        "data/processed/natural_patches.npz",
        "data/processed/texture_patches.npz",
        "results/metrics/data.json",
        "figures/fig04_data.png",
