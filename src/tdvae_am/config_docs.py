"""The configuration reference config/README.md, generated from the workflow's config schema.

``python -m tdvae_am.config_docs [--root DIR]`` writes one table per top-level section of
workflow/schemas/config.schema.yaml: each key's dotted path, type, default and allowed values, and
its schema ``description``. A key whose schema is a ``$ref`` is one row, described by the reference
(the definition is not expanded); an object of named entries with their own keys gets rows under
``<name>``. With ``--check`` it writes nothing and exits 1 when config/README.md is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

SCHEMA = Path("workflow/schemas/config.schema.yaml")
OUTPUT = Path("config/README.md")
INTRO = """\
# Configuration

The workflow reads its parameters from [`params.yaml`](../params.yaml), which is Snakemake's
configfile and DVC's params file. `scale` (`smoke`, `default` or `paper`) picks the preset under
`presets` for every size left at `null`; a key set in `params.yaml`, in a YAML file passed with
`--configfile my.yaml`, or on the command line overrides the preset:

    snakemake --cores all --config scale=smoke natural='{n_train: 5000}'
    dvc exp run -S scale=smoke

Every value is checked against [the schema](../workflow/schemas/config.schema.yaml) and by
`tdvae_am.config.check_config` before any job runs; an unknown key at any level is an error. The
AM experiments and their figures are declared in [`experiments.yaml`](experiments.yaml)
(`am.experiments`).

This page is generated from the schema's descriptions by `python -m tdvae_am.config_docs`; edit
the schema, not this page.
"""
HEADER = "| key | type | default / allowed | description |\n|---|---|---|---|"


def resolve(node: dict, schema: dict) -> dict:
    """``node`` with its ``$ref`` (``#/...``) merged in; the node's own keys win."""
    if "$ref" not in node:
        return node
    target = schema
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return {**resolve(target, schema), **{k: v for k, v in node.items() if k != "$ref"}}


def value(v) -> str:
    """A value as YAML flow text (``null``, ``true``, ``[1, 2]``, ``{a: b}``)."""
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    if isinstance(v, list):
        return "[" + ", ".join(map(value, v)) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {value(x)}" for k, x in v.items()) + "}"
    return str(v)


def type_name(node: dict) -> str:
    """``integer or null``, ``array of number``, ``object of integer`` (the type of the entries)."""
    types = node.get("type", "any")
    names = []
    for t in types if isinstance(types, list) else [types]:
        inner = {"array": node.get("items"), "object": node.get("additionalProperties")}.get(t)
        names.append(f"{t} of {type_name(inner)}" if isinstance(inner, dict) and "type" in inner else t)
    return " or ".join(names)


def bounds(node: dict) -> str:
    """The numeric range of ``node``: ``>= 1``, ``> 0``, ``(0, 1]``; empty without one."""
    low = (f"[{node['minimum']}", f">= {node['minimum']}") if "minimum" in node else None
    low = (f"({node['exclusiveMinimum']}", f"> {node['exclusiveMinimum']}") if "exclusiveMinimum" in node else low
    high = (f"{node['maximum']}]", f"<= {node['maximum']}") if "maximum" in node else None
    if low and high:
        return f"{low[0]}, {high[0]}"
    return (low or high or ("",))[-1]


def constraints(node: dict, required: bool = False) -> list[str]:
    """Default, choices, range and size limits of ``node``, each as a short phrase."""
    out = ["required"] if required else []
    out += [f"default `{value(node['default'])}`"] if "default" in node else []
    out += ["one of " + ", ".join(f"`{value(v)}`" for v in node["enum"])] if "enum" in node else []
    out += [bounds(node)] if bounds(node) else []
    if "minItems" in node:
        same = node["minItems"] == node.get("maxItems")
        count = f"{node['minItems']} item" + "s" * (node["minItems"] != 1)
        out.append(count if same else f"at least {count}")
    out += ["unique"] if node.get("uniqueItems") else []
    out += [f"at least {node['minProperties']} entries"] if "minProperties" in node else []
    names = node.get("propertyNames", {})
    out += ["names: " + ", ".join(f"`{v}`" for v in names["enum"])] if "enum" in names else []
    out += [f"names match `{names['pattern']}`"] if "pattern" in names else []
    for word, key in (("items", "items"), ("values", "additionalProperties")):
        inner = node.get(key)
        if isinstance(inner, dict) and bounds(inner):
            out.append(f"{word} {bounds(inner)}")
    return out


def cell(text: str) -> str:
    """Text on one line, safe in a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def sentence(text: str, required: bool = False) -> str:
    """A section's description as a paragraph: one line, capitalized, with a full stop."""
    text = " ".join(text.split()) + " (required)" * required
    return text[:1].upper() + text[1:] + "." if text else ""


def rows(properties: dict, required: list, schema: dict, prefix: str) -> list[str]:
    """Table rows of ``properties`` and of the keys nested in them, with dotted paths under ``prefix``."""
    out = []
    for key, raw in properties.items():
        node, path = resolve(raw, schema), f"{prefix}{key}"
        allowed = "; ".join(constraints(node, key in required))
        out.append(f"| `{path}` | {cell(type_name(node))} | {cell(allowed)} | {cell(node.get('description', ''))} |")
        if "properties" in raw:
            out += rows(raw["properties"], raw.get("required", []), schema, f"{path}.")
        entry = raw.get("additionalProperties")
        if isinstance(entry, dict) and "properties" in entry:
            out += rows(entry["properties"], entry.get("required", []), schema, f"{path}.<name>.")
    return out


def render(schema: dict) -> str:
    """config/README.md for ``schema``: the introduction, the top-level keys, then one table per section."""
    props, required = schema["properties"], schema.get("required", [])
    sections = [k for k, v in props.items() if "properties" in v]
    scalars = {k: v for k, v in props.items() if k not in sections}
    parts = [INTRO, "## Top-level keys", HEADER + "\n" + "\n".join(rows(scalars, required, schema, ""))]
    for name in sections:
        section = props[name]
        parts += [f"## `{name}`", sentence(section.get("description", ""), name in required)]
        parts.append(HEADER + "\n" + "\n".join(rows(section["properties"], section.get("required", []), schema,
                                                     f"{name}.")))
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m tdvae_am.config_docs [--root DIR] [--check]``; 0 written or up to date, 1 out of
    date (``--check``)."""
    parser = argparse.ArgumentParser(prog="python -m tdvae_am.config_docs", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root (workflow/, config/)")
    parser.add_argument("--check", action="store_true", help=f"write nothing; exit 1 if {OUTPUT} is out of date")
    args = parser.parse_args(argv)
    text = render(yaml.safe_load((args.root / SCHEMA).read_text(encoding="utf-8")))
    path = args.root / OUTPUT
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == text:
        print(f"{OUTPUT}: up to date")
    elif args.check:
        print(f"{OUTPUT} is out of date: run python -m tdvae_am.config_docs", file=sys.stderr)
        return 1
    else:
        path.write_text(text, encoding="utf-8")
        print(f"{OUTPUT}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
