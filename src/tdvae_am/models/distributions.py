"""Diagonal Normal and Laplace latents parametrized by a location and a log-variance output.

As in the original TDVAE, a network head outputs ``(loc, logvar)`` and the scale is
``sqrt(exp(logvar))``; the Laplace uses the same map for its scale ``b`` (so its standard
deviation is ``sqrt(2) b``). The tensor-level functions below are the fast path used in
training; each family's ``distribution`` gives the equivalent ``torch.distributions`` object.
A ``None`` prior location/log-variance stands for the standard prior (loc 0, scale 1).
"""

import math

import torch
from torch import Tensor
from torch.distributions import Laplace, Normal
from torch.distributions.kl import _KL_REGISTRY, register_kl

LOG_2PI = math.log(2 * math.pi)


class _LaplaceKL(torch.autograd.Function):
    """Elementwise Laplace KL from ``(loc, log b)`` pairs with a hand-written backward.

    Fewer passes over memory than autograd through the formula (training hot path).
    """

    @staticmethod
    def forward(ctx, m1, s1, m2, s2):
        diff = m1 - m2
        dist = diff.abs()
        inv_b1, inv_b2 = torch.exp(-s1), torch.exp(-s2)
        ratio = torch.exp((s1 - s2).sub_(dist * inv_b1))  # (b1/b2) exp(-|m1-m2|/b1)
        ctx.save_for_backward(diff, dist, inv_b1, inv_b2, ratio)
        return (s2 - s1).add_(dist * inv_b2).add_(ratio).sub_(1)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        diff, dist, inv_b1, inv_b2, ratio = ctx.saved_tensors
        need_m1, need_s1, need_m2, need_s2 = ctx.needs_input_grad
        g_m = grad * diff.sign() * (inv_b2 - ratio * inv_b1) if need_m1 or need_m2 else None
        g_s1 = grad * (ratio * (1 + dist * inv_b1) - 1) if need_s1 else None
        g_s2 = grad * (1 - dist * inv_b2 - ratio) if need_s2 else None
        return g_m if need_m1 else None, g_s1, -g_m if need_m2 else None, g_s2


def laplace_kl(loc_q: Tensor, logvar_q: Tensor, loc_p: Tensor | None, logvar_p: Tensor | None) -> Tensor:
    """Elementwise KL(Lap(m1, b1) || Lap(m2, b2)) from locations and log-variances.

    ``log(b2/b1) + |m1-m2|/b2 + (b1/b2) exp(-|m1-m2|/b1) - 1`` with ``log b = logvar/2``.
    """
    if loc_p is None:
        loc_p = logvar_p = torch.zeros_like(loc_q)
    return _LaplaceKL.apply(loc_q, 0.5 * logvar_q, loc_p, 0.5 * logvar_p)


def normal_kl(loc_q: Tensor, logvar_q: Tensor, loc_p: Tensor | None, logvar_p: Tensor | None) -> Tensor:
    """Elementwise KL(N(m1, s1^2) || N(m2, s2^2)) from locations and log-variances."""
    if loc_p is None:
        return 0.5 * (loc_q.square() + torch.exp(logvar_q) - 1 - logvar_q)
    return 0.5 * (
        logvar_p - logvar_q + (torch.exp(logvar_q) + (loc_q - loc_p).square()) * torch.exp(-logvar_p) - 1
    )


class NormalFamily:
    """Diagonal Normal with standard deviation ``exp(logvar / 2)``.

    A family is a namespace of static functions on ``(loc, logvar)`` tensors: ``rsample``
    (reparametrized sample), ``log_prob`` and ``kl`` (elementwise), ``std`` and
    ``distribution`` (the equivalent ``torch.distributions`` object).
    """

    name = "normal"
    kl = staticmethod(normal_kl)

    @staticmethod
    def rsample(loc, logvar):
        return torch.addcmul(loc, torch.exp(0.5 * logvar), torch.randn_like(loc))

    @staticmethod
    def log_prob(z, loc, logvar):
        if loc is None:
            return -0.5 * (z.square() + LOG_2PI)
        return -0.5 * ((z - loc).square() * torch.exp(-logvar) + logvar + LOG_2PI)

    @staticmethod
    def std(logvar):
        return torch.exp(0.5 * logvar)

    @staticmethod
    def distribution(loc, logvar):
        return Normal(loc, torch.exp(0.5 * logvar))


class LaplaceFamily:
    """Diagonal Laplace with scale ``b = exp(logvar / 2)``."""

    name = "laplace"
    kl = staticmethod(laplace_kl)

    @staticmethod
    def rsample(loc, logvar):
        # inverse CDF as in torch.distributions.Laplace.rsample
        with torch.no_grad():
            u = torch.rand_like(loc).mul_(2).sub_(1).clamp_(min=torch.finfo(loc.dtype).eps - 1)
            eps = u.abs().neg_().log1p_().mul_(u.sign_().neg_())
        return torch.addcmul(loc, torch.exp(0.5 * logvar), eps)

    @staticmethod
    def log_prob(z, loc, logvar):
        if loc is None:
            return -z.abs() - math.log(2)
        log_b = 0.5 * logvar
        return -(z - loc).abs() * torch.exp(-log_b) - log_b - math.log(2)

    @staticmethod
    def std(logvar):
        return math.sqrt(2) * torch.exp(0.5 * logvar)

    @staticmethod
    def distribution(loc, logvar):
        return Laplace(loc, torch.exp(0.5 * logvar))


FAMILIES: dict[str, type] = {f.name: f for f in (NormalFamily, LaplaceFamily)}


if (Laplace, Laplace) not in _KL_REGISTRY:

    @register_kl(Laplace, Laplace)
    def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
        return laplace_kl(p.loc, 2 * p.scale.log(), q.loc, 2 * q.scale.log())
