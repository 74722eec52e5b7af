"""The short cuts of checking a large map (what `cjmap diff` does with both of its maps) held to
the general path they step around: the journey graph Journey.build makes, and the answers of the
error rules that skip most touchpoints, against the code they replaced, on random valid maps
full of what the short cuts must not miss (duplicated and unknown ids, stage targets, per-persona
emotions and probabilities, ignores, entries, experiments)."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cjmap import model_cache
from cjmap.diagnostics import Finding, Path, Suggester, did_you_mean
from cjmap.journey import Edge, Journey, PlacedTouchpoint
from cjmap.model import Goal, JourneyMap
from cjmap.rules import REGISTRY, Context, content, flow, references

IDS = st.sampled_from(["a", "b", "c", "s1", "s2", "bought", "lost", "zz"])
PERSONAS = st.sampled_from(["anna", "piotr", "ghost"])
RULES = st.lists(st.sampled_from(["CJM101", "dead-end", "no-such-rule", "CJM999"]), max_size=2)
SHARE = st.sampled_from([0, 0.25, 0.5, 1, 0.7])
PROBABILITY = st.one_of(SHARE, st.dictionaries(PERSONAS, SHARE, min_size=1, max_size=2))
EMOTION = st.one_of(
    st.none(),
    st.integers(-4, 4),
    st.floats(-3, 3),
    st.dictionaries(PERSONAS, st.one_of(st.integers(-4, 4), st.floats(-3, 3)), max_size=2),
)


def with_probability(draw: st.DrawFn, item: dict[str, Any]) -> dict[str, Any]:
    if draw(st.booleans()):
        item["probability"] = draw(PROBABILITY)
    return item


def items(draw: st.DrawFn, main: str) -> list[Any]:
    """Short forms and long ones, some ignoring rules."""
    found: list[Any] = []
    for index in range(draw(st.integers(0, 2))):
        text = f"item {index}"
        found.append(text if draw(st.booleans()) else {main: text, "ignore": draw(RULES)})
    return found


@st.composite
def touchpoints(draw: st.DrawFn) -> dict[str, Any]:
    tp: dict[str, Any] = {"id": draw(IDS)}
    for key, value in (
        ("channel", draw(st.sampled_from([None, "email", "web", "pigeon"]))),
        ("personas", draw(st.none() | st.lists(PERSONAS, max_size=2))),
        ("emotion", draw(EMOTION)),
        ("entry", draw(st.sampled_from([None, False, True, 0.5]) | st.dictionaries(PERSONAS, SHARE, min_size=1))),
    ):
        if value is not None:
            tp[key] = value
    if draw(st.booleans()):
        tp["next"] = draw(
            st.lists(st.one_of(IDS, IDS.map(lambda to: {"to": to})), max_size=3).map(
                lambda ways: [way if isinstance(way, str) else with_probability(draw, way) for way in ways]
            )
        )
    if draw(st.booleans()):
        branches = [with_probability(draw, {"when": "w", "to": draw(IDS)}) for _ in range(draw(st.integers(1, 3)))]
        tp["decision"] = {"question": "q", "branches": branches}
    if draw(st.booleans()):
        tp["ignore"] = draw(RULES)
    tp["pain_points"], tp["opportunities"], tp["kpis"] = items(draw, "text"), items(draw, "text"), items(draw, "name")
    return tp


@st.composite
def maps(draw: st.DrawFn) -> JourneyMap:
    stages = []
    for _ in range(draw(st.integers(1, 3))):
        stage: dict[str, Any] = {"id": draw(IDS), "touchpoints": draw(st.lists(touchpoints(), max_size=4))}
        if draw(st.booleans()):
            stage["personas"] = draw(st.lists(PERSONAS, max_size=2))
        stages.append(stage)
    data: dict[str, Any] = {
        "cjmap": 1,
        "id": "m",
        "title": "T",
        "flow": draw(st.sampled_from(["sequential", "explicit"])),
        "emotion_scale": draw(st.sampled_from([[-2, 2], [0, 3]])),
        "personas": [{"id": p, "name": p} for p in draw(st.lists(st.sampled_from(["anna", "piotr"]), unique=True))],
        "outcomes": [{"id": o} for o in draw(st.lists(st.sampled_from(["bought", "lost", "a"]), max_size=3))],
        "stages": stages,
        "ignore": draw(RULES),
    }
    if draw(st.booleans()):
        change = {"at": draw(IDS), "to": draw(IDS), "probability": draw(PROBABILITY)}
        variants = [{"id": "v", "changes": [change]}]
        data["experiments"] = [{"id": "e", "hypothesis": "h", "touchpoints": draw(st.lists(IDS)), "variants": variants}]
    if draw(st.booleans()):
        data["goal"] = {"text": "g", "outcome": draw(IDS)}
    try:
        built = model_cache.validate(JourneyMap, data)
    except ValidationError:
        assume(False)
    assert isinstance(built, JourneyMap)
    return built


CONTEXT = Context(today=date(2026, 11, 1))
EXAMPLES = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def answers(findings: Iterator[Finding]) -> list[tuple[Path, str]]:
    return [(finding.path, finding.message) for finding in findings]


# --- the journey graph ------------------------------------------------------------------------


def general_journey(journey_map: JourneyMap) -> tuple[dict[str, Any], dict[str, list[tuple[Any, ...]]]]:
    """Journey.build and _link as written before their short cuts: the places and the edges."""
    placed: dict[str, tuple[Any, ...]] = {}
    ordered: list[tuple[Any, ...]] = []
    order = 0
    for stage_index, stage in enumerate(journey_map.stages):
        for tp_index, touchpoint in enumerate(stage.touchpoints):
            place = (touchpoint, stage_index, order, ("stages", stage_index, "touchpoints", tp_index))
            if touchpoint.id not in placed:
                placed[touchpoint.id] = place
                ordered.append(place)
            order += 1
    stages = {stage.id: stage for stage in reversed(journey_map.stages)}

    def resolve(target: str) -> str:
        if target not in placed and target in stages and stages[target].touchpoints:
            return str(stages[target].touchpoints[0].id)
        return target

    def split(probability: Any) -> tuple[Any, Any]:
        return (None, dict(probability)) if isinstance(probability, dict) else (probability, None)

    edges: dict[str, list[tuple[Any, ...]]] = {}
    for index, (touchpoint, _, _, path) in enumerate(ordered):
        found: list[tuple[Any, ...]] = []
        for i, item in enumerate(touchpoint.next or []):
            if isinstance(item, str):
                found.append((touchpoint.id, resolve(item), (*path, "next", i), None, None, False, None))
            else:
                shared, own = split(item.probability)
                found.append((touchpoint.id, resolve(item.to), (*path, "next", i, "to"), None, shared, False, own))
        if touchpoint.decision is not None:
            for i, branch in enumerate(touchpoint.decision.branches):
                shared, own = split(branch.probability)
                where = (*path, "decision", "branches", i, "to")
                found.append((touchpoint.id, resolve(branch.to), where, branch.when, shared, False, own))
        falls_through = touchpoint.next is None and touchpoint.decision is None
        if falls_through and journey_map.flow == "sequential" and index + 1 < len(ordered):
            found.append((touchpoint.id, ordered[index + 1][0].id, path, None, None, True, None))
        edges[touchpoint.id] = found
    return placed, edges


@EXAMPLES
@given(maps())
def test_the_journey_graph_is_the_one_the_general_build_makes(journey_map: JourneyMap) -> None:
    journey = Journey.build(journey_map)
    placed, edges = general_journey(journey_map)
    assert list(journey.touchpoints) == list(placed)
    for touchpoint_id, place in placed.items():
        made = journey.touchpoints[touchpoint_id]
        assert made.touchpoint is place[0] and (made.stage_index, made.order, made.path) == place[1:]
    assert [p.touchpoint.id for p in journey.ordered()] == list(placed)
    assert journey._position == {touchpoint_id: index for index, touchpoint_id in enumerate(placed)}
    assert {key: [dataclasses.astuple(edge) for edge in found] for key, found in journey.edges.items()} == edges


@pytest.mark.parametrize("cls", [Edge, PlacedTouchpoint])
def test_the_hand_written_init_is_the_dataclass_one(cls: type) -> None:
    """Same parameters, same defaults, every field set; still frozen, comparable, copyable."""
    signature = inspect.signature(cls.__init__)  # type: ignore[misc]
    names = [name for name in signature.parameters if name != "self"]
    assert names == [field.name for field in dataclasses.fields(cls)]
    for field in dataclasses.fields(cls):
        assert signature.parameters[field.name].default == (
            inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
        )
    values = [f"value {index}" for index in range(len(names))]
    made = cls(*values)
    assert [getattr(made, name) for name in names] == values
    assert made == cls(**dict(zip(names, values, strict=True)))
    assert hash(made) == hash(cls(*values))
    assert pickle.loads(pickle.dumps(made)) == made
    assert dataclasses.replace(made, **{names[0]: "changed"}) == cls("changed", *values[1:])
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, names[0], "x")


def test_an_edge_made_with_its_defaults_has_them() -> None:
    edge = Edge("a", "b", ("stages", 0))
    assert (edge.label, edge.probability, edge.implicit, edge.probabilities) == (None, None, False, None)


# --- the error rules --------------------------------------------------------------------------


def general_unknown_reference(journey: Journey) -> Iterator[Finding]:
    """unknown-reference as written before its short cuts (its ignores and forecast references too)."""
    personas = set(journey.personas)
    targets = journey.targets()
    rule_names = set(REGISTRY) | {known.name for known in REGISTRY.values()}
    channels, persona_hints = Suggester(journey.channels), Suggester(personas)
    target_hints, touchpoint_hints = Suggester(targets), Suggester(journey.touchpoints)
    unknown = references._unknown
    for placed in journey.ordered():
        tp, path = placed.touchpoint, placed.path
        if tp.channel is not None and tp.channel not in journey.channels:
            yield unknown(
                "channel", tp.channel, channels, (*path, "channel"), "declare it under 'channels' or use a built-in one"
            )
        for i, persona in enumerate(tp.personas or []):
            if persona not in personas:
                yield unknown("persona", persona, persona_hints, (*path, "personas", i), "declare it under 'personas'")
        if isinstance(tp.emotion, dict):
            for persona in tp.emotion:
                if persona not in personas:
                    yield unknown(
                        "persona", persona, persona_hints, (*path, "emotion", persona), "declare it under 'personas'"
                    )
        for edge in journey.edges[tp.id]:
            if not edge.implicit and edge.target not in targets:
                fix = "name a touchpoint, a stage or an outcome (declare outcomes under 'outcomes')"
                yield unknown("target", edge.target, target_hints, edge.path, fix)
    for e_index, experiment in enumerate(journey.map.experiments):
        for i, touchpoint in enumerate(experiment.touchpoints):
            if touchpoint not in journey.touchpoints:
                where = ("experiments", e_index, "touchpoints", i)
                yield unknown("touchpoint", touchpoint, touchpoint_hints, where, "name a touchpoint of this map")

    def visit(node: object, path: Path) -> Iterator[Finding]:
        for i, reference in enumerate(getattr(node, "ignore", None) or ()):
            if reference not in rule_names:
                yield Finding(
                    (*path, "ignore", i),
                    f"'ignore' names no rule '{reference}'{did_you_mean(reference, rule_names)}; "
                    "see 'cjmap rules' for the list",
                )

    yield from visit(journey.map, ())
    for persona_model, path in journey.personas.values():
        yield from visit(persona_model, path)
    for stage, path in journey.stages.values():
        yield from visit(stage, path)
    for placed in journey.ordered():
        tp = placed.touchpoint
        yield from visit(tp, placed.path)
        for field, found in (("pain_points", tp.pain_points), ("opportunities", tp.opportunities), ("kpis", tp.kpis)):
            for i, item in enumerate(found):
                yield from visit(item, (*placed.path, field, i))
    yield from general_forecast_references(journey)


def general_forecast_references(journey: Journey) -> Iterator[Finding]:
    personas = set(journey.personas)
    declare = "declare it under 'personas'"
    unknown = references._unknown_among
    for index, stage in enumerate(journey.map.stages):
        for i, persona in enumerate(stage.personas or []):
            if persona not in personas:
                yield unknown("persona", persona, personas, ("stages", index, "personas", i), declare)
    for placed in journey.ordered():
        tp = placed.touchpoint
        if isinstance(tp.entry, dict):
            for persona in tp.entry:
                if persona not in personas:
                    yield unknown("persona", persona, personas, (*placed.path, "entry", persona), declare)
        for edge in journey.edges[tp.id]:
            where = edge.path[:-1] if edge.path[-1] == "to" else edge.path
            for persona in edge.probabilities or {}:
                if persona not in personas:
                    yield unknown("persona", persona, personas, (*where, "probability", persona), declare)
    for e_index, experiment in enumerate(journey.map.experiments):
        for v_index, variant in enumerate(experiment.variants):
            for c_index, change in enumerate(variant.changes):
                path: Path = ("experiments", e_index, "variants", v_index, "changes", c_index)
                if change.at not in journey.touchpoints:
                    yield unknown("touchpoint", change.at, journey.touchpoints, (*path, "at"), "name a touchpoint")
                    continue
                ways = {edge.target for edge in journey.edges[change.at]}
                if journey.resolve(change.to) not in ways:
                    shown = ", ".join(sorted(ways)) or "nowhere"
                    yield Finding(
                        (*path, "to"),
                        f"'{change.at}' has no way to '{change.to}' (its ways lead to {shown}): a variant "
                        "changes the probability of a way the map has",
                    )
                if isinstance(change.probability, dict):
                    for persona in change.probability:
                        if persona not in personas:
                            yield unknown("persona", persona, personas, (*path, "probability", persona), declare)
    goal = journey.map.goal
    if isinstance(goal, Goal) and goal.outcome is not None and goal.outcome not in journey.outcomes:
        yield unknown("outcome", goal.outcome, journey.outcomes, ("goal", "outcome"), "declare it under 'outcomes'")


def general_branch_probabilities(journey: Journey) -> Iterator[Finding]:
    for placed in journey.ordered():
        tp = placed.touchpoint
        edges = [edge for edge in journey.edges[tp.id] if not edge.implicit]
        if not any(edge.probability is not None or edge.probabilities for edge in edges):
            continue
        only_branches = tp.next is None
        what = (
            f"branch probabilities of '{tp.decision.question}'"
            if only_branches and tp.decision
            else (f"the probabilities of the ways out of '{tp.id}'")
        )
        path = (*placed.path, "decision", "branches") if only_branches else (*placed.path, "next")
        noun = "branches" if only_branches else "ways"
        per_persona = any(edge.probabilities for edge in edges)
        named = [p for edge in edges for p in edge.probabilities or () if p in journey.personas]
        for persona in list(dict.fromkeys([*journey.personas_of(tp), *named])) if per_persona else [None]:
            given = [edge.probability_for(persona) for edge in edges]
            message = flow._sum_problem(what, noun, [g for g in given if g is not None], len(edges))
            if message:
                yield Finding(path, message + (f" (for {persona})" if persona else ""))


def general_emotion_scale(journey: Journey) -> Iterator[Finding]:
    low, high = journey.map.emotion_scale
    for placed in journey.ordered():
        for persona, value in placed.touchpoint.emotions():
            if not low <= value <= high:
                path = (*placed.path, "emotion") + ((persona,) if persona else ())
                who = f" for persona '{persona}'" if persona else ""
                yield Finding(
                    path,
                    f"emotion {value:g}{who} is outside the map's emotion scale [{low}, {high}]: "
                    "use a value within it, or change 'emotion_scale'",
                )


def general_duplicate_id(journey: Journey) -> Iterator[Finding]:
    m = journey.map
    touchpoints: list[tuple[str, str, Path]] = [
        ("touchpoint", tp.id, ("stages", si, "touchpoints", ti))
        for si, s in enumerate(m.stages)
        for ti, tp in enumerate(s.touchpoints)
    ]
    groups: list[list[tuple[str, str, Path]]] = [
        [("persona", p.id, ("personas", i)) for i, p in enumerate(m.personas)],
        [("channel", c.id, ("channels", i)) for i, c in enumerate(m.channels)],
        [("experiment", e.id, ("experiments", i)) for i, e in enumerate(m.experiments)],
        [("stage", s.id, ("stages", i)) for i, s in enumerate(m.stages)]
        + touchpoints
        + [("outcome", o.id, ("outcomes", i)) for i, o in enumerate(m.outcomes)],
    ]
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


@EXAMPLES
@given(maps())
def test_the_error_rules_answer_as_the_general_path_does(journey_map: JourneyMap) -> None:
    journey = Journey.build(journey_map)
    pairs = [
        (references.unknown_reference, general_unknown_reference),
        (flow.branch_probabilities, general_branch_probabilities),
        (content.emotion_scale, general_emotion_scale),
        (references.duplicate_id, general_duplicate_id),
    ]
    for rule, general in pairs:
        assert rule.check is not None
        assert answers(rule.check(journey, CONTEXT)) == answers(general(journey)), rule.name
