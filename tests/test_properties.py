"""Property-based tests: whatever the input, cjmap answers with diagnostics, never a traceback."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjmap.document import Loader
from cjmap.source import Limits
from cjmap.validate import Settings, check_stdin

SETTINGS = Settings(today=date(2026, 11, 23))
KEYS = st.sampled_from(
    [
        "cjmap",
        "id",
        "title",
        "stages",
        "touchpoints",
        "personas",
        "emotion",
        "next",
        "decision",
        "branches",
        "to",
        "probability",
        "channel",
        "kpis",
        "target",
        "include",
        "review",
        "last",
        "every",
        "ignore",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["a", "t1", "anna", "email", "sms", "bought", "2026-01-01", "4 months", "CJM101"]),
)
STRUCTURES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=30,
)


def run(raw: bytes) -> None:
    result = check_stdin(Loader(Limits(max_depth=64)), raw, SETTINGS)
    for diagnostic in result.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.col >= 1
        assert diagnostic.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes(raw: bytes) -> None:
    run(raw)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab: -[]{},\n\t'\"&*!#|>%@`?1")), max_size=120))
def test_random_yaml_like_text(text: str) -> None:
    run(text.encode())


@settings(max_examples=300, deadline=None)
@given(STRUCTURES)
def test_random_structures(value: Any) -> None:
    run(yaml.safe_dump(value, allow_unicode=True).encode())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, STRUCTURES, max_size=6))
def test_random_structures_under_a_valid_header(body: dict[str, Any]) -> None:
    document = {"cjmap": 1, "id": "m", "title": "T", "stages": [{"id": "a", "touchpoints": [{"id": "t", **body}]}]}
    run(yaml.safe_dump(document, allow_unicode=True).encode())
