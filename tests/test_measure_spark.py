"""The Spark SQL that `cjmap measure --emit-sql spark` prints runs on a local Spark and gives the
same aggregate as DuckDB and as the pure-Python computation."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from cjmap.analysis.measure.engine import open_log, run_aggregate
from cjmap.analysis.measure.spec import build_spec, parse_columns
from cjmap.analysis.measure.sql import emit
from tests.measure_support import engine_aggregate, random_log, reference_aggregate, shop_journey, write_csv

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("cjmap-measure-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "512m")
        # A few hundred rows: compiling generated code and adaptive planning cost more than they save.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_sql_gives_the_same_aggregate(spark: Any, tmp_path: Path) -> None:
    from pyspark.sql.types import StringType, StructField, StructType, TimestampType

    journey = shop_journey()
    spec = build_spec(journey)
    rows = random_log(3, events=600)  # one log, many ties and repeats: Spark's start-up dominates
    schema = StructType(
        [
            StructField(name, TimestampType() if name == "time" else StringType())
            for name in ("customer", "time", "event", "page", "segment")
        ]
    )
    data = [
        (
            r["customer"],
            datetime.fromtimestamp(r["time"], tz=timezone.utc),
            r["event"],
            r["page"] or None,
            r["segment"] or None,
        )
        for r in rows
    ]
    spark.createDataFrame(data, schema).createOrReplaceTempView("events")
    query = emit(spec, parse_columns(None, None), "spark", "events", idle_seconds=3000)
    result = spark.sql(query).collect()
    from_spark = engine_aggregate([row.asDict() for row in result])

    log = open_log(write_csv(rows, tmp_path / "log.csv"), parse_columns(None, None), spec)
    from_duckdb = engine_aggregate(run_aggregate(log, spec, None, None, 3000))
    assert from_spark == from_duckdb == reference_aggregate(journey, rows, 3000)
