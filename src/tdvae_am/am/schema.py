"""The JSON schema of AM configs as the experiment registry writes them, derived from the typed
model (:class:`~tdvae_am.am.config.RunSpec`) and committed as workflow/schemas/am.schema.json,
which the registry's schema references (editors complete AM configs from it).

A registry entry overrides the defaults it is merged onto, so no key is required, and a key it
leaves out is inherited, not set to the engine's default (which the description gives). A component
is picked by its ``name`` (a schedule by ``schedule``): the schema lists the valid names and
checks a component's options once its name is given (``if`` / ``then`` per name, so an unknown
name or key is reported as such rather than as a mismatch with every member of the union).

Usage: ``python -m tdvae_am.am.schema [--check]`` writes the file (or checks it is up to date).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .config import RunSpec

#: Where the schema is committed, relative to the repository root.
SCHEMA_FILE = Path("workflow/schemas/am.schema.json")


#: Keywords whose value maps names (of properties, of definitions) to schemas.
NAMED = ("properties", "$defs")


def _by_name(node: dict, partial: bool) -> dict:
    """A pydantic discriminated union (``oneOf`` + ``discriminator``) as a name check (the name
    required unless ``partial``) plus one ``if`` / ``then`` per name."""
    key, mapping = node["discriminator"]["propertyName"], node["discriminator"]["mapping"]
    return {"type": "object", "properties": {key: {"enum": list(mapping)}}, **({} if partial else {"required": [key]}),
            "allOf": [{"if": {"properties": {key: {"const": tag}}, "required": [key]}, "then": {"$ref": ref}}
                      for tag, ref in mapping.items()]}


def _or_null(node: dict) -> dict | None:
    """``anyOf: [{type: T, ...}, {type: null}]`` (an optional option) as ``{type: [T, null], ...}``, so
    a wrong value is reported by its type."""
    members = node.get("anyOf", [])
    if len(members) == 2 and {"type": "null"} in members:
        other = next(m for m in members if m != {"type": "null"})
        if isinstance(other.get("type"), str):
            rest = {k: v for k, v in node.items() if k != "anyOf"}
            return {**other, **rest, "type": [other["type"], "null"]}
    return None


def registry_form(node, partial: bool = True):
    """A pydantic JSON schema as the registry's schemas use it: discriminated unions checked by name,
    optional options by type, nested unions as one, no titles; ``partial`` (an entry merged onto
    defaults) also drops what is required and the defaults, which the descriptions give instead."""
    if isinstance(node, list):
        return [registry_form(n, partial) for n in node]
    if not isinstance(node, dict):
        return node
    if "discriminator" in node:
        rest = {k: registry_form(v, partial) for k, v in node.items() if k not in ("oneOf", "discriminator", "title")}
        return {**rest, **_by_name(node, partial)}
    if (optional := _or_null(node)) is not None:
        node = optional
    if "anyOf" in node:  # nested unions as one, so an error is reported by the member of the value's type
        node = {**node, "anyOf": [m for member in node["anyOf"] for m in member.get("anyOf", [member])]}
    dropped = ("required", "title", "default") if partial else ("title",)
    out = {k: {name: registry_form(sub, partial) for name, sub in v.items()} if k in NAMED
           else registry_form(v, partial) for k, v in node.items() if k not in dropped}
    if partial and "default" in node:
        default = f"Default: {json.dumps(node['default'])}."
        out["description"] = f"{node['description']} {default}" if "description" in node else default
    return out


def am_schema() -> dict:
    """The JSON schema (draft 2020-12) of an AM config entry of the experiment registry."""
    schema = registry_form(RunSpec.model_json_schema())
    schema["description"] = ("An AM config of the experiment registry (tdvae_am.am), merged onto the registry's "
                             "defaults; generated from tdvae_am.am.config.RunSpec by python -m tdvae_am.am.schema.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text(schema: dict) -> str:
    """A schema as its committed file's text."""
    return json.dumps(schema, indent=1) + "\n"


def write_schema(path: Path, schema: dict, command: str) -> None:
    """Write ``schema`` to ``path``, or with ``--check`` on the command line fail if the file differs
    (naming ``command``, which writes it)."""
    parser = argparse.ArgumentParser(description=f"Write (or check) {path}")
    parser.add_argument("--check", action="store_true", help=f"fail if {path} is not up to date")
    if parser.parse_args().check:
        if not path.is_file() or path.read_text() != schema_text(schema):
            raise SystemExit(f"{path} is out of date: run {command}")
        return
    path.write_text(schema_text(schema))
    print(f"wrote {path}")


if __name__ == "__main__":
    write_schema(SCHEMA_FILE, am_schema(), "python -m tdvae_am.am.schema")
