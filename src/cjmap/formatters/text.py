"""`path:line:col: severity[ID] message`, with the source line and a caret on a terminal."""

from __future__ import annotations

from cjmap.diagnostics import Severity
from cjmap.formatters import Report
from cjmap.safe_text import inert

_RED, _YELLOW, _BOLD, _DIM, _CYAN, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[36m", "\033[0m"


def render_text(report: Report) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if report.color else text

    lines: list[str] = []
    for d in report.diagnostics:
        colour = _RED if d.severity is Severity.ERROR else _YELLOW
        where = paint(_BOLD, f"{inert(d.file)}:{d.line}:{d.col}:")
        lines.append(f"{where} {paint(colour, f'{d.severity.value}[{d.rule}]')} {inert(d.message)}")
        if report.excerpts:  # a terminal: show where, like a compiler does
            source = report.source_line(d.file, d.line)
            if source is not None:
                source = source.replace("\t", " ")
                shown = inert(source).rstrip()
                gutter = f"{d.line:>5} | "
                lines.append(paint(_DIM, gutter) + shown)
                caret = len(inert(source[: d.col - 1]))  # escapes are wider than what they replace
                lines.append(" " * len(gutter) + " " * caret + paint(_CYAN, "^"))
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    if errors or warnings:
        summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {files}"
        lines.append(paint(_BOLD, summary))
    else:
        lines.append(f"{files} checked: no problems")
    if report.skipped:
        others = _plural(report.skipped, "other YAML file")
        lines[-1] += f"; {others} skipped: not journey maps"
    return "\n".join(lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"
