"""Every render format in one table: its name, file extension, whether it is a picture drawn by
the Graphviz engine, whether its bytes are binary, and the function that writes it.

The CLI's choices, the output planner and the render command all read this table, so a new
renderer is one new module plus one row here. The makers import their renderer when called:
this module is imported at start-up and must stay light.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cjmap.analysis.forecast import Forecast
    from cjmap.analysis.measure.written import Measured
    from cjmap.journey import Journey
    from cjmap.render.dot import DiagramOptions


@dataclass(frozen=True)
class RenderInputs:
    """What a renderer may need beyond the map itself."""

    today: date
    diagram: DiagramOptions | None = None  # for the DOT source (and so for every picture)
    svg_beside: str | None = None  # file name of the SVG diagram written beside this output
    source: str | None = None  # the map's file name, for a report's footer
    layout: str | None = None  # a print layout (poster, pages): the PDF of the grid, not the diagram
    paper: str = "A3"  # the paper of a print layout
    forecast: Forecast[Any] | None = None  # render --forecast: computed once per map, shown by md, html, dot
    measured: Measured | None = None  # render --measured: the observed shares of this map's ways


Maker = Callable[["Journey", RenderInputs], str]
Printer = Callable[["Journey", RenderInputs], tuple[bytes, str]]  # the bytes, and a note on what they hold


@dataclass(frozen=True)
class RenderFormat:
    name: str
    extension: str
    make: Maker | None = None  # cjmap writes it itself; None: the engine draws it from the DOT source
    binary: bool = False  # never written to a terminal
    printer: Printer | None = None  # with a print layout (--layout), this writes it instead
    picture: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "picture", self.make is None)


def _dot(journey: Journey, inputs: RenderInputs) -> str:
    from dataclasses import replace

    from cjmap.render.dot import DiagramOptions, render_dot

    options = inputs.diagram or DiagramOptions()
    if inputs.forecast is not None:
        from cjmap.render.forecast_view import edge_shares

        options = replace(options, shares=edge_shares(inputs.forecast, options.persona))
    if inputs.measured is not None:
        from cjmap.render.measured_view import observed_labels

        options = replace(options, observed=observed_labels(journey, inputs.measured, options.persona))
    return render_dot(journey, options)


def _markdown(journey: Journey, inputs: RenderInputs) -> str:
    from cjmap.render.markdown import ReportOptions, render_markdown

    options = ReportOptions(
        today=inputs.today,
        diagram=inputs.svg_beside,
        source=inputs.source,
        forecast=inputs.forecast,
        observed=_observed(journey, inputs),
    )
    return render_markdown(journey, options)


def _observed(journey: Journey, inputs: RenderInputs) -> Mapping[tuple[str, str], str] | None:
    if inputs.measured is None:
        return None
    from cjmap.render.measured_view import observed_labels

    return observed_labels(journey, inputs.measured, None)


def _mermaid(journey: Journey, inputs: RenderInputs) -> str:
    from cjmap.render.mermaid import render_mermaid

    return render_mermaid(journey)


def _html(journey: Journey, inputs: RenderInputs) -> str:
    from cjmap.render.html import HtmlOptions, render_html

    options = HtmlOptions(today=inputs.today, forecast=inputs.forecast, observed=_observed(journey, inputs))
    return render_html(journey, options)


def _print_pdf(journey: Journey, inputs: RenderInputs) -> tuple[bytes, str]:
    from cjmap.render.print_html import PrintOptions
    from cjmap.render.print_pdf import print_pdf

    assert inputs.layout is not None  # only a print layout is printed
    printed = print_pdf(journey, PrintOptions(today=inputs.today, layout=inputs.layout, paper=inputs.paper))
    pages = f"{printed.pages} page{'s' if printed.pages != 1 else ''}"
    return printed.data, f"{inputs.layout} on {inputs.paper}, {pages}, smallest type {printed.smallest_pt} pt"


PRINT_LAYOUTS = ("poster", "pages")  # as print_html.LAYOUTS, without importing it at start-up
PAPERS = ("A4", "A3", "A1", "letter")  # as print_html.PAPERS

FORMATS: dict[str, RenderFormat] = {
    f.name: f
    for f in (
        RenderFormat("dot", "dot", _dot),
        RenderFormat("svg", "svg"),
        RenderFormat("png", "png", binary=True),
        RenderFormat("pdf", "pdf", binary=True, printer=_print_pdf),
        RenderFormat("md", "md", _markdown),
        RenderFormat("mermaid", "mmd", _mermaid),
        RenderFormat("html", "html", _html),
    )
}
DEFAULT_FORMATS = ("svg",)
DIAGRAM = FORMATS["dot"]  # the source every picture is drawn from
