"""The journey grid as one self-contained HTML page: stages across, lanes down, the emotion curve.

The page makes no network request: CSS and JS are inline, and a Content-Security-Policy allows
exactly those two blocks (by their SHA-256 hashes) and nothing else, so even a map whose texts
contained `<script>` could not run code. Jinja2 escapes every value from the map.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from cjmap.journey import Journey, PlacedTouchpoint
from cjmap.model import Touchpoint
from cjmap.render.dot import emotion_level, signed
from cjmap.render.i18n import REPORT, Phrases, channel_name
from cjmap.render.text import printable

COLUMN = 240  # px: the width of a touchpoint column, shared by the table and the curve
CURVE_HEIGHT = 150
MARKERS = ("▼▼", "▼", "●", "▲", "▲▲")
POINT_SHAPES = ("circle", "square", "diamond", "triangle")
GLYPHS = {"circle": "●", "square": "■", "diamond": "◆", "triangle": "▲"}
DASHES = ("", "6 4", "2 4", "10 3 2 3")
DASH_LOOKS = ("——", "– –", "···", "–·–")  # how each dash pattern looks, for the legend
LANES = ("channel", "action", "backstage", "need", "emotion", "pain", "opportunity", "kpi", "data", "decision")


@dataclass(frozen=True)
class HtmlOptions:
    today: date


@dataclass
class Column:
    """One touchpoint: a column of the grid."""

    id: str
    label: str
    stage: int
    personas: list[str]
    channel: str
    entry: bool
    touchpoint: Touchpoint
    names: list[str] = field(default_factory=list)  # personas it names explicitly, if any
    # (persona id or "", persona name or "", value, level) for each emotion given
    emotions: list[tuple[str, str, float, int]] = field(default_factory=list)


@dataclass
class Curve:
    """The emotion curve for one filter state ("" = everyone), as SVG geometry."""

    persona: str
    width: int
    lines: list[dict[str, Any]]
    ticks: list[tuple[float, str]]
    label: str


def render_html(journey: Journey, options: HtmlOptions) -> str:
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    def finalize(value: Any) -> Any:
        """Every value a template prints; cjmap's own markup (the inline CSS and JS) passes as is."""
        return printable(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    phrases = Phrases(journey.map.locale)
    words = REPORT[phrases.locale]
    columns = _columns(journey, phrases)
    css = _asset("journey.css")
    js = _asset("journey.js")
    environment = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True, finalize=finalize)
    template = environment.from_string(_asset("journey.html.j2"))
    persona_ids = list(journey.personas)
    context = {
        "m": journey.map,
        "w": words,
        "phrases": phrases,
        "css": css,
        "js": js,
        "csp": f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; img-src data:; "
        "base-uri 'none'; form-action 'none'",
        "columns": columns,
        "stages": _stages(journey, columns, persona_ids),
        "lanes": [lane for lane in LANES if any(_has(lane, c.touchpoint) for c in columns)],
        "curves": [_curve(journey, columns, persona, words) for persona in ["", *persona_ids]]
        if any(c.emotions for c in columns)
        else [],
        "personas": [(p, path) for p, path in journey.personas.values()],
        "initials": _initials,
        "review": _review(journey, phrases, options.today),
        "kpi_status": _kpi_status,
        "decisions": [p for p in journey.ordered() if p.touchpoint.decision is not None],
        "target_label": lambda target: _target_label(journey, target, words),
        "outcomes": [o for o, _ in journey.outcomes.values()],
        "swot": _swot(journey),
        "markers": MARKERS,
        "column_width": COLUMN,
        "pct": lambda value: f"{value:.0%}",
        "signed": signed,
        "emotion_level": lambda value: emotion_level(value, journey.map.emotion_scale),
    }
    return template.render(**context)


def _asset(name: str) -> str:
    return (resources.files("cjmap.render") / "templates" / name).read_text(encoding="utf-8")


def _hash(content: str) -> str:
    digest = base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def _columns(journey: Journey, phrases: Phrases) -> list[Column]:
    columns = []
    for placed in journey.ordered():
        tp = placed.touchpoint
        channel = channel_name(journey, phrases, tp.channel) if tp.channel else ""
        entry = tp.entry is not False
        column = Column(tp.id, tp.label, placed.stage_index, journey.personas_of(tp), channel, entry, tp)
        if tp.personas is not None:
            column.names = [journey.personas[p][0].name for p in tp.personas if p in journey.personas]
        for persona, value in tp.emotions():
            name = journey.personas[persona][0].name if persona and persona in journey.personas else persona or ""
            column.emotions.append((persona or "", name, value, emotion_level(value, journey.map.emotion_scale)))
        columns.append(column)
    return columns


def _stages(journey: Journey, columns: list[Column], persona_ids: list[str]) -> list[dict[str, Any]]:
    stages = []
    for index, stage in enumerate(journey.map.stages):
        mine = [c for c in columns if c.stage == index]
        if not mine:
            continue
        spans = {"": len(mine)} | {p: sum(1 for c in mine if p in c.personas) for p in persona_ids}
        stages.append(
            {
                "stage": stage,
                "number": index + 1,
                "span": len(mine),
                "spans": json.dumps(spans, sort_keys=True, ensure_ascii=False),
            }
        )
    return stages


def _has(lane: str, tp: Touchpoint) -> bool:
    return bool(
        {
            "channel": tp.channel,
            "action": tp.action,
            "backstage": tp.backstage,
            "need": tp.need or tp.thoughts,
            "emotion": tp.emotion is not None,
            "pain": tp.pain_points,
            "opportunity": tp.opportunities,
            "kpi": tp.kpis,
            "data": tp.data or tp.collects or tp.content,
            "decision": tp.decision is not None or tp.next,
        }[lane]
    )


def _curve(journey: Journey, columns: list[Column], persona: str, words: dict[str, str]) -> Curve:
    """Points at the centre of each visible column; one line per persona when emotions differ."""
    low, high = journey.map.emotion_scale
    visible = [c for c in columns if not persona or persona in c.personas]
    names = {p: journey.personas[p][0].name for p in journey.personas}

    def y(value: float) -> float:
        return round(15 + (high - value) / (high - low) * (CURVE_HEIGHT - 30), 1)

    # One line per persona through the touchpoints they take part in (a shared emotion counts for
    # each of them), or a single line when the map gives no per-persona emotions at all.
    per_persona = persona or any(isinstance(c.touchpoint.emotion, dict) for c in columns)
    series: dict[str, list[tuple[float, float, float, str]]] = {}
    for index, column in enumerate(visible):
        x = index * COLUMN + COLUMN / 2
        tp = column.touchpoint
        keys = ([persona] if persona else column.personas) if per_persona else [""]
        for key in keys:
            value = tp.emotion_for(key) if key else tp.emotion
            if isinstance(value, (int, float)):
                series.setdefault(key, []).append((x, y(value), value, column.label))
    order = ["", *journey.personas]
    keys = [k for k in order if k in series]
    lines: list[dict[str, Any]] = []
    labelled: set[tuple[float, float]] = set()
    for number, key in enumerate(keys):
        # Personas with the same emotion would hide each other's points: spread them a little,
        # and write each value once per column.
        shift = round((number - (len(keys) - 1) / 2) * 9, 1)
        points = []
        for x, py, value, name in series[key]:
            points.append((round(x + shift, 1), py, value, name, (x, value) not in labelled))
            labelled.add((x, value))
        who = names.get(key, "") if key else words["all"]
        lines.append(
            {
                "who": who,
                "points": points,
                "path": " ".join(f"{x},{py}" for x, py, _, _, _ in points),
                "dash": DASHES[number % len(DASHES)],
                "shape": POINT_SHAPES[number % len(POINT_SHAPES)],
                "glyph": f"{GLYPHS[POINT_SHAPES[number % len(POINT_SHAPES)]]} {DASH_LOOKS[number % len(DASHES)]}",
            }
        )
    ticks = [(y(value), signed(value)) for value in range(low, high + 1)]
    label = f"{words['emotion']}: " + "; ".join(
        f"{line['who']}: " + ", ".join(f"{name} {signed(value)}" for _, _, value, name, _ in line["points"])
        for line in lines
    )
    return Curve(persona, max(1, len(visible)) * COLUMN, lines, ticks, label)


def _swot(journey: Journey) -> list[tuple[str, list[Any]]]:
    swot = journey.map.swot
    if swot is None:
        return []
    quadrants = (
        ("strengths", "strengths"),
        ("weaknesses", "weaknesses"),
        ("opportunities", "swot-opportunities"),
        ("threats", "threats"),
    )
    ranked = [
        (title, sorted(getattr(swot, key), key=lambda item: item.priority if item.priority is not None else 10**6))
        for key, title in quadrants
    ]
    return [(title, items) for title, items in ranked if items]


def _initials(name: str) -> str:
    parts = [part for part in name.replace("-", " ").split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


def _review(journey: Journey, phrases: Phrases, today: date) -> dict[str, Any] | None:
    review = journey.map.review
    if review is None:
        return None
    due = review.due()
    cadence = phrases.cadence(*review.cadence())
    return {"last": review.last.isoformat(), "every": cadence, "due": due.isoformat(), "overdue": today > due}


def _kpi_status(on_target: bool | None) -> str:
    if on_target is None:
        return "not-measured"
    return "on-target" if on_target else "off-target"


def _target_label(journey: Journey, target: str, words: dict[str, str]) -> str:
    resolved = journey.resolve(target)
    if resolved in journey.outcomes:
        outcome = journey.outcomes[resolved][0]
        return f"{outcome.label} ({words[outcome.kind]})"
    placed: PlacedTouchpoint | None = journey.touchpoints.get(resolved)
    return placed.touchpoint.label if placed else target
