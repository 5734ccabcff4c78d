"""Texture-family decoding from unit responses, cross-validated with folds grouped by image."""

import numpy as np
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


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
    strata: np.ndarray | None = None,
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
    strata : ndarray, optional
        Stratum of each patch (default: its family), recorded per image (its first patch's)
        for bootstraps stratified by family.

    Returns
    -------
    dict
        ``accuracy``, ``chance`` (majority-class share), ``uniform_chance``,
        ``ci_binomial`` and ``ci_bootstrap`` (95 %), ``fold_accuracy``, ``confusion``
        (rows true, columns predicted), ``n``, ``n_images`` and ``per_image`` (correct
        predictions, patches and stratum per image, for paired comparisons); JSON-serializable.
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
    images, first, img_idx = np.unique(image, return_index=True, return_inverse=True)
    stratum = np.unique(family if strata is None else np.asarray(strata), return_inverse=True)[1][first]
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
        "per_image": {"image": images.tolist(), "correct": per_image_correct.astype(int).tolist(),
                      "n": per_image_n.tolist(), "stratum": stratum.tolist()},
    }


def decode_texture_vs_scrambled(texture_features: np.ndarray, scrambled_features: np.ndarray, image: np.ndarray,
                                n_splits: int = 5, seed: int = 0, family: np.ndarray | None = None) -> dict:
    """Cross-validated decoding of "texture or its phase-scrambled twin" (chance 0.5).

    The twins share the amplitude spectrum, so a decoder above chance reads structure beyond
    it. Each image's patches and their twins are in one fold (the labels are balanced within
    every image). Same output as :func:`decode_family`; ``family`` (of each texture patch)
    stratifies the images.
    """
    n = len(texture_features)
    features = np.concatenate([texture_features, scrambled_features]).reshape(2 * n, -1)
    label = np.repeat([0, 1], n)
    strata = None if family is None else np.concatenate([family, family])
    return decode_family(features, label, np.concatenate([image, image]), n_splits, seed, strata=strata)
