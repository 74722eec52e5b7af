"""Importers: pure functions from another tool's text to cjmap map YAML, with notes on what was lost."""

from __future__ import annotations

from dataclasses import dataclass, field


class ImportError_(Exception):
    """Input that cannot become a map; the message names the file, line and what to do."""


@dataclass
class Notes:
    """What an import could not carry over, in the order it was found."""

    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.items:
            self.items.append(message)
