"""A chain without loops gets its component order from the search that builds it (no pass of
Tarjan's algorithm): the order, and so every figure of the forecast to the last bit, must be the
ones Tarjan's algorithm gives, on maps with and without loops."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from fractions import Fraction as F
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cjmap.analysis import forecast as engine
from cjmap.analysis.chain import Chain, N, build_chain, exact, floating
from cjmap.analysis.forecast import EXACT, FLOAT, ForecastError, forecast
from cjmap.analysis.scc import components
from cjmap.journey import Journey
from cjmap.model import JourneyMap
from tests.test_journey_tables import journey_maps

PERSONAS = ["anna", "piotr", "maya"]


@st.composite
def branching_maps(draw: st.DrawFn, loops: bool) -> JourneyMap:
    """Maps of up to 25 touchpoints whose written ways fork to later touchpoints (several
    entries, so a search does not follow journey order), with ways back only when `loops`."""
    personas = draw(st.lists(st.sampled_from(PERSONAS), max_size=3, unique=True))
    count = draw(st.integers(1, 25))
    touchpoints: list[dict[str, Any]] = []
    for index in range(count):
        touchpoint: dict[str, Any] = {"id": f"t{index}"}
        if draw(st.booleans()) and personas:
            touchpoint["personas"] = draw(st.lists(st.sampled_from(personas), min_size=1, max_size=2, unique=True))
        if index and draw(st.integers(0, 3)) == 0:
            touchpoint["entry"] = draw(st.sampled_from([True, 0.3, 0.5]))
        ahead = [f"t{i}" for i in range(0 if loops else index + 1, count)]
        if draw(st.integers(0, 2)):
            ways = draw(st.lists(st.sampled_from([*ahead, "bought", "lost"]), min_size=1, max_size=3, unique=True))
            shares = st.none() | st.sampled_from([0.0, 0.25, 0.5])
            touchpoint["next"] = [way if (p := draw(shares)) is None else {"to": way, "probability": p} for way in ways]
        touchpoints.append(touchpoint)
    cut = draw(st.integers(0, count))
    return JourneyMap.model_validate(
        {
            "cjmap": 1,
            "id": "m",
            "title": "M",
            "flow": draw(st.sampled_from(["sequential", "explicit"])),
            "personas": [{"id": p, "name": p.title()} for p in personas],
            "outcomes": [{"id": "bought", "kind": "success"}, {"id": "lost", "kind": "lost"}],
            "stages": [{"id": "s0", "touchpoints": touchpoints[:cut]}, {"id": "s1", "touchpoints": touchpoints[cut:]}],
        }
    )


def general(chain: Chain[N]) -> Chain[N]:
    """The same chain with nothing found while building it: its loops come from Tarjan's algorithm."""
    return Chain(chain.persona, chain.entries, chain.steps, chain.outcomes, chain.zero, chain.one)


def general_path() -> AbstractContextManager[Any]:
    """The forecast with every chain on the general path."""
    return mock.patch.object(engine, "build_chain", lambda *args: general(build_chain(*args)))


def forecast_or_refusal(journey: Journey, numbers: Any, outcomes_only: bool) -> Any:
    try:
        return forecast(journey, numbers, outcomes_only=outcomes_only)
    except ForecastError as problem:
        return str(problem)


def assert_same_chain_both_ways(journey: Journey, persona: str | None, convert: Callable[[float], N], one: N) -> None:
    chain: Chain[N] = build_chain(journey, persona, convert, one)
    slow = general(chain)
    assert chain.loops() == slow.loops() == components([*chain.entries, *chain.steps], slow.successors)
    assert {tp: chain.successors(tp) for tp in chain.steps} == {tp: slow.successors(tp) for tp in slow.steps}
    # The search finds a way back exactly when the chain has a loop of several touchpoints.
    assert (chain.topological is None) == any(len(loop) > 1 for loop in slow.loops())
    if chain.topological is None:
        event("a loop: Tarjan's algorithm")
    elif list(chain.topological) != list(chain.steps):
        event("no loop, an order other than the journey's")


def assert_fast_path_is_the_general_path(journey_map: JourneyMap) -> None:
    journey = Journey.build(journey_map)
    for persona in [*journey.persona_ids(), "ghost"]:
        assert_same_chain_both_ways(journey, persona, floating, 1.0)
        assert_same_chain_both_ways(journey, persona, exact, F(1))
    for numbers in (EXACT, FLOAT):
        for outcomes_only in (False, True):
            fast = forecast_or_refusal(Journey.build(journey_map), numbers, outcomes_only)
            with general_path():
                slow = forecast_or_refusal(Journey.build(journey_map), numbers, outcomes_only)
            assert fast == slow  # floats compared bit for bit


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans().flatmap(lambda loops: branching_maps(loops)))
def test_a_chain_without_loops_is_ordered_as_tarjans_algorithm_orders_it(journey_map: JourneyMap) -> None:
    assert_fast_path_is_the_general_path(journey_map)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey_maps())
def test_the_fast_path_holds_on_maps_with_duplicated_ids_and_any_entries(journey_map: JourneyMap) -> None:
    assert_fast_path_is_the_general_path(journey_map)


def test_the_order_follows_the_search_not_the_journey() -> None:
    """Two entries: the search starts from the first and finishes the second last, so the second
    entry comes first in the order, though the journey lists it last."""
    journey_map = JourneyMap.model_validate(
        {
            "cjmap": 1,
            "id": "m",
            "title": "M",
            "flow": "explicit",
            "outcomes": [{"id": "bought", "kind": "success"}],
            "stages": [
                {
                    "id": "s",
                    "touchpoints": [
                        {"id": "a", "next": ["b"]},
                        {"id": "b", "next": ["bought"]},
                        {"id": "c", "entry": True, "next": ["b"]},
                    ],
                }
            ],
        }
    )
    chain = build_chain(Journey.build(journey_map), None, floating, 1.0)
    assert chain.topological == ("c", "a", "b")
    assert chain.loops() == general(chain).loops() == [["c"], ["a"], ["b"]]
