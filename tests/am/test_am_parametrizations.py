import pytest
import torch
from am_toys import SHAPE, LinearDecoder

from tdvae_am.am import parse_config
from tdvae_am.am.parametrizations import (
    Code,
    Distribution,
    Identity,
    Parametrization,
    Pixels,
    Setup,
    Transform,
)

DECODER = LinearDecoder(8, SHAPE)


def _setup(n_chains: int = 2) -> Setup:
    return Setup(n_chains, 1, SHAPE, torch.arange(n_chains), torch.Generator().manual_seed(0), torch.device("cpu"),
                 decode=DECODER)


# config entry, source, head, parameter names, image parameters, exported names, samples and images per chain
NAMES = [
    ({"name": "pixel", "n_samples": 3}, Pixels, Identity, ["params.x"], ("x",), {"x"}, 3, 3),
    ({"name": "distribution", "n_samples": 5}, Pixels, Distribution, ["params.mean"], ("mean",), {"mean"}, 5, 1),
    ({"name": "distribution", "learn_std": True}, Pixels, Distribution, ["params.mean", "params.std_raw"],
     ("mean", "std_raw"), {"mean", "std"}, 16, 1),
    ({"name": "transformation", "hidden": [4], "n_samples": 2}, Transform, Identity,
     ["params.input", "nets.net.weights.0", "nets.net.weights.1"], ("input",), {"input", "kernel0", "kernel1"}, 2, 2),
    ({"name": "transformation_distribution", "learn_std": True, "n_samples": 4}, Transform, Distribution,
     ["params.input", "nets.net.weights.0"], ("input",), {"input", "kernel0"}, 4, 1),
    ({"name": "generator", "dim": 8, "n_samples": 2}, Code, Identity, ["params.code"], (), {"code"}, 2, 1),
]


@pytest.mark.parametrize("entry, source, head, names, image, exported, n_samples, n_images", NAMES)
def test_each_name_is_a_source_and_a_head(entry, source, head, names, image, exported, n_samples, n_images):
    spec = parse_config({"shape": list(SHAPE), "parametrization": entry}).parametrization
    assert (type(spec.source), type(spec.head)) == (source, head)
    assert spec.has_image_params == bool(image) and spec.n_samples == n_samples
    param = spec.build(_setup())
    assert [name for name, _ in param.named_parameters()] == names
    assert param.image_params == image
    assert [t is param.params[image[0]] for t in param.post_targets()] == ([True] if image else [])
    assert param.filtered() == [name.removeprefix("params.") in image for name in names]   # what R_grad filters
    assert set(param.exported()) == exported
    assert param(torch.Generator().manual_seed(1)).shape == (2, n_samples, *SHAPE)
    assert param.images().shape == (2, n_images, *SHAPE)


def test_the_learned_std_of_transformation_distribution_is_the_second_channel():
    spec = parse_config({"parametrization": {"name": "transformation_distribution", "learn_std": True}}).parametrization
    assert spec.source.channels == 2
    param = spec.build(_setup())
    out = param.nets["net"](param.params["input"][:, :, None])
    torch.testing.assert_close(param.stats()["std"], torch.nn.functional.softplus(out[:, :, 1]).mean(dim=(1, 2, 3)))


def test_a_head_composes_with_any_source():
    source = Code(dim=8, init="prior_sample")
    assert not source.image
    param = Parametrization(source, Distribution(n_samples=400, std=0.5), _setup())
    samples, mean = param(torch.Generator().manual_seed(1)), param.images()
    assert samples.shape == (2, 400, *SHAPE) and mean.shape == (2, 1, *SHAPE)
    assert (samples - mean).std().item() == pytest.approx(0.5, rel=0.05)         # draws around the mean decode
    assert param.post_targets() == [] and set(param.exported()) == {"code"}
