"""Planted units: a small synthetic model whose posterior per unit is a chosen function of the
input, and synthetic texture families with real phase structure and their scrambled twins."""

import numpy as np
import torch
from torch import nn

from tdvae_am.data.textures import phase_scramble
from tdvae_am.models import LatentVariableModel
from tdvae_am.models.distributions import normal_kl

SIZE = 16  # patch side
INFORMATIVE, OFFSET, COLLAPSED, PHASE, SPECTRUM = range(5)
NAMES = ["informative", "offset", "collapsed", "phase", "spectrum"]
STD = 0.1  # posterior std of the input-dependent units
OFFSET_MEAN, OFFSET_STD = 3.0, 0.5
# (orientation, segments per 48 x 48 image): families 0 and 1 share orientation and hence, after
# contrast equalization, amplitude spectrum, but differ in sparseness (phase structure); families 0
# and 2 share sparseness but differ in orientation (spectrum).
FAMILIES = [(0.0, 25), (0.0, 250), (np.pi / 2, 25)]


def kurtosis_feature(x: torch.Tensor) -> torch.Tensor:
    """log kurtosis of the pixel values of each flat patch: large for sparse edges, about log 3
    for their phase-scrambled (near-Gaussian) twins, independent of the amplitude spectrum."""
    x = x - x.mean(-1, keepdim=True)
    m2, m4 = x.square().mean(-1), x.pow(4).mean(-1)
    return torch.log(m4 / m2.square())


def orientation_feature(x: torch.Tensor) -> torch.Tensor:
    """log ratio of the power at mostly-vertical over mostly-horizontal frequencies (DC excluded):
    a function of the amplitude spectrum only."""
    power = torch.fft.fft2(x.reshape(-1, SIZE, SIZE)).abs().square()
    k = torch.fft.fftfreq(SIZE, dtype=x.dtype).abs()
    vertical = (k[:, None] > k[None, :]).to(x.dtype)  # |ky| > |kx|
    horizontal = (k[:, None] < k[None, :]).to(x.dtype)
    return torch.log((power * vertical).sum((1, 2)) / (power * horizontal).sum((1, 2)))


class PlantedModel(nn.Module):
    """Enough of :class:`~tdvae_am.models.LatentVariableModel` for the unit classification: a
    Normal ``z2`` layer of 5 units whose posterior ``(mean, std)`` per unit is

    - ``INFORMATIVE``: a fixed linear filter of the input, std ``STD``;
    - ``OFFSET``: ``OFFSET_MEAN``, std ``OFFSET_STD`` whatever the input (far from the prior);
    - ``COLLAPSED``: 0, std 1 (exactly the prior);
    - ``PHASE``: :func:`kurtosis_feature` (phase structure), std ``STD``;
    - ``SPECTRUM``: :func:`orientation_feature` (amplitude spectrum only), std ``STD``.

    With ``untrained=True`` every unit is input-independent (constant means, unit stds).
    """

    def __init__(self, untrained: bool = False):
        super().__init__()
        self.untrained = untrained
        self.latent_dims = {"z2": 5}
        filt = torch.as_tensor(np.random.default_rng(123).standard_normal(SIZE * SIZE) / SIZE, dtype=torch.float32)
        self.filter = nn.Parameter(filt, requires_grad=False)

    def posterior_moments(self, x: torch.Tensor, layer: str) -> tuple[torch.Tensor, torch.Tensor]:
        assert layer == "z2"
        x = x.reshape(len(x), -1).double()
        ones = torch.ones(len(x), dtype=x.dtype)
        if self.untrained:
            return (torch.stack([c * ones for c in (0.5, -1.0, 0.0, 2.0, 0.3)], 1).float(),
                    torch.ones(len(x), 5))
        mean = torch.stack([x @ self.filter.double(), OFFSET_MEAN * ones, 0 * ones, kurtosis_feature(x),
                            orientation_feature(x)], 1)
        std = torch.stack([STD * ones, OFFSET_STD * ones, ones, STD * ones, STD * ones], 1)
        return mean.float(), std.float()

    def kl_per_unit(self, x: torch.Tensor, layer: str) -> torch.Tensor:
        mean, std = self.posterior_moments(x, layer)
        return normal_kl(mean, 2 * torch.log(std), None, None)


def _segments(rng, side, orientation, n, length=7):
    """A periodic ``side x side`` image of ``n`` short line segments of random sign at ``orientation``."""
    img = np.zeros((side, side))
    t = np.arange(length) - length // 2
    for _ in range(n):
        y0, x0 = rng.integers(0, side, 2)
        ys = np.round(y0 + t * np.sin(orientation)).astype(int) % side
        xs = np.round(x0 + t * np.cos(orientation)).astype(int) % side
        img[ys, xs] += rng.choice([-1.0, 1.0])
    return img


def texture_set(n_images=4, n_crops=10, seed=0):
    """Crops of synthesized images of the ``FAMILIES`` and their phase-scrambled twins (as the
    project makes them), with family and global image indices."""
    rng = np.random.default_rng(seed)
    side = 3 * SIZE
    patches, family, image = [], [], []
    for f, (orientation, n) in enumerate(FAMILIES):
        for i in range(n_images):
            img = _segments(rng, side, orientation, n) + 0.05 * rng.standard_normal((side, side))
            for _ in range(n_crops):
                dy, dx = rng.integers(0, side, 2)
                patches.append(np.roll(img, (-dy, -dx), (0, 1))[:SIZE, :SIZE])
                family.append(f)
                image.append(f * n_images + i)
    patches = np.array(patches)
    scrambled = phase_scramble(patches, rng)
    return patches.astype(np.float32), scrambled.astype(np.float32), np.array(family), np.array(image)


def natural_set(n=200, seed=1):
    """Stand-in natural patches: segments of any orientation and density, contrast and offset."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        img = _segments(rng, SIZE, rng.uniform(0, np.pi), rng.integers(1, 40)) + 0.1 * rng.standard_normal((SIZE,) * 2)
        out.append(rng.uniform(0.5, 2) * img + rng.normal(0, 0.5))
    return np.array(out, dtype=np.float32)


TDVAE_CONFIG = {"name": "tdvae", "x_dim": 64, "z1_dim": 24, "z2_dim": 16, "h_dim": 32, "z2_hidden": [24],
         "top_down": [16], "z1_hidden": [24], "prior_hidden": [16]}  # fmt: skip
TDVAE_COLLAPSED, TDVAE_OFFSET = [3, 7, 12], [13, 14, 15]


def tdvae_with_planted_units():
    """A tiny TDVAE with z2 units TDVAE_COLLAPSED at the prior, TDVAE_OFFSET at N(3, 0.5^2) for
    every input, and the others input-dependent."""
    torch.manual_seed(0)
    model = LatentVariableModel.from_config(TDVAE_CONFIG)
    head, d = model.q_z2[1].linear, TDVAE_CONFIG["z2_dim"]
    with torch.no_grad():
        head.weight[:d] *= 20
        head.bias[d:] = -2
        head.weight[TDVAE_COLLAPSED + [d + u for u in TDVAE_COLLAPSED]] = 0
        head.bias[TDVAE_COLLAPSED + [d + u for u in TDVAE_COLLAPSED]] = 0
        head.weight[TDVAE_OFFSET + [d + u for u in TDVAE_OFFSET]] = 0
        head.bias[TDVAE_OFFSET] = OFFSET_MEAN
        head.bias[[d + u for u in TDVAE_OFFSET]] = 2 * np.log(OFFSET_STD)
    return model


def offset_kl(mean=OFFSET_MEAN, std=OFFSET_STD):
    return 0.5 * (mean**2 + std**2 - 1 - 2 * np.log(std))
