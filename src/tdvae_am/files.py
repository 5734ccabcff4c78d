"""Checked reading of the workflow's files (.npz, .npy, .json, model .pt).

A truncated or corrupt file is reported in one line that names it, says how to get it back
(re-create it with Snakemake's ``-R`` on the file, or restore the last DVC version) and, through
:func:`check_file` in the consuming rules' input functions, before Snakemake deletes
anything downstream. The checksums checked: the SHA-256 of every array of a patch set (its
JSON sidecar) and the CRC-32 that every member of a zip archive carries (``np.savez`` and
``torch.save`` write them).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np

#: Errors of a reader meeting a truncated or damaged file.
READ_ERRORS = (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError, UnicodeDecodeError)

_checked: set[tuple] = set()


class CorruptFileError(ValueError):
    """A workflow file is truncated or damaged; the message names it and how to recover."""

    def __init__(self, path: str | Path, reason: str):
        path = Path(path)
        super().__init__(f"{path} is corrupt ({reason}); re-create it with `snakemake -R {path}` or "
                         f"restore the last DVC version with `dvc checkout {path}`")
        self.path = path


def _reason(err: Exception) -> str:
    return f"{type(err).__name__}: {err}".splitlines()[0]


def _npy_header(f) -> tuple[tuple, bool, np.dtype]:
    version = np.lib.format.read_magic(f)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    return read(f)


def _verify_arrays(path: Path, arrays: dict) -> None:
    """SHA-256, shape and dtype of the arrays of a patch set, streamed from its zip members."""
    with zipfile.ZipFile(path) as archive:
        for name, info in arrays.items():
            with archive.open(f"{name}.npy") as f:
                shape, fortran, dtype = _npy_header(f)
                if list(shape) != info["shape"] or str(dtype) != info["dtype"]:
                    raise ValueError(f"array {name!r} is {dtype}{list(shape)}, its sidecar says "
                                     f"{info['dtype']}{info['shape']}")
                digest = hashlib.sha256()
                if fortran:
                    digest.update(np.ascontiguousarray(np.lib.format.read_array(f)).tobytes())
                else:
                    for chunk in iter(lambda: f.read(1 << 22), b""):
                        digest.update(chunk)
            if digest.hexdigest() != info["sha256"]:
                raise ValueError(f"checksum mismatch for array {name!r}")


def _verify(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        json.loads(path.read_text())
    elif suffix == ".npy":
        with open(path, "rb") as f:
            shape, _, dtype = _npy_header(f)
            expected = f.tell() + int(np.prod(shape)) * dtype.itemsize
        if path.stat().st_size != expected:
            raise ValueError(f"{path.stat().st_size} bytes, its header promises {expected}")
    elif suffix in (".npz", ".pt"):
        sidecar = path.with_suffix(".json")
        meta = load_json(sidecar) if suffix == ".npz" and sidecar.is_file() else {}
        if "arrays" in meta:
            _verify_arrays(path, meta["arrays"])
        else:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
            if bad:
                raise ValueError(f"bad CRC-32 of member {bad!r}")


def check_file(path: str | Path) -> str | Path:
    """``path`` once checked (whole-file checksums, without loading it): a patch set's arrays
    against the SHA-256 in its sidecar, any other .npz or .pt by the CRC-32 of its zip members
    (and an .npz's .json sidecar parsed), an .npy's size against its header, a .json parsed.
    A missing file passes (its rule will write it); raises :class:`CorruptFileError`."""
    p = Path(path)
    try:
        stat = p.stat()
    except FileNotFoundError:
        return path
    key = (str(p.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _checked:
        try:
            _verify(p)
        except CorruptFileError:
            raise
        except READ_ERRORS as err:
            raise CorruptFileError(p, _reason(err)) from None
        _checked.add(key)
    return path


def load_json(path: str | Path):
    """A JSON file's content; :class:`CorruptFileError` if it does not parse."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise
    except (ValueError, UnicodeDecodeError) as err:
        raise CorruptFileError(path, _reason(err)) from None


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of an .npz (CRC-32 checked while reading); :class:`CorruptFileError` if damaged."""
    try:
        with np.load(path) as npz:
            return {k: npz[k] for k in npz.files}
    except FileNotFoundError:
        raise
    except READ_ERRORS as err:
        raise CorruptFileError(path, _reason(err)) from None


def load_npy(path: str | Path) -> np.ndarray:
    """An .npy array; :class:`CorruptFileError` if truncated or damaged."""
    try:
        return np.load(path)
    except FileNotFoundError:
        raise
    except READ_ERRORS as err:
        raise CorruptFileError(path, _reason(err)) from None
