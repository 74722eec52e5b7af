"""Shared helpers: run the CLI in-process, and check map text through the whole pipeline."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cjmap.cli import app
from cjmap.diagnostics import Diagnostic
from cjmap.document import Loader
from cjmap.source import Limits
from cjmap.validate import Settings, check_stdin

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TODAY = date(2026, 11, 23)


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, input: str | bytes | None = None) -> Run:
    result = CliRunner().invoke(app, list(args), input=input)
    return Run(result.exit_code, result.stdout, result.stderr)


def check(text: str, today: date = TODAY) -> list[Diagnostic]:
    """Every diagnostic the pipeline reports for a map given as (dedented) text."""
    raw = textwrap.dedent(text).encode()
    return check_stdin(Loader(Limits()), raw, Settings(today=today)).diagnostics


def rendered(output_format: str, path: Path, *options: str) -> str:
    """One map rendered to standard output in a text format (dot, md, mermaid, html)."""
    result = run_cli("render", "-f", output_format, "-o", "-", "--today", "2026-11-23", *options, str(path))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def rules_of(diagnostics: list[Diagnostic]) -> list[str]:
    return sorted(d.rule for d in diagnostics)


GOLDEN = ROOT / "tests" / "golden"


def assert_golden(name: str, produced: str) -> None:
    """Compare output with tests/golden/NAME; CJMAP_UPDATE_GOLDEN=1 rewrites it (review the diff)."""
    import os

    golden = GOLDEN / name
    if os.environ.get("CJMAP_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8"), f"{name} changed; see CJMAP_UPDATE_GOLDEN"


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write_file
