"""`cjmap diff`: what changed between two maps, in words a reviewer reads.

    cjmap diff OLD NEW          files, or REV:path read from git (HEAD~1:journeys/x.yaml)
    cjmap diff --git BASE [PATH...]   every map changed since BASE (added and deleted included)
    cjmap diff --textconv FILE  one map as stable text, for git's textconv

Exit codes: 0 (also when something changed), 1 when a --fail-on condition is met or a map fails
validation (its findings are printed and no diff), 2 for usage errors.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cjmap.analysis.diff_report import DEFAULT_MAX_CHARS
from cjmap.commands.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from cjmap.document import Document, Loader
from cjmap.lifetime import keep_to_the_end
from cjmap.scanning import MAP_SUFFIXES

if TYPE_CHECKING:
    from cjmap.analysis.diff import MapDiff
    from cjmap.analysis.diff_forecast import SideForecast
    from cjmap.analysis.diff_gate import Condition
    from cjmap.analysis.diff_report import FileDiff, MapSummary
    from cjmap.api import Session
    from cjmap.diagnostics import Diagnostic
    from cjmap.gitfiles import Repository
    from cjmap.journey import Journey
    from cjmap.model import JourneyMap
    from cjmap.validate import Result, Settings

FORMATS = ("text", "md", "json")


@dataclass(frozen=True)
class DiffOptions:
    arguments: list[str]
    output_format: str = "text"
    fail_on: list[str] = field(default_factory=list)
    git_base: str | None = None
    textconv: str | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    full_report: str | None = None


class _Usage(Exception):
    pass


def run_diff(options: DiffOptions, session: Session) -> int:
    from cjmap.analysis.diff_gate import ConditionError, parse_conditions
    from cjmap.gitfiles import GitError

    session = _errors_only(session)
    try:
        if options.output_format not in FORMATS:
            raise _Usage(f"--format must be one of {', '.join(FORMATS)}")
        if options.max_chars < 1_000:
            raise _Usage("--max-chars must be at least 1000")
        conditions = parse_conditions(options.fail_on)
        if options.textconv is not None:
            if options.arguments or options.git_base is not None:
                raise _Usage("--textconv takes one FILE and no other paths")
            return _textconv(Path(options.textconv), session.loader)
        if options.git_base is not None:
            return _git_mode(options, conditions, session)
        if len(options.arguments) != 2:
            raise _Usage(
                f"give two maps, OLD and NEW (files or REV:path), not {len(options.arguments)}; "
                "or --git BASE [PATH...] for every map changed since BASE"
            )
        return _two_maps(options, conditions, session)
    except (_Usage, ConditionError, GitError) as error:
        sys.stderr.write(f"cjmap: error: {error}\n")
        return EXIT_USAGE


# --- two maps ---------------------------------------------------------------------------------


def _two_maps(options: DiffOptions, conditions: list[Condition], session: Session) -> int:
    if options.arguments.count("-") > 1:
        raise _Usage("only one side can be read from standard input (-)")
    repository: list[Repository] = []  # found once, when a side is REV:path
    results, forecasts = _load_sides(options.arguments, session, repository)
    if _report_failures(results, options.output_format):
        return EXIT_FINDINGS
    old, new = results
    for result in results:
        if result.is_library:
            raise _Usage(f"{result.name} is a library, not a map: diff the maps that include it")
    diff = _diff(old, new, forecasts)
    sys.stdout.write(_render(diff, options))
    keep_to_the_end(results, diff)
    return _gate([diff], conditions)


def _errors_only(session: Session) -> Session:
    """The session with every check that cannot give an error turned off: a diff stops only on a
    map's errors and prints no warnings, and on a large map the warning rules are a good part of
    the check."""
    from dataclasses import replace

    from cjmap.diagnostics import Severity
    from cjmap.rules import REGISTRY

    chosen = session.settings.severity
    severity = {
        rule: None if chosen.get(rule, known.severity) is not Severity.ERROR else chosen.get(rule, known.severity)
        for rule, known in REGISTRY.items()
    }
    return replace(session, settings=replace(session.settings, severity=severity))


# When a side is a file of at least this many bytes, the old side is checked and forecast in a
# forked process while this one checks and forecasts the new (cjmap.pool.beside). The child sends
# back its findings, its forecast and the map's plain data, from which this process builds the
# model again (0.12 s to pickle there, 0.33 s to unpickle, validate and link here for a
# 10,000-touchpoint map). Measured with benchmarks/diff.py on 2 idle cores, wall time against one
# process (medians of 5): 1,000 touchpoints (0.55 MB) 1.08x for 1.1x the CPU, 2,000 (1.1 MB)
# 1.05x, 4,000 (2.2 MB) 1.15x, 8,000 (4.4 MB) 1.12x, 10,000 (5.6 MB) 1.26-1.28x; so the second
# process starts where it clearly pays.
PARALLEL_FROM_BYTES = 2_000_000


class _KeepingLoader(Loader):
    """A loader that keeps the last document it read: the child sends its data back."""

    kept: Document | None = None

    def load_path(self, path: Path, name: str, raw: bytes | None = None, *, split_text: bool = True) -> Document:
        self.kept = super().load_path(path, name, raw, split_text=split_text)
        return self.kept


@dataclass(frozen=True)
class _Side:
    """Where one side of a diff is read: a file, or a file at a git revision."""

    loader: Loader
    path: Path
    name: str
    local: bool  # a file in the file system (its size is known before reading it)


# Both sides checked, and the forecast of each side that was already made (else None).
_Loaded = tuple[list["Result"], tuple["SideForecast | None", "SideForecast | None"]]


def _load_sides(arguments: list[str], session: Session, repository: list[Repository]) -> _Loaded:
    """Both sides checked: a large old side in a second process while this one checks the new."""
    from cjmap.pool import beside

    sides = [None if argument == "-" else _side(argument, session, repository) for argument in arguments]
    old, new = sides
    if old is None or new is None or max(_size(old), _size(new)) < PARALLEL_FROM_BYTES:
        return [_check_side(side, session) for side in sides], (None, None)
    settings = session.settings
    (checked_new, new_forecast), handed_back = beside(
        lambda: _checked_and_forecast(new, session), lambda: _checked_for_hand_back(old, settings)
    )
    if handed_back is None:  # no second process after all: the old side here
        checked_old, old_forecast = _check_side(old, session), None
    else:
        checked_old, old_forecast = _rebuilt(*handed_back)
    return [checked_old, checked_new], (old_forecast, new_forecast)


def _size(side: _Side) -> int:
    """The file's size; 0 at a revision (its other side, in the working tree, tells the size)."""
    try:
        return side.path.stat().st_size if side.local else 0
    except OSError:
        return 0


def _check_side(side: _Side | None, session: Session) -> Result:
    if side is None:
        return session.check(["-"]).results[0]
    from functools import partial

    from cjmap.validate import check_path

    return session.guarded(side.name, partial(check_path, side.loader, side.path, side.name, session.settings))


def _checked_and_forecast(side: _Side, session: Session) -> tuple[Result, SideForecast | None]:
    result = _check_side(side, session)
    return result, _forecast_if_usable(result)


def _forecast_if_usable(result: Result) -> SideForecast | None:
    """The side's forecast, for a map the diff will use that declares outcomes."""
    from cjmap.analysis.diff_forecast import forecast_side
    from cjmap.commands.forecast import EXACT_UP_TO

    if result.journey is None or result.has_errors or not result.journey.outcomes:
        return None
    return forecast_side(result.journey, EXACT_UP_TO)


def _checked_for_hand_back(
    side: _Side, settings: Settings
) -> tuple[Result, dict[str, object] | None, SideForecast | None]:
    """In the child: the side checked as here, with its findings; when the diff can use the map
    (built, no errors), its plain data and its forecast."""
    from cjmap.validate import check_path

    loader = _KeepingLoader(side.loader.limits, side.loader.root, side.loader.reader)
    result = check_path(loader, side.path, side.name, settings)
    data = loader.kept.data if loader.kept is not None else None
    if result.journey_map is None or result.has_errors or not isinstance(data, dict):
        return result.without_model(), None, None
    return result.without_model(), data, _forecast_if_usable(result)


def _rebuilt(
    result: Result, data: dict[str, object] | None, forecast: SideForecast | None
) -> tuple[Result, SideForecast | None]:
    """The child's result with its model and journey built again here from the plain data (the
    same validation the child ran, on the same data: the same model)."""
    if data is None:
        return result, None
    from cjmap import model_cache
    from cjmap.journey import Journey
    from cjmap.model import JourneyMap

    result.journey_map = model_cache.validate(JourneyMap, data)
    result.journey = Journey.build(result.journey_map)
    keep_to_the_end(data)
    return result, forecast


def _side(argument: str, session: Session, repository: list[Repository]) -> _Side:
    """Where `argument` (a file or REV:path) is read; a usage error when it names neither."""
    if Path(argument).exists():
        if Path(argument).is_dir():
            raise _Usage(f"'{argument}' is a folder: give a map file, or use --git BASE {argument}")
        return _Side(session.loader, Path(argument), argument, local=True)
    revision, colon, path = argument.partition(":")
    if not colon:
        raise _Usage(f"path '{argument}' does not exist (to read it from git, write REV:path, e.g. HEAD~1:{argument})")
    if not revision or not path:
        raise _Usage(f"'{argument}' is not REV:path: give a revision and a path, e.g. HEAD~1:journeys/map.yaml")
    from cjmap.gitfiles import Repository, RevisionReader

    if not repository:
        repository.append(Repository.find())
    repo = repository[0]
    commit = repo.commit(revision)
    reader = RevisionReader(repo, commit)
    in_repo = repo.repo_path(path)
    if in_repo not in reader.files:
        raise _Usage(
            f"'{path}' does not exist at revision '{revision}' (a path in REV:path is relative to the top of "
            "the repository, as in git show; start it with ./ for the current folder)"
        )
    return _Side(Loader(session.loader.limits, repo.root, reader), repo.root / in_repo, argument, local=False)


def _report_failures(results: list[Result], output_format: str) -> bool:
    """Print the findings of maps that fail validation; True when there are any."""
    from cjmap.diagnostics import Severity, sort_diagnostics
    from cjmap.formatters import Report, render

    errors: list[Diagnostic] = sort_diagnostics(
        [d for r in results for d in r.diagnostics if d.severity is Severity.ERROR]
    )
    if not errors:
        return False
    report = Report(errors, len(results), lambda file, line: None)
    sys.stdout.write(render(report, "json" if output_format == "json" else "text"))
    sys.stderr.write("cjmap: no diff: a map fails validation (fix the errors above, see `cjmap validate`)\n")
    return True


def _render(diff: MapDiff, options: DiffOptions) -> str:
    from cjmap.analysis import diff_report

    if options.output_format == "json":
        return diff_report.render_json(diff)
    if options.output_format == "md":
        return diff_report.render_markdown(diff, options.max_chars, options.full_report)
    return diff_report.render_text(diff)


def _diff(
    old: Result, new: Result, forecasts: tuple[SideForecast | None, SideForecast | None] = (None, None)
) -> MapDiff:
    """The diff with its forecast delta, each map forecast with the engine `cjmap forecast`
    picks for its size (exact fractions for small maps, floating point for large ones), unless
    `forecasts` has it already."""
    from cjmap.analysis.diff import diff_maps
    from cjmap.analysis.diff_forecast import forecast_delta
    from cjmap.commands.forecast import EXACT_UP_TO

    before, after = _journey(old), _journey(new)
    return diff_maps(before, after, forecast_delta(before, after, EXACT_UP_TO, forecasts))


def _gate(diffs: list[MapDiff], conditions: list[Condition]) -> int:
    from cjmap.analysis.diff_gate import failures, not_checked

    for note in (note for diff in diffs for note in not_checked(diff, conditions)):
        sys.stderr.write(f"cjmap: {note}\n")
    found = [reason for diff in diffs for reason in failures(diff, conditions)]
    for reason in found:
        sys.stderr.write(f"cjmap: {reason}\n")
    return EXIT_FINDINGS if found else EXIT_OK


# --- every map changed since a base revision --------------------------------------------------

# (repository path, status, path at the base, base result, working-tree result, libraries through
# which it changed)
_Pending = tuple[str, str, "str | None", "Result | None", "Result | None", tuple[str, ...]]


def _git_mode(options: DiffOptions, conditions: list[Condition], session: Session) -> int:
    from cjmap.analysis import diff_report
    from cjmap.analysis.diff_report import FileDiff
    from cjmap.gitfiles import Repository, RevisionReader

    settings, loader = session.settings, session.loader
    base = options.git_base or ""
    repo = Repository.find()
    commit = repo.commit(base)
    missing = [p for p in options.arguments if not Path(p).exists()]
    if missing:
        raise _Usage(f"path '{missing[0]}' does not exist in the working tree")
    scopes = [Path(p).resolve() for p in options.arguments] or [repo.root]

    def in_scope(relative: str | None) -> bool:
        if relative is None:
            return False
        path = repo.root / relative
        return any(path == scope or scope in path.parents for scope in scopes)

    # Every changed YAML file of the repository: a library outside the PATHs (shared/) still
    # changes the maps inside them that include it.
    changes = [c for c in repo.changed_files(commit, []) if c.path.endswith(MAP_SUFFIXES)]
    at_base = Loader(loader.limits, repo.root, RevisionReader(repo, commit))
    pending: list[_Pending] = []
    checked: list[Result] = []
    libraries: set[Path] = set()
    seen: set[str] = set()
    for change in changes:
        old = new = None
        if change.old_path is not None:
            old = _check_map_at(at_base, repo.root / change.old_path, f"{base}:{change.old_path}", settings)
        if change.status != "deleted":
            here = repo.root / change.path
            new = session.check_found(here, _display(here)) if here.is_file() else None
        sides = [r for r in (old, new) if r is not None]
        if any(r.is_library for r in sides):
            libraries.update(repo.root / p for p in (change.path, change.old_path) if p)
            continue
        if not sides or not (in_scope(change.path) or in_scope(change.old_path)):
            continue  # not a cjmap map (a workflow file, say), or outside the PATHs
        checked += sides
        seen.add(change.path)
        pending.append((change.path, change.status, change.old_path, old, new, ()))
    if libraries:
        pending += _through_libraries(repo, commit, base, scopes, seen, libraries, session, at_base, checked)
        pending.sort(key=lambda entry: entry[0])
    if _report_failures(checked, options.output_format):
        return EXIT_FINDINGS
    entries: list[FileDiff] = []
    diffs: list[MapDiff] = []
    for path, status, old_path, old, new, through in pending:
        display = _display(repo.root / path)
        old_map = old.journey_map if old is not None else None
        new_map = new.journey_map if new is not None else None
        if old is not None and new is not None and old_map is not None and new_map is not None:
            diff = _diff(old, new)
            diffs.append(diff)
            if status == "renamed" and old_path:
                entries.append(FileDiff(display, "renamed", _display(repo.root / old_path), diff=diff))
            else:
                entries.append(FileDiff(display, "modified", diff=diff, libraries=through))
        elif new_map is not None:
            entries.append(FileDiff(display, "added", summary=_summary(new_map)))
        elif old_map is not None:
            entries.append(FileDiff(display, "deleted", summary=_summary(old_map)))
    if options.output_format == "json":
        sys.stdout.write(diff_report.render_json_files(entries, base))
    elif options.output_format == "md":
        sys.stdout.write(diff_report.render_markdown_files(entries, base, options.max_chars, options.full_report))
    else:
        sys.stdout.write(diff_report.render_text_files(entries, base))
    keep_to_the_end(checked, entries)
    return _gate(diffs, conditions)


def _through_libraries(
    repo: Repository,
    commit: str,
    base: str,
    scopes: list[Path],
    seen: set[str],
    libraries: set[Path],
    session: Session,
    at_base: Loader,
    checked: list[Result],
) -> list[_Pending]:
    """Maps in the PATHs that did not change themselves but include a library that did."""
    from cjmap.gitfiles import RevisionReader
    from cjmap.scanning import walk

    at_commit = RevisionReader(repo, commit).files
    found: list[_Pending] = []
    candidates = sorted({p for scope in scopes for p in (walk(scope)[0] if scope.is_dir() else [scope])})
    for path in candidates:
        relative = path.resolve().relative_to(repo.root).as_posix()
        if relative in seen or relative not in at_commit:
            continue
        new = session.check_found(path, _display(path))
        if new is None or new.is_library:
            continue
        through = sorted(lib for lib in libraries if lib in set(new.included))
        if not through:
            continue
        old = _check_map_at(at_base, repo.root / relative, f"{base}:{relative}", session.settings)
        if old is None:
            continue
        checked += [old, new]
        shown = tuple(_display(lib) for lib in through)
        found.append((relative, "modified", relative, old, new, shown))
    return found


def _check_map_at(loader: Loader, path: Path, name: str, settings: Settings) -> Result | None:
    """A file at a revision, checked when it is a map (as a folder is read); None when not."""
    from cjmap import rule_ids
    from cjmap.scanning import HEAD_BYTES, looks_like_map
    from cjmap.source import LoadError, Mark
    from cjmap.validate import check_path, failed

    try:
        raw = loader.reader.read(path, name, loader.limits)
    except LoadError as error:
        return failed(error, name)
    except OSError as error:
        return failed(LoadError(rule_ids.ENCODING, f"cannot read the file: {error.strerror}", name, Mark(1, 1)), name)
    if not looks_like_map(raw[:HEAD_BYTES]):
        return None
    return check_path(loader, path, name, settings, raw)


def _journey(result: Result) -> Journey:
    assert result.journey is not None  # only maps that were built are diffed
    return result.journey


def _summary(journey_map: JourneyMap) -> MapSummary:
    from cjmap.analysis.diff_report import MapSummary

    return MapSummary(
        journey_map.id,
        journey_map.title,
        len(journey_map.stages),
        len(journey_map.touchpoints()),
        len({p.id for p in journey_map.personas}),
    )


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --- textconv ---------------------------------------------------------------------------------


def _textconv(path: Path, loader: Loader) -> int:
    """Print one map as stable text for git. Includes are not merged: git hands textconv a
    temporary copy of an old revision, where relative includes do not resolve, so both sides show
    the file's own content (its include list among it). Never fails on a broken map: git would
    stop the whole `git diff`; the raw text is printed instead, so the change is still shown."""
    from pydantic import ValidationError

    from cjmap import model_cache
    from cjmap.analysis.diff_outline import render_outline
    from cjmap.model import JourneyMap
    from cjmap.reading import read_file
    from cjmap.source import LoadError, load_bytes

    try:
        raw = read_file(path, str(path), loader.limits)
    except OSError as error:
        raise _Usage(f"cannot read '{path}': {error.strerror}") from None
    except LoadError as error:
        raise _Usage(error.message) from None
    try:
        loaded = load_bytes(raw, str(path), loader.limits)
        if not loaded.problems and isinstance(loaded.data, dict) and loaded.data.get("kind", "map") == "map":
            sys.stdout.write(render_outline(model_cache.validate(JourneyMap, loaded.data)))
            return EXIT_OK
    except (LoadError, ValidationError):
        pass
    sys.stdout.write(raw.decode("utf-8", errors="replace"))
    return EXIT_OK
