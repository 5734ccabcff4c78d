"""The AM loop: one step function with the paper's four regularization stages.

One step (paper Sec. 2.2 / 3.4) is

    x <- R_post( x + R_grad( e1 * d a(R_pre(x)) / dx ) + e2 * d R_obj(x) / dx )

where x stands for the parameters of the parametrization, e1 and e2 are the optimizer's
learning rate (times each R_obj weight), and the optimizer may rescale the summed
gradient (RMSprop, Adam, MEI). All units x restarts x samples of a run share one forward
pass per step and one backward pass, two when the activation gradient is filtered (R_grad)
or an ELBO term is weighted; the objective of a batch element is the activation of its own
chain's unit. With a weighted ELBO term the tracker records ``elbo_grad_ratio``, per chain
the norm of the gradient of the weighted ELBO term over that of the activation term, with
respect to all optimized parameters (before R_grad), and the summary ``elbo_weight`` (at
iteration 0), ``elbo_grad_ratio_start`` (at iteration 0) and ``elbo_grad_ratio`` (mean over
iterations). A calibrated ELBO term (``calibrate=r``) measures the ratios at weight 1 in
iteration 0 and runs with ``w = r / median ratio`` from that step on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from .config import RunSpec, parse_config
from .errors import AMError
from .objectives import evaluate_elbo
from .parametrizations import Parametrization, Setup
from .result import AMResult
from .selector import check_output, check_units, max_other_activation, own_activation
from .target import Target
from .tracking import Tracker


@dataclass
class AMState:
    """Everything that changes or is bound during one run."""

    param: Parametrization
    target: Target
    units: torch.Tensor
    chain_units: torch.Tensor
    generator: torch.Generator
    tracker: Tracker
    optimizer: torch.optim.Optimizer | None = None
    scheduler: object = None
    weights: dict = field(default_factory=dict)     # R_obj weights fixed for the run (calibrated ELBO)


def _grads(value: torch.Tensor, params, retain: bool = False) -> list:
    """Gradients of ``value.sum()`` with respect to ``params`` (None for an unused one)."""
    return list(torch.autograd.grad(value.sum(), params, retain_graph=retain, allow_unused=True))


def _add(a: list, b: list) -> list:
    return [x if y is None else y if x is None else x + y for x, y in zip(a, b)]


def chain_norm(grads: list, n_chains: int) -> torch.Tensor:
    """Per-chain L2 norm (N,) of gradients whose first dimension is the chain (None: unused)."""
    squares = [g.reshape(n_chains, -1).square().sum(1) for g in grads if g is not None]
    return torch.stack(squares).sum(0).sqrt()


def _describe(bad: torch.Tensor, n_restarts: int, units: torch.Tensor) -> str:
    chains = torch.nonzero(bad).flatten().tolist()[:5]
    return ", ".join(f"unit {units[c // n_restarts].item()} restart {c % n_restarts}" for c in chains)


class AMRun:
    """A configured AM method, ready to run on any model.

    Parameters
    ----------
    spec : RunSpec
        From :func:`tdvae_am.am.config.parse_config`; see :func:`build_run`.
    """

    def __init__(self, spec: RunSpec):
        self.spec = spec
        self.elbo_ratio = spec.obj.weighted_by("elbo")
        self.elbo = next((term for term in spec.obj.terms if term.name == "elbo"), None)

    def step(self, s: AMState, t: int) -> None:
        """One AM step: ``x <- R_post(x + R_grad(e1 da(R_pre(x))/dx) + e2 dR_obj(x)/dx)``."""
        spec, n = self.spec, self.spec.steps
        x = s.param(s.generator)                                        # samples (N, S, H, W)
        x_pre = spec.pre(x, t, n, s.generator)                          # R_pre
        out = s.target.activation(x_pre.reshape(-1, *x.shape[-2:]))     # a(.)
        if t == 0:
            self._check_model(out, x, s)
        sample_units = s.chain_units.repeat_interleave(x.shape[1])
        act = own_activation(out, sample_units).reshape(x.shape[:2]).mean(1)
        reg, raw, parts = spec.obj(x, t, n, s.target.elbo, s.weights)   # R_obj
        self._check_finite(act, reg, t, s)
        params = list(s.param.parameters())
        if spec.grad or self.elbo_ratio:                                # the two gradients apart
            g_act = _grads(act, params, retain=reg.requires_grad)
            if self.elbo_ratio:
                g_reg, reg, raw, extra = self._elbo_gradients(s, t, x, act, g_act, reg, raw, parts)
            else:
                g_reg, extra = _grads(reg, params) if reg.requires_grad else [None] * len(params), {}
            grads = _add(self._filtered(s, g_act, t), g_reg)
        else:
            grads, extra = _grads(act + reg, params), {}
        self._record(s, t, out, sample_units, x, act, reg, {**raw, **extra})
        for p, g in zip(params, grads):
            p.grad = None if g is None else -g
        s.optimizer.step()
        if s.scheduler is not None:
            s.scheduler.step()
        spec.post(s.param.post_targets(), t, n)                         # R_post
        s.param.project_()

    def _elbo_gradients(self, s: AMState, t: int, x, act, g_act: list, reg, raw: dict, parts: dict) -> tuple:
        """The R_obj gradients with a weighted ELBO term, the objective's terms (re-weighted at
        iteration 0 when the ELBO weight is calibrated) and the trace of the ELBO term's gradient norm
        over the activation's: ``(g_reg, reg, raw, {"elbo_grad_ratio": (N,)})``."""
        params = list(s.param.parameters())
        act_norm = chain_norm(g_act, len(act)).clamp_min(torch.finfo(act.dtype).tiny)
        if t == 0 and self.elbo.calibrate:                              # ratios at weight 1 fix the weight
            ratio = chain_norm(_grads(parts["elbo"], params, retain=True), len(act)) / act_norm
            s.weights["elbo"] = self.elbo.calibrated_weight(ratio)
            reg, raw, parts = self.spec.obj(x, t, self.spec.steps, s.target.elbo, s.weights, raw)
        rest = [v for k, v in parts.items() if k != "elbo"]
        g_reg = _grads(parts["elbo"], params, retain=bool(rest))
        ratio = chain_norm(g_reg, len(act)) / act_norm
        if rest:
            g_reg = _add(g_reg, _grads(sum(rest), params))
        return g_reg, reg, raw, {"elbo_grad_ratio": ratio}

    def _filtered(self, s: AMState, g_act: list, t: int) -> list:
        """R_grad on the activation gradients of the image-shaped parameters."""
        return [self.spec.grad(g, t, self.spec.steps) if self.spec.grad and g is not None and image else g
                for image, g in zip(s.param.filtered(), g_act)]

    def _check_model(self, out, x, s: AMState) -> None:
        check_output(out, x.shape[0] * x.shape[1], s.units)
        if not out.requires_grad or torch.autograd.grad(out.sum(), x, retain_graph=True, allow_unused=True)[0] is None:
            raise AMError("activation(x) is not differentiable with respect to its input x: "
                          "its output has no gradient path back to x (detached or non-torch model)")

    def _check_finite(self, act, reg, t: int, s: AMState) -> None:
        n_restarts = len(s.chain_units) // len(s.units)
        for what, value in (("activation", act), ("R_obj term", reg)):
            bad = ~torch.isfinite(value.detach())
            if bad.any():
                raise AMError(f"non-finite (NaN or inf) {what} at iteration {t} for "
                              f"{_describe(bad, n_restarts, s.units)}")

    @torch.no_grad()
    def _record(self, s: AMState, t, out, sample_units, x, act, reg, extra: dict) -> None:
        """Record a step's traces: objective, activations, ``extra`` (raw R_obj terms, gradient
        ratio), the ELBO and the parametrization's statistics."""
        shape = x.shape[:2]
        values = {"objective": act + reg, "activation": act,
                  "max_other": max_other_activation(out, sample_units).reshape(shape).mean(1)}
        values.update(extra)
        if "elbo" not in extra and s.target.elbo is not None and self.spec.track_elbo:
            values["elbo"] = evaluate_elbo(s.target.elbo, s.param.images())   # of the representative images
        values.update(s.param.stats())
        s.tracker.record(t, values, s.param.images())

    @torch.no_grad()
    def _evaluate(self, s: AMState, images: torch.Tensor) -> tuple:
        """Clean own-unit and largest other-unit activation of (N, K, H, W), each (N,)."""
        out = s.target.activation(images.reshape(-1, *images.shape[-2:]))
        check_output(out, images.shape[0] * images.shape[1], s.units)
        rows = s.chain_units.repeat_interleave(images.shape[1])
        own = own_activation(out, rows).reshape(images.shape[:2]).mean(1)
        other = max_other_activation(out, rows).reshape(images.shape[:2]).mean(1)
        return own, other

    def run(self, target: Target | Callable, units: Sequence[int], *, n_restarts: int = 1, seed: int = 0,
            device="cpu", init=None, progress: bool | None = None) -> AMResult:
        """Run AM for every unit x restart in one batch.

        Parameters
        ----------
        target : Target or callable
            The model's callables; a bare callable is ``Target(activation=...)``.
        units : sequence of int
            Indices of the studied units of that layer.
        n_restarts : int
            Independent random restarts per unit.
        seed : int
            Seeds the run's ``torch.Generator`` and, inside the run only, the global
            torch RNG that the callables may use, so a run is reproducible.
        device : str or torch.device
        init : array-like (n_units, ...), optional
            Initial value of the parametrization's main parameter (pixel images,
            distribution mean, transformation input, or generator code), shared by the
            restarts of a unit.
        progress : bool, optional
            Show a progress bar (default: the config's ``progress``).

        Returns
        -------
        AMResult

        Raises
        ------
        AMError
            On an empty or unknown unit list, a non-differentiable model, a non-finite
            activation, or a missing callable.
        """
        spec = self.spec
        target = target if isinstance(target, Target) else Target(target)
        unit_idx = check_units(units)
        if not isinstance(n_restarts, int) or n_restarts < 1:
            raise AMError(f"n_restarts must be a positive integer, got {n_restarts!r}")
        device = torch.device(device)
        started = time.perf_counter()
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(seed)
            generator = torch.Generator(device=device).manual_seed(seed)
            unit_idx = unit_idx.to(device)
            chain_units = unit_idx.repeat_interleave(n_restarts)
            setup = Setup(len(unit_idx), n_restarts, spec.shape, chain_units, generator, device,
                          spec.budget, target.decode)
            param = spec.parametrization.build(setup)
            if init is not None:
                param.set_init(init)
            state = AMState(param, target, unit_idx, chain_units, generator, Tracker(len(chain_units), spec.snapshots))
            if spec.steps:
                state.optimizer, state.scheduler = spec.optimizer.build(list(param.parameters()), spec.steps)
            show = spec.progress if progress is None else progress
            for t in tqdm(range(spec.steps), disable=not show, desc="AM"):
                self.step(state, t)
            result = self._finish(state, n_restarts, seed, device)
        result.summary["elapsed_s"] = time.perf_counter() - started
        return result

    def _finish(self, s: AMState, n_restarts: int, seed: int, device) -> AMResult:
        u, r = len(s.units), n_restarts
        with torch.no_grad():
            images = s.param.images()
            samples = s.param(s.generator)
            if s.tracker.best_images is None:  # no steps: the initial images are the best
                best_images, best_step = images, torch.zeros(u * r, dtype=torch.long)
            else:
                best_images, best_step = s.tracker.best_images, s.tracker.best_step
            final, final_other = self._evaluate(s, images)
            best, best_other = self._evaluate(s, best_images)
            final_elbo = evaluate_elbo(s.target.elbo, images) if s.target.elbo is not None else None
            snaps = dict(s.tracker.snapshots)
            if self.spec.steps in self.spec.snapshots:
                snaps[self.spec.steps] = images
        traces = s.tracker.arrays()
        act_trace = traces.get("activation", np.zeros((0, u * r)))
        flags = self.spec.success.evaluate(act_trace, final.cpu().numpy(), final_other.cpu().numpy())

        def grid(a) -> np.ndarray:
            a = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
            return a.reshape(u, r, *a.shape[1:])

        summary = {
            "units": s.units.tolist(), "n_restarts": r, "seed": seed, "device": str(device),
            "n_steps": self.spec.steps,
            "final_activation": grid(final).tolist(), "final_max_other": grid(final_other).tolist(),
            "best_activation": grid(best).tolist(), "best_max_other": grid(best_other).tolist(),
            "best_step": grid(best_step).tolist(),
            "final_elbo": None if final_elbo is None else grid(final_elbo).tolist(),
            **self._elbo_summary(s, traces, grid),
            "snapshot_steps": sorted(snaps),
            **{k: grid(v).tolist() for k, v in flags.items()},
            "success_rate": float(np.mean(flags["success"])),
            "success_rule": self.spec.success.model_dump(),
        }
        return AMResult(
            units=s.units.cpu().numpy(),
            images=grid(images), best_images=grid(best_images), samples=grid(samples),
            traces={k: v.reshape(v.shape[0], u, r) for k, v in traces.items()},
            snapshots=np.stack([grid(snaps[k]) for k in sorted(snaps)]) if snaps else None,
            params={k: grid(v) for k, v in s.param.exported().items()},
            summary=summary, config=self.spec.config)

    def _elbo_summary(self, s: AMState, traces: dict, grid) -> dict:
        """``elbo_weight`` at iteration 0 and the gradient ratio at iteration 0 and averaged over iterations."""
        ratio = traces.get("elbo_grad_ratio")
        if ratio is None:
            return dict.fromkeys(("elbo_weight", "elbo_grad_ratio_start", "elbo_grad_ratio"))
        return {"elbo_weight": s.weights.get("elbo", self.elbo.weight(0, self.spec.steps)),
                "elbo_grad_ratio_start": grid(ratio[0]).tolist(), "elbo_grad_ratio": grid(ratio.mean(0)).tolist()}


def build_run(config: dict) -> AMRun:
    """Build a configured AM method from a plain config dict (see :mod:`tdvae_am.am`)."""
    return AMRun(parse_config(config))


def run_am(target: Target | Callable, units: Sequence[int], config: dict, *, n_restarts: int = 1, seed: int = 0,
           device="cpu", init=None, progress: bool | None = None) -> AMResult:
    """Build the method from ``config`` and run it on ``target`` (a :class:`Target` or an
    activation callable); see :meth:`AMRun.run`."""
    return build_run(config).run(target, units, n_restarts=n_restarts, seed=seed, device=device, init=init,
                                 progress=progress)
