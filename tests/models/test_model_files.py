"""model.pt: saved with per-member CRC-32s, verified on load; a damaged file is named with its remedy."""

import zipfile

import pytest
import torch

from tdvae_am.files import CorruptFileError, check_file
from tdvae_am.models import LatentVariableModel


@pytest.fixture
def saved(small_model, tmp_path):
    path = tmp_path / "results/models/tdvae/model.pt"
    small_model.save(path)
    return path


def test_saved_model_passes_the_check_and_loads(saved, small_model):
    assert check_file(saved) == saved
    loaded = LatentVariableModel.load(saved)
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), small_model.state_dict().values()))


def test_truncated_model_is_named_with_its_remedy(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError) as err:
        LatentVariableModel.load(saved)
    assert str(err.value) == (f"{saved} is corrupt (BadZipFile: File is not a zip file); re-create it with "
                              f"`snakemake -R {saved}` or restore the last DVC version with `dvc checkout {saved}`")


def test_damaged_weights_are_caught_although_torch_would_load_them(saved):
    with zipfile.ZipFile(saved) as archive:
        weights = max((i for i in archive.infolist() if "/data/" in i.filename), key=lambda i: i.file_size)
    data = bytearray(saved.read_bytes())
    header = weights.header_offset
    start = header + 30 + int.from_bytes(data[header + 26: header + 28], "little") + int.from_bytes(
        data[header + 28: header + 30], "little")  # after the local header, its name and its extra field
    data[start + weights.file_size // 2] ^= 0xFF
    saved.write_bytes(bytes(data))
    torch.load(saved, weights_only=True)  # torch itself does not notice
    with pytest.raises(CorruptFileError, match="model.pt is corrupt \\(ValueError: bad CRC-32 of member"):
        LatentVariableModel.load(saved)
