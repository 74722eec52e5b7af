"""Output formats for diagnostics, one small module each (text, json, github, sarif)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cjmap.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class Report:
    diagnostics: Sequence[Diagnostic]  # sorted
    files: int
    source_line: Callable[[str, int], str | None]  # (file, line) -> that line's text, if known
    color: bool = False
    excerpts: bool = False  # the source line and a caret under each finding (on a terminal)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


FORMATS = ("text", "json", "github", "sarif")


def render(report: Report, format_name: str) -> str:
    if format_name == "json":
        from cjmap.formatters.json_format import render_json

        return render_json(report)
    if format_name == "github":
        from cjmap.formatters.github import render_github

        return render_github(report)
    if format_name == "sarif":
        from cjmap.formatters.sarif import render_sarif

        return render_sarif(report)
    from cjmap.formatters.text import render_text

    return render_text(report)
