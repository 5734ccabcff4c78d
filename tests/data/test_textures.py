import numpy as np

from tdvae_am.data.images import bundled_image
from tdvae_am.data.synthesis import prepare_seed, ps_model, ps_statistics, synthesize_texture
from tdvae_am.data.textures import phase_scramble, texture_patch_set


def test_phase_scramble_keeps_amplitude_changes_phase():
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.standard_normal((5, 40, 40)), axis=2)
    y = phase_scramble(x, rng)
    np.testing.assert_allclose(np.abs(np.fft.fft2(y)), np.abs(np.fft.fft2(x)), rtol=1e-6, atol=1e-6)
    assert np.isrealobj(y)
    assert abs(np.corrcoef(x.ravel(), y.ravel())[0, 1]) < 0.5


def test_patch_set_equalizes_contrast_and_labels():
    rng = np.random.default_rng(0)
    synth = {"low": [rng.random((64, 64)) * 0.1 for _ in range(2)],
             "high": [rng.random((64, 64)) * 2.0 for _ in range(3)]}
    arrays, meta = texture_patch_set(synth, 16, 30, 0.4, natural_scale=5.0, target_std=1.0,
                                     equalize=True, rng=rng)
    assert arrays["patches"].shape == (150, 16, 16)
    assert np.bincount(arrays["family"]).tolist() == [60, 90]
    assert sorted(set(arrays["image"].tolist())) == [0, 1, 2, 3, 4]
    for f in (0, 1):
        assert abs(arrays["patches"][arrays["family"] == f].std() - 1.0) < 1e-4
    assert meta["raw_contrast_ratio_max_min"] > 10
    assert meta["equalization_factors"]["low"] > meta["equalization_factors"]["high"]
    raw, _ = texture_patch_set(synth, 16, 30, 0.4, 5.0, 1.0, equalize=False, rng=np.random.default_rng(0))
    assert raw["patches"][raw["family"] == 1].std() > 10 * raw["patches"][raw["family"] == 0].std()


def test_ps_synthesis_matches_its_seed_family():
    seeds = {n: prepare_seed(bundled_image(n), 64, 2) for n in ("brick", "grass", "reptile_skin")}
    image, losses = synthesize_texture(seeds["brick"], n_scales=3, iterations=12, rng_seed=0)
    assert image.shape == (64, 64) and losses[-1] < 0.2 * losses[0]
    model = ps_model(64, 3)
    stats = {n: ps_statistics(s, model) for n, s in seeds.items()}
    synth = ps_statistics(image, model)
    own = np.linalg.norm(synth - stats["brick"])
    assert own < np.linalg.norm(synth - stats["grass"])
    assert own < np.linalg.norm(synth - stats["reptile_skin"])
