"""Numbers in configuration files, read one way everywhere (the workflow config, the experiment
registry, AM configs): YAML 1.2 scientific notation (``1e-4``, which PyYAML's YAML 1.1 leaves as
text) is a number, an integral one an int (``steps: 1e3`` is the count 1000), and a non-finite
number (``.nan``, ``.inf``) is found by its key so the callers can reject it."""

from __future__ import annotations

import math
import re

import yaml

SCIENTIFIC = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$")


def scientific(text: str) -> int | float:
    """The number a scientific-notation string stands for; an int when integral."""
    value = float(text)
    return int(value) if value.is_integer() else value


class YAMLLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also reads numbers in scientific notation without a dot (YAML 1.2)."""


YAMLLoader.add_implicit_resolver("!scientific", SCIENTIFIC, list("-+0123456789."))
YAMLLoader.add_constructor("!scientific", lambda loader, node: scientific(loader.construct_scalar(node)))


def load_yaml(text: str):
    """Parse YAML text with :class:`YAMLLoader`."""
    return yaml.load(text, Loader=YAMLLoader)


def with_numbers(value):
    """``value`` with every string in scientific notation (a dict or list given in code, or read by
    plain PyYAML) turned into its number."""
    if isinstance(value, dict):
        return {k: with_numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(with_numbers(v) for v in value)
    return scientific(value) if isinstance(value, str) and SCIENTIFIC.fullmatch(value) else value


def non_finite(value, path: tuple = ()) -> list[tuple[str, float]]:
    """``(dotted key, value)`` of every NaN or infinite float inside ``value``."""
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in non_finite(v, (*path, str(k)))]
    if isinstance(value, (list, tuple)):
        return [hit for i, v in enumerate(value) for hit in non_finite(v, (*path, str(i)))]
    if isinstance(value, float) and not math.isfinite(value):
        return [(".".join(path) or "<top level>", value)]
    return []
