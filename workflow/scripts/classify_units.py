"""Activity, texture decoding and texture sensitivity of one model's latent units."""

import json

import torch

from tdvae_am.data.patches import load_patch_set
from tdvae_am.devices import resolve_device
from tdvae_am.logs import setup_job_logging
from tdvae_am.models import LatentVariableModel
from tdvae_am.units.classify import classify_units
from tdvae_am.units.selection import fill_target

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
    info_threshold=ucfg["info_threshold"], max_untrained_active=ucfg["max_untrained_active"],
    n_units=ucfg["n_units"], alpha=ucfg["alpha"], n_permutations=ucfg["permutations"],
    fallback=bool(ucfg["fallback"]), n_splits=ucfg["folds"], seed=cfg["seed"],
)
result["model"] = snakemake.wildcards.model
with open(snakemake.output[0], "w") as f:
    json.dump(result, f, indent=1)
acc = {k: round(v["accuracy"], 3) for k, v in result["decoding"].items()}
phase = {k: round(v["accuracy"], 3) for k, v in result["decoding_phase"].items()}
log.info("%d active units (untrained: %d) above %.4g nats; texture-sensitive %s, non-texture %s "
         "(candidates %s); decoding %s; texture vs scrambled twin %s", result["n_active"],
         result["n_active_untrained"], result["threshold"], result["texture_sensitive"],
         result["non_texture_sensitive"], result["candidates"], acc, phase)
wanted = fill_target(ucfg["n_units"])  # n_units, or with n_units null (every candidate) the fewest per class
short = [k for k in ("texture_sensitive", "non_texture_sensitive") if result["candidates"][k] < wanted]
if result["fallback"]:
    log.warning("classes %s filled with inactive units (fallback, smoke scale only)", short)
elif short:
    log.warning("fewer than %d units in %s: the AM phase studies the units there are", wanted, short)
