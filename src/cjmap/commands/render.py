"""`cjmap render`: checked maps in, files out. Plans the outputs, runs the jobs (pictures through
the Graphviz engine, in parallel threads), writes atomically; the drawing is in render/."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cjmap.api import Checked, Session
from cjmap.commands.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, error, report_findings, say
from cjmap.commands.engines import Engine, EngineError, find_engine, stop_all
from cjmap.commands.render_plan import PlanError, Target, plan
from cjmap.journey import Journey
from cjmap.output import OutputError, write_atomically
from cjmap.render.formats import DEFAULT_FORMATS, DIAGRAM, FORMATS, RenderInputs

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from cjmap.analysis.forecast import Forecast
    from cjmap.analysis.measure.written import Measured
    from cjmap.render.dot import DiagramOptions


@dataclass(frozen=True)
class RenderRequest:
    formats: list[str] | None
    output: str | None
    persona: str | None
    theme: str
    direction: str | None
    engine: str
    verbose: bool
    engine_timeout: float = 120.0
    detail: bool = False  # the diagram writes each touchpoint's top pain point and opportunity
    layout: str | None = None  # poster or pages: -f pdf prints the grid (WeasyPrint)
    paper: str | None = None
    forecast: bool = False  # the forecast in the report, the grid and on the diagram's edges
    measured: str | None = None  # a measurement file: observed shares next to the declared ones


def run(session: Session, paths: Sequence[str], request: RenderRequest) -> int:
    if request.measured is None:
        return render_checked(session.check(paths), request)
    from cjmap.commands import measured as measurement

    session, observed = measurement.load(session, request.measured)
    checked = session.check(paths)
    measurement.require_its_map(checked, observed)
    return render_checked(checked, request, observed)


def render_checked(checked: Checked, request: RenderRequest, measured: Measured | None = None) -> int:
    problem = _print_problem(request)
    if problem:
        error(problem)
        return EXIT_USAGE
    status = report_findings(checked)
    maps = checked.renderable()
    if request.persona:
        missing = [r for r in maps if request.persona not in _journey(r.journey).personas]
        for result in missing:
            error(f"map '{_journey(result.journey).map.id}' has no persona '{request.persona}'")
        maps = [r for r in maps if r not in missing]
        status = max(status, EXIT_FINDINGS if missing else EXIT_OK)
    if not maps:
        if not checked.results or all(r.is_library for r in checked.results):
            error(
                "nothing to render: the paths hold no journey map "
                "(libraries are drawn through the maps that include them)"
            )
            return EXIT_FINDINGS
        return status if status else EXIT_OK
    journeys = {_journey(r.journey).map.id: _journey(r.journey) for r in maps}
    try:
        formats = list(dict.fromkeys(request.formats or DEFAULT_FORMATS))  # `-f dot -f dot` is one dot
        targets = plan(list(journeys), formats, request.output, request.persona)
    except PlanError as problem:
        error(str(problem))
        return EXIT_USAGE
    if any(t.path is None and FORMATS[t.format].binary for t in targets) and sys.stdout.isatty():
        error("refusing to write a binary image to the terminal: redirect it, or use -o FILE")
        return EXIT_USAGE
    engine = None
    if any(_drawn(t, request) for t in targets):
        try:
            engine = find_engine(request.engine, request.engine_timeout)
        except EngineError as problem:
            error(str(problem))
            return EXIT_USAGE
        if request.verbose:
            say(f"engine: {engine.description}")
    diagrams = any(FORMATS[t.format] is DIAGRAM or _drawn(t, request) for t in targets)
    diagram = _diagram_options(request) if diagrams else None
    files = {_journey(r.journey).map.id: r.name for r in maps}
    inputs = RenderInputs(
        today=checked.settings.today, diagram=diagram, layout=request.layout, paper=request.paper or "A3"
    )
    forecasts = _forecasts(journeys, files) if request.forecast else {}
    printed = [t for t in targets if _printed(t, request)]
    texts = _texts([t for t in targets if t not in printed], journeys, files, inputs, forecasts, measured)
    failures = _run_jobs(targets, texts, engine, checked.protected(), _printer(journeys, inputs))
    return max(status, EXIT_FINDINGS if failures else EXIT_OK)


def _diagram_options(request: RenderRequest) -> DiagramOptions:
    """How the DOT source is drawn (imported only when a diagram is made: md and html need none)."""
    from cjmap.render.dot import DiagramOptions
    from cjmap.render.theme import THEMES

    return DiagramOptions(
        theme=THEMES[request.theme], direction=request.direction, persona=request.persona, detail=request.detail
    )


def _print_problem(request: RenderRequest) -> str | None:
    """Why a request for a print layout cannot be met, if it cannot."""
    from cjmap.render.formats import FORMATS

    if request.layout is None:
        return (
            "--paper sets the paper of a print layout: add --layout poster or --layout pages" if request.paper else None
        )
    if not request.formats or any(FORMATS[f].printer is None for f in request.formats):
        return "--layout prints the journey grid as PDF: use it with -f pdf only"
    if request.persona:
        return "--layout prints every persona's journey: leave out --persona"
    from cjmap.render.print_pdf import PrintUnavailable, require

    try:
        require()
    except PrintUnavailable as problem:
        return str(problem)
    return None


def _printed(target: Target, request: RenderRequest) -> bool:
    return request.layout is not None and FORMATS[target.format].printer is not None


def _drawn(target: Target, request: RenderRequest) -> bool:
    """Whether the Graphviz engine draws this target (a picture, unless a print layout)."""
    return FORMATS[target.format].picture and not _printed(target, request)


def _printer(journeys: dict[str, Journey], inputs: RenderInputs) -> Callable[[Target], tuple[bytes, str]] | None:
    if inputs.layout is None:
        return None

    def make(target: Target) -> tuple[bytes, str]:
        printer = FORMATS[target.format].printer
        assert printer is not None  # only printable formats take a layout
        return printer(journeys[target.map_id], inputs)

    return make


def _forecasts(journeys: dict[str, Journey], files: dict[str, str]) -> dict[str, Forecast[Any]]:
    """The forecast of each map, computed once for all its outputs (exact or floating point as
    `cjmap forecast` picks); a map whose forecast is refused renders without it, and says why."""
    from cjmap.analysis.forecast import ForecastError
    from cjmap.commands.forecast import ForecastRequest, compute

    forecasts: dict[str, Forecast[Any]] = {}
    for map_id, journey in journeys.items():
        try:
            forecasts[map_id] = compute(journey, ForecastRequest())
        except ForecastError as problem:
            say(f"cjmap: note: {files[map_id]}: no forecast ({problem}); rendered without it")
    return forecasts


def _texts(
    targets: list[Target],
    journeys: dict[str, Journey],
    files: dict[str, str],
    inputs: RenderInputs,
    forecasts: dict[str, Forecast[Any]] | None = None,
    measured: Measured | None = None,
) -> dict[Target, str]:
    """Every output cjmap writes itself, and the DOT source of every picture (made once per map);
    a report links the SVG rendered beside it."""
    svgs = {(t.map_id, t.path.parent): t.path.name for t in targets if t.format == "svg" and t.path is not None}
    diagrams: dict[str, str] = {}

    def diagram(map_id: str) -> str:
        if map_id not in diagrams:
            with_forecast = replace(inputs, forecast=(forecasts or {}).get(map_id), measured=_its(measured, map_id))
            diagrams[map_id] = _make(DIAGRAM.make)(journeys[map_id], with_forecast)
        return diagrams[map_id]

    texts: dict[Target, str] = {}
    for target in targets:
        output = FORMATS[target.format]
        if output is DIAGRAM or output.picture:
            texts[target] = diagram(target.map_id)
            continue
        folder = target.path.parent if target.path is not None else None
        beside = RenderInputs(
            today=inputs.today,
            diagram=inputs.diagram,
            svg_beside=svgs.get((target.map_id, folder)) if folder is not None else None,
            source=Path(files[target.map_id]).name,
            forecast=(forecasts or {}).get(target.map_id),
            measured=_its(measured, target.map_id),
        )
        texts[target] = _make(output.make)(journeys[target.map_id], beside)
    return texts


def _its(measured: Measured | None, map_id: str) -> Measured | None:
    """The measurement, for the map it measures (render takes many maps, a measurement is of one)."""
    return measured if measured is not None and measured.map_id == map_id else None


def _run_jobs(
    targets: list[Target],
    texts: dict[Target, str],
    engine: Engine | None,
    protected: set[Path],
    printer: Callable[[Target], tuple[bytes, str]] | None = None,
) -> int:
    """Pictures are drawn (and grids printed) in parallel threads (engines are processes); every
    file is written by this thread, in order, so that after an interrupt nothing more is written:
    the engines are killed, and what they drew is dropped. Texts are made already: with nothing
    to draw or print, no thread is started (nor the thread pool imported)."""
    notes: dict[Target, str] = {}  # what a printed PDF holds, for the "wrote" line

    def produce(target: Target) -> bytes:
        if target not in texts:
            assert printer is not None  # every target without a text is printed
            data, notes[target] = printer(target)
            return data
        if FORMATS[target.format].picture:
            return _engine(engine).render(texts[target], target.format)
        return texts[target].encode("utf-8")

    failures = 0
    pool = _pool(len(targets)) if any(t not in texts or FORMATS[t.format].picture for t in targets) else None
    try:
        with _Progress(len(targets)) as progress:
            if pool is None:
                results = [_later(produce, target) for target in targets]
            else:
                results = [pool.submit(produce, target).result for target in targets]
            for target, result in zip(targets, results, strict=True):
                problem = _write(target, result, protected)
                if problem:
                    failures += 1
                    progress.fail(f"cjmap: error: {problem}")
                else:
                    note = f" ({notes[target]})" if target in notes else ""
                    progress.done(f"wrote {target.path}{note}" if target.path else None)
    except BaseException:  # an interrupt: stop the engines, write nothing more
        stop_all()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if pool is not None:
        pool.shutdown()
    return failures


def _pool(jobs: int) -> ThreadPoolExecutor:
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=min(jobs, os.cpu_count() or 2))


def _later(produce: Callable[[Target], bytes], target: Target) -> Callable[[], bytes]:
    return lambda: produce(target)


def _write(target: Target, result: Callable[[], bytes], protected: set[Path]) -> str | None:
    """Write one rendered target (its bytes from `result`); the error message, or None when it worked."""
    try:
        data = result()
        if target.path is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_atomically(target.path, data, protected)
    except (EngineError, OutputError) as problem:
        return f"{target.map_id} ({target.format}): {problem}"
    except OSError as problem:
        where = target.path or "standard output"
        return f"{target.map_id} ({target.format}): cannot write {where}: {problem.strerror}"
    return None


def _journey(journey: Journey | None) -> Journey:
    assert journey is not None  # renderable() keeps only maps with a journey
    return journey


def _make(make: Callable[[Journey, RenderInputs], str] | None) -> Callable[[Journey, RenderInputs], str]:
    assert make is not None  # only formats cjmap writes itself are made here
    return make


def _engine(engine: Engine | None) -> Engine:
    assert engine is not None  # found before any picture is planned
    return engine


class _Progress:
    """A rich progress bar on a terminal; plain lines otherwise (CI logs, pipes)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: object | None = None
        self.advance: Callable[[], None] = lambda: None

    def __enter__(self) -> _Progress:
        if sys.stderr.isatty() and self.total > 1:
            from rich.console import Console
            from rich.progress import Progress

            progress = Progress(console=Console(stderr=True), transient=True)
            task = progress.add_task("rendering", total=self.total)
            progress.start()
            self.bar = progress
            self.advance = lambda: progress.advance(task)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()  # type: ignore[attr-defined]

    def done(self, message: str | None) -> None:
        self.advance()
        if message and self.bar is None:
            say(message)

    def fail(self, message: str) -> None:
        self.advance()
        say(message)
