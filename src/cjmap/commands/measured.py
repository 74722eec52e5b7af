"""`--measured FILE` for validate and forecast: the measurement read once, matched to its map."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cjmap.analysis.measure.written import Measured, MeasuredFileError, read_measured
from cjmap.api import Checked, Session, UsageError


def load(session: Session, file: str) -> tuple[Session, Measured]:
    """The measurement, and a session whose rules see it. A missing or malformed file is a usage
    error naming the problem."""
    try:
        measured = read_measured(Path(file), file)
    except MeasuredFileError as problem:
        raise UsageError(str(problem)) from None
    return replace(session, settings=replace(session.settings, measured=measured)), measured


def require_its_map(checked: Checked, measured: Measured) -> None:
    """A measurement of another map is a usage error (maps whose model could not be built are
    not counted: their findings say why)."""
    ids = sorted({r.journey_map.id for r in checked.results if r.journey_map is not None})
    if ids and measured.map_id not in ids:
        shown = ", ".join(f"'{i}'" for i in ids)
        raise UsageError(
            f"--measured {measured.file} measures the map '{measured.map_id}', not {shown}: "
            f"measure this map with cjmap measure MAP --events LOG --write FILE"
        )
