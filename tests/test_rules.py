"""Each journey rule: a map that breaks it, and the same map fixed, which does not."""

from __future__ import annotations

import pytest

from cjmap.diagnostics import Severity
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
    "CJM120": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, entry: 0.5, next: [bought]}
      - {id: t2, entry: 0.2, next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, entry: 0.8, next: [bought]}
      - {id: t2, entry: 0.2, next: [bought]}
""",
        13,
    ),
    "CJM121": (
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [t2]}
      - {id: t2, personas: [anna], next: [bought]}
""",
        """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [{to: t2, probability: {anna: 1, piotr: 0}}, {to: bought, probability: {piotr: 1, anna: 0}}]}
      - {id: t2, personas: [anna], next: [bought]}
""",
        13,
    ),
    "CJM122": (
        """
stages:
  - id: a
    touchpoints:
      - id: t1
        decision:
          question: Pay?
          branches:
            - {when: Card works, to: bought, probability: 0.9}
            - {when: Card declined, to: t2, probability: 0.1}
      - {id: t2, next: [t3]}
      - {id: t3, next: [t2]}
""",
        """
stages:
  - id: a
    touchpoints:
      - id: t1
        decision:
          question: Pay?
          branches:
            - {when: Card works, to: bought, probability: 0.9}
            - {when: Card declined, to: t2, probability: 0.1}
      - {id: t2, next: [t3]}
      - {id: t3, next: [{to: t2, probability: 0.5}, t1]}
""",
        19,
    ),
}


# Rules that need a measurement (validate --measured): their cases are in test_measured.py.
MEASURED_RULES = {"CJM130"}


def test_every_journey_rule_has_a_case() -> None:
    assert sorted(CASES) == [rule.id for rule in journey_rules() if rule.id not in MEASURED_RULES]


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


def test_probabilities_per_persona_are_checked_per_persona() -> None:
    body = """
stages:
  - id: a
    touchpoints:
      - id: t1
        decision:
          question: Buy?
          branches:
            - {when: Cheap, to: bought, probability: {anna: 0.6, piotr: %s}}
            - {when: Dear, to: t2, probability: {anna: 0.4, piotr: 0.5}}
      - {id: t2, next: [bought]}
"""
    assert check(HEAD + body % "0.5") == []
    (finding,) = check(HEAD + body % "0.7")
    assert finding.rule == "CJM103"
    assert "add up to 1.2, not 1" in finding.message and "(for piotr)" in finding.message


def test_shares_of_a_persona_led_off_its_path_are_checked_too() -> None:
    # t1 involves only piotr, but t0 leads anna there (off-path-step warns), and anna's own
    # share to `bought` and the shared one back to t1 leave nothing for the way to t0: the
    # forecast gave anna 160% before (hypothesis found it).
    body = """
stages:
  - id: s0
    touchpoints:
      - {id: t0, next: [t0, t1]}
      - id: t1
        personas: [piotr]
        next: [t0, {to: t1, probability: 0.5}, {to: bought, probability: {anna: %s, piotr: 0.2}}]
"""
    found = [d for d in check(HEAD + body % "0.8") if d.severity is Severity.ERROR]
    assert len(found) == 1 and found[0].rule == "CJM103"
    assert "add up to 1.3" in found[0].message and "(for anna)" in found[0].message
    assert [d for d in check(HEAD + body % "0.4") if d.severity is Severity.ERROR] == []


def test_next_items_with_probabilities_share_one_hundred_percent() -> None:
    body = """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [{to: t2, probability: 0.7}, {to: bought, probability: %s}]}
      - {id: t2, next: [bought]}
"""
    assert check(HEAD + body % "0.3") == []
    (finding,) = check(HEAD + body % "0.4")
    assert "the probabilities of the ways out of 't1' add up to 1.1" in finding.message


def test_a_trap_names_its_touchpoints_and_its_personas() -> None:
    body = CASES["CJM122"][0].replace("- {id: t3, next: [t2]}", "- {id: t3, personas: [anna], next: [t2]}")
    (finding,) = [d for d in check(HEAD + body) if d.rule == "CJM122"]
    assert "touchpoints 't2', 't3' form a trap for anna, piotr" in finding.message


def test_a_persona_written_twice_is_named_once() -> None:
    body = CASES["CJM121"][0].replace("- {id: t1, next: [t2]}", "- {id: t1, personas: [piotr, piotr], next: [t2]}")
    (finding,) = [d for d in check(HEAD + body) if d.rule == "CJM121"]
    assert "'t1' leads piotr to 't2', which does not involve this persona" in finding.message


def test_a_self_loop_with_no_way_out_is_a_trap_but_a_dead_end_is_not() -> None:
    looping = """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [t1, bought]}
      - {id: t2, entry: true, next: [t2]}
"""
    assert rules_of(check(HEAD + looping)) == ["CJM122"]
    ending = HEAD + "flow: explicit\nstages:\n  - id: a\n    touchpoints:\n      - {id: t1}\n"
    assert "CJM122" not in rules_of(check(ending))


def test_sequential_flow_skips_the_touchpoints_of_other_personas() -> None:
    from cjmap.journey import Journey
    from cjmap.model import JourneyMap

    journey_map = JourneyMap.model_validate(
        {
            "cjmap": 1,
            "id": "m",
            "title": "M",
            "personas": [{"id": "anna", "name": "Anna"}, {"id": "piotr", "name": "Piotr"}],
            "stages": [
                {"id": "a", "touchpoints": [{"id": "t1"}, {"id": "t2", "personas": ["piotr"]}]},
                {"id": "b", "personas": ["anna"], "touchpoints": [{"id": "t3"}, {"id": "t4", "personas": ["piotr"]}]},
            ],
        }
    )
    journey = Journey.build(journey_map)
    assert [e.target for e in journey.edges_for("t1", "anna")] == ["t3"]
    assert [e.target for e in journey.edges_for("t1", "piotr")] == ["t2"]
    assert [e.target for e in journey.edges_for("t2", "piotr")] == ["t4"]
    assert journey.edges_for("t3", "anna") == []
    assert [e.target for e in journey.edges["t1"]] == ["t2"]  # the shared view the renderers draw
    assert journey.personas_of(journey_map.stages[1].touchpoints[0]) == ["anna"]


def test_entries_are_per_persona_with_their_shares() -> None:
    from cjmap.journey import Journey
    from cjmap.model import JourneyMap

    journey_map = JourneyMap.model_validate(
        {
            "cjmap": 1,
            "id": "m",
            "title": "M",
            "personas": [{"id": "anna", "name": "Anna"}, {"id": "piotr", "name": "Piotr"}],
            "stages": [
                {
                    "id": "a",
                    "touchpoints": [
                        {"id": "t1", "personas": ["anna"]},
                        {"id": "t2", "entry": 0.25},
                        {"id": "t3", "entry": {"piotr": 1}},
                        {"id": "t4", "entry": True},
                    ],
                }
            ],
        }
    )
    journey = Journey.build(journey_map)
    assert journey.entry_shares("anna") == {"t1": None, "t2": 0.25, "t4": None}
    assert journey.entry_shares("piotr") == {"t2": 0.25, "t3": 1.0, "t4": None}
    assert journey.entries() == ["t1", "t2", "t3", "t4"]


def test_the_forecast_fields_name_known_ids() -> None:
    body = """
goal: {text: Half buy, outcome: boguht, target: 0.5}
stages:
  - id: a
    personas: [ana]
    touchpoints:
      - {id: t1, entry: {anan: 1}, next: [{to: t2, probability: {anne: 1}}]}
      - {id: t2, next: [bought]}
experiments:
  - id: e
    hypothesis: Buying straight away
    variants:
      - {id: v, changes: [{at: t1, to: bought, probability: 0.5}, {at: x, to: t2, probability: 0.5}]}
"""
    diagnostics = check(HEAD + body)
    messages = [d.message for d in diagnostics if d.rule == "CJM101"]
    assert "unknown outcome 'boguht'; did you mean 'bought'?" in messages
    assert "unknown persona 'ana'; did you mean 'anna'?" in messages
    assert "unknown persona 'anan'; did you mean 'anna'?" in messages
    assert "unknown persona 'anne'; did you mean 'anna'?" in messages
    assert any(m.startswith("'t1' has no way to 'bought' (its ways lead to t2)") for m in messages)
    assert "unknown touchpoint 'x': name a touchpoint" in messages


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
