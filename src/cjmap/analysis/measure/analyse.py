"""The measurement: the small aggregate held against the map. Pure Python, no engine."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cjmap.analysis.measure.aggregates import AggregateRow
from cjmap.analysis.measure.spec import Spec
from cjmap.analysis.measure.sql import BUCKET_BOUNDS
from cjmap.analysis.measure.stats import histogram_percentile, wilson
from cjmap.journey import Journey


@dataclass(frozen=True)
class EdgeMeasure:
    source: str
    target: str
    persona: str | None  # None: all customers
    count: int  # transitions from source to target
    leaving: int  # everyone who left source: to any step, or stopped there (not those in progress)
    observed: float | None
    declared: float | None
    low: float
    high: float
    median_seconds: float | None
    p90_seconds: float | None

    @property
    def off_declared(self) -> bool:
        return self.declared is not None and self.leaving > 0 and not (self.low <= self.declared <= self.high)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "persona": self.persona,
            "count": self.count,
            "observed": _round(self.observed),
            "declared": self.declared,
            "low": _round(self.low),
            "high": _round(self.high),
            "leaving": self.leaving,
            "outside": self.off_declared,
            "median_seconds": _round(self.median_seconds, 1),
            "p90_seconds": _round(self.p90_seconds, 1),
        }


@dataclass(frozen=True)
class OffMap:
    source: str
    target: str
    count: int
    customers_reaching: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "count": self.count}


@dataclass(frozen=True)
class KpiActual:
    touchpoint: str
    name: str
    source: str
    target_step: str
    base: int
    done: int
    actual: float | None
    target: float | None
    unit: str | None
    better: str

    @property
    def on_target(self) -> bool | None:
        if self.actual is None or self.target is None:
            return None
        return self.actual >= self.target if self.better == "higher" else self.actual <= self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "touchpoint": self.touchpoint,
            "name": self.name,
            "from": self.source,
            "to": self.target_step,
            "customers": self.base,
            "converted": self.done,
            "actual": _round(self.actual),
            "target": self.target,
            "unit": self.unit,
            "on_target": self.on_target,
        }


@dataclass(frozen=True)
class StepCounts:
    reached: int
    stopped: int  # last step, idle past the in-progress limit at the window's end (touchpoints only)
    in_progress: int  # last step, still active near the window's end (touchpoints only)
    finished: int  # outcomes: customers whose journey ended here


@dataclass(frozen=True)
class Measurement:
    map_id: str
    customers: int
    events: int
    unmatched_events: int
    edges: list[EdgeMeasure]
    off_map: list[OffMap]
    untaken: list[tuple[str, str]]
    unreached: list[str]
    unmeasured: list[str]  # steps without a `match`
    outcomes: dict[str, int]
    steps: dict[str | None, dict[str, StepCounts]]  # per persona (None: all), per step id
    customers_by_persona: dict[str, int]
    in_progress: int
    kpis: list[KpiActual]
    window: tuple[float | None, float | None]  # epoch seconds, first and last event measured
    log: dict[str, Any] = field(default_factory=dict)  # file, rows, sha256, format (when read locally)

    @property
    def unmatched_share(self) -> float:
        return self.unmatched_events / self.events if self.events else 0.0


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def measure(journey: Journey, spec: Spec, rows: list[AggregateRow]) -> Measurement:
    step_kind = {step.id: step.kind for step in spec.steps}
    known = set(step_kind)
    groups: list[str | None] = [None, *[p.id for p in spec.personas]]
    transitions: dict[str | None, dict[tuple[str, str], int]] = {g: defaultdict(int) for g in groups}
    histograms: dict[str | None, dict[tuple[str, str], dict[int, int]]] = {
        g: defaultdict(lambda: defaultdict(int)) for g in groups
    }
    reached: dict[str | None, dict[str, int]] = {g: defaultdict(int) for g in groups}
    ended: dict[str | None, dict[str, int]] = {g: defaultdict(int) for g in groups}
    recent: dict[str | None, dict[str, int]] = {g: defaultdict(int) for g in groups}
    customers: dict[str | None, int] = defaultdict(int)
    conversions = [[0, 0] for _ in spec.conversions]
    events = unmatched = 0
    first: float | None = None
    last: float | None = None
    for row in rows:  # a persona the map no longer has still counts in the totals
        events += row.events
        keys: list[str | None] = [None] + ([row.persona] if row.persona in transitions and row.persona else [])
        for key in keys:
            customers[key] += row.customers
        if row.first_seen is not None:
            first = row.first_seen if first is None else min(first, row.first_seen)
        if row.last_seen is not None:
            last = row.last_seen if last is None else max(last, row.last_seen)
        for index, (base, done) in enumerate(row.conversions):
            conversions[index][0] += base
            conversions[index][1] += done
        if row.to_step is None:
            unmatched += row.events
            continue
        for key in keys:
            reached[key][row.to_step] += row.reached
            ended[key][row.to_step] += row.ended
            recent[key][row.to_step] += row.recent
            if row.from_step is not None and row.from_step != row.to_step:
                pair = (row.from_step, row.to_step)
                transitions[key][pair] += row.events
                if row.bucket is not None:
                    histograms[key][pair][row.bucket] += row.events

    declared_edges: list[tuple[str, str, float | None]] = []
    declared_pairs: set[tuple[str, str]] = set()
    for placed in journey.ordered():
        source = placed.touchpoint.id
        if source not in known:
            continue
        for edge in journey.edges.get(source, []):
            if edge.target in known and (source, edge.target) not in declared_pairs:
                declared_pairs.add((source, edge.target))
                declared_edges.append((source, edge.target, edge.probability))

    steps: dict[str | None, dict[str, StepCounts]] = {}
    for group in groups:
        counts = {}
        for step_id, kind in step_kind.items():
            end, fresh = ended[group][step_id], recent[group][step_id]
            if kind == "outcome":
                counts[step_id] = StepCounts(reached[group][step_id], 0, 0, end)
            else:
                counts[step_id] = StepCounts(reached[group][step_id], end - fresh, fresh, 0)
        steps[group] = counts

    edges: list[EdgeMeasure] = []
    for group in groups:
        leaving: dict[str, int] = defaultdict(int)
        for (source, _target), count in transitions[group].items():
            leaving[source] += count
        for step_id, step_counts in steps[group].items():
            leaving[step_id] += step_counts.stopped
        for source, target, declared in declared_edges:
            count = transitions[group].get((source, target), 0)
            total = leaving[source]
            low, high = wilson(count, total)
            hist = histograms[group].get((source, target), {})
            edges.append(
                EdgeMeasure(
                    source,
                    target,
                    group,
                    count,
                    total,
                    count / total if total else None,
                    declared,
                    low,
                    high,
                    histogram_percentile(hist, BUCKET_BOUNDS, 0.5),
                    histogram_percentile(hist, BUCKET_BOUNDS, 0.9),
                )
            )

    off_map = sorted(
        (OffMap(s, t, n) for (s, t), n in transitions[None].items() if (s, t) not in declared_pairs and n > 0),
        key=lambda o: (-o.count, o.source, o.target),
    )
    untaken = [(s, t) for s, t, _p in declared_edges if transitions[None].get((s, t), 0) == 0]
    unreached = [step.id for step in spec.steps if reached[None][step.id] == 0]
    outcomes = {step.id: reached[None][step.id] for step in spec.steps if step.kind == "outcome"}
    kpis = _kpis(journey, spec, conversions)
    return Measurement(
        map_id=spec.map_id,
        customers=customers[None],
        events=events,
        unmatched_events=unmatched,
        edges=edges,
        off_map=off_map,
        untaken=untaken,
        unreached=unreached,
        unmeasured=list(spec.unmatched_steps),
        outcomes=outcomes,
        steps=steps,
        customers_by_persona={p.id: customers[p.id] for p in spec.personas},
        in_progress=sum(c.in_progress for c in steps[None].values()),
        kpis=kpis,
        window=(first, last),
    )


def _kpis(journey: Journey, spec: Spec, conversions: list[list[int]]) -> list[KpiActual]:
    index = {pair: i for i, pair in enumerate(spec.conversions)}
    found = []
    for placed in journey.ordered():
        for kpi in placed.touchpoint.kpis:
            if kpi.conversion is None:
                continue
            base, done = conversions[index[(kpi.conversion.from_, kpi.conversion.to)]]
            share = done / base if base else None
            scale = 100.0 if (kpi.unit or "").strip() == "%" else 1.0
            found.append(
                KpiActual(
                    placed.touchpoint.id,
                    kpi.name,
                    kpi.conversion.from_,
                    kpi.conversion.to,
                    base,
                    done,
                    None if share is None else share * scale,
                    kpi.target,
                    kpi.unit,
                    kpi.better,
                )
            )
    return found
