"""Resumable training of the latent variable models by Adam on the (beta-weighted) ELBO.

The data are preloaded as one tensor; each epoch visits a permutation drawn from
``(seed, epoch)``, so the data order is a function of the step alone. The trainer owns its
RNG state (seeded by ``seed``, forked from the global one around initialization and the
training steps). Every ``checkpoint_every`` steps the model, optimizer, step, data position,
RNG state and the current logging window are written atomically to ``checkpoint.pt``
(:class:`CheckpointStore`, tagged with the run's fingerprint); a new run in the same output
folder resumes from it and continues the same trajectory. Every ``log_every`` steps the
window's mean training loss (the beta-weighted objective) and ELBO terms (unit betas, nats
per patch) and the validation ELBO are appended to ``metrics.csv`` (:class:`MetricsLog`,
usable as DVC plots); at the end ``model.pt`` and ``summary.json`` are written. Losses stay
on the device between checks, at least every ``CHECK_EVERY`` steps; a non-finite loss, or
non-finite parameters at a save, stop the run with the step and the checkpoint to resume.
With ``precision`` bf16 the forward pass and loss of each step run under bf16 autocast (float32
weights, Adam states and density terms); validation always runs in float32.
"""

import dataclasses
import json
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from torch import Tensor
from tqdm import tqdm

from tdvae_am.devices import resolve_device
from tdvae_am.models import LatentVariableModel
from tdvae_am.train.checkpoints import CheckpointStore
from tdvae_am.train.config import TrainingConfig, resolve_precision
from tdvae_am.train.evaluation import as_patch_tensor, per_patch
from tdvae_am.train.metrics_log import MetricsLog

METRICS = ["loss", "train_elbo", "train_reconstruction", "train_kl_z1", "train_kl_z2"]
COLUMNS = ["step", "epoch", "beta_y", *METRICS, "val_elbo", "samples_per_s"]
CHECK_EVERY = 100  # most steps between checks that the training losses are finite (one device sync each)


def make_adam(params, lr: float) -> torch.optim.Adam:
    """Adam with the fused kernel where the device has one."""
    params = list(params)
    try:
        return torch.optim.Adam(params, lr=lr, fused=True)
    except RuntimeError:
        return torch.optim.Adam(params, lr=lr)


def epoch_permutation(seed: int, epoch: int, n: int, device: torch.device) -> Tensor:
    """Order of the training patches in ``epoch``, a function of ``(seed, epoch)`` only."""
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return torch.from_numpy(order).to(device)


def seeded_rng_state(seed: int, device: torch.device) -> dict:
    """The CPU (and CUDA ``device``) RNG state that ``torch.manual_seed(seed)`` sets."""
    state = {"torch": torch.Generator().manual_seed(seed).get_state()}
    if device.type == "cuda":
        state["cuda"] = torch.Generator(device).manual_seed(seed).get_state()
    return state


class Trainer:
    """Train one model in ``out_dir``, resuming from ``out_dir/checkpoint.pt`` if present.

    Parameters
    ----------
    model_config : dict
        ``{"name": "tdvae" | "chain" | "sparse", **constructor arguments}``.
    train, val : array-like
        Training and validation patches, ``(N, 40, 40)`` or ``(N, 1600)``.
    out_dir : path
        Folder of ``checkpoint.pt``, ``metrics.csv``, ``model.pt`` and ``summary.json``.
    config : TrainingConfig or dict
        Training settings; ``self.config`` holds them with the precision resolved.
    data_id : str or None
        Identity of the training data (e.g. its checksum), part of the checkpoint's fingerprint.
    on_change : {"error", "restart"}
        What a checkpoint of a different fingerprint (model config, ``TrainingConfig.trajectory()``,
        ``data_id``) does: raise ValueError, or get deleted for a fresh start.
    """

    def __init__(
        self, model_config: dict, train, val, out_dir, config: TrainingConfig | dict,
        data_id: str | None = None, on_change: str = "error",
    ):  # fmt: skip
        if on_change not in ("error", "restart"):
            raise ValueError(f"on_change must be 'error' or 'restart', not {on_change!r}")
        cfg = config if isinstance(config, TrainingConfig) else TrainingConfig.from_dict(config)
        self.device = resolve_device(cfg.device)
        self.config = cfg = dataclasses.replace(cfg, precision=resolve_precision(cfg.precision, self.device))
        self.train_data = as_patch_tensor(train, self.device)
        self.val_data = as_patch_tensor(val, self.device)[: cfg.val_size or None]
        self.steps_per_epoch = len(self.train_data) // cfg.batch_size
        if self.steps_per_epoch == 0:
            raise ValueError(f"{len(self.train_data)} training patches are fewer than one batch of {cfg.batch_size}")
        self.beta_y = cfg.beta_y
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)

        self.rng_state = seeded_rng_state(cfg.seed, self.device)
        with self._own_rng():
            self.model = LatentVariableModel.from_config(model_config).to(self.device)
        self.optimizer = make_adam(self.model.parameters(), cfg.lr)
        self.step = 0
        self.elapsed = 0.0
        self._clock = None  # perf_counter of the last elapsed-time update, while run() is running
        self.window = torch.zeros(cfg.log_every, len(METRICS), device=self.device)
        self.filled = 0  # rows of the window written since the last log
        self.checked = 0  # rows of the window already checked for non-finite values
        self._permutation = (-1, None)
        self.metrics = MetricsLog(self.out_dir / "metrics.csv", COLUMNS)
        fingerprint = {"model": self.model.config, "training": cfg.trajectory(), "data": data_id}
        self.checkpoints = CheckpointStore(self.out_dir / "checkpoint.pt", fingerprint)
        ckpt = self.checkpoints.load(self.device, restart=on_change == "restart")
        if ckpt is None:
            self.metrics.start()
            for name in ("model.pt", "summary.json"):
                (self.out_dir / name).unlink(missing_ok=True)
        else:
            self._restore(ckpt)

    # ---- state -------------------------------------------------------------------------

    @contextmanager
    def _own_rng(self):
        """Run the block on the trainer's RNG state, keeping its new state and restoring the global one."""
        with torch.random.fork_rng(devices=[self.device] if "cuda" in self.rng_state else []):
            torch.set_rng_state(self.rng_state["torch"])
            if "cuda" in self.rng_state:
                torch.cuda.set_rng_state(self.rng_state["cuda"], self.device)
            try:
                yield
            finally:
                self.rng_state = {"torch": torch.get_rng_state()}
                if self.device.type == "cuda":
                    self.rng_state["cuda"] = torch.cuda.get_rng_state(self.device)

    def _state(self) -> dict:
        epoch, position = divmod(self.step, self.steps_per_epoch)
        return {
            "model": self.model.checkpoint(),
            "optimizer": self.optimizer.state_dict(),
            "step": self.step,
            "epoch": epoch,
            "position": position,
            "rng": self.rng_state,
            "window": self.window[: self.filled].cpu(),
            "elapsed_s": self.elapsed,
            "training": dataclasses.asdict(self.config),
        }

    def _restore(self, ckpt: dict) -> None:
        self.model.load_state_dict(ckpt["model"]["state_dict"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.step = ckpt["step"]
        self.elapsed = ckpt["elapsed_s"]
        self.filled = self.checked = len(ckpt["window"])
        self.window[: self.filled] = ckpt["window"].to(self.device)
        self.rng_state = {name: state.cpu() for name, state in ckpt["rng"].items()}
        self.metrics.truncate(self.step)

    def _resume_point(self) -> str:
        if self.checkpoints.step is None:
            return "no checkpoint exists, so a rerun would restart from step 0"
        return f"the last checkpoint ({self.checkpoints.path}) is from step {self.checkpoints.step}"

    def _check_finite(self) -> None:
        """Raise FloatingPointError at the first non-finite row of the window not yet checked."""
        rows = self.window[self.checked : self.filled]
        finite = torch.isfinite(rows).all(1)
        if not finite.all():
            i = (~finite).nonzero()[0].item()
            step = self.step - len(rows) + i + 1
            values = ", ".join(f"{k} {v}" for k, v in zip(METRICS, rows[i].tolist()))
            raise FloatingPointError(
                f"non-finite training loss at step {step} (of {self.config.steps}): {values}; {self._resume_point()}"
            )
        self.checked = self.filled

    def _check_parameters(self, target: Path) -> None:
        """Raise FloatingPointError, before ``target`` is written, if a model parameter is not finite."""
        if not torch.stack([torch.isfinite(p).all() for p in self.model.parameters()]).all():
            raise FloatingPointError(
                f"model parameters are not finite at step {self.step}, {target.name} not written; "
                f"{self._resume_point()}"
            )

    def save_checkpoint(self) -> None:
        """Write the resumable state to ``checkpoint.pt`` atomically, unless it holds non-finite values."""
        self._check_finite()
        self._check_parameters(self.checkpoints.path)
        self._tick()
        self.checkpoints.save(self._state())

    # ---- loop --------------------------------------------------------------------------

    def _batch(self) -> Tensor:
        epoch, position = divmod(self.step, self.steps_per_epoch)
        if self._permutation[0] != epoch:
            self._permutation = (epoch, epoch_permutation(self.config.seed, epoch, len(self.train_data), self.device))
        b = self.config.batch_size
        return self.train_data.index_select(0, self._permutation[1][position * b : (position + 1) * b])

    def _train_step(self, x: Tensor) -> None:
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.config.precision == "bf16"):
            terms = self.model.terms(x)
            loss = terms.loss(self.config.beta_z, self.beta_y(self.step))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        with torch.no_grad():
            kl_z1 = terms.kl["z1"].mean()
            kl_z2 = terms.kl["z2"].mean() if "z2" in terms.kl else torch.zeros_like(kl_z1)
            rec = terms.reconstruction.mean()
            self.window[self.filled] = torch.stack([loss.detach(), rec - kl_z1 - kl_z2, rec, kl_z1, kl_z2])
        self.filled += 1
        self.step += 1

    def _tick(self) -> None:
        """Add the time since the last tick to ``elapsed`` (training time counts only within run())."""
        if self._clock is not None:
            now = time.perf_counter()
            self.elapsed += now - self._clock
            self._clock = now

    def _log(self, pbar: tqdm) -> None:
        self._tick()
        rate = (self.step - self._mark[0]) * self.config.batch_size / max(self.elapsed - self._mark[1], 1e-9)
        means = self.window[: self.filled].mean(0).tolist()
        val = per_patch(self.model.elbo, self.val_data, self.config.val_batch_size, self.config.seed).mean().item()
        row = {
            "step": self.step,
            "epoch": round(self.step / self.steps_per_epoch, 4),
            "beta_y": self.beta_y(self.step - 1),
            **dict(zip(METRICS, means)),
            "val_elbo": val,
            "samples_per_s": rate,
        }
        self.metrics.append(row)
        self.filled = self.checked = 0
        self._tick()
        self._mark = (self.step, self.elapsed)
        pbar.set_postfix(train_elbo=f"{row['train_elbo']:.1f}", val_elbo=f"{val:.1f}", refresh=False)

    def run(self, until: int | None = None) -> dict | None:
        """Train up to step ``until`` (default: the configured total), then checkpoint.

        Uses ``num_threads`` torch threads meanwhile, restoring the previous count after.

        Returns
        -------
        dict or None
            The final summary (also written to ``summary.json``) once all steps are done,
            else None (stopped at ``until``; a new Trainer in the same folder resumes).
        """
        cfg = self.config
        until = cfg.steps if until is None else min(until, cfg.steps)
        pbar = tqdm(total=cfg.steps, initial=self.step, disable=not cfg.progress, mininterval=1, dynamic_ncols=True)
        threads = torch.get_num_threads()
        if cfg.num_threads:
            torch.set_num_threads(cfg.num_threads)
        self._clock = time.perf_counter()
        self._mark = (self.step, self.elapsed)
        try:
            while self.step < until:
                every = (cfg.log_every, cfg.checkpoint_every, CHECK_EVERY)
                stop = min(until, *((self.step // k + 1) * k for k in every))
                start = self.step
                with self._own_rng():
                    while self.step < stop:
                        self._train_step(self._batch())
                pbar.update(self.step - start)
                self._check_finite()
                if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                    self._log(pbar)
                if self.step % cfg.checkpoint_every == 0 or self.step == until:
                    self.save_checkpoint()
            return self._finish() if self.step == cfg.steps else None
        finally:
            pbar.close()
            self._clock = None
            torch.set_num_threads(threads)

    def _finish(self) -> dict:
        model_path = self.out_dir / "model.pt"
        self._check_parameters(model_path)
        self.model.save(model_path)
        rows = self.metrics.rows()
        summary = {
            "steps": self.step,
            "epochs": self.step / self.steps_per_epoch,
            "final": {k: float(rows[-1][k]) for k in ["train_elbo", "val_elbo", "beta_y"]},
            "best_val_elbo": max(float(r["val_elbo"]) for r in rows),
            "elapsed_s": self.elapsed,
            "device": str(self.device),
            "n_parameters": sum(p.numel() for p in self.model.parameters()),
            "n_train": len(self.train_data),
            "n_val": len(self.val_data),
            "model": self.model.config,
            "training": dataclasses.asdict(self.config),
        }
        with open(self.out_dir / "summary.json", "w") as f:
            json.dump(summary, f, indent=2)
        return summary


def train(
    model_config: dict, train, val, out_dir, config: TrainingConfig | dict, until: int | None = None,
    data_id: str | None = None, on_change: str = "error",
) -> dict | None:  # fmt: skip
    """Train (or resume training of) a model; see :class:`Trainer` and :meth:`Trainer.run`."""
    return Trainer(model_config, train, val, out_dir, config, data_id, on_change).run(until)
