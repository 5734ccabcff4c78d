import math

import pytest
import torch
from torch.distributions import Laplace, Normal, kl_divergence

from tdvae_am.models.distributions import FAMILIES, LaplaceFamily, NormalFamily, laplace_kl, normal_kl

# (loc_q, scale_q, loc_p, scale_p)
PAIRS = torch.tensor([[0.3, 0.7, -0.5, 1.6], [0.0, 1.0, 0.0, 1.0], [2.0, 0.2, 1.5, 0.5], [-1.0, 2.0, 0.5, 0.4]])


def test_laplace_kl_matches_monte_carlo():
    torch.manual_seed(0)
    q = Laplace(PAIRS[:, 0], PAIRS[:, 1])
    p = Laplace(PAIRS[:, 2], PAIRS[:, 3])
    z = q.sample((400_000,))
    log_ratio = q.log_prob(z) - p.log_prob(z)
    mc, sem = log_ratio.mean(0), log_ratio.std(0) / math.sqrt(len(z))
    closed = laplace_kl(q.loc, 2 * q.scale.log(), p.loc, 2 * p.scale.log())
    assert torch.all((closed - mc).abs() <= 4 * sem + 1e-6)
    assert torch.allclose(closed, kl_divergence(q, p), atol=1e-6)
    assert closed[1] == pytest.approx(0.0, abs=1e-7)


def test_laplace_kl_standard_prior_is_the_general_formula():
    loc, logvar = torch.tensor([0.4, -2.0]), torch.tensor([-1.0, 0.5])
    assert torch.allclose(laplace_kl(loc, logvar, None, None), laplace_kl(loc, logvar, torch.zeros(2), torch.zeros(2)))


def test_normal_kl_matches_torch():
    q = Normal(PAIRS[:, 0], PAIRS[:, 1])
    p = Normal(PAIRS[:, 2], PAIRS[:, 3])
    assert torch.allclose(normal_kl(q.loc, 2 * q.scale.log(), p.loc, 2 * p.scale.log()), kl_divergence(q, p), atol=1e-6)
    std = Normal(0.0, 1.0)
    assert torch.allclose(normal_kl(q.loc, 2 * q.scale.log(), None, None), kl_divergence(q, std), atol=1e-6)


@pytest.mark.parametrize("family", [NormalFamily, LaplaceFamily])
def test_family_matches_torch_distribution(family):
    torch.manual_seed(1)
    loc, logvar = torch.randn(5), torch.randn(5)
    dist = family.distribution(loc, logvar)
    z = torch.randn(5)
    assert torch.allclose(family.log_prob(z, loc, logvar), dist.log_prob(z), atol=1e-6)
    assert torch.allclose(family.std(logvar), dist.stddev)
    standard = family.distribution(torch.zeros(5), torch.zeros(5))
    assert torch.allclose(family.log_prob(z, None, None), standard.log_prob(z), atol=1e-6)
    samples = family.rsample(loc.expand(200_000, 5), logvar.expand(200_000, 5))
    assert torch.allclose(samples.mean(0), dist.mean, atol=0.02 * dist.stddev.max())
    assert torch.allclose(samples.std(0), dist.stddev, rtol=0.02)
    assert FAMILIES[family.name] is family


def test_rsample_is_differentiable():
    loc, logvar = torch.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    LaplaceFamily.rsample(loc, logvar).sum().backward()
    assert loc.grad is not None and torch.all(logvar.grad != 0)


def test_laplace_kl_gradient():
    torch.manual_seed(0)
    args = [torch.randn(3, 4, dtype=torch.double, requires_grad=True) for _ in range(4)]
    assert torch.autograd.gradcheck(laplace_kl, args)
    assert torch.autograd.gradcheck(lambda m, v: laplace_kl(m, v, None, None), args[:2])
