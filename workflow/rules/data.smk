"""Data stage: whitened natural patches, PS texture families, texture patches, Fig. 4."""


rule natural_patches:
    input:
        lib("data/images", "data/whitening", "data/patches", "data/natural"),
    output:
        npz="data/processed/natural_patches.npz",
        meta="data/processed/natural_patches.json",
    params:
        cfg=section("seed", "patch_size", "natural", "whitening"),
    log:
        "logs/data/natural_patches.log",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    script:
        "../scripts/natural_patches.py"


rule texture_seed:
    input:
        lib("data/images", "data/synthesis"),
    output:
        "data/interim/textures/seeds/{family}.npy",
    params:
        source=lambda w: config["textures"]["seeds"][w.family],
        cfg=section("textures"),
    log:
        "logs/data/texture_seed_{family}.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/texture_seed.py"


rule synthesize_texture:
    input:
        seed="data/interim/textures/seeds/{family}.npy",
        lib=lib("data/synthesis", "devices"),
    output:
        "data/interim/textures/synth/{family}_{index}.npz",
    params:
        cfg=section("seed", "textures"),
        family_index=lambda w: FAMILIES.index(w.family),
    log:
        "logs/data/synthesize_texture_{family}_{index}.log",
    conda:
        ENV
    threads: 1
    resources:
        gpu=1,
        mem_mb=2000,
    script:
        "../scripts/synthesize_texture.py"


rule texture_patches:
    input:
        synth=expand(
            "data/interim/textures/synth/{family}_{index}.npz",
            family=FAMILIES,
            index=range(N_TEXTURE_IMAGES),
        ),
        natural_meta="data/processed/natural_patches.json",
        lib=lib("data/whitening", "data/patches", "data/textures"),
    output:
        npz="data/processed/texture_patches.npz",
        meta="data/processed/texture_patches.json",
    params:
        cfg=section("seed", "patch_size", "textures", "whitening"),
        families=FAMILIES,
    log:
        "logs/data/texture_patches.log",
    conda:
        ENV
    threads: 1
    resources:
        mem_mb=4000,
    script:
        "../scripts/texture_patches.py"


rule fig04_data:
    input:
        natural="data/processed/natural_patches.npz",
        textures="data/processed/texture_patches.npz",
        seeds=expand("data/interim/textures/seeds/{family}.npy", family=FAMILIES),
        synth=expand("data/interim/textures/synth/{family}_0.npz", family=FAMILIES),
        lib=lib("plots/data", "plots/style"),
    output:
        png=report("figures/fig04_data.png", caption="../report/fig04_data.rst", category="Data"),
        pdf="figures/fig04_data.pdf",
    params:
        families=FAMILIES,
    log:
        "logs/figures/fig04_data.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/fig04_data.py"


rule data_metrics:
    input:
        natural="data/processed/natural_patches.json",
        textures="data/processed/texture_patches.json",
        synth=rules.texture_patches.input.synth,
        lib=lib("data/summary"),
    output:
        "results/metrics/data.json",
    log:
        "logs/data/data_metrics.log",
    conda:
        ENV
    threads: 1
    script:
        "../scripts/data_metrics.py"


rule data_all:
    input:
        "data/processed/natural_patches.npz",
        "data/processed/texture_patches.npz",
        "results/metrics/data.json",
        "figures/fig04_data.png",
