"""Checked loading of workflow files: a truncated or damaged file is named, with how to get it back."""

import json

import numpy as np
import pytest

from tdvae_am.data.patches import load_patch_set, save_patch_set
from tdvae_am.files import CorruptFileError, check_file, load_json, load_npy, load_npz


def remedy(path):
    return f"re-create it with `snakemake -R {path}` or restore the last DVC version with `dvc checkout {path}`"


@pytest.fixture
def patch_set(tmp_path):
    path = tmp_path / "data/processed/natural_patches.npz"
    arrays = {"train": np.arange(2 * 40 * 40, dtype=np.float32).reshape(2, 40, 40), "val": np.ones((1, 40, 40), "f4")}
    save_patch_set(path, arrays, {"seed": 0})
    return path


def flip_byte(path, at=0.6):
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_intact_and_missing_files_pass(patch_set, tmp_path):
    assert check_file(patch_set) == patch_set
    assert check_file(str(patch_set)) == str(patch_set)
    assert check_file(tmp_path / "not/yet/made.npz") == tmp_path / "not/yet/made.npz"
    arrays, meta = load_patch_set(patch_set)
    assert arrays["train"].shape == (2, 40, 40) and meta["seed"] == 0


def test_truncated_patch_set(patch_set):
    truncate(patch_set)
    message = f"{patch_set} is corrupt (BadZipFile: File is not a zip file); {remedy(patch_set)}"
    with pytest.raises(CorruptFileError) as err:
        check_file(patch_set)
    assert str(err.value) == message
    with pytest.raises(CorruptFileError) as err:
        load_patch_set(patch_set)
    assert str(err.value) == message


def test_damaged_array_fails_its_checksum(patch_set):
    flip_byte(patch_set, 0.3)
    with pytest.raises(CorruptFileError, match="natural_patches.npz is corrupt .*(Bad CRC-32|checksum mismatch)"):
        check_file(patch_set)
    with pytest.raises(CorruptFileError, match="natural_patches.npz is corrupt .*(Bad CRC-32|checksum mismatch)"):
        load_patch_set(patch_set)


def test_sidecar_of_another_run_and_truncated_sidecar(patch_set):
    meta_path = patch_set.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta["arrays"]["train"]["sha256"] = "0" * 64
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(CorruptFileError, match="corrupt \\(ValueError: checksum mismatch for array 'train'\\)"):
        check_file(patch_set)
    meta["arrays"]["train"]["shape"] = [3, 40, 40]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(CorruptFileError, match="array 'train' is float32\\[2, 40, 40\\], its sidecar says"):
        check_file(patch_set)
    truncate(meta_path)
    with pytest.raises(CorruptFileError) as err:
        load_patch_set(patch_set)
    assert str(err.value).startswith(f"{meta_path} is corrupt (JSONDecodeError: ")
    assert str(err.value).endswith(remedy(meta_path))


def test_other_npz_npy_and_json(tmp_path):
    synth = tmp_path / "data/interim/textures/synth/brick_0.npz"
    seed = tmp_path / "data/interim/textures/seeds/brick.npy"
    units = tmp_path / "results/units.json"
    for path in (synth, seed, units):
        path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(synth, image=np.random.default_rng(0).random((64, 64)), losses=np.arange(5.0))
    np.save(seed, np.zeros((64, 64)))
    units.write_text(json.dumps({"texture_sensitive": [1, 2]}))
    assert load_npz(check_file(synth))["image"].shape == (64, 64)
    assert load_npy(check_file(seed)).shape == (64, 64)
    assert load_json(check_file(units)) == {"texture_sensitive": [1, 2]}
    flip_byte(synth)
    for call in (check_file, load_npz):
        with pytest.raises(CorruptFileError, match=f"{synth} is corrupt .*CRC-32.*snakemake -R {synth}`"):
            call(synth)
    truncate(seed)
    for call in (check_file, load_npy):
        with pytest.raises(CorruptFileError, match=f"{seed} is corrupt .*snakemake -R {seed}`"):
            call(seed)
    truncate(units)
    for call in (check_file, load_json):
        with pytest.raises(CorruptFileError, match=f"{units} is corrupt \\(JSONDecodeError: .*-R {units}`"):
            call(units)


def test_remedy_names_the_file(tmp_path):
    """The remedy re-creates the damaged file itself (Snakemake finds the job that writes it), not
    every job of its rule."""
    path = tmp_path / "results/am/pixel_pre/jitter.npz"
    assert str(CorruptFileError(path, "bad")) == f"{path} is corrupt (bad); {remedy(path)}"
