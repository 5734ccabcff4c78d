"""Bad natural images and texture seeds are found from their headers, before any job, by file name."""

import copy
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from tdvae_am.config import ConfigError, validated_config
from tdvae_am.data.images import (
    BUNDLED_TEXTURE_SHAPES,
    ImageSourceError,
    bundled_image,
    check_image_folder,
    image_shape,
    read_image,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests/workflow"))
from workflow_helpers import copy_workflow, run_tool  # noqa: E402

IML_BYTES = 1024 * 1536 * 2


def png(path, shape=(200, 300)):
    Image.fromarray((np.random.default_rng(0).random(shape) * 255).astype(np.uint8)).save(path)
    return path


def jpg(path):
    Image.open(png(path.with_suffix(".png"))).save(path)
    path.with_suffix(".png").unlink()
    return path


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def validated(tmp_path, change):
    cfg = yaml.safe_load((ROOT / "params.yaml").read_text())
    change(cfg)
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    return validated_config(copy.deepcopy(cfg), schema, ROOT)


def test_good_files_give_their_shape(tmp_path):
    assert image_shape(png(tmp_path / "a.png")) == (200, 300)
    Image.open(tmp_path / "a.png").save(tmp_path / "b.jpg")
    assert image_shape(tmp_path / "b.jpg") == (200, 300)
    (tmp_path / "c.iml").write_bytes(bytes(IML_BYTES))
    assert image_shape(tmp_path / "c.iml") == (1024, 1536)
    assert check_image_folder(tmp_path) == {"a": (200, 300), "b": (200, 300), "c": (1024, 1536)}


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: (d / "x.png").write_text("not an image"), "x.png: not an image file"),
        (lambda d: (d / "x.png").write_bytes(b""), "x.png: not an image file"),
        (lambda d: truncate(png(d / "x.png")), "x.png: truncated or corrupt image"),
        (lambda d: truncate(jpg(d / "x.jpg")), "x.jpg: truncated or corrupt image"),
        (lambda d: (d / "x.iml").write_bytes(bytes(IML_BYTES - 10)),
         "x.iml: 3,145,718 bytes, expected 3,145,728 for a raw van Hateren image (1024x1536 uint16"),
    ],
)
def test_bad_file_is_named(tmp_path, make, message):
    make(tmp_path)
    bad = next(p for p in tmp_path.iterdir() if p.stem == "x")
    with pytest.raises(ImageSourceError, match=re.escape(message)):
        image_shape(bad)
    with pytest.raises(ImageSourceError, match=re.escape(str(bad))):
        check_image_folder(tmp_path)


def test_empty_folders_and_duplicate_names(tmp_path):
    with pytest.raises(ImageSourceError, match="no image files"):
        check_image_folder(tmp_path)
    (tmp_path / "notes.txt").write_text("photos elsewhere")
    with pytest.raises(ImageSourceError, match="no image files"):
        check_image_folder(tmp_path)
    png(tmp_path / "a.png")
    png(tmp_path / "a.tif")
    with pytest.raises(ImageSourceError, match="a second image named 'a'"):
        check_image_folder(tmp_path)


def test_reading_a_bad_image_names_it(tmp_path):
    bad = truncate(png(tmp_path / "x.png"))
    with pytest.raises(ImageSourceError, match=f"{bad}: unreadable image"):
        read_image(bad)


@pytest.mark.parametrize(
    "files, message",
    [
        ({}, "config key natural.image_dir: no image files"),
        ({"a.txt": b"text"}, "config key natural.image_dir: no image files"),
        ({"b.png": b"text"}, "config key natural.image_dir: {d}/b.png: not an image file"),
        ({"c.iml": bytes(1000)}, "config key natural.image_dir: {d}/c.iml: 1,000 bytes, expected 3,145,728"),
        ({"small.png": None}, "config key natural.image_dir: no image in {d} has a 80x80 px tile (2 x patch_size) "
                              "for the val split"),
    ],
)
def test_image_folder_is_checked_before_the_run(tmp_path, files, message):
    for name, data in files.items():
        if data is None:
            png(tmp_path / name, (100, 500))  # 6 tiles of 80 px: 5 train, 0 val, 1 test
        else:
            (tmp_path / name).write_bytes(data)
    with pytest.raises(ConfigError) as err:
        validated(tmp_path, lambda c: c["natural"].update(image_dir=str(tmp_path)))
    assert str(err.value).startswith(message.format(d=tmp_path))


def test_texture_seed_files_are_checked(tmp_path):
    bad = truncate(png(tmp_path / "oat.png", (600, 600)))
    with pytest.raises(ConfigError, match=f"config key textures.seeds.oat: {bad}: truncated or corrupt image"):
        validated(tmp_path, lambda c: c["textures"]["seeds"].update(oat=str(bad)))
    small = png(tmp_path / "rye.png", (200, 600))
    with pytest.raises(ConfigError, match="config key textures.seeds.rye: .* is 200x600 px, 100 px after "
                                          "seed_downsample 2, smaller than textures.image_size 128"):
        validated(tmp_path, lambda c: c["textures"]["seeds"].update(rye=str(small)))
    good = png(tmp_path / "corn.png", (600, 600))
    assert validated(tmp_path, lambda c: c["textures"]["seeds"].update(corn=str(good)))["textures"]["seeds"]["corn"]


def test_bundled_texture_shapes_are_true():
    assert {name: bundled_image(name).shape for name in BUNDLED_TEXTURE_SHAPES} == BUNDLED_TEXTURE_SHAPES


def test_truncated_van_hateren_file_stops_snakemake(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    raw = workdir / "data/raw/vanhateren"
    raw.mkdir(parents=True)
    (raw / "imk00001.iml").write_bytes(bytes(IML_BYTES))
    (raw / "imk00002.iml").write_bytes(bytes(IML_BYTES // 3))
    proc = run_tool(["snakemake", "-n", "--config", "natural={image_dir: data/raw/vanhateren}"], workdir, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Job stats" not in out
    assert ("config key natural.image_dir: " + str(raw / "imk00002.iml") + ": 1,048,576 bytes, expected 3,145,728"
            in out)
