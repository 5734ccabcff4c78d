"""Configuration of the workflow: reading YAML (with YAML 1.2 numbers), the JSON-schema
validation (defaults, unknown keys, one-line errors), scale presets and the checks a schema
cannot express (files and images, values that depend on each other or on the models)."""

from __future__ import annotations

import copy
import difflib
import inspect
import math
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import best_match

from .data.images import BUNDLED_TEXTURE_SHAPES, ImageSourceError, check_image_folder, image_shape
from .data.patches import SPLITS, split_sizes
from .yaml_numbers import load_yaml, non_finite

#: Keys that must be set once the scale preset is applied (other nulls mean "all" or "as registered").
REQUIRED = {
    "natural": ("n_train", "n_val", "n_test"),
    "textures": ("image_size", "n_scales", "n_images", "iterations", "patches_per_image"),
    "train": ("steps", "batch_size", "lr", "beta_y_final", "warmup", "log_every", "checkpoint_every", "precision"),
    "evaluation": ("iwae_samples",),
    "am": ("sta_samples", "threads"),
}
class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key (``where`` follows it,
    e.g. the file it is in)."""

    def __init__(self, key: str, message: str, where: str = ""):
        super().__init__(f"config key {key}{where}: {message}")
        self.key = key


def coerce_scalars(config):
    """Parse numbers (also ``1e-4``), booleans and nulls left as strings: nested command-line
    overrides arrive as text (``--config natural='{n_train: 5000}'`` as ``{'n_train': '5000'}``)
    and PyYAML reads ``lr: 1e-4`` in a configfile as text."""
    if isinstance(config, dict):
        return {k: coerce_scalars(v) for k, v in config.items()}
    if isinstance(config, list):
        return [coerce_scalars(v) for v in config]
    if isinstance(config, str):
        try:
            value = load_yaml(config)
        except yaml.YAMLError:
            return config
        if value is None or isinstance(value, (bool, int, float)):
            return value
    return config


def _fill_defaults(validator, properties, instance, schema):
    if isinstance(instance, dict):
        for key, subschema in properties.items():
            if "default" in subschema:
                instance.setdefault(key, copy.deepcopy(subschema["default"]))
    yield from Draft202012Validator.VALIDATORS["properties"](validator, properties, instance, schema)


def _is_integer(checker, instance) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


#: Draft 2020-12 that fills defaults and takes only true ints as integers (1.0e5 is not a count).
SchemaValidator = validators.extend(
    Draft202012Validator, {"properties": _fill_defaults},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


def closest(value, valid) -> str | None:
    """The one of ``valid`` closest to ``value`` (difflib), or None."""
    close = difflib.get_close_matches(str(value), [str(v) for v in valid], n=1)
    return close[0] if close else None


def unknown_key(key: str, valid) -> str:
    """The message for an unknown ``key``: the closest of ``valid``, or all of them."""
    close = closest(key, valid)
    return f"unknown key; did you mean {close}?" if close else f"unknown key; valid keys: {', '.join(valid)}"


def unknown_name(value, valid) -> str:
    """The message for an unknown name ``value``: the closest of ``valid``, or all of them."""
    close = closest(value, valid)
    return f"unknown name {value!r}; " + (f"did you mean {close!r}?" if close else f"known: {', '.join(valid)}")


def load_schema(path: str | Path) -> dict:
    """A JSON schema (YAML or JSON) with its references to other files inlined: ``{"$ref": "x.json"}``
    (relative to the schema's folder) becomes the schema of x.json, whose ``$defs`` join the root's."""
    path = Path(path)
    schema, defs = yaml.safe_load(path.read_text()), {}

    def inline(node):
        if isinstance(node, list):
            return [inline(v) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            other = load_schema(path.parent / ref)
            defs.update(other.pop("$defs", {}))
            return {k: v for k, v in other.items() if k != "$schema"}
        return {k: inline(v) for k, v in node.items()}

    schema = inline(schema)
    if defs:
        schema["$defs"] = {**schema.get("$defs", {}), **defs}
    return schema


def _lookup(data, path):
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _describe(error, unresolved: dict | None) -> tuple[str, str]:
    """The key and the message of a ``jsonschema.ValidationError``: an unknown key with its
    closest valid one, a misspelt choice with its closest one. With ``unresolved`` (the config
    before the preset), a value the preset filled in is named by its key under ``presets``."""
    path = list(error.absolute_path)
    if unresolved is not None and _lookup(unresolved, path) is None:
        path = ["presets", unresolved.get("scale", "default"), *path]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = list(error.schema.get("properties", {}))
        extra = next(k for k in error.instance if k not in known)
        return ".".join(str(p) for p in [*path, extra]), unknown_key(extra, known)
    message = error.message
    if error.validator == "enum" and isinstance(error.instance, str):
        close = closest(error.instance, error.validator_value)
        message += f"; did you mean {close!r}?" if close else ""
    return ".".join(str(p) for p in path) or "<top level>", message


def validate_schema(data: dict, schema: dict, where: str = "", unresolved: dict | None = None) -> None:
    """Validate ``data`` against a JSON ``schema`` (Draft 2020-12), filling its defaults in
    place; a violation is a :class:`ConfigError` in one line naming the key (a non-finite number
    first, whatever its range says, then an unknown key: a misspelt key also makes the one it was
    meant to be missing)."""
    if bad := non_finite(data):
        raise ConfigError(bad[0][0], f"{bad[0][1]} is not a finite number", where)
    errors = list(SchemaValidator(schema).iter_errors(data))
    error = best_match([e for e in errors if e.validator == "additionalProperties"] or errors)
    while error is not None and error.validator in ("anyOf", "oneOf"):  # the member that got furthest
        deeper = [e for e in error.context if len(e.absolute_path) > len(error.absolute_path)]
        if not deeper:
            break
        error = best_match(deeper)
    if error is not None:
        raise ConfigError(*_describe(error, unresolved), where)


def apply_preset(config: dict) -> dict:
    """Fill every null size of ``config`` from ``config['presets'][config['scale']]``.

    Keys the user set (in the file or on the command line) are kept. Every preset (of any
    scale) may only name keys of the sections; an unknown one is a :class:`ConfigError`.
    """
    resolved = copy.deepcopy(config)
    scale = resolved.get("scale", "default")
    presets = resolved.get("presets", {})
    if scale not in presets:
        raise ConfigError("scale", f"{scale!r} has no entry in presets ({', '.join(presets)})")
    for name, preset in presets.items():
        for section, values in preset.items():
            for key in values:
                if key not in resolved.get(section, {}):
                    raise ConfigError(f"presets.{name}.{section}.{key}", unknown_key(key, resolved.get(section, {})))
    for section, values in presets[scale].items():
        target = resolved.setdefault(section, {})
        for key, value in values.items():
            if target.get(key) is None:
                target[key] = value
    return resolved


def model_sizes(name: str) -> tuple[int, dict[str, int]]:
    """Input pixels and units per latent layer of the model the workflow trains as ``name``
    (built from its constructor defaults, as training does)."""
    from .models import LatentVariableModel

    cls = LatentVariableModel.registry[name]
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    return defaults["x_dim"], {layer: defaults[f"{layer}_dim"] for layer in cls.families}


def check_images(config: dict, root: str | Path = ".") -> None:
    """The natural-image folder and the texture seeds: readable images (headers checked,
    see :func:`tdvae_am.data.images.image_shape`) large enough for the patches and the synthesis."""
    root, nat, tex = Path(root), config["natural"], config["textures"]
    raw_shape = tuple(nat["raw_shape"])
    if nat.get("image_dir") is not None:
        folder = root / nat["image_dir"]
        if not folder.is_dir():
            raise ConfigError("natural.image_dir", f"folder {nat['image_dir']!r} does not exist")
        try:
            shapes = check_image_folder(folder, raw_shape)
        except ImageSourceError as err:
            raise ConfigError("natural.image_dir", str(err)) from None
        tile = 2 * config["patch_size"]
        for i, split in enumerate(SPLITS):
            if not any(split_sizes((r // tile) * (c // tile), nat["split_fractions"])[i] for r, c in shapes.values()):
                raise ConfigError("natural.image_dir", f"no image in {nat['image_dir']} has a {tile}x{tile} px tile "
                                                       f"(2 x patch_size) for the {split} split")
    for name, source in tex["seeds"].items():
        key = f"textures.seeds.{name}"
        if source in BUNDLED_TEXTURE_SHAPES:
            shape = BUNDLED_TEXTURE_SHAPES[source]
        elif (root / source).is_file():
            try:
                shape = image_shape(root / source, raw_shape)
            except ImageSourceError as err:
                raise ConfigError(key, str(err)) from None
        else:
            raise ConfigError(key, f"{source!r} is neither a bundled texture ({', '.join(BUNDLED_TEXTURE_SHAPES)}) "
                                   "nor an existing image file")
        down = tex["seed_downsample"]
        side = min(math.ceil(s / down) for s in shape)
        if side < tex["image_size"]:
            raise ConfigError(key, f"{source!r} is {shape[0]}x{shape[1]} px, {side} px after seed_downsample {down}, "
                                   f"smaller than textures.image_size {tex['image_size']}")


def check_config(config: dict, root: str | Path = ".") -> None:
    """Checks beyond the schema, on a preset-resolved config; raises :class:`ConfigError`."""
    scale = config.get("scale", "default")
    for section, keys in REQUIRED.items():
        for key in keys:
            if config[section].get(key) is None:
                raise ConfigError(f"{section}.{key}", f"is null and the {scale!r} preset does not set it")
    nat, tex, train, units = config["natural"], config["textures"], config["train"], config["units"]
    if not math.isclose(sum(nat["split_fractions"]), 1.0, abs_tol=1e-6):
        raise ConfigError("natural.split_fractions",
                          f"{nat['split_fractions']} sums to {sum(nat['split_fractions']):g}; it must sum to 1")
    if tex["image_size"] % 2 ** tex["n_scales"]:
        raise ConfigError(
            "textures.image_size",
            f"{tex['image_size']} must be divisible by 2**n_scales = {2 ** tex['n_scales']}",
        )
    coarsest = tex["image_size"] // 2 ** tex["n_scales"]
    if tex["spatial_corr_width"] > coarsest:
        raise ConfigError("textures.spatial_corr_width", f"{tex['spatial_corr_width']} exceeds the coarsest scale of "
                                                         f"the synthesis, image_size / 2**n_scales = {coarsest} px")
    if config["patch_size"] > tex["image_size"]:
        raise ConfigError(
            "patch_size", f"{config['patch_size']} exceeds textures.image_size {tex['image_size']}"
        )
    if train["warmup"][0] > train["warmup"][1]:
        raise ConfigError("train.warmup", f"start {train['warmup'][0]} is after end {train['warmup'][1]}")
    if train["batch_size"] > nat["n_train"]:
        raise ConfigError("train.batch_size", f"{train['batch_size']} exceeds natural.n_train {nat['n_train']}")
    if "tdvae" not in train["models"]:
        raise ConfigError("train.models", f"{train['models']} lacks tdvae, whose units the AM experiments study")
    for model in train["models"]:
        x_dim, latents = model_sizes(model)
        if config["patch_size"] ** 2 != x_dim:
            raise ConfigError("patch_size", f"{config['patch_size']} does not fit model {model}, whose input is "
                                            f"{math.isqrt(x_dim)}x{math.isqrt(x_dim)} pixels")
        if units["layer"] not in latents:
            raise ConfigError("units.layer", f"{units['layer']!r} is not a layer of model {model} "
                                             f"({', '.join(latents)})")
        size = latents[units["layer"]]
        if units["n_units"] is not None and 2 * units["n_units"] > size:  # null: every candidate
            raise ConfigError("units.n_units", f"{units['n_units']} is more than {size // 2}, half the {size} "
                                               f"{units['layer']} units of model {model} (two classes of n_units)")
    check_images(config, root)


def validated_config(config: dict, schema: dict, root: str | Path = ".") -> dict:
    """The workflow config checked from end to end, before any job: scalars coerced, schema
    defaults filled, unknown keys and out-of-range values rejected (also those the scale
    preset fills in), then :func:`check_config`. Returns the preset-resolved config."""
    config = coerce_scalars(config)
    validate_schema(config, schema)
    resolved = apply_preset(config)
    validate_schema(resolved, schema, unresolved=config)
    check_config(resolved, root)
    return resolved
