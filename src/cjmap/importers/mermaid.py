"""A Mermaid `journey` diagram as a cjmap map.

The reader follows Mermaid's own grammar (packages/mermaid/src/diagrams/user-journey/parser/
journey.jison): the same case-insensitive lexer rules tried in the same order, first match wins,
so what Mermaid accepts is read the way Mermaid reads it and what it refuses is refused, with the
line. Then, as Mermaid's journeyDb does, a task's data `: score: actor, actor` is split on ':' —
the score is `Number()` of the first piece, the actors the comma-separated second piece, and any
further pieces are dropped (noted).

Sections become stages, tasks touchpoints, actors personas. The score becomes the emotion on the
scale [1, 5], which is Mermaid's own, so `cjmap render -f mermaid` writes the same score back.
Consecutive tasks of one section with the same name and different actors — how cjmap writes a
touchpoint whose personas feel differently — become one touchpoint with an emotion per persona.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from typing import Any

from cjmap.importers import ImportError_, Notes
from cjmap.importers.slug import Ids, slugify
from cjmap.importers.yaml_out import Flow, dump

SCALE = (1, 5)

# The lexer of journey.jison, rule for rule (`%options case-insensitive`). None: skip the match.
_INITIAL: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"%%(?!\{)[^\n]*", re.I), None),
    (re.compile(r"[^}]%%[^\n]*", re.I), None),
    (re.compile(r"\n+", re.I), "NEWLINE"),
    (re.compile(r"\s+", re.I), None),
    (re.compile(r"#[^\n]*", re.I), None),
    # Jison ends a literal rule that ends in a letter with a word boundary (JavaScript's ASCII one).
    (re.compile(r"journey(?![A-Za-z0-9_])", re.I), "journey"),
    (re.compile(r"title\s[^#\n;]+", re.I), "title"),
    (re.compile(r"accTitle\s*:\s*", re.I), "acc_title"),
    (re.compile(r"accDescr\s*:\s*", re.I), "acc_descr"),
    (re.compile(r"accDescr\s*\{\s*", re.I), "acc_descr_multiline"),
    (re.compile(r"section\s[^#:\n;]+", re.I), "section"),
    (re.compile(r"[^#:\n;]+", re.I), "taskName"),
    (re.compile(r":[^#\n;]+", re.I), "taskData"),
    (re.compile(r":", re.I), ":"),
    (re.compile(r".", re.I | re.S), "INVALID"),
]
_REST_OF_LINE = re.compile(r"[^\n]*")
_UNTIL_BRACE = re.compile(r"[^}]*")
# Mermaid hides `#quot;` and `#9829;` from its lexer as placeholders (encodeEntities) and shows
# them as characters; the placeholders here are two private-use characters around the name.
_ENTITY = re.compile(r"#(\w+);")
_COMMENT_LINE = re.compile(r"^\s*%%(?!\{)[^\n]*\n?", re.M)  # Mermaid's cleanupComments
_ACC_LINES = re.compile(r"[ \t]*\n\s*")  # as Mermaid's setAccDescription: no indentation, no blank lines
_PLACEHOLDER = re.compile("\ue000(\\w+)\ue001")
_DIRECTIVE = re.compile(r"%%\{.*?\}%%", re.S)
_JS_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|0x[0-9a-f]+|0o[0-7]+|0b[01]+|[+-]?Infinity", re.I)


@dataclass
class _Token:
    kind: str
    text: str
    line: int


@dataclass
class _Task:
    name: str
    score: float | None
    actors: list[str]
    line: int
    extra: list[str] = field(default_factory=list)  # pieces after the actors, which Mermaid drops


@dataclass
class _Section:
    name: str
    line: int
    tasks: list[_Task] = field(default_factory=list)


def _decode_entity(match: re.Match[str]) -> str:
    code = match.group(1)
    # An unknown name stays "&name;", as Mermaid shows it.
    return html.unescape(f"&#{code};" if code.isdigit() else f"&{code};")


def _restore(text: str) -> str:
    """Entities back as the characters they stand for, once the lexer is done with the text."""
    return _PLACEHOLDER.sub(_decode_entity, text)


def _strip_front_matter(text: str, notes: Notes) -> tuple[str, str | None, int]:
    """Mermaid's YAML front matter (`---` ... `---`): its title is used, the rest is config."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return text, None, 0
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            title = None
            for line in lines[1:index]:
                key, _, value = line.partition(":")
                if key.strip() == "title" and value.strip():
                    title = value.strip().strip("'\"")
                elif line.strip():
                    notes.add("front matter: only its title is carried over (the rest is Mermaid configuration)")
            return "\n".join(lines[index + 1 :]), title, index + 1
    return text, None, 0


def _detect(text: str, name: str) -> None:
    """Mermaid picks the diagram type by a case-sensitive `^\\s*journey` (journeyDetector.ts) on
    the text without its comment lines, though the grammar itself ignores case."""
    body = _COMMENT_LINE.sub("", text).lstrip()
    if not body.startswith("journey"):
        first = body.split("\n", 1)[0].strip()[:40] or "nothing"
        hint = " (Mermaid knows the keyword only in lower case)" if first.lower().startswith("journey") else ""
        raise ImportError_(f"{name}: not a Mermaid journey: it must start with 'journey', found '{first}'{hint}")


def _unquote(meta: dict[str, str], sections: list[_Section], notes: Notes) -> None:
    """Quotes are plain characters to Mermaid, but "Sign up" is meant as the name Sign up (double
    quotes only: single ones are as often apostrophes)."""

    def bare(text: str) -> str:
        stripped = text.strip()
        if len(stripped) > 2 and stripped[0] == stripped[-1] == '"' and stripped[1:-1].strip():
            notes.add("quotes around names are dropped (Mermaid would show them)")
            return stripped[1:-1].strip()
        return text

    if "title" in meta:
        meta["title"] = bare(meta["title"])
    for section in sections:
        section.name = bare(section.name)
        for task in section.tasks:
            task.name = bare(task.name)
            task.actors = [bare(actor) for actor in task.actors]


def _lex(text: str, name: str, first_line: int) -> list[_Token]:
    tokens: list[_Token] = []
    position, line, state = 0, first_line, "INITIAL"
    while position < len(text):
        if state in ("acc_title", "acc_descr"):
            match = _REST_OF_LINE.match(text, position)
            assert match is not None
            tokens.append(_Token(f"{state}_value", match.group(0), line))
            state = "INITIAL"
        elif state == "acc_descr_multiline":
            if text[position] == "}":
                position += 1
                state = "INITIAL"
                continue
            match = _UNTIL_BRACE.match(text, position)
            assert match is not None
            tokens.append(_Token("acc_descr_multiline_value", match.group(0), line))
            if match.end() == len(text):
                raise ImportError_(f"{name}:{line}: 'accDescr {{' is never closed: end it with '}}'")
        else:
            for pattern, kind in _INITIAL:
                match = pattern.match(text, position)
                if match is None:
                    continue
                if kind in ("acc_title", "acc_descr", "acc_descr_multiline"):
                    state = kind
                    if kind != "acc_descr_multiline":
                        tokens.append(_Token(kind, match.group(0), line))
                elif kind is not None:
                    tokens.append(_Token(kind, match.group(0), line))
                break
        assert match is not None
        line += match.group(0).count("\n")
        position = max(match.end(), position)
    return tokens


def _parse(tokens: list[_Token], name: str) -> tuple[dict[str, str], list[_Section]]:
    meta: dict[str, str] = {}
    sections: list[_Section] = []
    index = 0
    while index < len(tokens) and tokens[index].kind == "NEWLINE":
        index += 1
    if index == len(tokens) or tokens[index].kind != "journey":
        line = tokens[index].line if index < len(tokens) else 1
        found = f"'{tokens[index].text.strip()}'" if index < len(tokens) else "nothing"
        raise ImportError_(f"{name}:{line}: a Mermaid journey starts with the word 'journey', found {found}")
    index += 1
    while index < len(tokens):
        token = tokens[index]
        kind = token.kind
        if kind == "NEWLINE":
            pass
        elif kind == "title":
            meta["title"] = _restore(token.text[6:])
        elif kind in ("acc_title", "acc_descr"):
            value = tokens[index + 1] if index + 1 < len(tokens) else None
            if value is None or value.kind != f"{kind}_value":
                raise ImportError_(f"{name}:{token.line}: '{token.text.strip()}' needs a text after it")
            meta["accTitle" if kind == "acc_title" else "accDescr"] = _restore(_ACC_LINES.sub("\n", value.text.strip()))
            index += 1
        elif kind == "acc_descr_multiline_value":
            meta["accDescr"] = _restore(_ACC_LINES.sub("\n", token.text.strip()))
        elif kind == "section":
            sections.append(_Section(_restore(token.text[8:]), token.line))
        elif kind == "taskName":
            data = tokens[index + 1] if index + 1 < len(tokens) else None
            if data is not None and data.kind == "INVALID":
                raise ImportError_(f"{name}:{data.line}: {_unexpected(data)}")
            if data is None or data.kind != "taskData":
                label = _restore(token.text.strip())
                raise ImportError_(
                    f"{name}:{token.line}: task '{label}' needs a score after a colon, "
                    f"e.g. '{label}: 5: Me' (Mermaid refuses a task without one)"
                )
            if not sections:
                sections.append(_Section("", token.line))
            sections[-1].tasks.append(_task(token, data))
            index += 1
        else:
            raise ImportError_(f"{name}:{token.line}: {_unexpected(token)}")
        index += 1
    return meta, sections


def _unexpected(token: _Token) -> str:
    text = _restore(token.text.strip())
    if token.kind == "journey":
        return (
            "Mermaid reads the word 'journey' as the diagram's keyword, so a task may not start with "
            "it: reword it (e.g. 'The journey ...')"
        )
    if token.kind == "INVALID" and text == ";":
        return "';' is not allowed in a journey line (Mermaid refuses it): use ',' or write it as '#59;'"
    if token.kind in ("taskData", ":"):
        return f"'{text}' has no task name before it: write 'Task name{text}'"
    return f"Mermaid's journey grammar does not allow '{text}' here"


def _task(name_token: _Token, data: _Token) -> _Task:
    pieces = data.text[1:].split(":")
    score_text = pieces[0].strip()
    score = _js_number(score_text)
    actors = [_restore(actor.strip()) for actor in pieces[1].split(",")] if len(pieces) > 1 else []
    return _Task(_restore(name_token.text.strip()), score, actors, name_token.line, pieces[2:])


def _js_number(text: str) -> float | None:
    """JavaScript's Number(): '' is 0, '0x10' is 16, anything else unreadable is NaN (None here)."""
    if text == "":
        return 0.0
    if not _JS_NUMBER.fullmatch(text):
        return None
    lowered = text.lower()
    if lowered.endswith("infinity"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered.startswith(("0x", "0o", "0b")):
        return float(int(lowered, 0))
    return float(text)


def import_mermaid(text: str, name: str = "<stdin>", fallback_title: str = "Imported journey") -> tuple[str, list[str]]:
    """Mermaid journey text -> (cjmap map YAML, notes on what could not be carried over)."""
    notes = Notes()
    meta, sections = parse_journey(text, name, notes)
    _unquote(meta, sections, notes)
    return dump(_build(meta, meta.pop("front matter title", None), sections, notes, fallback_title, name)), notes.items


def parse_journey(text: str, name: str, notes: Notes) -> tuple[dict[str, str], list[_Section]]:
    """What Mermaid's journeyDb holds after parsing: title and acc texts, sections with their tasks."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text, front_title, offset = _strip_front_matter(text, notes)
    text = _DIRECTIVE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    # Like Mermaid, hide entities from the lexer (`#59;` is a ';' that must not end the line).
    text = _ENTITY.sub(lambda m: f"\ue000{m.group(1)}\ue001", text)
    _detect(text, name)
    meta, sections = _parse(_lex(text, name, 1 + offset), name)
    if front_title:
        meta["front matter title"] = front_title
    return meta, sections


def _build(
    meta: dict[str, str], front_title: str | None, sections: list[_Section], notes: Notes, fallback: str, name: str
) -> dict[str, Any]:
    title = (meta.get("title") or "").strip() or front_title or meta.get("accTitle") or ""
    if not title:
        title = fallback
        notes.add(f"no title: the map is called '{fallback}'")
    elif meta.get("accTitle") and meta["accTitle"] != title:
        notes.add(f"accTitle '{meta['accTitle']}' dropped: a map has one title")
    personas: dict[str, str] = {}  # actor name -> persona id, in order of appearance
    persona_ids = Ids()
    for section in sections:
        for task in section.tasks:
            for actor in task.actors:
                if actor and actor not in personas:
                    personas[actor] = persona_ids.new(actor, "persona")
    ids = Ids()
    stages: list[dict[str, Any]] = []
    for section in sections:
        section_name = section.name.strip()
        if not section.tasks:
            notes.add(
                f"{name}:{section.line}: section '{section_name}' has no tasks: left out (a stage needs touchpoints)"
            )
            continue
        stage: dict[str, Any] = {"id": ids.new(section_name, "stage")}
        if section_name:
            stage["name"] = section_name
        else:
            notes.add(f"{name}:{section.line}: tasks before the first section: put in a stage 'stage'")
        stage["touchpoints"] = [
            _touchpoint(group, ids, personas, notes, name) for group in _groups(section.tasks, notes, name)
        ]
        stages.append(stage)
    if not stages:
        raise ImportError_(f"{name}: the journey has no tasks: a map needs at least one touchpoint")
    data: dict[str, Any] = {"cjmap": 1, "id": slugify(title, "journey"), "title": title}
    if meta.get("accDescr"):
        data["description"] = meta["accDescr"]
    data["emotion_scale"] = Flow(SCALE)
    if personas:
        data["personas"] = [{"id": pid, "name": actor} for actor, pid in personas.items()]
    data["stages"] = stages
    return _involve_everyone(data, personas)


def _groups(tasks: list[_Task], notes: Notes, name: str) -> list[list[_Task]]:
    """Consecutive tasks with one name whose actors do not overlap: one touchpoint."""
    groups: list[list[_Task]] = []
    for task in tasks:
        previous = groups[-1] if groups else None
        if (
            previous is not None
            and previous[0].name == task.name
            and task.actors
            and all(t.actors for t in previous)
            and not {a for t in previous for a in t.actors} & set(task.actors)
        ):
            previous.append(task)
        else:
            if previous is not None and previous[0].name == task.name:
                notes.add(
                    f"{name}:{task.line}: task '{task.name}' repeats with the same or no actors: "
                    "kept as a second touchpoint"
                )
            groups.append([task])
    return groups


def _touchpoint(group: list[_Task], ids: Ids, personas: dict[str, str], notes: Notes, name: str) -> dict[str, Any]:
    first = group[0]
    touchpoint: dict[str, Any] = {"id": ids.new(first.name, "touchpoint"), "name": first.name or "-"}
    involved: list[str] = []
    scores: dict[str, float | None] = {}
    for task in group:
        for extra in task.extra:
            notes.add(f"{name}:{task.line}: '{extra.strip()}' after the actors is ignored (Mermaid ignores it too)")
        score = _score(task, notes, name)
        for actor in task.actors:
            if not actor:
                notes.add(f"{name}:{task.line}: an empty actor name is ignored")
                continue
            if personas[actor] not in involved:
                involved.append(personas[actor])
                scores[personas[actor]] = score
        if not task.actors:
            scores[""] = score
    touchpoint["personas"] = Flow(involved)
    known = {p: s for p, s in scores.items() if s is not None}
    values = set(known.values())
    if len(values) == 1 and len(known) == len(scores):
        touchpoint["emotion"] = _number(values.pop())
    elif values:
        touchpoint["emotion"] = {p: _number(s) for p, s in known.items()}
    return touchpoint


def _score(task: _Task, notes: Notes, name: str) -> float | None:
    if task.score is None:
        notes.add(f"{name}:{task.line}: task '{task.name}' has a score Mermaid cannot read as a number: no emotion")
        return None
    low, high = SCALE
    if not low <= task.score <= high:
        clamped = float(min(high, max(low, task.score)))
        notes.add(
            f"{name}:{task.line}: score {_number(task.score)} of '{task.name}' is outside 1-5: "
            f"clamped to {_number(clamped)}"
        )
        return clamped
    return task.score


def _number(value: float) -> float | int:
    return int(value) if math.isfinite(value) and value == int(value) else value


def _involve_everyone(data: dict[str, Any], personas: dict[str, str]) -> dict[str, Any]:
    """A touchpoint whose actors are all the personas in map order needs no `personas` list."""
    everyone = list(personas.values())
    for stage in data["stages"]:
        for touchpoint in stage["touchpoints"]:
            involved = touchpoint["personas"]
            if list(involved) == everyone or not everyone:
                del touchpoint["personas"]
    return data
