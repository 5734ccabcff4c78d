"""The interface every latent variable model offers to training, unit analysis and AM."""

import abc
import math
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import torch
from torch import Tensor, nn
from torch.distributions import Distribution

from tdvae_am.files import CorruptFileError, check_file
from tdvae_am.models.distributions import FAMILIES
from tdvae_am.models.elbo import ELBOTerms


class Latent(NamedTuple):
    """Posterior parameters of one latent layer and the code passed on from it."""

    loc: Tensor
    logvar: Tensor
    z: Tensor


def save_atomic(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` to a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class LatentVariableModel(nn.Module, abc.ABC):
    """A VAE over 40x40 patches with Laplace z1, an optional z2, and a linear Gaussian decoder.

    Inputs ``x`` are ``(B, 40, 40)`` or ``(B, 1600)``; every method is differentiable with
    respect to ``x`` and latent codes. Subclasses register under ``name`` and define
    ``families`` (latent layer to distribution family, top layer first), ``latent_dims``,
    the generative model ``generative`` (a module with ``priors``, ``z1_from`` and
    ``decoder``, see :mod:`tdvae_am.models.generative`) and the inference network
    ``_posterior_params``.
    """

    name: ClassVar[str]
    families: ClassVar[dict[str, str]]
    registry: ClassVar[dict[str, type["LatentVariableModel"]]] = {}
    generative: nn.Module
    latent_dims: dict[str, int]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        LatentVariableModel.registry[cls.name] = cls

    def __init__(self, x_dim: int, **config):
        super().__init__()
        side = math.isqrt(x_dim)
        if side * side != x_dim:
            raise ValueError(f"x_dim={x_dim} is not a square number of pixels")
        self.image_shape = (side, side)
        self.config = {"name": self.name, "x_dim": x_dim}
        self.config |= {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()}

    @abc.abstractmethod
    def _posterior_params(self, x: Tensor, sample: bool, stop_at: str | None = None) -> dict[str, Latent]:
        """Posterior parameters of each layer for flat ``x``; codes are samples or means.

        With ``sample=False`` each layer's code is its posterior mean, so a layer that
        depends on another is conditioned on that layer's mean. ``stop_at`` lets the model
        return once that layer is computed.
        """

    @classmethod
    def from_config(cls, config: dict) -> "LatentVariableModel":
        """Build a model from ``{"name": ..., **constructor arguments}``.

        ``name`` is one of ``registry`` (``"tdvae"``, ``"chain"``, ``"sparse"``); it may be
        left out when called on a subclass.
        """
        config = dict(config)
        name = config.pop("name", None) or getattr(cls, "name", None)
        if name not in cls.registry:
            raise ValueError(f"unknown model {name!r}; known: {sorted(cls.registry)}")
        return cls.registry[name](**config)

    @classmethod
    def load(cls, path: str | os.PathLike, map_location: str | torch.device = "cpu") -> "LatentVariableModel":
        """Load a model saved by :meth:`save` or a training checkpoint, after checking the
        file's checksums; a truncated or damaged file is a :class:`CorruptFileError` naming it."""
        check_file(path)
        try:
            ckpt = torch.load(path, map_location=map_location, weights_only=True)
        except (RuntimeError, pickle.UnpicklingError, EOFError) as err:
            raise CorruptFileError(path, str(err).splitlines()[0]) from None
        ckpt = ckpt.get("model", ckpt)
        model = cls.from_config(ckpt["config"])
        model.load_state_dict(ckpt["state_dict"])
        return model.to(map_location)

    def save(self, path: str | os.PathLike) -> None:
        """Write the config and weights atomically, as a zip archive whose every member carries
        its CRC-32, the checksum :meth:`load` and :func:`tdvae_am.files.check_file` verify."""
        save_atomic(self.checkpoint(), path)

    def checkpoint(self) -> dict:
        """``{"config", "state_dict"}`` as stored by :meth:`save`."""
        return {"config": self.config, "state_dict": self.state_dict()}

    @staticmethod
    def _flat(x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], -1) if x.dim() == 3 else x

    def posterior(self, x: Tensor) -> dict[str, Distribution]:
        """Posterior distribution of each layer, conditioned on the means of the layers it depends on."""
        q = self._posterior_params(self._flat(x), sample=False)
        return {k: FAMILIES[self.families[k]].distribution(q[k].loc, q[k].logvar) for k in q}

    def posterior_moments(self, x: Tensor, layer: str) -> tuple[Tensor, Tensor]:
        """Mean and standard deviation of ``q(layer|x)``, each ``(B, latent_dims[layer])``.

        For the TDVAE's z1 this is ``q(z1|x, z2)`` at the posterior mean of z2.
        """
        lat = self._posterior_params(self._flat(x), sample=False, stop_at=layer)[layer]
        return lat.loc, FAMILIES[self.families[layer]].std(lat.logvar)

    def kl_per_unit(self, x: Tensor, layer: str) -> Tensor:
        """KL of each unit of ``q(layer|x)`` to its prior (means as codes), ``(B, dim)``."""
        q = self._posterior_params(self._flat(x), sample=False)
        p = self.generative.priors({k: v.z for k, v in q.items()})
        return FAMILIES[self.families[layer]].kl(q[layer].loc, q[layer].logvar, *p[layer])

    def terms(self, x: Tensor) -> ELBOTerms:
        """One-sample reconstruction term and analytic KLs, per example."""
        x = self._flat(x)
        q = self._posterior_params(x, sample=True)
        p = self.generative.priors({k: v.z for k, v in q.items()})
        kl = {k: FAMILIES[f].kl(q[k].loc, q[k].logvar, *p[k]).sum(-1) for k, f in self.families.items()}
        return ELBOTerms(self.generative.decoder.log_prob(x, q["z1"].z), kl)

    def elbo(self, x: Tensor) -> Tensor:
        """One-sample ELBO with unit betas, nats per patch, shape ``(B,)``."""
        return self.terms(x).elbo()

    def log_weights(self, x: Tensor, n_samples: int) -> Tensor:
        """``log p(x, z) - log q(z|x)`` at ``n_samples`` posterior samples, shape ``(n_samples, B)``."""
        x = self._flat(x)
        xr = x.repeat(n_samples, 1)
        q = self._posterior_params(xr, sample=True)
        p = self.generative.priors({k: v.z for k, v in q.items()})
        log_w = self.generative.decoder.log_prob(xr, q["z1"].z)
        for k, f in self.families.items():
            fam = FAMILIES[f]
            log_w = log_w + (fam.log_prob(q[k].z, *p[k]) - fam.log_prob(q[k].z, q[k].loc, q[k].logvar)).sum(-1)
        return log_w.view(n_samples, x.shape[0])

    def decode(self, z: Tensor, layer: str | None = None, sample: bool = False) -> Tensor:
        """Mean of ``p(x|z1)`` as ``(B, 40, 40)`` images for codes ``z`` of ``layer``.

        For z2 codes, z1 is the mean (``sample=False``) or a sample of ``p(z1|z2)``.
        ``layer`` defaults to the top layer.
        """
        layer = layer or next(iter(self.families))
        return self.generative.decoder(self.generative.z1_from(z, layer, sample)).view(-1, *self.image_shape)
