"""Findings with positions: what every check produces and every output format prints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from cjmap.source import Mark, Positions

Path = tuple[str | int, ...]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return 0 if self is Severity.ERROR else 1


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports: a path into the map's data and a message. Positions come later."""

    path: Path
    message: str
    at_key: bool = False


@dataclass(frozen=True, slots=True)
class Diagnostic:
    rule: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int
    col: int

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.col, self.rule, self.message)


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    mark: Mark
    ignored: frozenset[str]


def locate(root: Any, path: Path, fallback_file: str, at_key: bool = False, *, positions: Positions) -> Location:
    """Resolve a path like ('stages', 0, 'touchpoints', 2, 'next', 0) to a file position.

    Steps that do not exist in the data (a missing field, a pydantic union tag) are skipped, so
    the position is that of the deepest element that exists. `ignore` lists met on the way are
    collected, so a suppression on a stage covers its touchpoints too.
    """
    file = positions.file(root, fallback_file)
    mark = positions.mark(root)
    ignored: set[str] = set()
    current = root
    last = len(path) - 1
    for index, step in enumerate(path):
        _collect_ignores(current, ignored)
        if isinstance(current, dict) and isinstance(step, str) and step in current:
            file = positions.file(current, file)
            if at_key and index == last:
                mark = positions.key_mark(current, step)
            else:
                mark = positions.value_mark(current, step)
            current = current[step]
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            file = positions.file(current, file)
            mark = positions.item_mark(current, step)
            current = current[step]
    _collect_ignores(current, ignored)
    return Location(file, mark, frozenset(ignored))


def _collect_ignores(node: Any, into: set[str]) -> None:
    if isinstance(node, dict):
        ignore = node.get("ignore")
        if isinstance(ignore, list):
            into.update(str(item) for item in ignore)
        elif isinstance(ignore, str):
            into.add(ignore)


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, if any is close enough."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    match = suggest(word, candidates)
    return f"; did you mean '{match}'?" if match else ""


def describe_value(value: Any) -> str:
    """How a YAML value reads to its author, for 'expected X, got Y' messages."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) <= 40 else "a text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def sort_diagnostics(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
