import numpy as np
import pytest
import torch
from am_toys import SHAPE, LinearDecoder, LinearUnits, cosine

from tdvae_am.am import AMError, run_am

DIM = 8


@pytest.fixture
def decoder_and_units():
    decoder = LinearDecoder(DIM, SHAPE)
    coef = torch.randn(3, DIM, generator=torch.Generator().manual_seed(9))
    return decoder, LinearUnits((coef @ decoder.matrix).reshape(3, *SHAPE))


@pytest.mark.parametrize("init", ["prior_sample", "onehot"])
@pytest.mark.parametrize("sample", [False, True])
def test_generator_am_finds_the_best_decodable_image(decoder_and_units, init, sample):
    decoder, units = decoder_and_units
    config = {"shape": list(SHAPE), "steps": 100, "budget": {"norm": "l2", "value": 1.0},
              "parametrization": {"name": "generator", "dim": DIM, "init": init, "value": 3.0, "sample": sample,
                                  "n_samples": 4 if sample else 1},
              "optimizer": {"name": "adam", "lr": 0.05}}
    result = run_am(units, [0, 1, 2], config, decode=decoder, n_restarts=2, seed=0)
    assert cosine(result.images[:, :, 0], units.weights[:, None]).min() > 0.97
    assert result.params["code"].shape == (3, 2, DIM)
    assert result.samples.shape == (3, 2, 4 if sample else 1, *SHAPE)
    assert np.all(np.array(result.summary["final_activation"]) > result.traces["activation"][0])


def test_onehot_synthesis_without_optimization(decoder_and_units):
    decoder, units = decoder_and_units
    config = {"shape": list(SHAPE), "steps": 0,
              "parametrization": {"name": "generator", "dim": DIM, "init": "onehot", "value": 10.0, "sample": True,
                                  "n_samples": 3}}
    result = run_am(units, [2, 0], config, decode=decoder, seed=0)
    expected = 10.0 * decoder.matrix[[2, 0]].reshape(2, *SHAPE)
    np.testing.assert_allclose(result.images[:, 0, 0], expected.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.params["code"][:, 0], 10.0 * np.eye(DIM)[[2, 0]])
    assert result.traces == {} and result.summary["success"] == [[False], [False]]
    noise = result.samples[:, 0] - result.images[:, 0]
    assert noise.std() == pytest.approx(0.1, rel=0.1)                # sampled decodes


def test_generator_init_from_given_codes(decoder_and_units):
    decoder, units = decoder_and_units
    codes = torch.randn(2, DIM)
    config = {"shape": list(SHAPE), "steps": 0, "parametrization": {"name": "generator", "dim": DIM}}
    result = run_am(units, [0, 1], config, decode=decoder, n_restarts=2, init=codes)
    np.testing.assert_allclose(result.params["code"], np.repeat(codes.numpy()[:, None], 2, 1))


def test_generator_rejects_image_regularizers_and_missing_decode(decoder_and_units):
    decoder, units = decoder_and_units
    config = {"shape": list(SHAPE), "steps": 2, "parametrization": {"name": "generator", "dim": DIM},
              "grad": [{"name": "fourier"}]}
    with pytest.raises(AMError, match="R_grad"):
        run_am(units, [0], config, decode=decoder)
    with pytest.raises(AMError, match="R_post"):
        run_am(units, [0], {**config, "grad": [], "post": ["blur"]}, decode=decoder)
    with pytest.raises(AMError, match="decode"):
        run_am(units, [0], {**config, "grad": []})
