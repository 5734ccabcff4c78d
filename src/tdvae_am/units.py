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
import warnings

import numpy as np
import torch
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tdvae_am.evaluation import as_patch_tensor
from tdvae_am.models import LatentVariableModel


@torch.no_grad()
def encode(
    model: LatentVariableModel, patches, layer: str = "z2", batch_size: int = 512, kl: bool = True
) -> dict[str, np.ndarray]:
    """Posterior means, standard deviations and (optionally) per-unit KL to the prior, ``(N, D)`` each.

    Means are those of :meth:`LatentVariableModel.posterior_moments`; the KL is
    :meth:`LatentVariableModel.kl_per_unit` (for z1 of the TDVAE, at the z2 posterior mean).
    """
    device = next(model.parameters()).device
    x = as_patch_tensor(patches, device)
    out = {"mean": [], "std": [], "kl": []} if kl else {"mean": [], "std": []}
    for i in range(0, len(x), batch_size):
        mean, std = model.posterior_moments(x[i : i + batch_size], layer)
        out["mean"].append(mean)
        out["std"].append(std)
        if kl:
            out["kl"].append(model.kl_per_unit(x[i : i + batch_size], layer))
    return {k: torch.cat(v).cpu().numpy() for k, v in out.items()}


def activity(codes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-unit variance of posterior means, mean posterior std and mean KL over patches."""
    return {
        "var_mean": codes["mean"].var(0, dtype=np.float64),
        "mean_std": codes["std"].mean(0, dtype=np.float64),
        "mean_kl": codes["kl"].mean(0, dtype=np.float64),
    }


def active_units(mean_kl: np.ndarray, threshold: float = 0.1) -> np.ndarray:
    """Indices of units whose mean KL to the prior exceeds ``threshold`` nats."""
    return np.flatnonzero(mean_kl > threshold)


def equalize_contrast(patches: np.ndarray, rms: float = 1.0) -> np.ndarray:
    """Remove each patch's mean and scale it to root-mean-square ``rms``."""
    p = np.asarray(patches, dtype=np.float64)
    p = p - p.mean(axis=(-2, -1), keepdims=True)
    norm = np.sqrt((p**2).mean(axis=(-2, -1), keepdims=True))
    return (p * (rms / np.maximum(norm, 1e-12))).astype(np.float32)


def eta_squared(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One-way ANOVA effect size per column: between-group over total sum of squares."""
    values = np.asarray(values, dtype=np.float64)
    classes, idx = np.unique(labels, return_inverse=True)
    onehot = np.eye(len(classes))[idx]
    counts = onehot.sum(0)
    group_means = onehot.T @ values / counts[:, None]
    centered = values - values.mean(0)
    between = (counts[:, None] * (group_means - values.mean(0)) ** 2).sum(0)
    return between / np.maximum((centered**2).sum(0), 1e-300)


def modulation_index(texture_means: np.ndarray, scrambled_means: np.ndarray) -> np.ndarray:
    """``(var_tex - var_scr) / (var_tex + var_scr)`` per unit, from ``(N, D)`` posterior means."""
    v_tex, v_scr = texture_means.var(0, dtype=np.float64), scrambled_means.var(0, dtype=np.float64)
    return (v_tex - v_scr) / np.maximum(v_tex + v_scr, 1e-300)


def against_reference(values: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """z-score and percentile (0-100) of ``values`` within the ``reference`` distribution."""
    z = (values - reference.mean()) / max(reference.std(), 1e-12)
    percentile = 100 * np.searchsorted(np.sort(reference), values, side="right") / len(reference)
    return z, percentile


def image_folds(family: np.ndarray, image: np.ndarray, n_splits: int = 5, seed: int = 0) -> list:
    """Train/test index pairs with every image's patches in one fold, stratified by family.

    ``n_splits`` is lowered to the smallest number of images of a family if needed.
    """
    images_per_family = [len(np.unique(image[family == f])) for f in np.unique(family)]
    n_splits = min(n_splits, min(images_per_family))
    if n_splits < 2:
        raise ValueError("grouped cross-validation needs at least 2 images per family")
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(family)), family, groups=image))


def decode_family(
    features: np.ndarray,
    family: np.ndarray,
    image: np.ndarray,
    n_splits: int = 5,
    seed: int = 0,
    C: float = 1.0,
    n_bootstrap: int = 2000,
) -> dict:
    """Cross-validated texture-family decoding accuracy from ``(N, F)`` features.

    Parameters
    ----------
    features : ndarray
        One row per patch (posterior means, pixels, ...).
    family, image : ndarray
        Family label and synthesized-image index of each patch (folds group by image).
    n_splits, seed : int
        Folds and the seed of the fold assignment and of the bootstrap.
    C : float
        Inverse L2 regularization strength of the logistic regression.
    n_bootstrap : int
        Image-level bootstrap resamples of the interval.

    Returns
    -------
    dict
        ``accuracy``, ``chance`` (majority-class share), ``uniform_chance``,
        ``ci_binomial`` and ``ci_bootstrap`` (95 %), ``fold_accuracy``, ``confusion``
        (rows true, columns predicted), ``n``, ``n_images``; JSON-serializable.
    """
    family, image = np.asarray(family), np.asarray(image)
    classes, true_idx = np.unique(family, return_inverse=True)
    predicted = np.empty_like(family)
    folds = image_folds(family, image, n_splits, seed)
    fold_accuracy = []
    for train, test in folds:
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
        clf.fit(features[train], family[train])
        predicted[test] = clf.predict(features[test])
        fold_accuracy.append(float((predicted[test] == family[test]).mean()))
    correct = predicted == family
    n, k = len(family), int(correct.sum())
    ci = stats.binomtest(k, n).proportion_ci(0.95)
    _, img_idx = np.unique(image, return_inverse=True)
    per_image_correct = np.bincount(img_idx, weights=correct)
    per_image_n = np.bincount(img_idx)
    draw = np.random.default_rng(seed).integers(0, len(per_image_n), (n_bootstrap, len(per_image_n)))
    boot = per_image_correct[draw].sum(1) / per_image_n[draw].sum(1)
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    np.add.at(confusion, (true_idx, np.searchsorted(classes, predicted)), 1)
    return {
        "accuracy": k / n,
        "chance": float(np.bincount(true_idx).max() / n),
        "uniform_chance": 1 / len(classes),
        "ci_binomial": [float(ci.low), float(ci.high)],
        "ci_bootstrap": np.quantile(boot, [0.025, 0.975]).tolist(),
        "fold_accuracy": fold_accuracy,
        "confusion": confusion.tolist(),
        "n": n,
        "n_images": len(per_image_n),
        "n_splits": len(folds),
    }


def texture_sensitivity(
    textures: dict[str, np.ndarray], scrambled: dict[str, np.ndarray], family: np.ndarray
) -> dict[str, np.ndarray]:
    """Modulation index and family selectivity (on textures and scrambled twins) per unit."""
    return {
        "modulation": modulation_index(textures["mean"], scrambled["mean"]),
        "selectivity": eta_squared(textures["mean"], family),
        "selectivity_scrambled": eta_squared(scrambled["mean"], family),
    }


def select_units(score: np.ndarray, active: np.ndarray, mean_kl: np.ndarray, n_units: int = 5) -> dict:
    """The ``n_units`` highest- and lowest-scoring active units (fallback: highest KL).

    Returns
    -------
    dict
        ``texture_sensitive`` (highest score first), ``non_texture_sensitive`` (lowest
        first), ``fallback`` (True when fewer than ``2 n_units`` units were active).
    """
    if len(score) < 2 * n_units:
        raise ValueError(f"cannot choose 2 x {n_units} distinct units among {len(score)}")
    candidates, fallback = np.asarray(active), len(active) < 2 * n_units
    if fallback:
        warnings.warn(
            f"only {len(active)} active units; choosing among the {2 * n_units} units of largest KL", stacklevel=2
        )
        candidates = np.argsort(-mean_kl, kind="stable")[: 2 * n_units]
    ranked = candidates[np.argsort(-score[candidates], kind="stable")]
    return {
        "texture_sensitive": ranked[:n_units].tolist(),
        "non_texture_sensitive": ranked[::-1][:n_units].tolist(),
        "fallback": bool(fallback),
    }


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
