"""`cjmap schema`: the JSON Schema of the map format, for editors."""

from __future__ import annotations

import sys

from cjmap.commands.common import EXIT_OK


def run() -> int:
    from cjmap.schema import schema_json

    sys.stdout.write(schema_json())
    return EXIT_OK
