"""Words in three languages: every locale has every phrase, and plural forms agree with numbers."""

from __future__ import annotations

import pytest

from cjmap.render.i18n import CADENCES, CHANNEL_NAMES, NOUNS, WORDS, Words


@pytest.mark.parametrize("table", [WORDS, NOUNS, CADENCES], ids=["words", "nouns", "cadences"])
def test_every_locale_has_every_entry(table: dict[str, dict[str, object]]) -> None:
    keys = {locale: set(entries) for locale, entries in table.items()}
    assert set(keys) == {"en", "pl", "ru"}
    assert keys["pl"] == keys["en"] == keys["ru"]


def test_builtin_channels_are_named_in_every_language() -> None:
    from cjmap.channels import BUILTIN_CHANNELS

    for names in CHANNEL_NAMES.values():
        assert set(names) == {channel.id for channel in BUILTIN_CHANNELS}


@pytest.mark.parametrize(
    ("locale", "counts"),
    [
        ("en", ["1 pain point", "2 pain points", "5 pain points", "21 pain points"]),
        ("pl", ["1 problem", "2 problemy", "5 problemów", "21 problemów", "22 problemy", "12 problemów"]),
        ("ru", ["1 проблема", "2 проблемы", "5 проблем", "21 проблема", "22 проблемы", "12 проблем"]),
    ],
)
def test_plural_forms(locale: str, counts: list[str]) -> None:
    numbers = [int(text.split()[0]) for text in counts]
    assert [Words(locale).count(n, "pain") for n in numbers] == counts


@pytest.mark.parametrize(
    ("locale", "month", "four_months", "five_weeks"),
    [
        ("en", "every month", "every 4 months", "every 5 weeks"),
        ("pl", "co miesiąc", "co 4 miesiące", "co 5 tygodni"),
        ("ru", "раз в месяц", "раз в 4 месяца", "раз в 5 недель"),
    ],
)
def test_review_cadence(locale: str, month: str, four_months: str, five_weeks: str) -> None:
    words = Words(locale)
    assert [words.cadence(1, "month"), words.cadence(4, "month"), words.cadence(5, "week")] == [
        month,
        four_months,
        five_weeks,
    ]


@pytest.mark.parametrize(
    ("locale", "heading", "inline"), [("en", "Goal", "goal"), ("pl", "Cel", "cel"), ("ru", "Цель", "цель")]
)
def test_one_word_reads_as_a_heading_and_inside_a_sentence(locale: str, heading: str, inline: str) -> None:
    assert (Words(locale)["goal"], Words(locale).lower("goal")) == (heading, inline)


def test_an_outcome_of_kind_other_reads_the_same_in_every_output() -> None:
    """The diagram once said 'outcome' where the report and the grid said 'other'."""
    from tests.conftest import run_cli

    text = """\
    cjmap: 1
    id: other-kind
    title: Other kind
    stages:
      - id: s
        touchpoints:
          - {id: a, next: [elsewhere]}
    outcomes:
      - {id: elsewhere, name: Goes elsewhere}
    """
    import textwrap

    source = textwrap.dedent(text)
    outputs = {f: run_cli("render", "-f", f, "-o", "-", "-", input=source).stdout for f in ("dot", "md", "html")}
    assert "| **Goes elsewhere** | other |" in outputs["md"] and "Goes elsewhere (other)" in outputs["html"]
    assert ">other</FONT>" in outputs["dot"] and ">outcome</FONT>" not in outputs["dot"]


def test_plural_forms_agree_with_cldr() -> None:
    """The hand-written plural rules against Babel's CLDR data (a second engine, test-only: the
    core install stays without Babel's 30 MB of locale data for three languages' rules)."""
    babel = pytest.importorskip("babel")
    from cjmap.render.i18n import NOUNS, Words

    for locale in ("en", "pl", "ru"):
        words = Words(locale)
        forms = NOUNS[locale]["pain"]
        rule = babel.Locale.parse(locale).plural_form
        for number in range(0, 1001):
            category = rule(number)
            expected = {"one": forms[0], "few": forms[1], "many": forms[2], "other": forms[2]}[category]
            assert words.count(number, "pain") == f"{number} {expected}", (locale, number, category)


@pytest.mark.parametrize(
    ("locale", "name", "label", "preposition"),
    [("pl", "Kasia", "Persona", "dla "), ("ru", "Светлана", "Персона", "для ")],
)
def test_a_persona_name_is_never_put_where_it_would_need_a_case(
    locale: str, name: str, label: str, preposition: str
) -> None:
    """'dla Kasia' is wrong and 'dla Kasi' needs a morphology library; 'Persona: Kasia' needs none."""
    import textwrap

    from tests.conftest import run_cli

    source = textwrap.dedent(
        f"""\
        cjmap: 1
        id: names
        title: Names
        locale: {locale}
        personas:
          - {{id: k, name: {name}}}
          - {{id: o, name: Other}}
        stages:
          - id: s
            touchpoints:
              - {{id: a, personas: [k]}}
              - {{id: b, personas: [o]}}
        """
    )
    outputs = {f: run_cli("render", "-f", f, "-o", "-", "-", input=source).stdout for f in ("dot", "md", "html")}
    assert f"{label}: {name}" in outputs["dot"]
    for text in outputs.values():
        assert f"{preposition}{name}" not in text
