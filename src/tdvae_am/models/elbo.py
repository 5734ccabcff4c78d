"""The evidence lower bound, its beta weights and warm-up, and the importance-weighted bound.

All quantities are in nats per patch: summed over pixels and latent dimensions, one value
per example; batch losses are means over the actual batch.
"""

import math
from dataclasses import dataclass

import torch
from torch import Tensor

BETA_OF_LAYER = {"z1": "beta_z", "z2": "beta_y"}


@dataclass
class ELBOTerms:
    """Per-example terms of a one-sample ELBO.

    Attributes
    ----------
    reconstruction : Tensor
        ``log p(x|z1)`` at one posterior sample, shape ``(B,)``.
    kl : dict of str to Tensor
        Analytic KL of each latent layer's posterior to its prior, shape ``(B,)`` each;
        z1's KL is weighted by ``beta_z`` and z2's by ``beta_y``.
    """

    reconstruction: Tensor
    kl: dict[str, Tensor]

    def elbo(self, beta_z: float = 1.0, beta_y: float = 1.0) -> Tensor:
        """Per-example (beta-weighted) ELBO, shape ``(B,)``."""
        betas = {"beta_z": beta_z, "beta_y": beta_y}
        out = self.reconstruction
        for layer, kl in self.kl.items():
            out = out - betas[BETA_OF_LAYER[layer]] * kl
        return out

    def loss(self, beta_z: float = 1.0, beta_y: float = 1.0) -> Tensor:
        """Negative weighted ELBO averaged over the batch (scalar)."""
        return -self.elbo(beta_z, beta_y).mean()


@dataclass(frozen=True)
class BetaWarmup:
    """``beta_y`` schedule keyed to optimizer steps.

    ``start`` until ``warmup_start``, then linear to ``final`` at ``warmup_end``, then
    ``final``. The original held 0.1 for 500 epochs, then rose to 1.25.
    """

    start: float = 0.1
    final: float = 1.25
    warmup_start: int = 0
    warmup_end: int = 0

    def __call__(self, step: int) -> float:
        if step >= self.warmup_end:
            return self.final
        if step < self.warmup_start:
            return self.start
        frac = (step - self.warmup_start) / (self.warmup_end - self.warmup_start)
        return self.start + frac * (self.final - self.start)


def iwae(model, x: Tensor, k: int, chunk: int = 64) -> Tensor:
    """Importance-weighted estimate of ``log p(x)`` with ``k`` samples, shape ``(B,)``.

    ``log (1/k) sum_i p(x, z_i) / q(z_i|x)`` with ``z_i ~ q(z|x)``; a lower bound that
    increases with ``k`` towards ``log p(x)`` (``k = 1`` is the ELBO in expectation). The
    samples are drawn ``chunk`` at a time and combined by a running log-sum-exp.

    Parameters
    ----------
    model : LatentVariableModel
        Supplies ``log_weights(x, n)`` of shape ``(n, B)``.
    x : Tensor
        Patches, ``(B, 40, 40)`` or ``(B, 1600)``.
    k, chunk : int
        Number of importance samples, and samples per forward pass.
    """
    total = None
    for start in range(0, k, chunk):
        lse = torch.logsumexp(model.log_weights(x, min(chunk, k - start)), dim=0)
        total = lse if total is None else torch.logaddexp(total, lse)
    return total - math.log(k)
