"""The JSON Schema of the format, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

import json
from typing import Any, Union

from pydantic import TypeAdapter

from cjmap.model import JourneyMap, Library

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_document() -> dict[str, Any]:
    document = TypeAdapter(Union[JourneyMap, Library]).json_schema()  # noqa: UP007
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "cjmap journey map or library",
        "description": "A customer journey map (or a library of shared personas, channels and outcomes) for cjmap.",
        **document,
    }


def schema_json() -> str:
    return json.dumps(schema_document(), ensure_ascii=False, indent=2) + "\n"
