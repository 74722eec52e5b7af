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


@settings(deadline=None)  # a timing limit only makes the test flaky on a busy machine
@given(st.dictionaries(TRICKY, DATA, max_size=5))
def test_dump_reloads_to_the_same_data(data: dict[str, Any]) -> None:
    text = dump(data)
    assert yaml.safe_load(text) == data
    assert dump(data) == text  # deterministic


@settings(deadline=None)
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


def _mermaid_of(text: str) -> str:
    from cjmap.document import Loader
    from cjmap.journey import Journey
    from cjmap.render.mermaid import render_mermaid
    from cjmap.source import Limits
    from cjmap.validate import Settings, check_stdin
    from tests.conftest import TODAY

    result = check_stdin(Loader(Limits()), text.encode("utf-8"), Settings(today=TODAY))
    assert result.journey_map is not None, result.diagnostics
    return render_mermaid(Journey.build(result.journey_map))


def _stable(text: str, actor: bool = False) -> bool:
    """Names the exporter writes the same way twice. (It collapses spaces before it turns an
    actor's commas into spaces, so 'a,,b' gives 'a  b' and then 'a b': reported to the lead.)"""
    once = clean(text, actor)
    quoted = len(once) > 2 and once[0] == once[-1] == '"'  # read as quotes around a name: a known limit
    return once != "-" and clean(once, actor) == once and not quoted


NAMES = TRICKY.filter(_stable)
PERSONA_NAMES = st.lists(TRICKY.map(lambda s: s.strip()).filter(lambda s: _stable(s, actor=True)), max_size=4)


@st.composite
def cjmap_maps(draw: st.DrawFn) -> str:
    """A map with tricky names, per-persona emotions on a random scale and partial persona lists."""
    low = draw(st.integers(-5, 2))
    high = draw(st.integers(low + 1, 10))
    names = draw(PERSONA_NAMES.filter(lambda ns: len({clean(n, actor=True) for n in ns}) == len(ns)))
    personas = [{"id": f"p{i}", "name": name} for i, name in enumerate(names)]
    stages = []
    previous_label = None
    for s in range(draw(st.integers(1, 3))):
        touchpoints = []
        for t in range(draw(st.integers(1, 3))):
            label = draw(NAMES)
            if clean(label) == previous_label:  # adjacent same-named touchpoints merge: a known limit
                label = f"{label} {s}.{t}"
            previous_label = clean(label)
            touchpoint: dict[str, Any] = {"id": f"t{s}-{t}", "name": label}
            if bool(personas) and draw(st.booleans()):
                touchpoint["personas"] = draw(st.lists(st.sampled_from([p["id"] for p in personas]), unique=True))
            # (A per-persona emotion on a touchpoint with `personas: []` exports no task at all: an
            # exporter edge case reported to the lead, left out here.)
            if bool(personas) and touchpoint.get("personas") != [] and draw(st.booleans()):
                touchpoint["emotion"] = {p["id"]: draw(st.integers(low, high)) for p in personas}
            elif draw(st.booleans()):
                touchpoint["emotion"] = draw(st.integers(low, high))
            touchpoints.append(touchpoint)
        stages.append({"id": f"s{s}", "name": draw(NAMES), "touchpoints": touchpoints})
    data = {"cjmap": 1, "id": "m", "title": draw(NAMES), "emotion_scale": [low, high], "personas": personas}
    return dump({**data, "stages": stages})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cjmap_maps())
def test_export_import_export_is_stable_for_any_map(text: str) -> None:
    exported = _mermaid_of(text)
    imported, _ = import_mermaid(exported, "x.mmd")
    assert _mermaid_of(imported) == exported


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_any_bytes_are_imported_or_refused_with_a_message(raw: bytes) -> None:
    """Never a traceback: every input is a map or an ImportError_ with a message."""
    for head in (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"stage,touchpoint\n", b"PK\x03\x04"):
        try:
            import_table(head + raw, "x.csv", "X")
        except ImportError_ as error:
            assert str(error).startswith("x.csv")
    for start in ("", "journey\n", "journey\n  section S\n    "):
        try:
            import_mermaid(start + raw.decode("utf-8", errors="replace"), "x.mmd")
        except ImportError_ as error:
            assert str(error).startswith("x.mmd")
