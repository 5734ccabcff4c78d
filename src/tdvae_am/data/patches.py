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

from tdvae_am.files import CorruptFileError, load_json, load_npz

SPLITS = ("train", "val", "test")


def split_tiles(
    shape: tuple[int, int], tile: int, fractions: tuple[float, float, float], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Assign the ``tile`` x ``tile`` blocks of an image to the splits at random.

    Returns, per split, the (row, col) corners of its tiles; the proportions of tiles
    follow ``fractions`` (rounded), and pixels beyond the last whole tile are unused.
    """
    rows, cols = shape[0] // tile, shape[1] // tile
    corners = np.stack(np.meshgrid(np.arange(rows) * tile, np.arange(cols) * tile, indexing="ij"), -1)
    corners = corners.reshape(-1, 2)[rng.permutation(rows * cols)]
    bounds = np.cumsum([0, *split_sizes(len(corners), fractions)])
    return {s: corners[bounds[i]: bounds[i + 1]] for i, s in enumerate(SPLITS)}


def split_sizes(n: int, fractions: tuple[float, float, float]) -> list[int]:
    """How many of ``n`` tiles each split gets (``fractions`` of the rounded running total)."""
    bounds = np.round(np.cumsum((0.0,) + tuple(fractions)) / sum(fractions) * n).astype(int)
    return np.diff(bounds).tolist()


def gather_crops(image: np.ndarray, rows: np.ndarray, cols: np.ndarray, size: int) -> np.ndarray:
    """The ``size`` x ``size`` crops of ``image`` with top-left corners (rows, cols)."""
    offs = np.arange(size)
    return image[rows[:, None, None] + offs[None, :, None], cols[:, None, None] + offs[None, None, :]]


def crops_in_tiles(
    image: np.ndarray, corners: np.ndarray, tile: int, n: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` random ``size`` x ``size`` crops lying inside tiles of ``image``."""
    pick = corners[rng.integers(0, len(corners), n)]
    rows = pick[:, 0] + rng.integers(0, tile - size + 1, n)
    cols = pick[:, 1] + rng.integers(0, tile - size + 1, n)
    return gather_crops(image, rows, cols, size)


def random_crops(image: np.ndarray, n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random ``size`` x ``size`` crops anywhere in ``image``."""
    h, w = image.shape
    if h < size or w < size:
        raise ValueError(f"image {h}x{w} is smaller than the {size}px patch")
    return gather_crops(image, rng.integers(0, h - size + 1, n), rng.integers(0, w - size + 1, n), size)


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split the integer ``total`` in proportion to ``weights`` (largest remainder)."""
    raw = total * np.asarray(weights, dtype=float) / np.sum(weights)
    out = np.floor(raw).astype(int)
    out[np.argsort(raw - out)[::-1][: total - out.sum()]] += 1
    return out


def cut_split_patches(
    images: dict[str, np.ndarray], counts: dict[str, int], size: int,
    fractions: tuple[float, float, float], rng: np.random.Generator, tile: int | None = None,
) -> dict[str, np.ndarray]:
    """Patches for each split, cut from disjoint random tiles of every image.

    Every image is divided into ``tile`` x ``tile`` blocks (default ``2 * size``), each
    block belongs to one split, and a patch never leaves its block, so no pixel is shared
    between splits while every split samples all images everywhere. Each image
    contributes in proportion to its number of tiles in the split.
    """
    tile = tile or 2 * size
    tiles = {k: split_tiles(img.shape, tile, fractions, rng) for k, img in sorted(images.items())}
    out = {}
    for split in SPLITS:
        names = [k for k in tiles if len(tiles[k][split])]
        if not names:
            raise ValueError(f"no image has a {tile}px tile for the {split} split")
        per_image = allocate(counts[split], np.array([len(tiles[k][split]) for k in names]))
        out[split] = np.concatenate([
            crops_in_tiles(images[k], tiles[k][split], tile, m, size, rng) for k, m in zip(names, per_image)
        ])[rng.permutation(counts[split])].astype(np.float32)
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
    """Read a patch set and its metadata, checking the stored checksums; a truncated or
    damaged file (or sidecar) is a :class:`tdvae_am.files.CorruptFileError` naming it."""
    path = Path(path)
    meta_path = path.with_suffix(".json")
    if not path.is_file() or not meta_path.is_file():
        raise FileNotFoundError(f"patch set {path} (or its metadata {meta_path.name}) is missing")
    meta = load_json(meta_path)
    arrays = load_npz(path)
    if verify:
        for k, info in meta["arrays"].items():
            if k not in arrays:
                raise CorruptFileError(path, f"array {k!r} of its sidecar is missing")
            if sha256(arrays[k]) != info["sha256"]:
                raise CorruptFileError(path, f"checksum mismatch for array {k!r}")
    return arrays, meta
