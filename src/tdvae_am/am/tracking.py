"""Tracking and validation: per-iteration traces, the best iterate, the success flag.

Per iteration and chain the :class:`Tracker` records the objective, the activation of
the chain's own unit and the largest activation among the other units of the layer
(both averaged over the chain's samples, as seen in the step, i.e. after R_pre), the
ELBO (when an ``elbo`` callable is given), the raw value of each R_obj term, with a
weighted ELBO term ``elbo_grad_ratio`` (norm of the weighted ELBO term's gradient over that
of the activation's, with respect to the optimized parameters), statistics of the
representative images (mean, std, fraction of power above 0.25 cycles/pixel) and
parametrization extras (e.g. the mean learned std). The best iterate by own-unit activation is kept as a copy,
and so are the images after each of the requested ``snapshots`` iterations.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from tdvae_am.imageops.fourier import HF_CUTOFF, high_frequency_power

from .spec import Number, Spec


class Tracker:
    """Collects traces and the best images of N chains.

    Parameters
    ----------
    n_chains : int
    snapshots : sequence of int
        Iteration counts k at which to keep a copy of the images (those after k steps).
    """

    def __init__(self, n_chains: int, snapshots=()):
        self.n_chains = n_chains
        self.snapshot_steps = sorted(set(int(k) for k in snapshots))
        self.snapshots: dict = {}
        self.traces: dict = {}
        self.best_activation = None
        self.best_images = None
        self.best_step = None

    def record(self, t: int, values: dict, images: torch.Tensor) -> None:
        """Record one iteration.

        Parameters
        ----------
        t : int
            Iteration index.
        values : dict of str -> Tensor (N,)
            Must contain ``"activation"``; every entry becomes a trace.
        images : Tensor (N, K, H, W)
            The representative images that produced ``values`` (before the update).
        """
        if t in self.snapshot_steps:
            self.snapshots[t] = images.detach().clone()
        flat = images.flatten(2)
        values = {**values,
                  "image_mean": flat.mean(dim=(1, 2)),
                  "image_std": flat.std(dim=2).mean(1),
                  "hf_power": high_frequency_power(images, HF_CUTOFF).mean(1)}
        for name, value in values.items():
            self.traces.setdefault(name, []).append(value.detach())
        act = values["activation"].detach()
        if self.best_images is None:
            self.best_activation, self.best_images = act.clone(), images.detach().clone()
            self.best_step = torch.zeros(self.n_chains, dtype=torch.long, device=act.device)
            return
        better = act > self.best_activation
        self.best_activation = torch.where(better, act, self.best_activation)
        self.best_images = torch.where(better[:, None, None, None], images.detach(), self.best_images)
        self.best_step = torch.where(better, torch.full_like(self.best_step, t), self.best_step)

    def arrays(self) -> dict:
        """Traces as numpy arrays of shape (T, N)."""
        return {name: torch.stack(vals).cpu().numpy() for name, vals in self.traces.items()}


class SuccessRule(Spec):
    """When an AM run counts as successful (paper Sec. 3.8.1).

    ``success = converged and high and others_low`` per chain, where, with ``a`` the
    own-unit activation trace (length T), ``w = max(2, ceil(window * T))``, ``m1`` the
    mean of the last ``w`` values, ``m0`` the mean of the ``w`` before them and
    ``rise = max(|m1 - a[0]|, atol)``:

    * converged: ``T >= 4``, ``|m1 - m0| <= drift_tol * rise`` (not still rising or
      falling) and ``std(last w) <= spread_tol * rise`` (not oscillating);
    * high: the final activation (clean, on the representative images) is at least
      ``min_activation`` and above ``a[0]``;
    * others_low: the largest activation among the other units of the layer, on the
      same images, is at most ``other_ratio`` times the final activation.

    Parameters
    ----------
    window, drift_tol, spread_tol, min_activation, other_ratio, atol : float
    """

    window: Number = 0.1
    drift_tol: Number = 0.05
    spread_tol: Number = 0.1
    min_activation: Number = 1.0
    other_ratio: Number = 0.5
    atol: Number = 1e-6

    def evaluate(self, trace: np.ndarray, final: np.ndarray, max_other: np.ndarray) -> dict:
        """Apply the rule.

        Parameters
        ----------
        trace : array (T, N)
            Own-unit activation per iteration.
        final, max_other : array (N,)
            Final own-unit activation and largest other-unit activation.

        Returns
        -------
        dict of str -> bool array (N,)
            ``converged``, ``high``, ``others_low``, ``success``.
        """
        n_steps = trace.shape[0]
        if n_steps >= 4:
            w = min(max(2, math.ceil(self.window * n_steps)), n_steps // 2)
            last, prev = trace[-w:], trace[-2 * w:-w]
            rise = np.maximum(np.abs(last.mean(0) - trace[0]), self.atol)
            converged = ((np.abs(last.mean(0) - prev.mean(0)) <= self.drift_tol * rise)
                         & (last.std(0) <= self.spread_tol * rise))
            start = trace[0]
        else:
            converged = np.zeros(final.shape, dtype=bool)
            start = np.full(final.shape, -np.inf)
        high = (final >= self.min_activation) & (final > start)
        others_low = ~(max_other > self.other_ratio * final)
        return {"converged": converged, "high": high, "others_low": others_low,
                "success": converged & high & others_low}
