"""`cjmap measure`: hold a map against an event log (or a warehouse's aggregates of one).

Exit codes: 0 measured (or SQL printed); 1 the map or the log cannot be measured; 2 usage error."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cjmap.analysis.measure.aggregates import AggregateRow
    from cjmap.analysis.measure.spec import Columns, Spec
    from cjmap.journey import Journey
    from cjmap.validate import Result

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass
class MeasureOptions:
    map_path: str
    events: Path | None = None
    aggregates: Path | None = None
    emit_sql: str | None = None
    table: str = "events"
    columns: str | None = None
    preset: str | None = None
    since: str | None = None
    until: str | None = None
    idle_days: float = 14.0
    output_format: str = "text"
    write: Path | None = None
    threads: int | None = None
    inputs: set[Path] = field(default_factory=set)


def _error(message: str) -> None:
    sys.stderr.write(f"cjmap: error: {message}\n")


def parse_moment(text: str, option: str, end: bool = False) -> float:
    """Epoch seconds from 2026-03-01 or 2026-03-01T09:30:00(Z|+02:00); naive times are UTC. A bare
    date as --until means the end of that day."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + (timedelta(days=1) if end else timedelta())
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{option} must be a date or time like 2026-03-01 or 2026-03-01T09:30:00Z, not '{text}'"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def load_journey(results: list[Result], map_path: str) -> Journey | None:
    """The map's Journey, or None after printing its errors (a map with errors is not measured)."""
    from cjmap.diagnostics import Severity

    errors = [d for r in results for d in r.diagnostics if d.severity is Severity.ERROR]
    if not results or results[0].journey is None or errors:
        for diagnostic in errors[:5]:
            sys.stderr.write(f"{diagnostic.file}:{diagnostic.line}:{diagnostic.col}: {diagnostic.message}\n")
        _error(f"'{map_path}' has errors; fix them first (cjmap validate {map_path})")
        return None
    return results[0].journey


def run_measure(options: MeasureOptions, journey: Journey) -> int:
    """Measure the (checked) map's Journey. `journey` is a cjmap.journey.Journey."""
    from cjmap.analysis.measure.engine import LogError, require_engine
    from cjmap.analysis.measure.spec import PRESETS, SpecError, build_spec, parse_columns

    sources = [o for o in (options.events, options.aggregates, options.emit_sql) if o is not None]
    if len(sources) != 1:
        _error("give exactly one of --events FILE, --aggregates FILE or --emit-sql DIALECT")
        return EXIT_USAGE
    if options.preset is not None and options.preset not in PRESETS:
        _error(f"--preset must be one of {', '.join(PRESETS)}, not '{options.preset}'")
        return EXIT_USAGE
    try:
        columns = parse_columns(options.columns, options.preset)
        since = parse_moment(options.since, "--since") if options.since else None
        until = parse_moment(options.until, "--until", end=True) if options.until else None
    except (SpecError, ValueError) as error:
        _error(str(error))
        return EXIT_USAGE
    if since is not None and until is not None and since >= until:
        _error("--since must come before --until")
        return EXIT_USAGE
    if options.idle_days <= 0:
        _error("--idle must be a positive number of days")
        return EXIT_USAGE
    spec = build_spec(journey)
    if not spec.steps:
        _error(
            f"map '{spec.map_id}' has no touchpoint or outcome with a `match`, so nothing can be measured; "
            "add e.g. `match: {event: purchase}` (see docs/measure.md)"
        )
        return EXIT_FAILED
    for start, goal in spec.conversions:
        unknown = next((step for step in (start, goal) if step not in spec.step_ids), None)
        if unknown is not None:
            _error(
                f"a KPI conversion ({start} -> {goal}) names '{unknown}', which is no touchpoint or outcome "
                "with a `match` in this map"
            )
            return EXIT_FAILED
    idle = options.idle_days * 86400
    try:
        require_engine(duckdb=options.events is not None)
        if options.emit_sql is not None:
            from cjmap.analysis.measure.sql import DIALECTS, emit

            if options.emit_sql not in DIALECTS:
                _error(f"--emit-sql takes one of {', '.join(DIALECTS)}, not '{options.emit_sql}'")
                return EXIT_USAGE
            sys.stdout.write(
                emit(spec, columns, options.emit_sql, options.table, since=since, until=until, idle_seconds=idle)
            )
            return EXIT_OK
        return _measure(options, journey, spec, columns, since, until, idle)
    except LogError as error:
        _error(str(error))
        return EXIT_FAILED


def _measure(
    options: MeasureOptions,
    journey: Journey,
    spec: Spec,
    columns: Columns,
    since: float | None,
    until: float | None,
    idle: float,
) -> int:
    from cjmap.analysis.measure.aggregates import read_aggregates, rows_from_dicts
    from cjmap.analysis.measure.analyse import measure
    from cjmap.analysis.measure.engine import LogError, file_sha256, open_log, run_aggregate
    from cjmap.analysis.measure.report import RENDERERS, iso
    from cjmap.analysis.measure.written import MeasuredFileError, write_measurement

    rows: list[AggregateRow]
    info: dict[str, object]
    if options.events is not None:
        path = options.events
        if not path.is_file():
            _error(f"--events '{path}' is not a file")
            return EXIT_USAGE
        log = open_log(path, columns, spec, threads=options.threads)
        records = run_aggregate(log, spec, since, until, idle)
        rows = rows_from_dicts(records, spec, str(path))
        info = {"file": path.name, "sha256": file_sha256(path)}
    else:
        assert options.aggregates is not None
        path = options.aggregates
        if not path.is_file():
            _error(f"--aggregates '{path}' is not a file")
            return EXIT_USAGE
        rows = read_aggregates(path, spec)
        info = {"file": path.name, "aggregate_rows": len(rows), "sha256": file_sha256(path)}
    result = measure(journey, spec, rows)
    if result.events == 0:
        window = f" between {iso(since) or 'the start'} and {iso(until) or 'the end'}" if since or until else ""
        raise LogError(f"{path}: no events{window}; nothing to measure (check --since/--until)")
    if options.events is not None:
        info["rows"] = result.events  # rows read in the window; counting the whole file would read it twice
    result = replace(result, log=info)
    sys.stdout.write(RENDERERS[options.output_format](result))
    if options.write is not None:
        try:
            write_measurement(result, options.write, options.inputs)
        except (MeasuredFileError, OSError) as error:
            _error(str(error))
            return EXIT_FAILED
    return EXIT_OK
