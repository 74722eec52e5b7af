"""A workshop spreadsheet (CSV, or .xlsx with the `xlsx` extra) as a cjmap map.

Two shapes are read, told apart by their labels:
- the grid, as `cjmap render -f html` draws it: a row of stage names across (a stage spans the
  columns up to the next name, as merged cells export), a row of touchpoint names, then one row
  per lane, labelled in the first column in en, pl or ru (Channel / Kanał / Канал, ...);
- one row per touchpoint, under a header `stage, touchpoint, channel, action, ...`, with
  `emotion` or one `emotion:<persona>` column per persona.
A cell may hold several values (pain points, opportunities, KPIs) on separate lines.

Text is UTF-8 (with or without a BOM) or UTF-16 with a BOM; without either, Windows-1250
(Polish) or Windows-1251 (Russian) is recognised by its letters, and anything else is refused.
"""

from __future__ import annotations

import csv
import io
import math
import re
from typing import Any

from cjmap.channels import BUILTIN_CHANNELS
from cjmap.importers import ImportError_, Notes, cells
from cjmap.importers.slug import Ids, slugify
from cjmap.importers.yaml_out import Flow, dump
from cjmap.render.i18n import CHANNEL_NAMES, WORDS

# Field -> the labels a sheet may use for it: the grid's own in en/pl/ru, and the format's keys.
_LANE_WORDS = {
    "touchpoint": "touchpoint",
    "channel": "channel",
    "action": "action",
    "backstage": "backstage",
    "need": "need-lane",
    "thoughts": "thoughts",
    "emotion": "emotion",
    "pain_points": "pain-points",
    "opportunities": "opportunities",
    "kpis": "kpis",
    "content": "data-lane",
    "next": "decision-lane",
    "stage": "stage",
    "curve": "curve",
}
_EXTRA_LABELS = {
    "name": "touchpoint",
    "touchpoint": "touchpoint",
    "need": "need",
    "pain points": "pain_points",
    "pain_points": "pain_points",
    "pains": "pain_points",
    "personas": "personas",
    "persona": "personas",
    "content": "content",
    "stage goal": "goal",
    "goal": "goal",
    "id": "id",
    "action": "action",
    "backstage": "backstage",
    "thoughts": "thoughts",
    "opportunities": "opportunities",
    "kpis": "kpis",
    "kpi": "kpis",
    "channel": "channel",
    "emotion": "emotion",
    "stage": "stage",
    "next": "next",
    "decision": "next",
    "entry": "entry",
    "data": "data",
    "collects": "collects",
}
LABELS: dict[str, str] = {}
for _field, _key in _LANE_WORDS.items():
    for _lang in ("en", "pl", "ru"):
        LABELS[WORDS[_lang][_key].casefold()] = _field
LABELS |= {label.casefold(): field for label, field in _EXTRA_LABELS.items()}
LABELS |= {"etap": "stage", "этап": "stage", "persony": "personas", "персоны": "personas", "emocje": "emotion"}

_BUILTIN_CHANNELS = {channel.id for channel in BUILTIN_CHANNELS}
_CHANNEL_BY_NAME = {c.name.casefold(): c.id for c in BUILTIN_CHANNELS if c.name} | {
    name.casefold(): cid for names in CHANNEL_NAMES.values() for cid, name in names.items()
}
_MIXED = re.compile(r"[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]")
_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
YES = {"yes", "y", "true", "x", "1", "✔", "tak", "да"}
NO = {"no", "n", "false", "0", "-", "nie", "нет"}
LIST_FIELDS = ("pain_points", "opportunities", "kpis", "content")
TEXT_FIELDS = ("action", "backstage", "need", "thoughts")
# The usual emotion scales, the first that holds every value in the sheet is the map's.
SCALES = ((-2, 2), (-3, 3), (1, 5), (0, 5), (1, 7), (1, 10), (0, 10), (-5, 5), (-10, 10))


def import_table(raw: bytes, name: str, fallback_title: str) -> tuple[str, list[str]]:
    notes = Notes()
    rows = read_rows(raw, name, notes)
    if not rows:
        raise ImportError_(f"{name}: the sheet is empty")
    header = [cell.strip().casefold() for cell in rows[0]]
    if "stage" in {LABELS.get(cell) for cell in header} and any(LABELS.get(c) == "touchpoint" for c in header):
        stages = _from_rows(rows, name, notes)
    elif any(LABELS.get(row[0].strip().casefold()) == "touchpoint" for row in rows if row):
        stages = _from_grid(rows, name, notes)
    else:
        raise ImportError_(
            f"{name}: neither shape of a journey sheet: give a header row with 'stage' and 'touchpoint' "
            "columns (one row per touchpoint), or a grid with a row labelled 'Touchpoint' in the first column"
        )
    data = _build(stages, fallback_title, notes, name)
    locale = _locale([row[0] for row in rows] + rows[0])
    if locale != "en":
        data = {**dict(list(data.items())[:3]), "locale": locale, **dict(list(data.items())[3:])}
    return dump(data), notes.items


def _locale(labels: list[str]) -> str:
    """The language of the sheet's labels, for the headings cjmap renders."""
    found = {cell.strip().casefold() for cell in labels}
    counts = {
        locale: sum(1 for key in _LANE_WORDS.values() if WORDS[locale][key].casefold() in found)
        for locale in ("pl", "ru")
    }
    best = max(counts, key=lambda locale: counts[locale])
    return best if counts[best] > 0 else "en"


# Reading ---------------------------------------------------------------------------------------


def decode(raw: bytes, name: str, notes: Notes) -> str:
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise ImportError_(
                    f"{name}: starts like {encoding.upper().removesuffix('-SIG')} text but is not "
                    f"(byte {error.start}): "
                    "save the sheet as 'CSV UTF-8' again"
                ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        position = error.start
    # Not UTF-8. Excel on Windows saves "CSV" in the system's code page: tell the two by their letters.
    high = [b for b in raw if b >= 0x80]
    cyrillic = raw.decode("cp1251", errors="replace")
    # Every high byte is a letter in Windows-1251, so also ask for whole Cyrillic words: Latin-1
    # text read that way mixes scripts inside a word ("Crиme").
    if sum(1 for c in cyrillic if "\u0400" <= c <= "\u04ff") >= 0.9 * len(high) and not _MIXED.search(cyrillic):
        notes.add(f"{name} is not UTF-8: read as Windows-1251 (Cyrillic); save as 'CSV UTF-8' to be sure")
        return cyrillic
    polish = raw.decode("cp1250", errors="replace")
    if sum(1 for c in polish if c in _POLISH) >= 0.9 * len(high):
        notes.add(f"{name} is not UTF-8: read as Windows-1250 (Central European); save as 'CSV UTF-8' to be sure")
        return polish
    raise ImportError_(
        f"{name}: not UTF-8 text (byte {position}) and not recognisably Windows-1250 or -1251: "
        "save the sheet as 'CSV UTF-8' and import it again"
    )


def read_rows(raw: bytes, name: str, notes: Notes) -> list[list[str]]:
    if raw.startswith(b"PK\x03\x04"):
        return _xlsx_rows(raw, name, notes)
    text = decode(raw, name, notes).replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        delimiter = max(";,\t", key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise ImportError_(f"{name}: not readable as CSV: {error}") from None
    return _trim(rows)


def _xlsx_rows(raw: bytes, name: str, notes: Notes) -> list[list[str]]:
    try:
        import openpyxl
    except ImportError:
        raise ImportError_(f"{name}: reading .xlsx needs openpyxl: pip install 'cjmap[xlsx]'") from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportError_(f"{name}: not a readable .xlsx workbook: {error}") from None
    sheet = book.worksheets[0]
    if len(book.worksheets) > 1:
        notes.add(f"{name}: only the first sheet '{sheet.title}' is read")
    rows = [["" if cell is None else _cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return _trim(rows)


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _trim(rows: list[list[str]]) -> list[list[str]]:
    rows = [list(row) for row in rows]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    rows = [row for row in rows if any(cell.strip() for cell in row)] if rows else rows
    width = max((max((i + 1 for i, c in enumerate(row) if c.strip()), default=0) for row in rows), default=0)
    return [(row + [""] * width)[:width] for row in rows]


# The two shapes -> [(stage name, [touchpoint fields])] --------------------------------------------

Stage = tuple[str, list[dict[str, Any]]]


def _from_rows(rows: list[list[str]], name: str, notes: Notes) -> list[Stage]:
    columns: list[tuple[int, str, str | None]] = []  # (index, field, persona)
    for index, cell in enumerate(rows[0]):
        label = cell.strip()
        field = LABELS.get(label.casefold())
        persona = None
        if field is None and ":" in label:
            head, _, persona = label.partition(":")
            field = "emotion" if LABELS.get(head.strip().casefold()) == "emotion" else None
            persona = persona.strip() or None
        if field is None or field in ("curve", "id"):
            if label:
                notes.add(f"{name}: column '{label}' is ignored")
            continue
        columns.append((index, field, persona))
    stages: list[Stage] = []
    by_name: dict[str, list[dict[str, Any]]] = {}
    current = ""
    for number, row in enumerate(rows[1:], start=2):
        fields: dict[str, Any] = {"line": number, "emotion": {}}
        for index, field, persona in columns:
            value = row[index].strip()
            if not value:
                continue
            if field == "stage":
                current = value
            elif field == "touchpoint":
                fields["touchpoint"], entry, named = cells.touchpoint_name(value)
                if entry:
                    fields["entry"] = True
                if named:
                    fields["personas"] = "\n".join(named)
            elif field == "emotion" and persona:
                fields["emotion"][persona] = value
            elif field == "emotion":
                fields["emotion"].update(cells.emotions(value))
            else:
                fields[field] = value
        if not fields.get("touchpoint"):
            notes.add(f"{name}:{number}: a row without a touchpoint name is ignored")
            continue
        if current not in by_name:
            by_name[current] = []
            stages.append((current, by_name[current]))
        elif stages[-1][0] != current:
            notes.add(f"{name}:{number}: stage '{current}' appears again: its touchpoints are merged into one stage")
        by_name[current].append(fields)
    return stages


def _from_grid(rows: list[list[str]], name: str, notes: Notes) -> list[Stage]:
    touch_row = next(i for i, row in enumerate(rows) if LABELS.get(row[0].strip().casefold()) == "touchpoint")
    names = rows[touch_row]
    stage_row = rows[touch_row - 1] if touch_row > 0 else None
    lanes: list[tuple[int, str]] = []
    for number, row in enumerate(rows, start=1):
        if number - 1 in (touch_row, touch_row - 1):
            continue
        label = row[0].strip()
        field = LABELS.get(label.casefold())
        if field in (None, "curve", "stage", "touchpoint"):
            notes.add(f"{name}:{number}: row '{label}' is ignored" + ("" if field else " (not a lane cjmap knows)"))
            continue
        lanes.append((number - 1, field))
    stages: list[Stage] = []
    current, goal = "", None
    for column in range(1, len(names)):
        if stage_row is not None and stage_row[column].strip():
            current, goal = cells.stage_name(stage_row[column])
        touchpoint, entry, named = cells.touchpoint_name(names[column])
        if not touchpoint:
            if any(rows[r][column].strip() for r, _ in lanes):
                notes.add(f"{name}: column {column + 1} has no touchpoint name: ignored")
            continue
        fields: dict[str, Any] = {"line": touch_row + 1, "touchpoint": touchpoint, "emotion": {}, "goal": goal}
        if entry:
            fields["entry"] = True
        if named:
            fields["personas"] = "\n".join(named)
        for row_index, field in lanes:
            value = rows[row_index][column].strip()
            if not value:
                continue
            if field == "emotion":
                fields["emotion"] = cells.emotions(value)
            elif field == "content":
                fields.update({key: "\n".join(items) for key, items in cells.data_lane(value).items()})
            elif field == "need" and "\n" in value:
                need, _, thoughts = value.partition("\n")
                fields["need"], fields["thoughts"] = need.strip(), thoughts.strip().strip('“”„«»"')
            else:
                fields[field] = value
        if not stages or stages[-1][0] != current:
            stages.append((current, []))
        stages[-1][1].append(fields)
    return stages


# The map --------------------------------------------------------------------------------------


def _build(stages: list[Stage], title: str, notes: Notes, name: str) -> dict[str, Any]:
    if not any(touchpoints for _, touchpoints in stages):
        raise ImportError_(f"{name}: no touchpoints found: a map needs at least one")
    persona_ids = Ids()
    personas: dict[str, str] = {}
    values: list[float] = []
    for _, touchpoints in stages:
        for fields in touchpoints:
            for persona_name in list(fields["emotion"]) + cells.lines(fields.get("personas", "")):
                if persona_name and persona_name not in personas:
                    personas[persona_name] = persona_ids.new(persona_name, "persona")
            for raw in fields["emotion"].values():
                number = cells.number(raw)
                if number is not None:
                    values.append(number)
    scale = next((s for s in SCALES if all(s[0] <= v <= s[1] for v in values)), None)
    if scale is None:
        scale = (min(-2, math.floor(min(values))), max(2, math.ceil(max(values))))
        notes.add(f"the emotions fit no usual scale: the map's emotion_scale is {list(scale)}")
    ids = Ids()
    channels: dict[str, str] = {}
    out_stages: list[dict[str, Any]] = []
    for stage_name, touchpoints in stages:
        if not stage_name:
            notes.add(f"{name}: touchpoints without a stage are put in a stage 'stage'")
        stage: dict[str, Any] = {"id": ids.new(stage_name, "stage")}
        if stage_name:
            stage["name"] = stage_name
        goal = next((f["goal"] for f in touchpoints if f.get("goal")), None)
        if goal:
            stage["goal"] = goal
        merged: dict[str, dict[str, Any]] = {}
        out: list[dict[str, Any]] = []
        for fields in touchpoints:
            label = fields["touchpoint"]
            if label in merged:
                notes.add(f"{name}:{fields['line']}: touchpoint '{label}' appears twice in one stage: merged")
                _merge(merged[label], _touchpoint(fields, None, personas, channels, notes, name))
                continue
            touchpoint = _touchpoint(fields, ids, personas, channels, notes, name)
            merged[label] = touchpoint
            out.append(touchpoint)
        stage["touchpoints"] = out
        out_stages.append(stage)
    outcomes = _resolve_flows(out_stages, ids, notes, name)
    data: dict[str, Any] = {"cjmap": 1, "id": slugify(title, "journey"), "title": title}
    if scale != (-2, 2):
        data["emotion_scale"] = Flow(scale)
    if personas:
        data["personas"] = [{"id": pid, "name": pname} for pname, pid in personas.items()]
    if channels:
        data["channels"] = [{"id": cid, "name": cname} for cid, cname in channels.items()]
    data["stages"] = out_stages
    if outcomes:
        data["outcomes"] = outcomes
    return data


def _resolve_flows(stages: list[dict[str, Any]], ids: Ids, notes: Notes, name: str) -> list[dict[str, Any]]:
    """'Next' and decision targets by name -> ids of touchpoints, stages or new outcomes."""
    by_label: dict[str, str] = {}
    for stage in stages:
        for touchpoint in stage["touchpoints"]:
            by_label.setdefault(touchpoint["name"].casefold(), touchpoint["id"])
    for stage in stages:
        by_label.setdefault(stage.get("name", stage["id"]).casefold(), stage["id"])
    outcomes: dict[str, dict[str, Any]] = {}

    def target(label: str) -> str:
        outcome, kind = cells.outcome_name(label)
        key = label.strip().casefold()
        if key in by_label:
            return by_label[key]
        if kind is None or outcome.casefold() not in by_label:
            outcome_id = ids.new(outcome, "outcome")
            by_label[outcome.casefold()] = outcome_id
            outcomes[outcome_id] = {"id": outcome_id, "name": outcome} | ({"kind": kind} if kind else {})
            if kind is None:
                notes.add(f"'{outcome}' is no touchpoint or stage of the sheet: added as an outcome")
        return by_label[outcome.casefold()]

    for stage in stages:
        for touchpoint in stage["touchpoints"]:
            flow: cells.Flow | None = touchpoint.pop("_flow", None)
            if flow is None:
                continue
            if flow.next:
                touchpoint["next"] = [target(label) for label in flow.next]
                if "entry" in touchpoint:
                    touchpoint["entry"] = touchpoint.pop("entry")
                continue
            branches: list[dict[str, Any]] = [{"when": when, "to": target(to)} for when, to, _ in flow.branches]
            chances = [chance for _, _, chance in flow.branches]
            given = [c for c in chances if c is not None]
            # As CJM103 reads them: all given add up to 1; some given leave room for the rest.
            complete = len(given) == len(chances)
            if given and (abs(sum(given) - 1) < 1e-6 if complete else sum(given) < 1 + 1e-6):
                for branch, chance in zip(branches, chances, strict=True):
                    if chance is not None:
                        branch["probability"] = chance
            elif given:
                notes.add(f"{name}: the branch shares of '{touchpoint['name']}' do not add up to 100%: left out")
            touchpoint["decision"] = {"question": flow.question, "branches": branches}
            if "entry" in touchpoint:
                touchpoint["entry"] = touchpoint.pop("entry")
    return list(outcomes.values())


def _touchpoint(
    fields: dict[str, Any],
    ids: Ids | None,
    personas: dict[str, str],
    channels: dict[str, str],
    notes: Notes,
    name: str,
) -> dict[str, Any]:
    label = fields["touchpoint"]
    line = fields["line"]
    touchpoint: dict[str, Any] = {"id": ids.new(label, "touchpoint") if ids else "", "name": label}
    if fields.get("channel"):
        touchpoint["channel"] = _channel(fields["channel"], channels, notes, name, line)
    involved = [personas[p] for p in cells.lines(fields.get("personas", "")) if p in personas]
    if involved:
        touchpoint["personas"] = Flow(involved)
    for key in TEXT_FIELDS:
        if fields.get(key):
            touchpoint[key] = fields[key]
    emotion = _emotion(fields["emotion"], personas, notes, name, line, label)
    if emotion is not None:
        touchpoint["emotion"] = emotion
    readers = {"pain_points": cells.pain_point, "opportunities": cells.opportunity, "kpis": cells.kpi}
    for key in LIST_FIELDS:
        items = [readers.get(key, str)(item) for item in cells.lines(fields.get(key, ""))]
        if items:
            touchpoint[key] = items
    for key in ("data", "collects"):
        slugs = [slugify(item, "data") for item in cells.lines(fields.get(key, "").replace(",", "\n"))]
        if slugs:
            touchpoint[key] = Flow(dict.fromkeys(slugs))
    if fields.get("next"):
        flow = cells.flow(fields["next"])
        if flow is None:
            notes.add(f"{name}:{line}: where '{label}' leads is not readable: '{_short(fields['next'])}' left out")
        else:
            touchpoint["_flow"] = flow
    entry = fields.get("entry")
    if entry is True or (isinstance(entry, str) and entry.strip().casefold() in YES):
        touchpoint["entry"] = True
    elif isinstance(entry, str) and entry.strip().casefold() not in NO:
        notes.add(f"{name}:{line}: entry '{entry}' of '{label}' is neither yes nor no: not an entry")
    return touchpoint


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:39] + "…"


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if key in ("id", "name"):
            continue
        if key in LIST_FIELDS:
            into[key] = into.get(key, []) + [item for item in value if item not in into.get(key, [])]
        elif key in ("data", "collects"):
            into[key] = Flow(dict.fromkeys([*into.get(key, []), *value]))
        elif key == "emotion" and isinstance(value, dict) and isinstance(into.get("emotion"), dict):
            into["emotion"] = {**value, **into["emotion"]}
        else:
            into.setdefault(key, value)


def _channel(text: str, channels: dict[str, str], notes: Notes, name: str, line: int) -> str:
    first = cells.lines(text)[0]
    if len(cells.lines(text)) > 1:
        notes.add(f"{name}:{line}: several channels in one cell: only '{first}' is kept")
    key = first.casefold()
    if key in _BUILTIN_CHANNELS:
        return key
    if key in _CHANNEL_BY_NAME:
        return _CHANNEL_BY_NAME[key]
    channel_id = slugify(first, "channel")
    if channel_id in _BUILTIN_CHANNELS:
        return channel_id
    if channel_id not in channels:
        notes.add(f"channel '{first}' is not built in: declared as '{channel_id}'")
        channels[channel_id] = first
    return channel_id


def _emotion(
    given: dict[str, str],
    personas: dict[str, str],
    notes: Notes,
    name: str,
    line: int,
    label: str,
) -> float | dict[str, float] | None:
    values: dict[str, float] = {}
    for persona_name, raw in given.items():
        number = cells.number(raw)
        if number is None:
            notes.add(f"{name}:{line}: emotion '{raw}' of '{label}' is not a number: left out")
            continue
        values[personas[persona_name] if persona_name else ""] = int(number) if number == int(number) else number
    if not values:
        return None
    if "" in values:
        if len(values) > 1:
            notes.add(f"{name}:{line}: '{label}' has a shared emotion and per-persona ones: the shared one is kept")
        return values[""]
    return values
