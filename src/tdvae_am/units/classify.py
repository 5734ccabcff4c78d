"""Classification of z2 units: activity, texture-family decoding and texture sensitivity.

Rules (the defaults of :func:`classify_units`, declared before the default-scale results):

- **Active**: a unit is active when the Gaussian estimate of its information about the
  input, ``0.5 log((Var_x mu + E_x sigma^2) / E_x sigma^2)`` over natural patches, exceeds a
  threshold: ``info_threshold`` (0.05 nats), raised where needed so that at most
  ``max_untrained_active`` (2) units of the untrained model (same architecture and seed)
  pass it. Collapsed units have posterior means that hardly vary and a posterior std near
  the prior's (paper Sec. 3.1); the KL to the prior, reported too, also grows when a
  posterior is merely offset, so it does not decide. The same statistics are reported per
  texture family.
- **Texture sensitivity**, on contrast-equalized texture patches and their phase-scrambled
  twins (same amplitude spectrum, random phases): the *gain* ``eta^2(textures) -
  eta^2(scrambled)`` of the unit's posterior means (family information beyond the amplitude
  spectrum), against a permutation null that swaps texture and twin within random pairs
  (:func:`~tdvae_am.units.sensitivity.phase_sensitivity`).
- **Selection** (:func:`~tdvae_am.units.selection.select_units`): texture-sensitive units are
  active with a gain significant at family-wise 0.05 (Holm over the active units), largest
  gain first; non-texture-sensitive units are active at the null level (p >= 0.05), most
  informative first; every candidate of each class, or ``n_units`` per class at most when
  it is a number. With fewer candidates a class is shorter; only ``fallback`` (the smoke
  scale) fills it from inactive units (up to ``n_units``, or 2 when it is None), flagged.
- **Decoding**: multinomial logistic regression on standardized features, cross-validated
  with folds grouped by synthesized image (stratified by family), so overlapping crops of
  one image never straddle a fold; accuracy with the majority-class chance level, an exact
  binomial interval, an image-level bootstrap interval, and per-image counts for paired
  comparisons between decoders. ``decoding_phase`` decodes "texture or its scrambled twin".
"""

import functools

import numpy as np

from tdvae_am.models import LatentVariableModel

from .activity import active_units, activity, encode, information_threshold
from .decoding import decode_family, decode_texture_vs_scrambled
from .selection import fill_target, select_units
from .sensitivity import equalize_contrast, phase_sensitivity, texture_sensitivity


def _unit_statistics(model, natural, textures, scrambled, family, layer, batch_size, n_permutations, seed):
    codes = {
        "natural": encode(model, natural, layer, batch_size),
        "textures": encode(model, textures, layer, batch_size),
        "scrambled": encode(model, scrambled, layer, batch_size),
    }
    natural_stats = activity(codes["natural"])
    per_family = [activity({k: v[family == f] for k, v in codes["textures"].items()}) for f in np.unique(family)]
    out = {f"{k}_natural": v for k, v in natural_stats.items()}
    out |= {f"{k}_family": np.stack([s[k] for s in per_family]) for k in natural_stats}
    out |= texture_sensitivity(codes["textures"], codes["scrambled"], family)
    out |= phase_sensitivity(codes["textures"]["mean"], codes["scrambled"]["mean"], family, n_permutations, seed)
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
    info_threshold: float = 0.05,
    max_untrained_active: int = 2,
    n_units: int | None = None,
    alpha: float = 0.05,
    n_permutations: int = 2000,
    fallback: bool = False,
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
        Family index and synthesized-image index (global) of each texture patch.
    families : list of str, optional
        Family names (default: the indices as strings).
    layer : str
        Latent layer whose units are classified.
    info_threshold, max_untrained_active : float, int
        Activity threshold (nats) and the most untrained units allowed above it.
    n_units, alpha, n_permutations, fallback
        See :func:`~tdvae_am.units.selection.select_units` and
        :func:`~tdvae_am.units.sensitivity.phase_sensitivity`.
    equalize : bool
        Equalize texture and scrambled patches to the natural patches' RMS contrast first.
    n_splits, seed : int
        Cross-validation folds; seed of the decoding and of the permutations.
    batch_size : int
        Patches per forward pass.

    Returns
    -------
    dict
        JSON-serializable: ``texture_sensitive``, ``non_texture_sensitive``, ``fallback``,
        ``candidates``, ``active``, ``n_active``, ``n_active_untrained``, ``threshold``,
        ``families``, ``rule``, ``units`` (per-unit statistics of the trained and the
        untrained model; ``*_family`` entries are ``(families, units)``), ``decoding``
        (family from ``z2`` of the trained and untrained model on textures and on scrambled
        twins, ``z1`` and ``pixels``) and ``decoding_phase`` (texture vs twin from ``z2``,
        untrained ``z2`` and ``pixels``).
    """
    family, image = np.asarray(family), np.asarray(image)
    natural = np.asarray(natural, dtype=np.float32)
    textures, scrambled = np.asarray(textures, dtype=np.float32), np.asarray(scrambled, dtype=np.float32)
    if equalize:
        rms = float(np.sqrt(np.mean(natural**2)))
        textures, scrambled = equalize_contrast(textures, rms), equalize_contrast(scrambled, rms)
    families = families or [str(f) for f in np.unique(family)]

    statistics = functools.partial(_unit_statistics, natural=natural, textures=textures, scrambled=scrambled,
                                   family=family, layer=layer, batch_size=batch_size,
                                   n_permutations=n_permutations, seed=seed)
    trained_stats, codes = statistics(model)
    untrained_stats, untrained_codes = statistics(untrained)
    threshold = information_threshold(untrained_stats["information_natural"], info_threshold, max_untrained_active)
    active = active_units(trained_stats["information_natural"], threshold)
    selection = select_units(trained_stats["gain"], trained_stats["p_value"], trained_stats["information_natural"],
                             active, n_units, alpha, fallback)
    trained_stats["p_holm"] = selection.pop("p_holm")
    cut = "all" if n_units is None else f"at most {n_units}"

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
    phase = functools.partial(decode_texture_vs_scrambled, image=image, n_splits=n_splits, seed=seed, family=family)
    decoding_phase = {
        f"{layer}": phase(codes["textures"]["mean"], codes["scrambled"]["mean"]),
        f"{layer}_untrained": phase(untrained_codes["textures"]["mean"], untrained_codes["scrambled"]["mean"]),
        "pixels": phase(textures.reshape(len(textures), -1), scrambled.reshape(len(scrambled), -1)),
    }

    return {
        **selection,
        "active": active.tolist(),
        "n_active": len(active),
        "n_active_untrained": len(active_units(untrained_stats["information_natural"], threshold)),
        "threshold": threshold,
        "families": list(families),
        "rule": {
            "layer": layer,
            "active": f"Gaussian information over natural patches > {threshold:.4g} nats ({info_threshold} nats, "
                      f"raised so that at most {max_untrained_active} untrained units pass)",
            "texture_sensitive": f"active, gain eta^2(textures) - eta^2(scrambled) above the swap-permutation null "
                                 f"({n_permutations} permutations), Holm-adjusted p < {alpha}; largest gain first, "
                                 f"{cut}",
            "non_texture_sensitive": f"active, uncorrected p >= {alpha}; most informative first, {cut}",
            "fallback": (f"short classes filled from inactive units up to {fill_target(n_units)} (smoke scale only)"
                         if fallback else "none"),
            "contrast_equalized": equalize,
        },
        "units": {
            "trained": {k: v.tolist() for k, v in trained_stats.items()},
            "untrained": {k: v.tolist() for k, v in untrained_stats.items()},
        },
        "decoding": decoding,
        "decoding_phase": decoding_phase,
    }
