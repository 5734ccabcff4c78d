"""The resumable checkpoint of a training run, tagged with the fingerprint of the run that wrote it."""

import json
from pathlib import Path

import torch

from tdvae_am.models.base import save_atomic


def fingerprint_changes(saved: dict | None, current: dict) -> list[str]:
    """Entries (``section.key`` for dict sections) that differ between two fingerprints, described."""
    if saved is None:
        return ["the checkpoint has no fingerprint"]
    changes = []
    for name in sorted(saved.keys() | current.keys()):
        a, b = saved.get(name), current.get(name)
        if isinstance(a, dict) and isinstance(b, dict):
            changes += [f"{name}.{k}: {a.get(k)!r} in the checkpoint, {b.get(k)!r} now"
                        for k in sorted(a.keys() | b.keys()) if a.get(k) != b.get(k)]  # fmt: skip
        elif a != b:
            changes.append(f"{name}: {a!r} in the checkpoint, {b!r} now")
    return changes


class CheckpointStore:
    """One checkpoint file that resumes only a run with the same fingerprint.

    Parameters
    ----------
    path : path
        The checkpoint file.
    fingerprint : dict
        What the checkpoint depends on (model, trajectory settings, data identity), JSON-serializable;
        saved inside each checkpoint and compared on :meth:`load`.
    """

    def __init__(self, path, fingerprint: dict):
        self.path = Path(path)
        self.fingerprint = json.loads(json.dumps(fingerprint))
        self.step: int | None = None  # step of the checkpoint on disk, once loaded or saved

    def load(self, device: torch.device, restart: bool = False) -> dict | None:
        """The checkpoint, or None when there is none to resume.

        A checkpoint with a different fingerprint raises ValueError naming the differences, or
        with ``restart`` is deleted (the run starts afresh).
        """
        if not self.path.exists():
            return None
        ckpt = torch.load(self.path, map_location=device, weights_only=True)
        changes = fingerprint_changes(ckpt.get("fingerprint"), self.fingerprint)
        if changes and not restart:
            raise ValueError(f"cannot resume from {self.path}: {'; '.join(changes)} (delete it to start afresh)")
        if changes:
            self.path.unlink()
            return None
        self.step = ckpt["step"]
        return ckpt

    def save(self, state: dict) -> None:
        """Write ``state`` (with its ``step``) and the fingerprint atomically."""
        save_atomic(state | {"fingerprint": self.fingerprint}, self.path)
        self.step = state["step"]
