"""Configuration helpers shared by the workflow and the scripts: scale presets and the
semantic checks a JSON schema cannot express (files that must exist, divisibility)."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from .data.images import BUNDLED_TEXTURES


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key."""

    def __init__(self, key: str, message: str):
        super().__init__(f"config key {key}: {message}")
        self.key = key


def coerce_scalars(config):
    """Parse numbers, booleans and nulls left as strings by nested command-line
    overrides (``--config natural='{n_train: 5000}'`` arrives as ``{'n_train': '5000'}``)."""
    if isinstance(config, dict):
        return {k: coerce_scalars(v) for k, v in config.items()}
    if isinstance(config, list):
        return [coerce_scalars(v) for v in config]
    if isinstance(config, str):
        try:
            value = yaml.safe_load(config)
        except yaml.YAMLError:
            return config
        if value is None or isinstance(value, (bool, int, float)):
            return value
    return config


def apply_preset(config: dict) -> dict:
    """Fill every null size of ``config`` from ``config['presets'][config['scale']]``.

    Keys the user set (in the file or on the command line) are kept.
    """
    resolved = copy.deepcopy(config)
    scale = resolved.get("scale", "default")
    presets = resolved.get("presets", {})
    if scale not in presets:
        raise ConfigError("scale", f"{scale!r} has no entry in presets ({', '.join(presets)})")
    for section, values in presets[scale].items():
        target = resolved.setdefault(section, {})
        for key, value in values.items():
            if target.get(key) is None:
                target[key] = value
    return resolved


def format_schema_error(error, where: str = "") -> str:
    """One line naming the offending key of a ``jsonschema.ValidationError`` (``where``
    follows the key, e.g. the file it is in)."""
    key = ".".join(str(p) for p in error.absolute_path) or "<top level>"
    return f"config key {key}{where}: {error.message}"


def check_config(config: dict, root: str | Path = ".") -> None:
    """Checks beyond the schema, on a preset-resolved config; raises :class:`ConfigError`."""
    root = Path(root)
    image_dir = config["natural"].get("image_dir")
    if image_dir is not None and not (root / image_dir).is_dir():
        raise ConfigError("natural.image_dir", f"folder {image_dir!r} does not exist")
    for name, source in config["textures"]["seeds"].items():
        if source not in BUNDLED_TEXTURES and not (root / source).is_file():
            raise ConfigError(
                f"textures.seeds.{name}",
                f"{source!r} is neither a bundled texture ({', '.join(BUNDLED_TEXTURES)}) "
                "nor an existing image file",
            )
    tex = config["textures"]
    for key in ("image_size", "n_scales", "n_images", "iterations", "patches_per_image"):
        if tex.get(key) is None:
            raise ConfigError(f"textures.{key}", "is null and the scale preset does not set it")
    for key in ("n_train", "n_val", "n_test"):
        if config["natural"].get(key) is None:
            raise ConfigError(f"natural.{key}", "is null and the scale preset does not set it")
    train = config.get("train", {})
    for key in ("steps", "batch_size", "lr", "warmup", "log_every", "checkpoint_every"):
        if key in train and train[key] is None:
            raise ConfigError(f"train.{key}", "is null and the scale preset does not set it")
    if train.get("warmup") and train["warmup"][0] > train["warmup"][1]:
        raise ConfigError("train.warmup", f"start {train['warmup'][0]} is after end {train['warmup'][1]}")
    if tex["image_size"] % 2 ** tex["n_scales"]:
        raise ConfigError(
            "textures.image_size",
            f"{tex['image_size']} must be divisible by 2**n_scales = {2 ** tex['n_scales']}",
        )
    if config["patch_size"] > tex["image_size"]:
        raise ConfigError(
            "patch_size", f"{config['patch_size']} exceeds textures.image_size {tex['image_size']}"
        )
