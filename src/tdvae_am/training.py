"""Resumable training of the latent variable models by Adam on the (beta-weighted) ELBO.

The data are preloaded as one tensor; each epoch visits a permutation drawn from
``(seed, epoch)``, so the data order is a function of the step alone. Every
``checkpoint_every`` steps the model, optimizer, step, data position, RNG state and the
current logging window are written atomically to ``checkpoint.pt``; a new run in the same
output folder resumes from it and continues the same trajectory. Every ``log_every``
steps the window's mean training loss (the beta-weighted objective) and ELBO terms (unit
betas, nats per patch) and the validation ELBO are appended to ``metrics.csv`` (one row
per log, usable as DVC plots); at the end ``model.pt`` and
``summary.json`` are written. Losses stay on the device between logs: non-finite losses
are detected at each log or checkpoint and reported with the step that produced them.
"""

import csv
import dataclasses
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor
from tqdm import tqdm

from tdvae_am.devices import resolve_device
from tdvae_am.evaluation import as_patch_tensor, per_patch
from tdvae_am.models import BetaWarmup, LatentVariableModel
from tdvae_am.models.base import save_atomic

METRICS = ["loss", "train_elbo", "train_reconstruction", "train_kl_z1", "train_kl_z2"]
COLUMNS = ["step", "epoch", "beta_y", *METRICS, "val_elbo", "samples_per_s"]
# settings that must match for a resumed run to continue the same trajectory and metrics
RESUME_KEYS = [
    "batch_size", "lr", "beta_z", "beta_y_start", "beta_y_final", "warmup_start", "warmup_end", "seed", "log_every",
]  # fmt: skip


@dataclass
class TrainingConfig:
    """Training settings (the dict format of the training config).

    Attributes
    ----------
    steps : int
        Total optimizer steps.
    batch_size : int
        Patches per step (original: 128).
    lr : float
        Adam learning rate (original: 5e-5, constant).
    beta_z : float
        Weight of the z1 KL.
    beta_y_start, beta_y_final, warmup_start, warmup_end : float, float, int, int
        ``beta_y`` (weight of the z2 KL) warm-up by step, see :class:`BetaWarmup`.
    log_every : int
        Steps between rows of ``metrics.csv``.
    checkpoint_every : int
        Steps between checkpoints.
    val_size : int
        Validation patches evaluated at each log (the first ones; 0 for all).
    val_batch_size : int
        Patches per validation forward pass.
    seed : int
        Seed of the initialization, the data order and the posterior samples.
    device : str
        ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"``, ...
    num_threads : int or None
        ``torch.set_num_threads`` value; None leaves torch's default.
    progress : bool
        Show a tqdm progress bar.
    """

    steps: int = 10_000
    batch_size: int = 128
    lr: float = 5e-5
    beta_z: float = 1.0
    beta_y_start: float = 0.1
    beta_y_final: float = 1.25
    warmup_start: int = 0
    warmup_end: int = 0
    log_every: int = 500
    checkpoint_every: int = 5_000
    val_size: int = 2_048
    val_batch_size: int = 512
    seed: int = 0
    device: str = "auto"
    num_threads: int | None = None
    progress: bool = True

    @classmethod
    def from_dict(cls, config: dict) -> "TrainingConfig":
        """Build from a dict, rejecting unknown keys."""
        unknown = set(config) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown training settings: {sorted(unknown)}")
        return cls(**config)

    @classmethod
    def from_workflow(cls, train: dict, model: str, seed: int, device: str) -> "TrainingConfig":
        """Build from the workflow's ``train`` section (warm-up as fractions of the steps,
        per-model step overrides in ``model_steps``)."""
        steps = (train.get("model_steps") or {}).get(model, train["steps"])
        start, end = train["warmup"]
        return cls(
            steps=steps, batch_size=train["batch_size"], lr=train["lr"], beta_z=train["beta_z"],
            beta_y_start=train["beta_y_start"], beta_y_final=train["beta_y_final"],
            warmup_start=round(start * steps), warmup_end=round(end * steps),
            log_every=min(train["log_every"], steps), checkpoint_every=train["checkpoint_every"],
            val_size=train["val_size"], seed=seed, device=device, num_threads=train["threads"],
        )

    @property
    def beta_y(self) -> BetaWarmup:
        """The ``beta_y`` schedule."""
        return BetaWarmup(self.beta_y_start, self.beta_y_final, self.warmup_start, self.warmup_end)


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
        Training settings.
    """

    def __init__(self, model_config: dict, train, val, out_dir, config: TrainingConfig | dict):
        self.config = config if isinstance(config, TrainingConfig) else TrainingConfig.from_dict(config)
        cfg = self.config
        if cfg.num_threads:
            torch.set_num_threads(cfg.num_threads)
        self.device = resolve_device(cfg.device)
        self.train_data = as_patch_tensor(train, self.device)
        self.val_data = as_patch_tensor(val, self.device)[: cfg.val_size or None]
        self.steps_per_epoch = len(self.train_data) // cfg.batch_size
        if self.steps_per_epoch == 0:
            raise ValueError(f"{len(self.train_data)} training patches are fewer than one batch of {cfg.batch_size}")
        self.beta_y = cfg.beta_y
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.paths = {name: out_dir / name for name in ["checkpoint.pt", "metrics.csv", "model.pt", "summary.json"]}

        torch.manual_seed(cfg.seed)
        self.model = LatentVariableModel.from_config(model_config).to(self.device)
        self.optimizer = make_adam(self.model.parameters(), cfg.lr)
        self.step = 0
        self.elapsed = 0.0
        self.window = torch.zeros(cfg.log_every, len(METRICS), device=self.device)
        self.filled = 0  # rows of the window written since the last log
        self.checked = 0  # rows of the window already checked for non-finite losses
        self._permutation = (-1, None)
        if self.paths["checkpoint.pt"].exists():
            self._restore()
        else:
            self._write_metrics_header()

    # ---- state -------------------------------------------------------------------------

    def _state(self) -> dict:
        epoch, position = divmod(self.step, self.steps_per_epoch)
        rng = {"torch": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(self.device)
        return {
            "model": self.model.checkpoint(),
            "optimizer": self.optimizer.state_dict(),
            "step": self.step,
            "epoch": epoch,
            "position": position,
            "rng": rng,
            "window": self.window[: self.filled].cpu(),
            "elapsed_s": self.elapsed,
            "training": dataclasses.asdict(self.config),
        }

    def _restore(self) -> None:
        ckpt = torch.load(self.paths["checkpoint.pt"], map_location=self.device, weights_only=True)
        if ckpt["model"]["config"] != self.model.config:
            raise ValueError(f"checkpoint holds model {ckpt['model']['config']}, not {self.model.config}")
        saved = ckpt["training"]
        changed = [k for k in RESUME_KEYS if saved[k] != getattr(self.config, k)]
        if changed:
            raise ValueError(f"cannot resume: settings {changed} differ from the checkpoint's")
        self.model.load_state_dict(ckpt["model"]["state_dict"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        self.step = ckpt["step"]
        self.elapsed = ckpt["elapsed_s"]
        self.filled = self.checked = len(ckpt["window"])
        self.window[: self.filled] = ckpt["window"].to(self.device)
        torch.set_rng_state(ckpt["rng"]["torch"].cpu())
        if "cuda" in ckpt["rng"]:
            torch.cuda.set_rng_state(ckpt["rng"]["cuda"].cpu(), self.device)
        self._truncate_metrics()

    def _write_metrics_header(self) -> None:
        with open(self.paths["metrics.csv"], "w", newline="") as f:
            csv.writer(f).writerow(COLUMNS)

    def _truncate_metrics(self) -> None:
        """Drop metric rows logged after the checkpoint, or cut short, by the interrupted run."""
        path = self.paths["metrics.csv"]
        if not path.exists():
            self._write_metrics_header()
            return
        with open(path, newline="") as f:
            rows = [r for r in csv.DictReader(f) if None not in r.values() and int(r["step"]) <= self.step]
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)

    # ---- loop --------------------------------------------------------------------------

    def _batch(self) -> Tensor:
        epoch, position = divmod(self.step, self.steps_per_epoch)
        if self._permutation[0] != epoch:
            self._permutation = (epoch, epoch_permutation(self.config.seed, epoch, len(self.train_data), self.device))
        b = self.config.batch_size
        return self.train_data.index_select(0, self._permutation[1][position * b : (position + 1) * b])

    def _train_step(self, x: Tensor) -> None:
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

    def _check_finite(self) -> None:
        losses = self.window[self.checked : self.filled, 0]
        bad = (~torch.isfinite(losses)).nonzero()
        if len(bad):
            i = bad[0].item()
            step = self.step - (self.filled - self.checked) + i + 1
            raise FloatingPointError(
                f"training loss is {losses[i].item()} at step {step} (of {self.config.steps}); "
                f"the last checkpoint is from before that step"
            )
        self.checked = self.filled

    def _tick(self) -> None:
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
        with open(self.paths["metrics.csv"], "a", newline="") as f:
            csv.DictWriter(f, COLUMNS).writerow(row)
        self.filled = self.checked = 0
        self._tick()
        self._mark = (self.step, self.elapsed)
        pbar.set_postfix(train_elbo=f"{row['train_elbo']:.1f}", val_elbo=f"{val:.1f}", refresh=False)

    def save_checkpoint(self) -> None:
        """Write the resumable state to ``checkpoint.pt`` atomically."""
        self._tick()
        save_atomic(self._state(), self.paths["checkpoint.pt"])

    def run(self, until: int | None = None) -> dict | None:
        """Train up to step ``until`` (default: the configured total), then checkpoint.

        Returns
        -------
        dict or None
            The final summary (also written to ``summary.json``) once all steps are done,
            else None (stopped at ``until``; a new Trainer in the same folder resumes).
        """
        cfg = self.config
        until = cfg.steps if until is None else min(until, cfg.steps)
        pbar = tqdm(total=cfg.steps, initial=self.step, disable=not cfg.progress, mininterval=1, dynamic_ncols=True)
        self._clock = time.perf_counter()
        self._mark = (self.step, self.elapsed)
        while self.step < until:
            self._train_step(self._batch())
            pbar.update()
            logging = self.step % cfg.log_every == 0 or self.step == cfg.steps
            checkpointing = self.step % cfg.checkpoint_every == 0 or self.step == until
            if logging or checkpointing:
                self._check_finite()
            if logging:
                self._log(pbar)
            if checkpointing:
                self.save_checkpoint()
        pbar.close()
        return self._finish() if self.step == cfg.steps else None

    def _finish(self) -> dict:
        self.model.save(self.paths["model.pt"])
        with open(self.paths["metrics.csv"], newline="") as f:
            rows = list(csv.DictReader(f))
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
        with open(self.paths["summary.json"], "w") as f:
            json.dump(summary, f, indent=2)
        return summary


def reset_stale_run(out_dir, fingerprint: dict) -> bool:
    """Keep ``out_dir``'s checkpoint only if it was made for the same ``fingerprint``.

    ``fingerprint`` identifies what a checkpoint depends on (data checksum, model and
    training settings). A folder with a different or missing fingerprint is emptied, so a
    changed configuration starts afresh while an interrupted identical run resumes.
    Returns True when a resumable checkpoint is kept.
    """
    out_dir = Path(out_dir)
    path = out_dir / "fingerprint.json"
    text = json.dumps(fingerprint, sort_keys=True)
    if path.exists() and path.read_text() == text and (out_dir / "checkpoint.pt").exists():
        return True
    for name in ["checkpoint.pt", "metrics.csv", "model.pt", "summary.json"]:
        (out_dir / name).unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return False


def train(
    model_config: dict, train, val, out_dir, config: TrainingConfig | dict, until: int | None = None
) -> dict | None:
    """Train (or resume training of) a model; see :class:`Trainer` and :meth:`Trainer.run`."""
    return Trainer(model_config, train, val, out_dir, config).run(until)
