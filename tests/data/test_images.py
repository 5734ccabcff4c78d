import numpy as np
import pytest

from tdvae_am.data.images import (
    ImageSourceError,
    bundled_image,
    load_natural_images,
    load_texture_seed,
    read_image,
    read_van_hateren,
    to_gray,
)


def test_van_hateren_raw_reader(tmp_path):
    shape = (1024, 1536)
    values = (np.arange(shape[0] * shape[1], dtype=np.uint32) % 4096).astype(np.uint16).reshape(shape)
    path = tmp_path / "imk00001.iml"
    values.astype(">u2").tofile(path)
    image = read_van_hateren(path)
    assert image.shape == shape
    np.testing.assert_allclose(image, values / values.max())
    np.testing.assert_allclose(read_image(path), image)
    # little-endian bytes would be read differently: the reader is big-endian
    values.astype("<u2").tofile(tmp_path / "wrong.imc")
    assert not np.allclose(read_van_hateren(tmp_path / "wrong.imc"), image)


def test_raw_reader_rejects_wrong_size(tmp_path):
    path = tmp_path / "short.iml"
    np.zeros(100, ">u2").tofile(path)
    with pytest.raises(ImageSourceError, match="expected 1024x1536"):
        read_van_hateren(path)


def test_user_folder_of_images(tmp_path):
    from skimage import io

    io.imsave(tmp_path / "a.png", (np.random.default_rng(0).random((60, 80, 3)) * 255).astype(np.uint8))
    np.zeros((16, 24), ">u2").tofile(tmp_path / "b.iml")
    images = load_natural_images(tmp_path, raw_shape=(16, 24))
    assert set(images) == {"a", "b"}
    assert images["a"].shape == (60, 80) and 0 <= images["a"].min() and images["a"].max() <= 1


def test_missing_sources_are_clear_errors(tmp_path):
    with pytest.raises(ImageSourceError, match="image folder not found"):
        load_natural_images(tmp_path / "nope")
    with pytest.raises(ImageSourceError, match="no image files"):
        load_natural_images(tmp_path)
    with pytest.raises(ImageSourceError, match="neither a bundled texture"):
        load_texture_seed("velvet")


def test_bundled_images_are_gray_unit_range():
    for name in ("camera", "astronaut", "einstein", "reptile_skin", "brick"):
        img = bundled_image(name)
        assert img.ndim == 2 and img.min() >= 0 and img.max() <= 1 and img.std() > 0.05
    assert to_gray(np.full((4, 4), 255, np.uint8)).max() == 1.0
