"""The studied units: the texture-sensitive and non-texture-sensitive classes."""

import warnings

import numpy as np


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
