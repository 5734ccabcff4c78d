import numpy as np
import pytest
import torch
from am_toys import SHAPE, LinearDecoder, LinearUnits, cosine

from tdvae_am.am import AMError, Target, parse_config, run_am

DIM = 8


@pytest.fixture
def decoder_and_units():
    decoder = LinearDecoder(DIM, SHAPE)
    coef = torch.randn(3, DIM, generator=torch.Generator().manual_seed(9))
    return decoder, LinearUnits((coef @ decoder.matrix).reshape(3, *SHAPE))


@pytest.fixture
def target(decoder_and_units):
    decoder, units = decoder_and_units
    return Target(units, decode=decoder)


@pytest.mark.parametrize("init", ["prior_sample", "onehot"])
@pytest.mark.parametrize("sample", [False, True])
def test_generator_am_finds_the_best_decodable_image(decoder_and_units, target, init, sample):
    units = decoder_and_units[1]
    config = {"shape": list(SHAPE), "steps": 100, "budget": {"norm": "l2", "value": 1.0},
              "parametrization": {"name": "generator", "dim": DIM, "init": init, "value": 3.0, "sample": sample,
                                  "n_samples": 4 if sample else 1},
              "optimizer": {"name": "adam", "lr": 0.05}}
    result = run_am(target, [0, 1, 2], config, n_restarts=2, seed=0)
    assert cosine(result.images[:, :, 0], units.weights[:, None]).min() > 0.97
    assert result.params["code"].shape == (3, 2, DIM)
    assert result.samples.shape == (3, 2, 4 if sample else 1, *SHAPE)
    assert np.all(np.array(result.summary["final_activation"]) > result.traces["activation"][0])


def test_onehot_synthesis_without_optimization(decoder_and_units, target):
    decoder = decoder_and_units[0]
    config = {"shape": list(SHAPE), "steps": 0,
              "parametrization": {"name": "generator", "dim": DIM, "init": "onehot", "value": 10.0, "sample": True,
                                  "n_samples": 3}}
    result = run_am(target, [2, 0], config, seed=0)
    expected = 10.0 * decoder.matrix[[2, 0]].reshape(2, *SHAPE)
    np.testing.assert_allclose(result.images[:, 0, 0], expected.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.params["code"][:, 0], 10.0 * np.eye(DIM)[[2, 0]])
    assert result.traces == {} and result.summary["success"] == [[False], [False]]
    noise = result.samples[:, 0] - result.images[:, 0]
    assert noise.std() == pytest.approx(0.1, rel=0.1)                # sampled decodes


def test_generator_init_from_given_codes(target):
    codes = torch.randn(2, DIM)
    config = {"shape": list(SHAPE), "steps": 0, "parametrization": {"name": "generator", "dim": DIM}}
    result = run_am(target, [0, 1], config, n_restarts=2, init=codes)
    np.testing.assert_allclose(result.params["code"], np.repeat(codes.numpy()[:, None], 2, 1))


@pytest.mark.parametrize("key, stage", [("grad", [{"name": "fourier"}]), ("post", ["blur"])])
def test_image_regularizers_on_the_generator_are_rejected_when_parsed(key, stage):
    """The code is not an image: R_grad / R_post fail at parse time, before any model call."""
    config = {"shape": list(SHAPE), "steps": 2, "parametrization": {"name": "generator", "dim": DIM}, key: stage}
    with pytest.raises(AMError, match=rf"^{key}: R_{key} .* parametrization 'generator' has none"):
        parse_config(config)

    def never(*args):
        raise AssertionError("the model was called")

    with pytest.raises(AMError, match=rf"^{key}: "):
        run_am(Target(never, decode=never), [0], config)


def test_generator_needs_decode(decoder_and_units):
    config = {"shape": list(SHAPE), "steps": 2, "parametrization": {"name": "generator", "dim": DIM}}
    with pytest.raises(AMError, match=r"decode.*Target\(decode=\.\.\.\)"):
        run_am(decoder_and_units[1], [0], config)


def test_pixel_noise_on_sampled_decodes(target):
    """``x_noise`` adds white Gaussian noise to the decodes a(.) sees, not to the mean decode."""
    config = {"shape": list(SHAPE), "steps": 0, "parametrization": {"name": "generator", "dim": DIM, "init": "onehot",
                                                                     "value": 2.0, "sample": True, "n_samples": 50}}
    plain = run_am(target, [0, 1], config, seed=3)
    config["parametrization"]["x_noise"] = 0.5
    noisy = run_am(target, [0, 1], config, seed=3)
    np.testing.assert_array_equal(noisy.images, plain.images)
    noise = noisy.samples - plain.samples
    assert noise.std() == pytest.approx(0.5, rel=0.05) and abs(noise.mean()) < 0.02


@pytest.mark.parametrize("options, message", [({"x_noise": 0.4}, ": x_noise needs sample: true"),
                                              ({"x_noise": -0.1, "sample": True}, ".x_noise: must be >= 0")])
def test_pixel_noise_needs_sampling_and_a_nonnegative_std(options, message):
    config = {"shape": list(SHAPE), "parametrization": {"name": "generator", "dim": DIM, **options}}
    with pytest.raises(AMError, match=f"^parametrization{message}"):
        parse_config(config)
