"""Parametrizations: what AM optimizes, and how it produces the images a(.) sees.

A parametrization is a *source* followed by a *head*, for a batch of N independent
*chains* (one chain = one unit x one restart). All parameters carry the chain index as
their first dimension, so chains never mix (the MEI optimizer normalizes per chain too).

* Sources (what is optimized; output (N, S, C, H, W)): :class:`Pixels` (free images, the
  output is the parameter itself), :class:`Transform` (learnable inputs through a
  per-chain conv / CNN), :class:`Code` (a latent code decoded by ``decode(z, sample)``).
* Heads (the samples a(.) sees at a step): :class:`Identity` (the outputs themselves),
  :class:`Distribution` (Normal / Laplace draws around the output; fixed std, a learned
  per-pixel std, or the std as the source's second output channel).

The representative images that AM reports are the budgeted first output channel (the
pixel images, the distribution mean, the transformed input, the mean decode). A norm
budget, when configured, is applied differentiably to them, and samples of a
distribution are drawn around the budgeted mean. The config names compose them:

=========================== ================================================ ===============
name                        source + head                                    K images
=========================== ================================================ ===============
pixel                       Pixels(n_samples) + Identity                     S
distribution                Pixels(1, "mean") + Distribution                 1 (mean)
transformation              Transform(n_samples) + Identity                  S
transformation_distribution Transform(1; 2 channels if learn_std) + Distrib. 1 (mean)
generator                   Code + Identity                                  1 (mean decode)
=========================== ================================================ ===============

Sources and heads are frozen, validated sets of options (:class:`~tdvae_am.am.spec.Spec`); each
named parametrization (:data:`ParametrizationConfig`) declares its options once, in groups shared
with the source and head it pairs (:class:`ConvOptions`, :class:`DistributionOptions`), and
:class:`Parametrization` is the ``torch.nn.Module`` built from them for each run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
import torch.nn.functional as F
from pydantic import model_validator
from torch import nn
from torch.distributions import Laplace, Normal

from .budget import Budget
from .errors import AMError
from .spec import Count, NonNegative, Number, Positive, Spec, component

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


FAMILIES = ("normal", "laplace")
NONLINEARITIES = {"softplus": F.softplus, "relu": F.relu, "tanh": torch.tanh}
PADDING_MODES = ("zeros", "circular", "reflect")
CODE_INITS = ("prior_mean", "prior_sample", "onehot")


def _kernel_sizes(kernel_size, n_layers: int) -> list:
    """One kernel size per layer from one size or a list of them."""
    return [kernel_size] * n_layers if isinstance(kernel_size, int) else list(kernel_size)


class ChainConvNet(nn.Module):
    """A conv layer or small CNN with separate weights for every chain.

    Chains are stacked as groups of one grouped convolution, so all chains run in one
    call. Hidden layers are followed by ``nonlinearity``; the last layer is linear.
    The options are validated by :class:`ConvOptions`.

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
        n = setup.n_chains
        self.nonlinearity, self.padding_mode = NONLINEARITIES[nonlinearity], padding_mode
        self.weights, self.biases = nn.ParameterList(), nn.ParameterList()
        c_in = in_channels
        for c_out, k in zip(channels, _kernel_sizes(kernel_size, len(channels))):
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


class Source(Spec):
    """Base of the sources: a frozen set of validated options, without state.

    :meth:`make_params` creates the parameters that :class:`Parametrization` registers
    under their names; :meth:`output` computes the source output from them. Every source names
    its main parameter (the one ``run_am(init=...)`` sets) ``main``, says whether it is
    image-shaped (``image``: R_grad filters its gradient and R_post acts on it) and has
    ``channels`` output channels C and ``n_samples`` outputs S per chain at a step.
    """

    image: ClassVar[bool] = True

    def make_params(self, setup: Setup) -> dict:
        """New parameters (and modules) by name, in creation order."""
        raise NotImplementedError

    def output(self, p: Parametrization, step: bool) -> torch.Tensor:
        """Output (N, S, C, H, W) from the parameters of ``p``, for the ``step`` or (else) for the
        representative images."""
        raise NotImplementedError

    def export(self, p: Parametrization) -> dict:
        """Final parameter values to store with the result, each (N, ...)."""
        return {self.main: p.params[self.main].detach()}

    def check_shape(self, shape: tuple) -> None:
        """Raise :class:`AMError` if the options do not fit images of ``shape``."""

    def project_(self, p: Parametrization) -> None:
        """Put the parameters back onto the budget (default: nothing)."""


class Pixels(Source):
    """Free images: ``n_samples`` white-noise images per chain are the parameter ``main``.

    Being the output, the parameter itself is kept on the norm budget after every step.
    """

    n_samples: Count = 1
    init_scale: Number = 1.0
    main: Literal["x", "mean"] = "x"
    channels: ClassVar[int] = 1

    def make_params(self, setup: Setup) -> dict:
        return {self.main: nn.Parameter(self.init_scale * setup.randn(setup.n_chains, self.n_samples, *setup.shape))}

    def output(self, p: Parametrization, step: bool) -> torch.Tensor:
        return p.params[self.main][:, :, None]

    def project_(self, p: Parametrization) -> None:
        param = p.params[self.main]
        param.copy_(p.constrain(param))


class ConvOptions(Spec):
    """The options of a per-chain :class:`ChainConvNet` on learnable white-noise inputs.

    ``hidden`` are the channels of the hidden layers (``[]``: one linear conv, the paper's
    transformation); ``kernel_size`` one odd size or one per layer; ``nonlinearity``, ``bias`` and
    ``padding_mode`` as in :class:`ChainConvNet`; ``init_scale`` the std of the inputs.
    """

    hidden: tuple[Count, ...] = ()
    kernel_size: Count | tuple[Count, ...] = 9
    nonlinearity: Literal[tuple(NONLINEARITIES)] = "softplus"
    bias: bool = False
    padding_mode: Literal[PADDING_MODES] = "zeros"
    init_scale: Number = 1.0

    @model_validator(mode="after")
    def _odd_kernels(self):
        sizes = _kernel_sizes(self.kernel_size, len(self.hidden) + 1)
        if len(sizes) != len(self.hidden) + 1 or not all(k % 2 for k in sizes):
            raise ValueError(f"kernel_size {self.kernel_size!r} must be one odd size or one per layer "
                             f"({len(self.hidden) + 1} with hidden {list(self.hidden)})")
        return self


class Transform(Source, ConvOptions):
    """Learnable white-noise inputs (N, n_samples, H, W) through a per-chain :class:`ChainConvNet`
    (:class:`ConvOptions`) with ``channels`` outputs."""

    n_samples: Count = 1
    channels: Count = 1
    main: Literal["input"] = "input"

    def check_shape(self, shape: tuple) -> None:
        if self.padding_mode == "zeros":
            return
        pad = max(_kernel_sizes(self.kernel_size, len(self.hidden) + 1)) // 2
        if pad > (min(shape) if self.padding_mode == "circular" else min(shape) - 1):
            raise AMError(f"kernel_size {self.kernel_size!r} is too large for padding_mode {self.padding_mode!r} "
                          f"on images of shape {tuple(shape)}")

    def make_params(self, setup: Setup) -> dict:
        return {"input": nn.Parameter(self.init_scale * setup.randn(setup.n_chains, self.n_samples, *setup.shape)),
                "net": ChainConvNet(setup, [*self.hidden, self.channels], self.kernel_size, 1, self.nonlinearity,
                                    self.bias, self.padding_mode)}

    def output(self, p: Parametrization, step: bool) -> torch.Tensor:
        return p.nets["net"](p.params["input"][:, :, None])

    def export(self, p: Parametrization) -> dict:
        return {"input": p.params["input"].detach(),
                **{f"kernel{i}": w.detach() for i, w in enumerate(p.nets["net"].weights)}}


class CodeOptions(Spec):
    """The options of a latent code: its ``dim``, its ``init`` (and the one-hot ``value``), and how
    the step decodes it (``sample``, ``n_samples``, ``x_noise``), see :class:`Code`."""

    dim: Count
    init: Literal[CODE_INITS] = "prior_mean"
    value: Number = 5.0
    sample: bool = False
    n_samples: Count = 1
    x_noise: NonNegative = 0.0

    @model_validator(mode="after")
    def _noise_needs_sampling(self):
        if self.x_noise and not self.sample:
            raise ValueError(f"x_noise needs sample: true, got x_noise={self.x_noise!r}, sample={self.sample!r}")
        return self


class Code(Source, CodeOptions):
    """A latent code (N, dim) decoded by ``setup.decode(z, sample) -> (B, H, W)``.

    ``init``: zeros (``prior_mean``), a standard normal sample (``prior_sample``), or
    ``value`` at the studied unit's index and zeros elsewhere (``onehot``; the code space
    must be the studied layer, e.g. z2). The step decodes every code ``n_samples`` times,
    by sampling (e.g. z1 ~ p(z1|z2)) when ``sample``, and then adds white Gaussian pixel noise
    of std ``x_noise`` (x ~ N(decode, x_noise^2 I), the observation noise of a linear-Gaussian
    p(x|z1); 0: the mean of p(x|z1)); the representative image is the mean decode. The code is
    not an image, so R_grad and R_post do not apply.
    """

    main: Literal["code"] = "code"
    image: ClassVar[bool] = False
    channels: ClassVar[int] = 1

    def make_params(self, setup: Setup) -> dict:
        if setup.decode is None:
            raise AMError("the generator parametrization needs a decode(z, sample) callable: Target(decode=...)")
        n = setup.n_chains
        if self.init == "prior_mean":
            code = torch.zeros(n, self.dim, device=setup.device)
        elif self.init == "prior_sample":
            code = setup.randn(n, self.dim)
        else:
            if int(setup.chain_units.max()) >= self.dim:
                raise AMError(f"onehot init needs unit indices < dim={self.dim}, got {setup.chain_units.max().item()}")
            code = self.value * F.one_hot(setup.chain_units.to(setup.device), self.dim).float()
        return {"code": nn.Parameter(code)}

    def output(self, p: Parametrization, step: bool) -> torch.Tensor:
        code = p.params["code"]
        z = code.repeat_interleave(self.n_samples, dim=0) if step else code
        x = p.setup.decode(z, self.sample and step)
        shape = p.setup.shape
        if not isinstance(x, torch.Tensor) or x.shape != (z.shape[0], *shape):
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise AMError(f"decode(z, sample) must return shape ({z.shape[0]}, {shape[0]}, {shape[1]}), got {got}")
        if self.x_noise and step:
            x = x + self.x_noise * torch.randn(x.shape, generator=p.setup.generator, device=x.device)
        return x.reshape(code.shape[0], -1, 1, *shape)


class Head(Spec):
    """Base of the heads: a frozen set of validated options, without state.

    The representative images are the budgeted first output channel of the source.
    """

    def make_params(self, setup: Setup, source: Source) -> dict:
        """New image-shaped parameters of the head by name (default: none)."""
        return {}

    def images(self, p: Parametrization, out: torch.Tensor) -> torch.Tensor:
        """Representative images (N, K, H, W) of the source output ``out`` (N, K, C, H, W)."""
        return p.constrain(out[:, :, 0])

    def samples(self, p: Parametrization, out: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Samples (N, S', H, W) that a(.) sees at this step."""
        raise NotImplementedError

    def stats(self, p: Parametrization) -> dict:
        """Extra per-chain traces (default: none)."""
        return {}

    def export(self, p: Parametrization) -> dict:
        """Final values of the head's parameters (default: none)."""
        return {}


class Identity(Head):
    """The budgeted source outputs are the samples."""

    def samples(self, p: Parametrization, out: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        return self.images(p, out)


class DistributionOptions(Spec):
    """A Normal or Laplace pixel ``family`` with ``n_samples`` reparameterized draws per chain and
    step, of std ``std`` or, with ``learn_std``, a learned one; with ``budget_samples`` the norm
    budget also applies to every sample."""

    family: Literal[FAMILIES] = "normal"
    n_samples: Count = 16
    std: Positive = 0.6
    learn_std: bool = False
    budget_samples: bool = False


class Distribution(Head, DistributionOptions):
    """A Normal or Laplace pixel distribution around the budgeted source output (its mean).

    The activation is averaged over the draws. The std is ``std`` everywhere, or with ``learn_std``
    learned: as the source's second output channel when it has two (``std = softplus(raw)``), else
    as a per-pixel parameter ``std_raw`` initialized to ``std``. With ``budget_samples`` the std
    cannot carry contrast beyond the budget.
    """

    def _own_std(self, source: Source) -> bool:
        return self.learn_std and source.channels == 1

    def make_params(self, setup: Setup, source: Source) -> dict:
        if not self._own_std(source):
            return {}
        n, (h, w) = setup.n_chains, setup.shape
        return {"std_raw": nn.Parameter(torch.full((n, 1, h, w), _softplus_inverse(self.std), device=setup.device))}

    def moments(self, p: Parametrization, out: torch.Tensor) -> tuple:
        """Budgeted mean and std, each (N, 1, H, W)."""
        mean = self.images(p, out)
        if self._own_std(p.source):
            std = F.softplus(p.params["std_raw"])
        elif self.learn_std:
            std = F.softplus(out[:, :, 1])
        else:
            std = torch.full_like(mean, self.std)
        return mean, std

    def samples(self, p: Parametrization, out: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        x = draw(self.family, *self.moments(p, out), self.n_samples, generator)
        return p.constrain(x) if self.budget_samples else x

    def stats(self, p: Parametrization) -> dict:
        if not self.learn_std:
            return {}
        with torch.no_grad():
            return {"std": self.moments(p, p.source.output(p, False))[1].mean(dim=(1, 2, 3))}

    def export(self, p: Parametrization) -> dict:
        return {"std": F.softplus(p.params["std_raw"]).detach()} if self._own_std(p.source) else {}


class Parametrization(nn.Module):
    """A source and a head with their parameters for the N chains of one run.

    Attributes
    ----------
    params : nn.ParameterDict
        The parameters the source and the head made, by name, in creation order.
    nets : nn.ModuleDict
        Their modules (a transformation's per-chain CNN ``net``).
    image_params : tuple of str
        Names of the image-shaped parameters: R_grad filters only their gradients
        (never conv weights or codes) and R_post acts on ``post_targets()``.
    """

    def __init__(self, source: Source, head: Head, setup: Setup):
        super().__init__()
        self.source, self.head, self.setup, self.budget = source, head, setup, setup.budget
        own = head.make_params(setup, source)
        made = {**source.make_params(setup), **own}
        self.params = nn.ParameterDict({k: v for k, v in made.items() if isinstance(v, nn.Parameter)})
        self.nets = nn.ModuleDict({k: v for k, v in made.items() if not isinstance(v, nn.Parameter)})
        self.image_params = ((source.main,) if source.image else ()) + tuple(own)
        self.project_()

    def filtered(self) -> list[bool]:
        """Per tensor of ``parameters()``: whether it is image-shaped (R_grad filters its gradient)."""
        image = [self.params[name] for name in self.image_params]
        return [any(p is q for q in image) for p in self.parameters()]

    def constrain(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the norm budget (identity without one)."""
        return x if self.budget is None else self.budget(x)

    def forward(self, generator: torch.Generator) -> torch.Tensor:
        """Samples (N, S, H, W) for this step, differentiable in the parameters."""
        return self.head.samples(self, self.source.output(self, True), generator)

    def images(self) -> torch.Tensor:
        """Representative images (N, K, H, W), without gradient."""
        with torch.no_grad():
            return self.head.images(self, self.source.output(self, False))

    def post_targets(self) -> list:
        """Image-shaped tensors that R_post modifies in place."""
        return [self.params[self.source.main]] if self.source.image else []

    @torch.no_grad()
    def project_(self) -> None:
        """Put the parameters back onto the budget after a step."""
        self.source.project_(self)

    def stats(self) -> dict:
        """Extra per-chain traces, e.g. the mean learned std."""
        return self.head.stats(self)

    @torch.no_grad()
    def set_init(self, init: torch.Tensor) -> None:
        """Set the main parameter from ``init`` of shape (n_units, ...), shared by restarts."""
        main = self.source.main
        param = self.params[main]
        u, r = self.setup.n_units, self.setup.n_restarts
        init = torch.as_tensor(init, dtype=param.dtype, device=param.device)
        try:
            value = torch.broadcast_to(init.reshape(u, 1, *init.shape[1:]), (u, r, *param.shape[1:]))
        except RuntimeError as err:
            raise AMError(f"init of shape {tuple(init.shape)} does not fit {main!r} of shape "
                          f"(n_units={u}, {', '.join(map(str, param.shape[1:]))})") from err
        param.copy_(value.reshape(param.shape))
        self.project_()

    def exported(self) -> dict:
        """Final parameter values to store with the result, each (N, ...)."""
        return {**self.source.export(self), **self.head.export(self)}


class ParametrizationSpec(Spec):
    """Base of the named parametrizations: a validated source and head (``Identity`` unless the
    parametrization says otherwise), built into a :class:`Parametrization` for each run. Every
    named parametrization has ``n_samples``, the samples per chain that a(.) sees at each step."""

    @property
    def source(self) -> Source:
        raise NotImplementedError

    @property
    def head(self) -> Head:
        return Identity()

    def options(self, group: type[Spec]) -> dict:
        """This parametrization's values of the options of ``group``."""
        return self.model_dump(include=set(group.model_fields))

    @property
    def has_image_params(self) -> bool:
        """Whether the parametrization has image-shaped parameters (for R_grad and R_post)."""
        return self.source.image

    def check_shape(self, shape: tuple) -> None:
        """Raise :class:`AMError` if the options do not fit images of ``shape``."""
        self.source.check_shape(shape)

    def build(self, setup: Setup) -> Parametrization:
        """The parametrization of one run, with freshly initialized parameters."""
        return Parametrization(self.source, self.head, setup)


class PixelAM(ParametrizationSpec):
    """Pixel-space AM: ``n_samples`` images per chain (coupled only through a diversity term)."""

    name: Literal["pixel"] = "pixel"
    n_samples: Count = 1
    init_scale: Number = 1.0

    @property
    def source(self) -> Source:
        return Pixels(n_samples=self.n_samples, init_scale=self.init_scale)


class DistributionAM(ParametrizationSpec, DistributionOptions):
    """Distribution AM: the mean (and with ``learn_std`` a per-pixel std) of a pixel distribution."""

    name: Literal["distribution"] = "distribution"
    init_scale: Number = 1.0

    @property
    def source(self) -> Source:
        return Pixels(init_scale=self.init_scale, main="mean")

    @property
    def head(self) -> Head:
        return Distribution(**self.options(DistributionOptions))


class TransformationAM(ParametrizationSpec, ConvOptions):
    """Transformation AM: ``n_samples`` learnable inputs per chain through the chain's one conv / CNN."""

    name: Literal["transformation"] = "transformation"
    n_samples: Count = 1

    @property
    def source(self) -> Source:
        return Transform(**self.options(ConvOptions), n_samples=self.n_samples)


class TransformationDistributionAM(ParametrizationSpec, ConvOptions, DistributionOptions):
    """Transformation + distribution AM: a CNN maps one learnable input per chain to the mean of a
    pixel distribution (and with ``learn_std`` to its raw std as a second channel; ``std`` is then unused)."""

    name: Literal["transformation_distribution"] = "transformation_distribution"

    @property
    def source(self) -> Source:
        return Transform(**self.options(ConvOptions), channels=2 if self.learn_std else 1)

    @property
    def head(self) -> Head:
        return Distribution(**self.options(DistributionOptions))


class GeneratorAM(ParametrizationSpec, CodeOptions):
    """Generator-space AM: a latent code decoded by the model's generative path (see :class:`Code`)."""

    name: Literal["generator"] = "generator"

    @property
    def source(self) -> Source:
        return Code(**self.options(CodeOptions))


#: A parametrization, by name.
ParametrizationConfig = component(PixelAM | DistributionAM | TransformationAM | TransformationDistributionAM
                                  | GeneratorAM)
