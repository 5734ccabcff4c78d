import json
import math

import numpy as np
import pytest
import torch
from torch.distributions import Normal

from tdvae_am.models import TDVAE, BetaWarmup, ELBOTerms, SparseVAE, iwae
from tdvae_am.train.evaluation import evaluate


def near_deterministic(model):
    """Push every posterior log-variance to -30 so that samples equal the means."""
    with torch.no_grad():
        for module in model.modules():
            if hasattr(module, "dim") and hasattr(module, "linear"):
                module.linear.weight[module.dim :] = 0
                module.linear.bias[module.dim :] = -30
    return model


def test_elbo_is_a_per_example_mean_for_any_batch_size(small_model):
    near_deterministic(small_model)
    x = torch.randn(13, 4, 4)
    whole = small_model.terms(x)
    assert whole.loss().item() == pytest.approx(-whole.elbo().mean().item(), rel=1e-6)
    parts = torch.cat([small_model.elbo(x[:1]), small_model.elbo(x[1:6]), small_model.elbo(x[6:])])
    assert torch.allclose(parts, whole.elbo(), rtol=1e-5)
    assert torch.allclose(torch.stack([small_model.terms(x[i : i + 1]).loss() for i in range(13)]).mean(), whole.loss())


def test_decoder_log_likelihood_is_the_gaussian_one():
    torch.manual_seed(0)
    model = SparseVAE(x_dim=16, z1_dim=6, hidden=[8])
    x, z = torch.randn(4, 16), torch.randn(4, 6)
    dec = model.generative.decoder
    expected = Normal(dec(z), 0.4).log_prob(x).sum(-1)
    assert torch.allclose(dec.log_prob(x, z), expected, atol=1e-4)


def test_sparse_vae_elbo_with_fixed_posterior_has_its_closed_form():
    """q(z|x) = Lap(m, b) independent of x: E_q log N(x; A z + c, s^2) and the KL are analytic."""
    torch.manual_seed(0)
    d_x, d_z, s = 16, 6, 0.4
    model = SparseVAE(x_dim=d_x, z1_dim=d_z, hidden=[8])
    m, b = torch.linspace(-1, 1, d_z), torch.linspace(0.2, 1.5, d_z)
    head = model.q_z1[1].linear
    with torch.no_grad():
        head.weight.zero_()
        head.bias.copy_(torch.cat([m, 2 * b.log()]))
    x = torch.randn(1, d_x)
    a, c = model.generative.decoder.linear.weight.double(), model.generative.decoder.linear.bias.double()
    xd, md, bd = x[0].double(), m.double(), b.double()
    # E||x - A z - c||^2 = ||x - A m - c||^2 + sum_j ||A_j||^2 Var z_j, with Var z_j = 2 b_j^2
    sq = ((xd - a @ md - c) ** 2).sum() + ((a**2).sum(0) * 2 * bd**2).sum()
    rec = -sq / (2 * s**2) - d_x * (math.log(s) + 0.5 * math.log(2 * math.pi))
    kl = (md.abs() + bd * torch.exp(-md.abs() / bd) - bd.log() - 1).sum()

    n = 200_000
    terms = model.terms(x.expand(n, d_x))
    mc = terms.reconstruction.double()
    assert mc.mean().item() == pytest.approx(rec.item(), abs=4 * mc.std().item() / math.sqrt(n))
    assert terms.kl["z1"][0].item() == pytest.approx(kl.item(), rel=1e-5)
    assert np.isclose(terms.elbo().double().mean().item(), (rec - kl).item(), atol=4 * mc.std().item() / math.sqrt(n))


def test_iwae_bounds_increase_with_k():
    torch.manual_seed(0)
    sizes = {"z2_hidden": [8], "top_down": [16], "z1_hidden": [16], "prior_hidden": [16]}
    model = TDVAE(x_dim=16, z1_dim=8, z2_dim=4, h_dim=16, **sizes)
    x = torch.randn(64, 16)
    with torch.no_grad():
        elbo = torch.stack([model.elbo(x) for _ in range(200)])
        log_w = model.log_weights(x, 2000)  # iwae with k = 1, many times
        bounds = [iwae(model, x, k, chunk=16).mean().item() for k in (1, 10, 100, 1000)]
    sem = math.hypot(log_w.mean(1).std().item() / math.sqrt(2000), elbo.mean(1).std().item() / math.sqrt(200))
    assert log_w.mean().item() == pytest.approx(elbo.mean().item(), abs=4 * sem)
    assert all(a < b for a, b in zip(bounds, bounds[1:]))
    assert bounds[-1] > elbo.mean().item()


def test_iwae_chunking_does_not_change_the_estimate(small_model):
    x = torch.randn(3, 16)
    torch.manual_seed(5)
    one = iwae(small_model, x, 12, chunk=12)
    torch.manual_seed(5)
    lw = small_model.log_weights(x, 12)
    assert torch.allclose(one, torch.logsumexp(lw, 0) - math.log(12))
    torch.manual_seed(5)
    chunked = torch.logsumexp(torch.cat([small_model.log_weights(x, 5), small_model.log_weights(x, 5),
                                         small_model.log_weights(x, 2)]), 0) - math.log(12)  # fmt: skip
    torch.manual_seed(5)
    assert torch.allclose(iwae(small_model, x, 12, chunk=5), chunked, atol=1e-5)


def test_beta_weights_apply_to_their_layers():
    terms = ELBOTerms(torch.tensor([-10.0]), {"z2": torch.tensor([2.0]), "z1": torch.tensor([3.0])})
    assert terms.elbo().item() == -15.0
    assert terms.elbo(beta_z=0.5, beta_y=0.1).item() == pytest.approx(-10 - 1.5 - 0.2)
    assert terms.loss(beta_z=0.5, beta_y=0.1).item() == pytest.approx(11.7)


def test_beta_warmup_schedule():
    sched = BetaWarmup(start=0.1, final=1.25, warmup_start=100, warmup_end=200)
    assert [sched(s) for s in (0, 99, 100, 150, 200, 10**6)] == pytest.approx([0.1, 0.1, 0.1, 0.675, 1.25, 1.25])
    assert BetaWarmup()(0) == 1.25


def test_evaluate_reports_elbo_and_iwae_per_patch(small_model):
    x = np.random.default_rng(0).standard_normal((40, 4, 4)).astype(np.float32)
    torch.manual_seed(3)
    state = torch.get_rng_state()
    result = evaluate(small_model, x, iwae_samples=50, iwae_chunk=20, batch_size=16)
    assert torch.equal(torch.get_rng_state(), state)  # evaluation leaves the training RNG alone
    assert result == evaluate(small_model, x, iwae_samples=50, iwae_chunk=20, batch_size=16)
    assert result["iwae"]["mean"] > result["elbo"]["mean"] and result["iwae"]["k"] == 50
    assert result["elbo"]["n"] == 40 and result["elbo"]["sem"] > 0
    kl = sum(v["mean"] for k, v in result.items() if k.startswith("kl_"))
    assert result["elbo"]["mean"] == pytest.approx(result["reconstruction"]["mean"] - kl, rel=1e-5)
    json.dumps(result)
