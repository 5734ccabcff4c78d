"""One registry run on a trained model: the model's activation, ELBO and decoder as AM
targets, the initial codes of one-hot synthesis, and the studied units of results/units.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from tdvae_am.am import AMResult, Target, run_am
from tdvae_am.analysis.robustness import jitter_activation
from tdvae_am.models import LatentVariableModel

# evaluation protocol of every run's jitter-averaged activation: random circular shifts of up
# to JITTER_SHIFT pixels (the jitter of the registry's R_pre experiments), JITTER_DRAWS per chain
JITTER_SHIFT, JITTER_DRAWS = 3, 32


def model_callables(model, space: str = "z2", layer: str = "z2") -> Target:
    """The AM target of a trained model: the posterior means of ``layer``, the ELBO, and the
    decoder from codes of ``space``."""
    return Target(activation=lambda x: model.posterior_moments(x, layer)[0], elbo=model.elbo,
                  decode=lambda z, sample: model.decode(z, space, sample=sample))


def initial_codes(model, run: dict, units: Sequence[int]):
    """The ``init`` array of a run (None when the parametrization initializes itself)."""
    if run["init"] is None:
        return None
    value = float(run["am"]["parametrization"].get("value", 5.0))      # may be a string such as '1e1'
    dim = model.latent_dims["z2"]
    z2 = value * torch.nn.functional.one_hot(torch.as_tensor(list(units)), dim).float()
    with torch.no_grad():
        return model.generative.z1_from(z2.to(next(model.parameters()).device), "z2", False)


def run_experiment(model, run: dict, units: Sequence[int], *, restarts: int, seed: int,
                   device="cpu", progress: bool = False) -> AMResult:
    """Run one resolved experiment variant (see :func:`resolve_run`) on ``model``."""
    for p in model.parameters():
        p.requires_grad_(False)
    target = model_callables(model, run["space"])
    result = run_am(target, units, run["am"], n_restarts=restarts, seed=seed,
                    device=device, init=initial_codes(model, run, units), progress=progress)
    result.summary.update({k: run[k] for k in ("experiment", "variant", "label", "title", "sweep", "space")})
    u, r = result.images.shape[:2]
    images = torch.as_tensor(result.images[:, :, 0], device=device).reshape(u * r, *result.images.shape[-2:])
    with torch.no_grad():
        jittered = jitter_activation(target.activation, images, np.repeat(result.units, r).tolist(),
                                     JITTER_SHIFT, JITTER_DRAWS, seed)
    result.summary["final_activation_jitter"] = jittered.mean(1).reshape(u, r).tolist()
    return result


def unit_classes(units: dict) -> dict:
    """``{z2 index: class}`` of the studied units, texture-sensitive first."""
    return {**{u: "texture_sensitive" for u in units["texture_sensitive"]},
            **{u: "non_texture_sensitive" for u in units["non_texture_sensitive"]}}


def studied_units(units: dict) -> list:
    """The studied z2 units in figure order: texture-sensitive, then non-texture-sensitive."""
    return list(unit_classes(units))


def load_study(model_path, units_path, device="cpu") -> tuple:
    """The trained model (eval mode, on ``device``) and the studied units, in figure order."""
    model = LatentVariableModel.load(model_path, map_location=device).eval()
    return model, studied_units(json.loads(Path(units_path).read_text()))
