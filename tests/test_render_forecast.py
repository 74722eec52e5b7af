"""`cjmap render --forecast`: the figures the report, the grid and the diagram show are the
forecast's own (hand-computed fractions for a small map, `cjmap forecast -f json` for an
example); without the flag nothing changes; a map that cannot be forecast renders without it."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cjmap.analysis import forecast as engine
from tests.conftest import EXAMPLES, run_cli

# Ann (300 a month) goes on to the shop with 0.8, Bob (100) with 0.4; half of the shoppers buy.
# By hand: Ann buys 0.8 * 0.5 = 2/5, Bob 0.4 * 0.5 = 1/5; the audience, weighted 3:1 by volume,
# 3/4 * 2/5 + 1/4 * 1/5 = 7/20 (35%), short of the goal's 1/2. The shop stage: 3/4 * 0.8 +
# 1/4 * 0.4 = 7/10 (700 per 1,000). Customers who buy: 300 * 2/5 + 100 * 1/5 = 140 a month,
# worth 140 * 100 = 14,000 EUR. Ways taken: ad -> shop 7/10, ad -> lost 3/10, shop -> bought and
# shop -> lost 7/20 each.
SMALL = """\
cjmap: 1
id: fx
title: Forecast in outputs
flow: explicit
period: month
currency: EUR
goal: {text: Half of them buy, outcome: bought, target: 0.5}
personas:
  - {id: ann, name: Ann, volume: 300}
  - {id: bob, name: Bob, volume: 100}
outcomes:
  - {id: bought, kind: success, value: 100}
  - {id: lost, kind: lost}
stages:
  - id: see
    touchpoints:
      - id: ad
        next:
          - {to: shop, probability: {ann: 0.8, bob: 0.4}}
          - {to: lost, probability: {ann: 0.2, bob: 0.6}}
  - id: buy
    touchpoints:
      - {id: shop, next: [{to: bought, probability: 0.5}, {to: lost, probability: 0.5}]}
"""

TRAP = """\
cjmap: 1
id: trapped
title: A trap
flow: explicit
outcomes:
  - {id: bought, kind: success}
stages:
  - id: a
    touchpoints:
      - {id: t1, next: [t2, bought]}
      - {id: t2, next: [t3]}
      - {id: t3, next: [t2]}
"""


def render(path: Path, fmt: str, out: Path, *flags: str) -> tuple[str, str, int]:
    result = run_cli("render", str(path), "-f", fmt, "-o", str(out), *flags)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    return text, result.stderr, result.exit_code


def section(report: str, title: str = "Forecast") -> str:
    return report.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0].split("\n---\n", 1)[0]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown table in `text`, as cells."""
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_report_shows_the_hand_computed_forecast(write: Any, tmp_path: Path) -> None:
    report, stderr, code = render(write("fx.yaml", SMALL), "md", tmp_path / "fx.md", "--forecast")
    assert code == 0, stderr
    shown = section(report)
    assert "❌ **Goal not met: bought 35.0% (target 50.0%)**" in shown
    assert "| Outcome | Ann | Bob | Whole audience |" in shown
    assert "| bought | 40.0% | 20.0% | 35.0% |" in shown
    assert "| lost | 60.0% | 80.0% | 65.0% |" in shown
    assert "| no outcome | 0.0% | 0.0% | 0.0% |" in shown
    assert "| see | 1000 | 1000 | 1000 |" in shown
    assert "| buy | 800 | 400 | 700 |" in shown
    assert "| Outcome | Customers / month | Value (EUR) / month |" in shown
    assert "| bought | 140.0 | 14,000.00 |" in shown
    assert "weighted by each persona's volume" in shown


def test_the_diagram_writes_the_share_of_entrants_on_each_way(write: Any, tmp_path: Path) -> None:
    path = write("fx.yaml", SMALL)
    dot, _, code = render(path, "dot", tmp_path / "fx.dot", "--forecast")
    assert code == 0
    assert "tp__ad -> tp__shop [label=<<I>→ 70%</I>>]" in dot
    assert "tp__ad -> outcome__lost [label=<<I>→ 30%</I>>]" in dot
    assert "tp__shop -> outcome__bought [label=<<B>50%</B><BR/><I>→ 35%</I>>]" in dot
    assert "forecast share of entrants taking this way" in dot  # the legend says what they are
    one, _, _ = render(path, "dot", tmp_path / "ann.dot", "--forecast", "--persona", "ann")
    assert "tp__ad -> tp__shop [label=<<I>→ 80%</I>>]" in one  # one persona's diagram: that persona's shares
    assert "tp__shop -> outcome__bought [label=<<B>50%</B><BR/><I>→ 40%</I>>]" in one


def test_the_engine_records_the_ways_taken_as_exact_fractions(write: Any) -> None:
    from fractions import Fraction as F

    from cjmap.analysis.forecast import EXACT, forecast
    from tests.test_forecast import journey_of

    computed = forecast(journey_of("", SMALL), EXACT)
    assert computed.audience.flow == {
        ("ad", "lost"): F(3, 10),
        ("ad", "shop"): F(7, 10),
        ("shop", "bought"): F(7, 20),
        ("shop", "lost"): F(7, 20),
    }
    # a loop: the retry is taken 0.3 / (1 - 0.3) = 3/7 times per entrant, and 6/7 of them buy
    from tests.test_forecast import RETRY

    looped = forecast(journey_of(RETRY), EXACT).audience.flow
    assert looped[("checkout", "checkout")] == F(3, 7)
    assert looped[("checkout", "bought")] == F(6, 7)


TITLES = {"saas-onboarding-as-is": "Forecast", "pierwszy-zakup": "Prognoza", "lojalnost-bank": "Прогноз"}


@pytest.mark.parametrize("name", list(TITLES))
def test_every_share_in_the_report_and_the_grid_is_the_forecasts_own(name: str, tmp_path: Path) -> None:
    path = EXAMPLES / f"{name}.yaml"
    data = json.loads(run_cli("forecast", str(path), "-f", "json").stdout)
    report, _, _ = render(path, "md", tmp_path / "r.md", "--forecast")
    page, _, _ = render(path, "html", tmp_path / "r.html", "--forecast")
    columns = list(data["personas"].values()) + ([data["audience"]] if len(data["personas"]) > 1 else [])
    outcomes = [*data["audience"]["outcomes"], None]  # None: the row of no outcome
    stages = list(data["audience"]["stages"])
    expected_shares = [[f"{(c['outcomes'][o] if o else c['no_outcome']):.1%}" for c in columns] for o in outcomes]
    expected_funnel = [[str(round(c["stages"][s] * 1000)) for c in columns] for s in stages]
    parts = section(report, TITLES[name]).split("\n### ")
    assert [row[1:] for row in table_rows(parts[1])] == expected_shares
    assert [row[1:] for row in table_rows(parts[2])] == expected_funnel
    tables = page.split('id="forecast-title"', 1)[1].split("</section>", 1)[0].split("<table")[1:]
    for table, expected in zip(tables, [expected_shares, expected_funnel], strict=False):
        body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        rows = [re.findall(r'<td class="num">([^<]+)</td>', row) for row in body.split("</tr>")[:-1]]
        assert rows == expected
    if data["goal"] is not None:
        met = "✅" if data["goal"]["met"] else "❌"
        assert f"{met} **" in report and f"{data['goal']['share']:.1%}" in report


def test_the_grid_has_a_real_table_and_its_policy_still_covers_its_own_style(tmp_path: Path) -> None:
    page, _, code = render(EXAMPLES / "pierwszy-zakup.yaml", "html", tmp_path / "p.html", "--forecast")
    assert code == 0
    assert '<section aria-labelledby="forecast-title">' in page and '<h2 id="forecast-title">Prognoza</h2>' in page
    assert '<table class="forecast">' in page and '<th scope="row">' in page
    assert page.count("<script>") == 1  # no new scripts
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "table.forecast" in style
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert found is not None
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in html.unescape(found.group(1))


@pytest.mark.parametrize("fmt", ["md", "html", "dot"])
def test_without_the_flag_nothing_changes(fmt: str, tmp_path: Path) -> None:
    path = EXAMPLES / "saas-onboarding-as-is.yaml"
    plain, _, _ = render(path, fmt, tmp_path / f"plain.{fmt}")
    shown, _, _ = render(path, fmt, tmp_path / f"shown.{fmt}", "--forecast")
    golden = (Path(__file__).parent / "golden" / f"saas-onboarding-as-is.{fmt}").read_text(encoding="utf-8")
    assert plain == golden
    assert shown != plain
    marker = {"md": "\n## Forecast\n", "html": 'id="forecast-title"', "dot": "<I>→ "}[fmt]
    assert marker in shown and marker not in plain


def test_the_locales_name_the_section(tmp_path: Path) -> None:
    polish, _, _ = render(EXAMPLES / "pierwszy-zakup.yaml", "md", tmp_path / "pl.md", "--forecast")
    russian, _, _ = render(EXAMPLES / "lojalnost-bank.yaml", "md", tmp_path / "ru.md", "--forecast")
    assert "## Prognoza\n" in polish and "na 1000 wchodzących" in polish
    assert "## Прогноз\n" in russian and "на 1000 вошедших" in russian


def test_a_map_with_a_trap_renders_without_the_forecast_and_says_so(write: Any, tmp_path: Path) -> None:
    path = write("trap.yaml", TRAP)
    config = write("cjmap.toml", '[severity]\nCJM122 = "off"\n')  # the author silenced the trap error
    report, stderr, code = render(path, "md", tmp_path / "trap.md", "--forecast", "--config", str(config))
    assert code == 0
    assert "touchpoints 't2', 't3' form a trap" in stderr and "no forecast (" in stderr
    assert "## Forecast" not in report and report.startswith("# A trap")
    page, _, code = render(path, "html", tmp_path / "trap.html", "--forecast", "--config", str(config))
    assert code == 0 and "forecast-title" not in page


def test_a_loop_too_large_renders_without_the_forecast(
    write: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_forecast import HEAD, LOOP_OF_TWO

    monkeypatch.setattr(engine, "LOOP_LIMIT", 1)
    path = write("loop.yaml", HEAD + LOOP_OF_TWO)
    dot, stderr, code = render(path, "dot", tmp_path / "loop.dot", "--forecast")
    assert code == 0 and "form one loop of 2 touchpoints" in stderr and "no forecast (" in stderr
    assert "→ " not in dot
