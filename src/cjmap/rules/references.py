"""Rules about ids: every reference resolves, every id is unique."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

from cjmap import rule_ids
from cjmap.diagnostics import Finding, Path, Severity, Suggester, did_you_mean
from cjmap.journey import Journey
from cjmap.rules.base import Context, rule


@rule(
    rule_ids.UNKNOWN_REFERENCE,
    "unknown-reference",
    Severity.ERROR,
    "A reference names no persona, channel, stage, touchpoint, outcome or rule.",
)
def unknown_reference(journey: Journey, context: Context) -> Iterator[Finding]:
    """Every id a map refers to must exist: the personas and channel of a touchpoint, the
    targets of `next` and of decision branches (a touchpoint, a stage or an outcome), the
    persona keys of a per-persona emotion, an experiment's touchpoints, and the rules named in
    `ignore`; for the forecast, the personas of a stage, the persona keys of per-persona
    probabilities and entries, the touchpoints and ways a variant changes, and the goal's
    outcome. The message suggests the closest existing id."""
    from cjmap.rules import REGISTRY  # the catalogue lists this rule too

    personas, channels, edges_of = journey.personas, journey.channels, journey.edges
    touchpoints, stages, outcomes = journey.touchpoints, journey.stages, journey.outcomes
    rule_names = set(REGISTRY) | {known.name for known in REGISTRY.values()}
    hints = _Hints(journey)
    # Once per touchpoint: each field read once (a model's attribute costs more than a dict's).
    for placed in journey.ordered():
        tp, path = placed.touchpoint, placed.path
        channel = tp.channel
        if channel is not None and channel not in channels:
            yield _unknown(
                "channel",
                channel,
                hints.channels,
                (*path, "channel"),
                "declare it under 'channels' or use a built-in one",
            )
        named = tp.personas
        if named:
            for i, persona in enumerate(named):
                if persona not in personas:
                    yield _unknown(
                        "persona", persona, hints.personas, (*path, "personas", i), "declare it under 'personas'"
                    )
        emotion = tp.emotion
        if isinstance(emotion, dict):
            for persona in emotion:
                if persona not in personas:
                    yield _unknown(
                        "persona", persona, hints.personas, (*path, "emotion", persona), "declare it under 'personas'"
                    )
        for edge in edges_of[tp.id]:
            target = edge.target
            if not edge.implicit and target not in touchpoints and target not in stages and target not in outcomes:
                yield _unknown(
                    "target",
                    target,
                    hints.targets,
                    edge.path,
                    "name a touchpoint, a stage or an outcome (declare outcomes under 'outcomes')",
                )
    for e_index, experiment in enumerate(journey.map.experiments):
        for i, touchpoint in enumerate(experiment.touchpoints):
            if touchpoint not in touchpoints:
                yield _unknown(
                    "touchpoint",
                    touchpoint,
                    hints.touchpoints,
                    ("experiments", e_index, "touchpoints", i),
                    "name a touchpoint of this map",
                )
    yield from _unknown_ignores(journey, rule_names)
    from cjmap.rules.flow import forecast_references

    yield from forecast_references(journey, _unknown_among)


def _unknown_ignores(journey: Journey, rule_names: set[str]) -> Iterator[Finding]:
    def visit(node: object, path: Path) -> Iterator[Finding]:
        for i, reference in enumerate(getattr(node, "ignore", None) or ()):
            if reference not in rule_names:
                yield Finding(
                    (*path, "ignore", i),
                    f"'ignore' names no rule '{reference}'{did_you_mean(reference, rule_names)}; "
                    "see 'cjmap rules' for the list",
                )

    def visit_items(field: str, items: list[Any], path: Path) -> Iterator[Finding]:
        for i, item in enumerate(items):
            if item.ignore:
                yield from visit(item, (*path, field, i))

    yield from visit(journey.map, ())
    for persona, path in journey.personas.values():
        yield from visit(persona, path)
    for stage, path in journey.stages.values():
        yield from visit(stage, path)
    # Most touchpoints and items ignore nothing: asked first, item by item with no index, no path
    # made and no generator started (this loop runs over every item of the map).
    for placed in journey.ordered():
        tp = placed.touchpoint
        if tp.ignore:
            yield from visit(tp, placed.path)
        pains, ideas, kpis = tp.pain_points, tp.opportunities, tp.kpis
        for pain in pains:
            if pain.ignore:
                yield from visit_items("pain_points", pains, placed.path)
                break
        for idea in ideas:
            if idea.ignore:
                yield from visit_items("opportunities", ideas, placed.path)
                break
        for kpi in kpis:
            if kpi.ignore:
                yield from visit_items("kpis", kpis, placed.path)
                break


class _Hints:
    """One bounded did-you-mean per kind of id, made when a reference first needs it (most maps
    have no unknown reference, and sorting the ids of a large map for nothing costs)."""

    def __init__(self, journey: Journey) -> None:
        self._journey = journey

    @cached_property
    def channels(self) -> Suggester:
        return Suggester(self._journey.channels)

    @cached_property
    def personas(self) -> Suggester:
        return Suggester(self._journey.personas)

    @cached_property
    def targets(self) -> Suggester:
        return Suggester(self._journey.targets())

    @cached_property
    def touchpoints(self) -> Suggester:
        return Suggester(self._journey.touchpoints)


def _unknown_among(kind: str, name: str, known: object, path: Path, fix: str) -> Finding:
    """For the forecast's fields, which are few: a suggester made for the one reference."""
    return _unknown(kind, name, Suggester(known), path, fix)  # type: ignore[arg-type]


def _unknown(kind: str, name: str, suggest: Suggester, path: Path, fix: str) -> Finding:
    hint = suggest(name)
    return Finding(path, f"unknown {kind} '{name}'{hint}" + ("" if hint else f": {fix}"))


@rule(
    rule_ids.DUPLICATE_ID,
    "duplicate-id",
    Severity.ERROR,
    "Two elements share an id (stages, touchpoints and outcomes share one namespace).",
)
def duplicate_id(journey: Journey, context: Context) -> Iterator[Finding]:
    """Ids must be unique so that references are unambiguous. Stages, touchpoints and outcomes
    share one namespace because `next` and branches can point at any of them; personas,
    channels and experiments each have their own."""
    m = journey.map
    groups: list[list[tuple[str, str, Path]]] = [
        [("persona", p.id, ("personas", i)) for i, p in enumerate(m.personas)],
        [("channel", c.id, ("channels", i)) for i, c in enumerate(m.channels)],
        [("experiment", e.id, ("experiments", i)) for i, e in enumerate(m.experiments)],
    ]
    if _may_share_ids(journey):  # the journey's tables kept one of each id: all of them unless some repeat
        touchpoints: list[tuple[str, str, Path]] = [
            ("touchpoint", tp.id, ("stages", si, "touchpoints", ti))
            for si, s in enumerate(m.stages)
            for ti, tp in enumerate(s.touchpoints)
        ]
        groups.append(
            [("stage", s.id, ("stages", i)) for i, s in enumerate(m.stages)]
            + touchpoints
            + [("outcome", o.id, ("outcomes", i)) for i, o in enumerate(m.outcomes)]
        )
    for group in groups:
        first: dict[str, str] = {}
        for kind, element_id, path in group:
            if element_id in first:
                yield Finding(
                    (*path, "id"),
                    f"{kind} id '{element_id}' is already used by a {first[element_id]}: "
                    "ids must be unique; rename one",
                )
            else:
                first[element_id] = kind


def _may_share_ids(journey: Journey) -> bool:
    """Whether two stages, touchpoints or outcomes may share an id: the journey keeps the first of
    each id in its tables, so when each table is as long as the map's list and no id is in two
    tables, every id is unique (and the namespace need not be listed element by element)."""
    m = journey.map
    stages, touchpoints, outcomes = journey.stages.keys(), journey.touchpoints.keys(), journey.outcomes.keys()
    written = sum(len(stage.touchpoints) for stage in m.stages)
    return (
        len(stages) != len(m.stages)
        or len(touchpoints) != written
        or len(outcomes) != len(m.outcomes)
        or not stages.isdisjoint(touchpoints)  # views: the shorter is the one walked
        or not outcomes.isdisjoint(touchpoints)
        or not stages.isdisjoint(outcomes)
    )
