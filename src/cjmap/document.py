"""From a file on disk (or stdin) to merged map data: loading, includes and their limits.

Includes are resolved relative to the including file and must stay inside the project root
(the nearest folder above the map with cjmap.toml, pyproject.toml or .git, else the map's own
folder). Libraries are cached, so a folder of maps sharing one persona library reads it once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cjmap import rule_ids
from cjmap.reading import read_file
from cjmap.source import Limits, LoadError, Mark, Positions, Problem, load_bytes
from cjmap.yaml_hints import SPLIT_TEXT_RULE

MERGED_SECTIONS = ("personas", "channels", "outcomes")
_ROOT_MARKERS = ("cjmap.toml", "pyproject.toml", ".git")


@dataclass
class Document:
    """A map or library file with its includes merged in, plus what went wrong on the way."""

    name: str
    data: Any
    positions: Positions  # where each value of `data` (and of the libraries) is written
    problems: list[Problem] = field(default_factory=list)
    libraries: list[dict[str, Any]] = field(default_factory=list)  # raw data of each included library
    included: set[Path] = field(default_factory=set)
    raw: bytes | None = None  # the file as read


class FileReader(Protocol):
    """Where the Loader reads files from: the file system by default, a git revision for
    `cjmap diff REV:path` (see cjmap.gitfiles), so includes resolve at the map's revision.
    Either way the size limit applies while reading."""

    def read(self, path: Path, name: str, limits: Limits) -> bytes: ...

    def is_file(self, path: Path) -> bool: ...


class _Disk:
    def read(self, path: Path, name: str, limits: Limits) -> bytes:
        return read_file(path, name, limits)

    def is_file(self, path: Path) -> bool:
        return path.is_file()


class Loader:
    """Reads files, resolving includes; keeps parsed libraries for the whole run."""

    def __init__(self, limits: Limits, root: Path | None = None, reader: FileReader | None = None) -> None:
        self.limits = limits
        self.root = root
        self.reader: FileReader = reader or _Disk()
        self._cache: dict[Path, tuple[dict[str, Any], Positions] | LoadError] = {}
        self._roots: dict[Path, Path] = {}
        self._warnings: dict[Path, list[Problem]] = {}  # loader warnings of each library

    def load_path(self, path: Path, name: str, raw: bytes | None = None, *, split_text: bool = True) -> Document:
        """A map file (raw: its bytes, when already read within the limit). split_text: look for
        the split-text warning in the map's own text (the caller turned it off: the scan of a
        large map is wasted); an included library's warnings are found either way, as the
        library is read once for every map that includes it."""
        data = self.reader.read(path, name, self.limits) if raw is None else raw
        return self._load(data, name, path.resolve().parent, self.project_root(path), split_text)

    def load_stdin(self, raw: bytes, *, split_text: bool = True) -> Document:
        cwd = Path.cwd()
        return self._load(raw, "<stdin>", cwd, self.root or cwd, split_text)

    def project_root(self, path: Path) -> Path:
        if self.root is not None:
            return self.root.resolve()
        folder = path.resolve().parent
        if folder not in self._roots:
            self._roots[folder] = next(
                (parent for parent in (folder, *folder.parents) if any((parent / m).exists() for m in _ROOT_MARKERS)),
                folder,
            )
        return self._roots[folder]

    def _load(self, raw: bytes, name: str, folder: Path, root: Path, split_text: bool) -> Document:
        loaded = load_bytes(raw, name, self.limits, split_text=split_text)
        document = Document(name, loaded.data, loaded.positions, list(loaded.problems), raw=raw)
        if isinstance(loaded.data, dict) and "include" in loaded.data:
            self._merge_includes(document, loaded.data, folder, root)
        return document

    def _merge_includes(self, document: Document, data: dict[str, Any], folder: Path, root: Path) -> None:
        """Merge the libraries a map includes, and those they include, depth first: a library's
        own includes are merged before it, so the order is the same as a recursive walk's. An
        explicit stack, so a chain of a thousand libraries is no deeper for Python than one."""
        # Each frame: the includes still to visit in one file, its folder, the chain of
        # libraries leading to it (for cycles), and its data to merge when they are done.
        stack: list[tuple[Iterator[tuple[Any, str, Mark]], Path, tuple[Path, ...], dict[str, Any] | None]] = [
            (iter(_includes(data, document.positions)), folder, (), None)
        ]
        while stack:
            items, here, chain, finished = stack[-1]
            step = next(items, None)
            if step is None:
                stack.pop()
                if finished is not None:
                    _merge(document.data, finished, document.positions)
                continue
            reference, file, mark = step
            if not isinstance(reference, str):
                continue  # the model reports the wrong type
            library = self._library(document, reference, file, mark, here, root, chain)
            if library is None:
                continue
            path, library_data, library_positions = library
            if path in document.included:
                continue  # reached twice (a diamond): merge it once
            document.included.add(path)
            document.libraries.append(library_data)
            document.positions.extend(library_positions)
            stack.append((iter(_includes(library_data, library_positions)), path.parent, (*chain, path), library_data))

    def _library(
        self,
        document: Document,
        reference: str,
        file: str,
        mark: Mark,
        folder: Path,
        root: Path,
        chain: tuple[Path, ...],
    ) -> tuple[Path, dict[str, Any], Positions] | None:
        def problem(message: str) -> None:
            document.problems.append(Problem(rule_ids.INCLUDE, message, file, mark))

        if "\0" in reference:
            problem(f"include {reference!r} holds a NUL character: write the library's relative path")
            return None
        target = Path(os.path.normpath(folder / reference)).resolve()
        if not target.is_relative_to(root):
            problem(
                f"include '{reference}' points outside the project root {root}: keep shared files inside the project"
            )
            return None
        if target in chain or target == document_path(document):
            problem(f"include '{reference}' includes itself through a cycle: remove one of the includes")
            return None
        if not self.reader.is_file(target):
            problem(f"include '{reference}' does not exist (looked for {target}): fix the path, relative to this file")
            return None
        cached = self._cache.get(target)
        if cached is None:
            try:
                cached = self._read_library(target, root)
            except LoadError as error:
                cached = error
            except OSError as error:  # unreadable: the include is where the fix goes
                problem(f"include '{reference}' cannot be read ({error.strerror}): check its permissions")
                return None
            self._cache[target] = cached
        if isinstance(cached, LoadError):
            document.problems.append(Problem(cached.rule, cached.message, cached.file, cached.mark))
            return None
        if cached[0].get("kind") != "library":
            problem(f"include '{reference}' is not a library: an included file starts with 'kind: library'")
            return None
        document.problems.extend(self._warnings.get(target, []))
        return target, *cached

    def _read_library(self, path: Path, root: Path) -> tuple[dict[str, Any], Positions]:
        name = _display(path)
        loaded = load_bytes(self.reader.read(path, name, self.limits), name, self.limits)
        errors = [p for p in loaded.problems if p.rule != SPLIT_TEXT_RULE]  # a warning leaves the data usable
        if errors:
            first = errors[0]
            raise LoadError(first.rule, first.message, first.file, first.mark)
        self._warnings[path] = [p for p in loaded.problems if p.rule == SPLIT_TEXT_RULE]
        if not isinstance(loaded.data, dict):
            raise LoadError(rule_ids.NOT_A_MAP, "a library must be a mapping with 'kind: library'", name, Mark(1, 1))
        return loaded.data, loaded.positions


def document_path(document: Document) -> Path | None:
    return Path(document.name).resolve() if document.name != "<stdin>" else None


def _display(path: Path) -> str:
    """Paths are shown relative to the working directory when they are below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _includes(data: dict[str, Any], positions: Positions) -> list[tuple[Any, str, Mark]]:
    """The references of a file's 'include' (one, or a list), each with where it is written."""
    includes = data.get("include")
    file = positions.file(data, "")
    if isinstance(includes, str):
        return [(includes, file, positions.value_mark(data, "include"))]
    if isinstance(includes, list):
        return [(item, file, mark) for item, mark in zip(includes, positions.item_marks(includes), strict=True)]
    return []  # the model reports the wrong type


def _merge(into: dict[str, Any], library: dict[str, Any], positions: Positions) -> None:
    """Library personas, channels and outcomes come first, then the map's own."""
    for section in MERGED_SECTIONS:
        extra = library.get(section)
        if not isinstance(extra, list) or not extra:
            continue
        own = into.get(section)
        if own is not None and not isinstance(own, list):
            continue  # not a list: the model reports it
        merged = [*extra, *(own or [])]
        marks = positions.item_marks(extra) + (positions.item_marks(own) if own else [])
        # The merged list is reported where the map's own list is, else where the library's is.
        where = own if isinstance(own, list) else extra
        positions.add_sequence(merged, positions.file(where, ""), positions.mark(where), marks)
        into[section] = merged
        include = positions.value_mark(into, "include") if "include" in into else positions.mark(into)
        positions.set_default(into, section, include)
