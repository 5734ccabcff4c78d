import numpy as np
import pytest

from tdvae_am.data.natural import build_natural_patches
from tdvae_am.data.patches import (
    allocate,
    cut_split_patches,
    load_patch_set,
    random_crops,
    save_patch_set,
    split_tiles,
)


def test_random_crops_are_true_crops():
    image = np.random.default_rng(0).random((30, 50))
    crops = random_crops(image, 20, 8, np.random.default_rng(1))
    windows = np.lib.stride_tricks.sliding_window_view(image, (8, 8)).reshape(-1, 8, 8)
    for c in crops:
        assert np.any(np.all(windows == c, axis=(1, 2)))


def test_tiles_follow_fractions_and_allocation_sums():
    tiles = split_tiles((200, 300), 20, (0.8, 0.1, 0.1), np.random.default_rng(0))
    assert {k: len(v) for k, v in tiles.items()} == {"train": 120, "val": 15, "test": 15}
    all_corners = np.concatenate(list(tiles.values()))
    assert len(np.unique(all_corners, axis=0)) == 150
    assert allocate(10, np.array([1, 1, 1])).sum() == 10


def test_split_patches_never_share_pixels():
    # every pixel holds its own id, so a patch reveals which pixels it was cut from
    images = {"a": np.arange(60 * 200, dtype=float).reshape(60, 200),
              "b": 1e6 + np.arange(90 * 90, dtype=float).reshape(90, 90)}
    out = cut_split_patches(images, {"train": 300, "val": 60, "test": 60}, 10, (0.6, 0.2, 0.2),
                            np.random.default_rng(0))
    pixels = {k: set(np.unique(v).tolist()) for k, v in out.items()}
    assert not pixels["train"] & pixels["val"] and not pixels["train"] & pixels["test"]
    assert not pixels["val"] & pixels["test"]
    assert all(any(p >= 1e6 for p in px) and any(p < 1e6 for p in px) for px in pixels.values())


def test_save_load_roundtrip_and_checksum(tmp_path):
    arrays = {"train": np.ones((3, 4, 4), np.float32), "label": np.arange(3)}
    save_patch_set(tmp_path / "p.npz", arrays, {"seed": 1})
    loaded, meta = load_patch_set(tmp_path / "p.npz")
    assert meta["seed"] == 1 and meta["arrays"]["train"]["shape"] == [3, 4, 4]
    np.testing.assert_array_equal(loaded["label"], arrays["label"])
    np.savez(tmp_path / "p.npz", train=np.zeros((3, 4, 4), np.float32), label=np.arange(3))
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_patch_set(tmp_path / "p.npz")


def test_natural_patches_have_unit_order_variance():
    config = {
        "seed": 0, "patch_size": 40,
        "natural": {"image_dir": None, "raw_shape": [1024, 1536], "split_fractions": [0.8, 0.1, 0.1],
                    "n_train": 600, "n_val": 100, "n_test": 100},
        "whitening": {"cutoff": 0.4, "pad": 32, "target_std": 1.0},
    }
    arrays, meta = build_natural_patches(config, np.random.default_rng(0))
    assert arrays["train"].shape == (600, 40, 40) and arrays["train"].dtype == np.float32
    assert abs(arrays["train"].std() - 1.0) < 1e-3
    assert 0.8 < arrays["val"].std() < 1.25 and 0.8 < arrays["test"].std() < 1.25
    assert meta["normalization"]["scale"] > 0 and meta["whitening"]["f0_cycles_per_pixel"] == 0.2
