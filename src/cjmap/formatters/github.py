"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

from __future__ import annotations

from cjmap.formatters import Report
from cjmap.safe_text import inert


def render_github(report: Report) -> str:
    lines = []
    for d in report.diagnostics:
        properties = ",".join(
            f"{key}={_escape_property(value)}"
            for key, value in (
                ("file", d.file),
                ("line", str(d.line)),
                ("col", str(d.col)),
                ("title", f"cjmap {d.rule} ({d.name})"),
            )
        )
        lines.append(f"::{d.severity.value} {properties}::{_escape_data(d.message)}")
    return "".join(line + "\n" for line in lines)


def _escape_data(text: str) -> str:
    # Map text arrives with newlines and control characters already made visible (inert); the
    # workflow-command escapes then keep the annotation on one line.
    return inert(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
