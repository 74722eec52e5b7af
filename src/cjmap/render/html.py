"""The journey grid as one self-contained HTML page: stages across, lanes down, the emotion curve.

The page makes no network request: CSS and JS are inline, and a Content-Security-Policy allows
exactly those two blocks (by their SHA-256 hashes) and nothing else, so even a map whose texts
contained `<script>` could not run code. Jinja2 escapes every value from the map.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from cjmap.journey import Journey
from cjmap.model import Experiment, Touchpoint
from cjmap.render.i18n import Words
from cjmap.render.view import (
    MARKERS,
    by_stage,
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
    from cjmap.analysis.forecast import Forecast

COLUMN = 240  # px: the width of a touchpoint column, shared by the table and the curve
CURVE_HEIGHT = 150
POINT_SHAPES = ("circle", "square", "diamond", "triangle")
GLYPHS = {"circle": "●", "square": "■", "diamond": "◆", "triangle": "▲"}
DASHES = ("", "6 4", "2 4", "10 3 2 3")
DASH_LOOKS = ("——", "– –", "···", "–·–")  # how each dash pattern looks, for the legend
LANES = (
    "channel",
    "action",
    "backstage",
    "need",
    "emotion",
    "pain",
    "opportunity",
    "kpi",
    "data",
    "decision",
    "experiment",
)


@dataclass(frozen=True)
class HtmlOptions:
    today: date
    forecast: Forecast[Any] | None = None  # render --forecast: the Forecast section
    observed: Mapping[tuple[str, str], str] | None = None  # render --measured: (touchpoint, target) -> text


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
    members: frozenset[str] = frozenset()  # the personas, for membership tests
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
    words = Words(journey.map.locale)
    columns = _columns(journey, words)
    forecast = None
    if options.forecast is not None:
        from cjmap.render.forecast_view import forecast_view

        forecast = forecast_view(journey, options.forecast, words)
    # The section's styles join the one style block (and so its CSP hash) only when it is shown.
    css = _asset("journey.css") + _print_fit(columns) + (_asset("forecast.css") if forecast else "")
    js = _asset("journey.js")
    context = grid_context(journey, words, columns, options.today, options.observed)
    context |= {
        "forecast": forecast,
        "css": css,
        "js": js,
        "csp": f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; img-src data:; "
        "base-uri 'none'; form-action 'none'",
        "stages": _stages(journey, columns, list(journey.personas)),
        "curves": curves(journey, columns, words, COLUMN, everyone_only=False),
        "column_width": COLUMN,
    }
    from cjmap.render.jinja import template

    return str(template("journey.html.j2").render(**context))


PRINT_WIDTH = 980  # px: a landscape Letter or A4 page less 10 mm margins, as a browser prints it


def _print_fit(columns: list[Column]) -> str:
    """The page's own print styles: the grid's columns as wide as their longest word, zoomed as
    a whole to the page's width (the CSP hash covers this too: it is part of the style block)."""
    from cjmap.render.print_html import LANE, column_width

    width = column_width(columns)
    zoom = min(1.0, PRINT_WIDTH / (LANE + width * max(1, len(columns))))
    return f"@media print {{ :root {{ --print-col: {width:.0f}px; --print-zoom: {zoom:.3f}; }} }}\n"


def grid_context(
    journey: Journey,
    words: Words,
    columns: list[Column],
    today: date,
    observed: Mapping[tuple[str, str], str] | None = None,
) -> dict[str, Any]:
    """What the page and the print layouts both give their templates."""
    experiments = _experiments(journey)

    def observed_at(source: str, target: str) -> str:
        """' · observed 80% (65–90%)' after a branch (render --measured), else nothing."""
        seen = observed.get((source, journey.resolve(target))) if observed else None
        return f" · {seen}" if seen else ""

    return {
        "observed_at": observed_at,
        "m": journey.map,
        "w": words.table,  # a plain mapping: the template reads w.review, w["last-reviewed"]
        "columns": columns,
        "lanes": [lane for lane in LANES if any(_has(lane, c.touchpoint, experiments) for c in columns)],
        "personas": [(p, path) for p, path in journey.personas.values()],
        "initials": _initials,
        "review": review_status(journey.map.review, words, today) if journey.map.review else None,
        "kpi_status": kpi_status,
        "decisions": [p for p in journey.ordered() if p.touchpoint.decision is not None],
        "target_label": lambda target: _target_label(journey, target, words),
        "outcomes": [o for o, _ in journey.outcomes.values()],
        "swot": swot_quadrants(journey.map.swot),
        "markers": MARKERS,
        "pct": lambda value: f"{value:.0%}",
        "signed": signed,
        "emotion_level": lambda value: emotion_level(value, journey.map.emotion_scale),
        "experiments_at": lambda touchpoint_id: experiments.get(touchpoint_id, []),
    }


def _experiments(journey: Journey) -> dict[str, list[Experiment]]:
    """The experiments of each touchpoint they name."""
    experiments: dict[str, list[Experiment]] = {}
    for experiment in journey.map.experiments:
        for touchpoint_id in dict.fromkeys(journey.resolve(t) for t in experiment.touchpoints):
            experiments.setdefault(touchpoint_id, []).append(experiment)
    return experiments


def curves(journey: Journey, columns: list[Column], words: Words, column: float, *, everyone_only: bool) -> list[Curve]:
    """The emotion curve for everyone and, for the page's filter, one per persona."""
    if not any(c.emotions for c in columns):
        return []
    personas = [] if everyone_only else list(journey.personas)
    names = {p: persona_name(journey, p) for p in journey.personas}  # looked up once, not per curve
    order = {key: index for index, key in enumerate(["", *journey.personas])}
    return [_curve(journey, columns, persona, words, column, names, order) for persona in ["", *personas]]


def _asset(name: str) -> str:
    from cjmap.render.jinja import source

    return source(name)


def _hash(content: str) -> str:
    digest = base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def _columns(journey: Journey, words: Words) -> list[Column]:
    columns = []
    for placed in journey.ordered():
        tp = placed.touchpoint
        channel = channel_name(journey, words, tp.channel) if tp.channel else ""
        personas = journey.personas_of(tp)
        column = Column(
            tp.id,
            tp.label,
            placed.stage_index,
            personas,
            channel,
            tp.entry is not False,
            tp,
            members=frozenset(personas),
        )
        if tp.personas is not None:
            column.names = [persona_name(journey, p) for p in tp.personas if p in journey.personas]
        for persona, value in tp.emotions():
            name = persona_name(journey, persona) if persona else ""
            column.emotions.append((persona or "", name, value, emotion_level(value, journey.map.emotion_scale)))
        columns.append(column)
    return columns


def _stages(journey: Journey, columns: list[Column], persona_ids: list[str]) -> list[dict[str, Any]]:
    stages = []
    groups = by_stage(columns, lambda c: c.stage, len(journey.map.stages))
    for index, stage in enumerate(journey.map.stages):
        mine = groups[index]
        if not mine:
            continue
        involved = Counter(p for c in mine for p in c.personas)
        spans = {"": len(mine)} | {p: involved[p] for p in persona_ids}
        stages.append(
            {
                "stage": stage,
                "number": index + 1,
                "span": len(mine),
                "spans": json.dumps(spans, sort_keys=True, ensure_ascii=False),
            }
        )
    return stages


def _has(lane: str, tp: Touchpoint, experiments: dict[str, list[Experiment]]) -> bool:
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
            "experiment": tp.id in experiments,
        }[lane]
    )


def _curve(
    journey: Journey,
    columns: list[Column],
    persona: str,
    words: Words,
    width: float,
    names: dict[str, str],
    order: dict[str, int],
) -> Curve:
    """Points at the centre of each visible column; one line per persona when emotions differ."""
    low, high = journey.map.emotion_scale
    visible = [c for c in columns if not persona or persona in c.members]

    def y(value: float) -> float:
        return round(15 + (high - value) / (high - low) * (CURVE_HEIGHT - 30), 1)

    # One line per persona through the touchpoints they take part in (a shared emotion counts for
    # each of them), or a single line when the map gives no per-persona emotions at all.
    per_persona = persona or any(isinstance(c.touchpoint.emotion, dict) for c in columns)
    series: dict[str, list[tuple[float, float, float, str]]] = {}
    for index, column in enumerate(visible):
        x = round(index * width + width / 2, 1)
        tp = column.touchpoint
        keys = ([persona] if persona else column.personas) if per_persona else [""]
        for key in keys:
            value = tp.emotion_for(key) if key else tp.emotion
            if isinstance(value, (int, float)):
                series.setdefault(key, []).append((x, y(value), value, column.label))
    keys = sorted(series, key=order.__getitem__)
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
    ticks = [(y(value), signed(value)) for value in axis_ticks(low, high)]
    label = f"{words['emotion']}: " + "; ".join(
        f"{line['who']}: " + ", ".join(f"{name} {signed(value)}" for _, _, value, name, _ in line["points"])
        for line in lines
    )
    return Curve(persona, round(max(1, len(visible)) * width), lines, ticks, label)


def _initials(name: str) -> str:
    parts = [part for part in name.replace("-", " ").split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


def _target_label(journey: Journey, target: str, words: Words) -> str:
    label, kind = target_label(journey, target)
    return f"{label} ({words[kind]})" if kind else label


def axis_ticks(low: int, high: int, most: int = 11) -> list[int]:
    """Tick values for the emotion axis: every integer on a short scale, else a round step
    (1, 2 or 5 times a power of ten) so that at most `most` ticks are drawn, as plotting
    libraries choose them."""
    step = 1
    while (high - low) // step + 1 > most:
        step = _next_step(step)
    first = -(-low // step) * step  # the first multiple of step at or above low
    return list(range(first, high + 1, step))


def _next_step(step: int) -> int:
    """1, 2, 5, 10, 20, 50, 100, ..."""
    digits = len(str(step)) - 1
    lead = step // 10**digits
    return int({1: 2, 2: 5, 5: 10}[lead] * 10**digits)
