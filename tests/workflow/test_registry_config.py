"""The experiment registry as the workflow loads it: YAML 1.2 numbers and unknown keys named."""

import pytest
from workflow_helpers import ROOT, run_tool

from tdvae_am.am import parse_config
from tdvae_am.config import ConfigError, load_schema
from tdvae_am.experiments.registry import load_registry, resolve_run, validated_registry

SCHEMA = load_schema(ROOT / "workflow/schemas/experiments.schema.yaml")
SHIPPED = (ROOT / "config/experiments.yaml").read_text()
LR = "optimizer: {name: rmsprop, lr: 0.01}"


def write(tmp_path, text):
    path = tmp_path / "experiments.yaml"
    path.write_text(text)
    return path


def test_scientific_notation_is_a_number_in_every_run(tmp_path):
    assert LR in SHIPPED
    registry = validated_registry(write(tmp_path, SHIPPED.replace(LR, "optimizer: {name: rmsprop, lr: 1e-2}")), SCHEMA)
    assert registry["defaults"]["optimizer"]["lr"] == 0.01
    assert resolve_run(registry, "pixel", "plain")["am"]["optimizer"]["lr"] == 0.01
    steps = validated_registry(write(tmp_path, SHIPPED.replace("steps: 250", "steps: 2.5e2", 1)), SCHEMA)
    am = resolve_run(steps, "pixel", "plain")["am"]
    assert am["steps"] == 250 and parse_config(am).steps == 250  # the registry and the engine read it alike


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("    title: Pixel-space AM without regularization", "    titel: Pixel-space AM without regularization",
         "config key experiments.pixel.titel of the registry {path}: unknown key; did you mean title?"),
        ("\nfigures:", "\nfigurse:", "config key figurse of the registry {path}: unknown key; did you mean figures?"),
        ("fig13_pixel_pre: {kind: images,", "fig13_pixel_pre: {kind: images, colums: restarts,",
         "config key figures.fig13_pixel_pre.colums of the registry {path}: unknown key; did you mean columns?"),
        ("fig11_sta: {kind: sta,", "fig11_sta: {kind: sta, columns: variants,",  # an option of another kind
         "config key figures.fig11_sta.columns of the registry {path}: unknown key; valid keys: title, models"),
        ("fig18_diversity: {kind: samples,", "fig18_diversity: {kind: samples, count: 0,",
         "config key figures.fig18_diversity.count of the registry {path}: 0 is less than the minimum of 1"),
        ("fig11_sta: {kind: sta,", "fig11_sta: {kind: stta,",
         "config key figures.fig11_sta.kind of the registry {path}: 'stta' is not one of"),
        ("    sweep: iterations\n    restarts: 1", "    sweep: iterations\n    restarts: 0",
         "config key experiments.pixel.restarts of the registry {path}: 0 is less than the minimum of 1"),
        (LR, "optimizer: {name: rmsprop, lr: .nan}",
         "config key defaults.optimizer.lr of the registry {path}: nan is not a finite number"),
        (LR, "optimizer: {name: rmsprop, lr: .inf}",
         "config key defaults.optimizer.lr of the registry {path}: inf is not a finite number"),
    ],
)
def test_registry_errors_name_the_key(tmp_path, old, new, message):
    assert old in SHIPPED
    path = write(tmp_path, SHIPPED.replace(old, new))
    with pytest.raises(ConfigError) as err:
        validated_registry(path, SCHEMA)
    assert str(err.value).startswith(message.format(path=path))


def test_bad_yaml_is_one_line(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_registry(write(tmp_path, "experiments: [\n"))
    assert "\n" not in str(err.value) and "is not valid YAML" in str(err.value)


def test_snakemake_runs_a_registry_with_scientific_notation(workflow_dir, tmp_path):
    path = write(tmp_path, SHIPPED.replace(LR, "optimizer: {name: rmsprop, lr: 1e-2}"))
    run_tool(["snakemake", "-n", "--config", f"am={{experiments: {path}}}"], workflow_dir)
    path.write_text(SHIPPED.replace("\nfigures:", "\nfigurse:"))
    proc = run_tool(["snakemake", "-n", "--config", f"am={{experiments: {path}}}"], workflow_dir, check=False)
    assert proc.returncode != 0
    assert f"config key figurse of the registry {path}: unknown key; did you mean figures?" in proc.stdout + proc.stderr
