"""The texts inside a sheet's cells, read back into map fields: plain workshop notes, and the
forms `cjmap render -f html` prints (so a grid copied into a spreadsheet comes back whole):
`Slow answer (severity: high, observed)`, `Open rate: 52% / 45% ✔ on target`,
`Needs: email, phone`, `Next: Checkout`, a decision with `when → target (55%)` lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cjmap.render.i18n import WORDS

LOCALES = ("en", "pl", "ru")
NUMBER = r"[-+−–]?\d+(?:[.,]\d+)?"


def _words(*keys: str) -> dict[str, str]:
    """Every locale's word for each key -> the key, case-folded: 'wysoka' -> 'high'."""
    return {WORDS[locale][key].casefold(): key for key in keys for locale in LOCALES}


SEVERITIES = _words("low", "medium", "high", "critical")
LEVELS = _words("low", "medium", "high")
EVIDENCE = _words("observed", "reported", "assumed")
OUTCOME_KINDS = _words("success", "lost", "other")
SEVERITY_LABELS = {WORDS[locale]["severity"].casefold() for locale in LOCALES}
IMPACT_LABELS = {WORDS[locale]["impact"].casefold() for locale in LOCALES}
EFFORT_LABELS = {WORDS[locale]["effort"].casefold() for locale in LOCALES}
GOAL_LABELS = "|".join(re.escape(WORDS[locale]["goal"]) for locale in LOCALES)
ENTRY_WORDS = "|".join(re.escape(WORDS[locale]["entry"]) for locale in LOCALES)
NEXT_LABELS = "|".join(re.escape(WORDS[locale]["next"]) for locale in LOCALES)
DATA_PREFIX = {
    **{WORDS[locale]["requires"].casefold(): "data" for locale in LOCALES},
    **{WORDS[locale]["collects"].casefold(): "collects" for locale in LOCALES},
    **{WORDS[locale]["content"].casefold(): "content" for locale in LOCALES},
}

_SUFFIX = re.compile(r"^(?P<text>.*\S)\s*\((?P<details>[^()]*)\)\s*$", re.S)
_KPI = re.compile(
    # the grid's '{actual}{unit} / {target}{unit}', the unit written right after each number
    rf"^(?P<name>.+?):\s*(?P<actual>{NUMBER}|—|-)(?P<unit>[^\s/\d]*)\s*/\s*(?P<target>{NUMBER}|—|-)(?P<unit2>[^\s\d✔✘]*)"
    r"(?:\s.*)?$"
)
_STAGE_GOAL = re.compile(rf"^(?P<name>.*?)\s*(?:{GOAL_LABELS})\s*:\s*(?P<goal>.+)$", re.S | re.I)
_ENTRY = re.compile(rf"\s*\((?:{ENTRY_WORDS})\)\s*$", re.I)
_NEXT = re.compile(rf"^(?:{NEXT_LABELS})\s*:\s*(?P<targets>.+)$", re.I)
_BRANCH = re.compile(r"^(?P<when>.+?)\s*(?:→|->)\s*(?P<to>.+?)(?:\s*\((?P<pct>\d+(?:[.,]\d+)?)\s*%\))?$")
_PERSONA_VALUE = re.compile(rf"(?P<name>[^\s:\d▼▲●+−–-][^:\n]*?)\s*:\s*[▼▲●\s]*(?P<value>{NUMBER})")


def number(text: str) -> float | None:
    match = re.search(NUMBER, text)
    if match is None:
        return None
    value = float(match.group(0).replace("−", "-").replace("–", "-").replace(",", "."))
    return int(value) if value == int(value) else value


def lines(text: str) -> list[str]:
    items = (line.strip().lstrip("•*").strip() for line in text.split("\n"))
    return [item.removeprefix("- ").strip() for item in items if item and item != "-"]


def stage_name(text: str) -> tuple[str, str | None]:
    """'1. Świadomość Cel: Klient zauważa markę' -> ('Świadomość', 'Klient zauważa markę')."""
    text = re.sub(r"^\d+\.\s+", "", text.strip())
    match = _STAGE_GOAL.match(text)
    if match and match.group("name").strip():
        return match.group("name").strip(), match.group("goal").strip()
    return text, None


def touchpoint_name(text: str) -> tuple[str, bool, list[str]]:
    """'Checkout (entry point)' -> ('Checkout', True, []); the grid writes the personas a
    touchpoint names below it: 'Checkout\nAnna, Piotr' -> ('Checkout', False, ['Anna', 'Piotr'])."""
    first, _, rest = text.strip().partition("\n")
    stripped = _ENTRY.sub("", first.strip())
    personas = [name.strip() for name in rest.replace("\n", ",").split(",") if name.strip()]
    return stripped, stripped != first.strip(), personas


def emotions(text: str) -> dict[str, str]:
    """'1', or 'Anna: 0' lines, or the grid's 'Anna: ● 0 Piotr: ▲ +1': persona name ('' for all) -> value."""
    pairs = {m.group("name").strip(): m.group("value") for m in _PERSONA_VALUE.finditer(text)}
    return pairs or {"": text.strip()}


def pain_point(text: str) -> str | dict[str, Any]:
    match = _SUFFIX.match(text)
    if match is None:
        return text
    parts = [part.strip() for part in match.group("details").split(",")]
    label, _, value = parts[0].partition(":")
    if label.strip().casefold() not in SEVERITY_LABELS or value.strip().casefold() not in SEVERITIES:
        return text
    item: dict[str, Any] = {"text": match.group("text"), "severity": SEVERITIES[value.strip().casefold()]}
    # "(severity: high, observed)" or, with its source, "(severity: high, observed: support tickets, 2026)"
    kind, _, source = ", ".join(parts[1:]).partition(":")
    if kind.strip().casefold() in EVIDENCE:
        found = EVIDENCE[kind.strip().casefold()]
        item["evidence"] = {"kind": found, "source": source.strip()} if source.strip() else found
    return item


def opportunity(text: str) -> str | dict[str, Any]:
    match = _SUFFIX.match(text)
    if match is None:
        return text
    parts = [part.strip() for part in match.group("details").split(",")]
    found: dict[str, str] = {}
    rest: list[str] = []
    for part in parts:
        label, _, value = part.partition(":")
        label_key = label.strip().casefold()
        if value and label_key in IMPACT_LABELS and value.strip().casefold() in LEVELS:
            found["impact"] = LEVELS[value.strip().casefold()]
        elif value and label_key in EFFORT_LABELS and value.strip().casefold() in LEVELS:
            found["effort"] = LEVELS[value.strip().casefold()]
        else:
            rest.append(part)
    if not found:
        return text
    item: dict[str, Any] = {"text": match.group("text"), **found}
    # The grid writes the evidence last, as "observed: its source" (the source may hold commas).
    evidence_at = next(
        (i for i, part in enumerate(rest) if part.partition(":")[0].strip().casefold() in EVIDENCE), None
    )
    if evidence_at is not None:
        kind, _, source = ", ".join(rest[evidence_at:]).partition(":")
        found_kind = EVIDENCE[kind.strip().casefold()]
        item["evidence"] = {"kind": found_kind, "source": source.strip()} if source.strip() else found_kind
        rest = rest[:evidence_at]
    if rest:
        item["owner"] = ", ".join(rest)
    return item


def kpi(text: str) -> str | dict[str, Any]:
    """'Open rate: 52% / 45% ✔ on target' -> name, actual, target and unit."""
    match = _KPI.match(text)
    if match is None:
        return text
    item: dict[str, Any] = {"name": match.group("name").strip()}
    unit = match.group("unit") or match.group("unit2")
    if unit:
        item["unit"] = unit
    for key in ("target", "actual"):
        value = number(match.group(key)) if match.group(key) not in ("—", "-") else None
        if value is not None:
            item[key] = value
    return item


def data_lane(text: str) -> dict[str, list[str]]:
    """'Needs: email, phone' / 'Collects: address' / 'Content: ...' lines; other lines are content."""
    found: dict[str, list[str]] = {}
    for line in lines(text):
        label, _, rest = line.partition(":")
        key = DATA_PREFIX.get(label.strip().casefold())
        if key in ("data", "collects") and rest.strip():
            found.setdefault(key, []).extend(item.strip() for item in rest.split(",") if item.strip())
        elif key == "content" and rest.strip():
            found.setdefault("content", []).append(rest.strip())
        else:
            found.setdefault("content", []).append(line)
    return found


@dataclass
class Flow:
    """Where a touchpoint leads, by the names the sheet uses (resolved to ids once all are known)."""

    next: list[str] = field(default_factory=list)
    question: str | None = None
    branches: list[tuple[str, str, float | None]] = field(default_factory=list)


def flow(text: str) -> Flow | None:
    items = lines(text)
    if not items:
        return None
    if not any(_BRANCH.match(item) for item in items):
        # 'Next: A, B' as the grid writes it, or plain target names, one a line or comma-separated
        first = _NEXT.match(items[0])
        items = [first.group("targets") if first else items[0], *items[1:]]
        return Flow(next=[target.strip() for item in items for target in item.split(",") if target.strip()])
    branches = []
    for item in items[1:]:
        branch = _BRANCH.match(item)
        if branch is None:
            return None
        pct = branch.group("pct")
        branches.append(
            (branch.group("when"), branch.group("to"), round(float(pct.replace(",", ".")) / 100, 4) if pct else None)
        )
    return Flow(question=items[0], branches=branches) if branches else None


def outcome_name(text: str) -> tuple[str, str | None]:
    """The grid's 'Goes to a competitor (lost)' -> ('Goes to a competitor', 'lost')."""
    match = _SUFFIX.match(text.strip())
    if match and match.group("details").strip().casefold() in OUTCOME_KINDS:
        return match.group("text").strip(), OUTCOME_KINDS[match.group("details").strip().casefold()]
    return text.strip(), None
