"""The Markdown report and the Mermaid journey: golden files, table structure, escaping, parsing.

Tables are checked with markdown-it-py (GFM tables on); Mermaid blocks with Mermaid's own parser
in Node (tests/js: `npm ci` there; .ci/run installs it, and without it these tests fail in CI).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.conftest import EXAMPLES, ROOT, assert_golden, rendered, run_cli

Write = Callable[[str, str], Path]
MAPS = sorted(EXAMPLES.glob("*.yaml"))
JS = ROOT / "tests" / "js"
TASK = re.compile(r"^      [^:\n]+: [1-5](: [^:\n]+)?$")


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table as rows of cell texts (header row first), as a GFM renderer sees them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            found[-1].append(row)
            row = None
        elif token.type == "inline" and row is not None and token.map is not None:
            row.append(_text(token))
    return found


def _text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "html_inline":
            parts.append("\n" if child.content.startswith("<br") else child.content)
    return "".join(parts)


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_report_matches_the_golden_file(path: Path) -> None:
    assert_golden(f"{path.stem}.md", rendered("md", path))


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_every_table_is_well_formed(path: Path) -> None:
    import yaml

    markdown = rendered("md", path)
    found = tables(markdown)
    assert len(found) >= 8
    for table in found:
        assert all(len(row) == len(table[0]) for row in table), table[0]
    # One stage table per stage with touchpoints, one row per touchpoint.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    counts = [len(s.get("touchpoints", [])) for s in data["stages"] if s.get("touchpoints")]
    stage_tables = [t for t in found if len(t[0]) == 8]
    assert [len(t) - 1 for t in stage_tables] == counts


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_mermaid_tasks_have_the_journey_shape(path: Path) -> None:
    mermaid = run_cli("render", "-f", "mermaid", "-o", "-", str(path)).stdout
    lines = mermaid.splitlines()
    assert lines[0] == "journey" and lines[1].startswith("    title ")
    tasks = [line for line in lines[2:] if not line.startswith("    section ")]
    assert tasks and all(TASK.match(line) for line in tasks), tasks
    assert f"```mermaid\n{mermaid}```" in rendered("md", path)


HOSTILE = r"""cjmap: 1
id: hostile-md
title: '# Not | a heading `code` *bold* <script>alert(1)</script>'
goal: "Line one\nLine two | pipe\n# hash"
personas:
  - {id: p, name: "Ann: the | tester; #1"}
stages:
  - id: s
    name: "Stage: one; #2 %% comment"
    touchpoints:
      - id: t1
        name: "Pipe | back`tick` *star* _under_ <b>bold</b> & [link](http://x)"
        action: "first line\n- not a list\n1. not a list either"
        backstage: '\| already escaped \\ backslash'
        emotion: -1
        pain_points: ["a|b", {text: "<img src=x onerror=alert(1)>", severity: critical}]
        opportunities: ["fix | it"]
        kpis: [{name: "CTR | %", unit: "%", target: 1.5, actual: 0.9}]
        next: [out]
outcomes:
  - {id: out, name: "Out | come", kind: lost}
"""


def test_hostile_text_never_breaks_a_table_or_the_page(write: Write) -> None:
    path = write("hostile.yaml", HOSTILE)
    markdown = rendered("md", path)
    assert "<script>" not in markdown and "<img" not in markdown and "<b>" not in markdown
    found = tables(markdown)
    for table in found:
        assert all(len(row) == len(table[0]) for row in table)
    stage_row = next(t for t in found if len(t[0]) == 8)[1]
    assert stage_row[0].startswith("Pipe | back`tick` *star* _under_ <b>bold</b> & [link](http://x)")
    assert stage_row[2] == "first line\n- not a list\n1. not a list either"
    assert stage_row[3] == "\\| already escaped \\\\ backslash"
    assert stage_row[5] == "a|b (medium)\n<img src=x onerror=alert(1)> (critical)"
    heading = MarkdownIt("commonmark").parse(markdown)
    h1 = next(t for i, t in enumerate(heading) if i and heading[i - 1].type == "heading_open")
    assert h1.content.startswith("\\# Not \\| a heading")


def test_mermaid_of_hostile_text_keeps_the_journey_shape(write: Write) -> None:
    mermaid = run_cli("render", "-f", "mermaid", "-o", "-", str(write("hostile.yaml", HOSTILE))).stdout
    task_lines = [line for line in mermaid.splitlines() if line.startswith("      ")]
    assert task_lines == [
        "      Pipe | back`tick` *star* _under_ ‹b›bold‹/b› & [link](http꞉//x): 2: Ann꞉ the | tester  №1"
    ]
    assert all(TASK.match(line) for line in task_lines)
    assert "%%" not in mermaid and "<" not in mermaid


def node_ready() -> bool:
    return shutil.which("node") is not None and (JS / "node_modules" / "mermaid").is_dir()


def test_mermaid_blocks_parse_with_mermaids_own_parser(write: Write, tmp_path: Path) -> None:
    if not node_ready():
        if os.environ.get("CI"):
            pytest.fail("Mermaid's parser is not installed: run 'npm ci' in tests/js (.ci/run does)")
        pytest.skip("Mermaid's parser is not installed (npm ci in tests/js)")
    files = []
    for path in [*MAPS, write("hostile.yaml", HOSTILE)]:
        target = tmp_path / f"{path.stem}.mmd"
        target.write_text(run_cli("render", "-f", "mermaid", "-o", "-", str(path)).stdout, encoding="utf-8")
        files.append(str(target))
    broken = tmp_path / "broken.mmd"
    broken.write_text("journey\n  title x\n  section s\n    A task without a score\n", encoding="utf-8")
    process = subprocess.run(
        ["node", str(JS / "parse-mermaid.mjs"), *files, str(broken)], capture_output=True, text=True, timeout=300
    )
    lines = process.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["ok"] * len(files) + ["FAIL"], process.stdout + process.stderr
    assert all(line.endswith(" journey") for line in lines[:-1])


def test_report_links_the_svg_rendered_beside_it(tmp_path: Path) -> None:
    path = EXAMPLES / "pierwszy-zakup.yaml"
    run_cli("render", "-f", "md", "-f", "svg", "-o", str(tmp_path / "both"), str(path))
    assert "![Diagram przepływu](pierwszy-zakup.svg)" in (tmp_path / "both" / "pierwszy-zakup.md").read_text()
    run_cli("render", "-f", "md", "-o", str(tmp_path / "alone.md"), str(path))
    assert "![" not in (tmp_path / "alone.md").read_text()


def test_mermaid_alone_is_written_as_mmd(tmp_path: Path) -> None:
    result = run_cli("render", "-f", "mermaid", "-o", str(tmp_path), str(EXAMPLES / "lojalnost-bank.yaml"))
    assert result.exit_code == 0
    assert (tmp_path / "lojalnost-bank.mmd").read_text(encoding="utf-8").startswith("journey\n")


def test_report_is_byte_identical_across_processes() -> None:
    outputs = {
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cjmap",
                "render",
                "-f",
                "md",
                "-o",
                "-",
                "--today",
                "2026-11-23",
                str(EXAMPLES / "saas-onboarding-as-is.yaml"),
            ],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("0", "7", "99")
    }
    assert len(outputs) == 1


def test_overdue_review_is_flagged_in_the_header() -> None:
    late = rendered("md", EXAMPLES / "pierwszy-zakup.yaml", "--today", "2027-03-01")
    assert "⚠️ **po terminie**" in late
    assert "po terminie" not in rendered("md", EXAMPLES / "pierwszy-zakup.yaml")
