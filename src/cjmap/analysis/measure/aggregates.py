"""The aggregate rows: from the local engine, or read back from a warehouse's exported result."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cjmap.analysis.measure.engine import LogError
from cjmap.analysis.measure.spec import Spec
from cjmap.analysis.measure.sql import aggregate_columns

_COUNTS = ("events", "customers", "reached", "ended", "recent")


@dataclass(frozen=True, slots=True)
class AggregateRow:
    persona: str | None
    from_step: str | None
    to_step: str | None
    bucket: int | None
    events: int
    customers: int
    reached: int
    ended: int
    recent: int
    first_seen: float | None
    last_seen: float | None
    conversions: tuple[tuple[int, int], ...] = ()  # (base, done) per KPI conversion of the spec


def rows_from_dicts(
    records: Iterable[Mapping[str, Any]], spec: Spec, origin: str = "the aggregates"
) -> list[AggregateRow]:
    """Rows from dicts keyed by the aggregate columns (any case: Snowflake upper-cases them)."""
    names = aggregate_columns(spec)
    rows: list[AggregateRow] = []
    for number, raw in enumerate(records, start=1):
        record = {str(k).lower(): v for k, v in raw.items()}
        missing = [name for name in names if name not in record]
        if missing:
            raise LogError(
                f"{origin}: row {number} has no column '{missing[0]}'; the aggregates must be the result of "
                f"`cjmap measure MAP --emit-sql` for this map (columns: {', '.join(names)})"
            )
        try:
            rows.append(
                AggregateRow(
                    persona=_text(record["persona"]),
                    from_step=_text(record["from_step"]),
                    to_step=_text(record["to_step"]),
                    bucket=_int_or_none(record["bucket"]),
                    **{name: _int(record[name]) for name in _COUNTS},
                    first_seen=_float_or_none(record["first_seen"]),
                    last_seen=_float_or_none(record["last_seen"]),
                    conversions=tuple(
                        (_int(record[f"conv{i}_base"]), _int(record[f"conv{i}_done"]))
                        for i in range(1, len(spec.conversions) + 1)
                    ),
                )
            )
        except (TypeError, ValueError) as error:
            raise LogError(f"{origin}: row {number}: {error}") from None
    return rows


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _int(value: Any) -> int:
    if value is None or value == "":
        return 0
    number = float(value)
    if not number.is_integer() or number < 0:
        raise ValueError(f"'{value}' is not a count")
    return int(number)


def _int_or_none(value: Any) -> int | None:
    return None if value is None or value == "" else _int(value)


def _float_or_none(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a number of seconds since 1970") from None


def read_aggregates(path: Path, spec: Spec) -> list[AggregateRow]:
    """An exported query result: CSV with a header, JSON Lines, or a JSON array (gzip too)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LogError(f"{path}: cannot read the file: {error.strerror}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise LogError(f"{path}: not a readable gzip file ({error})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LogError(f"{path}: not UTF-8 text; export the aggregates as CSV or JSON Lines") from None
    stripped = text.lstrip()
    records: list[Mapping[str, Any]]
    try:
        if stripped.startswith("["):
            loaded = json.loads(text)
            records = [r for r in loaded if isinstance(r, dict)] if isinstance(loaded, list) else []
        elif stripped.startswith("{"):
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            records = list(csv.DictReader(io.StringIO(text)))
    except (json.JSONDecodeError, csv.Error) as error:
        raise LogError(f"{path}: not CSV or JSON Lines: {error}") from None
    return rows_from_dicts(records, spec, str(path))
