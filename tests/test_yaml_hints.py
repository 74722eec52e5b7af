"""Gentler YAML: parser errors that say what to do, split sentences in one-line lists, and
local dates and cadences refused with the exact form to write."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjmap.source import LoadError, parse
from cjmap.yaml_hints import cadence_advice, date_advice, split_text_warnings, syntax_advice
from tests.conftest import EXAMPLES, ROOT, check, run_cli

Write = Callable[[str, str], Path]
HEAD = "cjmap: 1\nid: m\ntitle: T\n"
STAGES = "stages:\n  - id: s\n    touchpoints:\n      - id: a\n        action: x\n"


def only(text: str, rule: str = "CJM001") -> tuple[int, int, str]:
    found = [d for d in check(text) if d.rule == rule]
    assert len(found) == 1, found
    return found[0].line, found[0].col, found[0].message


# -- parser errors ------------------------------------------------------------------------------


def test_colon_in_text_says_to_quote_it_with_the_column_and_the_fixed_line() -> None:
    line, col, message = only(HEAD + STAGES.replace("action: x", "action: Reads the FAQ: nothing helps"))
    assert (line, col) == (8, 30)
    assert "the ': ' at column 30" in message
    assert 'put the whole text in quotes, action: "Reads the FAQ: nothing helps"' in message


def test_colon_advice_escapes_quotes_inside_the_text() -> None:
    _, _, message = only(HEAD + 'goal: Say "hi": then go\n')
    assert r'goal: "Say \"hi\": then go"' in message


def test_a_key_indented_under_a_text_is_read_as_more_text() -> None:
    line, _, message = only(HEAD + STAGES + "          emotion: 1\n")
    assert line == 9
    assert "'emotion' is indented deeper (column 11) than 'action' above it (column 9)" in message
    assert "start it at column 9" in message


def test_a_list_item_out_of_line_says_which_column_the_list_uses() -> None:
    text = HEAD + "personas:\n  - id: a\n    name: A\n  name: B\n"
    line, col, message = only(text)
    assert (line, col) == (7, 3)
    assert "did not find expected '-' indicator" in message
    assert "start every item of a list with '- ' at the same column (3)" in message


def test_block_end_error_says_to_line_up_the_keys() -> None:
    # PyYAML's pure-Python parser (used when libyaml is missing) words it this way.
    advice = syntax_advice(
        "invalid YAML: expected <block end>, but found '-' (while parsing a block mapping that starts at line 1, "
        "column 1)",
        HEAD + "- x\n",
        4,
        1,
    )
    assert "does not line up with the keys of the mapping that starts at line 1, which are at column 1" in advice


def test_text_after_a_closing_quote_says_to_quote_the_whole_text() -> None:
    _, _, message = only(HEAD + 'goal: "Grow" by 5%\n')
    assert "goes on after its closing quote" in message and 'goal: "Grow by 5%"' in message


def test_a_key_out_of_line_says_to_line_up_keys() -> None:
    _, _, message = only(HEAD + "stages:\n  - id: s\n    touchpoints:\n      - id: a\n     - id: b\n")
    assert "did not find expected key" in message and "indent every key of one mapping to the same column" in message


def test_unclosed_flow_list_says_to_quote_or_use_block_style() -> None:
    _, _, message = only(HEAD + "stakeholders: [a, b\ngoal: x\n")
    assert "write the list one '- ' item per line" in message


def test_tabs_keep_their_own_advice() -> None:
    _, _, message = only(HEAD + "stages:\n\t- id: s\n")
    assert "indent with spaces" in message


# -- a sentence split by the comma of a one-line list ----------------------------------------


@pytest.mark.parametrize(
    ("items", "tail"),
    [
        ("Spam z kodami, które nic nie dają", "które nic nie dają"),
        ("Long waits, which annoy everyone", "which annoy everyone"),
        ("Долгое ожидание, которое раздражает", "которое раздражает"),
        ("Zwroty trwają, a klient czeka", "a klient czeka"),
        ("Returns take weeks, nobody answers emails", "nobody answers emails"),
    ],
)
def test_a_split_sentence_is_a_warning_at_its_second_half(items: str, tail: str) -> None:
    text = HEAD + f"personas:\n  - id: anna\n    name: Anna\n    frustrations: [{items}]\n" + STAGES
    line, col, message = only(text, "CJM008")
    assert line == 7
    assert col == f"    frustrations: [{items}]".index(tail) + 1
    assert f"'{tail}' looks like the rest of" in message
    assert f'"{items}"' in message  # the exact fix
    assert [d.severity.value for d in check(text) if d.rule == "CJM008"] == ["warning"]


@pytest.mark.parametrize(
    "line",
    [
        "data: [email, phone]",
        "needs: [Fast delivery, Free returns]",
        "interests: [bieganie, półmaratony, aplikacje treningowe]",
        "stakeholders: [marketing, e-commerce, obsługa klienta, logistyka]",
        "needs: [Inspiracja, Dobre dopasowanie rozmiaru, Szybka dostawa]",
        "needs: [CTR, e-commerce]",
        'frustrations: ["Spam z kodami, które nic nie dają"]',
        "personas: [anna, and-more]",
        "goals: [Run a half marathon, Run a full marathon]",
    ],
)
def test_lists_of_separate_items_are_not_reported(line: str) -> None:
    assert split_text_warnings(f"{line}\n") == []


def test_no_shipped_example_or_documented_snippet_is_reported() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*.yaml"))]
    texts += [(ROOT / "docs" / "format.md").read_text(encoding="utf-8"), (ROOT / "README.md").read_text("utf-8")]
    for text in texts:
        assert split_text_warnings(text) == []
    result = run_cli("validate", "--format", "json", "--today", "2026-11-23", str(EXAMPLES))
    assert "CJM008" not in result.stdout


def test_a_split_sentence_in_an_included_library_is_a_warning_and_the_include_still_works(write: Write) -> None:
    write(
        "shared/people.yaml",
        "cjmap: 1\nkind: library\npersonas:\n  - id: anna\n    name: Anna\n"
        "    frustrations: [Spam z kodami, które nic nie dają]\n",
    )
    path = write(
        "map.yaml",
        HEAD + "include: shared/people.yaml\n" + STAGES.replace("action: x", "action: x\n        personas: [anna]"),
    )
    result = run_cli("validate", "--format", "json", "--root", str(path.parent), str(path))
    assert result.exit_code == 0, result.stdout
    assert '"CJM008"' in result.stdout and "people.yaml" in result.stdout
    assert "CJM101" not in result.stdout  # the persona was found


# -- local dates and cadences --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "advice"),
    [
        ("01.10.2026", "2026-10-01"),
        ("1.10.2026 r.", "2026-10-01"),
        ("01.10.2026 г.", "2026-10-01"),
        ("2026/10/01", "2026-10-01"),
        ("2026-10-1", "2026-10-01"),
        ("1 października 2026", "2026-10-01"),
        ("1 октября 2026 г.", "2026-10-01"),
        ("October 1, 2026", "2026-10-01"),
        ("1 Oct 2026", "2026-10-01"),
        ("10/01/2026", "2026-01-10 or 2026-10-01"),
        ("25/12/2026", "2026-12-25"),
    ],
)
def test_local_dates_are_refused_with_the_iso_date_to_write(written: str, advice: str) -> None:
    assert advice in date_advice(written)


@pytest.mark.parametrize("written", ["soon", "31.02.2026", "Q3 2026", "", "2026"])
def test_things_that_are_not_dates_get_no_guess(written: str) -> None:
    assert date_advice(written) == ""


@pytest.mark.parametrize(
    ("written", "advice"),
    [
        ("4 miesiące", "'4 months'"),
        ("co 4 miesiące", "'4 months'"),
        ("раз в 5 месяцев", "'5 months'"),
        ("every 4 months", "'4 months'"),
        ("co 2 tygodnie", "'2 weeks'"),
        ("раз в год", "'1 year'"),
        ("quarterly", "'3 months'"),
        ("6 mies.", "'6 months'"),
        ("co miesiąc", "'1 month'"),
    ],
)
def test_local_cadences_are_refused_with_the_form_to_write(written: str, advice: str) -> None:
    assert advice in cadence_advice(written)


@pytest.mark.parametrize("written", ["often", "4 parsecs", "0 months", ""])
def test_things_that_are_not_cadences_get_no_guess(written: str) -> None:
    assert cadence_advice(written) == ""


def test_a_polish_review_gets_both_fixes_with_positions() -> None:
    found = check(HEAD + "review: {last: 01.10.2026, every: 4 miesiące}\n" + STAGES)
    messages = {(d.line, d.col): d.message for d in found if d.rule == "CJM010"}
    assert "write it as YYYY-MM-DD: 2026-10-01" in messages[(4, 16)]
    assert "'4 months'" in messages[(4, 35)]


def test_the_documented_messages_match_what_cjmap_says() -> None:
    """docs/format.md quotes the advice; keep the quotes true."""
    docs = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    for quoted in re.findall(r"`(write it as YYYY-MM-DD: [0-9-]+)`", docs):
        assert quoted in date_advice("01.10.2026")
    assert "split-text" in docs


@pytest.mark.parametrize(("level", "exit_code", "shown"), [("off", 0, False), ("error", 1, True)])
def test_split_text_severity_follows_the_settings(write: Write, level: str, exit_code: int, shown: bool) -> None:
    settings = write("cjmap.toml", f'[severity]\nsplit-text = "{level}"\n')
    text = HEAD + "personas:\n  - id: anna\n    name: Anna\n    frustrations: [Spam z kodami, które nic nie dają]\n"
    path = write("map.yaml", text + STAGES)
    result = run_cli("validate", "--format", "json", "--config", str(settings), str(path))
    assert result.exit_code == exit_code, result.stdout
    assert ('"CJM008"' in result.stdout) is shown


def test_a_map_whose_split_text_is_off_is_not_scanned_and_its_library_still_warns(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cjmap diff` turns the warning off: the scan of its maps is skipped, while a library (read
    once for every map of the run) keeps its warnings for a map that has the rule on."""
    from datetime import date

    from cjmap import yaml_hints
    from cjmap.document import Loader
    from cjmap.source import Limits
    from cjmap.validate import Settings, check_path

    split = "    frustrations: [Spam z kodami, które nic nie dają]\n"
    write("cjmap.toml", "")
    write("lib.yaml", "cjmap: 1\nkind: library\npersonas:\n  - id: anna\n    name: Anna\n" + split)
    own = "include: lib.yaml\npersonas:\n  - id: rita\n    name: Rita\n" + split
    path = write("map.yaml", HEAD + own + STAGES)
    scanned: list[int] = []
    real = yaml_hints.split_text_warnings

    def counted(text: str) -> list[tuple[int, int, str]]:
        scanned.append(len(text))
        return real(text)

    monkeypatch.setattr(yaml_hints, "split_text_warnings", counted)
    loader = Loader(Limits())
    off = Settings(today=date(2026, 11, 1), severity={"CJM008": None})
    assert check_path(loader, path, "map.yaml", off).diagnostics == []
    assert len(scanned) == 1  # the library only
    on = check_path(loader, path, "map.yaml", Settings(today=date(2026, 11, 1)))
    found = [(d.rule, Path(d.file).name, d.line) for d in on.diagnostics]
    assert found == [("CJM008", "map.yaml", 8), ("CJM008", "lib.yaml", 6)]
    assert len(scanned) == 2  # the map now; the library came from the loader's cache


YAMLISH = st.lists(
    st.sampled_from([*"ab :-,[]{}#'\"\n\t>|?&*!%@`", "  ", "- ", ": ", "które", "which", "\n  - "]), max_size=60
).map("".join)


@given(text=YAMLISH)
@settings(max_examples=300, deadline=None)
def test_any_text_loads_or_fails_with_a_positioned_message(text: str) -> None:
    try:
        loaded = parse(text, "x")
    except LoadError as error:
        assert error.mark.line >= 1 and error.mark.col >= 1 and error.message
        return
    lines = text.splitlines()
    for problem in loaded.problems:
        assert 1 <= problem.mark.line <= len(lines)
        assert 1 <= problem.mark.col <= len(lines[problem.mark.line - 1])
