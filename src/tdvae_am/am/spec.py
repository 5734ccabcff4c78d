"""The typed model of an AM configuration: the base of every component and the value types.

Every component (a parametrization, an R_pre / R_grad / R_obj / R_post operation, an optimizer,
a schedule, the budget, the success rule) is a frozen pydantic model that declares its options
once, with their defaults and ranges; a list of components is a union discriminated by ``name``.
pydantic (v2) was chosen over hand-written dataclass checks because one declaration gives the
parser, the range checks, the error locations and the JSON schema that the experiment registry's
schema embeds (``python -m tdvae_am.am.schema``), and it is already a dependency of the workflow
tools. Validation errors become one :class:`~tdvae_am.am.errors.AMError` naming the key path, the
value and the valid range or the closest valid name.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    Strict,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..config import unknown_key, unknown_name
from .errors import AMError

#: A finite number (an int is taken; a bool or a string is not).
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
#: A finite number > 0.
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
#: A finite number >= 0.
NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
#: An integer (a float such as 2.0 is not).
Int = Annotated[int, Strict()]
#: An integer >= 1.
Count = Annotated[int, Strict(), Field(ge=1)]


class Spec(BaseModel):
    """Base of the components: keyword options only, unknown keys rejected, defaults validated,
    frozen after parsing."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data):
        if isinstance(data, dict):
            for key in data:
                if key not in cls.model_fields:
                    raise PydanticCustomError("unknown_key", "{hint}",
                                              {"key": key, "hint": unknown_key(key, list(cls.model_fields))})
        return data


class Stage(RootModel):
    """Base of the stages R_pre, R_grad, R_obj and R_post: a list of components (``ops``), applied
    in order; a stage is true when it has any."""

    model_config = ConfigDict(frozen=True)

    @property
    def ops(self) -> tuple:
        return self.root

    def __bool__(self) -> bool:
        return bool(self.root)


def named(value):
    """A component written as its bare name (``"jitter"``) as the mapping ``{"name": "jitter"}``."""
    return {"name": value} if isinstance(value, str) else value


def component(union):
    """The annotated type of one component of ``union``, picked by its ``name``; a bare name stands
    for the component with its defaults."""
    names = Literal[tuple(member.model_fields["name"].default for member in get_args(union))]
    picked = Annotated[union, Field(discriminator="name")]
    return Annotated[picked, BeforeValidator(named, json_schema_input_type=names | picked)]


TAG = re.compile(r"'([^']*)'")


BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
KINDS = {"int_type": "an integer", "int_from_float": "an integer", "float_type": "a finite number",
         "finite_number": "a finite number", "bool_type": "true or false", "dict_type": "a mapping",
         "model_type": "a mapping", "tuple_type": "a list", "list_type": "a list", "string_type": "a name"}


def _message(error: dict) -> str:
    """One pydantic error as text: an unknown name with the closest valid one, a value out of its
    range with the range and the value."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "union_tag_invalid":
        return unknown_name(ctx["tag"], TAG.findall(ctx["expected_tags"]))
    if kind == "literal_error":
        return unknown_name(value, TAG.findall(ctx["expected"]))
    if kind == "union_tag_not_found":
        return f"needs a {ctx['discriminator']} key, got {value!r}"
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "missing":
        return "is required"
    if kind in ("unknown_key", "unknown_name"):
        return ctx["hint"]
    if kind in BOUNDS:
        bound = next(v for k, v in ctx.items() if k in ("gt", "ge", "lt", "le"))
        return f"must be {BOUNDS[kind]} {bound:g}, got {value!r}"
    if kind in ("too_short", "too_long"):
        return f"must have {ctx.get('min_length', ctx.get('max_length'))} items, got {value!r}"
    if kind in KINDS:
        return f"must be {KINDS[kind]}, got {value!r}"
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {value!r}"


def _where(loc: tuple, data, root: str) -> str:
    """The dotted key path of an error's location in ``data``, without what pydantic adds to it:
    the names of the union members it tried (a component's ``name``, a schedule's ``schedule``) and
    of validator wrappers."""
    parts = []
    for part in loc:
        if isinstance(data, dict) and part not in data and part in (data.get("name"), data.get("schedule")):
            continue
        if data == part or (isinstance(part, str) and (part.startswith("function-") or "[" in part)):
            continue
        parts.append(str(part))
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            data = None
    return ".".join(filter(None, [root, *parts])) or "<top level>"


def am_error(err: ValidationError, data, root: str = "") -> AMError:
    """The first error of ``err`` (validating ``data``) as an :class:`AMError` naming its key path
    (below ``root``)."""
    first = err.errors(include_url=False)[0]
    loc, ctx = first["loc"], first.get("ctx", {})
    if "key" in ctx:  # an unknown key, or a name under ctx["key"]
        loc = (*loc, ctx["key"])
    elif first["type"] == "union_tag_invalid" and isinstance(first["input"], dict):
        loc = (*loc, ctx["discriminator"].strip("'"))
    return AMError(f"{_where(loc, data, root)}: {_message(first)}")


def validate(kind, value, root: str = ""):
    """``value`` validated as ``kind`` (a model or an annotated type); an :class:`AMError` names the key."""
    adapter = kind if isinstance(kind, TypeAdapter) else TypeAdapter(kind)
    try:
        return adapter.validate_python(value)
    except ValidationError as err:
        raise am_error(err, value, root) from None
