"""Property tests: whatever the names, the importers' YAML re-loads to the same data and validates."""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjmap.importers import ImportError_
from cjmap.importers.mermaid import import_mermaid
from cjmap.importers.table import import_table
from cjmap.importers.yaml_out import dump, scalar
from cjmap.render.mermaid import clean
from tests.conftest import check

# Names with the characters that break hand-written YAML and Mermaid, and letters of three scripts.
TRICKY = st.text(alphabet=st.sampled_from(list(": #,[]{}'\"\n-?&*!|>%@`aZ0ąłЖё")), min_size=1, max_size=30)
SCALARS = st.one_of(TRICKY, st.integers(-5, 5), st.floats(-5, 5, allow_nan=False), st.booleans(), st.none())
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(TRICKY, DATA, max_size=5))
def test_dump_reloads_to_the_same_data(data: dict[str, Any]) -> None:
    text = dump(data)
    assert yaml.safe_load(text) == data
    assert dump(data) == text  # deterministic


@given(TRICKY)
def test_scalar_reloads_on_one_line(text: str) -> None:
    written = scalar(text)
    assert "\n" not in written
    assert yaml.safe_load(f"key: {written}  # a comment") == {"key": text}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TRICKY, TRICKY, st.integers(-2, 8), TRICKY), min_size=1, max_size=6))
def test_mermaid_import_of_any_names_validates(tasks: list[tuple[str, str, int, str]]) -> None:
    lines = ["journey", "  title " + clean(tasks[0][0])]
    for section, task, score, actor in tasks:
        lines += [f"  section {clean(section)}", f"    {clean(task)}: {score}: {clean(actor, actor=True)}"]
    try:
        text, _ = import_mermaid("\n".join(lines) + "\n", "x.mmd")
    except ImportError_:
        return  # e.g. a name starting with 'journey': refused with a message, as Mermaid refuses it
    assert [d for d in check(text) if d.severity.value == "error"] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TRICKY, TRICKY, TRICKY, st.integers(-3, 3)), min_size=1, max_size=6))
def test_csv_import_of_any_names_keeps_them_and_validates(rows: list[tuple[str, str, str, int]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["stage", "touchpoint", "action", "emotion"])
    writer.writerows(rows)
    try:
        text, _ = import_table(out.getvalue().encode("utf-8"), "x.csv", "Sheet")
    except ImportError_:
        return  # e.g. no row with a touchpoint name
    assert [d for d in check(text) if d.severity.value == "error"] == []
    data = yaml.safe_load(text)
    actions = {t.get("action") for s in data["stages"] for t in s["touchpoints"]}
    assert actions <= {None} | {action.strip() for _, _, action, _ in rows}
