"""The journey's per-persona answers are computed once and reused (`Journey.derived`): on any
map they must equal the plain computation, asked in any order, and a copy of the journey with
other edges (the measured journey) must not see the original's answers."""

from __future__ import annotations

import copy
import pickle
from dataclasses import replace
from fractions import Fraction as F
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjmap.analysis.chain import Chain, N, build_chain, exact, floating, split, traps
from cjmap.analysis.scc import components
from cjmap.journey import Edge, Journey
from cjmap.model import JourneyMap, Touchpoint

PERSONAS = ["anna", "piotr", "maya"]


@st.composite
def journey_maps(draw: st.DrawFn) -> JourneyMap:
    """Valid maps with personas named by touchpoints or stages (unknown and repeated ones
    too), duplicated touchpoint ids, entries of every form, sequential or explicit flow."""
    personas = draw(st.lists(st.sampled_from(PERSONAS), max_size=3, unique=True))
    some_personas = st.none() | st.lists(st.sampled_from([*PERSONAS, "ghost"]), max_size=3)
    count = draw(st.integers(1, 9))
    ids = [f"t{draw(st.integers(0, count + 1))}" for _ in range(count)]  # duplicates on purpose
    targets = [*ids, "s0", "bought", "lost"]
    entry = st.sampled_from([False, True, 0.0, 0.4, 1.0]) | st.dictionaries(
        st.sampled_from([*PERSONAS, "ghost"]), st.sampled_from([0.0, 0.3, 1.0]), min_size=1, max_size=2
    )
    probability = (
        st.none()
        | st.sampled_from([0.0, 0.2, 0.5])
        | st.dictionaries(st.sampled_from(PERSONAS), st.sampled_from([0.0, 0.3, 0.7]), min_size=1, max_size=2)
    )
    touchpoints: list[dict[str, Any]] = []
    for touchpoint_id in ids:
        touchpoint: dict[str, Any] = {"id": touchpoint_id, "entry": draw(entry)}
        named = draw(some_personas)
        if named is not None:
            touchpoint["personas"] = named
        if draw(st.booleans()):
            ways = draw(st.lists(st.sampled_from(targets), max_size=3))
            touchpoint["next"] = [
                way if (p := draw(probability)) is None else {"to": way, "probability": p} for way in ways
            ]
        touchpoints.append(touchpoint)
    cut = draw(st.integers(0, count))
    stages: list[dict[str, Any]] = []
    for index, part in enumerate((touchpoints[:cut], touchpoints[cut:])):
        stage: dict[str, Any] = {"id": f"s{index}", "touchpoints": part}
        named = draw(some_personas)
        if named is not None:
            stage["personas"] = named
        stages.append(stage)
    return JourneyMap.model_validate(
        {
            "cjmap": 1,
            "id": "m",
            "title": "M",
            "flow": draw(st.sampled_from(["sequential", "explicit"])),
            "personas": [{"id": p, "name": p.title()} for p in personas],
            "outcomes": [{"id": "bought", "kind": "success"}, {"id": "lost", "kind": "lost"}],
            "stages": stages,
        }
    )


# --- the plain computations, as they were before the answers were kept -------------------------


def plain_personas_of(journey: Journey, touchpoint: Touchpoint) -> list[str]:
    named = touchpoint.personas
    if named is None and touchpoint.id in journey.touchpoints:
        named = journey.map.stages[journey.touchpoints[touchpoint.id].stage_index].personas
    if named is not None:
        return [persona for persona in named if persona in journey.personas]
    return list(journey.personas)


def plain_involves(journey: Journey, touchpoint_id: str, persona: str | None) -> bool:
    if persona is None:
        return True
    placed = journey.touchpoints.get(touchpoint_id)
    return placed is not None and persona in plain_personas_of(journey, placed.touchpoint)


def plain_edges_for(journey: Journey, touchpoint_id: str, persona: str | None) -> list[Edge]:
    edges = journey.edges.get(touchpoint_id, [])
    if not edges or not edges[0].implicit:
        return edges
    ordered = journey.ordered()
    start = [p.touchpoint.id for p in ordered].index(touchpoint_id)
    for placed in ordered[start + 1 :]:
        if plain_involves(journey, placed.touchpoint.id, persona):
            return [Edge(touchpoint_id, placed.touchpoint.id, edges[0].path, implicit=True)]
    return []


def plain_entry_shares(journey: Journey, persona: str | None) -> dict[str, float | None]:
    shares: dict[str, float | None] = {}
    for position, placed in enumerate(journey.ordered()):
        tp = placed.touchpoint
        if not plain_involves(journey, tp.id, persona):
            continue
        entry = tp.entry
        if isinstance(entry, dict):
            if persona in entry:
                shares[tp.id] = entry[persona]
            elif position == 0:
                shares[tp.id] = None
        elif entry is True or (entry is False and position == 0):
            shares[tp.id] = None
        elif not isinstance(entry, bool):
            shares[tp.id] = float(entry)
    return shares


def plain_chain(journey: Journey, persona: str | None, convert: Any, one: N) -> Chain[N]:
    zero = one - one
    shares = plain_entry_shares(journey, persona)
    values = split(list(shares.values()), one, convert)
    entries = {tp: share for tp, share in zip(shares, values, strict=True) if share != zero}
    steps: dict[str, list[tuple[str, N]]] = {}
    pending = list(entries)
    while pending:
        current = pending.pop()
        if current in steps:
            continue
        edges = plain_edges_for(journey, current, persona)
        probabilities = split([edge.probability_for(persona) for edge in edges], one, convert)
        merged: dict[str, N] = {}
        for edge, probability in zip(edges, probabilities, strict=True):
            merged[edge.target] = merged.get(edge.target, zero) + probability
        steps[current] = list(merged.items())
        pending.extend(t for t, p in merged.items() if p != zero and t in journey.touchpoints and t not in steps)
    ordered = [placed.touchpoint.id for placed in journey.ordered() if placed.touchpoint.id in steps]
    return Chain(persona, entries, {tp: steps[tp] for tp in ordered}, frozenset(journey.outcomes), zero, one)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey_maps(), st.randoms(use_true_random=False))
def test_kept_answers_equal_the_plain_computation(journey_map: JourneyMap, rnd: Any) -> None:
    journey = Journey.build(journey_map)
    every = [tp for stage in journey_map.stages for tp in stage.touchpoints]  # duplicates included
    questions: list[tuple[str, Any]] = [("personas_of", tp) for tp in every]
    for persona in [*journey.persona_ids(), "ghost"]:
        questions += [("entry_shares", persona), ("chain", persona)]
        questions += [(kind, (tp.id, persona)) for tp in every for kind in ("involves", "edges_for")]
    questions.append(("involvement", None))
    rnd.shuffle(questions)  # whichever is asked first fills the tables: the answers stay the same
    for kind, argument in questions * 2:
        if kind == "personas_of":
            assert journey.personas_of(argument) == plain_personas_of(journey, argument)
        elif kind == "involves":
            assert journey.involves(*argument) is plain_involves(journey, *argument)
        elif kind == "edges_for":
            assert journey.edges_for(*argument) == plain_edges_for(journey, *argument)
        elif kind == "involvement":
            expected = {p.touchpoint.id: tuple(plain_personas_of(journey, p.touchpoint)) for p in journey.ordered()}
            assert list(journey.involvement().items()) == list(expected.items())
        elif kind == "entry_shares":
            assert journey.entry_shares(argument) == plain_entry_shares(journey, argument)
        else:
            chain = build_chain(journey, argument, floating, 1.0)
            assert chain == plain_chain(journey, argument, floating, 1.0)
            assert build_chain(journey, argument, exact, F(1)) == plain_chain(journey, argument, exact, F(1))
            assert traps(chain) == traps(chain, components(list(chain.steps), chain.successors))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey_maps())
def test_what_callers_get_cannot_change_the_journey(journey_map: JourneyMap) -> None:
    journey = Journey.build(journey_map)
    for persona in journey.persona_ids():
        journey.entry_shares(persona).clear()
        assert journey.entry_shares(persona) == plain_entry_shares(journey, persona)
    with pytest.raises(TypeError):
        journey.involvement()["t0"] = ("intruder",)  # type: ignore[index]
    for placed in journey.ordered():
        journey.personas_of(placed.touchpoint).append("intruder")
        assert journey.personas_of(placed.touchpoint) == plain_personas_of(journey, placed.touchpoint)


def test_a_copy_with_other_edges_does_not_see_the_originals_answers() -> None:
    journey_map = JourneyMap.model_validate(
        {
            "cjmap": 1,
            "id": "m",
            "title": "M",
            "flow": "explicit",
            "outcomes": [{"id": "bought", "kind": "success"}, {"id": "lost", "kind": "lost"}],
            "stages": [{"id": "s", "touchpoints": [{"id": "a", "next": ["bought", "lost"]}]}],
        }
    )
    journey = Journey.build(journey_map)
    before = build_chain(journey, None, floating, 1.0)
    assert before.steps == {"a": [("bought", 0.5), ("lost", 0.5)]}
    observed = copy.copy(journey)  # as the measured journey is made
    observed.edges = {"a": [replace(journey.edges["a"][0], probability=0.75), journey.edges["a"][1]]}
    assert build_chain(observed, None, floating, 1.0).steps["a"] == [("bought", 0.75), ("lost", 0.25)]
    assert build_chain(journey, None, floating, 1.0) is before


def test_a_pickled_journey_leaves_what_it_kept_behind_and_answers_the_same() -> None:
    journey_map = JourneyMap.model_validate(
        {
            "cjmap": 1,
            "id": "m",
            "title": "M",
            "flow": "sequential",
            "personas": [{"id": "anna", "name": "Anna"}, {"id": "piotr", "name": "Piotr"}],
            "outcomes": [{"id": "bought", "kind": "success"}],
            "stages": [
                {
                    "id": "s",
                    "touchpoints": [{"id": "a"}, {"id": "b", "personas": ["piotr"]}, {"id": "c", "next": ["bought"]}],
                }
            ],
        }
    )
    journey = Journey.build(journey_map)
    chains = [build_chain(journey, persona, floating, 1.0) for persona in journey.persona_ids()]
    sent = pickle.dumps(journey)
    assert b"cjmap.analysis.chain" not in sent and b"involved" not in sent  # no chain, no table
    received = pickle.loads(sent)
    assert [build_chain(received, persona, floating, 1.0) for persona in received.persona_ids()] == chains
    assert received.edges_for("a", "anna")[0].target == "c"


@given(journey_maps())
def test_a_map_without_a_way_back_has_no_trap(journey_map: JourneyMap) -> None:
    """The trap rule builds no chain where no written way leads back (rules.flow.can_loop): the
    chains of such a map never hold a trap, and where they do, can_loop says a loop is possible."""
    from cjmap.analysis.chain import build_chain, floating, traps
    from cjmap.rules.flow import can_loop

    journey = Journey.build(journey_map)
    chains = [build_chain(journey, p, floating, 1.0) for p in journey.persona_ids()]
    trapped = any(traps(chain) for chain in chains)
    cycles = any(len(loop) > 1 or loop[0] in chain.successors(loop[0]) for chain in chains for loop in chain.loops())
    assert not (trapped or cycles) or can_loop(journey)


@given(journey_maps())
def test_an_outcomes_only_forecast_gives_the_full_forecasts_outcomes(journey_map: JourneyMap) -> None:
    """`cjmap diff` forecasts with outcomes_only: the figures a comparison reads are the full
    forecast's, exactly."""
    from cjmap.analysis.forecast import EXACT, ForecastError, forecast

    journey = Journey.build(journey_map)
    try:
        full = forecast(journey, EXACT)
    except ForecastError:
        return
    light = forecast(journey, EXACT, outcomes_only=True)
    for a, b in [*zip(full.personas.values(), light.personas.values(), strict=True), (full.audience, light.audience)]:
        assert (a.outcomes, a.no_outcome, a.success, a.expected_steps) == (
            b.outcomes,
            b.no_outcome,
            b.success,
            b.expected_steps,
        )
    assert list(full.personas) == list(light.personas) and full.goal == light.goal
