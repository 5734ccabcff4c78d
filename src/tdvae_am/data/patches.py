"""Random square crops of whitened images, split into train/validation/test, and the
on-disk format of patch sets.

Format: ``<name>.npz`` holds float32 arrays (and integer label arrays); ``<name>.json``
beside it holds the metadata (counts, sources, filter, normalization, seed) and the
SHA-256 of every array, which :func:`load_patch_set` verifies.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

SPLITS = ("train", "val", "test")


def random_crops(
    image: np.ndarray, n: int, size: int, rng: np.random.Generator,
    col_range: tuple[int, int] | None = None,
) -> np.ndarray:
    """``n`` random ``size`` x ``size`` crops of ``image`` (vectorized gather).

    ``col_range`` restricts the crops to columns [start, stop) of the image.
    """
    h, w = image.shape
    c0, c1 = col_range if col_range is not None else (0, w)
    if h < size or c1 - c0 < size:
        raise ValueError(f"region {h}x{c1 - c0} is smaller than the {size}px patch")
    rows = rng.integers(0, h - size + 1, n)
    cols = rng.integers(c0, c1 - size + 1, n)
    offs = np.arange(size)
    return image[(rows[:, None, None] + offs[None, :, None]), (cols[:, None, None] + offs[None, None, :])]


def split_columns(width: int, fractions: tuple[float, float, float]) -> dict[str, tuple[int, int]]:
    """Disjoint column bands of an image for each split, in proportion to ``fractions``."""
    bounds = np.round(np.cumsum((0.0,) + tuple(fractions)) / sum(fractions) * width).astype(int)
    return {s: (int(bounds[i]), int(bounds[i + 1])) for i, s in enumerate(SPLITS)}


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split the integer ``total`` in proportion to ``weights`` (largest remainder)."""
    raw = total * np.asarray(weights, dtype=float) / np.sum(weights)
    out = np.floor(raw).astype(int)
    out[np.argsort(raw - out)[::-1][: total - out.sum()]] += 1
    return out


def cut_split_patches(
    images: dict[str, np.ndarray], counts: dict[str, int], size: int,
    fractions: tuple[float, float, float], rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Patches for each split, cut from disjoint column bands of every image.

    Each image contributes in proportion to the area of its band, so no pixel is shared
    between splits.
    """
    out = {}
    for split in SPLITS:
        bands = {k: split_columns(img.shape[1], fractions)[split] for k, img in images.items()}
        usable = {k: b for k, b in bands.items() if b[1] - b[0] >= size and images[k].shape[0] >= size}
        if not usable:
            raise ValueError(f"no image has a {split} band wide enough for {size}px patches")
        names = sorted(usable)
        areas = np.array([(usable[k][1] - usable[k][0]) * images[k].shape[0] for k in names])
        per_image = allocate(counts[split], areas)
        out[split] = np.concatenate(
            [random_crops(images[k], m, size, rng, usable[k]) for k, m in zip(names, per_image)]
        )[rng.permutation(counts[split])].astype(np.float32)
    return out


def sha256(array: np.ndarray) -> str:
    """SHA-256 of an array's bytes (C order)."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def save_patch_set(path: str | Path, arrays: dict[str, np.ndarray], metadata: dict) -> None:
    """Write ``path`` (.npz) and its JSON sidecar with counts, shapes and checksums."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)
    meta = dict(metadata)
    meta["arrays"] = {
        k: {"shape": list(v.shape), "dtype": str(v.dtype), "sha256": sha256(v)} for k, v in arrays.items()
    }
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")


def load_patch_set(path: str | Path, verify: bool = True) -> tuple[dict[str, np.ndarray], dict]:
    """Read a patch set and its metadata, checking the stored checksums."""
    path = Path(path)
    meta_path = path.with_suffix(".json")
    if not path.is_file() or not meta_path.is_file():
        raise FileNotFoundError(f"patch set {path} (or its metadata {meta_path.name}) is missing")
    meta = json.loads(meta_path.read_text())
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    if verify:
        for k, info in meta["arrays"].items():
            if sha256(arrays[k]) != info["sha256"]:
                raise ValueError(f"{path}: checksum mismatch for array {k!r}")
    return arrays, meta
