"""Config presets, checks of every key and range, and bad values stopping Snakemake before any job."""

import copy

import pytest
import yaml
from workflow_helpers import ROOT, run_tool

from tdvae_am.config import (
    ConfigError,
    apply_preset,
    check_config,
    coerce_scalars,
    load_yaml,
    model_sizes,
    validated_config,
)
from tdvae_am.seed_runs import check_seeds, seed_config

SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())


def load_params():
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def validated(change=lambda c: None, scale="default"):
    cfg = {**load_params(), "scale": scale}
    change(cfg)
    return validated_config(cfg, copy.deepcopy(SCHEMA), ROOT)


def test_preset_fills_nulls_and_keeps_overrides():
    cfg = load_params()
    cfg["scale"] = "smoke"
    cfg["natural"]["n_train"] = 123
    resolved = apply_preset(cfg)
    assert resolved["natural"]["n_train"] == 123
    assert resolved["natural"]["n_val"] == cfg["presets"]["smoke"]["natural"]["n_val"]
    assert resolved["textures"]["image_size"] == cfg["presets"]["smoke"]["textures"]["image_size"]
    assert cfg["natural"]["n_val"] is None  # input untouched


@pytest.mark.parametrize(("scale", "lr", "precision"), [("smoke", 3e-4, "fp32"), ("default", 3e-4, "fp32"),
                                                        ("paper", 5e-5, "auto")])
def test_shipped_scales_pass_every_check(scale, lr, precision):
    # bf16 trains another model from the same seed: the CPU presets train in fp32 whatever the CPU
    resolved = validated(scale=scale)
    assert resolved["train"]["lr"] == lr and resolved["scale"] == scale
    assert resolved["train"]["precision"] == precision
    assert validated(lambda c: c["train"].update(precision="bf16"), scale)["train"]["precision"] == "bf16"


def test_a_seed_too_small_for_the_syntheses_is_rejected():
    """The 256 px bundled reptile_skin, downsampled 2x, cannot give 256 px syntheses (texture_seed used to
    fail on it inside the job; the paper preset therefore keeps the seeds at full resolution)."""
    with pytest.raises(ConfigError, match="textures.seeds.reptile_skin: 'reptile_skin' is 256x256 px, 128 px after "
                                          "seed_downsample 2, smaller than textures.image_size 256"):
        validated(lambda c: c["textures"].update(seed_downsample=2), scale="paper")


def test_command_line_strings_are_coerced():
    assert coerce_scalars({"a": {"b": "5", "c": "0.5", "d": "true", "e": "null", "f": "brick"}}) == {
        "a": {"b": 5, "c": 0.5, "d": True, "e": None, "f": "brick"}
    }


def test_scientific_notation_is_a_number_in_every_source():
    assert coerce_scalars({"lr": "1e-4", "steps": "1e5", "x": "-2.5E-3", "name": "e5"}) == {
        "lr": 1e-4, "steps": 100000, "x": -2.5e-3, "name": "e5"}
    assert load_yaml("lr: 1e-2\nsteps: 2e3\nmean: 3.0e-4\nlabel: 1e-2x") == {
        "lr": 0.01, "steps": 2000, "mean": 3e-4, "label": "1e-2x"}
    # a configfile read by PyYAML (YAML 1.1) holds the text '1e-4'
    train = validated(lambda c: c["train"].update(lr="1e-4", steps="2e3"))["train"]
    assert (train["lr"], train["steps"]) == (1e-4, 2000)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c.update(scal="smoke"), "config key scal: unknown key; did you mean scale?"),
        (lambda c: c.update(natral={"n_train": 5}), "config key natral: unknown key; did you mean natural?"),
        (lambda c: c["train"].update(bach_size=8), "config key train.bach_size: unknown key; did you mean batch_size?"),
        (lambda c: c.update(zzz=1), "config key zzz: unknown key; valid keys: scale, seed, device"),
        (lambda c: c["presets"].update(smok={}), "config key presets.smok: unknown key; did you mean smoke?"),
        (lambda c: c["presets"]["smoke"].update(trian={}), "config key presets.smoke.trian: unknown key; did you mean "
                                                           "train?"),
        (lambda c: c["presets"]["paper"]["train"].update(lrr=1e-4), "config key presets.paper.train.lrr: unknown "
                                                                      "key; did you mean lr?"),
        (lambda c: c.update(scale="smok"), "config key scale: 'smok' is not one of ['smoke', 'default', 'paper']; "
                                           "did you mean 'smoke'?"),
    ],
)
def test_unknown_keys_are_named_with_the_closest_valid_one(change, message):
    with pytest.raises(ConfigError) as err:
        validated(change)
    assert str(err.value).startswith(message)


def test_a_seed_run_reads_the_main_runs_texture_syntheses(tmp_path):
    """Every model seed is shown the same texture images: a seed run's config names the main run's folder
    (or the folder the main run itself reads them from) and changes the seeds only."""
    cfg = validated()
    assert cfg["confirm"]["syntheses_from"] is None
    nested = seed_config(cfg, 3, tmp_path)
    assert nested["confirm"]["syntheses_from"] == str(tmp_path.resolve())
    assert (nested["seed"], nested["confirm"]["seed"]) == (3, cfg["seed"])
    assert seed_config(nested, 4, tmp_path / "other")["confirm"]["syntheses_from"] == str(tmp_path.resolve())


def test_the_confirmation_seed_must_differ_from_the_main_seed():
    check_seeds(validated())
    with pytest.raises(ConfigError, match="config key confirm.seed: 0 is the main run's seed"):
        check_seeds(validated(lambda c: c["confirm"].update(seed=0)))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c["train"].update(lr=1000), "config key train.lr: 1000 is greater than the maximum of 1"),
        (lambda c: c["train"].update(lr=0), "config key train.lr: 0 is less than or equal to the minimum of 0"),
        (lambda c: c["presets"]["default"]["train"].update(lr=5),
         "config key presets.default.train.lr: 5 is greater than the maximum of 1"),
        (lambda c: c["presets"]["default"]["natural"].update(n_train=0),
         "config key presets.default.natural.n_train: 0 is less than the minimum of 1"),
        (lambda c: c["train"].update(steps=1.5e5), "config key train.steps: 150000.0 is not of type 'integer'"),
        (lambda c: c.update(seed=2**40), "config key seed: 1099511627776 is greater than the maximum"),
        (lambda c: c["natural"].update(split_fractions=[0.8, 0.3, 0.3]),
         "config key natural.split_fractions: [0.8, 0.3, 0.3] sums to 1.4; it must sum to 1"),
        (lambda c: c["natural"].update(split_fractions=[0.8, 0.1, 0.0]),
         "config key natural.split_fractions.2: 0.0 is less than or equal to the minimum of 0"),
        (lambda c: c["units"].update(n_units=500),
         "config key units.n_units: 500 is more than 125, half the 250 z2 units of model tdvae"),
        (lambda c: c["units"].update(n_units=126), "config key units.n_units: 126 is more than 125"),
        (lambda c: c["train"].update(models=["tdvae", "sparse"]),
         "config key units.layer: 'z2' is not a layer of model sparse (z1)"),
        (lambda c: c["train"].update(models=["chain"]), "config key train.models: ['chain'] lacks tdvae"),
        (lambda c: c["train"].update(warmup=[0.6, 0.2]), "config key train.warmup: start 0.6 is after end 0.2"),
        (lambda c: c["train"].update(warmup=[0.2, 1.5]), "config key train.warmup.1: 1.5 is greater than the maximum"),
        (lambda c: c["train"].update(batch_size=70000), "config key train.batch_size: 70000 exceeds natural.n_train "
                                                        "60000"),
        (lambda c: c.update(patch_size=32), "config key patch_size: 32 does not fit model tdvae, whose input is 40x40"),
        (lambda c: c["textures"].update(spatial_corr_width=9),
         "config key textures.spatial_corr_width: 9 exceeds the coarsest scale of the synthesis, image_size / "
         "2**n_scales = 8 px"),
        (lambda c: c["textures"].update(n_images=1), "config key textures.n_images: 1 is less than the minimum of 2"),
        (lambda c: c["textures"].update(image_size=100), "config key textures.image_size: 100 must be divisible"),
        (lambda c: c["textures"].update(seed_downsample=3), "config key textures.seeds.reptile_skin: 'reptile_skin' "
                                                            "is 256x256 px, 86 px after seed_downsample 3"),
        (lambda c: c["whitening"].update(cutoff=0), "config key whitening.cutoff: 0 is less than or equal to"),
        (lambda c: c["am"].update(restarts=0), "config key am.restarts: 0 is less than the minimum of 1"),
        (lambda c: c["units"].update(n_units=0), "config key units.n_units: 0 is less than the minimum of 1"),
        (lambda c: c["presets"]["default"]["am"].pop("threads"),
         "config key am.threads: is null and the 'default' preset does not set it"),
        (lambda c: c["confirm"].update(seeds=[1, 1]), "config key confirm.seeds: [1, 1] has non-unique elements"),
        (lambda c: c["train"].update(lr=float("nan")), "config key train.lr: nan is not a finite number"),
        (lambda c: c["whitening"].update(cutoff=float("nan")), "config key whitening.cutoff: nan is not a finite"),
        (lambda c: c["units"].update(info_threshold=float("inf")), "config key units.info_threshold: inf is not a"),
        (lambda c: c["presets"]["default"]["train"].update(lr=float("nan")),
         "config key presets.default.train.lr: nan is not a finite number"),
    ],
)
def test_values_out_of_range_are_named(change, message):
    with pytest.raises(ConfigError) as err:
        validated(change)
    assert str(err.value).startswith(message)


def test_unit_bound_follows_the_model_size():
    assert model_sizes("tdvae") == (1600, {"z2": 250, "z1": 1800})
    assert model_sizes("sparse") == (1600, {"z1": 1800})
    assert validated(lambda c: c["units"].update(n_units=125))["units"]["n_units"] == 125


@pytest.mark.parametrize("scale", ["smoke", "default", "paper"])
def test_every_candidate_unit_and_one_restart_pass(scale):
    """n_units null (the default: every candidate of each class, also with the smoke fallback) and
    am.restarts 1 pass every check."""
    resolved = validated(scale=scale)
    assert resolved["units"]["n_units"] is None
    assert validated(lambda c: c["am"].update(restarts=1), scale=scale)["am"]["restarts"] == 1


@pytest.mark.parametrize(
    "change, key",
    [
        (lambda c: c["natural"].update(image_dir="no/such/folder"), "natural.image_dir"),
        (lambda c: c["textures"]["seeds"].update(brick="velvet"), "textures.seeds.brick"),
        (lambda c: c["textures"].update(image_size=100), "textures.image_size"),
        (lambda c: c.update(patch_size=300), "patch_size"),
    ],
)
def test_semantic_errors_name_the_key(change, key):
    cfg = apply_preset(load_params())
    change(cfg)
    with pytest.raises(ConfigError, match=f"config key {key}:"):
        check_config(cfg, ROOT)


@pytest.mark.parametrize(
    "override, message",
    [
        ("natural={n_train: -5}", "config key natural.n_train: -5 is less than the minimum of 1"),
        ("seed=abc", "config key seed: 'abc' is not of type 'integer'"),
        ("scale=huge", "config key scale: 'huge' is not one of"),
        ("textures={seeds: {brick: velvet}}", "config key textures.seeds.brick: 'velvet' is neither"),
        ("natural={image_dir: missing_folder}", "config key natural.image_dir: folder 'missing_folder' does not exist"),
        ("whitening={cutoff: 0}", "config key whitening.cutoff"),
        ("scal=smoke", "config key scal: unknown key; did you mean scale?"),
        ("train={lr: 1000}", "config key train.lr: 1000 is greater than the maximum of 1"),
        ("units={n_units: 500}", "config key units.n_units: 500 is more than 125"),
        ("natural={split_fractions: [0.8, 0.3, 0.3]}", "config key natural.split_fractions: [0.8, 0.3, 0.3] sums to"),
    ],
)
def test_bad_values_stop_snakemake_before_any_job(workflow_dir, override, message):
    proc = run_tool(["snakemake", "-n", "--config", override], workflow_dir, check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert message in output
    assert "Job stats" not in output and "rule natural_patches" not in output


def test_configfile_section_typo_stops_snakemake(workflow_dir):
    (workflow_dir / "mine.yaml").write_text("natral:\n  n_train: 5000\n")
    proc = run_tool(["snakemake", "-n", "--configfile", "mine.yaml"], workflow_dir, check=False)
    assert proc.returncode != 0
    assert "config key natral: unknown key; did you mean natural?" in proc.stdout + proc.stderr


def test_valid_override_is_accepted(workflow_dir):
    proc = run_tool(["snakemake", "-n", "--config", "scale=smoke", "natural={n_train: 300}"], workflow_dir)
    assert "natural_patches" in proc.stdout + proc.stderr


def test_scientific_notation_is_accepted_by_snakemake(workflow_dir):
    """`--config train='{lr: 1e-4}'` and `lr: 2e-4` in a configfile (text to PyYAML) pass as numbers."""
    (workflow_dir / "mine.yaml").write_text("train:\n  lr: 2e-4\n")
    for args in (["--config", "train={lr: 1e-4}"], ["--configfile", "mine.yaml"]):
        proc = run_tool(["snakemake", "-n", *args], workflow_dir, check=False)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
