"""Where each rendered file goes: planning apart from writing, so the rules are easy to read and to
test (it looks at the file system only to tell a folder from a file).

- `-o -`: standard output (one map, one format).
- `-o FILE` with one map and one format, when FILE is not an existing folder: that file.
- otherwise `-o FOLDER` (default `cjmap-out`): `<map-id>.<ext>`, or `<map-id>.<persona>.<ext>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cjmap.render.formats import FORMATS

DEFAULT_FOLDER = "cjmap-out"


class PlanError(Exception):
    """A request that cannot be planned: a usage error."""


@dataclass(frozen=True)
class Target:
    map_id: str
    format: str
    path: Path | None  # None: standard output


def plan(map_ids: list[str], formats: list[str], output: str | None, persona: str | None) -> list[Target]:
    """One target per map and format, in a stable order."""
    duplicates = sorted({map_id for map_id in map_ids if map_ids.count(map_id) > 1})
    if duplicates:
        raise PlanError(f"several maps have the id '{duplicates[0]}': their outputs would overwrite each other")
    single = len(map_ids) == 1 and len(formats) == 1
    if output == "-":
        if not single:
            raise PlanError("-o - (standard output) takes exactly one map and one format")
        return [Target(map_ids[0], formats[0], None)]
    if output is not None and single and not Path(output).is_dir():
        return [Target(map_ids[0], formats[0], Path(output))]
    folder = Path(output or DEFAULT_FOLDER)
    if folder.exists() and not folder.is_dir():
        raise PlanError(f"-o {output}: with several maps or formats, -o names a folder, and this is a file")
    suffix = f".{persona}" if persona else ""
    return [
        Target(map_id, fmt, folder / f"{map_id}{suffix}.{FORMATS[fmt].extension}")
        for map_id in map_ids
        for fmt in formats
    ]
