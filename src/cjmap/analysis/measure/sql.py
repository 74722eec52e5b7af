"""The one aggregate query, built with sqlglot as a syntax tree and printed in each dialect.

Per customer it maps events to steps with CASE expressions generated from the map's `match`,
orders them by time, takes the previous step with LAG, and groups by (persona, from, to, time
bucket). Everything personal stays in the warehouse: the result has no customer ids. The same
query runs locally on DuckDB; `--emit-sql` prints it for BigQuery, Snowflake, Spark or Trino.

Time between steps is counted in fixed buckets (see BUCKET_BOUNDS) rather than with a quantile
function: exact quantiles do not exist in every dialect (Trino has only approximate ones,
BigQuery only as a window function), and integer comparisons give the same buckets everywhere.
"""

from __future__ import annotations

from sqlglot import exp, parse_one

from cjmap.analysis.measure.spec import Columns, Spec

DIALECTS = ("bigquery", "snowflake", "spark", "trino", "duckdb")

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
# Upper bounds, in seconds, of the time-between-steps buckets: bucket i holds gaps d with
# BUCKET_BOUNDS[i-1] <= d < BUCKET_BOUNDS[i]; the last bucket is a year or more. Neighbours are at
# most 1.5 times apart, so a percentile read from them is within that factor (and interpolated).
_BOUNDS: tuple[float, ...] = (
    1, 2, 3, 5, 7, 10, 15, 20, 30, 45,
    *(m * _MINUTE for m in (1, 1.5, 2, 3, 4, 5, 7, 10, 15, 20, 30, 45)),
    *(int(h * _HOUR) for h in (1, 1.5, 2, 3, 4, 6, 8, 12, 18)),
    *(int(d * _DAY) for d in (1, 1.5, 2, 3, 4, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)),
)  # fmt: skip
BUCKET_BOUNDS: tuple[int, ...] = tuple(int(b) for b in _BOUNDS)

AGGREGATE_COLUMNS = (
    "persona", "from_step", "to_step", "bucket", "events", "customers", "reached", "ended", "recent",
    "first_seen", "last_seen",
)  # fmt: skip

# Everything after the source CTE is fixed; the source CTE (`src`: customer, t, step_rank,
# persona_rank) is generated from the map. The heavy parts are one hash aggregate per customer
# and one sorted window over the matched events only; window orderings break ties by the step's
# map order, so every engine orders the same events the same way. Steps travel as their integer
# rank and get their names at the end.
_SKELETON = """
WITH src AS (SELECT 1),
customers AS (
  SELECT customer, MIN(persona_rank) AS persona_rank, MAX(step_rank) AS any_step,
    COUNT(*) - COUNT(step_rank) AS unmatched, MIN(t) AS first_t, MAX(t) AS last_t{customer_columns}
  FROM src
  GROUP BY customer
),
matched AS (
  SELECT src.t, src.step_rank, customers.persona_rank,
    LAG(src.step_rank) OVER (PARTITION BY src.customer ORDER BY src.t, src.step_rank) AS prev_rank,
    LAG(src.t) OVER (PARTITION BY src.customer ORDER BY src.t, src.step_rank) AS prev_t,
    src.t - LAG(src.t) OVER (PARTITION BY src.customer ORDER BY src.t, src.step_rank) AS gap,
    LEAD(src.step_rank) OVER (PARTITION BY src.customer ORDER BY src.t, src.step_rank) AS next_rank,
    MIN(src.t) OVER (PARTITION BY src.customer, src.step_rank) AS step_first_t
  FROM src
  JOIN customers ON src.customer = customers.customer
  WHERE NOT src.step_rank IS NULL
),
flat AS (
  SELECT persona_rank, t AS seen_first, t AS seen_last, prev_rank AS from_rank, step_rank AS to_rank,
    __bucket__ AS bucket, 1 AS n,
    CASE WHEN prev_rank IS NULL THEN 1 ELSE 0 END AS is_customer,
    CASE WHEN t = step_first_t AND (prev_rank IS NULL OR prev_rank <> step_rank OR prev_t < t) THEN 1 ELSE 0 END
      AS is_reach,
    CASE WHEN next_rank IS NULL THEN 1 ELSE 0 END AS is_end,
    CASE WHEN next_rank IS NULL AND __window_end__ - t < __idle__ THEN 1 ELSE 0 END AS is_recent{matched_zeros}
  FROM matched
  UNION ALL
  SELECT persona_rank, first_t AS seen_first, last_t AS seen_last, NULL AS from_rank, NULL AS to_rank,
    NULL AS bucket, unmatched AS n,
    CASE WHEN any_step IS NULL THEN 1 ELSE 0 END AS is_customer,
    0 AS is_reach, 0 AS is_end, 0 AS is_recent{customer_flags}
  FROM customers
)
SELECT __persona__ AS persona, __from_name__ AS from_step, __to_name__ AS to_step, bucket,
  SUM(n) AS events, SUM(is_customer) AS customers, SUM(is_reach) AS reached,
  SUM(is_end) AS ended, SUM(is_recent) AS recent, MIN(seen_first) AS first_seen, MAX(seen_last) AS last_seen{sums}
FROM flat
GROUP BY persona_rank, from_rank, to_rank, bucket
ORDER BY persona, from_step, to_step, bucket
"""


def _skeleton(spec: Spec) -> str:
    """KPI conversions (of those reaching A, who reach B at or after their first A) need the whole
    customer: they are columns of the per-customer aggregate, summed on its rows. Only integer
    ranks are written into the text; every name and pattern from the map is a syntax-tree node."""
    rank = {step.id: step.rank for step in spec.steps}
    customer_columns = matched_zeros = customer_flags = sums = ""
    for i, (start, goal) in enumerate(spec.conversions, start=1):
        a, b = int(rank.get(start, -1)), int(rank.get(goal, -1))
        customer_columns += (
            f",\n    MIN(CASE WHEN step_rank = {a} THEN t END) AS conv{i}_a,"
            f" MAX(CASE WHEN step_rank = {b} THEN t END) AS conv{i}_b"
        )
        matched_zeros += f", 0 AS conv{i}_base, 0 AS conv{i}_done"
        customer_flags += (
            f",\n    CASE WHEN NOT conv{i}_a IS NULL THEN 1 ELSE 0 END AS conv{i}_base,"
            f" CASE WHEN conv{i}_b >= conv{i}_a THEN 1 ELSE 0 END AS conv{i}_done"
        )
        sums += f", SUM(conv{i}_base) AS conv{i}_base, SUM(conv{i}_done) AS conv{i}_done"
    return _SKELETON.format(
        customer_columns=customer_columns, matched_zeros=matched_zeros, customer_flags=customer_flags, sums=sums
    )


def glob_condition(column: exp.Expression, pattern: str) -> exp.Expression:
    """`*` any text, `?` one character; everything else literal. A pattern without wildcards is an
    equality; otherwise LIKE, escaping SQL's own wildcards with '!' (no backslash: string literal
    escaping differs by dialect)."""
    if "*" not in pattern and "?" not in pattern:
        return exp.EQ(this=column, expression=exp.Literal.string(pattern))
    escaped = False
    out = []
    for char in pattern:
        if char in "%_!":
            out.append("!" + char)
            escaped = True
        else:
            out.append({"*": "%", "?": "_"}.get(char, char))
    like = exp.Like(this=column, expression=exp.Literal.string("".join(out)))
    return exp.Escape(this=like, expression=exp.Literal.string("!")) if escaped else like


def _any(conditions: list[exp.Expression]) -> exp.Expression:
    return conditions[0] if len(conditions) == 1 else exp.Paren(this=exp.or_(*conditions))


def _as_text(expression: exp.Expression) -> exp.Expression:
    return exp.Cast(this=expression, to=exp.DataType.build("text"))


def _column(name: str) -> exp.Expression:
    """A column by name; a dotted name is a struct path (GA4: geo.country)."""
    parts = name.split(".")
    if len(parts) == 1:
        return exp.column(name, quoted=True)
    return exp.Dot.build([exp.column(parts[0], quoted=True), *(exp.to_identifier(p, quoted=True) for p in parts[1:])])


class SourceShape:
    """How to read values from the events table: columns, or GA4's event_params."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns

    def value(self, key: str) -> exp.Expression:
        cols = self.columns
        if cols.params_array and key not in cols.other and key.split(".")[0] not in _GA4_TOP:
            return _event_param(cols.params_array, key)
        return _as_text(_column(cols.column_for(key)))

    def event(self) -> exp.Expression:
        cols = self.columns
        if cols.event_fallback:
            return exp.Coalesce(
                this=_as_text(_column(cols.event)), expressions=[_as_text(_column(cols.event_fallback))]
            )
        return _as_text(_column(cols.event))

    def time(self, dialect: str) -> exp.Expression:
        cols = self.columns
        column = _column(cols.time)
        if cols.time_fallback:
            column = exp.Coalesce(this=column, expressions=[_column(cols.time_fallback)])
        if cols.time_kind == "seconds":
            return exp.Cast(this=column, to=exp.DataType.build("double"))
        if cols.time_kind in ("millis", "micros"):
            scale = "1000.0" if cols.time_kind == "millis" else "1000000.0"
            return exp.Div(
                this=exp.Cast(this=column, to=exp.DataType.build("double")), expression=exp.Literal.number(scale)
            )
        return epoch_seconds(column, dialect)

    def customer(self) -> exp.Expression:
        return _as_text(_column(self.columns.customer))


from cjmap.analysis.measure.spec import GA4_COLUMNS as _GA4_TOP  # noqa: E402


def _event_param(array: str, key: str) -> exp.Expression:
    sub = parse_one(
        f"(SELECT COALESCE(p.value.string_value, CAST(p.value.int_value AS TEXT), CAST(p.value.double_value AS TEXT), "
        f"CAST(p.value.float_value AS TEXT)) FROM UNNEST({exp.to_identifier(array, quoted=True).sql('duckdb')}) AS p "
        f"WHERE p.key = __key__)",
        read="duckdb",
    )
    return sub.transform(
        lambda node: exp.Literal.string(key) if isinstance(node, exp.Column) and node.name == "__key__" else node
    )


def epoch_seconds(column: exp.Expression, dialect: str) -> exp.Expression:
    """Seconds since 1970 as a double, with microseconds, in each dialect's own words."""
    micros = {
        "bigquery": "UNIX_MICROS(__c__)",
        "spark": "UNIX_MICROS(__c__)",
        "snowflake": "DATE_PART(EPOCH_MICROSECOND, __c__)",
        "trino": "TO_UNIXTIME(__c__) * 1000000",
        "duckdb": "EPOCH_US(__c__)",
    }[dialect]
    tree = parse_one(f"CAST({micros} AS DOUBLE) / 1000000.0", read=dialect)
    return tree.transform(lambda node: column.copy() if isinstance(node, exp.Column) and node.name == "__c__" else node)


def build_query(
    spec: Spec,
    columns: Columns,
    table: exp.Expression,
    dialect: str,
    since: float | None = None,
    until: float | None = None,
    idle_seconds: float = 14 * 86400,
) -> exp.Expression:
    """The aggregate query over `table` (any FROM-able expression), for `dialect`. since/until are
    epoch seconds (until exclusive); without until the window ends at the last event."""
    shape = SourceShape(columns)
    event = shape.event()
    rank_case = exp.Case()
    for step in spec.steps:
        condition = _any([_match_condition(shape, event, match) for match in step.matches])
        rank_case = rank_case.when(condition, exp.Literal.number(step.rank))
    persona_case = exp.Case()
    for persona in spec.personas:
        persona_case = persona_case.when(_all(shape, persona.where), exp.Literal.number(persona.rank))
    null = exp.Null()
    time = shape.time(dialect)
    source = exp.select(
        exp.alias_(shape.customer(), "customer"),
        exp.alias_(time, "t"),
        exp.alias_(rank_case if spec.steps else exp.Cast(this=null.copy(), to=exp.DataType.build("int")), "step_rank"),
        exp.alias_(
            persona_case if spec.personas else exp.Cast(this=null.copy(), to=exp.DataType.build("int")),
            "persona_rank",
        ),
    ).from_(table)
    window: list[exp.Expression] = [exp.Not(this=exp.Is(this=_column(columns.customer), expression=null.copy()))]
    if since is not None:
        window.append(exp.GTE(this=time.copy(), expression=exp.Literal.number(repr(float(since)))))
    if until is not None:
        window.append(exp.LT(this=time.copy(), expression=exp.Literal.number(repr(float(until)))))
    source = source.where(exp.and_(*window))

    if until is not None:
        window_end: exp.Expression = exp.Literal.number(repr(float(until)))
    else:
        window_end = exp.Subquery(this=exp.select(exp.Max(this=exp.column("last_t"))).from_("customers"))
    bucket = exp.Case()
    gap = exp.column("gap")
    bucket = bucket.when(exp.Is(this=gap.copy(), expression=null.copy()), null.copy())
    for index, bound in enumerate(BUCKET_BOUNDS):
        bucket = bucket.when(exp.LT(this=gap.copy(), expression=exp.Literal.number(bound)), exp.Literal.number(index))
    bucket = bucket.else_(exp.Literal.number(len(BUCKET_BOUNDS)))

    def names(column: str, pairs: list[tuple[int, str]]) -> exp.Expression:
        if not pairs:
            return exp.Cast(this=null.copy(), to=exp.DataType.build("text"))
        case = exp.Case(this=exp.column(column))
        for number, name in pairs:
            case = case.when(exp.Literal.number(number), exp.Literal.string(name))
        return case

    step_names = [(step.rank, step.id) for step in spec.steps]
    replacements: dict[str, exp.Expression] = {
        "__bucket__": bucket,
        "__window_end__": window_end,
        "__idle__": exp.Literal.number(repr(float(idle_seconds))),
        "__persona__": names("persona_rank", [(p.rank, p.id) for p in spec.personas]),
        "__from_name__": names("from_rank", step_names),
        "__to_name__": names("to_rank", step_names),
    }
    tree = parse_one(_skeleton(spec), read="duckdb")

    def fill(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and node.name in replacements and not node.table:
            return replacements[node.name].copy()
        if isinstance(node, exp.CTE) and node.alias == "src":
            return exp.CTE(this=source, alias=exp.TableAlias(this=exp.to_identifier("src")))
        return node

    tree = tree.transform(fill)
    if dialect == "bigquery":
        tree = tree.transform(_bigquery_like)
    return tree


def _match_condition(shape: SourceShape, event: exp.Expression, match: object) -> exp.Expression:
    from cjmap.model import EventMatch

    assert isinstance(match, EventMatch)
    parts = [_any([glob_condition(event.copy(), pattern) for pattern in match.event])]
    for key, patterns in match.where.items():
        value = shape.value(key)
        parts.append(_any([glob_condition(value.copy(), pattern) for pattern in patterns]))
    return parts[0] if len(parts) == 1 else exp.Paren(this=exp.and_(*parts))


def _all(shape: SourceShape, where: dict[str, list[str]]) -> exp.Expression:
    parts = [
        _any([glob_condition(shape.value(key), pattern) for pattern in patterns]) for key, patterns in where.items()
    ]
    return parts[0] if len(parts) == 1 else exp.Paren(this=exp.and_(*parts))


def _bigquery_like(node: exp.Expression) -> exp.Expression:
    """BigQuery has no ESCAPE clause; its LIKE escapes with a backslash instead."""
    if isinstance(node, exp.Escape) and isinstance(node.this, exp.Like):
        like = node.this.copy()
        pattern = like.expression.name
        like.set(
            "expression", exp.Literal.string(pattern.replace("!!", "\x00").replace("!", "\\").replace("\x00", "!"))
        )
        return like
    return node


def aggregate_columns(spec: Spec) -> tuple[str, ...]:
    extra = [f"conv{i}_{part}" for i in range(1, len(spec.conversions) + 1) for part in ("base", "done")]
    return (*AGGREGATE_COLUMNS, *extra)


def emit(
    spec: Spec,
    columns: Columns,
    dialect: str,
    table: str = "events",
    since: float | None = None,
    until: float | None = None,
    idle_seconds: float = 14 * 86400,
) -> str:
    """The query as text for `dialect`, reading from the table `table` (e.g. project.dataset.events),
    with a header saying what to do with its result."""
    table_expr = exp.to_table(table, dialect=dialect)
    tree = build_query(spec, columns, table_expr, dialect, since, until, idle_seconds)
    header = (
        f"-- cjmap measure: the aggregate of map '{spec.map_id}' ({dialect}). Its result holds no customer ids;\n"
        f"-- export it (CSV with a header, or JSON Lines) and run: cjmap measure MAP --aggregates FILE\n"
    )
    return header + tree.sql(dialect=dialect, pretty=True) + "\n"
