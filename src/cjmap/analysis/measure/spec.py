"""What to measure, read off the map: the steps that have a `match`, the personas that have one,
the KPI conversions, and how the log's columns are named. Pure; no engine needed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cjmap.journey import Journey
from cjmap.model import EventMatch

TimeKind = Literal["timestamp", "seconds", "millis", "micros"]
PresetName = Literal["ga4", "segment", "snowplow"]
ROLES = ("customer", "time", "event")

# GA4's BigQuery export: these are columns of the events table; any other `where` key is looked
# up in the event_params array of {key, value: {string_value, int_value, float_value, double_value}}.
_GA4_COLUMN_LINES = (
    "event_date event_timestamp event_name event_previous_timestamp event_value_in_usd",
    "event_bundle_sequence_id event_server_timestamp_offset user_id user_pseudo_id",
    "user_first_touch_timestamp stream_id platform privacy_info user_properties user_ltv device geo",
    "app_info traffic_source event_dimensions ecommerce items collected_traffic_source is_active_user",
)
GA4_COLUMNS = frozenset(" ".join(_GA4_COLUMN_LINES).split())


@dataclass(frozen=True)
class Columns:
    """How the log names its columns: the three roles, any other key mapped to a column, and the
    unit of the time column."""

    customer: str = "customer"
    time: str = "time"
    event: str = "event"
    other: dict[str, str] = field(default_factory=dict)
    time_kind: TimeKind = "timestamp"
    time_fallback: str | None = None  # Snowplow: derived_tstamp, else collector_tstamp
    event_fallback: str | None = None  # Snowplow: se_action for structured events, else event_name
    params_array: str | None = None  # GA4: event_params

    def column_for(self, key: str) -> str:
        return self.other.get(key, key)


PRESETS: dict[str, Columns] = {
    "ga4": Columns(
        customer="user_pseudo_id",
        time="event_timestamp",
        event="event_name",
        time_kind="micros",
        params_array="event_params",
    ),
    "segment": Columns(customer="anonymous_id", time="timestamp", event="event"),
    "snowplow": Columns(
        customer="domain_userid",
        time="derived_tstamp",
        event="se_action",
        time_fallback="collector_tstamp",
        event_fallback="event_name",
    ),
}


class SpecError(ValueError):
    """A usage problem with the options (e.g. a malformed --columns)."""


def parse_columns(text: str | None, preset: str | None) -> Columns:
    """`customer=uid,time=ts,event=name,page=page_path` on top of a preset (or the plain defaults)."""
    base = PRESETS[preset] if preset else Columns()
    if not text:
        return base
    roles = {"customer": base.customer, "time": base.time, "event": base.event}
    other = dict(base.other)
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise SpecError(
                f"--columns takes KEY=COLUMN pairs separated by commas, e.g. customer=user_id; not '{part}'"
            )
        if key in roles:
            roles[key] = value
        else:
            other[key] = value
    return Columns(
        customer=roles["customer"],
        time=roles["time"],
        event=roles["event"],
        other=other,
        time_kind=base.time_kind,
        time_fallback=base.time_fallback,
        event_fallback=base.event_fallback,
        params_array=base.params_array,
    )


@dataclass(frozen=True)
class Step:
    id: str
    kind: Literal["touchpoint", "outcome"]
    rank: int  # map order: the first matching step wins, and ties in time are ordered by it
    matches: tuple[EventMatch, ...]


@dataclass(frozen=True)
class PersonaMatch:
    id: str
    rank: int
    where: dict[str, list[str]]


@dataclass(frozen=True)
class Spec:
    map_id: str
    steps: tuple[Step, ...]
    personas: tuple[PersonaMatch, ...]
    conversions: tuple[tuple[str, str], ...]  # KPI (from, to) pairs, sorted, each once
    unmatched_steps: tuple[str, ...]  # touchpoints and outcomes without a `match`: not measured

    @property
    def step_ids(self) -> set[str]:
        return {step.id for step in self.steps}

    def columns_used(self) -> list[str]:
        """The `where` and persona keys, in first-use order (the three roles not included)."""
        keys: list[str] = []
        for step in self.steps:
            for match in step.matches:
                keys += [k for k in match.where if k not in keys]
        for persona in self.personas:
            keys += [k for k in persona.where if k not in keys]
        return keys


def build_spec(journey: Journey) -> Spec:
    steps: list[Step] = []
    unmatched: list[str] = []
    for placed in journey.ordered():
        tp = placed.touchpoint
        if tp.match:
            steps.append(Step(tp.id, "touchpoint", len(steps) + 1, tuple(tp.match)))
        else:
            unmatched.append(tp.id)
    for outcome, _path in journey.outcomes.values():
        if outcome.match:
            steps.append(Step(outcome.id, "outcome", len(steps) + 1, tuple(outcome.match)))
        else:
            unmatched.append(outcome.id)
    personas = tuple(
        PersonaMatch(persona.id, rank, dict(persona.match or {}))
        for rank, (persona, _path) in enumerate(
            ((p, path) for p, path in journey.personas.values() if p.match), start=1
        )
    )
    conversions = sorted(
        {
            (kpi.conversion.from_, kpi.conversion.to)
            for placed in journey.ordered()
            for kpi in placed.touchpoint.kpis
            if kpi.conversion is not None
        }
    )
    return Spec(journey.map.id, tuple(steps), personas, tuple(conversions), tuple(unmatched))
