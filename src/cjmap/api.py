"""cjmap as a library: paths in, checked maps out. Every command stands on this, and so can a
notebook or a CI script:

    import cjmap
    result = cjmap.load("journeys/first-purchase.yaml")
    if not result.has_errors:
        print(len(result.journey.ordered()), "touchpoints")

A path is a map file, a folder (every *.yaml/*.yml below it, skipping hidden folders and YAML
files without a `cjmap:` key), or `-` for standard input. Problems in the maps are findings on
each `Result`; problems with the request itself (a missing path, a bad setting) raise
`UsageError`. Nothing here prints or exits.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import BinaryIO, TypeVar

from cjmap import rule_ids
from cjmap.diagnostics import Diagnostic, sort_diagnostics
from cjmap.document import Loader
from cjmap.reading import read_file, read_stream
from cjmap.scanning import HEAD_BYTES, looks_like_map, walk
from cjmap.source import Limits, LoadError, Mark
from cjmap.validate import Result, Settings, check_path, check_stdin, failed

__all__ = ["Checked", "Result", "Session", "UsageError", "check", "load", "session"]

R = TypeVar("R")
STDIN = "-"
STDIN_NAME = "<stdin>"
PathLike = str | os.PathLike[str]


class UsageError(Exception):
    """The request cannot be carried out as asked (the CLI's exit code 2); the message says why."""


@dataclass
class Checked:
    """The maps of one request, each checked: a list of `Result`s plus what the request named."""

    results: list[Result]
    settings: Settings
    inputs: frozenset[Path] = frozenset()  # the files and folders named, resolved
    skipped: int = 0  # files in folders that are not maps (no 'cjmap' key), or not regular files

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sort_diagnostics([d for result in self.results for d in result.diagnostics])

    @property
    def has_errors(self) -> bool:
        return any(result.has_errors for result in self.results)

    def renderable(self) -> list[Result]:
        """The maps that can be drawn or computed with: built, and without errors."""
        return [r for r in self.results if r.journey is not None and not r.has_errors]

    def protected(self) -> set[Path]:
        """Files no output may replace: every input, and every library an input includes."""
        protected = set(self.inputs)
        for result in self.results:
            if result.path is not None:
                protected.add(result.path)
            protected.update(result.included)
        return protected

    def source_line(self, file: str, line: int) -> str | None:
        """A line of a checked file (for excerpts under findings); other files are read when asked."""
        if self._lines is None:
            self._lines = _SourceLines({r.name: r for r in self.results if r.raw is not None})
        return self._lines.get(file, line)

    _lines: _SourceLines | None = field(default=None, init=False, repr=False)


@dataclass(frozen=True)
class Session:
    """Settings and a loader for one run: libraries are read once however many maps include them."""

    settings: Settings
    loader: Loader

    def check(
        self, paths: Sequence[PathLike], stdin: BinaryIO | None = None, *, findings_only: bool = False
    ) -> Checked:
        """Check every map the paths name, in order (folders sorted). findings_only: results keep
        their findings and what prints them (the name, the path, the text of files with findings)
        but not the model, the journey graph or the includes, which worker processes would
        otherwise send back whole: for callers that only report findings, as `cjmap validate`."""
        names = [os.fspath(p) for p in paths]
        missing = [p for p in names if p != STDIN and not Path(p).exists()]
        if missing:
            raise UsageError(f"path '{missing[0]}' does not exist")
        results: list[Result] = []
        skipped = 0
        seen: set[Path] = set()  # a file named twice, or named and found in a folder, is checked once

        def first_time(path: Path) -> bool:
            resolved = path.resolve()
            if resolved in seen:
                return False
            seen.add(resolved)
            return True

        def kept(result: Result) -> Result:
            return result.without_model() if findings_only else result

        # Checking makes no reference cycles worth collecting, but hundreds of thousands of
        # objects (data, then models): left on, the collector would rescan them all again and
        # again, which cost 0.9 s of the 1.1 s pydantic took on a 10,000-touchpoint map.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for name in names:
                if name == STDIN:
                    checked = self.guarded(STDIN_NAME, lambda: self._check_stdin(stdin or sys.stdin.buffer))
                    results.append(kept(checked))
                elif Path(name).is_dir():
                    found, irregular = walk(Path(name))
                    skipped += irregular
                    for result in self._check_folder(list(filter(first_time, found)), findings_only):
                        if result is None:
                            skipped += 1
                        else:
                            results.append(result)
                elif first_time(Path(name)):
                    check = partial(check_path, self.loader, Path(name), name, self.settings)
                    results.append(kept(self.guarded(name, check)))
        finally:
            if collecting:
                gc.enable()
        inputs = frozenset(Path(p).resolve() for p in names if p != STDIN)
        return Checked(results, self.settings, inputs, skipped)

    def check_files(self, files: list[Path], findings_only: bool = False) -> list[Result | None]:
        """Files found in a folder, each checked in this process, in order (None: not a map)."""
        results = [self.guarded(str(found), partial(self.check_found, found)) for found in files]
        if findings_only:
            return [None if result is None else result.without_model() for result in results]
        return results

    def _check_folder(self, found: list[Path], findings_only: bool) -> list[Result | None]:
        """The files found in a folder, in order: a large folder on every core (cjmap.pool)."""
        from cjmap.pool import check_shared

        here = partial(self.check_files, findings_only=findings_only)
        task = (self.loader.limits, self.loader.root, self.settings, findings_only)
        return check_shared(found, here, _worker_check, task)

    @staticmethod
    def guarded(name: str, check: Callable[[], R]) -> R | Result:
        """One file's check. A failure of cjmap itself becomes that file's finding (and the other
        files are still checked), never a traceback."""
        try:
            return check()
        except (KeyboardInterrupt, MemoryError, RecursionError):
            raise
        except Exception as error:  # a bug: say so, with the file, and go on
            message = (
                f"cjmap failed on this file ({type(error).__name__}: {error}); "
                "please report it with the file at https://pypi.org/project/cjmap/"
            )
            return failed(LoadError(rule_ids.INTERNAL, message[:500], name, Mark(1, 1)), name)

    def _check_stdin(self, stream: BinaryIO) -> Result:
        try:
            raw = read_stream(stream, STDIN_NAME, self.loader.limits)
        except LoadError as error:
            return failed(error, STDIN_NAME)
        return check_stdin(self.loader, raw, self.settings)

    def check_found(self, path: Path, name: str | None = None) -> Result | None:
        """A file found in a folder: checked if it is a map, None if it is someone else's."""
        name = name or str(path)
        try:
            with path.open("rb") as stream:
                head = stream.read(HEAD_BYTES)
        except OSError as error:
            return failed(
                LoadError(rule_ids.ENCODING, f"cannot read the file: {error.strerror}", name, Mark(1, 1)), name
            )
        if not looks_like_map(head):
            return None
        try:
            raw = head if len(head) < HEAD_BYTES else read_file(path, name, self.loader.limits)
        except LoadError as error:
            return failed(error, name, path.resolve())
        except OSError as error:
            return failed(
                LoadError(rule_ids.ENCODING, f"cannot read the file: {error.strerror}", name, Mark(1, 1)), name
            )
        return check_path(self.loader, path, name, self.settings, raw)


def _worker_check(
    limits: Limits, root: Path | None, settings: Settings, findings_only: bool
) -> Callable[[list[Path]], list[Result | None]]:
    """How a worker process checks its share of a folder: as this process would, with a loader of
    its own (built once per worker, so a library shared by its maps is read once there too).
    The collector is off there as it is here while checking (see Session.check): a forked worker
    inherits that, a spawned one would otherwise rescan every model it builds."""
    gc.disable()
    return partial(Session(settings, Loader(limits, root)).check_files, findings_only=findings_only)


def session(
    today: date | str | None = None,
    config: PathLike | None = None,
    root: PathLike | None = None,
    max_bytes: int | None = None,
) -> Session:
    """Settings from the arguments and the project's settings file (nearest cjmap.toml, or
    pyproject.toml with [tool.cjmap]), and a loader that keeps includes inside the root."""
    from cjmap import config as settings_file
    from cjmap.source import Limits

    try:
        day = today if isinstance(today, date) else date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise UsageError(f"--today must be a date like 2026-09-15, not '{today}'") from None
    config_path = Path(config) if config is not None else None
    if config_path is not None and not config_path.is_file():
        raise UsageError(f"settings file '{config_path}' does not exist")
    found = config_path or settings_file.find(Path.cwd())
    try:
        project = settings_file.load(found) if found else settings_file.Config()
    except settings_file.ConfigError as error:
        raise UsageError(str(error)) from None
    root_path = Path(root) if root is not None else None
    if root_path is not None and not root_path.is_dir():
        raise UsageError(f"--root '{root_path}' is not a folder")
    limits = Limits(max_bytes=max_bytes or project.max_bytes or Limits().max_bytes)
    return Session(Settings(today=day, severity=project.severity), Loader(limits, root_path))


def check(
    paths: PathLike | Sequence[PathLike],
    *,
    today: date | str | None = None,
    config: PathLike | None = None,
    root: PathLike | None = None,
    max_bytes: int | None = None,
    findings_only: bool = False,
) -> Checked:
    """Check maps: files, folders or '-'. Raises UsageError for a path that does not exist.
    findings_only: the results keep their findings but not the models (see Session.check)."""
    many = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    return session(today, config, root, max_bytes).check(many, findings_only=findings_only)


def load(
    path: PathLike,
    *,
    today: date | str | None = None,
    config: PathLike | None = None,
    root: PathLike | None = None,
    max_bytes: int | None = None,
) -> Result:
    """Check one map file (or '-'): its findings, model and journey graph."""
    if os.fspath(path) != STDIN and Path(path).is_dir():
        raise UsageError(f"'{os.fspath(path)}' is a folder: cjmap.check() reads every map in a folder")
    return check(path, today=today, config=config, root=root, max_bytes=max_bytes).results[0]


class _SourceLines:
    """Source lines for excerpts, split only when a finding in that file is shown: the text a
    result was checked from (standard input has no other), else the file read from disk."""

    def __init__(self, checked: dict[str, Result]) -> None:
        self.checked = checked
        self.cache: dict[str, list[str]] = {}

    def get(self, file: str, line: int) -> str | None:
        if file not in self.cache:
            text = self.checked[file].source if file in self.checked else None
            try:
                text = text if text is not None else Path(file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            self.cache[file] = text.splitlines()
        lines = self.cache[file]
        return lines[line - 1] if 0 < line <= len(lines) else None
