"""`cjmap fmt`: the canonical layout, comments kept, --check, files with errors left alone."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjmap.formatting import FormatError, format_text
from cjmap.source import parse
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.test_properties import STRUCTURES

Write = Callable[[str, str], Path]

MESSY = """\
# yaml-language-server: $schema=../schemas/cjmap.schema.json
title: "First purchase"   # the heading
id: first-purchase
cjmap: 1
stages:
  - touchpoints:
      - emotion: 1
        id: ad
        # why this step matters
        action: 'Sees the ad'
        pain_points: [{text: "Slow, confusing page", severity: high}, Too many steps]
        kpis:
          - {name: CTR, unit: "%", target: 1.5}
        decision:
          branches:
            - {when: "no", to: bought}
            - {when: "Finds it: cheaper", to: lost}
          question: Buy?
    id: awareness
personas:
  - {name: Anna, id: anna, needs: ["Fast, free delivery"]}
outcomes:
  - {id: bought, kind: success}
  - {id: lost, kind: lost}
"""

CANONICAL = """\
# yaml-language-server: $schema=../schemas/cjmap.schema.json
cjmap: 1
id: first-purchase
title: First purchase     # the heading

personas:
  - id: anna
    name: Anna
    needs:
      - Fast, free delivery

stages:
  - id: awareness
    touchpoints:
      - id: ad
        # why this step matters
        action: Sees the ad
        emotion: 1
        pain_points:
          - text: Slow, confusing page
            severity: high
          - Too many steps
        kpis:
          - {name: CTR, unit: "%", target: 1.5}
        decision:
          question: Buy?
          branches:
            - {when: "no", to: bought}
            - when: "Finds it: cheaper"
              to: lost

outcomes:
  - {id: bought, kind: success}
  - {id: lost, kind: lost}
"""


def test_messy_map_gets_the_canonical_layout() -> None:
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL


def test_formatted_map_loads_to_the_same_data() -> None:
    assert parse(format_text(MESSY), "x").data == parse(MESSY, "x").data


def test_quotes_stay_where_the_text_would_read_as_something_else() -> None:
    text = 'cjmap: 1\nid: m\ntitle: "2026"\ngoal: "yes"\ndescription: "on"\nowner: "1.5"\n'
    text += 'stakeholders: ["0123", "~", "null"]\n'
    formatted = format_text(text)
    for quoted in ('"2026"', '"yes"', '"on"', '"1.5"', '"0123"', '"~"', '"null"'):
        assert quoted in formatted
    assert parse(formatted, "x").data == parse(text, "x").data


def test_shipped_examples_are_already_formatted() -> None:
    result = run_cli("fmt", "--check", str(EXAMPLES))
    assert result.exit_code == 0, result.stderr
    assert "5 unchanged" in result.stderr


def test_check_lists_files_that_would_change_and_changes_nothing(write: Write) -> None:
    messy = write("maps/messy.yaml", MESSY)
    tidy = write("maps/tidy.yaml", CANONICAL)
    result = run_cli("fmt", "--check", str(messy.parent))
    assert result.exit_code == 1
    assert f"would change: {messy}" in result.stderr
    assert str(tidy) not in result.stderr
    assert messy.read_text(encoding="utf-8") == MESSY


def test_fmt_rewrites_in_place_and_a_second_run_changes_nothing(write: Write) -> None:
    messy = write("messy.yaml", MESSY)
    messy.chmod(0o640)
    first = run_cli("fmt", str(messy))
    assert first.exit_code == 0, first.stderr
    assert f"formatted: {messy}" in first.stderr
    assert messy.read_text(encoding="utf-8") == CANONICAL
    assert messy.stat().st_mode & 0o777 == 0o640  # permissions kept
    assert not [p for p in messy.parent.iterdir() if p.name.endswith(".tmp")]
    second = run_cli("fmt", "--check", str(messy))
    assert second.exit_code == 0, second.stderr


def test_a_file_with_errors_is_left_alone_with_its_findings(write: Write) -> None:
    broken = write("broken.yaml", MESSY.replace("to: bought", "to: nowhere"))
    before = broken.read_bytes()
    result = run_cli("fmt", str(broken))
    assert result.exit_code == 1
    assert "nowhere" in result.stderr and f"{broken}:" in result.stderr
    assert f"left alone: {broken}" in result.stderr
    assert broken.read_bytes() == before


def test_invalid_yaml_is_left_alone(write: Write) -> None:
    broken = write("broken.yaml", "cjmap: 1\nid: x\ntitle: a: b\n")
    result = run_cli("fmt", str(broken))
    assert result.exit_code == 1
    assert "CJM001" in result.stderr and "put the whole text in quotes" in result.stderr
    assert broken.read_text(encoding="utf-8") == "cjmap: 1\nid: x\ntitle: a: b\n"


def test_byte_order_mark_and_windows_line_ends_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MESSY.replace("\n", "\r\n").encode("utf-8"))
    assert run_cli("fmt", str(path)).exit_code == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + CANONICAL.replace("\n", "\r\n").encode("utf-8")


def test_stdin_is_formatted_to_stdout() -> None:
    result = run_cli("fmt", "-", input=MESSY)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == CANONICAL


def test_a_library_is_formatted_in_its_own_order() -> None:
    library = "personas: [{id: a, name: A}]\nkind: library\ncjmap: 1\ntitle: Shared\n"
    assert format_text(library) == "cjmap: 1\nkind: library\ntitle: Shared\npersonas: [{id: a, name: A}]\n"


def test_missing_ruamel_is_a_clear_message(monkeypatch: pytest.MonkeyPatch, write: Write) -> None:
    path = write("tidy.yaml", CANONICAL)
    monkeypatch.setitem(sys.modules, "ruamel.yaml", None)  # import now raises ImportError
    result = run_cli("fmt", str(path))
    assert result.exit_code == 2
    assert "pip install 'cjmap[fmt]'" in result.stderr


def test_pre_commit_hooks_include_fmt() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    assert by_id["cjmap-fmt"]["entry"] == "cjmap fmt"
    assert by_id["cjmap-fmt-check"]["entry"] == "cjmap fmt --check"


# -- properties: any layout of a valid map formats to one fixed point, with the same data ---------

TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("abc XYZ,:#'\"-–łżя%&*!?[]{}|>@`")), min_size=1, max_size=24),
    st.sampled_from(["yes", "no", "on", "1.5", "0123", "2026-01-01", "null", "~", "a: b", "x, y", "- item"]),
).filter(lambda t: t.strip() == t and t != "")


@st.composite
def maps(draw: st.DrawFn) -> dict[str, Any]:
    def shuffled(mapping: dict[str, Any]) -> dict[str, Any]:
        keys = draw(st.permutations(list(mapping)))
        return {key: mapping[key] for key in keys}

    touchpoints = []
    for index in range(draw(st.integers(1, 4))):
        touchpoint: dict[str, Any] = {"id": f"t{index}", "action": draw(TEXT)}
        if draw(st.booleans()):
            touchpoint["pain_points"] = draw(
                st.lists(st.one_of(TEXT, st.builds(lambda t: {"text": t, "severity": "high"}, TEXT)), max_size=3)
            )
        if draw(st.booleans()):
            touchpoint["emotion"] = draw(st.integers(-2, 2))
        if draw(st.booleans()):
            touchpoint["content"] = [{"text": draw(TEXT), "kind": draw(TEXT)}]
        touchpoints.append(shuffled(touchpoint))
    persona = shuffled({"id": "anna", "name": draw(TEXT), "needs": draw(st.lists(TEXT, max_size=3))})
    return shuffled(
        {
            "title": draw(TEXT),
            "cjmap": 1,
            "id": "m",
            "personas": [persona],
            "stages": [shuffled({"id": "s", "name": draw(TEXT), "touchpoints": touchpoints})],
        }
    )


@given(
    data=maps(),
    flow=st.sampled_from([None, True, False]),
    width=st.sampled_from([40, 80, 1000]),
    comments=st.booleans(),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fmt_is_idempotent_and_keeps_data_and_comments(
    data: dict[str, Any], flow: bool | None, width: int, comments: bool
) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False, width=width)
    if comments:  # a comment line above every top-level key
        text = "".join(f"# about {line[:8]}\n{line}" if line[:1].isalpha() else line for line in text.splitlines(True))
        text = "# the file's heading\n---\n" + text
    once = format_text(text)
    assert format_text(once) == once
    assert parse(once, "x").data == parse(text, "x").data
    for line in text.splitlines():
        if line.startswith("#"):
            assert line in once


def test_fmt_command_never_leaves_temporary_files_on_a_read_only_folder(write: Write) -> None:
    messy = write("ro/messy.yaml", MESSY)
    folder = messy.parent
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who may write anywhere (root)")
        result = run_cli("fmt", str(messy))
        assert result.exit_code == 1
        assert "cannot write it" in result.stderr
        assert messy.read_text(encoding="utf-8") == MESSY
    finally:
        folder.chmod(0o755)


def test_docs_examples_of_the_format_are_formatted_blocks() -> None:
    """The README's fmt section shows a real before/after."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "cjmap fmt" in readme
    before = textwrap.dedent(readme.split("<!-- fmt-before -->")[1].split("```yaml\n")[1].split("```")[0])
    after = textwrap.dedent(readme.split("<!-- fmt-after -->")[1].split("```yaml\n")[1].split("```")[0])
    assert format_text(before) == after


@given(data=st.dictionaries(st.sampled_from(["cjmap", "id", "title", "stages", "personas", "x"]), STRUCTURES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_yaml_mapping_formats_to_the_same_data_or_is_refused_cleanly(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=None, sort_keys=False)
    try:
        once = format_text(text)
    except FormatError:
        return  # left alone, with a message: never a traceback, never different data
    assert format_text(once) == once
    assert parse(once, "x").data == parse(text, "x").data or "nan" in text


def test_yaml_files_that_are_not_maps_are_skipped_in_folders(write: Write) -> None:
    other = write("maps/docker-compose.yaml", "services: {web: {image: 'nginx'}}\n")
    write("maps/map.yaml", CANONICAL)
    result = run_cli("fmt", str(other.parent))
    assert result.exit_code == 0, result.stderr
    assert "1 file: 1 unchanged" in result.stderr
    assert other.read_text(encoding="utf-8") == "services: {web: {image: 'nginx'}}\n"


def test_comments_above_a_document_start_marker_are_kept() -> None:
    text = "# top comment\n%YAML 1.1\n---\n" + CANONICAL
    assert format_text(text) == text
    assert format_text("# about\n---\n" + MESSY) == "# about\n---\n" + CANONICAL


def test_a_note_on_a_one_line_item_stays_on_its_line_when_the_item_becomes_a_block() -> None:
    text = (
        "cjmap: 1\nid: m\ntitle: T\nstages:\n  - id: s\n    touchpoints:\n"
        '      - {id: a, action: "x: y"}   # note\n      # about b\n      - {id: b, action: "p, q"}  # only\n'
    )
    assert format_text(text).endswith(
        "      - id: a                     # note\n"
        '        action: "x: y"\n'
        "      # about b\n"
        "      - id: b                    # only\n"
        "        action: p, q\n"
    )


@given(data=maps(), notes=st.lists(st.booleans(), min_size=40, max_size=40))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_notes_at_the_end_of_lines_survive(data: dict[str, Any], notes: list[bool]) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=None, sort_keys=False, width=10_000)
    lines = text.splitlines()
    marked = []
    for index, line in enumerate(lines):
        # End-of-line notes where YAML allows them: after a complete one-line value.
        if notes[index % len(notes)] and line.rstrip().endswith(("]", "}")) and ": " in line:
            line += f"  # note {index}"
            marked.append(f"# note {index}")
        lines[index] = line
    text = "\n".join(lines) + "\n"
    once = format_text(text)
    assert format_text(once) == once
    assert parse(once, "x").data == parse(text, "x").data
    for note in marked:
        assert once.count(note + "\n") == 1, (note, once)
