"""cjmap measure: the statistics, the aggregate against an independent computation, the outputs,
the command and its errors."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cjmap.analysis.measure.aggregates import read_aggregates, rows_from_dicts
from cjmap.analysis.measure.analyse import measure
from cjmap.analysis.measure.engine import LogError, open_log, run_aggregate
from cjmap.analysis.measure.spec import build_spec, parse_columns
from cjmap.analysis.measure.sql import BUCKET_BOUNDS, DIALECTS, emit, glob_condition
from cjmap.analysis.measure.stats import histogram_percentile, wilson
from cjmap.analysis.measure.written import drifted_probabilities, read_measurement
from cjmap.cli import app
from tests.measure_support import (
    SHOP_MAP,
    engine_aggregate,
    iso,
    random_log,
    reference_aggregate,
    shop_journey,
    write_csv,
)

IDLE = 14 * 86400


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def strip(text: str) -> dict[str, object]:
    """The JSON output without the 'log' block (file name and hash differ between sources)."""
    return {k: v for k, v in json.loads(text).items() if k != "log"}


# --- statistics -------------------------------------------------------------------------------


def _wilson_by_quadratic(x: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson bounds are the roots p of (x/n - p)^2 = z^2 p (1 - p) / n."""
    phat = x / n
    a = 1 + z * z / n
    b = -(2 * phat + z * z / n)
    c = phat * phat
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize(("x", "n"), [(8, 10), (0, 10), (10, 10), (1, 2), (527, 1000), (3, 250)])
def test_wilson_matches_the_closed_form(x: int, n: int) -> None:
    low, high = wilson(x, n)
    expected = _wilson_by_quadratic(x, n, 1.959963984540054)
    assert low == pytest.approx(max(0.0, expected[0]), abs=1e-12)
    assert high == pytest.approx(min(1.0, expected[1]), abs=1e-12)


def test_wilson_textbook_value_and_no_trials() -> None:
    low, high = wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)  # Newcombe (1998), 8 of 10
    assert wilson(0, 0) == (0.0, 1.0)


def test_percentile_from_the_histogram_interpolates_inside_the_bucket() -> None:
    # Ten gaps in [60, 90) s (bucket 10): the median is halfway, the p90 nine tenths of the way.
    assert BUCKET_BOUNDS[9:11] == (45, 60) and BUCKET_BOUNDS[11] == 90
    counts = {11: 10}
    assert histogram_percentile(counts, BUCKET_BOUNDS, 0.5) == pytest.approx(75.0)
    assert histogram_percentile(counts, BUCKET_BOUNDS, 0.9) == pytest.approx(87.0)
    assert histogram_percentile({}, BUCKET_BOUNDS, 0.5) is None
    assert histogram_percentile({len(BUCKET_BOUNDS): 3}, BUCKET_BOUNDS, 0.5) == BUCKET_BOUNDS[-1]


# --- a hand-made log with known counts --------------------------------------------------------

HAND_LOG = """\
customer,time,event,page,segment
a,2026-01-01T10:00:00Z,page_view,/,new
a,2026-01-01T10:01:00Z,page_view,/pricing/team,new
a,2026-01-01T10:05:00Z,add_to_cart,,new
a,2026-01-01T10:06:00Z,purchase,,new
b,2026-01-01T11:00:00Z,page_view,/,returning
b,2026-01-01T11:00:30Z,page_view,/pricing,returning
b,2026-01-01T11:02:00Z,page_view,/,returning
b,2026-01-01T11:03:00Z,add_to_cart,,returning
c,2026-01-02T09:00:00Z,page_view,/about,new
d,2026-01-20T09:00:00Z,page_view,/,vip-gold
d,2026-01-20T09:00:00Z,page_view,/,vip-gold
"""


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Path, Path]:
    map_file = tmp_path / "shop.yaml"
    map_file.write_text(SHOP_MAP, encoding="utf-8")
    log = tmp_path / "log.csv"
    log.write_text(HAND_LOG, encoding="utf-8")
    return map_file, log


def test_hand_made_log_gives_the_counts_worked_out_by_hand(shop: tuple[Path, Path]) -> None:
    code, out, _ = invoke("measure", str(shop[0]), "--events", str(shop[1]), "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["map"], data["customers"], data["events"], data["unmatched_events"]) == ("shop", 4, 11, 1)
    totals = {(e["from"], e["to"]): e for e in data["edges"] if e["persona"] is None}
    # pricing is left 2 times: a to cart, b to home.
    assert (totals["pricing", "cart"]["count"], totals["pricing", "cart"]["leaving"]) == (1, 2)
    assert totals["pricing", "cart"]["observed"] == 0.5 and totals["pricing", "cart"]["declared"] == 0.5
    # cart -> bought once (a); b stopped at cart 17 days before the window's end (d, Jan 20).
    assert (totals["cart", "bought"]["count"], totals["cart", "bought"]["leaving"]) == (1, 2)
    # Gaps of 30 s (b) and 60 s (a): the median, rank 1 of 2, is the top of the [30, 45) s bucket.
    assert totals["home", "pricing"]["count"] == 2 and totals["home", "pricing"]["median_seconds"] == 45.0
    assert data["off_map"] == [{"from": "home", "to": "cart", "count": 1}]  # b: home -> cart
    assert data["unreached"] == [] and data["outcomes"] == {"bought": 1}
    assert data["unmeasured"] == ["gone"] and data["untaken"] == []
    assert data["personas"] == {"fresh": 2, "back": 2}
    # d is at home, within 14 days of the end: in progress, not lost; b stopped at cart.
    assert data["steps"]["all"]["home"]["in_progress"] == 1
    assert data["steps"]["all"]["cart"]["stopped"] == 1
    assert data["in_progress"] == 1
    assert data["kpis"][0]["customers"] == 2 and data["kpis"][0]["converted"] == 1 and data["kpis"][0]["actual"] == 50.0
    assert data["window"] == {"from": "2026-01-01T10:00:00Z", "to": "2026-01-20T09:00:00Z"}
    assert "a" not in {v for e in data["edges"] for v in e.values()}  # no customer ids
    assert set(data) >= {"map", "customers", "events", "unmatched_events", "edges", "off_map", "unreached", "outcomes"}
    assert set(data["edges"][0]) >= {"from", "to", "persona", "count", "observed", "declared", "low", "high"}


def test_outputs_are_deterministic_and_carry_no_customer_ids(shop: tuple[Path, Path]) -> None:
    for fmt in ("text", "md", "json"):
        first = invoke("measure", str(shop[0]), "--events", str(shop[1]), "-f", fmt)
        again = invoke("measure", str(shop[0]), "--events", str(shop[1]), "-f", fmt)
        assert first == again and first[0] == 0
    _, text, _ = invoke("measure", str(shop[0]), "--events", str(shop[1]))
    assert "off the map: home -> cart (1)" in text
    assert "in progress 1" in text


def test_since_and_until_limit_the_window(shop: tuple[Path, Path]) -> None:
    code, out, _ = invoke(
        "measure",
        str(shop[0]),
        "--events",
        str(shop[1]),
        "-f",
        "json",
        "--since",
        "2026-01-01T10:30:00Z",
        "--until",
        "2026-01-02",
    )
    data = json.loads(out)
    assert code == 0 and data["customers"] == 2 and data["events"] == 5  # b's four and c's one


def test_a_declared_probability_outside_the_interval_is_flagged(tmp_path: Path) -> None:
    rows = [
        {"customer": f"u{i}", "time": 1_780_000_000 + i * 10 + k, "event": "page_view", "page": page, "segment": "new"}
        for i in range(100)
        for k, page in enumerate(("/pricing", "/" if i < 80 else "/x"))
    ]
    rows += [
        {"customer": f"u{i}", "time": 1_780_000_000 + i * 10 + 5, "event": "add_to_cart", "page": "", "segment": "new"}
        for i in range(80, 100)
    ]
    map_file = tmp_path / "shop.yaml"
    map_file.write_text(SHOP_MAP, encoding="utf-8")
    code, out, _ = invoke("measure", str(map_file), "--events", str(write_csv(rows, tmp_path / "l.csv")), "-f", "json")
    totals = {(e["from"], e["to"]): e for e in json.loads(out)["edges"] if e["persona"] is None}
    assert code == 0
    assert totals["pricing", "home"]["observed"] == 0.8 and totals["pricing", "home"]["outside"] is True
    low, high = wilson(80, 100)
    assert totals["pricing", "home"]["low"] == round(low, 4) and totals["pricing", "home"]["high"] == round(high, 4)


# --- the aggregate: DuckDB against an independent computation ---------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_duckdb_aggregate_equals_the_pure_python_computation(tmp_path: Path, seed: int) -> None:
    journey = shop_journey()
    spec = build_spec(journey)
    rows = random_log(seed)
    log = open_log(write_csv(rows, tmp_path / "log.csv"), parse_columns(None, None), spec)
    produced = engine_aggregate(run_aggregate(log, spec, None, None, 3000))
    assert produced == reference_aggregate(journey, rows, 3000)


def test_the_exported_aggregate_read_back_gives_the_same_measurement(shop: tuple[Path, Path], tmp_path: Path) -> None:
    import duckdb

    journey = shop_journey()
    spec = build_spec(journey)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE events AS SELECT * FROM read_csv('{shop[1]}')")
    query = emit(spec, parse_columns(None, None), "duckdb", "events", idle_seconds=IDLE)
    exported = tmp_path / "aggregates.csv"
    con.execute(f"COPY ({query.rstrip().rstrip(';')}) TO '{exported}' (HEADER)")
    from_file = invoke("measure", str(shop[0]), "--aggregates", str(exported), "-f", "json")
    from_log = invoke("measure", str(shop[0]), "--events", str(shop[1]), "-f", "json")
    assert from_file[0] == from_log[0] == 0
    assert strip(from_file[1]) == strip(from_log[1])
    # Snowflake upper-cases column names; JSON Lines works too.
    upper = tmp_path / "upper.jsonl"
    records = con.execute(query).fetchall()
    names = [d[0].upper() for d in con.description or []]
    upper.write_text("".join(json.dumps(dict(zip(names, r, strict=True))) + "\n" for r in records), encoding="utf-8")
    assert strip(invoke("measure", str(shop[0]), "--aggregates", str(upper), "-f", "json")[1]) == strip(from_log[1])
    assert len(read_aggregates(upper, spec)) == len(records)


# --- the other dialects -----------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_parses_back(dialect: str) -> None:
    spec = build_spec(shop_journey())
    text = emit(spec, parse_columns(None, None), dialect, "project.dataset.events", since=1.7e9, until=1.8e9)
    tree = sqlglot.parse_one(text, read=dialect)
    assert isinstance(tree, sqlglot.exp.Select)
    assert "customer" not in {c.alias for c in tree.selects}  # no ids in the result
    assert [c.alias_or_name for c in tree.selects][:4] == ["persona", "from_step", "to_step", "bucket"]


@pytest.mark.parametrize("dialect", ["bigquery", "duckdb", "trino", "snowflake"])
def test_ga4_preset_reads_event_params(dialect: str) -> None:
    spec = build_spec(shop_journey())
    text = emit(spec, parse_columns(None, "ga4"), dialect, "proj.analytics_1.events_*")
    assert "event_params" in text and "user_pseudo_id" in text and "1000000.0" in text
    sqlglot.parse_one(text, read=dialect)


def test_bigquery_like_escapes_with_backslashes() -> None:
    condition = glob_condition(sqlglot.exp.column("e"), "price_?heck")
    assert condition.sql("duckdb") == "e LIKE 'price!__heck' ESCAPE '!'"
    spec = build_spec(shop_journey())
    text = emit(spec, parse_columns(None, None), "bigquery")
    assert "ESCAPE" not in text and r"LIKE 'price\\__heck'" in text


def test_ga4_log_measured_locally(tmp_path: Path) -> None:
    log = tmp_path / "ga4.jsonl.gz"
    lines = []
    for i, (event, page) in enumerate(
        (("page_view", "/"), ("page_view", "/pricing"), ("add_to_cart", None), ("purchase", None))
    ):

        def value(string: str | None = None, integer: int | None = None) -> dict[str, object]:
            return {"string_value": string, "int_value": integer, "float_value": None, "double_value": None}

        params = [{"key": "page", "value": value(page)}] if page else []
        params.append({"key": "engagement_time_msec", "value": value(integer=100)})
        params.append({"key": "segment", "value": value("new")})
        lines.append(
            {
                "user_pseudo_id": "p1",
                "event_timestamp": 1_780_000_000_000_000 + i * 60_000_000,
                "event_name": event,
                "event_params": params,
            }
        )
    log.write_bytes(gzip.compress("".join(json.dumps(line) + "\n" for line in lines).encode()))
    map_file = tmp_path / "shop.yaml"
    map_file.write_text(SHOP_MAP, encoding="utf-8")
    code, out, err = invoke("measure", str(map_file), "--events", str(log), "--preset", "ga4", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["outcomes"] == {"bought": 1} and data["personas"] == {"fresh": 1, "back": 0}
    totals = {(e["from"], e["to"]): e for e in data["edges"] if e["persona"] is None}
    assert totals["pricing", "cart"]["count"] == 1 and totals["home", "pricing"]["median_seconds"] == 60 + 15


def test_parquet_log(shop: tuple[Path, Path], tmp_path: Path) -> None:
    import duckdb

    parquet = tmp_path / "log.parquet"
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{shop[1]}')) TO '{parquet}' (FORMAT parquet)")
    csv_json = invoke("measure", str(shop[0]), "--events", str(shop[1]), "-f", "json")[1]
    parquet_json = invoke("measure", str(shop[0]), "--events", str(parquet), "-f", "json")[1]
    assert strip(csv_json) == strip(parquet_json)


# --- writing the measurement and reading it back ----------------------------------------------


def test_write_measurement_and_the_drift_rule(shop: tuple[Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "measured.json"
    code, _, _ = invoke("measure", str(shop[0]), "--events", str(shop[1]), "--write", str(target))
    assert code == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["cjmap_measurement"] == 1 and document["log"]["rows"] == 11 and len(document["log"]["sha256"]) == 64
    map_id, observed = read_measurement(target)
    assert map_id == "shop" and any(e.source == "pricing" and e.target == "cart" for e in observed)
    assert drifted_probabilities(shop_journey(), observed) == []  # 1 of 2 is well within 50%
    skewed = shop_journey(
        SHOP_MAP.replace(
            "probability: 0.5}\n            - {when: Not now", "probability: 0.99}\n            - {when: Not now"
        )
    )
    drift = drifted_probabilities(skewed, observed)
    assert [(d.source, d.target, d.declared) for d in drift] == [("pricing", "cart", 0.99)]
    assert "declared 99%" in drift[0].message()
    before = shop[1].read_bytes()
    code, _, err = invoke("measure", str(shop[0]), "--events", str(shop[1]), "--write", str(shop[1]))
    assert code == 1 and "overwrite an input" in err and shop[1].read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cjmap-")]


# --- bad logs and bad options ------------------------------------------------------------------


def test_missing_column_names_the_columns_found(shop: tuple[Path, Path]) -> None:
    code, _, err = invoke("measure", str(shop[0]), "--events", str(shop[1]), "--columns", "customer=user_id")
    assert code == 1
    assert "no column 'user_id'" in err and "columns found: customer, time, event, page, segment" in err


def test_unparseable_timestamp_gives_the_row(shop: tuple[Path, Path]) -> None:
    lines = HAND_LOG.splitlines()
    lines[3] = lines[3].replace("2026-01-01T10:05:00Z", "yesterday")
    shop[1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = invoke("measure", str(shop[0]), "--events", str(shop[1]))
    assert code == 1 and "row 3: 'yesterday' in column 'time' is not a timestamp" in err


def test_not_an_event_log(shop: tuple[Path, Path], tmp_path: Path) -> None:
    binary = tmp_path / "picture.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    code, _, err = invoke("measure", str(shop[0]), "--events", str(binary))
    assert code == 1 and "not an event log cjmap can read: use CSV, Parquet or JSON Lines" in err


def test_empty_window(shop: tuple[Path, Path]) -> None:
    code, _, err = invoke("measure", str(shop[0]), "--events", str(shop[1]), "--since", "2030-01-01")
    assert code == 1 and "no events between 2030-01-01T00:00:00Z and the end" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "customer"], "KEY=COLUMN"),
        (["--since", "last tuesday"], "--since must be a date"),
        (["--preset", "mixpanel"], "--preset must be one of"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "--since must come before --until"),
    ],
)
def test_bad_options_are_usage_errors(shop: tuple[Path, Path], args: list[str], message: str) -> None:
    code, _, err = invoke("measure", str(shop[0]), "--events", str(shop[1]), *args)
    assert code == 2 and message in err


def test_one_source_and_a_known_dialect(shop: tuple[Path, Path]) -> None:
    assert invoke("measure", str(shop[0]))[0] == 2
    code, _, err = invoke("measure", str(shop[0]), "--emit-sql", "oracle")
    assert code == 2 and "bigquery, snowflake, spark, trino, duckdb" in err


def test_a_map_without_match_says_how_to_add_one(tmp_path: Path, shop: tuple[Path, Path]) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text("cjmap: 1\nid: p\ntitle: P\nstages: [{id: s, touchpoints: [{id: a}]}]\n", encoding="utf-8")
    code, _, err = invoke("measure", str(plain), "--events", str(shop[1]))
    assert code == 1 and "add e.g. `match: {event: purchase}`" in err


def test_missing_extra_names_the_pip_command(shop: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_duckdb(name: str, *args: object, **kwargs: object) -> object:
        if name == "duckdb":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_duckdb)
    code, _, err = invoke("measure", str(shop[0]), "--events", str(shop[1]))
    assert code == 1 and "pip install 'cjmap[measure]'" in err
    assert invoke("measure", str(shop[0]), "--emit-sql", "trino")[0] == 0  # printing SQL needs no DuckDB


def test_bad_aggregates_file(shop: tuple[Path, Path], tmp_path: Path) -> None:
    bad = tmp_path / "agg.csv"
    bad.write_text("persona,from_step\n,\n", encoding="utf-8")
    code, _, err = invoke("measure", str(shop[0]), "--aggregates", str(bad))
    assert code == 1 and "has no column 'to_step'" in err
    spec = build_spec(shop_journey())
    with pytest.raises(LogError, match="is not a count"):
        rows_from_dicts(
            [
                dict.fromkeys(("persona", "from_step", "to_step", "bucket", "first_seen", "last_seen"), "")
                | {
                    "events": "-3",
                    "customers": 0,
                    "reached": 0,
                    "ended": 0,
                    "recent": 0,
                    "conv1_base": 0,
                    "conv1_done": 0,
                }
            ],
            spec,
        )


_cells = st.one_of(
    st.text(max_size=12), st.sampled_from(["", '"', "a,b", "2026-01-01T00:00:00Z", "\n", "page_view", "NaN"])
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_cells, min_size=0, max_size=7), min_size=0, max_size=8), st.booleans())
def test_malformed_csv_rows_never_crash(tmp_path: Path, rows: list[list[str]], header: bool) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(["customer", "time", "event", "page", "segment"])
    writer.writerows(rows)
    log = tmp_path / "fuzz.csv"
    log.write_text(buffer.getvalue(), encoding="utf-8")
    map_file = tmp_path / "shop.yaml"
    map_file.write_text(SHOP_MAP, encoding="utf-8")
    code, _, err = invoke("measure", str(map_file), "--events", str(log))
    assert code in (0, 1)
    if code == 1:
        assert err.startswith("cjmap: error: ") and "Traceback" not in err


def test_iso_helper_round_trips() -> None:
    assert iso(0) == "1970-01-01T00:00:00Z"


def test_measure_result_from_rows_is_pure(shop: tuple[Path, Path]) -> None:
    journey = shop_journey()
    spec = build_spec(journey)
    log = open_log(shop[1], parse_columns(None, None), spec)
    rows = rows_from_dicts(run_aggregate(log, spec, None, None, IDLE), spec)
    assert measure(journey, spec, rows) == measure(journey, spec, list(reversed(rows)))


def test_snowplow_preset_falls_back_to_collector_time_and_event_name(tmp_path: Path) -> None:
    log = tmp_path / "atomic_events.csv"
    log.write_text(
        "domain_userid,derived_tstamp,collector_tstamp,se_action,event_name,page,segment\n"
        "s1,2026-01-01 10:00:00,2026-01-01 10:00:05,,page_view,/,new\n"
        "s1,,2026-01-01 10:01:00,,page_view,/pricing,new\n"
        "s1,2026-01-01 10:02:00,2026-01-01 10:02:09,add_to_cart,event,,new\n",
        encoding="utf-8",
    )
    map_file = tmp_path / "shop.yaml"
    map_file.write_text(SHOP_MAP, encoding="utf-8")
    code, out, err = invoke("measure", str(map_file), "--events", str(log), "--preset", "snowplow", "-f", "json")
    assert code == 0, err
    totals = {(e["from"], e["to"]): e["count"] for e in json.loads(out)["edges"] if e["persona"] is None}
    assert totals["home", "pricing"] == 1 and totals["pricing", "cart"] == 1


@pytest.mark.parametrize("preset", ["segment", "snowplow"])
@pytest.mark.parametrize("dialect", ["bigquery", "snowflake", "trino", "spark"])
def test_presets_emit_sql_that_parses(preset: str, dialect: str) -> None:
    spec = build_spec(shop_journey())
    text = emit(spec, parse_columns("page=page_urlpath", preset), dialect, "atomic.events")
    sqlglot.parse_one(text, read=dialect)
    assert ("anonymous_id" if preset == "segment" else "domain_userid") in text
    assert "page_urlpath" in text


def test_a_kpi_conversion_must_name_measured_steps(tmp_path: Path, shop: tuple[Path, Path]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        SHOP_MAP.replace("conversion: {from: pricing, to: bought}", "conversion: {from: pricing, to: gone}")
    )
    code, _, err = invoke("measure", str(broken), "--events", str(shop[1]))
    assert code == 1 and "names 'gone', which is no touchpoint or outcome with a `match`" in err
