"""What changed between two checked journey maps, as data: `diff_maps(old, new) -> MapDiff`.

Everything with an id (stages, touchpoints, personas, outcomes, channels, decision branches by
their target) is matched by id, so two maps with different map ids but shared touchpoint ids (an
as-is and a to-be map) diff like two revisions of one map. Pain points, opportunities and KPIs
have no ids: they are paired by text similarity (see `diff_match`), first among the items of the
same touchpoint, then among the leftovers of the same stage (an item that moved to a touchpoint
with a new id, say). Every item carries the stage it is shown under: its stage in the new map,
or in the old map when it is gone.

Pure: no I/O, and the same two maps always give the same diff.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from cjmap.analysis import diff_match
from cjmap.journey import Journey
from cjmap.model import Decision, JourneyMap, Kpi, Opportunity, PainPoint, Touchpoint

if TYPE_CHECKING:
    from cjmap.analysis.diff_forecast import ForecastDelta

SEVERITIES = ("low", "medium", "high", "critical")
Json = dict[str, Any]


def _num(value: float | Fraction | None) -> float | int | None:
    """Whole numbers as ints (1, not 1.0); others rounded to 4 places for a stable JSON form."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None  # JSON has no inf or nan; YAML's .inf and .nan show as null
    return int(number) if number.is_integer() else round(number, 4)


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return _num(value)
    return value


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def to_json(self) -> Json:
        return {"field": self.field, "old": _plain(self.old), "new": _plain(self.new)}


@dataclass(frozen=True)
class EntityChange:
    """A persona, outcome, stage, channel or touchpoint whose own fields changed."""

    id: str
    changes: tuple[FieldChange, ...]
    stage: str | None = None  # for touchpoints: the stage it is shown under

    def to_json(self) -> Json:
        return {"id": self.id, "changes": [c.to_json() for c in self.changes]}


@dataclass(frozen=True)
class Entities:
    """Added, removed and changed things with ids (personas, outcomes, declared channels)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[EntityChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_json(self) -> Json:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [c.to_json() for c in self.changed],
        }


@dataclass(frozen=True)
class StageInfo:
    """A stage as the reports show it: in new-map order, then the removed ones in old order."""

    id: str
    name: str
    status: Literal["kept", "added", "removed"]


@dataclass(frozen=True)
class StageChanges:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[EntityChange, ...] = ()  # name, goal
    reordered: tuple[str, ...] = ()  # kept stages that changed place relative to the others

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.reordered)

    def to_json(self) -> Json:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [c.to_json() for c in self.changed],
            "reordered": list(self.reordered),
        }


@dataclass(frozen=True)
class TouchpointRef:
    id: str
    stage: str
    name: str


@dataclass(frozen=True)
class TouchpointMove:
    id: str
    from_stage: str
    to_stage: str

    def to_json(self) -> Json:
        return {"id": self.id, "from_stage": self.from_stage, "to_stage": self.to_stage}


@dataclass(frozen=True)
class TouchpointChanges:
    added: tuple[TouchpointRef, ...] = ()
    removed: tuple[TouchpointRef, ...] = ()
    moved: tuple[TouchpointMove, ...] = ()
    reordered: tuple[TouchpointRef, ...] = ()  # kept in their stage, but changed place in it
    changed: tuple[EntityChange, ...] = ()  # name (renamed), channel, action, next, ...

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.moved or self.reordered or self.changed)

    def to_json(self) -> Json:
        return {
            "added": [t.id for t in self.added],
            "removed": [t.id for t in self.removed],
            "moved": [m.to_json() for m in self.moved],
            "reordered": [t.id for t in self.reordered],
            "changed": [c.to_json() for c in self.changed],
        }


@dataclass(frozen=True)
class EmotionChange:
    touchpoint: str
    stage: str
    persona: str | None  # None: one value shared by every persona on both sides
    old: float | None
    new: float | None

    def to_json(self) -> Json:
        return {"touchpoint": self.touchpoint, "persona": self.persona, "old": _num(self.old), "new": _num(self.new)}


@dataclass(frozen=True)
class StageEmotion:
    """A stage's average emotion: the mean over its touchpoints of each one's (persona-averaged) value."""

    stage: str
    old: Fraction | None
    new: Fraction | None

    def to_json(self) -> Json:
        return {"stage": self.stage, "old": _num(self.old), "new": _num(self.new)}


@dataclass(frozen=True)
class PainPointRef:
    touchpoint: str
    stage: str
    text: str
    severity: str

    def to_json(self) -> Json:
        return {"touchpoint": self.touchpoint, "text": self.text, "severity": self.severity}


@dataclass(frozen=True)
class PainPointChange:
    """A pain point found on both sides whose text or severity changed (or that moved)."""

    touchpoint: str
    stage: str
    old_touchpoint: str
    old_text: str
    text: str
    old_severity: str
    severity: str
    similarity: float

    def to_json(self) -> Json:
        return {
            "touchpoint": self.touchpoint,
            "old_touchpoint": self.old_touchpoint,
            "old_text": self.old_text,
            "text": self.text,
            "old_severity": self.old_severity,
            "severity": self.severity,
            "similarity": round(self.similarity, 3),
        }


@dataclass(frozen=True)
class PainPoints:
    resolved: tuple[PainPointRef, ...] = ()
    added: tuple[PainPointRef, ...] = ()
    changed: tuple[PainPointChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.resolved or self.added or self.changed)

    def to_json(self) -> Json:
        return {
            "resolved": [p.to_json() for p in self.resolved],
            "added": [p.to_json() for p in self.added],
            "changed": [p.to_json() for p in self.changed],
        }


@dataclass(frozen=True)
class OpportunityRef:
    touchpoint: str
    stage: str
    text: str
    impact: str
    effort: str

    def to_json(self) -> Json:
        return {"touchpoint": self.touchpoint, "text": self.text, "impact": self.impact, "effort": self.effort}


@dataclass(frozen=True)
class OpportunityChange:
    touchpoint: str
    stage: str
    old_touchpoint: str
    text: str
    changes: tuple[FieldChange, ...]  # text, impact, effort, owner

    def to_json(self) -> Json:
        return {
            "touchpoint": self.touchpoint,
            "old_touchpoint": self.old_touchpoint,
            "text": self.text,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass(frozen=True)
class Opportunities:
    added: tuple[OpportunityRef, ...] = ()
    dropped: tuple[OpportunityRef, ...] = ()
    changed: tuple[OpportunityChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.dropped or self.changed)

    def to_json(self) -> Json:
        return {
            "added": [o.to_json() for o in self.added],
            "dropped": [o.to_json() for o in self.dropped],
            "changed": [o.to_json() for o in self.changed],
        }


GapTrend = Literal["closed", "narrowed", "widened", "opened", "same"]


@dataclass(frozen=True)
class KpiChange:
    touchpoint: str
    stage: str
    old_touchpoint: str  # differs from touchpoint when the KPI moved to another touchpoint
    name: str
    status: Literal["added", "removed", "changed"]
    unit: str | None
    better: str
    old_name: str | None
    old_target: float | None
    new_target: float | None
    old_actual: float | None
    new_actual: float | None
    old_gap: float | None  # how far actual falls short of target (0 when met); None if unknown
    new_gap: float | None
    gap: GapTrend | None  # None when either gap is unknown

    @property
    def gap_closed(self) -> bool | None:
        if self.gap is None:
            return None
        return self.gap == "closed"

    def to_json(self) -> Json:
        return {
            "touchpoint": self.touchpoint,
            "old_touchpoint": self.old_touchpoint,
            "name": self.name,
            "status": self.status,
            "old_name": self.old_name,
            "unit": self.unit,
            "better": self.better,
            "target": {"old": _num(self.old_target), "new": _num(self.new_target)},
            "actual": {"old": _num(self.old_actual), "new": _num(self.new_actual)},
            "gap": {"old": _num(self.old_gap), "new": _num(self.new_gap), "trend": self.gap},
            "gap_closed": self.gap_closed,
        }


@dataclass(frozen=True)
class ChannelChange:
    touchpoint: str
    stage: str
    old: str | None
    new: str | None

    def to_json(self) -> Json:
        return {"touchpoint": self.touchpoint, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class BranchChange:
    to: str
    status: Literal["added", "removed", "changed"]
    old_when: str | None
    new_when: str | None
    old_probability: float | None
    new_probability: float | None

    def to_json(self) -> Json:
        return {
            "to": self.to,
            "status": self.status,
            "when": {"old": self.old_when, "new": self.new_when},
            "probability": {"old": _num(self.old_probability), "new": _num(self.new_probability)},
        }


@dataclass(frozen=True)
class DecisionChange:
    touchpoint: str
    stage: str
    status: Literal["added", "removed", "changed"]
    old_question: str | None
    new_question: str | None
    branches: tuple[BranchChange, ...]

    def to_json(self) -> Json:
        return {
            "touchpoint": self.touchpoint,
            "status": self.status,
            "question": {"old": self.old_question, "new": self.new_question},
            "branches": [b.to_json() for b in self.branches],
        }


@dataclass(frozen=True)
class MapDiff:
    old: str  # map ids
    new: str
    old_title: str
    new_title: str
    map: tuple[FieldChange, ...]  # title, goal, state, review, owner, ...
    stage_list: tuple[StageInfo, ...]  # every stage of either side, in the order reports show them
    persona_names: tuple[tuple[str, str], ...]  # (id, name) of every persona of either side
    stages: StageChanges
    personas: Entities
    outcomes: Entities
    channel_catalogue: Entities  # channels the maps declare
    experiments: Entities
    touchpoints: TouchpointChanges
    emotion: tuple[EmotionChange, ...]
    stage_emotion: tuple[StageEmotion, ...]
    pain_points: PainPoints
    opportunities: Opportunities
    kpis: tuple[KpiChange, ...]
    channels: tuple[ChannelChange, ...]  # touchpoints that changed channel
    decisions: tuple[DecisionChange, ...]
    # The forecast delta per persona and outcome (`diff_forecast`), passed in by the command:
    # None when neither map declares an outcome; it says why when a map cannot be forecast.
    forecast: ForecastDelta | None = field(default=None)

    @property
    def empty(self) -> bool:
        return not (
            self.map
            or self.stages
            or self.personas
            or self.outcomes
            or self.channel_catalogue
            or self.experiments
            or self.touchpoints
            or self.emotion
            or self.stage_emotion
            or self.pain_points
            or self.opportunities
            or self.kpis
            or self.channels
            or self.decisions
            or self.forecast
        )

    def persona_name(self, persona: str) -> str:
        return dict(self.persona_names).get(persona, persona)

    def stage_name(self, stage: str) -> str:
        return next((s.name for s in self.stage_list if s.id == stage), stage)

    def to_json(self) -> Json:
        return {
            "old": self.old,
            "new": self.new,
            "changed": not self.empty,
            "map": [c.to_json() for c in self.map],
            "stages": self.stages.to_json(),
            "personas": self.personas.to_json(),
            "outcomes": self.outcomes.to_json(),
            "channel_catalogue": self.channel_catalogue.to_json(),
            "experiments": self.experiments.to_json(),
            "touchpoints": self.touchpoints.to_json(),
            "emotion": [e.to_json() for e in self.emotion],
            "stage_emotion": [s.to_json() for s in self.stage_emotion],
            "pain_points": self.pain_points.to_json(),
            "opportunities": self.opportunities.to_json(),
            "kpis": [k.to_json() for k in self.kpis],
            "channels": [c.to_json() for c in self.channels],
            "decisions": [d.to_json() for d in self.decisions],
            "forecast": None if self.forecast is None else self.forecast.to_json(),
        }


# ---------------------------------------------------------------------------------------------


def diff_maps(old: Journey, new: Journey, forecast: ForecastDelta | None = None) -> MapDiff:
    """Every change from `old` to `new`, both checked maps (validated, no errors); `forecast`
    is their forecast delta (`diff_forecast.forecast_delta`), when the caller wants it."""
    where = _Where(old, new)
    touchpoints, kept = _touchpoints(old, new, where)
    # A kept touchpoint whose model is equal on both sides has the same emotion, channel,
    # decision and items (which would all pair with themselves, unchanged): only the others are
    # compared further, most of a revision's touchpoints being untouched.
    edited = [tp_id for tp_id in kept if tp_id not in where.equal]
    pains, opportunities, kpis = _items(old, new, where)
    return MapDiff(
        old=old.map.id,
        new=new.map.id,
        old_title=old.map.title,
        new_title=new.map.title,
        map=_map_fields(old.map, new.map),
        stage_list=where.stage_list(),
        persona_names=_persona_names(old, new),
        stages=_stages(old, new),
        personas=_entities(
            {p.id: p for p, _ in old.personas.values()},
            {p.id: p for p, _ in new.personas.values()},
            (
                "name",
                "segment",
                "age",
                "region",
                "interests",
                "goals",
                "needs",
                "frustrations",
                "expectations",
                "data",
                "description",
            ),
        ),
        outcomes=_entities(
            {o.id: o for o, _ in old.outcomes.values()},
            {o.id: o for o, _ in new.outcomes.values()},
            ("name", "kind", "description"),
        ),
        channel_catalogue=_entities(
            {c.id: c for c in old.map.channels},
            {c.id: c for c in new.map.channels},
            ("name", "digital", "requires"),
        ),
        experiments=_entities(
            {e.id: e for e in old.map.experiments},
            {e.id: e for e in new.map.experiments},
            ("hypothesis", "touchpoints", "metric", "status", "result"),
        ),
        touchpoints=touchpoints,
        emotion=tuple(e for tp_id in edited for e in _emotions(old, new, tp_id, where.stage_of(tp_id))),
        stage_emotion=_stage_emotions(old, new, where),
        pain_points=pains,
        opportunities=opportunities,
        kpis=kpis,
        channels=tuple(
            ChannelChange(tp_id, where.stage_of(tp_id), a.channel, b.channel)
            for tp_id in edited
            if (a := old.touchpoints[tp_id].touchpoint).channel != (b := new.touchpoints[tp_id].touchpoint).channel
        ),
        decisions=tuple(
            d
            for tp_id in edited
            if (
                d := _decision(
                    tp_id, where.stage_of(tp_id), old.touchpoints[tp_id].touchpoint, new.touchpoints[tp_id].touchpoint
                )
            )
            is not None
        ),
        forecast=forecast,
    )


class _Where:
    """Which stage each touchpoint is shown under, and the stage list of the reports."""

    def __init__(self, old: Journey, new: Journey) -> None:
        self.old, self.new = old, new
        self.old_stage = {tp_id: old.map.stages[p.stage_index].id for tp_id, p in old.touchpoints.items()}
        self.new_stage = {tp_id: new.map.stages[p.stage_index].id for tp_id, p in new.touchpoints.items()}
        # Kept touchpoints whose models are equal: most of a revision's, and nothing more is asked
        # of them (equal models differ in no field). One comparison each.
        self.equal = {
            tp_id
            for tp_id, p in new.touchpoints.items()
            if (q := old.touchpoints.get(tp_id)) is not None and q.touchpoint == p.touchpoint
        }

    def stage_of(self, tp_id: str) -> str:
        return self.new_stage.get(tp_id) or self.old_stage[tp_id]

    def stage_list(self) -> tuple[StageInfo, ...]:
        listed = [
            StageInfo(s.id, s.label, "kept" if s.id in self.old.stages else "added")
            for s, _ in self.new.stages.values()
        ]
        listed += [
            StageInfo(s.id, s.label, "removed") for s, _ in self.old.stages.values() if s.id not in self.new.stages
        ]
        return tuple(listed)


def _same(a: Any, b: Any) -> bool:
    """Equality in which nan equals nan (YAML's .nan would otherwise differ from itself)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _changes(old: Any, new: Any, fields: Sequence[str]) -> tuple[FieldChange, ...]:
    if old is new:
        return ()
    found = []
    for name in fields:
        a, b = getattr(old, name), getattr(new, name)
        if a is b or a == b:
            continue  # the usual case, asked first; `_same` agrees wherever == does
        if isinstance(a, list):
            a = tuple(a)
        if isinstance(b, list):
            b = tuple(b)
        if not _same(a, b):
            found.append(FieldChange(name, a, b))
    return tuple(found)


def _map_fields(old: JourneyMap, new: JourneyMap) -> tuple[FieldChange, ...]:
    changes = list(_changes(old, new, ("title",)))
    if old.goal_text != new.goal_text:  # a plain text, or the text of a structured goal
        changes.append(FieldChange("goal", old.goal_text, new.goal_text))
    for part in ("outcome", "target"):
        before, after = (getattr(m.goal, part, None) for m in (old, new))
        if before != after:
            changes.append(FieldChange(f"goal.{part}", before, after))
    changes += _changes(old, new, ("description", "state", "owner", "stakeholders", "locale", "flow"))
    if tuple(old.emotion_scale) != tuple(new.emotion_scale):
        changes.append(FieldChange("emotion_scale", tuple(old.emotion_scale), tuple(new.emotion_scale)))
    old_last = old.review.last.isoformat() if old.review else None
    new_last = new.review.last.isoformat() if new.review else None
    if old_last != new_last:
        changes.append(FieldChange("review.last", old_last, new_last))
    old_every = old.review.every if old.review else None
    new_every = new.review.every if new.review else None
    if old_every != new_every:
        changes.append(FieldChange("review.every", old_every, new_every))
    return tuple(changes)


def _persona_names(old: Journey, new: Journey) -> tuple[tuple[str, str], ...]:
    names = {pid: p.name for pid, (p, _) in old.personas.items()}
    names.update({pid: p.name for pid, (p, _) in new.personas.items()})
    return tuple(sorted(names.items()))


E = TypeVar("E")


def _entities(old: dict[str, E], new: dict[str, E], fields: Sequence[str]) -> Entities:
    return Entities(
        added=tuple(i for i in new if i not in old),
        removed=tuple(i for i in old if i not in new),
        changed=tuple(
            EntityChange(i, changes) for i in new if i in old and (changes := _changes(old[i], new[i], fields))
        ),
    )


def _moved_out_of_order(old_order: Sequence[str], new_order: Sequence[str]) -> set[str]:
    """The fewest items that changed place: those outside a longest common subsequence of two
    orders of the same items (patience sorting over old positions, O(n log n))."""
    from bisect import bisect_left

    position = {item: i for i, item in enumerate(old_order)}
    sequence = [position[item] for item in new_order]
    tails: list[int] = []  # smallest tail value of an increasing run of each length
    tail_index: list[int] = []
    parent = [-1] * len(sequence)
    for k, value in enumerate(sequence):
        at = bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            tail_index.append(k)
        else:
            tails[at] = value
            tail_index[at] = k
        parent[k] = tail_index[at - 1] if at else -1
    keep: set[str] = set()
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        keep.add(new_order[k])
        k = parent[k]
    return {item for item in new_order if item not in keep}


def _stages(old: Journey, new: Journey) -> StageChanges:
    old_ids = [s.id for s, _ in old.stages.values()]
    new_ids = [s.id for s, _ in new.stages.values()]
    kept_old = [i for i in old_ids if i in new.stages]
    kept_new = [i for i in new_ids if i in old.stages]
    out_of_order = _moved_out_of_order(kept_old, kept_new)
    return StageChanges(
        added=tuple(i for i in new_ids if i not in old.stages),
        removed=tuple(i for i in old_ids if i not in new.stages),
        changed=tuple(
            EntityChange(i, changes)
            for i in new_ids
            if i in old.stages and (changes := _changes(old.stages[i][0], new.stages[i][0], ("name", "goal")))
        ),
        reordered=tuple(i for i in kept_new if i in out_of_order),
    )


TOUCHPOINT_FIELDS = ("name", "action", "backstage", "need", "thoughts", "personas", "data", "collects", "entry")


def _touchpoint_fields(old: Touchpoint, new: Touchpoint) -> tuple[FieldChange, ...]:
    changes = list(_changes(old, new, TOUCHPOINT_FIELDS))
    if old.next_targets != new.next_targets or (old.next is None) != (new.next is None):
        # where `next` leads (the ids; a share per next step shows in the forecast delta)
        before = tuple(old.next_targets) if old.next is not None else None
        after = tuple(new.next_targets) if new.next is not None else None
        changes.insert(TOUCHPOINT_FIELDS.index("entry"), FieldChange("next", before, after))
    old_content = tuple(c.text for c in old.content)
    new_content = tuple(c.text for c in new.content)
    if old_content != new_content:
        changes.append(FieldChange("content", old_content, new_content))
    return tuple(changes)


def _touchpoints(old: Journey, new: Journey, where: _Where) -> tuple[TouchpointChanges, list[str]]:
    def ref(journey: Journey, tp_id: str, stage: str) -> TouchpointRef:
        return TouchpointRef(tp_id, stage, journey.touchpoints[tp_id].touchpoint.label)

    kept = [tp_id for tp_id in new.touchpoints if tp_id in old.touchpoints]
    moved = [
        TouchpointMove(tp_id, where.old_stage[tp_id], where.new_stage[tp_id])
        for tp_id in kept
        if where.old_stage[tp_id] != where.new_stage[tp_id]
    ]
    staying_new_by_stage: dict[str, list[str]] = {}
    for t in kept:
        if where.new_stage[t] == where.old_stage[t]:
            staying_new_by_stage.setdefault(where.new_stage[t], []).append(t)
    staying_old_by_stage: dict[str, list[str]] = {}
    for t in old.touchpoints:
        if t in new.touchpoints and where.new_stage[t] == where.old_stage[t]:
            staying_old_by_stage.setdefault(where.old_stage[t], []).append(t)
    reordered: list[TouchpointRef] = []
    for stage, _ in new.stages.values():
        staying_new = staying_new_by_stage.get(stage.id, [])
        staying_old = staying_old_by_stage.get(stage.id, [])
        out_of_order = _moved_out_of_order(staying_old, staying_new)
        reordered += [ref(new, t, stage.id) for t in staying_new if t in out_of_order]
    changes = TouchpointChanges(
        added=tuple(ref(new, t, where.new_stage[t]) for t in new.touchpoints if t not in old.touchpoints),
        removed=tuple(ref(old, t, where.old_stage[t]) for t in old.touchpoints if t not in new.touchpoints),
        moved=tuple(moved),
        reordered=tuple(reordered),
        changed=tuple(
            EntityChange(t, fields, where.new_stage[t])
            for t in kept
            if t not in where.equal
            and (fields := _touchpoint_fields(old.touchpoints[t].touchpoint, new.touchpoints[t].touchpoint))
        ),
    )
    return changes, kept


def _emotions(old: Journey, new: Journey, tp_id: str, stage: str) -> list[EmotionChange]:
    a, b = old.touchpoints[tp_id].touchpoint, new.touchpoints[tp_id].touchpoint
    if _same(a.emotion, b.emotion):
        return []
    if not isinstance(a.emotion, dict) and not isinstance(b.emotion, dict):
        return [EmotionChange(tp_id, stage, None, a.emotion, b.emotion)]
    # Per persona on at least one side: compare what each persona feels, a shared value
    # standing for every persona of its side's touchpoint.
    personas = list(dict.fromkeys([*_emotion_personas(new, b), *_emotion_personas(old, a)]))
    found = []
    for persona in personas:
        before, after = _felt(old, a, persona), _felt(new, b, persona)
        if not _same(before, after):
            found.append(EmotionChange(tp_id, stage, persona, before, after))
    return found


def _emotion_personas(journey: Journey, touchpoint: Touchpoint) -> list[str]:
    if isinstance(touchpoint.emotion, dict):
        return list(touchpoint.emotion)
    return journey.personas_of(touchpoint) if touchpoint.emotion is not None else []


def _felt(journey: Journey, touchpoint: Touchpoint, persona: str) -> float | None:
    if isinstance(touchpoint.emotion, dict):
        return touchpoint.emotion.get(persona)
    return touchpoint.emotion if persona in journey.personas_of(touchpoint) else None


def _average(touchpoints: Sequence[Touchpoint]) -> Fraction | None:
    """Exact, so that equal averages compare equal whatever the order of the sums."""
    felt = [values for t in touchpoints if (values := [v for _, v in t.emotions() if math.isfinite(v)])]
    if not felt:
        return None
    if all(float(v).is_integer() for values in felt for v in values):
        # Whole numbers (the usual case): one common denominator, integer sums, one Fraction.
        common = math.lcm(*{len(values) for values in felt})
        total = sum(int(sum(values)) * (common // len(values)) for values in felt)
        return Fraction(total, common * len(felt))
    means = [sum((Fraction(v) for v in values), Fraction(0)) / len(values) for values in felt]
    return sum(means, Fraction(0)) / len(means)


def _stage_emotions(old: Journey, new: Journey, where: _Where) -> tuple[StageEmotion, ...]:
    found = []
    for info in where.stage_list():
        if info.id in old.stages and info.id in new.stages:
            a, b = old.stages[info.id][0].touchpoints, new.stages[info.id][0].touchpoints
            if [t.id for t in a] == [t.id for t in b] and where.equal.issuperset(t.id for t in b):
                continue  # the same touchpoints, each equal: the same average
        before = _average(old.stages[info.id][0].touchpoints) if info.id in old.stages else None
        after = _average(new.stages[info.id][0].touchpoints) if info.id in new.stages else None
        if before != after:
            found.append(StageEmotion(info.id, before, after))
    return tuple(found)


# --- items without ids ------------------------------------------------------------------------

It = TypeVar("It", PainPoint, Opportunity, Kpi)


@dataclass(slots=True)  # not frozen: a large map makes one per item, and frozen ones cost 3x to make
class _Placed(Generic[It]):
    touchpoint: str
    stage: str
    item: It


@dataclass(frozen=True)
class _Matched(Generic[It]):
    pairs: list[tuple[_Placed[It], _Placed[It], float]]
    gone: list[_Placed[It]]
    new: list[_Placed[It]]


def _placed(
    journey: Journey, stage_of: dict[str, str], items: Callable[[Touchpoint], Sequence[It]], skip: set[str]
) -> list[_Placed[It]]:
    """The items of every touchpoint not in `skip`, in journey order."""
    return [
        _Placed(tp_id, stage_of[tp_id], item)
        for tp_id, placed in journey.touchpoints.items()
        if tp_id not in skip
        for item in items(placed.touchpoint)
    ]


def _match(old: list[_Placed[It]], new: list[_Placed[It]], text: Callable[[It], str]) -> _Matched[It]:
    # Unchanged items (same touchpoint, same text) first, by a dictionary: the usual case costs
    # no similarity at all. The passes below only see what is left.
    by_key: dict[tuple[str, str], list[int]] = {}
    for j in range(len(new) - 1, -1, -1):
        by_key.setdefault((new[j].touchpoint, text(new[j].item)), []).append(j)
    pairs: list[tuple[int, int, float]] = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for i, placed in enumerate(old):
        same = by_key.get((placed.touchpoint, text(placed.item)))
        if same:
            j = same.pop()  # the earliest left, as the list is reversed
            pairs.append((i, j, 1.0))
            taken_old.add(i)
            taken_new.add(j)

    def item_text(placed: _Placed[It]) -> str:
        return text(placed.item)

    pairs += diff_match.pair(old, new, item_text, lambda p: p.touchpoint, taken_old, taken_new)
    pairs += diff_match.pair(old, new, item_text, lambda p: p.stage, taken_old, taken_new)
    pairs.sort()
    return _Matched(
        [(old[i], new[j], ratio) for i, j, ratio in pairs],
        [p for i, p in enumerate(old) if i not in taken_old],
        [p for j, p in enumerate(new) if j not in taken_new],
    )


def _items(old: Journey, new: Journey, where: _Where) -> tuple[PainPoints, Opportunities, tuple[KpiChange, ...]]:
    def pains(t: Touchpoint) -> Sequence[PainPoint]:
        return t.pain_points

    def ideas(t: Touchpoint) -> Sequence[Opportunity]:
        return t.opportunities

    def measures(t: Touchpoint) -> Sequence[Kpi]:
        return t.kpis

    # New-side items are listed under their new stage, old-side items under their old one; the
    # report shows each under `where.stage_of`, which agrees for everything still there. The
    # items of an equal touchpoint are left out on both sides: matching would pair each with
    # itself first (same touchpoint, same text), unchanged, and leave the rest as it is.
    def matched(items: Callable[[Touchpoint], Sequence[It]], text: Callable[[It], str]) -> _Matched[It]:
        skip = where.equal
        return _match(_placed(old, where.old_stage, items, skip), _placed(new, where.new_stage, items, skip), text)

    pain = matched(pains, lambda p: p.text)
    idea = matched(ideas, lambda o: o.text)
    kpi = matched(measures, lambda k: k.name)

    pain_points = PainPoints(
        resolved=tuple(PainPointRef(p.touchpoint, p.stage, p.item.text, p.item.severity) for p in pain.gone),
        added=tuple(PainPointRef(p.touchpoint, p.stage, p.item.text, p.item.severity) for p in pain.new),
        changed=tuple(
            PainPointChange(
                b.touchpoint, b.stage, a.touchpoint, a.item.text, b.item.text, a.item.severity, b.item.severity, ratio
            )
            for a, b, ratio in pain.pairs
            if a.item.text != b.item.text or a.item.severity != b.item.severity or a.touchpoint != b.touchpoint
        ),
    )
    opportunities = Opportunities(
        added=tuple(OpportunityRef(o.touchpoint, o.stage, o.item.text, o.item.impact, o.item.effort) for o in idea.new),
        dropped=tuple(
            OpportunityRef(o.touchpoint, o.stage, o.item.text, o.item.impact, o.item.effort) for o in idea.gone
        ),
        changed=tuple(
            OpportunityChange(b.touchpoint, b.stage, a.touchpoint, b.item.text, changes)
            for a, b, _ in idea.pairs
            if (changes := _changes(a.item, b.item, ("text", "impact", "effort", "owner")))
            or a.touchpoint != b.touchpoint
        ),
    )
    kpis = [
        _kpi_change(b.touchpoint, b.stage, a.item, b.item, a.touchpoint)
        for a, b, _ in kpi.pairs
        if _changes(a.item, b.item, ("name", "unit", "target", "actual", "better")) or a.touchpoint != b.touchpoint
    ]
    kpis += [_kpi_change(p.touchpoint, p.stage, p.item, None) for p in kpi.gone]
    kpis += [_kpi_change(p.touchpoint, p.stage, None, p.item) for p in kpi.new]
    order = {tp_id: i for i, tp_id in enumerate(dict.fromkeys([*new.touchpoints, *old.touchpoints]))}
    kpis.sort(key=lambda k: (order[k.touchpoint], k.name, k.status))
    return pain_points, opportunities, tuple(kpis)


def shortfall(kpi: Kpi) -> float | None:
    """How far the actual value falls short of the target in the KPI's better direction; 0 when met."""
    if kpi.target is None or kpi.actual is None or not math.isfinite(kpi.target - kpi.actual):
        return None
    short = kpi.target - kpi.actual if kpi.better == "higher" else kpi.actual - kpi.target
    return max(0.0, short)


def _gap_trend(old_gap: float | None, new_gap: float | None) -> GapTrend | None:
    if old_gap is None or new_gap is None:
        return None
    if new_gap == old_gap:
        return "same"
    if new_gap == 0:
        return "closed"
    if old_gap == 0:
        return "opened"
    return "narrowed" if new_gap < old_gap else "widened"


def _kpi_change(tp_id: str, stage: str, old: Kpi | None, new: Kpi | None, old_tp: str | None = None) -> KpiChange:
    shown = new or old
    assert shown is not None
    old_gap = shortfall(old) if old else None
    new_gap = shortfall(new) if new else None
    status: Literal["added", "removed", "changed"] = "added" if old is None else "removed" if new is None else "changed"
    return KpiChange(
        touchpoint=tp_id,
        stage=stage,
        old_touchpoint=old_tp or tp_id,
        name=shown.name,
        status=status,
        unit=shown.unit,
        better=shown.better,
        old_name=old.name if old and new and old.name != new.name else None,
        old_target=old.target if old else None,
        new_target=new.target if new else None,
        old_actual=old.actual if old else None,
        new_actual=new.actual if new else None,
        old_gap=old_gap,
        new_gap=new_gap,
        gap=_gap_trend(old_gap, new_gap) if status == "changed" else None,
    )


def _decision(tp_id: str, stage: str, old: Touchpoint, new: Touchpoint) -> DecisionChange | None:
    a, b = old.decision, new.decision
    if a is None and b is None:
        return None
    branches = _branches(a, b)
    if a is not None and b is not None and a.question == b.question and not branches:
        return None  # only an `ignore:` list differs
    status: Literal["added", "removed", "changed"] = "added" if a is None else "removed" if b is None else "changed"
    return DecisionChange(tp_id, stage, status, a.question if a else None, b.question if b else None, branches)


def _branches(old: Decision | None, new: Decision | None) -> tuple[BranchChange, ...]:
    before = {branch.to: branch for branch in (old.branches if old else [])}
    after = {branch.to: branch for branch in (new.branches if new else [])}
    found = []
    for to in [*after, *(t for t in before if t not in after)]:
        x, y = before.get(to), after.get(to)
        if x is not None and y is not None and x.when == y.when and x.probability == y.probability:
            continue
        status: Literal["added", "removed", "changed"] = "added" if x is None else "removed" if y is None else "changed"
        found.append(
            BranchChange(
                to,
                status,
                x.when if x else None,
                y.when if y else None,
                x.shared_probability if x else None,
                y.shared_probability if y else None,
            )
        )
    return tuple(found)
