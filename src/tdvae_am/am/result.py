"""The result of an AM run and its storage as ``.npz`` (arrays) + ``.json`` (summary)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def _paths(path) -> tuple:
    """``(<stem>.npz, <stem>.json)`` for a path given with or without either suffix."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".npz", ".json") else path
    return stem.parent / f"{stem.name}.npz", stem.parent / f"{stem.name}.json"


def _group(arrays: dict, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


@dataclass
class AMResult:
    """Images, traces and summary of one AM run over U units x R restarts.

    Attributes
    ----------
    units : int array (U,)
    images : array (U, R, K, H, W)
        Final representative images (pixel images, distribution mean, transformed input,
        decoded code).
    best_images : array (U, R, K, H, W)
        Copies of the representative images at the iteration with the highest own-unit
        activation.
    samples : array (U, R, S, H, W)
        One final draw of the samples a(.) is evaluated on (equal to ``images`` for
        pixel AM).
    traces : dict of str -> array (T, U, R)
        Per-iteration metrics, see :mod:`tdvae_am.am.tracking`.
    params : dict of str -> array (U, R, ...)
        Final parameters (e.g. ``input`` and ``kernel0`` of transformation AM).
    snapshots : array (n_snapshots, U, R, K, H, W) or None
        Images after each of ``summary["snapshot_steps"]`` iterations.
    summary : dict
        JSON-serializable per-chain lists (U x R) of final / best activations, largest
        other activation, ELBO, best step, the success flags and the success rule, plus
        run metadata.
    config : dict
        The full configuration, defaults filled in.
    """

    units: np.ndarray
    images: np.ndarray
    best_images: np.ndarray
    samples: np.ndarray
    traces: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    snapshots: np.ndarray | None = None
    summary: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)

    @property
    def n_restarts(self) -> int:
        return self.images.shape[1]

    def rows(self, units) -> list[int]:
        """Index of each of ``units`` along this result's unit axis."""
        row = {u: i for i, u in enumerate(self.units.tolist())}
        return [row[u] for u in units]

    def save(self, path) -> tuple:
        """Write ``<path>.npz`` and ``<path>.json``; returns both paths."""
        npz, meta = _paths(path)
        npz.parent.mkdir(parents=True, exist_ok=True)
        arrays = {"units": self.units, "images": self.images, "best_images": self.best_images,
                  "samples": self.samples}
        if self.snapshots is not None:
            arrays["snapshots"] = self.snapshots
        arrays.update({f"traces/{k}": v for k, v in self.traces.items()})
        arrays.update({f"params/{k}": v for k, v in self.params.items()})
        np.savez_compressed(npz, **arrays)
        meta.write_text(json.dumps({"summary": self.summary, "config": self.config}, indent=1))
        return npz, meta

    @classmethod
    def load(cls, path) -> AMResult:
        """Read a result written by :meth:`save`."""
        npz, meta = _paths(path)
        with np.load(npz) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(meta.read_text())
        return cls(units=arrays["units"], images=arrays["images"], best_images=arrays["best_images"],
                   samples=arrays["samples"], traces=_group(arrays, "traces/"), params=_group(arrays, "params/"),
                   snapshots=arrays.get("snapshots"),
                   summary=meta["summary"], config=meta["config"])
