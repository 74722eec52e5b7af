"""`cjmap rules`: the catalogue of checks, as a list or as the README's Markdown table."""

from __future__ import annotations

from cjmap.commands.common import EXIT_OK


def run(markdown: bool) -> int:
    from cjmap.rules import REGISTRY

    ordered = sorted(REGISTRY.values(), key=lambda rule: rule.id)
    if markdown:
        lines = ["| id | name | severity | what it finds |", "|---|---|---|---|"]
        lines += [f"| {r.id} | `{r.name}` | {r.severity.value} | {r.summary} |" for r in ordered]
    else:
        lines = [f"{r.id}  {r.name:<26} {r.severity.value:<8} {r.summary}" for r in ordered]
    print("\n".join(lines))
    return EXIT_OK
