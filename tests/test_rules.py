"""Each journey rule: a map that breaks it, and the same map fixed, which does not."""

from __future__ import annotations

import pytest

from cjmap.rules import REGISTRY, journey_rules, lookup
from tests.conftest import check, rules_of

HEAD = """\
cjmap: 1
id: rule-test
title: Rule test
personas:
  - {id: anna, name: Anna, data: [email]}
  - {id: piotr, name: Piotr, data: [email, phone]}
outcomes:
  - {id: bought, kind: success}
"""

# rule -> (failing map body, passing map body, line the failure is reported on)
CASES: dict[str, tuple[str, str, int]] = {
    "CJM101": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, channel: emial, next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, channel: email, next: [bought]}
""",
        13,
    ),
    "CJM102": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [bought]}
      - {id: t1, next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1}
      - {id: t2, next: [bought]}
""",
        14,
    ),
    "CJM103": (
        """
stages:
  - id: a
    touchpoints:
      - id: t1
        decision:
          question: Buy?
          branches:
            - {when: Cheap, to: bought, probability: 0.6}
            - {when: Dear, to: t2, probability: 0.3}
      - {id: t2, next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - id: t1
        decision:
          question: Buy?
          branches:
            - {when: Cheap, to: bought, probability: 0.7}
            - {when: Dear, to: t2, probability: 0.3}
      - {id: t2, next: [bought]}
""",
        17,
    ),
    "CJM104": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [t3]}
      - {id: t2}
      - {id: t3, next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [t3]}
      - {id: t2, entry: true}
      - {id: t3, next: [bought]}
""",
        14,
    ),
    "CJM105": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: []}
  - id: b
    touchpoints:
      - {id: t2, entry: true, next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [t2]}
  - id: b
    touchpoints:
      - {id: t2, next: [bought]}
""",
        13,
    ),
    "CJM106": (
        """
stages:
  - id: a
  - id: b
    touchpoints:
      - {id: t1, next: [bought]}
""",
        """
stages:
  - id: b
    touchpoints:
      - {id: t1, next: [bought]}
""",
        11,
    ),
    "CJM107": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, personas: [anna], next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, personas: [anna, piotr], next: [bought]}
""",
        6,
    ),
    "CJM108": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, channel: sms, next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t0, channel: web, collects: [phone]}
      - {id: t1, channel: sms, next: [bought]}
""",
        13,
    ),
    "CJM114": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, emotion: {anna: 1}, next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, emotion: {anna: 1, piotr: 0}, next: [bought]}
""",
        13,
    ),
    "CJM109": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, emotion: {anna: 3, piotr: 0}, next: [bought]}
""",
        """
emotion_scale: [-3, 3]
stages:
  - id: a
    touchpoints:
      - {id: t1, emotion: {anna: 3, piotr: 0}, next: [bought]}
""",
        13,
    ),
    "CJM110": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, emotion: -1, pain_points: [Slow page], next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, emotion: -1, pain_points: [Slow page], opportunities: [Cache the page], next: [bought]}
""",
        13,
    ),
    "CJM111": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, kpis: [Open rate], next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, kpis: [{name: Open rate, target: 40}], next: [bought]}
""",
        13,
    ),
    "CJM112": (
        """
review: {last: 2026-01-10, every: 4 months}
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [bought]}
""",
        """
review: {last: 2026-09-10, every: 4 months}
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [bought]}
""",
        10,
    ),
    "CJM113": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [bought]}
""",
        8,
    ),
}


def test_every_journey_rule_has_a_case() -> None:
    assert sorted(CASES) == [rule.id for rule in journey_rules()]


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_failing_case_reports_the_rule_at_its_line(rule_id: str) -> None:
    failing, _, line = CASES[rule_id]
    diagnostics = check(HEAD + failing)
    assert rules_of(diagnostics) == [rule_id], [str(d) for d in diagnostics]
    assert diagnostics[0].line == line
    assert diagnostics[0].severity is REGISTRY[rule_id].severity


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_passing_case_is_clean(rule_id: str) -> None:
    _, passing, _ = CASES[rule_id]
    assert check(HEAD + passing) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_can_be_silenced_on_the_element(rule_id: str) -> None:
    failing, _, _ = CASES[rule_id]
    silenced = HEAD.replace("title: Rule test", f"title: Rule test\nignore: [{REGISTRY[rule_id].name}]")
    assert check(silenced + failing) == []


def test_rules_have_docs_and_unique_names() -> None:
    names = [rule.name for rule in REGISTRY.values()]
    assert len(names) == len(set(names))
    for rule in journey_rules():
        assert len(rule.doc) > 80, rule.id
        assert lookup(rule.name) is rule and lookup(rule.id.lower()) is rule


def test_suppression_on_a_stage_covers_its_touchpoints() -> None:
    body = """
stages:
  - id: a
    ignore: [CJM111]
    touchpoints:
      - {id: t1, kpis: [Open rate], next: [bought]}
"""
    assert check(HEAD + body) == []


def test_suppression_elsewhere_does_not_leak() -> None:
    body = """
stages:
  - id: a
    touchpoints:
      - {id: t0, ignore: [CJM111], kpis: [CTR]}
      - {id: t1, kpis: [Open rate], next: [bought]}
"""
    assert [d.line for d in check(HEAD + body)] == [14]


def test_unknown_rule_in_ignore_is_reported_with_a_suggestion() -> None:
    body = """
ignore: [kpi-without-targt]
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [bought]}
"""
    (diagnostic,) = check(HEAD + body)
    assert diagnostic.rule == "CJM101"
    assert "did you mean 'kpi-without-target'?" in diagnostic.message


def test_review_uses_the_given_day() -> None:
    from datetime import date

    body = CASES["CJM112"][1]
    assert check(HEAD + body, today=date(2027, 1, 11)) != []
    assert check(HEAD + body, today=date(2027, 1, 10)) == []


def test_sequential_flow_falls_through_and_explicit_does_not() -> None:
    body = """
stages:
  - id: a
    touchpoints:
      - {id: t1}
  - id: b
    touchpoints:
      - {id: t2, next: [bought]}
"""
    assert check(HEAD + body) == []
    explicit = check(HEAD + "flow: explicit\n" + body)
    assert rules_of(explicit) == ["CJM104", "CJM105"]


def test_stage_as_a_target_means_its_first_touchpoint() -> None:
    body = """
flow: explicit
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [b]}
  - id: b
    touchpoints:
      - {id: t2, next: [bought]}
"""
    assert check(HEAD + body) == []


def test_partial_probabilities_leave_room_for_the_rest() -> None:
    body = """
stages:
  - id: a
    touchpoints:
      - id: t1
        decision:
          question: Buy?
          branches:
            - {when: Cheap, to: bought, probability: %s}
            - {when: Dear, to: t2}
      - {id: t2, next: [bought]}
"""
    assert check(HEAD + body % "0.6") == []
    assert rules_of(check(HEAD + body % "1.0")) == ["CJM103"]


# CJM108 follows each persona's own path in journey order (anna holds only email).
def _data_case(touchpoints: str) -> list[str]:
    body = "\nstages:\n  - id: a\n    touchpoints:\n" + touchpoints
    return [d.message for d in check(HEAD + body) if d.rule == "CJM108"]


def test_data_collected_later_on_the_path_does_not_count() -> None:
    messages = _data_case(
        "      - {id: t1, channel: sms}\n      - {id: t2, channel: web, collects: [phone], next: [bought]}\n"
    )
    assert len(messages) == 1
    assert "persona 'anna' does not have by then (it is collected only at 't2', on or after this step)" in messages[0]


def test_data_collected_where_the_persona_never_goes_does_not_count() -> None:
    messages = _data_case(
        "      - {id: t0, channel: web, personas: [piotr], collects: [phone]}\n"
        "      - {id: t1, channel: sms, next: [bought]}\n"
    )
    assert len(messages) == 1 and "persona 'anna'" in messages[0] and "collected only" not in messages[0]


def test_data_collected_earlier_on_the_persona_path_counts() -> None:
    assert (
        _data_case(
            "      - {id: t0, channel: web, personas: [anna], collects: [phone]}\n"
            "      - {id: t1, channel: sms, next: [bought]}\n"
        )
        == []
    )


def test_data_the_persona_holds_counts_and_the_touchpoint_own_data_too() -> None:
    assert _data_case("      - {id: t1, channel: sms, personas: [piotr], next: [bought]}\n") == []
    messages = _data_case(
        "      - {id: t1, channel: web, data: [loyalty-id], collects: [loyalty-id], next: [bought]}\n"
    )
    # Collected at the same step is not collected before it: both personas lack it there.
    assert len(messages) == 2 and all("this touchpoint needs 'loyalty-id'" in m for m in messages)


def test_an_emotion_for_everyone_or_for_every_persona_involved_is_complete() -> None:
    body = """
stages:
  - id: a
    touchpoints:
      - {id: t0, emotion: 1}
      - {id: t1, personas: [piotr], emotion: {piotr: -1}}
      - {id: t2, emotion: {anna: 1}, next: [bought]}
"""
    found = [d for d in check(HEAD + body) if d.rule == "CJM114"]
    assert [(d.line, "'piotr'" in d.message) for d in found] == [(15, True)]
