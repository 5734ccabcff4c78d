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


def _by_name(node: dict) -> dict:
    """A pydantic discriminated union (``oneOf`` + ``discriminator``) as a name check plus one
    ``if`` / ``then`` per name."""
    key, mapping = node["discriminator"]["propertyName"], node["discriminator"]["mapping"]
    return {"type": "object", "properties": {key: {"enum": list(mapping)}},
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


def _registry_form(node):
    if isinstance(node, list):
        return [_registry_form(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "discriminator" in node:
        return _by_name(node)
    if (optional := _or_null(node)) is not None:
        node = optional
    if "anyOf" in node:  # nested unions as one, so an error is reported by the member of the value's type
        node = {**node, "anyOf": [m for member in node["anyOf"] for m in member.get("anyOf", [member])]}
    out = {k: _registry_form(v) for k, v in node.items() if k not in ("required", "title", "default")}
    if "default" in node:
        default = f"Default: {json.dumps(node['default'])}."
        out["description"] = f"{node['description']} {default}" if "description" in node else default
    return out


def am_schema() -> dict:
    """The JSON schema (draft 2020-12) of an AM config entry of the experiment registry."""
    schema = _registry_form(RunSpec.model_json_schema())
    schema["description"] = ("An AM config of the experiment registry (tdvae_am.am), merged onto the registry's "
                             "defaults; generated from tdvae_am.am.config.RunSpec by python -m tdvae_am.am.schema.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    return json.dumps(am_schema(), indent=1) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help=f"fail if {SCHEMA_FILE} is not up to date")
    args = parser.parse_args()
    if args.check:
        if not SCHEMA_FILE.is_file() or SCHEMA_FILE.read_text() != schema_text():
            raise SystemExit(f"{SCHEMA_FILE} is out of date: run python -m tdvae_am.am.schema")
        return
    SCHEMA_FILE.write_text(schema_text())
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
