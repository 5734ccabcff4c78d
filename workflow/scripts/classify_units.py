"""Activity, texture decoding and texture sensitivity of one model's latent units."""

import json

import numpy as np
import torch

from tdvae_am.data.patches import load_patch_set
from tdvae_am.devices import resolve_device
from tdvae_am.logs import setup_job_logging
from tdvae_am.models import LatentVariableModel
from tdvae_am.units.classify import classify_units

log = setup_job_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
cfg, ucfg = snakemake.config, snakemake.config["units"]
device = resolve_device(cfg["device"])
model = LatentVariableModel.load(snakemake.input.model, map_location=device).eval()
torch.manual_seed(cfg["seed"])  # the same initialization the training started from
untrained = LatentVariableModel.from_config(model.config).to(device).eval()
natural, _ = load_patch_set(snakemake.input.natural)
tex, tmeta = load_patch_set(snakemake.input.textures)
result = classify_units(
    model, untrained, natural["val"][: ucfg["n_natural"]], tex["patches"], tex["scrambled"],
    tex["family"], tex["image"], families=tmeta["families"], layer=ucfg["layer"],
    kl_threshold=ucfg["kl_threshold"], n_units=ucfg["n_units"], n_splits=ucfg["folds"], seed=cfg["seed"],
)
result |= {"model": snakemake.wildcards.model, "kl_threshold": ucfg["kl_threshold"]}
with open(snakemake.output[0], "w") as f:
    json.dump(result, f, indent=1)
acc = {k: round(v["accuracy"], 3) for k, v in result["decoding"].items()}
log.info("%d active units (untrained: %d); texture-sensitive %s, non-texture %s; decoding %s",
         result["n_active"], result["n_active_untrained"], result["texture_sensitive"],
         result["non_texture_sensitive"], acc)
log.info("fallback used: %s; chance %.3f", result["fallback"],
         np.mean([v["chance"] for v in result["decoding"].values()]))
