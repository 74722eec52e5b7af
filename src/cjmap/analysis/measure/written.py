"""The measurement file (`--write`): what was observed, small enough to commit next to the map,
and read back by `--measured` to compare declared probabilities with observed ones."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cjmap.analysis.measure.analyse import Measurement
from cjmap.analysis.measure.report import iso, to_json
from cjmap.journey import Journey

FORMAT = 1


class MeasuredFileError(ValueError):
    pass


def measurement_document(m: Measurement) -> dict[str, Any]:
    full = to_json(m)
    return {
        "cjmap_measurement": FORMAT,
        "map": m.map_id,
        "window": {"from": iso(m.window[0]), "to": iso(m.window[1])},
        "log": m.log,
        "customers": m.customers,
        "events": m.events,
        "unmatched_events": m.unmatched_events,
        "edges": [
            {k: e[k] for k in ("from", "to", "persona", "count", "leaving", "observed", "low", "high", "declared")}
            for e in full["edges"]
        ],
        "off_map": full["off_map"],
        "outcomes": m.outcomes,
        "kpis": full["kpis"],
    }


def write_measurement(m: Measurement, target: Path, inputs: set[Path]) -> None:
    """Atomically (a temporary file renamed into place) and never over one of the inputs."""
    resolved = target.resolve()
    if resolved in {p.resolve() for p in inputs}:
        raise MeasuredFileError(f"--write {target} would overwrite an input; choose another file")
    text = json.dumps(measurement_document(m), indent=2, ensure_ascii=False) + "\n"
    folder = resolved.parent
    if not folder.is_dir():
        raise MeasuredFileError(f"--write {target}: the folder {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=".cjmap-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temporary).replace(resolved)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class ObservedEdge:
    source: str
    target: str
    persona: str | None
    count: int
    leaving: int
    observed: float | None
    low: float
    high: float


def read_measurement(path: Path) -> tuple[str, list[ObservedEdge]]:
    """(map id, observed edges) from a file written by --write; a clear error for anything else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MeasuredFileError(f"{path}: cannot read the file: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MeasuredFileError(f"{path}: not a cjmap measurement (JSON): {error}") from None
    if not isinstance(data, dict) or data.get("cjmap_measurement") != FORMAT:
        raise MeasuredFileError(f"{path}: not a cjmap measurement file (write one with cjmap measure --write)")
    edges = []
    for number, raw in enumerate(data.get("edges") or [], start=1):
        try:
            edges.append(
                ObservedEdge(
                    str(raw["from"]),
                    str(raw["to"]),
                    None if raw["persona"] is None else str(raw["persona"]),
                    int(raw["count"]),
                    int(raw["leaving"]),
                    None if raw["observed"] is None else float(raw["observed"]),
                    float(raw["low"]),
                    float(raw["high"]),
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise MeasuredFileError(f"{path}: edge {number} is malformed ({error})") from None
    return str(data.get("map")), edges


@dataclass(frozen=True)
class Drift:
    """A declared probability outside the interval observed for it."""

    source: str
    target: str
    declared: float
    observed: float
    low: float
    high: float

    def message(self) -> str:
        return (
            f"'{self.source}' -> '{self.target}' is declared {self.declared:.0%}, but {self.observed:.0%} of "
            f"customers took it (95% interval {self.low:.0%}–{self.high:.0%})"
        )


def drifted_probabilities(journey: Journey, observed: list[ObservedEdge]) -> list[Drift]:
    """The rule behind `--measured`: each declared probability of the map (totals, not per persona)
    that lies outside the observed Wilson interval of the same edge."""
    totals = {(e.source, e.target): e for e in observed if e.persona is None and e.leaving > 0}
    found = []
    for placed in journey.ordered():
        for edge in journey.edges.get(placed.touchpoint.id, []):
            seen = totals.get((edge.source, edge.target))
            if edge.probability is None or seen is None or seen.observed is None:
                continue
            if not seen.low <= edge.probability <= seen.high:
                found.append(Drift(edge.source, edge.target, edge.probability, seen.observed, seen.low, seen.high))
    return found
