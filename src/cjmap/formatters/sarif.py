"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json
from urllib.parse import quote

from cjmap import __version__
from cjmap.formatters import Report
from cjmap.rules import REGISTRY

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning"}


def render_sarif(report: Report) -> str:
    rules = sorted(REGISTRY.values(), key=lambda rule: rule.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cjmap",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/cjmap/",
                        "rules": [
                            {
                                "id": rule.id,
                                "name": rule.name,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": " ".join(rule.doc.split())},
                                "defaultConfiguration": {"level": _LEVEL[rule.severity.value]},
                            }
                            for rule in rules
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": d.rule,
                        "ruleIndex": index[d.rule],
                        "level": _LEVEL[d.severity.value],
                        "message": {"text": d.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": _uri(d.file)},
                                    "region": {"startLine": d.line, "startColumn": d.col},
                                }
                            }
                        ],
                    }
                    for d in report.diagnostics
                ],
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _uri(file: str) -> str:
    """A relative URI reference (RFC 3986): '/' separators, everything else percent-encoded."""
    return quote(file.replace("\\", "/"), safe="/")
