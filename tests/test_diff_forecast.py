"""The forecast delta in `cjmap diff`: the same numbers as `cjmap forecast --compare`, a refused
forecast as one line, and `--fail-on forecast-drop:N` on both sides of its threshold."""

from __future__ import annotations

import json
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from cjmap.analysis.diff import diff_maps
from cjmap.analysis.diff_forecast import forecast_delta
from cjmap.analysis.diff_gate import failures, parse_conditions
from cjmap.analysis.diff_report import render_markdown, render_text
from cjmap.analysis.forecast import LOOP_LIMIT
from cjmap.journey import Journey
from cjmap.model import JourneyMap
from tests.conftest import EXAMPLES, ROOT, run_cli

AS_IS = str(EXAMPLES / "saas-onboarding-as-is.yaml")
TO_BE = str(EXAMPLES / "saas-onboarding-to-be.yaml")
SHOP_V1 = str(ROOT / "tests" / "diff" / "shop-v1.yaml")
SHOP_V2 = str(ROOT / "tests" / "diff" / "shop-v2.yaml")

SHOP = """
cjmap: 1
id: shop
title: Shop
personas:
  - {id: anna, name: Anna}
  - {id: piotr, name: Piotr}
outcomes: [{id: bought, kind: success}, {id: lost, kind: lost}]
stages:
  - id: buy
    touchpoints:
      - id: basket
        emotion: 0
        decision:
          question: Pays?
          branches:
            - {when: Has a discount, to: checkout, probability: 0.6}
            - {when: Finds it cheaper elsewhere, to: lost, probability: 0.4}
      - id: checkout
        emotion: 1
        next: [bought]
"""


def journey(text: str) -> Journey:
    return Journey.build(JourneyMap.model_validate(yaml.safe_load(textwrap.dedent(text))))


def delta_json(old: str, new: str) -> dict[str, object]:
    result = run_cli("diff", old, new, "-f", "json")
    assert result.exit_code == 0, result.stderr
    forecast: dict[str, object] = json.loads(result.stdout)["forecast"]
    return forecast


@pytest.mark.parametrize(("old", "new"), [(AS_IS, TO_BE), (TO_BE, AS_IS), (SHOP_V1, SHOP_V2)])
def test_the_numbers_are_the_forecast_commands_own(old: str, new: str) -> None:
    compared = run_cli("forecast", "--compare", old, new, "-f", "json")
    assert compared.exit_code == 0, compared.stderr
    expected = json.loads(compared.stdout)
    forecast = delta_json(old, new)
    assert forecast["personas"] == expected["personas"]
    assert forecast["audience"] == expected["audience"]
    assert forecast["refused"] is None and forecast["arithmetic"] == {"old": "exact", "new": "exact"}
    # The text and Markdown show those numbers, rounded as the forecast command rounds them.
    text = run_cli("diff", old, new).stdout
    markdown = run_cli("diff", old, new, "-f", "md").stdout
    success = expected["audience"]["success"]
    shown = f"{success['old'] * 100:.1f}% → {success['new'] * 100:.1f}%"
    assert f"the audience: success {shown}" in text
    assert f"| The audience | {shown}" in markdown


def test_the_saas_pair_against_exact_fractions() -> None:
    """Every persona of the as-is map succeeds with 33/155 (its trial loop, solved exactly); in
    the to-be map Maya with 3/5, Tom with 3/10, and the audience (volumes 400/900/150) 12/29."""
    forecast = delta_json(AS_IS, TO_BE)

    def share(value: Fraction) -> float:
        return round(float(value), 10)

    maya = forecast["personas"]["maya"]["success"]  # type: ignore[index]
    assert maya == {"old": share(Fraction(33, 155)), "new": share(Fraction(3, 5)), "delta": share(Fraction(12, 31))}
    tom = forecast["personas"]["tom"]["success"]  # type: ignore[index]
    assert (tom["old"], tom["new"]) == (share(Fraction(33, 155)), share(Fraction(3, 10)))
    audience = forecast["audience"]["success"]  # type: ignore[index]
    assert (audience["old"], audience["new"]) == (share(Fraction(33, 155)), share(Fraction(12, 29)))
    assert share((Fraction(3, 5) * 400 + Fraction(3, 10) * 900 + Fraction(3, 5) * 150) / 1450) == audience["new"]


def test_a_shop_pair_against_exact_fractions() -> None:
    better = SHOP.replace("probability: 0.6", "probability: 0.75").replace("probability: 0.4", "probability: 0.25")
    delta = forecast_delta(journey(SHOP), journey(better), exact_up_to=500)
    assert delta is not None and delta.comparison is not None
    for side in (*delta.comparison.personas.values(), delta.comparison.audience):
        assert (side.success.old, side.success.new) == (float(Fraction(3, 5)), float(Fraction(3, 4)))
        assert side.outcomes["lost"].new == 0.25
    diff = diff_maps(journey(SHOP), journey(better), delta)
    assert (
        "the audience: success 60.0% → 75.0% (+15.0 pts); bought 60.0% → 75.0% (+15.0 pts); lost 40.0% → "
        "25.0% (−15.0 pts)" in render_text(diff)
    )
    assert "| Anna | 60.0% → 75.0% (+15.0 pts) |" in render_markdown(diff)


def test_the_float_engine_above_the_forecast_commands_limit_gives_the_same_shares() -> None:
    exact = forecast_delta(journey(SHOP), journey(SHOP.replace("0.6", "0.5").replace("0.4", "0.5")), 500)
    floating = forecast_delta(journey(SHOP), journey(SHOP.replace("0.6", "0.5").replace("0.4", "0.5")), 1)
    assert exact is not None and floating is not None
    assert exact.arithmetic == ("exact", "exact") and floating.arithmetic == ("float", "float")
    assert exact.to_json()["audience"] == floating.to_json()["audience"]


def test_maps_without_outcomes_have_no_forecast_and_an_unchanged_one_is_no_change() -> None:
    plain = "cjmap: 1\nid: m\ntitle: M\nstages: [{id: s, touchpoints: [{id: a, emotion: 0}]}]\n"
    assert forecast_delta(journey(plain), journey(plain.replace("emotion: 0", "emotion: 1")), 500) is None
    same = forecast_delta(journey(SHOP), journey(SHOP), 500)
    assert same is not None and not same
    assert diff_maps(journey(SHOP), journey(SHOP), same).empty
    felt = SHOP.replace("emotion: 1", "emotion: 2")
    text = render_text(diff_maps(journey(SHOP), journey(felt), forecast_delta(journey(SHOP), journey(felt), 500)))
    assert "forecast" not in text and "emotion went from +1 to +2" in text  # no line for an unchanged forecast


def test_a_refused_forecast_gives_the_diff_without_it_and_says_why() -> None:
    trapped = SHOP.replace("next: [bought]", "next: [basket]").replace("to: lost", "to: checkout")
    delta = forecast_delta(journey(SHOP), journey(trapped), 500)
    assert delta is not None and delta.comparison is None and not delta
    assert delta.refused is not None and delta.refused.startswith("the new map 'shop' cannot be forecast: ")
    diff = diff_maps(journey(SHOP), journey(trapped), delta)
    text = render_text(diff)
    assert text.count("forecast not compared: the new map 'shop' cannot be forecast") == 1
    assert "stage buy" in text  # the rest of the diff stands
    assert diff.to_json()["forecast"]["personas"] is None
    assert failures(diff, parse_conditions(["forecast-drop:1"])) == []


def a_long_loop(count: int, leave: str) -> str:
    """A map whose touchpoints form one loop of `count`: the last one goes back to the first."""
    lines = ["cjmap: 1", "id: loop", "title: Loop", "outcomes: [{id: done, kind: success}]", "stages:", "  - id: s"]
    lines.append("    touchpoints:")
    for index in range(count - 1):
        lines.append(f"      - {{id: t{index}, next: [t{index + 1}]}}")
    lines += [
        f"      - id: t{count - 1}",
        "        decision:",
        "          question: Again?",
        "          branches:",
        f"            - {{when: Again, to: t0, probability: {1 - float(leave)}}}",
        f"            - {{when: Done, to: done, probability: {leave}}}",
    ]
    return "\n".join(lines) + "\n"


def test_a_loop_too_large_is_one_line_on_the_command_line_not_an_error(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(a_long_loop(LOOP_LIMIT + 1, "0.5"), encoding="utf-8")
    new.write_text(a_long_loop(LOOP_LIMIT + 1, "0.25"), encoding="utf-8")
    result = run_cli("diff", str(old), str(new), "--fail-on", "forecast-drop:1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("forecast not compared: the old map 'loop' cannot be forecast: ") == 1
    assert f"one loop of {LOOP_LIMIT + 1} touchpoints" in result.stdout
    assert "branch to t0: probability went from 50% to 75%" in result.stdout
    assert "--fail-on forecast-drop:1 not checked: the old map 'loop'" in result.stderr
    data = json.loads(run_cli("diff", str(old), str(new), "-f", "json").stdout)["forecast"]
    assert data["personas"] is None and data["refused"].startswith("the old map 'loop' cannot be forecast")


def test_forecast_drop_on_both_sides_of_its_threshold() -> None:
    """To-be -> as-is: Maya's success falls from 3/5 to 33/155, 12/31 = 38.71 points; the
    audience's from 12/29 to 33/155, 20.09 points."""
    fails = run_cli("diff", TO_BE, AS_IS, "--fail-on", "forecast-drop:38.7")
    assert fails.exit_code == 1
    assert fails.stderr == (
        "cjmap: --fail-on forecast-drop:38.7: Maya Chen's success forecast went from 60.0% to 21.3% "
        "(38.7097 points down)\n"
    )
    assert run_cli("diff", TO_BE, AS_IS, "--fail-on", "forecast-drop:38.71").exit_code == 0
    audience = run_cli("diff", TO_BE, AS_IS, "--fail-on", "forecast-drop:20")
    assert audience.exit_code == 1 and "Maya Chen's" in audience.stderr  # the largest fall is named
    assert run_cli("diff", TO_BE, AS_IS, "--fail-on", "forecast-drop").exit_code == 1  # any fall
    # The as-is -> to-be direction only rises: no threshold fails.
    assert run_cli("diff", AS_IS, TO_BE, "--fail-on", "forecast-drop").exit_code == 0


def test_forecast_drop_of_one_persona_only() -> None:
    """Piotr falls from 60% to 50%, exactly 10 points: more than 9.9, not more than 10."""
    worse = SHOP.replace("probability: 0.6}", "probability: {anna: 0.6, piotr: 0.5}}").replace(
        "probability: 0.4}", "probability: {anna: 0.4, piotr: 0.5}}"
    )
    diff = diff_maps(journey(SHOP), journey(worse), forecast_delta(journey(SHOP), journey(worse), 500))
    assert failures(diff, parse_conditions(["forecast-drop:9.9"])) == [
        "--fail-on forecast-drop:9.9: Piotr's success forecast went from 60.0% to 50.0% (10 points down)"
    ]
    assert failures(diff, parse_conditions(["forecast-drop:10"])) == []
    assert failures(diff, parse_conditions(["forecast-drop:4.9"]))[0].startswith("--fail-on forecast-drop:4.9: Piotr")


def test_persona_names_in_the_forecast_never_carry_control_characters() -> None:
    hostile = SHOP.replace("name: Anna", 'name: "An\\e[31mna\\x07"')
    better = hostile.replace("probability: 0.6", "probability: 0.7").replace("probability: 0.4", "probability: 0.3")
    diff = diff_maps(journey(hostile), journey(better), forecast_delta(journey(hostile), journey(better), 500))
    for shown in (render_text(diff), render_markdown(diff)):
        assert "\x1b" not in shown and "\x07" not in shown
    assert "  An[31mna: success 60.0% → 70.0% (+10.0 pts)" in render_text(diff)
