"""Words in three languages: every locale has every phrase, and plural forms agree with numbers."""

from __future__ import annotations

import pytest

from cjmap.render.i18n import CADENCES, CHANNEL_NAMES, NOUNS, PHRASES, REPORT, Phrases


@pytest.mark.parametrize("table", [PHRASES, REPORT, NOUNS, CADENCES], ids=["diagram", "report", "nouns", "cadences"])
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
    assert [Phrases(locale).count(n, "pain") for n in numbers] == counts


@pytest.mark.parametrize(
    ("locale", "month", "four_months", "five_weeks"),
    [
        ("en", "every month", "every 4 months", "every 5 weeks"),
        ("pl", "co miesiąc", "co 4 miesiące", "co 5 tygodni"),
        ("ru", "раз в месяц", "раз в 4 месяца", "раз в 5 недель"),
    ],
)
def test_review_cadence(locale: str, month: str, four_months: str, five_weeks: str) -> None:
    phrases = Phrases(locale)
    assert [phrases.cadence(1, "month"), phrases.cadence(4, "month"), phrases.cadence(5, "week")] == [
        month,
        four_months,
        five_weeks,
    ]
