"""`--measured FILE`: a measurement written by `cjmap measure --write` held against the map by
`validate` (rule CJM130) and used by `forecast` (observed shares), never changing the map."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cjmap.analysis.forecast import EXACT, forecast
from cjmap.analysis.measure.written import MeasuredFileError, observed_journey, read_measured
from cjmap.cli import app
from tests.measure_support import SHOP_MAP, shop_journey

pytest.importorskip("duckdb")  # the measurement is written by the real `measure --write`


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def funnel_log() -> str:
    """40 new customers: all view home then pricing; 32 add to cart (24 of them buy, 8 stop), 8 go
    back home and stop. One more customer a month later ends the window (in progress)."""
    rows = ["customer,time,event,page,segment"]
    for i in range(40):
        at = f"2026-01-01T{10 + i // 6:02d}:{i % 6 * 10:02d}"
        rows += [f"c{i},{at}:00Z,page_view,/,new", f"c{i},{at}:01Z,page_view,/pricing,new"]
        if i < 32:
            rows.append(f"c{i},{at}:02Z,add_to_cart,,new")
            if i < 24:
                rows.append(f"c{i},{at}:03Z,purchase,,new")
        else:
            rows.append(f"c{i},{at}:02Z,page_view,/,new")
    rows.append("late,2026-02-01T00:00:00Z,page_view,/,new")
    return "\n".join(rows) + "\n"


@pytest.fixture
def measured(tmp_path: Path) -> tuple[Path, Path]:
    """The shop map (pricing: cart 0.5, home 0.5) and its measurement (pricing -> cart 32 of 40,
    95% interval 65.2%-89.5%; -> home 8 of 40, 10.5%-34.8%; cart -> bought 24 of 32)."""
    map_file = tmp_path / "shop.yaml"
    map_file.write_text(SHOP_MAP, encoding="utf-8")
    log = tmp_path / "log.csv"
    log.write_text(funnel_log(), encoding="utf-8")
    target = tmp_path / "shop.measured.json"
    code, _, err = invoke("measure", str(map_file), "--events", str(log), "--write", str(target))
    assert code == 0, err
    return map_file, target


def _with_pricing(map_file: Path, cart: str, home: str) -> Path:
    text = SHOP_MAP.replace("probability: 0.5}\n            - {when: Not now, to: home, probability: 0.5}", "X")
    assert text.count("X") == 1
    changed = map_file.with_name("changed.yaml")
    changed.write_text(
        text.replace("X", f"probability: {cart}}}\n            - {{when: Not now, to: home, probability: {home}}}"),
        encoding="utf-8",
    )
    return changed


def test_the_rule_warns_where_a_declared_probability_is_outside_the_observed_interval(
    measured: tuple[Path, Path],
) -> None:
    map_file, file = measured
    code, out, _ = invoke("validate", str(map_file), "--measured", str(file), "-f", "json")
    assert code == 0  # warnings
    found = [d for d in json.loads(out)["diagnostics"] if d["rule"] == "CJM130"]
    assert [(d["line"], d["severity"]) for d in found] == [(24, "warning"), (25, "warning")]  # the two branches
    assert (
        "'pricing' -> 'cart' is declared 50%, but 80% of customers took it (95% interval 65.2%–89.5%)"
        in (found[0]["message"])
    )
    assert "window 2026-01-01T10:00:00Z – 2026-02-01T00:00:00Z" in found[0]["message"]
    assert "set the probability to about 0.80" in found[0]["message"]
    assert "about 0.20" in found[1]["message"]
    code, _, _ = invoke("validate", str(map_file), "--measured", str(file), "--strict")
    assert code == 1


def test_the_rule_is_quiet_inside_the_interval_and_without_a_measurement(measured: tuple[Path, Path]) -> None:
    map_file, file = measured
    inside = _with_pricing(map_file, "0.7", "0.3")  # 70% in [65.2%, 89.5%], 30% in [10.5%, 34.8%]
    code, out, _ = invoke("validate", str(inside), "--measured", str(file), "-f", "json")
    assert code == 0 and not [d for d in json.loads(out)["diagnostics"] if d["rule"] == "CJM130"]
    edge = _with_pricing(map_file, "0.9", "0.1")  # 90% just above 89.5%; 10% just below 10.5%
    out = invoke("validate", str(edge), "--measured", str(file), "-f", "json")[1]
    assert len([d for d in json.loads(out)["diagnostics"] if d["rule"] == "CJM130"]) == 2
    out = invoke("validate", str(map_file), "-f", "json")[1]
    assert not [d for d in json.loads(out)["diagnostics"] if d["rule"] == "CJM130"]


def test_per_persona_probabilities_are_held_against_that_personas_customers(measured: tuple[Path, Path]) -> None:
    map_file, file = measured
    # All 40 are 'fresh' (segment new); 'back' was never measured, so its 0.1 is not judged.
    per_persona = map_file.with_name("personas.yaml")
    per_persona.write_text(
        SHOP_MAP.replace("to: cart, probability: 0.5}", "to: cart, probability: {fresh: 0.5, back: 0.1}}").replace(
            "to: home, probability: 0.5}", "to: home, probability: {fresh: 0.5, back: 0.9}}"
        ),
        encoding="utf-8",
    )
    out = invoke("validate", str(per_persona), "--measured", str(file), "-f", "json")[1]
    messages = [d["message"] for d in json.loads(out)["diagnostics"] if d["rule"] == "CJM130"]
    assert len(messages) == 2 and all("for fresh, but" in m and "of fresh customers" in m for m in messages)


def test_forecast_uses_the_observed_shares(measured: tuple[Path, Path]) -> None:
    map_file, file = measured
    # As written: pricing 1/2 to cart, cart 1/2 to bought (gone shares equally): bought = p with
    # p = 1/2 * 1/2 + 1/2 p, so 1/2. Observed: pricing 4/5 to cart, 1/5 back home (home's one
    # way on); cart 3/4 to bought and the 1/4 who stopped to 'gone' (no match, so not observed):
    # p = 4/5 * 3/4 + 1/5 p, so p = 3/4.
    written = json.loads(invoke("forecast", str(map_file), "-f", "json")[1])
    assert written["audience"]["outcomes"] == {"bought": 0.5, "gone": 0.5} and "measured" not in written
    code, out, _ = invoke("forecast", str(map_file), "--measured", str(file), "-f", "json")
    assert code == 0
    observed = json.loads(out)
    assert observed["audience"]["outcomes"] == {"bought": 0.75, "gone": 0.25}
    assert observed["personas"]["back"]["outcomes"] == {"bought": 0.75, "gone": 0.25}  # the totals stand in
    assert observed["measured"] == {"file": str(file), "from": "2026-01-01T10:00:00Z", "to": "2026-02-01T00:00:00Z"}
    text = invoke("forecast", str(map_file), "--measured", str(file))[1]
    assert text.startswith(f"forecast with observed shares from {file}, window 2026-01-01T10:00:00Z")
    code, out, err = invoke("forecast", str(map_file), "--measured", str(file), "-f", "csv")
    assert code == 0 and out.startswith("map,") and "forecast with observed shares" in err


def test_the_exact_forecast_and_the_map_is_not_changed(measured: tuple[Path, Path]) -> None:
    journey = shop_journey()
    before = journey.map.model_dump()
    edges_before = {k: list(v) for k, v in journey.edges.items()}
    result = forecast(observed_journey(journey, read_measured(measured[1])), EXACT)
    assert result.audience.outcomes == {"bought": Fraction(3, 4), "gone": Fraction(1, 4)}
    assert journey.map.model_dump() == before and journey.edges == edges_before
    assert forecast(journey, EXACT).audience.outcomes["bought"] == Fraction(1, 2)


def test_a_measurement_of_another_map_is_refused(measured: tuple[Path, Path], tmp_path: Path) -> None:
    map_file, file = measured
    other = tmp_path / "other.json"
    other.write_text(file.read_text(encoding="utf-8").replace('"map": "shop"', '"map": "checkout"'), encoding="utf-8")
    for command in ("validate", "forecast"):
        code, out, err = invoke(command, str(map_file), "--measured", str(other))
        assert code == 2 and out == ""
        assert "measures the map 'checkout', not 'shop'" in err and "cjmap measure MAP" in err


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read the file"),
        ("{not json", "not a cjmap measurement (JSON)"),
        ('{"edges": []}', "not a cjmap measurement file"),
        ('{"cjmap_measurement": 1, "edges": []}', "names no map"),
        ('{"cjmap_measurement": 1, "map": "shop", "edges": {}}', "'edges' must be a list"),
        ('{"cjmap_measurement": 1, "map": "shop", "edges": [{"from": "a"}]}', "edge 1 is malformed (no 'to')"),
        (
            '{"cjmap_measurement": 1, "map": "shop", "edges": [{"from": "a", "to": "b", "persona": null, '
            '"count": 1, "leaving": 2, "observed": 1.5, "low": 0, "high": 1}]}',
            "a share must be a number from 0 to 1",
        ),
    ],
)
def test_a_missing_or_malformed_measurement_is_a_usage_error(
    measured: tuple[Path, Path], tmp_path: Path, content: str | None, problem: str
) -> None:
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    for command in ("validate", "forecast"):
        code, out, err = invoke(command, str(measured[0]), "--measured", str(bad))
        assert code == 2 and out == "" and problem in err and "Traceback" not in err, err


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_edge_keys = ("from", "to", "persona", "count", "leaving", "observed", "low", "high")


@settings(max_examples=200, deadline=None)
@given(
    edges=st.lists(st.dictionaries(st.sampled_from(_edge_keys), _json, max_size=8) | _json, max_size=3),
    window=_json,
)
def test_any_json_is_a_measurement_or_a_clear_error(
    tmp_path_factory: pytest.TempPathFactory, edges: object, window: object
) -> None:
    path = tmp_path_factory.mktemp("m") / "m.json"
    path.write_text(
        json.dumps({"cjmap_measurement": 1, "map": "shop", "window": window, "edges": edges}), encoding="utf-8"
    )
    try:
        measured = read_measured(path)
    except MeasuredFileError as problem:
        assert str(problem).startswith(str(path))
    else:
        assert all(0 <= e.low <= e.high <= 1 and 0 <= e.count <= e.leaving for e in measured.edges)
        forecast(observed_journey(shop_journey(), measured), EXACT)  # never fails on a valid file


def test_render_shows_the_observed_share_next_to_the_declared_one(measured: tuple[Path, Path], tmp_path: Path) -> None:
    """pricing -> cart is declared 50%; 32 of 40 customers took it (95% interval 65.2%-89.5%):
    the report's decision table, the grid and the diagram's edge say so, and mark the gap."""
    map_file, target = measured
    outputs = {}
    for fmt in ("md", "html", "dot"):
        code, out, err = invoke("render", "-f", fmt, "-o", "-", "--measured", str(target), str(map_file))
        assert code == 0, err
        outputs[fmt] = out
    assert "| Condition | Goes to | Probability | observed |" in outputs["md"]
    assert "| Likes it | cart | 50% | observed 80% (65%–90%) ⚠ |" in outputs["md"]
    assert "| Not now | home | 50% | observed 20% (10%–35%) ⚠ |" in outputs["md"]  # 8 of 40, declared 50%
    assert "(50%) · observed 80% (65%–90%) ⚠" in outputs["html"]
    assert "observed 80% (65%–90%) ⚠" in outputs["dot"]
    for fmt, text in outputs.items():  # without --measured, nothing of it
        code, plain, _ = invoke("render", "-f", fmt, "-o", "-", str(map_file))
        assert code == 0 and "observed 80%" not in plain and plain != text


def test_render_refuses_a_measurement_of_another_map(measured: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = measured
    other = tmp_path / "other.yaml"
    other.write_text(SHOP_MAP.replace("id: shop", "id: other"), encoding="utf-8")
    code, out, err = invoke("render", "-f", "md", "-o", "-", "--measured", str(target), str(other))
    assert code == 2 and out == "" and "measures the map 'shop', not 'other'" in err
