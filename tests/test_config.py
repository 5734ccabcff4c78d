"""Config presets, semantic checks, and bad values stopping Snakemake before any job."""

import pytest
import yaml

from workflow_helpers import ROOT, run_tool
from tdvae_am.config import ConfigError, apply_preset, check_config, coerce_scalars


def load_params():
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def test_preset_fills_nulls_and_keeps_overrides():
    cfg = load_params()
    cfg["scale"] = "smoke"
    cfg["natural"]["n_train"] = 123
    resolved = apply_preset(cfg)
    assert resolved["natural"]["n_train"] == 123
    assert resolved["natural"]["n_val"] == cfg["presets"]["smoke"]["natural"]["n_val"]
    assert resolved["textures"]["image_size"] == cfg["presets"]["smoke"]["textures"]["image_size"]
    assert cfg["natural"]["n_val"] is None  # input untouched
    for scale in ("smoke", "default", "paper"):
        check_config(apply_preset({**cfg, "scale": scale}), ROOT)


def test_command_line_strings_are_coerced():
    assert coerce_scalars({"a": {"b": "5", "c": "0.5", "d": "true", "e": "null", "f": "brick"}}) == {
        "a": {"b": 5, "c": 0.5, "d": True, "e": None, "f": "brick"}
    }


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
    ],
)
def test_bad_values_stop_snakemake_before_any_job(workflow_dir, override, message):
    proc = run_tool(["snakemake", "-n", "--config", override], workflow_dir, check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert message in output
    assert "Job stats" not in output and "rule natural_patches" not in output


def test_valid_override_is_accepted(workflow_dir):
    proc = run_tool(["snakemake", "-n", "--config", "scale=smoke", "natural={n_train: 300}"], workflow_dir)
    assert "natural_patches" in proc.stdout + proc.stderr
