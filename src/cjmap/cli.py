"""The `cjmap` command line: it only declares the commands and their options; each command's
work is in `cjmap.commands.<name>`, imported when the command runs, so `cjmap --version` and
`--help` start fast.

Exit codes: 0 no errors; 1 errors (or warnings with --strict); 2 usage error.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable
from contextlib import suppress
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.main import get_command_name
from typer.models import CommandInfo

from cjmap import __version__
from cjmap.formatters import FORMATS as OUTPUT_FORMATS
from cjmap.render.formats import FORMATS as RENDER_FORMATS

if TYPE_CHECKING:
    from cjmap.api import Session

    OutputFormat = str
    RenderFormat = str
else:  # the choices come from the tables of formats
    OutputFormat = Enum("OutputFormat", {name: name for name in OUTPUT_FORMATS}, type=str)
    RenderFormat = Enum("RenderFormat", {name: name for name in RENDER_FORMATS}, type=str)

DEFAULT_OUTPUT: OutputFormat = OutputFormat("text")
EXIT_USAGE = 2  # as cjmap.commands.common, without importing it before a command runs

_APP_SETTINGS: dict[str, Any] = {
    "name": "cjmap",
    "help": "Customer journey maps as code: validate and render YAML journey maps.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_APP_SETTINGS)


class ColorMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class ThemeName(str, Enum):
    light = "light"
    dark = "dark"


class Direction(str, Enum):
    LR = "LR"
    TB = "TB"


class Layout(str, Enum):
    poster = "poster"
    pages = "pages"


class Paper(str, Enum):
    A4 = "A4"
    A3 = "A3"
    A1 = "A1"
    letter = "letter"


class EngineChoice(str, Enum):
    auto = "auto"
    system = "system"
    embedded = "embedded"


# Options shared by the commands that read maps.
TodayOption = Annotated[
    str | None,
    typer.Option(help="Date to check review deadlines against, YYYY-MM-DD (default: today)."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(help="Settings file (default: nearest cjmap.toml or pyproject.toml)."),
]
RootOption = Annotated[
    Path | None,
    typer.Option(
        help="Project root that includes may not leave "
        "(default: nearest folder with cjmap.toml, pyproject.toml or .git)."
    ),
]
MaxBytesOption = Annotated[
    int | None,
    typer.Option(help="Largest map file to read, in bytes (default: 20 MiB).", min=1),
]
MeasuredOption = Annotated[
    str | None,
    typer.Option(
        help="A measurement (cjmap measure --write FILE): hold the map's probabilities against what customers did.",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cjmap {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool | None,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Customer journey maps as code: validate and render YAML journey maps."""


@app.command()
def validate(
    paths: Annotated[
        list[str],
        typer.Argument(help="Map files, folders (searched for *.yaml/*.yml), or - for stdin.", show_default=False),
    ],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = DEFAULT_OUTPUT,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
    today: TodayOption = None,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
    color: Annotated[ColorMode, typer.Option(help="Colour and source excerpts in text output.")] = ColorMode.auto,
    measured: MeasuredOption = None,
) -> None:
    """Check journey maps: the format, then the journey-level rules (see `cjmap rules`)."""
    from cjmap.commands import validate as command

    _finish(
        lambda: command.run(
            _session(today, config, root, max_bytes), paths, _value(output_format), strict, color.value, measured
        )
    )


@app.command()
def render(
    paths: Annotated[list[str], typer.Argument(help="Map files, folders, or - for stdin.", show_default=False)],
    formats: Annotated[
        list[RenderFormat] | None,
        typer.Option("--format", "-f", help="Output format; repeat for several (default: svg).", show_default=False),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Folder for the outputs (default: cjmap-out); with one map and one format a file, or - for stdout.",
            show_default=False,
        ),
    ] = None,
    persona: Annotated[str | None, typer.Option(help="Draw only this persona's touchpoints and paths.")] = None,
    theme: Annotated[ThemeName, typer.Option(help="Colour theme.")] = ThemeName.light,
    direction: Annotated[
        Direction | None,
        typer.Option(
            help="Left to right, or top to bottom (default: LR up to 4 touchpoints in a row, TB for longer journeys).",
            show_default=False,
        ),
    ] = None,
    detail: Annotated[
        bool, typer.Option("--detail", help="Write each touchpoint's top pain point and opportunity into the diagram.")
    ] = False,
    forecast: Annotated[
        bool,
        typer.Option(
            "--forecast",
            help="Show the forecast: a Forecast section in the report (md) and the grid (html), reach "
            "shares on the diagram's edges. A map that cannot be forecast (a trap) renders without it.",
        ),
    ] = False,
    measured: MeasuredOption = None,
    engine: Annotated[
        EngineChoice,
        typer.Option(help="Graphviz engine: auto uses the system dot if installed, else the embedded one."),
    ] = EngineChoice.auto,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say which engine is used.")] = False,
    engine_timeout: Annotated[
        float, typer.Option(help="Seconds the Graphviz engine may take per picture before it is stopped.", min=1)
    ] = 120.0,
    layout: Annotated[
        Layout | None,
        typer.Option(
            help="With -f pdf: print the journey grid instead of the diagram, as a poster (the whole grid "
            "on one sheet) or pages (one stage per page). Needs the pdf extra: pip install 'cjmap\\[pdf]'.",
            show_default=False,
        ),
    ] = None,
    paper: Annotated[
        Paper | None, typer.Option(help="Paper of a print layout, landscape (default: A3).", show_default=False)
    ] = None,
    today: TodayOption = None,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Render maps: the flow diagram (dot, svg, png, pdf), the HTML journey grid (html), a Markdown
    report (md), a Mermaid journey (mermaid); with --layout, the journey grid printed as PDF.

    A map with validation errors is not rendered (its errors are printed; exit 1); warnings are
    printed and do not stop it. Outputs are written atomically and never over an input file.
    """
    from cjmap.commands import render as command

    request = command.RenderRequest(
        formats=[_value(f) for f in formats] if formats else None,
        output=output,
        persona=persona,
        theme=theme.value,
        direction=direction.value if direction else None,
        detail=detail,
        engine=engine.value,
        verbose=verbose,
        engine_timeout=engine_timeout,
        layout=layout.value if layout else None,
        paper=paper.value if paper else None,
        forecast=forecast,
        measured=measured,
    )
    _finish(lambda: command.run(_session(today, config, root, max_bytes), paths, request))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the map format (for editors: completion, hover help, checks)."""
    from cjmap.commands import schema as command

    _finish(command.run)


@app.command()
def rules(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table (as in the README).")] = False,
) -> None:
    """List the checks: id, name, default severity and what each one finds."""
    from cjmap.commands import rules as command

    _finish(lambda: command.run(markdown))


@app.command()
def fmt(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Map files, folders (searched for *.yaml/*.yml), or - (stdin to stdout).", show_default=False
        ),
    ],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 listing the files that would change.")
    ] = False,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Rewrite maps in one canonical layout, keeping comments (needs the 'fmt' extra).

    Keys in the format's order, block style for text with a comma or colon, quotes only where
    needed; ids, values and list order untouched. A file with errors is left alone.
    """
    from cjmap.commands.fmt import run_fmt

    _finish(lambda: run_fmt(_session(None, config, root, max_bytes).check(paths).results, check))


@app.command()
def serve(
    map_path: Annotated[Path, typer.Argument(metavar="MAP", help="The map file to preview.", show_default=False)],
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1; 0 picks a free one.", min=0, max=65535)] = 8765,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
    poll: Annotated[
        bool, typer.Option("--poll", help="Poll the files instead of using watchfiles (e.g. on network drives).")
    ] = False,
    today: TodayOption = None,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Preview the journey grid and the flow diagram in a browser, reloading on every save.

    Serves on 127.0.0.1 only. Watches the map and every library it includes (with the 'serve'
    extra, else by polling); while the map has errors the page lists them over the last good render.
    """
    from cjmap.commands.serve import run_serve

    def run() -> int:
        from cjmap.api import session

        started = session(today, config, root, max_bytes)  # a long-running process: the collector stays on
        return run_serve(map_path, started.settings, started.loader, port, open_browser=not no_browser, poll=poll)

    _finish(run)


class ForecastFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"
    csv = "csv"


@app.command()
def forecast(
    paths: Annotated[
        list[str],
        typer.Argument(help="Map files or folders; with --compare exactly two maps, OLD NEW.", show_default=False),
    ],
    persona: Annotated[str | None, typer.Option(help="Forecast only this persona.")] = None,
    experiment: Annotated[
        str | None, typer.Option(help="Forecast every variant of this experiment against the map as written.")
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Compare two maps (as-is and to-be): OLD NEW, deltas per persona.")
    ] = False,
    output_format: Annotated[ForecastFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ForecastFormat.text
    ),
    today: TodayOption = None,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
    measured: MeasuredOption = None,
) -> None:
    """Forecast what customers do at the forks: outcome shares per persona and for the whole
    audience, the funnel, the most likely paths, where to act first, experiment variants.

    Exact (loops are solved, nothing is simulated) and the same bytes every run. A map with
    validation errors is not forecast (its errors are printed; exit 1), nor is a map with a trap.
    """
    from cjmap.commands import forecast as command

    request = command.ForecastRequest(output_format.value, persona, experiment, measured)
    _finish(lambda: command.run(_session(today, config, root, max_bytes), paths, request, compare))


class StarterTemplate(str, Enum):
    five_a = "5a"
    aida = "aida"
    funnel = "funnel"
    saas_onboarding = "saas-onboarding"
    ecommerce_first_purchase = "ecommerce-first-purchase"


class Locale(str, Enum):
    en = "en"
    pl = "pl"
    ru = "ru"


@app.command()
def init(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The map file to write, or a folder for journey.yaml (default: ./journey.yaml).", show_default=False
        ),
    ] = None,
    template: Annotated[StarterTemplate, typer.Option("--template", "-t", help="The stages to start from.")] = (
        StarterTemplate.five_a
    ),
    locale: Annotated[Locale, typer.Option(help="Language of the stage names and the example texts.")] = Locale.en,
    personas: Annotated[int, typer.Option(help="How many persona stubs to write.", min=0, max=9)] = 2,
    library: Annotated[
        bool, typer.Option("--library", help="Write the personas into a library file (personas.yaml) the map includes.")
    ] = False,
    today: Annotated[
        str | None, typer.Option(help="The review date written into the map, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Write a commented starter map (and a persona library with --library). Never overwrites a file."""
    from cjmap.commands.init import run_init

    def run() -> int:
        from datetime import date

        from cjmap.api import UsageError

        try:
            day = date.fromisoformat(today) if today else date.today()
        except ValueError:
            raise UsageError(f"--today must be a date like 2026-09-15, not '{today}'") from None
        return run_init(path, template.value, locale.value, personas, library, day)

    _finish(run)


import_app = typer.Typer(
    help="Bring in a journey from another tool as a cjmap map.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(import_app, name="import")
ImportOutput = Annotated[
    str | None,
    typer.Option("--output", "-o", help="The map file to write (default: standard output).", show_default=False),
]


@import_app.command("mermaid")
def import_mermaid(
    source: Annotated[str, typer.Argument(help="A Mermaid journey file, or - for stdin.", show_default=False)],
    output: ImportOutput = None,
) -> None:
    """A Mermaid `journey` diagram as a map (sections: stages, tasks: touchpoints, actors: personas).

    Scores become emotions on the scale [1, 5]. What cannot be carried over is listed on stderr.
    """
    from cjmap.commands.import_map import run_import

    _finish(lambda: run_import("mermaid", source, output))


@import_app.command("csv")
def import_csv(
    source: Annotated[
        str, typer.Argument(help="A .csv (or .xlsx) workshop spreadsheet, or - for stdin.", show_default=False)
    ],
    output: ImportOutput = None,
) -> None:
    """A workshop spreadsheet as a map: the grid, or one row per touchpoint.

    The grid has stages across and lanes down, as `render -f html` draws it; the rows have columns
    stage, touchpoint, channel, action, ..., emotion:<persona>. What cannot be carried over is
    listed on stderr.
    """
    from cjmap.commands.import_map import run_import

    _finish(lambda: run_import("csv", source, output))


class DiffFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"


@app.command()
def diff(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="OLD NEW: map files or REV:path (e.g. HEAD~1:journeys/x.yaml); with --git, the folders or "
            "files to look in.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.text,
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when the diff meets a condition: any, emotion-drop[:N], stage-emotion-drop[:N], "
            "pain-added[:SEVERITY], touchpoint-removed, opportunity-dropped, kpi-worse, forecast-drop[:N] "
            "(comma-separated or repeated; see docs/diff.md).",
            show_default=False,
        ),
    ] = None,
    git_base: Annotated[
        str | None,
        typer.Option(
            "--git", help="Compare every map changed since this revision (e.g. origin/main).", show_default=False
        ),
    ] = None,
    textconv: Annotated[
        str | None,
        typer.Option(
            "--textconv",
            help="Print one map as stable text, for git's textconv (see docs/diff.md).",
            show_default=False,
        ),
    ] = None,
    max_chars: Annotated[
        int, typer.Option(help="Largest Markdown output; longer diffs are cut per stage (GitHub's limit is 65,536).")
    ] = 60_000,
    full_report: Annotated[
        str | None,
        typer.Option(help="Link to the full report, given in Markdown that had to be cut.", show_default=False),
    ] = None,
    today: TodayOption = None,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Show what changed between two maps, in words a reviewer reads (text, Markdown for pull
    requests, JSON); or every map changed since a git revision (--git BASE)."""
    from cjmap.commands.diff import DiffOptions, run_diff

    options = DiffOptions(
        arguments=paths or [],
        output_format=output_format.value,
        fail_on=fail_on or [],
        git_base=git_base,
        textconv=textconv,
        max_chars=max_chars,
        full_report=full_report,
    )
    _finish(lambda: run_diff(options, _session(today, config, root, max_bytes)))


class MeasureFormat(str, Enum):
    text = "text"
    md = "md"
    json = "json"


def _opt(help_text: str) -> typer.models.OptionInfo:
    option: typer.models.OptionInfo = typer.Option(help=help_text, show_default=False)
    return option


@app.command()
def measure(
    map_path: Annotated[str, typer.Argument(metavar="MAP", help="The map file to measure.", show_default=False)],
    events: Annotated[Path | None, _opt("Event log: CSV, Parquet or JSON Lines (gzip too).")] = None,
    aggregates: Annotated[Path | None, _opt("The exported result of the --emit-sql query (CSV or JSON Lines).")] = None,
    emit_sql: Annotated[
        str | None,
        typer.Option(
            "--emit-sql", help="Print the query for bigquery, snowflake, spark, trino or duckdb.", show_default=False
        ),
    ] = None,
    table: Annotated[str, typer.Option(help="The events table the --emit-sql query reads.")] = "events",
    columns: Annotated[str | None, _opt("Column names: customer=...,time=...,event=..., any other KEY=COLUMN.")] = None,
    preset: Annotated[str | None, _opt("Column names of ga4, segment (tracks) or snowplow (atomic.events).")] = None,
    since: Annotated[str | None, _opt("Measure events from this date or time (UTC).")] = None,
    until: Annotated[str | None, _opt("Measure events before this time; a date means to the end of it.")] = None,
    idle: Annotated[float, typer.Option(help="Days without a step after which a customer has stopped.")] = 14.0,
    output_format: Annotated[MeasureFormat, typer.Option("--format", "-f", help="Output format.")] = MeasureFormat.text,
    write: Annotated[Path | None, _opt("Also write the measurement (JSON) to this file.")] = None,
    threads: Annotated[int | None, typer.Option(help="DuckDB threads (default: all cores).", min=1)] = None,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Hold a map against what customers did: observed branch shares next to the declared ones,
    transitions off the map, time between steps and KPI actuals, from an event log or from a
    warehouse (see docs/measure.md). Only aggregates leave the log; no customer ids are printed.
    """
    from cjmap.commands.measure import MeasureOptions, load_journey, run_measure

    options = MeasureOptions(
        map_path=map_path,
        events=events,
        aggregates=aggregates,
        emit_sql=emit_sql,
        table=table,
        columns=columns,
        preset=preset,
        since=since,
        until=until,
        idle_days=idle,
        output_format=output_format.value,
        write=write,
        threads=threads,
        inputs={p for p in (Path(map_path), events, aggregates) if p is not None},
    )

    def run() -> int:
        from cjmap.api import UsageError

        if map_path == "-" or Path(map_path).is_dir():
            raise UsageError("measure takes one map file")
        journey = load_journey(_session(None, config, root, max_bytes).check([map_path]).results, map_path)
        return 1 if journey is None else run_measure(options, journey)

    _finish(run)


def _session(today: str | None, config: Path | None, root: Path | None, max_bytes: int | None) -> Session:
    from cjmap.api import session
    from cjmap.commands.common import short_lived

    short_lived()
    return session(today, config, root, max_bytes)


def _finish(command: Callable[[], int]) -> NoReturn:
    """Run a command and exit with its code; a UsageError is a one-line message and exit 2."""
    from cjmap.api import UsageError

    try:
        code = command()
    except UsageError as problem:
        typer.echo(f"cjmap: error: {problem}", err=True)
        code = EXIT_USAGE
    raise typer.Exit(code)


def _value(choice: str) -> str:
    """The name of a choice from a table of formats (an Enum member at run time)."""
    return str(getattr(choice, "value", choice))


def main() -> None:
    # Pydantic scans every installed package for plugins when it builds its first validator
    # (about 25 ms); cjmap uses none. An explicit setting in the environment still wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if sys.stdout is None:  # started with standard output closed (`cjmap schema >&-`)
        sys.stdout = _ClosedOutput()
    from cjmap import lifetime

    lifetime.end_without_freeing()
    code = 0
    try:
        try:
            _app_for(sys.argv[1:])()
        finally:
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at interpreter exit
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 1  # the reader went away (e.g. `cjmap validate . | head`): stop quietly
        _discard_output()
    except OSError as error:
        print(f"cjmap: error: cannot write the output: {error.strerror or error}", file=sys.stderr)
        code = 1
        _discard_output()
    if lifetime.anything_kept():  # the output is written, no child is left: nothing to free
        with suppress(OSError):
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _app_for(arguments: list[str]) -> typer.Typer:
    """The app, holding only the command being run when the first argument names one: typer
    builds a click command for every declared command, reading each option's annotations, and a
    run needs only its own. Help, the version and mistyped names get the whole app."""
    wanted = arguments[0] if arguments else None
    chosen = [c for c in app.registered_commands if _command_name(c) == wanted]
    if not chosen:
        return app
    alone = typer.Typer(**_APP_SETTINGS)
    alone.registered_callback = app.registered_callback
    alone.registered_commands = chosen
    return alone


def _command_name(command: CommandInfo) -> str | None:
    """The name typer gives a declared command (typer.main.get_command_name of its function's)."""
    if command.name:
        return command.name
    return None if command.callback is None else get_command_name(command.callback.__name__)


def _discard_output() -> None:
    """Nothing more can reach standard output: point it at /dev/null so the interpreter's own
    flush at exit does not fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        sys.stdout = _ClosedOutput(quiet=True)


class _ClosedOutput(io.TextIOBase):
    """Standard output when there is none: writing to it is the error it would be."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet

    def write(self, text: str) -> int:
        if self.quiet:
            return len(text)
        raise OSError(errno.EBADF, "standard output is closed")

    @property
    def buffer(self) -> _ClosedOutput:
        return self

    def isatty(self) -> bool:
        return False
