"""cjmap diff: golden reports for the shipped as-is/to-be pair and hand-made revisions, the words a
reviewer reads, matching of texts without ids, --fail-on, the Markdown size cap."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from cjmap.analysis.diff import MapDiff, diff_maps
from cjmap.analysis.diff_gate import ConditionError, failures, parse_conditions
from cjmap.analysis.diff_match import THRESHOLD, similarity
from cjmap.analysis.diff_report import MARKER, render_markdown, render_text
from cjmap.journey import Journey
from cjmap.model import JourneyMap
from tests.conftest import EXAMPLES, ROOT, assert_golden, run_cli

AS_IS = str(EXAMPLES / "saas-onboarding-as-is.yaml")
TO_BE = str(EXAMPLES / "saas-onboarding-to-be.yaml")
SHOP_V1 = str(ROOT / "tests" / "diff" / "shop-v1.yaml")
SHOP_V2 = str(ROOT / "tests" / "diff" / "shop-v2.yaml")


def journey(text: str) -> Journey:
    import yaml

    return Journey.build(JourneyMap.model_validate(yaml.safe_load(textwrap.dedent(text))))


def diff_of(old: str, new: str) -> MapDiff:
    return diff_maps(journey(old), journey(new))


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
@pytest.mark.parametrize(
    ("name", "old", "new"), [("saas-onboarding", AS_IS, TO_BE), ("shop", SHOP_V1, SHOP_V2)], ids=["saas", "shop"]
)
def test_golden_reports(fmt: str, name: str, old: str, new: str) -> None:
    result = run_cli("diff", old, new, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert_golden(f"diff/{name}.{fmt}", result.stdout)


def test_json_keeps_the_contract_keys() -> None:
    data = json.loads(run_cli("diff", AS_IS, TO_BE, "-f", "json").stdout)
    assert data["old"] == "saas-onboarding-as-is" and data["new"] == "saas-onboarding-to-be"
    assert {"added", "removed", "moved", "changed"} <= set(data["touchpoints"])
    assert data["touchpoints"]["added"] == [
        "community-answer",
        "bulk-invite",
        "template-board",
        "webinar",
        "check-in-call",
    ]
    assert data["touchpoints"]["removed"] == ["invite-team", "empty-board", "welcome-email", "trial-ends"]
    assert {"resolved", "added"} <= set(data["pain_points"])
    assert {"touchpoint": "comparison-article", "persona": None, "old": 0, "new": 1} in data["emotion"]
    assert {"touchpoint": "pricing-page", "persona": "maya", "old": -1, "new": 1} in data["emotion"]
    assert isinstance(data["kpis"], list)
    assert data["forecast"]["refused"] is None and "audience" in data["forecast"]  # see test_diff_forecast.py


def test_the_as_is_to_be_pair_diffs_by_touchpoint_id_although_the_map_ids_differ() -> None:
    diff = diff_maps(_load(AS_IS), _load(TO_BE))
    assert (diff.old, diff.new) == ("saas-onboarding-as-is", "saas-onboarding-to-be")
    assert not diff.touchpoints.moved
    assert {c.id for c in diff.touchpoints.changed} == {"comparison-article", "pricing-page", "sign-up", "checkout"}
    resolved = {p.text for p in diff.pain_points.resolved}
    assert "No bulk invite or import from Google Workspace" in resolved
    # The KPI went with the touchpoint that replaced empty-board in the same stage.
    kpi = next(k for k in diff.kpis if k.name == "Created first project in 24 h")
    assert (kpi.old_touchpoint, kpi.touchpoint, kpi.status) == ("empty-board", "template-board", "changed")


def _load(path: str) -> Journey:
    from cjmap.document import Loader
    from cjmap.source import Limits
    from cjmap.validate import Settings, check_path
    from tests.conftest import TODAY

    result = check_path(Loader(Limits()), Path(path), path, Settings(today=TODAY))
    assert result.journey_map is not None
    return Journey.build(result.journey_map)


BASE = """
cjmap: 1
id: shop
title: Shop
personas:
  - {id: anna, name: Anna}
  - {id: piotr, name: Piotr}
outcomes: [{id: bought, kind: success}]
stages:
  - id: buy
    touchpoints:
      - id: checkout
        emotion: {anna: -1, piotr: 0}
        pain_points: [{text: Delivery cost appears only in the basket, severity: high}]
        kpis: [{name: Bounce rate, unit: "%", target: 2, actual: 5, better: lower}]
        next: [bought]
"""


def _with(old: str, new: str) -> str:
    return BASE.replace(old, new)


def test_the_reviewers_sentence() -> None:
    diff = diff_of(BASE, _with("{anna: -1, piotr: 0}", "{anna: 1, piotr: 0}"))
    assert "checkout's emotion for Anna went from −1 to +1" in render_text(diff)
    assert [(e.persona, e.old, e.new) for e in diff.emotion] == [("anna", -1, 1)]
    assert diff.stage_emotion[0].old == Fraction(-1, 2) and diff.stage_emotion[0].new == Fraction(1, 2)


def test_a_shared_value_and_per_persona_values_compare_persona_by_persona() -> None:
    diff = diff_of(BASE, _with("{anna: -1, piotr: 0}", "0"))
    assert [(e.persona, e.old, e.new) for e in diff.emotion] == [("anna", -1, 0)]
    shared = diff_of(_with("{anna: -1, piotr: 0}", "-1"), _with("{anna: -1, piotr: 0}", "1"))
    assert [(e.persona, e.old, e.new) for e in shared.emotion] == [(None, -1, 1)]


def test_identical_maps_say_no_changes_and_exit_0() -> None:
    result = run_cli("diff", AS_IS, AS_IS)
    assert result.exit_code == 0
    assert result.stdout == "saas-onboarding-as-is: no changes\n"
    md = run_cli("diff", AS_IS, AS_IS, "-f", "md").stdout
    assert md.startswith(MARKER) and "No changes." in md
    assert json.loads(run_cli("diff", AS_IS, AS_IS, "-f", "json").stdout)["changed"] is False


def test_kpi_gap_respects_the_better_direction() -> None:
    closed = diff_of(BASE, _with("actual: 5, better: lower", "actual: 1.5, better: lower")).kpis[0]
    assert (closed.old_gap, closed.new_gap, closed.gap, closed.gap_closed) == (3, 0, "closed", True)
    widened = diff_of(BASE, _with("actual: 5, better: lower", "actual: 7, better: lower")).kpis[0]
    assert (widened.gap, widened.new_gap) == ("widened", 5)
    higher = diff_of(BASE, _with("actual: 5, better: lower", "actual: 7")).kpis[0]
    assert higher.gap == "closed"  # 7 >= 2 once higher is better
    assert "the target is met now" in render_text(diff_of(BASE, _with("actual: 5,", "actual: 1,")))


def test_texts_are_matched_by_similarity_above_the_threshold() -> None:
    reworded = "The delivery cost appears only in the basket"
    assert similarity("Delivery cost appears only in the basket", reworded) >= THRESHOLD
    diff = diff_of(
        BASE, _with("Delivery cost appears only in the basket, severity: high", f"{reworded}, severity: critical")
    )
    assert not diff.pain_points.resolved and not diff.pain_points.added
    (change,) = diff.pain_points.changed
    assert (change.old_severity, change.severity, change.text) == ("high", "critical", reworded)
    unrelated = "Returns policy is hard to find"
    assert similarity("Delivery cost appears only in the basket", unrelated) < THRESHOLD
    diff = diff_of(BASE, _with("Delivery cost appears only in the basket", unrelated))
    assert [p.text for p in diff.pain_points.resolved] == ["Delivery cost appears only in the basket"]
    assert [p.text for p in diff.pain_points.added] == [unrelated]


def test_case_and_spacing_do_not_make_a_change_of_text_unmatched() -> None:
    diff = diff_of(BASE, _with("Delivery cost appears only in the basket", "delivery  cost appears ONLY in the basket"))
    assert len(diff.pain_points.changed) == 1 and not diff.pain_points.resolved


def test_greedy_matching_takes_the_best_pair_first_and_breaks_ties_by_order() -> None:
    two = _with(
        "[{text: Delivery cost appears only in the basket, severity: high}]",
        "[{text: Delivery cost appears late, severity: low}, {text: Delivery cost appears late, severity: high}]",
    )
    diff = diff_of(
        two,
        _with(
            "[{text: Delivery cost appears only in the basket, severity: high}]",
            "[{text: Delivery cost appears late!, severity: high}]",
        ),
    )
    # Both old items are equally close to the new one: the earlier (low) is paired, the later resolved.
    assert [(c.old_severity, c.severity) for c in diff.pain_points.changed] == [("low", "high")]
    assert [p.severity for p in diff.pain_points.resolved] == ["high"]


def test_decision_branches_and_probabilities() -> None:
    old = BASE.replace(
        "        next: [bought]",
        "        decision:\n          question: Pay?\n          branches:\n"
        "            - {when: Pays, to: bought, probability: 0.4}\n"
        "            - {when: Walks away, to: lost, probability: 0.6}",
    ).replace("outcomes: [{id: bought, kind: success}]", "outcomes: [{id: bought, kind: success}, {id: lost}]")
    new = old.replace("probability: 0.4", "probability: 0.7").replace(
        "{when: Walks away, to: lost, probability: 0.6}", "{when: Walks away, to: lost, probability: 0.3}"
    )
    (decision,) = diff_of(old, new).decisions
    assert [(b.to, b.old_probability, b.new_probability) for b in decision.branches] == [
        ("bought", 0.4, 0.7),
        ("lost", 0.6, 0.3),
    ]
    assert "branch to bought: probability went from 40% to 70%" in render_text(diff_of(old, new))


def test_fail_on_conditions() -> None:
    drop = diff_of(BASE, _with("{anna: -1, piotr: 0}", "{anna: -2, piotr: 0}"))
    assert failures(drop, parse_conditions(["emotion-drop"])) == [
        "--fail-on emotion-drop: checkout's emotion for Anna went from -1 to -2"
    ]
    assert failures(drop, parse_conditions(["emotion-drop:2"])) == []
    assert failures(drop, parse_conditions(["stage-emotion-drop:0.5"]))  # -1/2 -> -1
    added = diff_of(BASE, _with("severity: high}]", "severity: high}, {text: Card declined twice, severity: medium}]"))
    assert failures(added, parse_conditions(["pain-added:high"])) == []
    assert failures(added, parse_conditions(["pain-added:medium,any"])) == [
        "--fail-on pain-added:medium: pain point added at checkout: 'Card declined twice' (medium)",
        "--fail-on any: shop changed",
    ]
    raised = diff_of(BASE, _with("severity: high", "severity: critical"))
    assert failures(raised, parse_conditions(["pain-added:critical"]))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("bogus", "unknown --fail-on condition 'bogus': use one of any, emotion-drop"),
        ("pain-added:severe", "the severity is one of low, medium, high, critical"),
        ("emotion-drop:x", "'x' is not a number"),
        ("emotion-drop:0", "must be above 0"),
        ("any:1", "takes no value"),
        ("forecast-drop:x", "'x' is not a number"),
        ("forecast-drop:0", "must be above 0"),
        ("forecast-drop:100", "give N below 100"),
    ],
)
def test_bad_fail_on_is_a_usage_error(value: str, message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        parse_conditions([value])
    result = run_cli("diff", AS_IS, TO_BE, "--fail-on", value)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_fail_on_from_the_command_line_exits_1_after_printing_the_diff() -> None:
    result = run_cli("diff", SHOP_V1, SHOP_V2, "--fail-on", "pain-added:critical", "--fail-on", "emotion-drop")
    assert result.exit_code == 1
    assert "stage Purchase (buy)" in result.stdout
    assert "--fail-on pain-added:critical: pain point added at basket" in result.stderr
    assert "--fail-on emotion-drop: compare's emotion went from -1 to -2" in result.stderr
    assert run_cli("diff", AS_IS, TO_BE, "--fail-on", "emotion-drop,pain-added").exit_code == 0


def test_a_map_failing_validation_gives_its_findings_and_no_diff(write: Callable[[str, str], Path]) -> None:
    broken = write("broken.yaml", Path(SHOP_V2).read_text(encoding="utf-8").replace("next: [bought]", "next: [bougth]"))
    for old, new in ((SHOP_V1, str(broken)), (str(broken), SHOP_V1)):
        result = run_cli("diff", old, new)
        assert result.exit_code == 1
        assert "error[CJM101]" in result.stdout and "bougth" in result.stdout
        assert "average emotion" not in result.stdout
        assert "no diff: a map fails validation" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["only-one.yaml"], "give two maps, OLD and NEW"),
        (["missing.yaml", AS_IS], "path 'missing.yaml' does not exist"),
        ([str(EXAMPLES), AS_IS], "is a folder"),
        ([str(EXAMPLES / "shared" / "saas-personas.yaml"), AS_IS], "is a library, not a map"),
        ([":x.yaml", AS_IS], "is not REV:path"),
        (["--textconv", AS_IS, AS_IS], "--textconv takes one FILE"),
        ([AS_IS, TO_BE, "--max-chars", "10"], "--max-chars must be at least 1000"),
        (["-", "-"], "only one side can be read from standard input"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run_cli("diff", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr


def _big_diff(stages: int, per_stage: int) -> MapDiff:
    def text(emotion: int, suffix: str) -> str:
        lines = ["cjmap: 1", "id: big", "title: Big", "stages:"]
        for s in range(stages):
            lines += [f"  - id: stage-{s}", "    touchpoints:"]
            for t in range(per_stage):
                lines += [
                    f"      - id: tp-{s}-{t}",
                    f"        name: Step {t} of stage {s} {suffix}",
                    f"        emotion: {emotion}",
                ]
        return "\n".join(lines)

    return diff_of(text(-1, "as it was"), text(1, "as it is now"))


def test_markdown_is_cut_per_stage_under_the_cap_and_links_the_full_report() -> None:
    diff = _big_diff(stages=6, per_stage=80)
    full = render_markdown(diff, max_chars=10**9)
    assert len(full) > 20_000
    cut = render_markdown(diff, max_chars=8_000, full_report="https://ci.example/run/1/diff.md")
    assert len(cut) <= 8_000
    assert cut.startswith(MARKER)
    assert cut.count("<details>") == 6  # every stage still has its section
    assert "more changes not shown: see the [full report](https://ci.example/run/1/diff.md)" in cut
    assert cut.rstrip().endswith("see the [full report](https://ci.example/run/1/diff.md).")
    assert "| Stage | Touchpoints |" in cut  # the summary table is never cut
    default = render_markdown(_big_diff(stages=10, per_stage=400))
    assert len(default) <= 60_000 < 65_536


def test_markdown_over_the_cap_from_the_command_line(write: Callable[[str, str], Path]) -> None:
    from benchmarks.generate import generate_map

    old = write("old.yaml", generate_map(600))
    new = write("new.yaml", generate_map(600).replace("emotion: -2", "emotion: 2").replace("Pain at", "Hurts at"))
    result = run_cli("diff", str(old), str(new), "-f", "md", "--max-chars", "20000")
    assert result.exit_code == 0
    assert len(result.stdout) <= 20_000 and "run `cjmap diff` for the full report" in result.stdout


def test_textconv_prints_a_stable_outline() -> None:
    result = run_cli("diff", "--textconv", SHOP_V2)
    assert result.exit_code == 0
    assert_golden("diff/shop-v2.outline", result.stdout)
    assert run_cli("diff", "--textconv", SHOP_V2).stdout == result.stdout


def test_textconv_of_a_broken_file_prints_it_as_it_is(write: Callable[[str, str], Path]) -> None:
    broken = write("broken.yaml", "cjmap: 1\nid: [unclosed\n")
    result = run_cli("diff", "--textconv", str(broken))
    assert result.exit_code == 0 and result.stdout == "cjmap: 1\nid: [unclosed\n"


def test_the_readme_shows_the_markdown_of_the_saas_pair() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    golden = (ROOT / "tests" / "golden" / "diff" / "saas-onboarding.md").read_text(encoding="utf-8")
    assert golden.split("\n", 3)[3] + "<!-- end of the diff -->" in readme


def test_control_characters_in_texts_never_reach_the_terminal() -> None:
    hostile = BASE.replace("      - id: checkout\n", '      - id: checkout\n        name: "Pays\\e[31m\\x07 now"\n')
    diff = diff_of(BASE, hostile)
    for shown in (render_text(diff), render_markdown(diff)):
        assert "\x1b" not in shown and "\x07" not in shown
        assert "Pays[31m now" in shown or "Pays\\[31m now" in shown


def test_one_side_from_standard_input() -> None:
    result = run_cli("diff", SHOP_V1, "-", input=Path(SHOP_V2).read_bytes())
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "tests" / "golden" / "diff" / "shop.text").read_text(encoding="utf-8")


def test_infinite_and_missing_numbers_never_reach_a_diff(tmp_path: Path) -> None:
    """`.inf` and `.nan` are refused by validation (a finding with its position), so a diff only
    ever compares finite numbers; a map holding them is reported, not diffed."""
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(BASE, encoding="utf-8")
    new.write_text(_with("target: 2, actual: 5", "target: .inf, actual: .nan"), encoding="utf-8")
    result = run_cli("diff", str(old), str(new))
    assert result.exit_code == 1 and "input should be a finite number" in result.stdout


def test_only_errors_stop_a_diff_and_settings_decide_what_is_an_error(write: Callable[[str, str], Path]) -> None:
    """The sides are checked with the warning rules off (a diff prints no warnings); a warning the
    settings raise to an error still stops it."""
    assert "warning[CJM104]" in run_cli("validate", SHOP_V2).stdout  # 'basket' cannot be reached
    assert run_cli("diff", SHOP_V1, SHOP_V2).exit_code == 0
    settings = write("strict.toml", '[severity]\nunreachable = "error"\n')
    result = run_cli("diff", "--config", str(settings), SHOP_V1, SHOP_V2)
    assert result.exit_code == 1
    assert "error[CJM104]" in result.stdout and "no diff: a map fails validation" in result.stderr
