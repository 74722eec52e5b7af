"""Hunting whole classes of hostile input: any odd scalar in any field of a valid map gives
findings or a rendering, never an exception; any text from a map reaches a terminal inert."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjmap.document import Loader
from cjmap.render.formats import FORMATS, RenderInputs
from cjmap.rule_ids import INTERNAL
from cjmap.safe_text import inert
from cjmap.source import Limits
from cjmap.validate import Settings, check_stdin

TODAY = date(2026, 11, 23)
# A valid map with a placeholder for each field a hostile value is put into.
TEMPLATE = """\
cjmap: 1
id: hostile
title: {title}
goal: {goal}
locale: {locale}
review: {{last: {last}, every: {every}}}
emotion_scale: [{low}, {high}]
personas:
  - {{id: anna, name: {persona}, age: {age}, data: [email]}}
stages:
  - id: s
    name: {stage}
    touchpoints:
      - id: a
        name: {name}
        channel: email
        emotion: {emotion}
        pain_points: [{{text: {pain}, severity: high}}]
        kpis: [{{name: {kpi}, target: {target}, actual: {actual}}}]
        decision:
          question: {question}
          branches:
            - {{when: {when}, to: b, probability: {probability}}}
            - {{when: Other, to: done}}
      - {{id: b, name: B, emotion: {emotion2}}}
outcomes:
  - {{id: done, kind: success}}
"""
DEFAULTS = {
    "title": "T",
    "goal": "G",
    "locale": "en",
    "last": "2026-01-01",
    "every": "4 months",
    "low": "-2",
    "high": "2",
    "persona": "Anna",
    "age": "30",
    "stage": "S",
    "name": "A",
    "emotion": "1",
    "pain": "P",
    "kpi": "K",
    "target": "1",
    "actual": "2",
    "question": "Q?",
    "when": "W",
    "probability": "0.5",
    "emotion2": "-1",
}
FIELDS = sorted(DEFAULTS)

# Odd scalars as a careless or hostile author writes them in YAML (flow context safe).
HOSTILE = st.one_of(
    st.sampled_from(
        [
            ".nan",
            ".inf",
            "-.inf",
            "1e400",
            "-1e400",
            "1" + "0" * 400,
            "-1" + "0" * 400,
            "0x7fffffffffffffff",
            "9999-12-31",
            "0001-01-01",
            "2026-02-30",
            "yes",
            "no",
            "on",
            "~",
            "null",
            "''",
            '""',
            "[]",
            "{}",
            "'\\u202e'",
            '"\\u202e evil"',
            '"\\e[31mred"',
            '"a\\nb"',
            '"\\0"',
            '"\\x07"',
            '"\\t"',
            '"\\u2028"',
            "!!str 1",
            "!!float 1",
            "!!int 7",
            "-0",
            "0.0",
            "1_000",
            "+1",
            "0o17",
            "'#x'",
            "'%'",
            "'&a'",
            "'::error file=x::y'",
            "'title Hijacked'",
            "'section X'",
            "'</td><script>alert(1)</script>'",
            "99999999999999999999 days",
            "0 months",
            "-1 months",
            "1000000 years",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(min_size=1, max_size=30).map(lambda t: '"' + t.encode("unicode_escape").decode().replace('"', '\\"') + '"'),
)


def _map(values: dict[str, str]) -> bytes:
    return TEMPLATE.format(**{**DEFAULTS, **values}).encode("utf-8")


def test_the_template_is_a_valid_map() -> None:
    result = check_stdin(Loader(Limits()), _map({}), Settings(today=TODAY))
    assert result.journey is not None and not result.has_errors, result.diagnostics


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), HOSTILE, min_size=1, max_size=3))
def test_a_hostile_scalar_anywhere_is_a_finding_or_a_rendering(values: dict[str, str]) -> None:
    result = check_stdin(Loader(Limits()), _map(values), Settings(today=TODAY))
    assert all(d.rule != INTERNAL for d in result.diagnostics), result.diagnostics
    for finding in result.diagnostics:
        assert finding.line >= 1 and finding.col >= 1
    if result.journey is None or result.has_errors:
        return
    inputs = RenderInputs(today=TODAY)
    for output in FORMATS.values():
        if output.make is not None:
            assert output.make(result.journey, inputs)


@given(st.text())
def test_inert_text_has_no_control_or_bidi_character(text: str) -> None:
    shown = inert(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert not any(c in shown for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u2028\u2029")
    if text.isprintable() and not any(c in text for c in "\u202e\u200e\u200f\u061c"):
        assert shown == text  # ordinary text reads exactly as written
