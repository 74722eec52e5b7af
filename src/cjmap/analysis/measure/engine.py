"""Reading an event log with DuckDB and running the aggregate query on it.

DuckDB reads CSV, Parquet and JSON Lines (gzip too) and streams them through the one query, so
memory stays bounded by the engine's own limits rather than by the size of the log."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cjmap.analysis.measure.spec import Columns, Spec

if TYPE_CHECKING:
    import duckdb

DEFAULT_MEMORY = "1200MB"  # the goal is 10M events in under 2 GB, Python and the map included
MISSING_EXTRA = "cjmap measure needs DuckDB and sqlglot: pip install 'cjmap[measure]'"


class LogError(Exception):
    """A log cjmap cannot measure: the message says what is wrong and how to fix it."""


def require_engine(duckdb: bool = True) -> None:
    """sqlglot builds the query on every path; DuckDB runs it on a local log."""
    try:
        import sqlglot  # noqa: F401

        if duckdb:
            import duckdb as _duckdb  # noqa: F401
    except ImportError:
        raise LogError(MISSING_EXTRA) from None


def detect_format(path: Path) -> str:
    """csv, parquet or jsonl, from the name and the first bytes (gzip is looked through)."""
    name = path.name.lower()
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as error:
        raise LogError(f"{path}: cannot read the file: {error.strerror}") from None
    if head == b"PAR1":
        return "parquet"
    stem = name[:-3] if name.endswith(".gz") else name
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as handle:
                inner = handle.read(256)
        except (OSError, EOFError) as error:
            raise LogError(f"{path}: not a readable gzip file ({error})") from None
    else:
        inner = head + _read(path, 256)[4:]
    if stem.endswith((".jsonl", ".ndjson", ".json")) or inner.lstrip()[:1] == b"{":
        return "jsonl"
    if stem.endswith((".csv", ".tsv", ".txt")) or (inner and _looks_textual(inner)):
        return "csv"
    raise LogError(f"{path}: not an event log cjmap can read: use CSV, Parquet or JSON Lines (gzip is fine too)")


def _read(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _looks_textual(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(data) - 3:  # not just a character cut in half at the end
            return False
        text = data[: error.start].decode("utf-8")
    return "\x00" not in text and any(sep in text for sep in ",\t;")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadedLog:
    connection: duckdb.DuckDBPyConnection
    columns: Columns  # with the time unit found in the file


def open_log(
    path: Path, columns: Columns, spec: Spec, threads: int | None = None, memory: str | None = None
) -> LoadedLog:
    """A connection with a view `events` over the file, checked: the columns the map needs exist
    and the time column parses. Raises LogError with a message for the user."""
    import duckdb

    fmt = detect_format(path)
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    # Bounded memory: past the limit DuckDB spills its sorts to a private temporary folder.
    # Row order is never needed (the query orders what it must), which saves memory too.
    spill = tempfile.mkdtemp(prefix="cjmap-measure-")
    weakref.finalize(con, shutil.rmtree, spill, True)
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute(f"SET memory_limit = '{memory or DEFAULT_MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")  # stderr is for cjmap's own messages
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    literal = "'" + str(path).replace("'", "''") + "'"
    reader = {
        "csv": f"read_csv({literal}, header = true, sample_size = 20480)",
        "parquet": f"read_parquet({literal})",
        "jsonl": f"read_json({literal}, format = 'newline_delimited', sample_size = 20480)",
    }[fmt]
    try:
        con.execute(f"CREATE VIEW file_rows AS SELECT * FROM {reader}")
        described = con.execute("DESCRIBE file_rows").fetchall()
    except duckdb.Error as error:
        raise LogError(f"{path}: cannot read it as {fmt.upper()}: {_first_line(error)}") from None
    types = {str(row[0]): str(row[1]) for row in described}
    needed = [columns.customer, columns.time, columns.event]
    needed += [c for c in (columns.time_fallback, columns.event_fallback, columns.params_array) if c]
    from cjmap.analysis.measure.sql import SourceShape

    shape = SourceShape(columns)
    for key in spec.columns_used():
        value = shape.value(key)
        from sqlglot import exp

        if not isinstance(value, exp.Subquery):  # GA4 event_params lookups need no column
            needed.append(columns.column_for(key).split(".")[0])
    missing = [name for name in dict.fromkeys(needed) if name not in types]
    if missing:
        found = ", ".join(types) or "none"
        hint = " (map them with --columns, e.g. --columns customer=user_id,time=ts,event=name)"
        raise LogError(f"{path}: no column '{missing[0]}' in the log{hint}; columns found: {found}")
    columns = _with_time_kind(con, path, columns, types)
    return LoadedLog(con, columns)


def _with_time_kind(con: duckdb.DuckDBPyConnection, path: Path, columns: Columns, types: dict[str, str]) -> Columns:
    """Timestamps come as TIMESTAMP columns, as text DuckDB did not recognise, or as numbers."""
    import duckdb

    name = columns.time
    kind = types[name].upper()
    if (
        "TIMESTAMP" in kind
        or kind == "DATE"
        or any(w in kind for w in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "NUMERIC"))
    ):
        con.execute("CREATE VIEW raw_events AS SELECT * FROM file_rows")
    if columns.time_kind != "timestamp":
        if not any(word in kind for word in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "NUMERIC")):
            raise LogError(f"{path}: column '{name}' should hold numbers ({columns.time_kind} since 1970), not {kind}")
        return columns
    if "TIMESTAMP" in kind or kind == "DATE":
        return columns
    if any(word in kind for word in ("INT", "DOUBLE", "FLOAT", "DECIMAL")):
        # Epoch numbers: guess the unit from the magnitude of the first value.
        (sample,) = con.execute(f'SELECT MAX("{_ident(name)}") FROM file_rows').fetchone() or (None,)
        unit = (
            "seconds"
            if sample is None or abs(float(sample)) < 1e11
            else "millis"
            if abs(float(sample)) < 1e14
            else "micros"
        )
        return _replace_kind(columns, unit)
    # Text: find the first value that is not a timestamp, by row number (1 = the first data row).
    quoted = f'"{_ident(name)}"'
    try:
        con.execute("SET preserve_insertion_order = true")  # row numbers in file order
        bad = con.execute(
            f"SELECT n, v FROM (SELECT ROW_NUMBER() OVER () AS n, CAST({quoted} AS VARCHAR) AS v FROM file_rows) "
            f"WHERE v IS NOT NULL AND TRY_CAST(v AS TIMESTAMPTZ) IS NULL ORDER BY n LIMIT 1"
        ).fetchone()
        con.execute("SET preserve_insertion_order = false")
    except duckdb.Error as error:
        raise LogError(f"{path}: cannot read it: {_first_line(error)}") from None
    if bad is not None:
        raise LogError(
            f"{path}: row {bad[0]}: '{_short(str(bad[1]))}' in column '{name}' is not a timestamp "
            "(use ISO 8601, e.g. 2026-03-01T09:30:00Z)"
        )
    con.execute(
        f"CREATE VIEW raw_events AS SELECT * REPLACE (CAST({quoted} AS TIMESTAMPTZ) AS {quoted}) FROM file_rows"
    )
    return columns


def _replace_kind(columns: Columns, kind: Any) -> Columns:
    from dataclasses import replace

    return replace(columns, time_kind=kind)


def _ident(name: str) -> str:
    return name.replace('"', '""')


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def run_aggregate(
    log: LoadedLog, spec: Spec, since: float | None, until: float | None, idle_seconds: float
) -> list[dict[str, Any]]:
    """The aggregate rows (dicts keyed by the aggregate columns) for the log's window."""
    import duckdb
    from sqlglot import exp

    from cjmap.analysis.measure.sql import aggregate_columns, build_query

    tree = build_query(spec, log.columns, exp.to_table("raw_events"), "duckdb", since, until, idle_seconds)
    try:
        result = log.connection.execute(tree.sql(dialect="duckdb")).fetchall()
    except duckdb.Error as error:
        raise LogError(f"cannot measure the log: {_first_line(error)}") from None
    names = aggregate_columns(spec)
    return [dict(zip(names, row, strict=True)) for row in result]
