"""`cjmap render`: validated maps in, files out. Runs the jobs; the drawing is in render/."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cjmap.diagnostics import Severity, sort_diagnostics
from cjmap.formatters import Report
from cjmap.formatters.text import render_text
from cjmap.journey import Journey
from cjmap.output import OutputError, write_atomically
from cjmap.render.dot import DiagramOptions, render_dot
from cjmap.render.engines import Engine, EngineError, find_engine
from cjmap.render.plan import BINARY, DEFAULT_FORMATS, TEXT_FORMATS, PlanError, Target, plan
from cjmap.render.theme import THEMES
from cjmap.validate import Result

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class RenderRequest:
    formats: list[str] | None
    output: str | None
    persona: str | None
    theme: str
    direction: str
    engine: str
    verbose: bool
    inputs: set[Path] = field(default_factory=set)
    today: date = field(default_factory=date.today)


def run_render(results: list[Result], request: RenderRequest) -> int:
    status = _report_diagnostics(results)
    maps = [r.journey_map for r in results if r.journey_map is not None and not _has_errors(r)]
    if request.persona:
        missing = [m for m in maps if request.persona not in {p.id for p in m.personas}]
        for journey_map in missing:
            _say(f"cjmap: error: map '{journey_map.id}' has no persona '{request.persona}'")
        maps = [m for m in maps if m not in missing]
        status = max(status, EXIT_FAILED if missing else EXIT_OK)
    if not maps:
        return status if status else EXIT_OK
    formats = request.formats or list(DEFAULT_FORMATS)
    try:
        targets = plan([m.id for m in maps], formats, request.output, request.persona)
    except PlanError as error:
        _say(f"cjmap: error: {error}")
        return EXIT_USAGE
    if any(t.path is None and t.format in BINARY for t in targets) and sys.stdout.isatty():
        _say("cjmap: error: refusing to write a binary image to the terminal: redirect it, or use -o FILE")
        return EXIT_USAGE
    engine = None
    if any(t.format not in TEXT_FORMATS for t in targets):
        try:
            engine = find_engine(request.engine)
        except EngineError as error:
            _say(f"cjmap: error: {error}")
            return EXIT_USAGE
        if request.verbose:
            _say(f"engine: {engine.description}")
    protected = request.inputs | {Path(r.name).resolve() for r in results if r.name != "<stdin>"}
    protected |= {path for r in results for path in r.included}
    options = DiagramOptions(theme=THEMES[request.theme], direction=request.direction, persona=request.persona)
    journeys = {m.id: Journey.build(m) for m in maps}
    # DOT only for the maps that need it: as an output, or as an engine's input.
    diagram_maps = {t.map_id for t in targets if t.format == "dot" or t.format not in TEXT_FORMATS}
    sources = {map_id: render_dot(journeys[map_id], options) for map_id in sorted(diagram_maps)}
    files = {r.journey_map.id: r.name for r in results if r.journey_map is not None}
    texts = _texts(targets, journeys, sources, files, request.today)
    failures = _run_jobs(targets, sources, texts, engine, protected)
    return max(status, EXIT_FAILED if failures else EXIT_OK)


def _texts(
    targets: list[Target], journeys: dict[str, Journey], sources: dict[str, str], files: dict[str, str], today: date
) -> dict[Target, str]:
    """Every output cjmap writes itself (dot, md, mermaid, html); a report links the SVG beside it."""
    from cjmap.render.html import HtmlOptions, render_html
    from cjmap.render.markdown import ReportOptions, render_markdown
    from cjmap.render.mermaid import render_mermaid

    svgs = {(t.map_id, t.path.parent): t.path.name for t in targets if t.format == "svg" and t.path is not None}
    texts: dict[Target, str] = {}
    for target in targets:
        journey = journeys[target.map_id]
        if target.format == "dot":
            texts[target] = sources[target.map_id]
        elif target.format == "mermaid":
            texts[target] = render_mermaid(journey)
        elif target.format == "html":
            texts[target] = render_html(journey, HtmlOptions(today=today))
        elif target.format == "md":
            folder = target.path.parent if target.path is not None else None
            diagram = svgs.get((target.map_id, folder)) if folder is not None else None
            source = Path(files[target.map_id]).name
            texts[target] = render_markdown(journey, ReportOptions(today=today, diagram=diagram, source=source))
    return texts


def _has_errors(result: Result) -> bool:
    return any(d.severity is Severity.ERROR for d in result.diagnostics)


def _report_diagnostics(results: list[Result]) -> int:
    """Print findings to stderr (stdout may carry the image); exit 1 if any map has errors."""
    diagnostics = sort_diagnostics([d for r in results for d in r.diagnostics])
    if diagnostics:
        terminal = sys.stderr.isatty()
        color = terminal and not os.environ.get("NO_COLOR")
        report = Report(diagnostics, len(results), lambda file, line: None, color=color, excerpts=False)
        sys.stderr.write(render_text(report))
    return EXIT_FAILED if any(d.severity is Severity.ERROR for d in diagnostics) else EXIT_OK


def _run_jobs(
    targets: list[Target],
    sources: dict[str, str],
    texts: dict[Target, str],
    engine: Engine | None,
    protected: set[Path],
) -> int:
    def produce(target: Target) -> str | None:
        """Render and write one target; the error message, or None when it worked."""
        try:
            if target in texts:
                data = texts[target].encode("utf-8")
            else:
                data = _engine(engine).render(sources[target.map_id], target.format)
            if target.path is None:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            else:
                write_atomically(target.path, data, protected)
        except (EngineError, OutputError) as error:
            return f"{target.map_id} ({target.format}): {error}"
        except OSError as error:
            return f"{target.map_id} ({target.format}): cannot write {target.path}: {error.strerror}"
        return None

    failures = 0
    with (
        _Progress(len(targets)) as progress,
        ThreadPoolExecutor(max_workers=min(len(targets), os.cpu_count() or 2)) as pool,
    ):
        # Engines run as separate processes, so threads render maps in parallel.
        for target, problem in zip(targets, pool.map(produce, targets), strict=True):
            if problem:
                failures += 1
                progress.fail(f"cjmap: error: {problem}")
            else:
                progress.done(f"wrote {target.path}" if target.path else None)
    return failures


def _engine(engine: Engine | None) -> Engine:
    assert engine is not None  # found before any non-dot job is planned
    return engine


def _say(message: str) -> None:
    print(message, file=sys.stderr)


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
            _say(message)

    def fail(self, message: str) -> None:
        self.advance()
        _say(message)
