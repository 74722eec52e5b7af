"""The safe loader: values, positions, limits."""

from __future__ import annotations

from datetime import date

import pytest

from cjmap.source import Limits, LoadError, Mark, decode, load_bytes, parse


def test_values_keep_their_positions() -> None:
    loaded = parse("title: Mapa\nstages:\n  - id: a\n    name: Świadomość\n", "m.yaml")
    data, positions = loaded.data, loaded.positions
    assert type(data) is dict  # plain data: the positions are kept beside it
    assert positions.key_mark(data, "stages") == Mark(2, 1)
    assert positions.value_mark(data, "stages") == Mark(3, 3)
    stages = data["stages"]
    assert type(stages) is list and positions.item_marks(stages) == [Mark(3, 5)]
    assert positions.value_mark(stages[0], "name") == Mark(4, 11)
    assert positions.file(stages[0], "") == "m.yaml"
    assert positions.mark(stages[0]) == Mark(3, 5)


def test_columns_count_characters_not_bytes() -> None:
    loaded = parse("a: zażółć\nb: [ąę, x]\n", "m")
    assert loaded.positions.item_marks(loaded.data["b"]) == [Mark(2, 5), Mark(2, 9)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7", 7),
        ("-3", -3),
        ("012", 10),  # YAML 1.1 octal, as PyYAML reads it
        ("1_000", 1000),
        ("1.5", 1.5),
        ("2026-09-15", date(2026, 9, 15)),
        ("~", None),
        ("", None),
        ("yes", True),
        ("'yes'", "yes"),
        ('"7"', "7"),
        ("1٣", "1٣"),
        ("text", "text"),
    ],
)
def test_scalars_resolve_like_yaml(text: str, value: object) -> None:
    assert parse(f"v: {text}\n", "m").data["v"] == value


def test_keys_stay_as_written() -> None:
    data = parse("no: 1\n2026-01-01: 2\n010: 3\n", "m").data
    assert list(data) == ["no", "2026-01-01", "010"]


def test_merge_keys_and_aliases() -> None:
    loaded = parse("base: &b {channel: web, emotion: 1}\nt:\n  <<: *b\n  emotion: -1\n", "m")
    data = loaded.data
    assert data["t"] == {"emotion": -1, "channel": "web"}
    assert loaded.positions.value_mark(data["t"], "channel") == Mark(1, 20)


def test_alias_shares_the_anchored_value() -> None:
    data = parse("a: &x [1, 2]\nb: *x\n", "m").data
    assert data["b"] is data["a"]


@pytest.mark.parametrize(
    ("text", "rule", "words"),
    [
        ("a: *missing\n", "CJM001", "refers to no anchor"),
        ("? [a]\n: 1\n", "CJM001", "must be a plain value"),
        ("a: !!set {x}\n", "CJM004", "'!!set' on a mapping"),
        ("a: !custom 1\n", "CJM004", "'!custom' is not allowed"),
        ("a: !!int nope\n", "CJM001", "'nope' is not a valid int"),
        ("t:\n  <<: 1\n", "CJM001", "merge key '<<' takes a mapping"),
        ("a: 1\n---\nb: 2\n", "CJM007", "one YAML document"),
    ],
)
def test_refused(text: str, rule: str, words: str) -> None:
    with pytest.raises(LoadError) as caught:
        parse(text, "m")
    assert caught.value.rule == rule and words in caught.value.message


def test_limits_are_configurable() -> None:
    with pytest.raises(LoadError, match="deeper than 3"):
        parse("a: [[[[1]]]]\n", "m", Limits(max_depth=3))
    with pytest.raises(LoadError, match="more than 5 values"):
        parse("a: &a [1, 2, 3]\nb: [*a, *a]\n", "m", Limits(max_alias_nodes=5))
    with pytest.raises(LoadError, match="over the limit of 10"):
        decode(b"a: 12345678901\n", "m", Limits(max_bytes=10))


def test_bom_is_accepted() -> None:
    assert load_bytes(b"\xef\xbb\xbfa: 1\n", "m").data == {"a": 1}


def test_encoding_error_names_line_column_and_offset() -> None:
    with pytest.raises(LoadError) as caught:
        decode("a: ok\nb: żółw\n".encode("iso-8859-2"), "m")
    assert caught.value.mark == Mark(2, 4)
    assert "byte offset 9" in caught.value.message


@pytest.mark.parametrize(
    ("text", "mark", "words"),
    [
        # PyYAML's constructors raise KeyError, AttributeError and IndexError on these.
        ("cjmap: 1\ngoal: !!bool maybe\n", Mark(2, 7), "'maybe' is not a valid bool: write true or false"),
        ("a: 1\nlast: !!timestamp notadate\n", Mark(2, 7), "'notadate' is not a valid timestamp: write a real date"),
        ('a: 1\nb:\n  n: !!int ""\n', Mark(3, 6), "'' is not a valid int: write a whole number"),
        ("a: 2026-13-40\n", Mark(1, 4), "'2026-13-40' is not a valid timestamp: write a real date such as 2026-09-15"),
    ],
)
def test_a_value_its_tag_does_not_fit_is_a_positioned_finding(text: str, mark: Mark, words: str) -> None:
    with pytest.raises(LoadError) as caught:
        parse(text, "m")
    assert caught.value.rule == "CJM001"
    assert caught.value.mark == mark
    assert words in caught.value.message


def test_a_tagged_value_as_key_is_checked_too() -> None:
    with pytest.raises(LoadError, match="not a valid bool") as caught:
        parse("a: 1\n!!bool maybe: 2\n", "m")
    assert caught.value.mark == Mark(2, 1)


@pytest.mark.parametrize("character", ["\x07", "\x1b", "\x7f", "\u0085\x01"])
def test_a_raw_control_character_is_reported_where_it_is_on_one_line(character: str) -> None:
    text = f"cjmap: 1\nid: m\ntitle: ąę{character}x\n"
    with pytest.raises(LoadError) as caught:
        load_bytes(text.encode(), "m")
    error = caught.value
    assert error.rule == "CJM001"
    offending = next(c for c in character if c not in "\u0085")
    assert error.mark == Mark(3, 10 + character.index(offending))
    assert f"U+{ord(offending):04X}" in error.message
    assert "\n" not in error.message and not any(c in error.message for c in character)
