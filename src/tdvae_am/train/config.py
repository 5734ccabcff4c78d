"""Training settings."""

import dataclasses
import logging
from dataclasses import dataclass

import torch

from tdvae_am.models import BetaWarmup

log = logging.getLogger(__name__)
PRECISIONS = ("auto", "fp32", "bf16")
NATIVE_BF16_CPU = ("avx512_bf16", "amx_bf16", "bf16")  # torch.cpu.get_capabilities() keys (x86, x86, arm64)

# settings that must match for a resumed run to continue the same trajectory and metrics
RESUME_KEYS = [
    "batch_size", "lr", "beta_z", "beta_y_start", "beta_y_final", "warmup_start", "warmup_end", "seed", "log_every",
]  # fmt: skip


def resolve_precision(precision: str, device: torch.device) -> str:
    """``"fp32"`` or ``"bf16"`` for a ``precision`` setting on ``device``, logging the choice.

    ``"auto"`` is bf16 on a CUDA device that supports it and on a CPU with native bf16
    arithmetic (AVX-512 BF16, AMX or Arm BF16), else fp32; ``"fp32"`` and ``"bf16"`` are kept
    (bf16 also runs, emulated and far slower, on other CPUs).
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if precision != "auto":
        log.info("training precision %s (configured) on %s", precision, device)
        return precision
    if device.type == "cuda":
        native = torch.cuda.is_bf16_supported()
    else:
        caps = torch.cpu.get_capabilities()
        native = device.type == "cpu" and any(caps.get(k, False) for k in NATIVE_BF16_CPU)
    chosen = "bf16" if native else "fp32"
    log.info("training precision %s (auto: %s has %snative bf16)", chosen, device, "" if native else "no ")
    return chosen


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
        torch threads while training (set and restored by ``Trainer.run``); None leaves the current count.
    progress : bool
        Show a tqdm progress bar.
    precision : {"fp32", "bf16", "auto"}
        ``"bf16"``: forward pass and loss under bf16 autocast, with float32 weights, Adam
        states, log-variances, KLs and log-likelihoods; ``"auto"``: bf16 where the device has
        native bf16, else fp32 (:func:`resolve_precision`, applied by the trainer). The
        workflow's default is ``"auto"``.
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
    precision: str = "fp32"

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
            precision=train.get("precision", "auto"),
        )

    @property
    def beta_y(self) -> BetaWarmup:
        """The ``beta_y`` schedule."""
        return BetaWarmup(self.beta_y_start, self.beta_y_final, self.warmup_start, self.warmup_end)

    def trajectory(self) -> dict:
        """The settings of :data:`RESUME_KEYS`, which a resumed run must share, and the precision
        unless fp32 (so that checkpoints from before the setting existed still resume)."""
        out = {k: getattr(self, k) for k in RESUME_KEYS}
        return out if self.precision == "fp32" else out | {"precision": self.precision}
