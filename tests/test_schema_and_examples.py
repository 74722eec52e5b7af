"""The JSON Schema stays in step with the model; the examples use every concept and pass it."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel

from cjmap.explain import _unwrap
from cjmap.model import JourneyMap, Library
from tests.conftest import EXAMPLES, ROOT, run_cli

SCHEMA_FILE = ROOT / "schemas" / "cjmap.schema.json"
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.yaml"))


def test_committed_schema_is_what_cjmap_schema_prints() -> None:
    printed = run_cli("schema").stdout
    assert printed == SCHEMA_FILE.read_text(encoding="utf-8"), "run 'make schema' and commit the result"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_declares_the_schema_for_editors(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == SCHEMA_FILE


def _as_json(value: Any) -> Any:
    """What an editor's YAML language server hands the schema: dates are strings."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_passes_the_json_schema(path: Path) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.validate(_as_json(yaml.safe_load(path.read_text(encoding="utf-8"))), schema)


def test_json_schema_rejects_what_the_model_rejects() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    bad = {"cjmap": 1, "id": "x", "title": "T", "stages": [{"id": "a", "touchpoints": [{"id": "t", "chanel": "x"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def _fields(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every field path of the format, e.g. 'stages.touchpoints.pain_points.evidence.kind'."""
    for name, info in model.model_fields.items():
        if name == "ignore":
            continue
        path = f"{prefix}{info.alias or name}"  # as written in YAML (KpiConversion's 'from')
        yield path
        annotation = _unwrap(info.annotation)
        while typing.get_origin(annotation) in (list, dict, tuple):
            annotation = _unwrap(typing.get_args(annotation)[-1 if typing.get_origin(annotation) is dict else 0])
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _fields(annotation, path + ".")


def _used(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{prefix}{key}"
            yield from _used(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            yield from _used(item, prefix)


def test_examples_together_use_every_field_of_the_format() -> None:
    used: set[str] = set()
    for path in EXAMPLE_FILES:
        used.update(_used(yaml.safe_load(path.read_text(encoding="utf-8"))))
    expected = set(_fields(JourneyMap)) | set(_fields(Library))
    # Per-persona emotions put persona ids under 'emotion'; they are values, not fields.
    missing = sorted(field for field in expected if field not in used)
    assert missing == []


def test_examples_cover_languages_segments_and_states() -> None:
    maps = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in EXAMPLE_FILES]
    assert {m.get("locale") for m in maps} >= {"en", "pl", "ru"}
    assert {m.get("state") for m in maps} >= {"as-is", "to-be"}
    segments = {p.get("segment") for m in maps for p in m.get("personas", [])}
    assert segments >= {"new", "existing", "returning", "churned"}
    assert sum(1 for m in maps if m.get("include")) >= 2
