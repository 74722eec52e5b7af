"""Output formats for findings, one small module each, listed in one table (FORMATS) that the
CLI's choices and `render` both read; a new format is one module plus one row. Light at import:
each format's module is imported when it is used."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cjmap.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class Report:
    diagnostics: Sequence[Diagnostic]  # sorted
    files: int
    source_line: Callable[[str, int], str | None]  # (file, line) -> that line's text, if known
    color: bool = False
    excerpts: bool = False  # the source line and a caret under each finding (on a terminal)
    skipped: int = 0  # YAML files in folders that are not maps

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


def _text(report: Report) -> str:
    from cjmap.formatters.text import render_text

    return render_text(report)


def _json(report: Report) -> str:
    from cjmap.formatters.json_format import render_json

    return render_json(report)


def _github(report: Report) -> str:
    from cjmap.formatters.github import render_github

    return render_github(report)


def _sarif(report: Report) -> str:
    from cjmap.formatters.sarif import render_sarif

    return render_sarif(report)


FORMATS: dict[str, Callable[[Report], str]] = {"text": _text, "json": _json, "github": _github, "sarif": _sarif}


def render(report: Report, format_name: str) -> str:
    if format_name not in FORMATS:
        raise ValueError(f"unknown output format '{format_name}': choose one of {', '.join(FORMATS)}")
    return FORMATS[format_name](report)
