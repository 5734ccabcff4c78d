import numpy as np
import pytest

from tdvae_am.data.natural import build_natural_patches
from tdvae_am.data.patches import (
    allocate, cut_split_patches, load_patch_set, random_crops, save_patch_set, split_columns,
)


def test_random_crops_are_true_crops():
    rng = np.random.default_rng(0)
    image = rng.random((30, 50))
    crops = random_crops(image, 20, 8, np.random.default_rng(1), col_range=(10, 30))
    windows = np.lib.stride_tricks.sliding_window_view(image[:, 10:30], (8, 8)).reshape(-1, 8, 8)
    for c in crops:
        assert np.any(np.all(np.isclose(windows, c), axis=(1, 2)))


def test_split_bands_are_disjoint_and_cover():
    bands = split_columns(100, (0.8, 0.1, 0.1))
    assert bands == {"train": (0, 80), "val": (80, 90), "test": (90, 100)}
    assert allocate(10, np.array([1, 1, 1])).sum() == 10


def test_split_patches_never_share_pixels():
    # each pixel holds its column index, so a patch reveals which band it came from
    image = np.tile(np.arange(200, dtype=float), (60, 1))
    out = cut_split_patches({"x": image}, {"train": 50, "val": 20, "test": 20}, 10, (0.6, 0.2, 0.2),
                            np.random.default_rng(0))
    assert out["train"].max() < 120 and out["val"].min() >= 120 and out["val"].max() < 160
    assert out["test"].min() >= 160


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
    assert 0.5 < arrays["val"].std() < 2 and 0.5 < arrays["test"].std() < 2
    assert meta["normalization"]["scale"] > 0 and meta["whitening"]["f0_cycles_per_pixel"] == 0.2
