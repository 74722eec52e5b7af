"""The journey grid as one self-contained HTML page: stages across, lanes down, the emotion curve.

The page makes no network request: CSS and JS are inline, and a Content-Security-Policy allows
exactly those two blocks (by their SHA-256 hashes) and nothing else, so even a map whose texts
contained `<script>` could not run code. Jinja2 escapes every value from the map.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Any

from cjmap.journey import Journey
from cjmap.model import Touchpoint
from cjmap.render.i18n import Words
from cjmap.render.text import printable
from cjmap.render.view import (
    MARKERS,
    channel_name,
    emotion_level,
    kpi_status,
    persona_name,
    review_status,
    signed,
    swot_quadrants,
    target_label,
)

if TYPE_CHECKING:
    from jinja2 import Environment, Template

TEMPLATE = "journey.html.j2"
COLUMN = 240  # px: the width of a touchpoint column, shared by the table and the curve
CURVE_HEIGHT = 150
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
    template, css, js, csp = _grid()
    words = Words(journey.map.locale)
    columns = _columns(journey, words)
    persona_ids = list(journey.personas)
    context = {
        "m": journey.map,
        "w": words.table,  # a plain mapping: the template reads w.review, w["last-reviewed"]
        "css": css,
        "js": js,
        "csp": csp,
        "columns": columns,
        "stages": _stages(journey, columns, persona_ids),
        "lanes": [lane for lane in LANES if any(_has(lane, c.touchpoint) for c in columns)],
        "curves": [_curve(journey, columns, persona, words) for persona in ["", *persona_ids]]
        if any(c.emotions for c in columns)
        else [],
        "personas": [(p, path) for p, path in journey.personas.values()],
        "initials": _initials,
        "review": review_status(journey.map.review, words, options.today) if journey.map.review else None,
        "kpi_status": kpi_status,
        "decisions": [p for p in journey.ordered() if p.touchpoint.decision is not None],
        "target_label": lambda target: _target_label(journey, target, words),
        "outcomes": [o for o, _ in journey.outcomes.values()],
        "swot": swot_quadrants(journey.map.swot),
        "markers": MARKERS,
        "column_width": COLUMN,
        "pct": lambda value: f"{value:.0%}",
        "signed": signed,
        "emotion_level": lambda value: emotion_level(value, journey.map.emotion_scale),
    }
    return template.render(**context)


@functools.cache
def _grid() -> tuple[Template, str, str, str]:
    """The page template, its CSS and JS, and the policy allowing exactly those: built once per
    process. The template comes precompiled (grid_compiled.py, generated from journey.html.j2
    by `python -m cjmap.render.precompile`), so a run does not lex, parse and generate it again;
    when it does not match the template or the installed Jinja2, it is compiled here instead."""
    css, js = _asset("journey.css"), _asset("journey.js")
    csp = (
        f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    environment = environment_for_grid()
    source = _asset(TEMPLATE)
    from cjmap.render import grid_compiled

    compiled_for = (grid_compiled.JINJA2_VERSION, grid_compiled.SOURCE_SHA256)
    if compiled_for == (_jinja_version(), source_digest(source)):
        # As Jinja2's ModuleLoader does: the module's own globals receive the environment.
        template = environment.template_class.from_module_dict(
            environment, vars(grid_compiled), environment.make_globals(None)
        )
    else:
        template = environment.from_string(source)
    return template, css, js, csp


def environment_for_grid() -> Environment:
    """The Jinja2 environment of the grid (the precompiled template is generated with it too)."""
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    def finalize(value: Any) -> Any:
        """Every value a template prints; cjmap's own markup (the inline CSS and JS) passes as is."""
        return printable(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    return Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True, finalize=finalize)


def source_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _jinja_version() -> str:
    from importlib.metadata import version

    return version("jinja2")


def _asset(name: str) -> str:
    return (resources.files("cjmap.render") / "templates" / name).read_text(encoding="utf-8")


def _hash(content: str) -> str:
    digest = base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def _columns(journey: Journey, words: Words) -> list[Column]:
    columns = []
    for placed in journey.ordered():
        tp = placed.touchpoint
        channel = channel_name(journey, words, tp.channel) if tp.channel else ""
        column = Column(tp.id, tp.label, placed.stage_index, journey.personas_of(tp), channel, tp.entry, tp)
        if tp.personas is not None:
            column.names = [persona_name(journey, p) for p in tp.personas if p in journey.personas]
        for persona, value in tp.emotions():
            name = persona_name(journey, persona) if persona else ""
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


def _curve(journey: Journey, columns: list[Column], persona: str, words: Words) -> Curve:
    """Points at the centre of each visible column; one line per persona when emotions differ."""
    low, high = journey.map.emotion_scale
    visible = [c for c in columns if not persona or persona in c.personas]
    names = {p: persona_name(journey, p) for p in journey.personas}

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


def _initials(name: str) -> str:
    parts = [part for part in name.replace("-", " ").split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


def _target_label(journey: Journey, target: str, words: Words) -> str:
    label, kind = target_label(journey, target)
    return f"{label} ({words[kind]})" if kind else label
