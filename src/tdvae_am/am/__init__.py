"""Activation maximization (AM) as a model-agnostic library.

Design
------
A run optimizes N = units x restarts independent *chains* in one batch. The model
enters only through a :class:`Target` of callables: ``activation(x) -> (B, n_units)`` on
images ``x (B, H, W)``, optionally ``elbo(x) -> (B,)`` and ``decode(z, sample) -> (B, H, W)``.
One step (:meth:`run.AMRun.step`) is the paper's

    x <- R_post( x + R_grad( e1 * d a(R_pre(x)) / dx ) + e2 * d R_obj(x) / dx )

with each stage a list of small operations:

=============================  =====================================================
``parametrizations``           what is optimized: a source (pixels, transformed input,
                               latent code) and a head (identity, distribution), named
                               pixel, distribution, transformation,
                               transformation_distribution, generator
``pre``  (R_pre)               jitter, scale, rotate, normalize (differentiable)
``grad`` (R_grad)              fourier, blur (activation gradient of image params)
``objectives`` (R_obj)         elbo, tv, lp, diversity (weighted objective terms)
``post`` (R_post)              blur, bilateral, tv, normalize, clip (no grad)
``optimizers``                 sgd, rmsprop, adam, mei + learning-rate schedules
``budget``                     fixed L2 norm / std of the reported images
``tracking``                   traces (with the ELBO / activation gradient ratio when an
                               ELBO term is weighted; summary: its start and mean, and the
                               ELBO weight), best iterate (a copy), success rule
``result``                     :class:`AMResult`, saved as .npz + .json
=============================  =====================================================

Config format
-------------
A plain dict (or YAML mapping); every key is optional::

    {
      "parametrization": {"name": "pixel", "n_samples": 1, "init_scale": 1.0},
      "shape": [40, 40],
      "steps": 150,
      "budget": {"norm": "std", "value": 1.0},          # or None
      "pre":  [{"name": "jitter", "shift": 3}],
      "grad": [{"name": "fourier", "exponent": 0.05}],
      "obj":  [{"name": "elbo", "weight": 0.5, "sign": "paper_intent"},   # or "calibrate": 1.0
               {"name": "diversity", "metric": "correlation", "weight": 0.1}],
      "post": [{"name": "blur", "sigma": {"schedule": "linear", "start": 1.0, "end": 0.0}}],
      "optimizer": {"name": "rmsprop", "lr": 0.01,
                    "schedule": {"name": "step", "step_size": 50, "gamma": 0.5}},
      "success": {"min_activation": 1.0, "other_ratio": 0.5},
      "track_elbo": true,
      "progress": false
    }

Operation and term entries are ``{"name": ..., **options}``; numeric strengths may be
schedules (:mod:`tdvae_am.am.schedules`). The ELBO term takes either a ``weight`` or
``calibrate: r`` (> 0): the weight that makes the median over the run's chains of the ELBO /
activation gradient ratio equal ``r`` at iteration 0, fixed for the run (summary
``elbo_weight``; see :mod:`tdvae_am.am.objectives`). Numbers may be written as ``1e-2`` (YAML 1.1
strings, read as numbers). Every component is a typed model (:mod:`tdvae_am.am.spec`) that
declares its options once; :func:`parse_config` rejects an unknown key or name (with the closest
valid one), an option out of its range, and R_grad or R_post on a parametrization without image
parameters (generator), naming the key path. The
``parametrization`` entry picks the method::

    {"name": "pixel", "n_samples": 5}
    {"name": "distribution", "family": "normal", "n_samples": 128, "std": 0.6, "learn_std": False}
    {"name": "transformation", "kernel_size": 9, "hidden": []}          # one linear conv
    {"name": "transformation_distribution", "kernel_size": 11, "std": 0.6, "n_samples": 32}
    {"name": "generator", "dim": 250, "init": "onehot", "value": 5.0, "sample": True, "n_samples": 8,
     "x_noise": 0.4}                                       # z1 and x sampled

and ``{"parametrization": {"name": "generator", "init": "onehot", "value": 10.0, ...},
"steps": 0}`` is one-hot synthesis without optimization. Usage with a model such as
``tdvae_am.models.TDVAE``::

    from tdvae_am.am import Target, run_am
    target = Target(activation=lambda x: model.posterior_moments(x, "z2")[0], elbo=model.elbo,
                    decode=lambda z, sample: model.decode(z, "z2", sample=sample))
    result = run_am(target, [10, 214], config, n_restarts=4, seed=0)
    result.save("results/am/pixel_jitter")      # .npz + .json

A bare activation callable stands for ``Target(activation)``.
"""

from .config import load_config, parse_config
from .errors import AMError
from .optimizers import MEI
from .result import AMResult
from .run import AMRun, build_run, run_am
from .target import Target

__all__ = ["AMError", "AMResult", "AMRun", "MEI", "Target", "build_run", "load_config", "parse_config", "run_am"]
