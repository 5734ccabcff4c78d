"""Whiten the synthesized textures with the natural images' filter and cut labelled
patches, contrast-equalized, with phase-scrambled twins."""


import numpy as np

from tdvae_am.data.patches import save_patch_set
from tdvae_am.data.textures import texture_patch_set
from tdvae_am.files import load_json, load_npz
from tdvae_am.logs import setup_job_logging

log = setup_job_logging(snakemake.log[0])
cfg, tex = snakemake.config, snakemake.config["textures"]
natural = load_json(snakemake.input.natural_meta)
synthesized = {f: [] for f in snakemake.params.families}
for path in snakemake.input.synth:
    family = path.rsplit("/", 1)[-1].rsplit("_", 1)[0]
    synthesized[family].append(load_npz(path)["image"])
arrays, meta = texture_patch_set(
    synthesized, cfg["patch_size"], tex["patches_per_image"], cfg["whitening"]["cutoff"],
    natural_scale=natural["normalization"]["scale"], target_std=natural["normalization"]["target_std"],
    equalize=tex["equalize_contrast"], rng=np.random.default_rng([cfg["seed"], 3]),
)
meta.update(
    seed=cfg["seed"], seeds=tex["seeds"], whitening=natural["whitening"],
    synthesis={k: tex[k] for k in ("image_size", "n_scales", "n_orientations", "spatial_corr_width",
                                    "iterations", "seed_downsample")},
    counts={"patches": int(len(arrays["patches"]))},
)
save_patch_set(snakemake.output.npz, arrays, meta)
log.info("raw family std %s (max/min %.2f); equalization factors %s",
         meta["raw_family_std"], meta["raw_contrast_ratio_max_min"], meta["equalization_factors"])
