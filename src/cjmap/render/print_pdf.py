"""The print layouts as PDF: WeasyPrint lays out the print HTML (print_html.py) with CSS Paged
Media, each sheet is scaled to the paper as a whole, and pikepdf joins the sheets.

Why WeasyPrint: it implements CSS Paged Media — `@page` sizes, table headers repeated on every
page, no breaks inside a row, page-level zoom — in a Python package, without driving a browser.
It is the optional extra `pdf`; the diagram's plain `-f pdf` needs none of this.

Scaling a whole sheet (rather than squeezing columns into the page) is what keeps every word
whole: the sheet is laid out at its natural width, its height measured (the position of a marker
at its end), and the zoom that fits both on the paper chosen. The PDF is deterministic: fixed
metadata, no dates, an id derived from the content.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cjmap.journey import Journey
from cjmap.render.print_html import PAPERS, PX_PER_PT, SMALLEST_PX, Printable, PrintOptions, poster_width, printable

BAND_GAP = 12  # px between the rows of a poster's grid, as .print .band + .band in print.css
WIDER = (1.4, 1.9)  # column widths a poster too tall for its paper tries, times the narrowest
TALL = 30000  # px: a page high enough to measure any sheet in one piece
_ONE_AT_A_TIME = threading.Lock()  # the render command's threads: Pango's font map is not thread-safe
INSTALL = "the print layouts need WeasyPrint: pip install 'cjmap[pdf]'"


class PrintUnavailable(Exception):
    """WeasyPrint (or the system libraries it needs, Pango) is missing."""


@dataclass(frozen=True)
class PrintedPdf:
    data: bytes
    pages: int
    smallest_pt: float  # the smallest type on any page, in points, after scaling to the paper


def require() -> None:
    """Raise PrintUnavailable with the install command when WeasyPrint cannot be used."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as problem:  # OSError: Pango or its friends are missing
        raise PrintUnavailable(f"{INSTALL} ({problem})") from None


def print_pdf(journey: Journey, options: PrintOptions) -> PrintedPdf:
    require()
    import pikepdf

    paper_width, paper_height = PAPERS[options.paper]
    with _ONE_AT_A_TIME, _quiet():
        document = printable(journey, options)
        laid_out, heights, tops = _lay_out(document)
        if options.layout == "poster":
            bands = _best_bands(journey, heights[0], tops[0], paper_width / paper_height)
            if bands > 1:
                document = printable(journey, options, bands)
                laid_out, heights, _ = _lay_out(document)
            if _fits(document.widths[0], heights[0], paper_width, paper_height)[1] == "height":
                # Too tall for the paper, with width to spare: wider columns wrap less. Lay out
                # wider candidates side by side (one page each) and keep the biggest.
                wider = printable(journey, options, bands, WIDER)
                wider_out, wider_heights, _ = _lay_out(wider)
                zooms = [
                    _fits(w, h, paper_width, paper_height)[0] for w, h in zip(wider.widths, wider_heights, strict=True)
                ]
                best = max(range(len(zooms)), key=lambda index: zooms[index])
                if zooms[best] > _fits(document.widths[0], heights[0], paper_width, paper_height)[0]:
                    document = Printable(wider.html, [wider.widths[best]])
                    laid_out = wider_out.copy([wider_out.pages[best]])
                    heights = [wider_heights[best]]
        tall = pikepdf.open(io.BytesIO(laid_out.write_pdf(pdf_identifier=b"cjmap")))
    joined = pikepdf.new()
    zooms = []
    for source, width, height in zip(tall.pages, document.widths, heights, strict=True):
        # Cut the tall page down to its sheet, then draw it scaled onto a page of the paper.
        top = float(source.mediabox[3])
        width_pt, height_pt = width / PX_PER_PT, (height + 1) / PX_PER_PT
        box = pikepdf.Array([0, top - height_pt, width_pt, top])
        source.mediabox = source.cropbox = source.trimbox = source.bleedbox = source.artbox = box
        zoom = _fits(width, height, paper_width, paper_height)[0]
        zooms.append(zoom)
        # The sheet as a form drawn scaled and placed at the top of the paper, centred across; a
        # fixed name for it (pikepdf's add_overlay picks a random one) keeps the bytes the same.
        left = (paper_width - width_pt * zoom) / 2
        bottom = paper_height - height_pt * zoom - zoom * (top - height_pt)
        page = joined.add_blank_page(page_size=(paper_width, paper_height))
        page.Resources = pikepdf.Dictionary(
            XObject=pikepdf.Dictionary(Sheet=joined.copy_foreign(source.as_form_xobject()))
        )
        page.Contents = joined.make_stream(
            f"q {zoom:.6f} 0 0 {zoom:.6f} {left:.4f} {bottom:.4f} cm /Sheet Do Q".encode()
        )
    joined.docinfo = joined.make_indirect(
        pikepdf.Dictionary(
            Title=pikepdf.String(journey.map.title), Creator=pikepdf.String("cjmap"), Producer=pikepdf.String("cjmap")
        )
    )
    out = io.BytesIO()
    joined.save(out, deterministic_id=True, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    smallest = min(zooms) * SMALLEST_PX / PX_PER_PT
    return PrintedPdf(out.getvalue(), len(joined.pages), round(smallest, 1))


def _fits(width: float, height: float, paper_width: float, paper_height: float) -> tuple[float, str]:
    """The zoom that fits a sheet (CSS px) on the paper (pt), and which side limits it."""
    across, down = paper_width / (width / PX_PER_PT), paper_height / ((height + 1) / PX_PER_PT)
    return (across, "width") if across <= down else (down, "height")


@contextmanager
def _quiet() -> Iterator[None]:
    """WeasyPrint warns of the page's screen-only CSS (line clamps), which print does not use."""
    loggers = [logging.getLogger(name) for name in ("weasyprint", "fontTools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _lay_out(document: Printable) -> tuple[Any, list[float], list[float]]:
    """Every sheet on a page as wide as the widest and tall enough for any; where each ends and
    where its grid starts (CSS px)."""
    from weasyprint import CSS, HTML

    page = f"@page {{ size: {max(document.widths):.0f}px {TALL}px !important; margin: 0 !important; }}"
    laid_out = HTML(string=document.html).render(stylesheets=[CSS(string=page)])
    laid_out.metadata.generator = "cjmap"
    laid_out.metadata.created = laid_out.metadata.modified = None
    return laid_out, _heights(laid_out.pages, len(document.widths), "end"), _heights(laid_out.pages, 1, "grid")


def _best_bands(journey: Journey, height: float, grid_top: float, ratio: float) -> int:
    """How many rows of stages fill the paper best: a grid in k rows is about 1/k as wide and k
    times as tall (rows keep their heights, columns their widths)."""
    grid = height - grid_top
    best, best_zoom = 1, 0.0
    for bands in range(1, min(len(journey.map.stages), 6) + 1):
        width = poster_width(journey, bands)
        zoom = min(ratio / width, 1 / (grid_top + bands * grid + (bands - 1) * BAND_GAP))
        if zoom > best_zoom * 1.02:  # fewer rows unless more of them are really bigger
            best, best_zoom = bands, zoom
    return best


def _heights(pages: list[Any], sheets: int, marker: str) -> list[float]:
    """Where a marker of each sheet is on its page, in CSS px (each sheet must be one page)."""
    heights = []
    for number, page in enumerate(pages[:sheets], start=1):
        anchor = page.anchors.get(f"print-{marker}-{number}")
        if anchor is None:
            raise AssertionError(f"sheet {number} is taller than {TALL}px or broke across pages")
        heights.append(float(anchor[1]))  # (left, top, right, bottom)
    if len(heights) != sheets:
        raise AssertionError(f"{sheets} sheets made {len(heights)} pages")
    return heights
