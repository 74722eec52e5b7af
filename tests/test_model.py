"""The format's short forms, defaults and messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjmap.model import JourneyMap, Review
from tests.conftest import check, rules_of

BASE = """\
cjmap: 1
id: model-test
title: Model test
stages:
  - id: a
    touchpoints:
"""


def load(touchpoint: str) -> JourneyMap:
    import yaml

    return JourneyMap.model_validate(yaml.safe_load(BASE + touchpoint))


def test_short_forms_expand_to_long_forms() -> None:
    m = load(
        "      - id: t\n"
        "        pain_points: [Slow]\n"
        "        opportunities: [Faster]\n"
        "        kpis: [CTR]\n"
        "        content: [Hello]\n"
        "        next: b\n"
        "        emotion: 1\n"
    )
    tp = m.stages[0].touchpoints[0]
    assert tp.pain_points[0].text == "Slow" and tp.pain_points[0].severity == "medium"
    assert tp.opportunities[0].impact == "medium"
    assert tp.kpis[0].name == "CTR" and tp.kpis[0].target is None
    assert tp.content[0].text == "Hello"
    assert tp.next == ["b"]
    assert tp.emotion_for("anyone") == 1


def test_per_persona_emotion() -> None:
    tp = load("      - {id: t, emotion: {anna: -1, piotr: 2}}\n").stages[0].touchpoints[0]
    assert tp.emotion_for("anna") == -1 and tp.emotion_for("piotr") == 2 and tp.emotion_for("x") is None


def test_evidence_short_form() -> None:
    tp = load("      - {id: t, pain_points: [{text: Slow, evidence: observed}]}\n").stages[0].touchpoints[0]
    evidence = tp.pain_points[0].evidence
    assert evidence is not None and evidence.kind == "observed"


@pytest.mark.parametrize(
    ("kpi", "on_target"),
    [
        ("{name: CTR, target: 2, actual: 3}", True),
        ("{name: CTR, target: 2, actual: 1}", False),
        ("{name: Bounce, target: 40, actual: 30, better: lower}", True),
        ("{name: Bounce, target: 40}", None),
    ],
)
def test_kpi_status(kpi: str, on_target: bool | None) -> None:
    tp = load(f"      - {{id: t, kpis: [{kpi}]}}\n").stages[0].touchpoints[0]
    assert tp.kpis[0].on_target() is on_target


@pytest.mark.parametrize(
    ("every", "due"),
    [
        ("4 months", date(2026, 5, 31)),
        ("1 year", date(2027, 1, 31)),
        ("6 weeks", date(2026, 3, 14)),
        ("1 month", date(2026, 2, 28)),
    ],
)
def test_review_due_date(every: str, due: date) -> None:
    assert Review(last=date(2026, 1, 31), every=every).due() == due


@pytest.mark.parametrize(
    ("fragment", "words"),
    [
        (
            "      - {id: Touch Point}\n",
            "'Touch Point' is not a valid id: use lowercase letters, digits and '-', e.g. 'touch-point'",
        ),
        ("      - {id: t, emotion: happy}\n", "emotion must be a number"),
        ("      - {id: t, emotion: true}\n", "emotion must be a number"),
        ("      - {id: t, pain_points: [{text: x, severity: huge}]}\n", "expected one of: low, medium, high, critical"),
        ("      - {id: t, pain_points: [{text: x, severity: hihg}]}\n", "did you mean 'high'?"),
        ("      - {id: t, action: no}\n", "put the text in quotes"),
        ("      - {id: t, decision: {question: Buy?, branches: []}}\n", "'branches' must not be empty"),
        (
            "      - {id: t, decision: {question: Buy?, branches: [{when: x, to: y, probability: 1.5}]}}\n",
            "less than or equal to 1",
        ),
        (  # a whole number too large for a float: a finding, not a crash
            "      - {id: t, decision: {question: Buy?, branches: [{when: x, to: y, probability: 1"
            + "0" * 400
            + "}]}}\n",
            "(401 digits) is not",
        ),
    ],
)
def test_schema_messages(fragment: str, words: str) -> None:
    diagnostics = check(BASE + fragment)
    assert rules_of(diagnostics) == ["CJM010"]
    assert words in diagnostics[0].message


def test_map_level_messages() -> None:
    assert (
        "must go from low to high"
        in check(BASE.replace("title: Model test", "title: M\nemotion_scale: [2, -2]") + "      - {id: t}\n")[0].message
    )
    cadence = check(
        BASE.replace("title: Model test", "title: M\nreview: {last: 2026-01-01, every: often}") + "      - {id: t}\n"
    )
    assert "not like '4 months'" in cadence[0].message
    version = check(BASE.replace("cjmap: 1", "cjmap: 2") + "      - {id: t}\n")
    assert "expected one of: 1" in version[0].message


def test_unknown_top_level_key_lists_what_is_allowed_when_nothing_is_close() -> None:
    (diagnostic,) = check(BASE + "      - {id: t}\nzzzzzz: 1\n")
    assert "unknown field 'zzzzzz'; allowed here:" in diagnostic.message
    assert "personas" in diagnostic.message


# A whole-number emotion is made a float before validation (the common case skips trying the
# per-persona form): it must be what the number field itself makes of it, and everything else
# (a boolean, a number too large for a float, text) fails as it did.
EMOTION_SHORT_CUT = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.sampled_from([2**53, -(2**53), 2**53 + 1, 10**400, True, False, 0, -0]),
    st.floats(allow_nan=False),
    st.dictionaries(st.sampled_from(["anna", "piotr"]), st.integers(-3, 3), max_size=2),
    st.text(max_size=3),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(EMOTION_SHORT_CUT)
def test_an_emotion_reads_as_the_number_field_reads_it(value: object) -> None:
    from pydantic import TypeAdapter, ValidationError

    from cjmap.model import Emotion, Touchpoint

    def outcome(validate: Callable[[], object]) -> object:
        try:
            found = validate()
        except ValidationError:
            return "refused"
        return (type(found), found, {k: type(v) for k, v in found.items()} if isinstance(found, dict) else None)

    general = TypeAdapter(Emotion | None)
    shape = value is None or (type(value) in (int, float)) or isinstance(value, dict)  # what the model lets through
    expected = outcome(lambda: general.validate_python(value)) if shape else "refused"
    assert outcome(lambda: Touchpoint.model_validate({"id": "t", "emotion": value}).emotion) == expected
