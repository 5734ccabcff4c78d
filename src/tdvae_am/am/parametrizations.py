"""Parametrizations: what AM optimizes, and how it produces the images a(.) sees.

Every parametrization is a ``torch.nn.Module`` for a batch of N independent *chains*
(one chain = one unit x one restart). All its parameters carry the chain index as their
first dimension, so chains never mix (the MEI optimizer normalizes per chain too).

``forward(generator)`` returns the samples evaluated at this step, shape (N, S, H, W);
``images()`` returns the representative images of each chain, shape (N, K, H, W), which
AM reports (the pixel images, the distribution mean, the transformed input, the decoded
code). A norm budget, when configured, is applied differentiably to these images, and
samples of a distribution are drawn around the budgeted mean.

========================== =========================================== ===========
name                       parameters                                  K images
========================== =========================================== ===========
pixel                      images (N, S, H, W)                         S
distribution               mean (N, 1, H, W) [+ std via softplus]      1 (mean)
transformation             input (N, S, H, W) + per-chain conv / CNN   S
transformation_distribution input (N, 1, H, W) + CNN -> mean [, std]    1 (mean)
generator                  code (N, D), decoded by ``decode(z, sample)`` 1 (mean decode)
========================== =========================================== ===========
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Laplace, Normal

from .budget import Budget
from .errors import AMError

U_EPS = 1e-6


@dataclass
class Setup:
    """What a parametrization needs to know about the run.

    Attributes
    ----------
    n_units, n_restarts : int
        The batch holds ``N = n_units * n_restarts`` chains, unit-major.
    shape : (int, int)
        Image height and width.
    chain_units : LongTensor (N,)
        The studied unit of each chain.
    generator : torch.Generator
        Source of all randomness of the run.
    device : torch.device
    budget : Budget or None
    decode : callable or None
        ``decode(z, sample: bool) -> (B, H, W)``, for generator-space AM.
    """

    n_units: int
    n_restarts: int
    shape: tuple
    chain_units: torch.Tensor
    generator: torch.Generator
    device: torch.device
    budget: Budget | None = None
    decode: Callable | None = None

    @property
    def n_chains(self) -> int:
        return self.n_units * self.n_restarts

    def randn(self, *shape) -> torch.Tensor:
        return torch.randn(*shape, generator=self.generator, device=self.device)


def _softplus_inverse(y: float) -> float:
    return y + math.log(-math.expm1(-y))


def draw(family: str, loc: torch.Tensor, std: torch.Tensor, n: int,
         generator: torch.Generator) -> torch.Tensor:
    """Reparameterized samples of a Normal or Laplace pixel distribution.

    Uniform noise from ``generator`` is pushed through the inverse CDF of the
    ``torch.distributions`` family, so samples are differentiable in ``loc`` and ``std``
    and reproducible.

    Parameters
    ----------
    family : {"normal", "laplace"}
    loc, std : Tensor (N, 1, H, W)
        Location and standard deviation (for Laplace the scale is ``std / sqrt(2)``).
    n : int
        Samples per chain.

    Returns
    -------
    Tensor (N, n, H, W)
    """
    if family == "normal":
        dist = Normal(loc, std, validate_args=False)
    else:
        dist = Laplace(loc, std / math.sqrt(2.0), validate_args=False)
    u = torch.rand(loc.shape[0], n, *loc.shape[-2:], generator=generator, device=loc.device)
    return dist.icdf(u.clamp(U_EPS, 1 - U_EPS))


class Parametrization(nn.Module, ABC):
    """Base class; see the module docstring.

    Attributes
    ----------
    image_params : tuple of str
        Names of the image-shaped parameters: R_grad filters only their gradients
        (never conv weights or codes) and R_post acts on ``post_targets()``.
    main : str
        Name of the parameter that ``run_am(init=...)`` sets.
    """

    image_params: tuple = ()
    main: str = ""

    def __init__(self, setup: Setup):
        super().__init__()
        self.setup = setup
        self.budget = setup.budget

    def constrain(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the norm budget (identity without one)."""
        return x if self.budget is None else self.budget(x)

    @abstractmethod
    def forward(self, generator: torch.Generator) -> torch.Tensor:
        """Samples (N, S, H, W) for this step, differentiable in the parameters."""

    @abstractmethod
    def images(self) -> torch.Tensor:
        """Representative images (N, K, H, W), detached."""

    def post_targets(self) -> list:
        """Image-shaped tensors that R_post modifies in place."""
        return [getattr(self, name) for name in self.image_params[:1]]

    @torch.no_grad()
    def project_(self) -> None:
        """Put the image parameter back onto the budget after a step (default: nothing)."""

    def stats(self) -> dict:
        """Extra per-chain traces, e.g. the mean learned std."""
        return {}

    @torch.no_grad()
    def set_init(self, init: torch.Tensor) -> None:
        """Set the main parameter from ``init`` of shape (n_units, ...), shared by restarts."""
        param = getattr(self, self.main)
        u, r = self.setup.n_units, self.setup.n_restarts
        init = torch.as_tensor(init, dtype=param.dtype, device=param.device)
        try:
            value = torch.broadcast_to(init.reshape(u, 1, *init.shape[1:]), (u, r, *param.shape[1:]))
        except RuntimeError as err:
            raise AMError(f"init of shape {tuple(init.shape)} does not fit {self.main!r} of shape "
                          f"(n_units={u}, {', '.join(map(str, param.shape[1:]))})") from err
        param.copy_(value.reshape(param.shape))
        self.project_()

    def exported(self) -> dict:
        """Final parameter values to store with the result, each (N, ...)."""
        return {name: p.detach() for name, p in self.named_parameters()}


class PixelImage(Parametrization):
    """Pixel-space AM: ``n_samples`` images per chain are the parameters.

    Parameters
    ----------
    setup : Setup
    n_samples : int
        Images per chain (coupled only through a diversity term).
    init_scale : float
        Standard deviation of the white-noise initialization.
    """

    image_params = ("x",)
    main = "x"

    def __init__(self, setup: Setup, n_samples: int = 1, init_scale: float = 1.0):
        super().__init__(setup)
        self.x = nn.Parameter(init_scale * setup.randn(setup.n_chains, n_samples, *setup.shape))
        self.project_()

    def forward(self, generator: torch.Generator) -> torch.Tensor:
        return self.constrain(self.x)

    def images(self) -> torch.Tensor:
        return self.constrain(self.x).detach()

    @torch.no_grad()
    def project_(self) -> None:
        self.x.copy_(self.constrain(self.x))


class PixelDistribution(Parametrization):
    """Distribution AM: the mean (and optionally the std) of a pixel distribution.

    Parameters
    ----------
    setup : Setup
    family : {"normal", "laplace"}
    n_samples : int
        Reparameterized samples per chain and step; the activation is averaged over them.
    std : float
        Initial (or fixed) standard deviation of every pixel.
    learn_std : bool
        Learn a per-pixel std, kept positive as ``softplus(raw)``.
    init_scale : float
        Standard deviation of the white-noise initialization of the mean.
    """

    main = "mean"

    def __init__(self, setup: Setup, family: str = "normal", n_samples: int = 16, std: float = 0.6,
                 learn_std: bool = False, init_scale: float = 1.0):
        super().__init__(setup)
        if family not in ("normal", "laplace"):
            raise AMError(f"unknown distribution family {family!r}; known: ['laplace', 'normal']")
        if not std > 0:
            raise AMError(f"distribution std must be > 0, got {std}")
        self.family, self.n_samples, self.learn_std = family, n_samples, learn_std
        n, (h, w) = setup.n_chains, setup.shape
        self.mean = nn.Parameter(init_scale * setup.randn(n, 1, h, w))
        if learn_std:
            self.std_raw = nn.Parameter(torch.full((n, 1, h, w), _softplus_inverse(std), device=setup.device))
            self.image_params = ("mean", "std_raw")
        else:
            self.register_buffer("std_fixed", torch.tensor(float(std), device=setup.device))
            self.image_params = ("mean",)
        self.project_()

    def std(self) -> torch.Tensor:
        return F.softplus(self.std_raw) if self.learn_std else self.std_fixed

    def forward(self, generator: torch.Generator) -> torch.Tensor:
        return draw(self.family, self.constrain(self.mean), self.std(), self.n_samples, generator)

    def images(self) -> torch.Tensor:
        return self.constrain(self.mean).detach()

    @torch.no_grad()
    def project_(self) -> None:
        self.mean.copy_(self.constrain(self.mean))

    def stats(self) -> dict:
        if not self.learn_std:
            return {}
        return {"std": self.std().detach().mean(dim=(1, 2, 3))}

    def exported(self) -> dict:
        out = {"mean": self.mean.detach()}
        if self.learn_std:
            out["std"] = self.std().detach()
        return out


NONLINEARITIES = {"softplus": F.softplus, "relu": F.relu, "tanh": torch.tanh}


class ChainConvNet(nn.Module):
    """A conv layer or small CNN with separate weights for every chain.

    Chains are stacked as groups of one grouped convolution, so all chains run in one
    call. Hidden layers are followed by ``nonlinearity``; the last layer is linear.

    Parameters
    ----------
    setup : Setup
    channels : list of int
        Output channels of each layer, e.g. ``[1]`` (one linear conv) or ``[8, 1]``.
    kernel_size : int or list of int
        Odd kernel size, for all layers or per layer.
    in_channels : int
    nonlinearity : {"softplus", "relu", "tanh"}
    bias : bool
    padding_mode : {"zeros", "circular", "reflect"}
        "Same" padding keeps the image size.
    """

    def __init__(self, setup: Setup, channels: list, kernel_size, in_channels: int = 1,
                 nonlinearity: str = "softplus", bias: bool = False, padding_mode: str = "zeros"):
        super().__init__()
        sizes = [kernel_size] * len(channels) if isinstance(kernel_size, int) else list(kernel_size)
        if len(sizes) != len(channels) or any(k % 2 == 0 or k < 1 for k in sizes):
            raise AMError(f"kernel_size {kernel_size!r} must be one odd size or one per layer of {channels}")
        if nonlinearity not in NONLINEARITIES:
            raise AMError(f"unknown nonlinearity {nonlinearity!r}; known: {sorted(NONLINEARITIES)}")
        if padding_mode not in ("zeros", "circular", "reflect"):
            raise AMError(f"unknown padding_mode {padding_mode!r}; known: ['circular', 'reflect', 'zeros']")
        n = setup.n_chains
        self.nonlinearity, self.padding_mode = NONLINEARITIES[nonlinearity], padding_mode
        self.weights, self.biases = nn.ParameterList(), nn.ParameterList()
        c_in = in_channels
        for c_out, k in zip(channels, sizes):
            self.weights.append(nn.Parameter(setup.randn(n, c_out, c_in, k, k) / math.sqrt(c_in * k * k)))
            if bias:
                self.biases.append(nn.Parameter(torch.zeros(n, c_out, device=setup.device)))
            c_in = c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map inputs (N, S, C_in, H, W) to outputs (N, S, C_out, H, W)."""
        n, s, c, h, w = x.shape
        y = x.transpose(0, 1).reshape(s, n * c, h, w)
        for i, weight in enumerate(self.weights):
            k = weight.shape[-1]
            bias = self.biases[i].reshape(-1) if len(self.biases) else None
            kernel = weight.reshape(-1, *weight.shape[2:])
            if self.padding_mode == "zeros":
                y = F.conv2d(y, kernel, bias, padding=k // 2, groups=n)
            else:
                y = F.conv2d(F.pad(y, (k // 2,) * 4, mode=self.padding_mode), kernel, bias, groups=n)
            if i < len(self.weights) - 1:
                y = self.nonlinearity(y)
        return y.reshape(s, n, -1, h, w).transpose(0, 1)


class Transformation(Parametrization):
    """Transformation AM: learnable input signals passed through a learnable conv / CNN.

    Parameters
    ----------
    setup : Setup
    n_samples : int
        Input signals per chain, all through the chain's one transformation.
    hidden : list of int
        Channels of the hidden layers; ``[]`` is the paper's single linear conv,
        ``[8]`` a CNN 1 -> 8 -> 1.
    kernel_size, nonlinearity, bias, padding_mode
        See :class:`ChainConvNet`.
    init_scale : float
        Standard deviation of the white-noise initialization of the input.
    """

    image_params = ("input",)
    main = "input"

    def __init__(self, setup: Setup, n_samples: int = 1, hidden=(), kernel_size=9,
                 nonlinearity: str = "softplus", bias: bool = False, padding_mode: str = "zeros",
                 init_scale: float = 1.0):
        super().__init__(setup)
        self.input = nn.Parameter(init_scale * setup.randn(setup.n_chains, n_samples, *setup.shape))
        self.net = ChainConvNet(setup, [*hidden, 1], kernel_size, 1, nonlinearity, bias, padding_mode)

    def forward(self, generator: torch.Generator) -> torch.Tensor:
        return self.constrain(self.net(self.input[:, :, None])[:, :, 0])

    def images(self) -> torch.Tensor:
        with torch.no_grad():
            return self.constrain(self.net(self.input[:, :, None])[:, :, 0])

    def exported(self) -> dict:
        out = {"input": self.input.detach()}
        out.update({f"kernel{i}": w.detach() for i, w in enumerate(self.net.weights)})
        return out


class TransformedDistribution(Parametrization):
    """Transformation + distribution AM: a CNN's output parametrizes a pixel distribution.

    The CNN maps one learnable input per chain to the mean (one output channel) or to
    mean and raw std (two channels, ``std = softplus(raw)``, when ``learn_std``).

    Parameters
    ----------
    setup : Setup
    family : {"normal", "laplace"}
    n_samples : int
        Samples per chain and step.
    std : float
        Fixed std (ignored when ``learn_std``).
    learn_std : bool
    hidden : list of int
        Channels of the hidden layers (``[]`` = one conv layer).
    kernel_size, nonlinearity, bias, padding_mode
        See :class:`ChainConvNet`.
    init_scale : float
    """

    image_params = ("input",)
    main = "input"

    def __init__(self, setup: Setup, family: str = "normal", n_samples: int = 16, std: float = 0.6,
                 learn_std: bool = False, hidden=(), kernel_size=9, nonlinearity: str = "softplus",
                 bias: bool = False, padding_mode: str = "zeros", init_scale: float = 1.0):
        super().__init__(setup)
        if family not in ("normal", "laplace"):
            raise AMError(f"unknown distribution family {family!r}; known: ['laplace', 'normal']")
        if not std > 0:
            raise AMError(f"distribution std must be > 0, got {std}")
        self.family, self.n_samples, self.learn_std, self.std_fixed = family, n_samples, learn_std, float(std)
        self.input = nn.Parameter(init_scale * setup.randn(setup.n_chains, 1, *setup.shape))
        layers = [*hidden, 2 if learn_std else 1]
        self.net = ChainConvNet(setup, layers, kernel_size, 1, nonlinearity, bias, padding_mode)

    def moments(self) -> tuple:
        """Budgeted mean (N, 1, H, W) and std (N, 1, H, W) or a float."""
        out = self.net(self.input[:, :, None])[:, 0]
        mean = self.constrain(out[:, :1])
        std = F.softplus(out[:, 1:]) if self.learn_std else self.std_fixed
        return mean, std

    def forward(self, generator: torch.Generator) -> torch.Tensor:
        mean, std = self.moments()
        if not self.learn_std:
            std = torch.full_like(mean, std)
        return draw(self.family, mean, std, self.n_samples, generator)

    def images(self) -> torch.Tensor:
        with torch.no_grad():
            return self.moments()[0]

    def stats(self) -> dict:
        if not self.learn_std:
            return {}
        with torch.no_grad():
            return {"std": self.moments()[1].mean(dim=(1, 2, 3))}

    def exported(self) -> dict:
        out = {"input": self.input.detach()}
        out.update({f"kernel{i}": w.detach() for i, w in enumerate(self.net.weights)})
        return out


class GeneratorCode(Parametrization):
    """Generator-space AM: a latent code decoded by the model's generative path.

    Parameters
    ----------
    setup : Setup
        ``setup.decode(z (B, dim), sample: bool) -> (B, H, W)`` is required.
    dim : int
        Code dimension (e.g. 250 for z2, 1800 for z1).
    init : {"prior_mean", "prior_sample", "onehot"}
        Zeros, a standard normal sample, or ``value`` at the studied unit's index and
        zeros elsewhere (the code space must be the studied layer, e.g. z2).
    value : float
        One-hot value.
    sample : bool
        Decode by sampling (e.g. z1 ~ p(z1|z2)) instead of taking the mean.
    n_samples : int
        Decodes per chain and step (useful with ``sample=True``).

    Notes
    -----
    R_grad and R_post do not apply (the code is not an image). ``images()`` is the mean
    decode; with ``sample=True`` the sampled decodes are the run's ``samples``.
    """

    main = "code"

    def __init__(self, setup: Setup, dim: int, init: str = "prior_mean", value: float = 5.0,
                 sample: bool = False, n_samples: int = 1):
        super().__init__(setup)
        if setup.decode is None:
            raise AMError("the generator parametrization needs a decode(z, sample) callable")
        n = setup.n_chains
        if init == "prior_mean":
            code = torch.zeros(n, dim, device=setup.device)
        elif init == "prior_sample":
            code = setup.randn(n, dim)
        elif init == "onehot":
            if int(setup.chain_units.max()) >= dim:
                raise AMError(f"onehot init needs unit indices < dim={dim}, got {setup.chain_units.max().item()}")
            code = value * F.one_hot(setup.chain_units.to(setup.device), dim).float()
        else:
            raise AMError(f"unknown generator init {init!r}; known: ['onehot', 'prior_mean', 'prior_sample']")
        self.code = nn.Parameter(code)
        self.sample, self.n_samples = sample, n_samples

    def _decode(self, z: torch.Tensor, sample: bool) -> torch.Tensor:
        x = self.setup.decode(z, sample)
        if not isinstance(x, torch.Tensor) or x.shape != (z.shape[0], *self.setup.shape):
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise AMError(f"decode(z, sample) must return shape ({z.shape[0]}, {self.setup.shape[0]}, "
                          f"{self.setup.shape[1]}), got {got}")
        return self.constrain(x)

    def forward(self, generator: torch.Generator) -> torch.Tensor:
        z = self.code.repeat_interleave(self.n_samples, dim=0)
        return self._decode(z, self.sample).reshape(self.code.shape[0], self.n_samples, *self.setup.shape)

    def images(self) -> torch.Tensor:
        with torch.no_grad():
            return self._decode(self.code, False)[:, None]

    def post_targets(self) -> list:
        return []


PARAMETRIZATIONS = {
    "pixel": PixelImage,
    "distribution": PixelDistribution,
    "transformation": Transformation,
    "transformation_distribution": TransformedDistribution,
    "generator": GeneratorCode,
}
