"""Classification of z2 units: activity, texture-family decoding and texture sensitivity.

Rules (the defaults of :func:`classify_units`):

- **Active**: a unit is active when its posterior KL to the prior, averaged over natural
  patches, exceeds ``kl_threshold`` (0.1 nats); collapsed units have posterior = prior,
  i.e. KL near 0, posterior means that hardly vary and posterior std near 1. The same
  statistics are reported per texture family and for the untrained model (same seed).
- **Texture sensitivity** of a unit, measured on contrast-equalized texture patches and
  their phase-scrambled twins (same amplitude spectrum, random phases; Freeman et al.
  2013), from its posterior means:
  the *modulation index* ``(var_tex - var_scr) / (var_tex + var_scr)`` (variance across
  patches), positive when the unit responds to structure beyond the power spectrum (a
  linear unit has index near 0), and the *family selectivity* eta^2 (one-way ANOVA
  between-family share of the variance) on the textures. Each is expressed as a z-score
  against the distribution over the untrained model's units; the *texture score* is the
  sum of the two z-scores.
- **Selection**: the texture-sensitive units are the ``n_units`` active units with the
  highest texture score, the non-texture-sensitive ones the ``n_units`` active units with
  the lowest. With fewer than ``2 n_units`` active units the candidates fall back to the
  ``2 n_units`` units of largest natural-patch KL, and the result says so
  (``"fallback": true``).
- **Decoding**: multinomial logistic regression on standardized features, cross-validated
  with folds grouped by synthesized image (stratified by family), so overlapping crops of
  one image never straddle a fold; accuracy with the majority-class chance level, an exact
  binomial interval and an image-level bootstrap interval (crops of one image are not
  independent, so the bootstrap one is the honest one).
"""

import functools

import numpy as np

from tdvae_am.models import LatentVariableModel

from .activity import active_units, activity, encode
from .decoding import decode_family
from .selection import select_units
from .sensitivity import against_reference, equalize_contrast, texture_sensitivity


def _unit_statistics(model, natural, textures, scrambled, family, families, layer, batch_size) -> tuple[dict, dict]:
    codes = {
        "natural": encode(model, natural, layer, batch_size),
        "textures": encode(model, textures, layer, batch_size),
        "scrambled": encode(model, scrambled, layer, batch_size),
    }
    natural_stats = activity(codes["natural"])
    per_family = [activity({k: v[family == f] for k, v in codes["textures"].items()}) for f in families]
    out = {f"{k}_natural": v for k, v in natural_stats.items()}
    out |= {f"{k}_family": np.stack([s[k] for s in per_family]) for k in natural_stats}
    out |= texture_sensitivity(codes["textures"], codes["scrambled"], family)
    return out, codes


def classify_units(
    model: LatentVariableModel,
    untrained: LatentVariableModel,
    natural,
    textures,
    scrambled,
    family,
    image,
    families: list[str] | None = None,
    layer: str = "z2",
    kl_threshold: float = 0.1,
    n_units: int = 5,
    equalize: bool = True,
    n_splits: int = 5,
    seed: int = 0,
    batch_size: int = 512,
) -> dict:
    """Activity, texture sensitivity and selection of the units of ``layer``, and decoding.

    Parameters
    ----------
    model, untrained : LatentVariableModel
        The trained model and the same architecture at its (same-seed) initialization.
    natural : array-like
        Natural patches ``(N, 40, 40)``.
    textures, scrambled : array-like
        Texture patches and their phase-scrambled twins, ``(M, 40, 40)`` each.
    family, image : array-like
        Family index and synthesized-image index of each texture patch.
    families : list of str, optional
        Family names (default: the indices as strings).
    layer : str
        Latent layer whose units are classified.
    kl_threshold : float
        Activity threshold on the natural-patch mean KL (nats).
    n_units : int
        Units per class.
    equalize : bool
        Equalize texture and scrambled patches to the natural patches' RMS contrast
        before everything else.
    n_splits, seed : int
        Cross-validation folds and seed of the decoding.
    batch_size : int
        Patches per forward pass.

    Returns
    -------
    dict
        JSON-serializable: ``texture_sensitive``, ``non_texture_sensitive``, ``fallback``,
        ``active``, ``n_active``, ``n_active_untrained``, ``families``, ``rule``,
        ``units`` (per-unit statistics of the trained and the untrained model; ``*_family``
        entries are ``(families, units)``) and ``decoding`` (``z2`` of the trained and
        untrained model on textures and on scrambled twins, ``z1`` and ``pixels``
        baselines of the trained model; see :func:`decode_family`).
    """
    family, image = np.asarray(family), np.asarray(image)
    natural = np.asarray(natural, dtype=np.float32)
    textures, scrambled = np.asarray(textures, dtype=np.float32), np.asarray(scrambled, dtype=np.float32)
    if equalize:
        rms = float(np.sqrt(np.mean(natural**2)))
        textures, scrambled = equalize_contrast(textures, rms), equalize_contrast(scrambled, rms)
    family_ids = np.unique(family)
    families = families or [str(f) for f in family_ids]

    trained_stats, codes = _unit_statistics(
        model, natural, textures, scrambled, family, family_ids, layer, batch_size
    )
    untrained_stats, untrained_codes = _unit_statistics(
        untrained, natural, textures, scrambled, family, family_ids, layer, batch_size
    )
    for key in ["modulation", "selectivity"]:
        z, pct = against_reference(trained_stats[key], untrained_stats[key])
        trained_stats[f"{key}_z"], trained_stats[f"{key}_percentile"] = z, pct
    trained_stats["texture_score"] = trained_stats["modulation_z"] + trained_stats["selectivity_z"]

    active = active_units(trained_stats["mean_kl_natural"], kl_threshold)
    selection = select_units(trained_stats["texture_score"], active, trained_stats["mean_kl_natural"], n_units)

    decode = functools.partial(decode_family, family=family, image=image, n_splits=n_splits, seed=seed)
    decoding = {
        f"{layer}": decode(codes["textures"]["mean"]),
        f"{layer}_untrained": decode(untrained_codes["textures"]["mean"]),
        f"{layer}_scrambled": decode(codes["scrambled"]["mean"]),
        f"{layer}_untrained_scrambled": decode(untrained_codes["scrambled"]["mean"]),
        "pixels": decode(textures.reshape(len(textures), -1)),
    }
    if layer != "z1" and "z1" in model.latent_dims:
        decoding["z1"] = decode(encode(model, textures, "z1", batch_size, kl=False)["mean"])

    return {
        **selection,
        "active": active.tolist(),
        "n_active": len(active),
        "n_active_untrained": len(active_units(untrained_stats["mean_kl_natural"], kl_threshold)),
        "families": list(families),
        "rule": {
            "layer": layer,
            "active": f"mean KL to the prior over natural patches > {kl_threshold} nats",
            "texture_score": "z(modulation index) + z(family eta^2), z-scores against the untrained model's units",
            "texture_sensitive": f"top {n_units} active units by texture score",
            "non_texture_sensitive": f"bottom {n_units} active units by texture score",
            "contrast_equalized": equalize,
        },
        "units": {
            "trained": {k: v.tolist() for k, v in trained_stats.items()},
            "untrained": {k: v.tolist() for k, v in untrained_stats.items()},
        },
        "decoding": decoding,
    }
