"""Properties of cjmap diff over generated maps: a map against itself is empty, diff(a, b) mirrors
diff(b, a), and every report renders deterministically within its size cap."""

from __future__ import annotations

import copy
from typing import Any
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from cjmap.analysis import diff as diff_module
from cjmap.analysis.diff import MapDiff, diff_maps
from cjmap.analysis.diff_report import render_json, render_markdown, render_text
from cjmap.journey import Journey
from cjmap.model import JourneyMap

WORDS = ["delivery", "cost", "basket", "size", "guide", "late", "price", "card", "login", "slow"]
PERSONAS = ["anna", "piotr", "ola"]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
emotions = st.one_of(
    st.none(),
    st.integers(-2, 2),
    st.dictionaries(st.sampled_from(PERSONAS), st.integers(-2, 2), min_size=1, max_size=3),
)


@st.composite
def maps(draw: st.DrawFn) -> dict[str, Any]:
    stage_ids = draw(st.lists(st.sampled_from(["s0", "s1", "s2"]), min_size=1, max_size=3, unique=True))
    tp_ids = draw(st.lists(st.sampled_from([f"tp{i}" for i in range(8)]), max_size=8, unique=True))
    stages: dict[str, list[dict[str, Any]]] = {s: [] for s in stage_ids}
    for tp_id in tp_ids:
        touchpoint: dict[str, Any] = {
            "id": tp_id,
            "name": draw(st.sampled_from(["Pays", "Browses", "Reads"])),
            "channel": draw(st.sampled_from(["web", "email", "app"])),
            "emotion": draw(emotions),
            "pain_points": [
                {"text": text, "severity": severity}
                for text, severity in draw(
                    st.lists(st.tuples(texts, st.sampled_from(["low", "medium", "high", "critical"])), max_size=3)
                )
            ],
            "opportunities": draw(st.lists(texts, max_size=2)),
            "kpis": [
                {"name": name, "target": target, "actual": actual, "better": better}
                for name, target, actual, better in draw(
                    st.lists(
                        st.tuples(
                            st.sampled_from(["CTR", "Open rate"]),
                            st.none() | st.integers(0, 10),
                            st.none() | st.integers(0, 10),
                            st.sampled_from(["higher", "lower"]),
                        ),
                        max_size=2,
                    )
                )
            ],
        }
        if draw(st.booleans()):
            branches = draw(st.lists(st.sampled_from(["done", *tp_ids]), min_size=1, max_size=3, unique=True))
            touchpoint["decision"] = {
                "question": draw(texts),
                "branches": [
                    {"when": draw(texts), "to": to, "probability": draw(st.sampled_from([0.2, 0.5]))} for to in branches
                ],
            }
        stages[draw(st.sampled_from(stage_ids))].append(touchpoint)
    return {
        "cjmap": 1,
        "id": draw(st.sampled_from(["a", "b"])),
        "title": draw(st.sampled_from(["Old", "New"])),
        "state": draw(st.sampled_from(["as-is", "to-be"])),
        "personas": [{"id": p, "name": p.title()} for p in draw(st.lists(st.sampled_from(PERSONAS), unique=True))],
        "outcomes": [{"id": "done", "kind": "success"}],
        "stages": [{"id": s, "name": s.upper(), "touchpoints": stages[s]} for s in stage_ids],
    }


def build(data: dict[str, Any]) -> Journey:
    return Journey.build(JourneyMap.model_validate(data))


@settings(max_examples=150, deadline=None)
@given(maps())
def test_a_map_against_itself_has_no_changes(data: dict[str, Any]) -> None:
    diff = diff_maps(build(data), build(data))
    assert diff.empty, diff
    assert render_text(diff).endswith(": no changes\n")


def _mirror(forward: MapDiff, backward: MapDiff) -> None:
    assert [t.id for t in forward.touchpoints.added] == [t.id for t in backward.touchpoints.removed]
    assert [t.id for t in forward.touchpoints.removed] == [t.id for t in backward.touchpoints.added]
    assert {(m.id, m.from_stage, m.to_stage) for m in forward.touchpoints.moved} == {
        (m.id, m.to_stage, m.from_stage) for m in backward.touchpoints.moved
    }
    assert forward.pain_points.added == backward.pain_points.resolved
    assert forward.pain_points.resolved == backward.pain_points.added
    assert forward.opportunities.added == backward.opportunities.dropped
    assert {(e.touchpoint, e.persona, e.old, e.new) for e in forward.emotion} == {
        (e.touchpoint, e.persona, e.new, e.old) for e in backward.emotion
    }
    assert forward.stages.added == backward.stages.removed
    assert forward.personas.added == backward.personas.removed
    assert {(k.touchpoint, k.name) for k in forward.kpis if k.status == "added"} == {
        (k.touchpoint, k.name) for k in backward.kpis if k.status == "removed"
    }


@settings(max_examples=200, deadline=None)
@given(maps(), maps())
def test_diff_a_b_mirrors_diff_b_a(a: dict[str, Any], b: dict[str, Any]) -> None:
    _mirror(diff_maps(build(a), build(b)), diff_maps(build(b), build(a)))


@settings(max_examples=100, deadline=None)
@given(maps(), maps(), st.integers(1_000, 5_000))
def test_reports_are_deterministic_and_within_the_cap(a: dict[str, Any], b: dict[str, Any], cap: int) -> None:
    diff = diff_maps(build(a), build(b))
    again = diff_maps(build(a), build(b))
    assert render_json(diff) == render_json(again)
    assert render_text(diff) == render_text(again)
    markdown = render_markdown(diff, max_chars=cap)
    assert len(markdown) <= cap
    assert markdown == render_markdown(again, max_chars=cap)


class _EveryTouchpointCompared(diff_module._Where):
    """The diff's stage lookup with its shortcut off: no touchpoint counts as equal."""

    def __init__(self, old: Journey, new: Journey) -> None:
        super().__init__(old, new)
        self.equal = set()


def _revision(base: dict[str, Any], other: dict[str, Any], picks: list[int]) -> dict[str, Any]:
    """`base` with each touchpoint kept (pick 0), replaced by `other`'s touchpoint of the same id
    where it has one (1), or moved, unchanged, to the end of the first stage (2)."""
    theirs = {t["id"]: t for s in other["stages"] for t in s["touchpoints"]}
    revised = copy.deepcopy(base)
    moved: list[dict[str, Any]] = []
    choices = iter(picks)
    for stage in revised["stages"]:
        kept = []
        for touchpoint in stage["touchpoints"]:
            pick = next(choices, 0)
            if pick == 1 and touchpoint["id"] in theirs:
                kept.append(copy.deepcopy(theirs[touchpoint["id"]]))
            elif pick == 2:
                moved.append(touchpoint)
            else:
                kept.append(touchpoint)
        stage["touchpoints"] = kept
    revised["stages"][0]["touchpoints"] += moved
    return revised


@settings(max_examples=200, deadline=None)
@given(maps(), maps(), st.lists(st.integers(0, 2), max_size=8))
def test_untouched_touchpoints_are_skipped_without_changing_the_diff(
    base: dict[str, Any], other: dict[str, Any], picks: list[int]
) -> None:
    # diff_maps compares no further a touchpoint whose model is equal on both sides; with that
    # shortcut off, every part of the diff must come out the same.
    revised = _revision(base, other, picks)
    shortcut = diff_maps(build(base), build(revised))
    with patch.object(diff_module, "_Where", _EveryTouchpointCompared):
        compared = diff_maps(build(base), build(revised))
    assert shortcut == compared
    assert render_json(shortcut) == render_json(compared)


def _pairs_by_difflib(old: list[str], new: list[str]) -> list[tuple[int, int, float]]:
    """diff_match.pair's greedy pairing with difflib's own bounds asked of every pair (the oracle)."""
    from difflib import SequenceMatcher

    from cjmap.analysis.diff_match import THRESHOLD, normalise

    candidates = []
    for i, x in enumerate(old):
        for j, y in enumerate(new):
            a, b = sorted((normalise(x), normalise(y)))
            if a == b:
                candidates.append((-1.0, a, b, min(i, j), max(i, j), i, j))
                continue
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            if matcher.real_quick_ratio() < THRESHOLD or matcher.quick_ratio() < THRESHOLD:
                continue
            if (ratio := matcher.ratio()) >= THRESHOLD:
                candidates.append((-ratio, a, b, min(i, j), max(i, j), i, j))
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    pairs = []
    for negative, *_, i, j in sorted(candidates):
        if i not in taken_old and j not in taken_new:
            taken_old.add(i)
            taken_new.add(j)
            pairs.append((i, j, -negative))
    return sorted(pairs)


similar_texts = st.lists(st.sampled_from([*WORDS, "Delivery", "costs", "baskets"]), min_size=1, max_size=6).map(
    " ".join
)


@settings(max_examples=300, deadline=None)
@given(st.lists(similar_texts, max_size=6), st.lists(similar_texts, max_size=6))
def test_pairing_filters_as_difflib_does(old: list[str], new: list[str]) -> None:
    from cjmap.analysis import diff_match

    paired = diff_match.pair(old, new, lambda text: text, lambda text: 0, set(), set())
    expected = _pairs_by_difflib(old, new)
    # Identical texts pair first, in order, in pair(); the oracle ranks them first too (ratio 1).
    assert sorted((i, j) for i, j, _ in paired) == sorted((i, j) for i, j, _ in expected)
    assert {(i, j): r for i, j, r in paired} == {(i, j): r for i, j, r in expected}


@settings(max_examples=150, deadline=None)
@given(maps(), maps())
def test_elements_are_equal_exactly_when_pydantic_says_so(a: dict[str, Any], b: dict[str, Any]) -> None:
    # model.Element.__eq__ is pydantic's answer without the checks no element needs.
    from pydantic import BaseModel

    first, second = JourneyMap.model_validate(a), JourneyMap.model_validate(b)
    touchpoints = [*first.touchpoints(), *second.touchpoints()]
    elements: list[BaseModel] = [*touchpoints, *first.stages, *second.stages]
    elements += [item for t in touchpoints for item in (*t.pain_points, *t.kpis)]
    for x in elements:
        for y in elements:
            assert (x == y) is BaseModel.__eq__(x, y)
            assert (x != y) is not BaseModel.__eq__(x, y)
    assert first == JourneyMap.model_validate(a) and (first == second) is BaseModel.__eq__(first, second)
