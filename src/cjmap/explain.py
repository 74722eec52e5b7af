"""Turn pydantic's validation errors into findings a map author can act on."""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Union

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from cjmap.diagnostics import Finding, Path, describe_value, did_you_mean
from cjmap.model import SLUG_PATTERN
from cjmap.yaml_hints import cadence_advice, date_advice

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date without a time (YYYY-MM-DD)",
}
_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false"}


def explain(error: ErrorDetails, model: type[BaseModel]) -> Finding:
    loc: Path = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    field = _field_name(loc)
    if kind == "extra_forbidden":
        unknown = str(loc[-1])
        known = _fields_at(model, loc[:-1])
        suggestion = did_you_mean(unknown, known)
        hint = suggestion or f"; allowed here: {', '.join(sorted(known))}"
        if value is None and not suggestion:
            hint = f"; a comma inside {{...}} starts a new key, so '{unknown}' became one: put the whole text in quotes"
        return Finding(loc, f"unknown field '{unknown}'{hint}", at_key=True)
    if kind == "missing":
        return Finding(loc, f"missing required field '{field}': add '{field}: ...'")
    if kind == "literal_error":
        expected = _literal_options(error)
        return Finding(
            loc,
            f"{_subject(field)} is {describe_value(value)}, expected one of: {', '.join(expected)}"
            + did_you_mean(str(value), expected),
        )
    if kind == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        if pattern == SLUG_PATTERN:
            return Finding(
                loc,
                f"'{value}' is not a valid id: use lowercase letters, digits and '-', e.g. '{slugify(str(value))}'",
            )
        if field == "every":
            return Finding(
                loc, f"review cadence '{value}' is not like '4 months', '6 weeks' or '1 year'" + cadence_advice(value)
            )
        if field == "ignore" or (len(loc) >= 2 and loc[-2] == "ignore"):
            return Finding(loc, f"'{value}' is not a rule id like CJM110 or a rule name like 'dead-end'")
    if kind in _EXPECTED:
        message = f"{_subject(field)} should be {_EXPECTED[kind]}, not {describe_value(value)}"
        if kind.startswith("date"):
            message += date_advice(value)
        if isinstance(value, bool) and kind == "string_type":
            message += "; YAML reads yes/no/on/off/true/false as booleans: put the text in quotes"
        return Finding(loc, message)
    if kind == "too_short":
        return Finding(loc, f"{_subject(field)} must not be empty: {error['msg'].lower()}")
    if kind == "value_error":
        return Finding(loc, error["msg"].removeprefix("Value error, "))
    return Finding(loc, f"{_subject(field)}: {error['msg'][0].lower()}{error['msg'][1:]}")


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "my-id"


def _subject(field: str | None) -> str:
    return f"'{field}'" if field else "the value"


def _field_name(loc: Path) -> str | None:
    for step in reversed(loc):
        if isinstance(step, str) and not _is_union_tag(step):
            return step
    return None


def _is_union_tag(step: str) -> bool:
    return "[" in step or step in ("float", "int", "str", "bool", "function-before", "function-after")


def _literal_options(error: ErrorDetails) -> list[str]:
    expected = str((error.get("ctx") or {}).get("expected", ""))
    return re.findall(r"'([^']*)'", expected) or [expected]


def _fields_at(model: type[BaseModel], loc: Path) -> list[str]:
    """Field names of the model found at `loc`, following lists, dicts and optionals."""
    current: Any = model
    for step in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if isinstance(step, str) and step in current.model_fields:
                current = current.model_fields[step].annotation
            continue
        origin = typing.get_origin(current)
        if origin in (list, tuple):
            current = typing.get_args(current)[0]
        elif origin is dict:
            current = typing.get_args(current)[1]
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional, and pick the model out of a union."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [m for m in members if isinstance(_unwrap(m), type) and issubclass(_unwrap(m), BaseModel)]
            annotation = models[0] if models else members[0]
        else:
            return annotation
