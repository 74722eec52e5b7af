"""The forecast engine against numbers computed another way: by hand (closed forms such as
p / (1 - q) for a retry loop), by explicit path enumeration, and by a dense exact solve."""

from __future__ import annotations

import json
import textwrap
from fractions import Fraction as F
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cjmap.analysis import forecast as engine
from cjmap.analysis.chain import build_chain, exact, traps
from cjmap.analysis.forecast import EXACT, FLOAT, ForecastError, compare, forecast, forecast_json
from cjmap.document import Loader
from cjmap.journey import Journey
from cjmap.model import JourneyMap
from cjmap.source import Limits
from cjmap.validate import Settings, check_stdin
from tests.conftest import EXAMPLES, TODAY, run_cli

HEAD = """\
cjmap: 1
id: f
title: Forecast test
flow: explicit
outcomes:
  - {id: bought, kind: success, value: 100}
  - {id: lost, kind: lost}
"""


def journey_of(body: str, head: str = HEAD) -> Journey:
    result = check_stdin(Loader(Limits()), textwrap.dedent(head + body).encode(), Settings(today=TODAY))
    errors = [str(d) for d in result.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    assert isinstance(result.journey_map, JourneyMap)
    return Journey.build(result.journey_map)


RETRY = """
stages:
  - id: pay
    touchpoints:
      - id: checkout
        decision:
          question: Does the payment go through?
          branches:
            - {when: Accepted, to: bought, probability: 0.6}
            - {when: Declined, tries again, to: checkout, probability: 0.3}
            - {when: Gives up, to: lost, probability: 0.1}
""".replace("Declined, tries again", '"Declined, tries again"')

BACK_AND_FORTH = """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [{to: t2, probability: 0.8}, {to: lost, probability: 0.2}]}
  - id: b
    touchpoints:
      - {id: t2, next: [{to: t1, probability: 0.5}, {to: bought, probability: 0.5}]}
"""

LOOP_OF_TWO = """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [t2]}
      - {id: t2, next: [{to: t1, probability: 0.5}, {to: bought, probability: 0.3}, {to: lost, probability: 0.2}]}
"""


def test_a_retry_loop_has_the_closed_form_p_over_one_minus_q() -> None:
    result = forecast(journey_of(RETRY), EXACT).personas[engine.EVERYONE]
    assert result.outcomes == {"bought": F(6, 7), "lost": F(1, 7)}  # 0.6 / (1 - 0.3), 0.1 / 0.7
    assert result.no_outcome == 0
    assert result.expected_steps == F(10, 7)  # 1 / (1 - 0.3) visits of the checkout
    assert result.reach == {"checkout": 1}


def test_the_most_likely_paths_go_round_the_loop_in_order() -> None:
    result = forecast(journey_of(RETRY), EXACT).personas[engine.EVERYONE]
    found = [(len(p.touchpoints), p.end, p.probability) for p in result.paths]
    assert found == [
        (1, "bought", F(6, 10)),
        (2, "bought", F(18, 100)),
        (1, "lost", F(1, 10)),
        (3, "bought", F(54, 1000)),
        (2, "lost", F(3, 100)),
    ]
    assert result.paths_complete


def test_a_loop_across_stages_gives_reach_visits_and_success_by_hand() -> None:
    # s1 = 0.8 s2, s2 = 0.5 + 0.5 s1 -> s1 = 2/3; v1 = 1 + 0.5 v2, v2 = 0.8 v1 -> v1 = 5/3, v2 = 4/3.
    result = forecast(journey_of(BACK_AND_FORTH), EXACT).personas[engine.EVERYONE]
    assert result.outcomes == {"bought": F(2, 3), "lost": F(1, 3)}
    assert result.expected_steps == 3
    assert result.reach == {"t1": 1, "t2": F(4, 5)}
    assert result.stage_reach == {"a": 1, "b": F(4, 5)}
    assert result.removal == {"t1": F(2, 3), "t2": F(2, 3)}


def test_ten_point_nudges_inside_a_loop_are_exact() -> None:
    result = forecast(journey_of(LOOP_OF_TWO), EXACT).personas[engine.EVERYONE]
    assert result.outcomes["bought"] == F(3, 5)  # 0.3 / (1 - 0.5)
    nudges = {(n.at, n.to): (n.down, n.up) for n in result.nudges}
    # bought 0.3 -> 0.4, the others scaled by 0.6 / 0.7: 0.4 / (1 - 3/7) = 7/10.
    # bought 0.3 -> 0.2, the others scaled by 0.8 / 0.7: 0.2 / (1 - 4/7) = 7/15.
    assert nudges[("t2", "bought")] == (F(7, 15) - F(3, 5), F(7, 10) - F(3, 5))
    # Going back more often changes nothing when the other ways keep their proportions.
    assert nudges[("t2", "t1")] == (F(0), F(0))
    # lost 0.2 -> 0.1, the others scaled by 0.9 / 0.8: 0.3375 / (1 - 0.5625) = 27/35: the largest move.
    assert nudges[("t2", "lost")][0] == F(27, 35) - F(3, 5)
    assert [(n.at, n.to) for n in result.nudges][:2] == [("t2", "lost"), ("t2", "bought")]


def test_a_nudge_on_a_self_loop() -> None:
    result = forecast(journey_of(RETRY), EXACT).personas[engine.EVERYONE]
    nudges = {(n.at, n.to): (n.down, n.up) for n in result.nudges}
    # accepted 0.6 -> 0.7: retry 0.3 * 0.3 / 0.4 = 0.225, success 0.7 / 0.775 = 28/31.
    assert nudges[("checkout", "bought")][1] == F(28, 31) - F(6, 7)


def test_per_persona_probabilities_entries_and_volumes() -> None:
    head = HEAD + textwrap.dedent(
        """\
        period: month
        currency: PLN
        goal: {text: Half of the entrants buy, outcome: bought, target: 0.5}
        personas:
          - {id: anna, name: Anna, volume: 300}
          - {id: piotr, name: Piotr, volume: 100}
        """
    )
    body = """
stages:
  - id: a
    touchpoints:
      - id: offer
        decision:
          question: Buy?
          branches:
            - {when: Yes, to: bought, probability: {anna: 0.8, piotr: 0.5}}
            - {when: No, to: lost}
      - {id: shop, entry: {piotr: 0.5}, next: [offer]}
"""
    result = forecast(journey_of(body.replace("Yes", '"Yes"').replace("No,", '"No",'), head), EXACT)
    anna, piotr = result.personas["anna"], result.personas["piotr"]
    assert anna.outcomes == {"bought": F(4, 5), "lost": F(1, 5)}
    assert piotr.outcomes == {"bought": F(1, 2), "lost": F(1, 2)}
    assert piotr.reach == {"offer": 1, "shop": F(1, 2)}
    assert piotr.expected_steps == F(3, 2)
    assert result.weighted_by_volume
    assert result.audience.outcomes["bought"] == F(3, 4) * F(4, 5) + F(1, 4) * F(1, 2)  # 0.725
    assert result.customers == {"bought": 290.0, "lost": 110.0}
    assert result.value == {"bought": 29_000.0}
    assert result.goal is not None and result.goal.met and result.goal.share == pytest.approx(0.725)
    assert result.goal.personas == {"anna": True, "piotr": True}


def test_a_touchpoint_with_no_way_forward_ends_with_no_outcome() -> None:
    body = """
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [{to: t2, probability: 0.25}, bought]}
      - {id: t2}
  - id: b
    touchpoints:
      - {id: t3, entry: true, next: [bought]}
"""
    head = HEAD.replace("flow: explicit\n", "")
    result = forecast(journey_of(body, head), EXACT).personas[engine.EVERYONE]
    # Entries t1 and t3 share the entrants equally; t2 would fall through to t3 in a
    # sequential map, so make the map explicit for t2 to end there.
    assert result.outcomes["bought"] + result.no_outcome == 1
    explicit = forecast(journey_of(body), EXACT).personas[engine.EVERYONE]
    assert explicit.no_outcome == F(1, 2) * F(1, 4)
    assert explicit.outcomes["bought"] == F(1, 2) * F(3, 4) + F(1, 2)


def test_a_variant_changes_one_way_and_the_others_keep_their_proportions() -> None:
    body = (
        LOOP_OF_TWO
        + """
experiments:
  - id: better-offer
    hypothesis: A better offer makes more people buy
    variants:
      - id: forty
        changes: [{at: t2, to: bought, probability: 0.4}]
"""
    )
    journey = journey_of(body)
    result = engine.forecast_with_variants(journey, EXACT, journey.map.experiments[0])
    assert result.variants["forty"].personas[engine.EVERYONE].outcomes["bought"] == F(7, 10)
    data = forecast_json(result)
    assert data["variants"]["forty"]["uplift"]["audience"]["bought"] == pytest.approx(10.0)


def test_a_variant_that_names_a_way_the_touchpoint_does_not_have_is_refused() -> None:
    body = (
        LOOP_OF_TWO
        + """
experiments:
  - id: e
    hypothesis: Skipping the second step helps
    variants:
      - {id: v, changes: [{at: t1, to: bought, probability: 0.4}]}
"""
    )
    # Validation reports it (unknown-reference); the engine refuses it too when called directly.
    import yaml

    journey = Journey.build(JourneyMap.model_validate(yaml.safe_load(HEAD + body)))
    with pytest.raises(ForecastError, match="'t1' has no way to 'bought' \\(its ways lead to 't2'\\)"):
        engine.forecast_with_variants(journey, EXACT, journey.map.experiments[0])


def test_a_loop_over_the_limit_is_refused_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "LOOP_LIMIT", 1)
    with pytest.raises(ForecastError, match="form one loop of 2 touchpoints"):
        forecast(journey_of(LOOP_OF_TWO), EXACT)


def test_compare_gives_deltas_per_persona_and_outcome() -> None:
    old = forecast(journey_of(LOOP_OF_TWO), EXACT)
    new = forecast(journey_of(BACK_AND_FORTH), EXACT)
    result = compare(old, new)
    delta = result.personas[engine.EVERYONE].outcomes["bought"]
    assert delta.old == pytest.approx(0.6) and delta.new == pytest.approx(2 / 3)
    assert delta.change == pytest.approx(2 / 3 - 0.6)


# --- property tests ------------------------------------------------------------------------

SHARES = st.integers(min_value=0, max_value=20).map(lambda n: n / 20)


@st.composite
def random_maps(draw: st.DrawFn, loops: bool) -> str:
    """A map of up to 6 touchpoints; each has up to 3 ways with probabilities that add up to 1.
    Without loops, ways only lead forward (a map whose paths can be enumerated)."""
    size = draw(st.integers(min_value=1, max_value=6))
    lines = ["stages:"]
    for i in range(size):
        if i % 2 == 0:
            lines += [f"  - id: s{i}", "    touchpoints:"]
        targets = [*(f"t{j}" for j in range(size) if loops or j > i), "bought", "lost"]
        ways = draw(st.lists(st.sampled_from(targets), min_size=0, max_size=3, unique=True))
        cuts = sorted(draw(st.lists(SHARES, min_size=max(len(ways) - 1, 0), max_size=max(len(ways) - 1, 0))))
        bounds = [0.0, *cuts, 1.0]
        probabilities = [round(bounds[k + 1] - bounds[k], 2) for k in range(len(ways))]
        items = ", ".join(f"{{to: {w}, probability: {p}}}" for w, p in zip(ways, probabilities, strict=True))
        entry = ", entry: true" if i > 0 and draw(st.booleans()) else ""
        lines.append(f"      - {{id: t{i}{entry}, next: [{items}]}}")
    return "\n".join(lines) + "\n"


def _forecastable(body: str) -> Journey | None:
    result = check_stdin(Loader(Limits()), (HEAD + body).encode(), Settings(today=TODAY))
    if any(d.severity.value == "error" for d in result.diagnostics) or result.journey_map is None:
        return None
    return Journey.build(result.journey_map)


def _enumerate(journey: Journey) -> list[tuple[list[str], str | None, F]]:
    """Every path of a loop-free map with its exact probability."""
    chain = build_chain(journey, None, exact, F(1))
    paths: list[tuple[list[str], str | None, F]] = []
    stack = [([tp], share) for tp, share in chain.entries.items()]
    while stack:
        walked, probability = stack.pop()
        ways = [(t, p) for t, p in chain.steps[walked[-1]] if p != 0]
        if not ways:
            paths.append((walked, None, probability))
        for target, p in ways:
            if target in chain.steps:
                stack.append(([*walked, target], probability * p))
            else:
                paths.append((walked, target, probability * p))
    return paths


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_maps(loops=False))
def test_a_map_without_loops_agrees_with_path_enumeration(body: str) -> None:
    journey = _forecastable(body)
    assume(journey is not None)
    assert journey is not None
    result = forecast(journey, EXACT).personas[engine.EVERYONE]
    paths = _enumerate(journey)
    for outcome in ("bought", "lost"):
        assert result.outcomes[outcome] == sum((p for _, end, p in paths if end == outcome), F(0))
    assert result.no_outcome == sum((p for _, end, p in paths if end is None), F(0))
    assert result.expected_steps == sum((len(w) * p for w, _, p in paths), F(0))
    for tp in journey.touchpoints:
        assert result.reach[tp] == sum((p for w, _, p in paths if tp in w), F(0))
        assert result.removal[tp] == sum((p for w, end, p in paths if tp in w and end == "bought"), F(0))
    for stage_id, (stage, _) in journey.stages.items():
        ids = {tp.id for tp in stage.touchpoints}
        assert result.stage_reach[stage_id] == sum((p for w, _, p in paths if ids & set(w)), F(0))
    best = sorted((p for _, _, p in paths), reverse=True)[: engine.TOP_PATHS]
    assert [p.probability for p in result.paths] == best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_maps(loops=True))
def test_with_loops_shares_add_up_and_both_engines_agree_with_a_dense_solve(body: str) -> None:
    journey = _forecastable(body)
    assume(journey is not None)
    assert journey is not None
    assume(not traps(build_chain(journey, None, exact, F(1))))
    exact_result = forecast(journey, EXACT).personas[engine.EVERYONE]
    float_result = forecast(journey, FLOAT).personas[engine.EVERYONE]
    assert sum(exact_result.outcomes.values(), F(0)) + exact_result.no_outcome == 1
    dense = _dense(journey)
    assert exact_result.outcomes == dense["outcomes"]
    assert exact_result.expected_steps == dense["steps"]
    assert exact_result.reach == dense["reach"]
    for name in ("outcomes", "reach", "removal", "stage_reach"):
        exact_values, float_values = getattr(exact_result, name), getattr(float_result, name)
        for key, value in exact_values.items():
            assert float(value) == pytest.approx(float_values[key], abs=1e-9)
    for a, b in zip(exact_result.nudges, float_result.nudges, strict=True):
        assert float(a.up) == pytest.approx(float(b.up), abs=1e-9)


def _dense(journey: Journey) -> dict[str, Any]:
    """A second method: the fundamental matrix N = (I - Q)^-1 by dense Gauss-Jordan over
    fractions; reach of t is visits(t) / N[t][t]."""
    chain = build_chain(journey, None, exact, F(1))
    states = list(chain.steps)
    n = len(states)
    where = {s: i for i, s in enumerate(states)}
    matrix = [[F(int(i == j)) for j in range(n)] + [F(int(i == j)) for j in range(n)] for i in range(n)]
    for s, ways in chain.steps.items():
        for target, p in ways:
            if target in where:
                matrix[where[s]][where[target]] -= p
    for col in range(n):
        pivot = next(r for r in range(col, n) if matrix[r][col] != 0)
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        factor = matrix[col][col]
        matrix[col] = [v / factor for v in matrix[col]]
        for r in range(n):
            if r != col and matrix[r][col] != 0:
                scale = matrix[r][col]
                matrix[r] = [a - scale * b for a, b in zip(matrix[r], matrix[col], strict=True)]
    fundamental = [row[n:] for row in matrix]
    start = [chain.entries.get(s, F(0)) for s in states]
    visits = [sum((start[i] * fundamental[i][j] for i in range(n)), F(0)) for j in range(n)]
    outcomes = {
        o: sum((visits[where[s]] * p for s, ways in chain.steps.items() for t, p in ways if t == o), F(0))
        for o in journey.outcomes
    }
    reach = {tp: F(0) for tp in journey.touchpoints}
    for s in states:
        reach[s] = visits[where[s]] / fundamental[where[s]][where[s]]
    return {"outcomes": outcomes, "steps": sum(visits, F(0)), "reach": reach}


# --- the command ---------------------------------------------------------------------------


def test_cli_text_output_of_an_example() -> None:
    result = run_cli("forecast", str(EXAMPLES / "saas-onboarding-as-is.yaml"))
    assert result.exit_code == 0, result.stderr
    assert "Subscribes to a paid plan      21.3%" in result.stdout
    assert "Goal: Raise the trial-to-paid conversion" in result.stdout and ": met." in result.stdout
    assert "Funnel per 1,000 entrants" in result.stdout
    assert "    Invites the team                       1,000           0       1,000       379" in result.stdout


def test_cli_json_keeps_the_contract_keys() -> None:
    result = run_cli(
        "forecast", str(EXAMPLES / "saas-onboarding-as-is.yaml"), "--experiment", "trial-ends-nudge", "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["map"] == "saas-onboarding-as-is"
    for persona in ("maya", "tom", "rita"):
        entry = data["personas"][persona]
        assert set(entry) >= {"outcomes", "no_outcome", "expected_steps", "reach"}
        assert all(0 <= p <= 1 for p in [*entry["outcomes"].values(), *entry["reach"].values(), entry["no_outcome"]])
        assert sum(entry["outcomes"].values()) + entry["no_outcome"] == pytest.approx(1)
    variant = data["variants"]["activity-summary"]
    assert set(variant["personas"]["maya"]) >= {"outcomes", "no_outcome", "expected_steps", "reach"}
    assert variant["uplift"]["audience"]["subscribed"] == pytest.approx(0.55 * 0.1 * 30 / 31 * 100)


@pytest.mark.parametrize("fmt", ["text", "md", "json", "csv"])
def test_cli_output_is_the_same_bytes_every_run(fmt: str) -> None:
    args = ("forecast", str(EXAMPLES / "saas-onboarding-as-is.yaml"), "--experiment", "trial-ends-nudge", "-f", fmt)
    first, second = run_cli(*args), run_cli(*args)
    assert first.exit_code == 0 and first.stdout == second.stdout and first.stdout


def test_cli_persona_filter_and_unknown_names() -> None:
    path = str(EXAMPLES / "saas-onboarding-as-is.yaml")
    one = json.loads(run_cli("forecast", path, "--persona", "tom", "-f", "json").stdout)
    assert list(one["personas"]) == ["tom"]
    missing = run_cli("forecast", path, "--persona", "nobody")
    assert missing.exit_code == 1 and "has no persona 'nobody' (its personas: maya, tom, rita)" in missing.stderr
    no_experiment = run_cli("forecast", path, "--experiment", "nope")
    assert no_experiment.exit_code == 1 and "has no experiment 'nope'" in no_experiment.stderr


def test_cli_refuses_a_map_with_errors_and_a_trap(write: Any) -> None:
    broken = write("broken.yaml", HEAD + "stages:\n  - id: a\n    touchpoints:\n      - {id: t1, next: [nowhere]}\n")
    result = run_cli("forecast", str(broken))
    assert result.exit_code == 1 and "CJM" in result.stderr and result.stdout == ""
    trap = write(
        "trap.yaml",
        HEAD + "stages:\n  - id: a\n    touchpoints:\n      - {id: t1, next: [t2, bought]}\n"
        "      - {id: t2, next: [t3]}\n      - {id: t3, next: [t2]}\n",
    )
    result = run_cli("forecast", str(trap))
    assert result.exit_code == 1
    assert "touchpoints 't2', 't3' form a trap" in result.stderr


def test_cli_compare_two_maps() -> None:
    result = run_cli(
        "forecast",
        "--compare",
        str(EXAMPLES / "saas-onboarding-as-is.yaml"),
        str(EXAMPLES / "saas-onboarding-to-be.yaml"),
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["old"] == "saas-onboarding-as-is" and data["new"] == "saas-onboarding-to-be"
    tom = data["personas"]["tom"]["outcomes"]["subscribed"]
    assert tom["delta"] == pytest.approx(tom["new"] - tom["old"])
    usage = run_cli("forecast", "--compare", str(EXAMPLES / "saas-onboarding-as-is.yaml"))
    assert usage.exit_code == 2 and "exactly two maps" in usage.stderr


PERSONA_HEAD = HEAD + "personas:\n  - {id: anna, name: Anna, volume: 10}\n  - {id: piotr, name: Piotr}\n"


@st.composite
def persona_maps(draw: st.DrawFn) -> str:
    """Maps with persona-specific touchpoints, probabilities and entries, sequential or not,
    valid or not: whatever the author writes, the command answers with a forecast or a message."""
    size = draw(st.integers(min_value=1, max_value=5))
    flow = draw(st.sampled_from(["", "flow: sequential\n"]))
    lines = [flow + "stages:"]
    for i in range(size):
        if i % 2 == 0:
            lines += [f"  - id: s{i}", "    touchpoints:"]
        parts = [f"id: t{i}"]
        choices: list[list[str] | None] = [None, ["anna"], ["piotr"], ["anna", "piotr"]]
        personas = draw(st.sampled_from(choices))
        if personas:
            parts.append(f"personas: [{', '.join(personas)}]")
        entry = draw(st.sampled_from([None, "true", "0.5", "{anna: 1}", "{piotr: 0.3}"]))
        if entry and i > 0:
            parts.append(f"entry: {entry}")
        targets = [*(f"t{j}" for j in range(size)), "bought", "lost"]
        ways = draw(st.lists(st.sampled_from(targets), max_size=3, unique=True))
        empty_next: bool = draw(st.booleans())  # `next: []`: a dead end written out
        if ways or empty_next:
            items = []
            for way in ways:
                probability = draw(st.sampled_from([None, "0.5", "0.3", "{anna: 0.8, piotr: 0.2}", "{anna: 0.2}"]))
                items.append(f"{{to: {way}, probability: {probability}}}" if probability else way)
            parts.append(f"next: [{', '.join(items)}]")
        lines.append("      - {" + ", ".join(parts) + "}")
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(persona_maps())
def test_any_map_gets_a_forecast_or_a_clear_refusal(body: str) -> None:
    result = run_cli("forecast", "-", "-f", "json", input=PERSONA_HEAD + body)
    assert result.exit_code in (0, 1), result.stderr
    if result.exit_code == 1:
        assert "error" in result.stderr and result.stdout == ""
        return
    data = json.loads(result.stdout)
    for persona in data["personas"].values():
        total = sum(persona["outcomes"].values()) + persona["no_outcome"]
        assert total == pytest.approx(1, abs=1e-9)
        assert all(0 <= p <= 1 + 1e-12 for p in persona["reach"].values())
        assert all(-1e-12 <= p <= 1 + 1e-12 for p in persona["stages"].values())
