"""Library files: shared personas, channels and outcomes that maps include by relative path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_cli

Write = Callable[[str, str], Path]

LIBRARY = """\
cjmap: 1
kind: library
personas:
  - {id: anna, name: Anna, data: [email]}
channels:
  - {id: fax, name: Fax, digital: false, requires: [fax-number]}
outcomes:
  - {id: bought, kind: success}
"""
MAP = """\
cjmap: 1
id: uses-library
title: Uses a library
include: [%s]
stages:
  - id: a
    touchpoints:
      - {id: t1, channel: email, personas: [anna], next: [bought]}
"""


def diagnostics(path: Path, *extra: str) -> list[dict[str, object]]:
    result = run_cli("validate", "-f", "json", *extra, str(path))
    return list(json.loads(result.stdout)["diagnostics"])


def test_included_personas_channels_and_outcomes_resolve(write: Write) -> None:
    write("pyproject.toml", "")
    write("shared/lib.yaml", LIBRARY)
    assert diagnostics(write("maps/m.yaml", MAP % "../shared/lib.yaml")) == []


def test_problems_inside_a_library_point_into_the_library(write: Write) -> None:
    write("pyproject.toml", "")
    write("shared/lib.yaml", LIBRARY.replace("name: Anna", "name: Anna, agee: 30"))
    (found,) = diagnostics(write("maps/m.yaml", MAP % "../shared/lib.yaml"))
    assert str(found["file"]).endswith("shared/lib.yaml")
    assert (found["line"], found["rule"]) == (4, "CJM010")
    assert "did you mean 'age'?" in str(found["message"])


def test_missing_include(write: Write) -> None:
    write("pyproject.toml", "")
    (found,) = [d for d in diagnostics(write("m.yaml", MAP % "nope.yaml")) if d["rule"] == "CJM006"]
    assert (found["line"], found["column"]) == (4, 11)
    assert "include 'nope.yaml' does not exist" in str(found["message"])


def test_include_cannot_leave_the_project_root(write: Write, tmp_path: Path) -> None:
    write("outside/lib.yaml", LIBRARY)
    write("project/.git/HEAD", "")
    found = diagnostics(write("project/m.yaml", MAP % "../outside/lib.yaml"))
    assert any(d["rule"] == "CJM006" and "outside the project root" in str(d["message"]) for d in found)
    # --root widens the project explicitly.
    assert diagnostics(tmp_path / "project" / "m.yaml", "--root", str(tmp_path)) == []


def test_include_cycle_is_an_error(write: Write) -> None:
    write("pyproject.toml", "")
    write("a.yaml", LIBRARY + "include: [b.yaml]\n")
    write("b.yaml", "cjmap: 1\nkind: library\ninclude: [a.yaml]\n")
    found = diagnostics(write("m.yaml", MAP % "a.yaml"))
    assert any(d["rule"] == "CJM006" and "cycle" in str(d["message"]) for d in found)


def test_included_file_must_be_a_library(write: Write) -> None:
    write("pyproject.toml", "")
    write("other.yaml", MAP % "[]")
    found = diagnostics(write("m.yaml", MAP % "other.yaml"))
    assert any(d["rule"] == "CJM006" and "is not a library" in str(d["message"]) for d in found)


def test_broken_library_is_reported_once_for_many_maps(write: Write, tmp_path: Path) -> None:
    write("pyproject.toml", "")
    write("lib/shared.yaml", "cjmap: 1\nkind: library\npersonas: [\n")
    write("maps/a.yaml", MAP % "../lib/shared.yaml")
    write("maps/b.yaml", MAP % "../lib/shared.yaml")
    result = run_cli("validate", "-f", "json", str(tmp_path / "maps"))
    syntax = [d for d in json.loads(result.stdout)["diagnostics"] if d["rule"] == "CJM001"]
    assert len(syntax) == 1


def test_duplicate_persona_between_library_and_map(write: Write) -> None:
    write("pyproject.toml", "")
    write("lib.yaml", LIBRARY)
    text = (MAP % "lib.yaml") + "personas:\n  - {id: anna, name: Anna again}\n"
    found = diagnostics(write("m.yaml", text))
    assert [(d["rule"], d["line"]) for d in found] == [("CJM102", 10)]


def test_a_chain_of_a_thousand_libraries_is_merged_without_recursion(write: Write) -> None:
    """Each library includes the next: the walk is iterative, so Python's recursion limit (and
    the C stack) never come into it; every persona of the chain arrives, in include order."""
    count = 1_000
    for index in range(count):
        include = f"include: [lib-{index + 1}.yaml]\n" if index + 1 < count else ""
        persona = f"  - {{id: p{index}, name: P{index}, data: [email]}}\n"
        write(f"lib-{index}.yaml", f"cjmap: 1\nkind: library\n{include}personas:\n{persona}")
    path = write("map.yaml", MAP.replace(" personas: [anna],", "") % "lib-0.yaml")
    result = run_cli("validate", "-f", "json", str(path))
    found = json.loads(result.stdout)["diagnostics"]
    assert [d["rule"] for d in found] == ["CJM101"], found  # only 'bought': no outcome in the chain
    import cjmap

    journey = cjmap.load(path).journey
    assert journey is not None
    assert list(journey.personas) == [f"p{index}" for index in range(count)]
