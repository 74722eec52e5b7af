"""Gentler YAML: advice for the mistakes people who are not YAML experts make most.

- Parser errors get a sentence that says what to do: quote text holding ': ', line up keys,
  start list items with '- ' at the list's column (`syntax_advice`).
- A one-line list `[...]` whose comma split a sentence in two gets a warning
  (`split_text_warnings`): YAML reads `[Spam z kodami, które nic nie dają]` as two items.
- Dates and cadences written the local way (`01.10.2026`, `4 miesiące`, `раз в 5 месяцев`)
  are refused with the exact form to write (`date_advice`, `cadence_advice`). cjmap keeps one
  spelling of each on purpose: `2026-10-01` and `4 months` sort, diff and read the same in every
  language, while `01/10/2026` means two different days in two countries. The local forms are
  few and fixed, so a short table here recognises them; a locale library (Babel, ~30 MB of
  CLDR data) would only be needed to *accept* every local form, which the format does not do.

No I/O; the loader (source.py) and the model's messages (explain.py) call these.
"""

from __future__ import annotations

import re
from datetime import date

from cjmap import rule_ids

# --- parser errors -------------------------------------------------------------------------

_STARTS_AT = re.compile(r"starts at line (\d+), column (\d+)")
_KEY = re.compile(r"^(\s*(?:-\s+)?)([^\s#'\"{}\[\],][^:#]*?):\s+(.*?)\s*$")


def syntax_advice(message: str, text: str, line: int, col: int) -> str:
    """A sentence to append to a parser error message ('' when there is nothing to add)."""
    source = _line(text, line)
    started = _STARTS_AT.search(message)
    start_line, start_col = (int(started.group(1)), int(started.group(2))) if started else (0, 0)
    if "mapping values are not allowed" in message:
        return _continued_advice(text, line) or _colon_advice(source, col)
    if "did not find expected key" in message or "expected <block end>" in message:
        quoted = _quoted_then_more(text, line)
        if quoted:
            return quoted
    if "did not find expected key" in message:
        keys = f" (at column {start_col}, as on line {start_line})" if started else ""
        return (
            f"; this line is not lined up with the keys of its mapping{keys}: indent every key of one "
            "mapping to the same column, with spaces; a list item starts with '- ' at the list's column"
        )
    if "did not find expected '-' indicator" in message:
        where = f" (line {start_line}, column {start_col})" if started else ""
        return (
            f"; this line is not lined up with the list it belongs to{where}: start every item of a "
            f"list with '- ' at the same column{f' ({start_col})' if started else ''}, and indent the "
            "item's own keys by the same amount, with spaces"
        )
    if "expected <block end>" in message:
        where = f" that starts at line {start_line}" if started else ""
        keys = f" at column {start_col}" if started else ""
        return (
            f"; column {col} does not line up with the keys of the mapping{where}, which are{keys}: "
            "indent keys of the same mapping equally (spaces only); if the line continues the text "
            "above, put that whole text in quotes or write it as a block ('>-' and the text on "
            "indented lines below)"
        )
    if "could not find expected ':'" in message:
        return (
            "; a line inside a mapping needs 'key: value': if it continues the text of the line "
            "above, put the whole text in quotes or write it as a block ('>-' and the text on "
            "indented lines below)"
        )
    if "did not find expected ',' or ']'" in message or "did not find expected ',' or '}'" in message:
        return (
            "; a [...] or {...} is not closed, or text inside it holds a quote, bracket or colon: "
            "put that text in quotes, or write the list one '- ' item per line"
        )
    return ""


def _quoted_then_more(text: str, line: int) -> str:
    """`goal: "Grow" by 5%`: text after the closing quote."""
    for number in (line, line - 1):
        match = _KEY.match(_line(text, number))
        if match is None:
            continue
        value = match.group(3)
        if value[:1] in "\"'" and len(value) > 1 and not value.rstrip().endswith(value[0]):
            return (
                f"; the text of '{match.group(2)}' on line {number} goes on after its closing quote: "
                f"put the quotes around the whole text, {match.group(2)}: {quote(value.replace(value[0], ''))}"
            )
    return ""


def _continued_advice(text: str, line: int) -> str:
    """A key indented deeper than the `key: text` line above it reads as more of that text."""
    lines = text.splitlines()
    if not 1 < line <= len(lines):
        return ""
    current = lines[line - 1]
    above = next((lines[i] for i in range(line - 2, -1, -1) if lines[i].strip()), "")
    match = _KEY.match(above)
    key_here = _KEY.match(current)
    if match is None or key_here is None or not match.group(3):
        return ""
    above_col = len(match.group(1)) + 1
    here_col = len(key_here.group(1)) + 1
    if here_col <= above_col:
        return ""
    return (
        f"; '{key_here.group(2)}' is indented deeper (column {here_col}) than '{match.group(2)}' above it "
        f"(column {above_col}), so YAML reads it as more of that text: if it is a key of its own, "
        f"start it at column {above_col}; if it is part of the text, put the whole text in quotes"
    )


def _colon_advice(source: str, col: int) -> str:
    match = _KEY.match(source)
    if match is None or ": " not in match.group(3) + " ":
        return f"; the ':' at column {col} starts a new key: if it is part of a text, put the whole text in quotes"
    indent, key, value = match.groups()
    return (
        f"; the ': ' at column {col} is read as the start of a new key inside the text of '{key}': "
        f"put the whole text in quotes, {indent.strip()}{' ' if indent.strip() else ''}{key}: {quote(value)}"
    )


def quote(value: str) -> str:
    """Text in YAML double quotes."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


# --- a sentence split by the comma of a one-line list ------------------------------------

SPLIT_TEXT_RULE = rule_ids.SPLIT_TEXT
# Lists of ids or numbers: their items are never sentences.
_ID_LISTS = frozenset(
    {"personas", "data", "collects", "next", "include", "ignore", "requires", "touchpoints", "emotion_scale"}
)
_FLOW_LIST = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):\s*\[([^\[\]{}\"'#]*)\]\s*(?:#.*)?$")
# Words that continue a sentence rather than start a new item: conjunctions and relative
# pronouns in the map languages (en, pl, ru).
_CONTINUING_WORDS = """
    and or but nor yet so because which that who whom whose where when while although though if than
    i a ale lub albo oraz czy bo więc że gdy kiedy gdzie jeśli jeżeli żeby aby ani niż choć chociaż
    który która które którego której którym których którzy którą
    и а но или либо что чтобы который которая которое которые которого которой которых которым
    где когда если потому так хотя чем как ни
"""
_CONTINUING = frozenset(_CONTINUING_WORDS.split())


def split_text_warnings(text: str) -> list[tuple[int, int, str]]:
    """(line, column, message) for each one-line list item that looks like the rest of the
    text before it, split off by a comma: `[Spam z kodami, które nic nie dają]`."""
    if "[" not in text:
        return []
    found = []
    for number, source in enumerate(text.splitlines(), start=1):
        if "," not in source or "[" not in source:
            continue
        match = _FLOW_LIST.match(source)
        if match is None or match.group(2) in _ID_LISTS:
            continue
        inner_start = match.start(3)
        items = match.group(3).split(",")
        offset = inner_start
        positions = []
        for item in items:
            positions.append(offset + len(item) - len(item.lstrip()))
            offset += len(item) + 1
        stripped = [item.strip() for item in items]
        for index in range(1, len(stripped)):
            before, after = stripped[index - 1], stripped[index]
            if before and after and _continues(before, after, stripped):
                joined = ", ".join(stripped[index - 1 : index + 1])
                found.append(
                    (
                        number,
                        positions[index] + 1,
                        f"'{after}' looks like the rest of '{before}': the comma of a one-line list "
                        f"[...] splits text into two items. If it is one text, put it in quotes "
                        f"({quote(joined)}) or write the list one '- ' item per line",
                    )
                )
    return found


def _continues(before: str, after: str, items: list[str]) -> bool:
    words = after.split()
    if len(words) < 2:
        return False  # a single word is an item of its own: [email, phone], [CTR, e-commerce]
    if words[0].lower() in _CONTINUING and words[0].islower():
        return True
    # Capitalised items, and this one goes on in lower case: the tail of a sentence.
    capitalised = [item for item in items if item[:1].isupper()]
    return before[:1].isupper() and words[0][:1].islower() and len(capitalised) * 2 >= len(items)


# --- dates and cadences written the local way ----------------------------------------------

_MONTHS = {
    # en, pl (nominative and genitive), ru (nominative and genitive); 3+ letter prefixes also match
    1: ("january", "styczeń", "stycznia", "январь", "января"),
    2: ("february", "luty", "lutego", "февраль", "февраля"),
    3: ("march", "marzec", "marca", "март", "марта"),
    4: ("april", "kwiecień", "kwietnia", "апрель", "апреля"),
    5: ("may", "maj", "maja", "май", "мая"),
    6: ("june", "czerwiec", "czerwca", "июнь", "июня"),
    7: ("july", "lipiec", "lipca", "июль", "июля"),
    8: ("august", "sierpień", "sierpnia", "август", "августа"),
    9: ("september", "wrzesień", "września", "сентябрь", "сентября"),
    10: ("october", "październik", "października", "октябрь", "октября"),
    11: ("november", "listopad", "listopada", "ноябрь", "ноября"),
    12: ("december", "grudzień", "grudnia", "декабрь", "декабря"),
}
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})\s*(?:r\.?|г\.?|года)?$")
_YEAR_FIRST = re.compile(r"^(\d{4})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NAMED = re.compile(r"^(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})\s*(?:r\.?|г\.?|года)?$")
_NAMED_EN = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def date_advice(value: object) -> str:
    """'; write 2026-10-01' for a date written another way ('' when it is not recognisably one)."""
    if not isinstance(value, str):
        return ""
    text = value.strip().lower()
    candidates: list[date] = []
    slashed = _SLASHED.match(text)
    if slashed:
        first, second, year = map(int, slashed.groups())
        candidates = [d for d in (_day(year, second, first), _day(year, first, second)) if d is not None]
    elif match := _DAY_FIRST.match(text):
        day, month, year = map(int, match.groups())
        candidates = [d for d in (_day(year, month, day),) if d is not None]
    elif match := _YEAR_FIRST.match(text):
        year, month, day = map(int, match.groups())
        candidates = [d for d in (_day(year, month, day),) if d is not None]
    elif match := _NAMED.match(text):
        month = _month(match.group(2))
        candidates = [d for d in (_day(int(match.group(3)), month, int(match.group(1))),) if month and d]
    elif match := _NAMED_EN.match(text):
        month = _month(match.group(1))
        candidates = [d for d in (_day(int(match.group(3)), month, int(match.group(2))),) if month and d]
    unique = sorted(set(candidates))
    if len(unique) == 1:
        return f"; write it as YYYY-MM-DD: {unique[0].isoformat()}"
    if len(unique) == 2:
        return (
            f"; write it as YYYY-MM-DD: {unique[0].isoformat()} or {unique[1].isoformat()} "
            "(with slashes the day and month could be either way round)"
        )
    return ""


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(word: str) -> int:
    if len(word) < 3:
        return 0
    for number, names in _MONTHS.items():
        if any(name.startswith(word) or word.startswith(name) for name in names):
            return number
    return 0


_UNITS = {
    "day": ("day", "days", "dzień", "dzien", "dni", "dnia", "день", "дня", "дней", "дн"),
    "week": (
        "week",
        "weeks",
        "wk",
        "wks",
        "tydzień",
        "tydzien",
        "tygodnie",
        "tygodni",
        "tyg",
        "неделя",
        "неделю",
        "недели",
        "недель",
        "нед",
    ),
    "month": (
        "month",
        "months",
        "mo",
        "mos",
        "mth",
        "mths",
        "miesiąc",
        "miesiac",
        "miesiące",
        "miesiace",
        "miesięcy",
        "miesiecy",
        "mies",
        "mc",
        "mcy",
        "месяц",
        "месяца",
        "месяцев",
        "мес",
    ),
    "year": ("year", "years", "yr", "yrs", "rok", "lata", "lat", "roku", "год", "года", "лет", "г"),
}
_UNIT_OF = {form: unit for unit, forms in _UNITS.items() for form in forms}
_PREFIX = re.compile(r"^(?:every|each|once\s+every|co|raz\s+na|раз\s+в|каждые|каждый|каждую)\s+", re.IGNORECASE)
_COUNTED = re.compile(r"^(\d+)?\s*([^\W\d_]+)\.?$")
_WORDS = {
    "quarterly": (3, "month"),
    "kwartalnie": (3, "month"),
    "ежеквартально": (3, "month"),
    "monthly": (1, "month"),
    "miesięcznie": (1, "month"),
    "ежемесячно": (1, "month"),
    "weekly": (1, "week"),
    "tygodniowo": (1, "week"),
    "еженедельно": (1, "week"),
    "yearly": (1, "year"),
    "annually": (1, "year"),
    "rocznie": (1, "year"),
    "ежегодно": (1, "year"),
    "kwartał": (3, "month"),
    "квартал": (3, "month"),
}


def cadence_advice(value: object) -> str:
    """'; write '4 months'' for a cadence written another way ('' when it is not recognisably one)."""
    if not isinstance(value, str):
        return ""
    text = _PREFIX.sub("", value.strip().lower()).strip()
    if text in _WORDS:
        count, unit = _WORDS[text]
    else:
        match = _COUNTED.match(text)
        if match is None or match.group(2) not in _UNIT_OF:
            return ""
        count, unit = int(match.group(1) or 1), _UNIT_OF[match.group(2)]
    if count < 1:
        return ""
    return f"; write it in English, a number and a unit: '{count} {unit}{'s' if count != 1 else ''}'"
