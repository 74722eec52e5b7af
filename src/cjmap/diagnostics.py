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
            # An item merged in from a library keeps its own file (the list is the map's).
            file = positions.file(current, file)
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


class Suggester:
    """Did-you-mean over one set of ids, with bounded work: a map with thousands of unknown
    references among thousands of ids would otherwise compare every word with every id (3,000
    of each took 57 s). Each search looks at the POOL ids nearest in length (sharing the first
    letter first), and after SEARCHES distinct words the rest get no suggestion."""

    POOL = 200
    SEARCHES = 100

    def __init__(self, candidates: Iterable[str]) -> None:
        self.candidates = sorted({str(c) for c in candidates})
        self.memo: dict[str, str | None] = {}

    def __call__(self, word: str) -> str:
        if word not in self.memo:
            self.memo[word] = self._search(word) if len(self.memo) < self.SEARCHES else None
        match = self.memo[word]
        return f"; did you mean '{match}'?" if match else ""

    def _search(self, word: str) -> str | None:
        pool = self.candidates
        if len(pool) > self.POOL:
            first = word[:1]
            pool = sorted(pool, key=lambda c: (abs(len(c) - len(word)), c[:1] != first, c))[: self.POOL]
        matches = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
        return matches[0] if matches else None


def summarise(items: Sequence[str], most: int = 5) -> str:
    """ "'a', 'b', 'c'" — or the first few and how many more, so that a message stays one line
    however long the list (10,000 entry points once made every finding list all of them)."""
    quoted = [f"'{item}'" for item in items[:most]]
    rest = len(items) - len(quoted)
    return ", ".join(quoted) + (f" and {rest:,} more" if rest > 0 else "")


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
