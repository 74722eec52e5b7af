"""The compiled fold (cjmap._fold) against the Python fold: it declines, or builds exactly the same.

Exactly means the same data to the type (True is not 1, 1.0 is not 1, a date is not a string),
the same position record for every mapping and sequence, and then the same findings, byte for
byte, from `cjmap validate` run either way.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from benchmarks.generate import generate_map
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjmap import source
from tests.test_properties import KEYS, STRUCTURES

ROOT = Path(__file__).resolve().parent.parent
if os.environ.get("CI") != "true":  # under CI the compiled fold must be there (see the first test)
    pytest.importorskip("cjmap._fold")


def corpus() -> list[Path]:
    """Every YAML file of the repository's examples and tests."""
    found = [*ROOT.glob("examples/**/*.y*ml"), *ROOT.glob("tests/**/*.y*ml")]
    return sorted(path for path in found if "node_modules" not in path.parts)


def pure(text: str, file: str, limits: source.Limits) -> source.Loaded | source.LoadError:
    builder = source._Builder(file, limits)
    builder.fold_compiled = lambda text: source._DECLINED  # type: ignore[method-assign]
    try:
        return builder.build(text)
    except source.LoadError as error:
        return error


def fast(text: str, file: str, limits: source.Limits) -> tuple[Any, source.Positions] | None:
    """The compiled fold's root and positions, or None when it declines."""
    builder = source._Builder(file, limits)
    root = builder.fold_compiled(text)
    return None if root is source._DECLINED else (root, builder.positions)


def same_value(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or repr(a) == repr(b)
    return bool(a == b)


def assert_same(slow: Any, slow_positions: source.Positions, quick: Any, quick_positions: source.Positions) -> None:
    """The same tree, walked side by side, and the same record for each of its containers."""
    pending = [(slow, quick)]
    containers = 0
    while pending:
        a, b = pending.pop()
        if isinstance(a, (dict, list)):
            assert type(a) is type(b)
            if isinstance(a, dict):
                assert list(a) == list(b)
                pending.extend((a[key], b[key]) for key in a)
            else:
                assert len(a) == len(b)
                pending.extend(zip(a, b, strict=True))
            place_a, place_b = slow_positions._place(a), quick_positions._place(b)
            assert place_a is not None and place_b is not None
            assert place_a[1:4] == place_b[1:4]
            marks_a, marks_b = place_a[4], place_b[4]
            assert type(marks_a) is type(marks_b)
            assert (list(marks_a.items()) if isinstance(marks_a, dict) else marks_a) == (
                list(marks_b.items()) if isinstance(marks_b, dict) else marks_b
            )
            containers += 1
        else:
            assert same_value(a, b), (a, b)
    assert len(quick_positions._places) == containers == len(slow_positions._places)


DEFAULT_LIMITS = source.Limits()


def check_text(text: str, file: str = "m.yaml", limits: source.Limits = DEFAULT_LIMITS) -> bool:
    """Compare the two folds on one text; whether the compiled one took it."""
    quick = fast(text, file, limits)
    if quick is None:
        return False
    slow = pure(text, file, limits)
    assert isinstance(slow, source.Loaded), f"the compiled fold accepted what the Python fold refuses: {slow}"
    assert not [p for p in slow.problems if p.rule != "yaml-split-text"], "problems the compiled fold did not see"
    assert_same(slow.data, slow.positions, *quick)
    # And the whole of parse, through whichever fold it picks, equals the Python fold's.
    loaded = source.parse(text, file, limits)
    assert_same(slow.data, slow.positions, loaded.data, loaded.positions)
    assert loaded.problems == slow.problems
    return True


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="only CI must have built the compiled fold")
def test_ci_builds_the_compiled_fold() -> None:
    import cjmap._fold  # noqa: F401  (CI installs libyaml-dev and a compiler: the fast path is tested)


@pytest.mark.parametrize("path", corpus(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository(path: Path) -> None:
    try:
        text = source.decode(path.read_bytes(), path.name)
    except source.LoadError:
        return
    check_text(text, path.name)


def test_the_shipped_examples_and_a_large_map_take_the_fast_path() -> None:
    for path in sorted(ROOT.glob("examples/*.yaml")):
        assert check_text(path.read_text(encoding="utf-8"), path.name), path
    assert check_text(generate_map(300), "big.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchor and alias
        "a: !!str 1\n",  # any tag
        "a: ! 1\n",
        "base: {x: 1}\nt:\n  <<: {y: 2}\n",  # merge key
        "a: 1\na: 2\n",  # duplicate key
        "? [a]\n: 1\n",  # a key that is a sequence
        "? {a: 1}\n: 1\n",
        "a: 1\n---\nb: 2\n",  # two documents
        "",  # none
        "# only a comment\n",
        "a: [1\n",  # libyaml's error
        "a: b\n\tc: d\n",
        "v: 2026-02-30\n",  # a date that is not one: the Python fold's message
        "a: \x07\n",
    ],
)
def test_uncommon_files_are_left_to_the_python_fold(text: str) -> None:
    assert fast(text, "m", source.Limits()) is None


def test_columns_after_polish_russian_and_emoji_count_characters() -> None:
    text = "zażółć: [😀, x]\nключ: {ąę: 🙂x, y: [z]}\r\n'😀😀': [a, b]\n"
    assert check_text(text)
    quick = fast(text, "m", DEFAULT_LIMITS)
    assert quick is not None
    root, positions = quick
    assert positions.item_marks(root["zażółć"]) == [source.Mark(1, 10), source.Mark(1, 13)]
    assert positions.value_mark(root["ключ"], "y") == source.Mark(2, 19)
    assert positions.item_marks(root["😀😀"]) == [source.Mark(3, 8), source.Mark(3, 11)]


def test_nesting_at_the_limit_is_read_and_past_it_declined() -> None:
    limits = source.Limits(max_depth=5)
    assert check_text("a:\n  b:\n    c:\n      d:\n        e: 1\n", "m", limits)
    assert fast("a:\n  b:\n    c:\n      d:\n        e:\n          f: 1\n", "m", limits) is None
    assert check_text("[[[[[1]]]]]\n", "m", limits)
    assert fast("[[[[[[1]]]]]]\n", "m", limits) is None


def test_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(source.PURE_FOLD_ENV, "1")
    assert fast("a: 1\n", "m", source.Limits()) is None
    monkeypatch.setenv(source.PURE_FOLD_ENV, "0")
    assert fast("a: 1\n", "m", source.Limits()) is not None


# Every YAML 1.1 spelling of the typed scalars, and strings that look almost like them.
SPELLINGS = [
    *[
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
    ],
    *["~", "null", "Null", "NULL"],
    "",
    *["0", "7", "-3", "+4", "012", "0o17", "0x1F", "0b101", "1_000", "190:20:30", "-0", "00", "08", "09", "1e3"],
    *[
        "1.5",
        "-1.5",
        "+.5",
        "1.0e+3",
        "1e3",
        ".inf",
        "-.inf",
        "+.inf",
        ".Inf",
        ".NaN",
        ".nan",
        "1_0.5",
        "6.8523015e+5",
        "685.230_15e+03",
        "190:20:30.15",
    ],
    *["2026-09-15", "2026-9-15", "2026-09-15T10:30:00Z", "2026-09-15t10:30:00.5+02:00", "2026-09-15", "10:30:00", "-5"],
    *["2026-02-30", "12:30", "1.2.3", "0x", "0b", "1__0", "yesno", "trueish", ".5.5", "=", "<", "<<x", "~x"],
    *["falsey", "Falsely", "nullable", "NULLS", "Trues", "offset", "onion", "yes it is", "No way", "~~", "<<<", "=="],
    "2026-09-15 10:30:00",
    *["999999999999999999", "1234567890123456789", "99999999999999999999999", "٣", "1٣", "0", "0000"],
    "zażółć gęślą",
    "Привет, мир",
    "🙂 ok",
    "a😀b: c",
]
PLAIN_KEYS = st.sampled_from(["id", "title", "a", "zażółć", "ключ", "😀", "no", "2026-01-01", "010", "x y"])
QUOTES = st.sampled_from(["", "'", '"'])
VALUES = st.one_of(
    st.sampled_from(SPELLINGS),
    st.sampled_from(SPELLINGS).map(lambda value: f"'{value}'"),
    st.sampled_from(SPELLINGS).map(lambda value: f'"{value}"'),
    st.sampled_from(["[1, a, yes]", "{a: 1, b: [x, 2026-01-01]}", "[]", "{}", "[[1, [2]], {c: ~}]"]),
    st.sampled_from(["|\n  one\n  two", ">\n  folded\n  text", "|-\n  keep", ">+\n  more\n"]),
    st.text(min_size=0, max_size=200).map(lambda value: yaml.safe_dump(value, allow_unicode=True).split("\n...")[0]),
    st.just("x" * 3000),  # a long line
)
COMMENTS = st.sampled_from(["", "  # a comment", " #ą"])


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """Block mappings and sequences of varied keys, values, comments and line ends."""
    lines: list[str] = []
    for index in range(draw(st.integers(1, 8))):
        quote = draw(QUOTES)
        key = f"{quote}{draw(PLAIN_KEYS)}{index}{quote}"  # a different key each time: no duplicates
        shape = draw(st.sampled_from(["value", "list", "map", "empty"]))
        if shape == "value":
            lines.append(f"{key}: {draw(VALUES)}{draw(COMMENTS)}".replace("\n", "\n  "))
        elif shape == "empty":
            lines.append(f"{key}:{draw(COMMENTS)}")
        else:
            lines.append(f"{key}:")
            for _ in range(draw(st.integers(0, 3))):
                inner = draw(VALUES).replace("\n", "\n      ")
                if shape == "list":
                    lines.append(f"  - {inner}")
                else:
                    lines.append(f"  {draw(PLAIN_KEYS)}_{len(lines)}: {inner}")
    end = draw(st.sampled_from(["\n", "\r\n"]))
    prefix = draw(st.sampled_from(["", "\ufeff", "---\n", "%YAML 1.1\n---\n", "# top\n"]))
    return prefix + end.join(lines) + draw(st.sampled_from(["", end, end + "...\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_texts())
def test_yaml_like_documents(text: str) -> None:
    check_text(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STRUCTURES)
def test_dumped_structures(value: Any) -> None:
    check_text(yaml.safe_dump(value, allow_unicode=True))
    check_text(yaml.safe_dump(value, allow_unicode=False, default_flow_style=True, width=30))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, STRUCTURES, max_size=6))
def test_dumped_maps(body: dict[str, Any]) -> None:
    check_text(yaml.safe_dump({"cjmap": 1, "id": "m", "title": "T", "stages": [body]}, allow_unicode=True))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab: -[]{},\n\r\t'\"&*!#|>%@`?1ąé😀~.\ufeff")), max_size=120))
def test_random_yaml_like_text(text: str) -> None:
    check_text(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes(raw: bytes) -> None:
    try:
        text = source.decode(raw, "m")
    except source.LoadError:
        return
    check_text(text)


def test_validate_prints_the_same_either_way(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(generate_map(200), encoding="utf-8")
    paths = [str(ROOT / "examples"), str(ROOT / "tests" / "broken"), str(big)]
    outputs = []
    for pure_fold in ("1", "0"):
        environment = {**os.environ, source.PURE_FOLD_ENV: pure_fold, "NO_COLOR": "1"}
        run = subprocess.run(
            [sys.executable, "-m", "cjmap", "validate", "--today", "2026-11-23", *paths],
            capture_output=True,
            env=environment,
            cwd=tmp_path,
            check=False,
        )
        outputs.append((run.returncode, run.stdout, run.stderr))
    assert outputs[0] == outputs[1]
    assert outputs[0][1]  # findings were printed


# The compiled fold asks the resolvers only about plain scalars at most as long as the table of
# its first character allows (the words true, false and null are short): never a typed one longer.
TYPED_WORDS = [word for word in SPELLINGS if word[:1].isascii() and word[:1].isalpha()] + ["~"]


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=st.sampled_from(list("yYnNtTfFoO~<=lasreu+-.0123456789_:eE \n")), min_size=1, max_size=9),
        st.tuples(st.sampled_from(TYPED_WORDS), st.sampled_from(["", "\n", " ", "s", "\n\n"])).map("".join),
    )
)
def test_the_typed_length_table_never_skips_a_typed_scalar(text: str) -> None:
    from yaml.nodes import ScalarNode

    longest = source._RESOLVABLE_FIRST_FLAGS[ord(text[0])] if text[0].isascii() else 0
    tag = source._Builder._resolver.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag != "tag:yaml.org,2002:str":
        assert longest == 255 or len(text) <= longest, (text, tag, longest)


def test_many_keys_and_long_keys_keep_their_own_text() -> None:
    """Keys are decoded once and found again by a hash of their bytes: keys that share a slot, and
    keys too long to keep, still read as written (thousands of keys, each used twice)."""
    keys = [f"k{index}" for index in range(3000)] + ["ą" * 30, "x" * 49, "x" * 48, "😀" * 13, ""]
    text = "".join(f"- {{'{key}': {index}, {key or 'e'}_: [{key or 'e'}]}}\n" for index, key in enumerate(keys))
    text += "".join(f"- '{key}': {index}\n" for index, key in enumerate(reversed(keys)))
    assert check_text(text)
