import pytest
import torch
from torch.distributions import Laplace, Normal

from tdvae_am.models import TDVAE, ChainVAE, LatentVariableModel, SparseVAE


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def test_tdvae_has_the_original_size_and_shapes():
    torch.manual_seed(0)
    model = TDVAE()
    assert n_params(model) == 34_438_300
    assert model.latent_dims == {"z2": 250, "z1": 1800}
    shapes = {name: tuple(p.shape) for name, p in model.named_parameters() if name.endswith("weight")}
    assert shapes["h_x.0.weight"] == (2000, 1600)
    assert [shapes[f"q_z2.0.{i}.weight"] for i in (0, 2, 4)] == [(1000, 2000), (500, 1000), (250, 500)]
    assert shapes["q_z2.1.linear.weight"] == (500, 250)
    assert [shapes[f"h_z.{i}.weight"] for i in (0, 2, 4, 6)] == [(250, 250), (500, 250), (1000, 500), (2000, 1000)]
    assert isinstance(model.h_z[7], torch.nn.Softplus)
    assert shapes["q_z1.0.0.weight"] == (2000, 4000) and shapes["q_z1.1.linear.weight"] == (3600, 2000)
    assert shapes["generative.p_z1.0.0.weight"] == (2000, 250)
    assert shapes["generative.p_z1.1.linear.weight"] == (3600, 2000)
    assert shapes["generative.decoder.linear.weight"] == (1600, 1800)
    assert model.generative.decoder.sigma == 0.4

    x = torch.randn(3, 40, 40)
    with torch.no_grad():
        post = model.posterior(x)
        assert isinstance(post["z2"], Normal) and isinstance(post["z1"], Laplace)
        assert post["z2"].mean.shape == (3, 250) and post["z1"].mean.shape == (3, 1800)
        assert model.decode(torch.randn(2, 250)).shape == (2, 40, 40)
        assert model.decode(torch.randn(2, 1800), "z1").shape == (2, 40, 40)
        assert model.elbo(x).shape == (3,)


def test_other_models_at_full_size():
    torch.manual_seed(0)
    chain, sparse = ChainVAE(), SparseVAE()
    assert chain.latent_dims == {"z2": 250, "z1": 1800} and sparse.latent_dims == {"z1": 1800}
    # same generative model as the TDVAE: p(z1|z2) and the decoder
    assert n_params(chain.generative) == 502_000 + 7_203_600 + 2_881_600
    assert n_params(sparse) == 1600 * 2000 + 2000 + 2000 * 3600 + 3600 + 2_881_600


def test_interface_shapes(small_model):
    x = torch.randn(5, 4, 4)
    dims = small_model.latent_dims
    for layer, dim in dims.items():
        mean, std = small_model.posterior_moments(x, layer)
        assert mean.shape == std.shape == (5, dim)
        assert torch.all(std > 0)
        assert small_model.kl_per_unit(x, layer).shape == (5, dim)
        assert small_model.decode(torch.randn(7, dim), layer).shape == (7, 4, 4)
        assert small_model.decode(torch.randn(7, dim), layer, sample=True).shape == (7, 4, 4)
    assert set(small_model.posterior(x)) == set(dims)
    terms = small_model.terms(x)
    assert terms.reconstruction.shape == (5,) and set(terms.kl) == set(dims)
    assert small_model.log_weights(x, 3).shape == (3, 5)


def test_flat_and_image_inputs_agree(small_model):
    x = torch.randn(5, 4, 4)
    for layer in small_model.latent_dims:
        a = small_model.posterior_moments(x, layer)
        b = small_model.posterior_moments(x.reshape(5, 16), layer)
        assert all(torch.equal(u, v) for u, v in zip(a, b))


def test_posterior_moments_match_posterior(small_model):
    x = torch.randn(5, 16)
    post = small_model.posterior(x)
    for layer, dist in post.items():
        mean, std = small_model.posterior_moments(x, layer)
        assert torch.allclose(mean, dist.mean) and torch.allclose(std, dist.stddev)


def test_gradients_reach_inputs_and_codes(small_model):
    x = torch.randn(4, 4, 4, requires_grad=True)
    top = next(iter(small_model.latent_dims))
    small_model.posterior_moments(x, top)[0][:, 0].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    x.grad = None
    small_model.elbo(x).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    for layer, dim in small_model.latent_dims.items():
        for sample in (False, True):
            z = torch.randn(3, dim, requires_grad=True)
            small_model.decode(z, layer, sample=sample).sum().backward()
            assert z.grad.abs().sum() > 0


def test_tdvae_z1_moments_condition_on_the_z2_mean():
    torch.manual_seed(0)
    model = TDVAE(x_dim=16, z1_dim=5, z2_dim=3, h_dim=8, z2_hidden=[8], top_down=[8], z1_hidden=[8], prior_hidden=[8])
    x = torch.randn(2, 16)
    z2_mean, _ = model.posterior_moments(x, "z2")
    h = torch.cat([model.h_x(x), model.h_z(z2_mean)], dim=-1)
    loc, logvar = model.q_z1(h)
    mean, std = model.posterior_moments(x, "z1")
    assert torch.allclose(mean, loc) and torch.allclose(std, 2**0.5 * torch.exp(0.5 * logvar))


def test_z2_decode_uses_the_mean_of_p_z1_given_z2():
    torch.manual_seed(0)
    model = TDVAE(x_dim=16, z1_dim=5, z2_dim=3, h_dim=8, z2_hidden=[8], top_down=[8], z1_hidden=[8], prior_hidden=[8])
    z2 = torch.randn(4, 3)
    loc, _ = model.generative.p_z1(z2)
    assert torch.allclose(model.decode(z2, "z2"), model.decode(loc, "z1"))


def test_config_and_checkpoint_round_trip(small_model, small_config, tmp_path):
    assert small_model.config == small_config | {"sigma_x": 0.4}
    path = tmp_path / "model.pt"
    small_model.save(path)
    loaded = LatentVariableModel.load(path)
    assert type(loaded) is type(small_model) and loaded.config == small_model.config
    x = torch.randn(3, 16)
    top = next(iter(small_model.latent_dims))
    assert torch.equal(loaded.posterior_moments(x, top)[0], small_model.posterior_moments(x, top)[0])


def test_non_square_inputs_are_rejected():
    with pytest.raises(ValueError, match="square"):
        SparseVAE(x_dim=15)


def test_from_config_names():
    sparse = {"name": "sparse", "x_dim": 16, "z1_dim": 4, "hidden": [8]}
    assert type(LatentVariableModel.from_config(sparse)) is SparseVAE
    assert type(ChainVAE.from_config({"x_dim": 16, "z1_dim": 4, "z2_dim": 2, "z1_hidden": [8]})) is ChainVAE
    with pytest.raises(ValueError, match="unknown model"):
        LatentVariableModel.from_config({"name": "vqvae"})


def test_log_variances_are_bounded_so_off_distribution_elbos_stay_finite(small_model):
    from tdvae_am.models.layers import LOGVAR_BOUNDS

    x = 1e4 * torch.randn(4, 4, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        q = small_model._posterior_params(small_model._flat(x), sample=False)
        p = small_model.generative.priors({k: v.z for k, v in q.items()})
        elbo = small_model.elbo(x)
    logvars = [v.logvar for v in q.values()] + [lv for _, lv in p.values() if lv is not None]
    assert all(((lv >= LOGVAR_BOUNDS[0]) & (lv <= LOGVAR_BOUNDS[1])).all() for lv in logvars)
    assert torch.isfinite(elbo).all()
