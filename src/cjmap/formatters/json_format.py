"""Machine-readable JSON: one object with a summary and every diagnostic."""

from __future__ import annotations

import json

from cjmap.diagnostics import Severity
from cjmap.formatters import Report


def render_json(report: Report) -> str:
    document = {
        "version": 1,
        "summary": {
            "files": report.files,
            "errors": report.count(Severity.ERROR),
            "warnings": report.count(Severity.WARNING),
            "skipped": report.skipped,
        },
        "diagnostics": [
            {
                "file": d.file,
                "line": d.line,
                "column": d.col,
                "severity": d.severity.value,
                "rule": d.rule,
                "name": d.name,
                "message": d.message,
            }
            for d in report.diagnostics
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
