"""A planted study for the scorecard tests: synthetic AM results for every run of the real
registry, edited per run, and a planted model pair for the top-down vs chain rows."""

import zlib
from pathlib import Path

import numpy as np

from tdvae_am.am import AMResult
from tdvae_am.analysis.gabor import gabor
from tdvae_am.config import load_schema
from tdvae_am.experiments.registry import resolve_run, validated_registry
from tdvae_am.scorecard.evidence import Evidence
from tdvae_am.scorecard.sections import CHAIN_READS

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = validated_registry(ROOT / "config/experiments.yaml",
                              load_schema(ROOT / "workflow/schemas/experiments.schema.yaml"))
TEXTURE, NON_TEXTURE = [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]
U, R, H, T = 10, 3, 24, 12


def grating(freq: float, shift: int = 0) -> np.ndarray:
    x = np.arange(H)
    return np.sin(2 * np.pi * freq * (x[None, :] + shift) + 0 * x[:, None])


class PlantedEvidence(Evidence):
    """Synthetic AM results for every registry run; ``plant[(experiment, variant)](result, rng)``
    edits one run's result in place. The first ``n_texture`` units are texture-sensitive, the
    rest not."""

    def __init__(self, plant=None, n_texture=len(TEXTURE)):
        units = {"texture_sensitive": list(range(n_texture)), "non_texture_sensitive": list(range(n_texture, U)),
                 "units": {"trained": {"information_natural": np.geomspace(0.1, 1.0, U).tolist()}}}
        reference = {"units": TEXTURE + NON_TEXTURE, "natural_mean": [0.0] * U, "natural_std": [1.0] * U,
                     "natural_median": [0.0] * U, "natural_p99": [2.5] * U, "natural_max": [4.0] * U,
                     "sta_activation": [3.0] * U, "sta_gabor_correlation": np.linspace(0.3, 0.7, U).tolist(),
                     "sta_gabor_null": [0.3] * U, "sta_split_half": [0.9] * U,
                     "natural_elbo": [-900.0, 50.0], "natural_elbo_p1": -1100.0, "natural_elbo_p99": -700.0,
                     "whitening_cutoff": 0.2, "natural_power_above_whitening_cutoff": 0.01}
        super().__init__("unused", units, reference, REGISTRY["experiments"])
        self.plant = plant or {}

    def load(self, experiment, variant):
        rng = np.random.default_rng(zlib.crc32(f"{experiment}/{variant}".encode()))
        run = resolve_run(REGISTRY, experiment, variant)
        k = max(run["am"].get("parametrization", {}).get("n_samples", 1), 1)
        images = rng.normal(size=(U, R, k, H, H))
        final = 5 + 0.3 * rng.normal(size=(U, R))
        activation = final[None] * (1 - np.exp(-np.arange(1, T + 1) / 3))[:, None, None]
        res = AMResult(
            units=np.arange(U), images=images, best_images=images, samples=images,
            traces={"activation": activation, "std": np.linspace(0.6, 0.05, T)[:, None, None] * np.ones((T, U, R))},
            params={"input": rng.normal(size=(U, R, 1, H, H))},
            snapshots=rng.normal(size=(1, U, R, 1, H, H)),
            summary={"final_activation": final.tolist(), "final_activation_jitter": (final - 1).tolist(),
                     "final_elbo": (-1000 - 10 * rng.random((U, R))).tolist(),
                     "success": (rng.random((U, R)) < 0.5).tolist(), "snapshot_steps": [0]},
            config=run["am"])
        if (experiment, variant) in self.plant:
            self.plant[(experiment, variant)](res, rng)
        return res


def set_summary(key, value):
    """A plant that sets a (U, R) summary entry to ``value`` plus a little noise."""
    def edit(res, rng):
        res.summary[key] = (np.asarray(value, dtype=float) + 0.1 * rng.normal(size=(U, R))).tolist()
    return edit


def edge_images(res, rng):
    """Every image an oriented Gabor (edge-like) plus a little noise."""
    g = gabor((H, H), H // 2, H // 2, 0.7, 8.0, 3.0, 0.0).numpy() * H
    res.images[:] = g + 0.05 * rng.normal(size=res.images.shape)


class PlantedChain(PlantedEvidence):
    """A planted model for the top-down vs chain comparison: ``edges`` makes every AM image and
    STA Gabor-like; otherwise they are white noise."""

    def __init__(self, edges: bool, n_texture=len(TEXTURE)):
        runs = [tuple(r.split("/")) for r in CHAIN_READS]
        super().__init__({run: edge_images for run in runs} if edges else {}, n_texture)
        self.edges = edges

    def reference_array(self, key):
        rng = np.random.default_rng(0)
        res = AMResult(np.arange(U), *(rng.normal(size=(U, 1, 1, H, H)),) * 3)
        if self.edges:
            edge_images(res, rng)
        return res.images[:, 0, 0]
