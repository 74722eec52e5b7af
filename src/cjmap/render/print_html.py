"""The journey grid laid out for paper: the HTML that print_pdf.py turns into a PDF.

- poster: the whole grid (with the header, the persona cards and the legend) on one sheet.
- pages: a cover (the header and the persona cards in full), then one stage per page, the persona
  cards (compact) and the legend repeated on every page; a stage wider than a page goes on over
  the next pages ("part 2/3").

Each sheet is laid out at a natural size (columns as wide as their longest word needs, type of
7.5 to 16 pt) and scaled to the paper as a whole afterwards, so no column is squeezed below its
longest word and no word is broken inside itself: lines break at spaces and after hyphens only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from cjmap.journey import Journey
from cjmap.render.html import (
    LANES,
    Column,
    _asset,
    _columns,
    _experiments,
    _has,
    _stages,
    curves,
    grid_context,
)
from cjmap.render.i18n import Words
from cjmap.render.jinja import template

# Landscape paper, width and height in PDF points (1/72 in).
PAPERS: dict[str, tuple[float, float]] = {
    "A4": (841.89, 595.28),
    "A3": (1190.55, 841.89),
    "A1": (2383.94, 1683.78),
    "letter": (792.0, 612.0),
}
LAYOUTS = ("poster", "pages")
SMALLEST_PX = 10  # the smallest type in print.css, in CSS px (7.5 pt before scaling)
PX_PER_PT = 4 / 3
COLUMN = 170  # px: a touchpoint column at least this wide
LANE = 110  # px: the column of lane names
MAX_COLUMN = 420  # px: wider than this, a "word" (a URL) may be broken rather than widen its column
SHEET_PADDING = 16  # px, as .print .sheet in print.css
# The natural width of a page of the pages layout: A4 landscape minus the margins, in px. Bigger
# paper shows the same page larger (bigger type on a wall), not more columns.
PAGE_WIDTH = 1100
# Average advance of a character of DejaVu Sans (the font the PDF uses) in em: regular and bold,
# a little over the real averages (0.58 and 0.64), so a word measured here never overflows.
EM_REGULAR = 0.62
EM_BOLD = 0.70
_BREAKS = re.compile(r"\s+|(?<=-)")


@dataclass(frozen=True)
class PrintOptions:
    today: date
    layout: str = "poster"  # poster or pages
    paper: str = "A3"


@dataclass(frozen=True)
class Printable:
    """The sheets as one HTML document, a sheet per page, and each sheet's natural width in CSS
    px; the element `print-end-N` marks where sheet N ends (its height is measured there)."""

    html: str
    widths: list[float]


def longest_word(text: str) -> int:
    """Characters in the longest piece of text no line may break (between spaces, after hyphens)."""
    return max((len(piece) for piece in _BREAKS.split(text) if piece), default=0)


def column_width(columns: list[Column]) -> float:
    """One width for every touchpoint column (the emotion curve lines up with equal columns): the
    minimum, or wider when a word of some cell needs it."""
    needed = 0.0
    for column in columns:
        tp = column.touchpoint
        needed = max(needed, longest_word(column.label) * 12 * EM_BOLD)
        texts = [tp.action, tp.backstage, tp.need, tp.thoughts, column.channel, *column.names]
        texts += [p.text for p in tp.pain_points] + [o.text for o in tp.opportunities]
        texts += [k.name for k in tp.kpis] + [c.text for c in tp.content] + tp.data + tp.collects
        if tp.decision is not None:
            texts += [tp.decision.question, *(b.when for b in tp.decision.branches)]
        # A text no longer than the widest word so far cannot widen the column: not split at all.
        wide = [t for t in texts if t and len(t) * 11 * EM_REGULAR > needed]
        needed = max([needed, *(longest_word(t) * 11 * EM_REGULAR for t in wide)])
    padding = 12  # the cell's padding and border
    return min(MAX_COLUMN, max(COLUMN, math.ceil(needed + padding)))


def printable(journey: Journey, options: PrintOptions, bands: int = 1, wider: tuple[float, ...] = ()) -> Printable:
    """The print HTML; a poster's grid in `bands` rows of whole stages, stacked on the sheet, or
    (with `wider`) one candidate poster per factor, its columns that much wider, a page each."""
    words = Words(journey.map.locale)
    columns = _columns(journey, words)
    width = column_width(columns)
    if options.layout == "poster":
        made = [
            _sheet(
                journey, words, band_columns(columns, bands), math.floor(width * factor), options, part="", full=True
            )
            for factor in wider or (1.0,)
        ]
    else:
        # A cover with the header and the persona cards in full, then the stages, each page
        # with compact cards (name, segment, goals) and the legend.
        made = [_sheet(journey, words, [], width, options, part="", full=True, legend=columns)]
        per_page = max(1, int((PAGE_WIDTH - LANE) // width))
        for index, stage in enumerate(journey.map.stages):
            mine = [c for c in columns if c.stage == index]
            chunks = [mine[start : start + per_page] for start in range(0, len(mine), per_page)]
            for number, chunk in enumerate(chunks, start=1):
                part = f"{index + 1}. {stage.label}"
                if len(chunks) > 1:
                    part += f" ({words['page-of']} {number}/{len(chunks)})"
                # The columns of a short stage share the page's width.
                stretched = max(width, (PAGE_WIDTH - LANE) // len(chunk)) if len(chunks) == 1 else width
                made.append(_sheet(journey, words, [chunk], stretched, options, part=part, full=False))
    context = grid_context(journey, words, columns, options.today)
    context |= {"css": _asset("journey.css") + _asset("print.css"), "layout": options.layout, "sheets": made}
    return Printable(str(template("print.html.j2").render(**context)), [sheet["width"] for sheet in made])


def poster_width(journey: Journey, bands: int) -> float:
    """The natural width of a poster whose grid is in `bands` rows, in CSS px."""
    columns = _columns(journey, Words(journey.map.locale))
    widest = max((len(band) for band in band_columns(columns, bands)), default=1)
    return LANE + column_width(columns) * widest + 2 * SHEET_PADDING


def band_columns(columns: list[Column], bands: int) -> list[list[Column]]:
    """Whole stages, in order, into at most `bands` rows of about equal numbers of columns."""
    stages: list[list[Column]] = []
    for column in columns:
        if stages and stages[-1][0].stage == column.stage:
            stages[-1].append(column)
        else:
            stages.append([column])
    target = math.ceil(len(columns) / max(1, bands))
    rows: list[list[Column]] = [[]]
    for stage in stages:
        if rows[-1] and len(rows[-1]) + len(stage) > target and len(rows) < bands:
            rows.append([])
        rows[-1].extend(stage)
    return [row for row in rows if row]


def _sheet(
    journey: Journey,
    words: Words,
    bands: list[list[Column]],
    width: float,
    options: PrintOptions,
    *,
    part: str,
    full: bool,
    legend: list[Column] | None = None,  # the columns whose curve lines the legend names, if not the bands'
) -> dict[str, Any]:
    grid = LANE + width * max((len(band) for band in bands), default=0)
    sheet = max(grid, PAGE_WIDTH if options.layout == "pages" else 0) + 2 * SHEET_PADDING
    experiments = _experiments(journey)
    grids: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for columns in bands:
        made = curves(journey, columns, words, width, everyone_only=True)
        lines += [line for curve in made for line in curve.lines]
        grids.append(
            {
                "columns": columns,
                "stages": _stages(journey, columns, list(journey.personas)),
                "curves": made,
                "lanes": [lane for lane in LANES if any(_has(lane, c.touchpoint, experiments) for c in columns)],
                "style": f"width: {LANE + width * len(columns)}px",
            }
        )
    if legend is not None:
        lines = [line for curve in curves(journey, legend, words, width, everyone_only=True) for line in curve.lines]
    return {
        "style": f"--col: {width}px; --lane: {LANE}px; --sheet: {sheet}px",
        "width": sheet,
        "part": part,
        "full": full,
        "grids": grids,
        "curve_lines": list({line["who"]: line for line in lines}.values()) if len(lines) > max(1, len(grids)) else [],
    }
