"""The measurement file (`--write`): what was observed, small enough to commit next to the map,
and read back by `--measured` to compare declared probabilities with observed ones."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cjmap.analysis.measure.analyse import Measurement
from cjmap.analysis.measure.report import iso, to_json
from cjmap.diagnostics import Path as JourneyPath
from cjmap.journey import Edge, Journey

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


@dataclass(frozen=True)
class Measured:
    """A measurement read back (`--measured FILE`): which map, which window, what was observed."""

    file: str  # as the user named it
    map_id: str
    window: tuple[str | None, str | None]
    edges: tuple[ObservedEdge, ...]

    def observed(self, source: str, target: str, persona: str | None) -> ObservedEdge | None:
        """The observed share of one way (this persona's, or the total), None when nobody left
        `source` in the window (no share to speak of)."""
        for edge in self.edges:
            if (edge.source, edge.target, edge.persona) == (source, target, persona):
                return edge if edge.leaving > 0 and edge.observed is not None else None
        return None

    def describe(self) -> str:
        start, end = self.window
        return f"{self.file}, window {start or '?'} – {end or '?'}"


def read_measured(path: Path, name: str | None = None) -> Measured:
    """The measurement a file written by --write holds; MeasuredFileError naming the problem for
    anything else (missing, not JSON, another format, a malformed edge)."""
    shown = name or str(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as error:
        raise MeasuredFileError(f"{shown}: cannot read the file: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MeasuredFileError(f"{shown}: not a cjmap measurement (JSON): {error}") from None
    except RecursionError:
        raise MeasuredFileError(f"{shown}: not a cjmap measurement (nested too deeply)") from None
    if not isinstance(data, dict) or data.get("cjmap_measurement") != FORMAT:
        raise MeasuredFileError(
            f"{shown}: not a cjmap measurement file (write one with cjmap measure MAP --events LOG --write FILE)"
        )
    map_id = data.get("map")
    if not isinstance(map_id, str) or not map_id:
        raise MeasuredFileError(f"{shown}: the measurement names no map ('map' must be the map's id)")
    raw_edges = data.get("edges")
    if not isinstance(raw_edges, list):
        raise MeasuredFileError(f"{shown}: 'edges' must be a list of observed ways")
    edges = tuple(_edge(raw, number, shown) for number, raw in enumerate(raw_edges, start=1))
    window = data.get("window")
    start, end = (window.get("from"), window.get("to")) if isinstance(window, dict) else (None, None)
    return Measured(shown, map_id, (_text_or_none(start), _text_or_none(end)), edges)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _edge(raw: object, number: int, shown: str) -> ObservedEdge:
    try:
        if not isinstance(raw, dict):
            raise TypeError("not a mapping")
        values = [raw[key] for key in ("from", "to", "persona", "count", "leaving", "observed", "low", "high")]
        source, target, persona, count, leaving, observed, low, high = values
        edge = ObservedEdge(
            _id(source),
            _id(target),
            None if persona is None else _id(persona),
            _count(count),
            _count(leaving),
            None if observed is None else _share(observed),
            _share(low),
            _share(high),
        )
    except KeyError as error:
        raise MeasuredFileError(f"{shown}: edge {number} is malformed (no {error})") from None
    except (TypeError, ValueError) as error:
        raise MeasuredFileError(f"{shown}: edge {number} is malformed ({error})") from None
    if edge.count > edge.leaving or edge.low > edge.high:
        raise MeasuredFileError(f"{shown}: edge {number} is malformed (count above leaving, or low above high)")
    return edge


def _id(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"an id must be a text, not {value!r}"[:80])
    return value


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"a count must be a whole number from 0, not {value!r}"[:80])
    return value


def _share(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"a share must be a number from 0 to 1, not {value!r}"[:80])
    return float(value)


def read_measurement(path: Path) -> tuple[str, list[ObservedEdge]]:
    """(map id, observed edges) from a file written by --write; a clear error for anything else."""
    measured = read_measured(path)
    return measured.map_id, list(measured.edges)


@dataclass(frozen=True)
class Drift:
    """A declared probability outside the interval observed for it."""

    source: str
    target: str
    declared: float
    observed: float
    low: float
    high: float
    persona: str | None = None  # None: the total over all customers
    path: JourneyPath = ()  # where the way is written in the map

    def message(self) -> str:
        who = f"{self.persona} customers" if self.persona else "customers"
        return (
            f"'{self.source}' -> '{self.target}' is declared {_pct(self.declared)}"
            f"{f' for {self.persona}' if self.persona else ''}, but {_pct(self.observed)} of {who} took it "
            f"(95% interval {_pct(self.low)}–{_pct(self.high)})"
        )


def _pct(share: float) -> str:
    """Whole percentages, one decimal where whole ones would hide the difference (49.6% vs 50%)."""
    whole = f"{share:.0%}"
    return whole if abs(share * 100 - round(share * 100)) < 0.05 else f"{share:.1%}"


def drifted_probabilities(journey: Journey, observed: Iterable[ObservedEdge]) -> list[Drift]:
    """The rule behind `--measured`: each declared probability of the map that lies outside the
    observed Wilson interval of the same way. A probability for everyone is held against the total
    over all customers; one per persona against that persona's customers."""
    seen = {(e.source, e.target, e.persona): e for e in observed if e.leaving > 0 and e.observed is not None}
    found = []
    for placed in journey.ordered():
        for edge in journey.edges.get(placed.touchpoint.id, []):
            declared: list[tuple[str | None, float]]
            if edge.probabilities is not None:
                declared = sorted(edge.probabilities.items())
            else:
                declared = [] if edge.probability is None else [(None, edge.probability)]
            for persona, probability in declared:
                row = seen.get((edge.source, edge.target, persona))
                if row is None or row.observed is None or row.low <= probability <= row.high:
                    continue
                found.append(
                    Drift(edge.source, edge.target, probability, row.observed, row.low, row.high, persona, edge.path)
                )
    return found


def observed_journey(journey: Journey, measured: Measured) -> Journey:
    """A copy of the journey whose ways out carry the observed shares where the measurement has
    them (the persona's own, else the total over all customers); ways without an observed share
    keep what the map says. A way to a step without `match` is never observed (its count is 0
    whatever customers do), so it keeps what the map says too: without a probability it takes
    what the observed ways leave, e.g. the customers who stopped. The map and its journey are
    left as they are."""
    edges: dict[str, list[Edge]] = {}
    personas = list(journey.personas)
    for source, ways in journey.edges.items():
        changed = []
        for edge in ways:
            if edge.implicit or not _matched(journey, edge.target):  # implicit: the one way on, no choice
                changed.append(edge)
                continue
            total = measured.observed(edge.source, edge.target, None)
            probability = total.observed if total is not None else edge.probability
            per_persona: dict[str, float] | None = None
            if personas:
                per_persona = {}
                for persona in personas:
                    own = measured.observed(edge.source, edge.target, persona) or total
                    share = own.observed if own is not None else edge.probability_for(persona)
                    if share is not None:
                        per_persona[persona] = share
            changed.append(replace(edge, probability=probability, probabilities=per_persona))
        edges[source] = changed
    copy_ = copy.copy(journey)
    copy_.edges = edges
    return copy_


def _matched(journey: Journey, step: str) -> bool:
    """Whether the log can show customers at this touchpoint or outcome (it has a `match`)."""
    if step in journey.touchpoints:
        return journey.touchpoints[step].touchpoint.match is not None
    if step in journey.outcomes:
        return journey.outcomes[step][0].match is not None
    return False
