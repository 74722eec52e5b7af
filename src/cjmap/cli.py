"""The `cjmap` command line: thin commands that parse options, run the pipeline and pick the exit
code. Heavy modules (pydantic, the rules) are imported inside the commands, so `cjmap --version`
and `--help` start fast.

Exit codes: 0 no errors; 1 errors (or warnings with --strict); 2 usage error.
"""

from __future__ import annotations

import gc
import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cjmap import __version__

if TYPE_CHECKING:
    from cjmap.document import Loader
    from cjmap.validate import Result, Settings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MAP_SUFFIXES = (".yaml", ".yml")

app = typer.Typer(
    name="cjmap",
    help="Customer journey maps as code: validate and render YAML journey maps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


class ColorMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class RenderFormat(str, Enum):
    dot = "dot"
    svg = "svg"
    png = "png"
    pdf = "pdf"
    md = "md"
    mermaid = "mermaid"
    html = "html"


class ThemeName(str, Enum):
    light = "light"
    dark = "dark"


class Direction(str, Enum):
    LR = "LR"
    TB = "TB"


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


def usage_error(message: str) -> typer.Exit:
    typer.echo(f"cjmap: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


@app.command()
def validate(
    paths: Annotated[
        list[str],
        typer.Argument(help="Map files, folders (searched for *.yaml/*.yml), or - for stdin.", show_default=False),
    ],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")] = False,
    today: TodayOption = None,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
    color: Annotated[ColorMode, typer.Option(help="Colour and source excerpts in text output.")] = ColorMode.auto,
) -> None:
    """Check journey maps: the format, then the journey-level rules (see `cjmap rules`)."""
    from cjmap.diagnostics import Severity, sort_diagnostics
    from cjmap.formatters import Report, render

    # A short-lived process whose data holds no reference cycles: the cyclic collector would
    # only rescan the growing heap of a large map again and again (about a third of the time).
    gc.disable()
    settings, loader = _prepare(today, config, root, max_bytes)
    targets = _expand(paths)
    results = _check_all(targets, loader, settings)
    diagnostics = sort_diagnostics([d for result in results for d in result.diagnostics])
    stdin_text = next((r.source for r in results if r.name == "<stdin>" and r.source), None)
    terminal = sys.stdout.isatty()
    use_color = color is ColorMode.always or (color is ColorMode.auto and terminal and not os.environ.get("NO_COLOR"))
    excerpts = terminal or color is ColorMode.always
    report = Report(diagnostics, len(results), _SourceLines(stdin_text), color=use_color, excerpts=excerpts)
    sys.stdout.write(render(report, output_format.value))
    failing = {Severity.ERROR} | ({Severity.WARNING} if strict else set())
    raise typer.Exit(EXIT_FINDINGS if any(d.severity in failing for d in diagnostics) else EXIT_OK)


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
    direction: Annotated[Direction, typer.Option(help="Left to right, or top to bottom.")] = Direction.LR,
    engine: Annotated[
        EngineChoice,
        typer.Option(help="Graphviz engine: auto uses the system dot if installed, else the embedded one."),
    ] = EngineChoice.auto,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say which engine is used.")] = False,
    today: TodayOption = None,
    config: ConfigOption = None,
    root: RootOption = None,
    max_bytes: MaxBytesOption = None,
) -> None:
    """Render maps: the flow diagram (dot, svg, png, pdf), the HTML journey grid (html), a Markdown
    report (md), a Mermaid journey (mermaid).

    A map with validation errors is not rendered (its errors are printed; exit 1); warnings are
    printed and do not stop it. Outputs are written atomically and never over an input file.
    """
    from cjmap.render_command import RenderRequest, run_render

    gc.disable()  # as in validate
    settings, loader = _prepare(today, config, root, max_bytes)
    results = _check_all(_expand(paths), loader, settings)
    request = RenderRequest(
        formats=[f.value for f in formats] if formats else None,
        output=output,
        persona=persona,
        theme=theme.value,
        direction=direction.value,
        engine=engine.value,
        verbose=verbose,
        inputs={Path(p).resolve() for p in paths if p != "-"},
        today=settings.today,
    )
    raise typer.Exit(run_render(results, request))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the map format (for editors: completion, hover help, checks)."""
    from cjmap.schema import schema_json

    sys.stdout.write(schema_json())


@app.command()
def rules(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a Markdown table (as in the README).")] = False,
) -> None:
    """List the checks: id, name, default severity and what each one finds."""
    from cjmap.rules import REGISTRY

    ordered = sorted(REGISTRY.values(), key=lambda rule: rule.id)
    if markdown:
        lines = ["| id | name | severity | what it finds |", "|---|---|---|---|"]
        lines += [f"| {r.id} | `{r.name}` | {r.severity.value} | {r.summary} |" for r in ordered]
    else:
        lines = [f"{r.id}  {r.name:<26} {r.severity.value:<8} {r.summary}" for r in ordered]
    typer.echo("\n".join(lines))


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

    gc.disable()  # as in validate
    settings, loader = _prepare(None, config, root, max_bytes)
    if map_path == "-" or Path(map_path).is_dir():
        raise usage_error("measure takes one map file")
    journey = load_journey(_check_all(_expand([map_path]), loader, settings), map_path)
    if journey is None:
        raise typer.Exit(EXIT_FINDINGS)
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
    raise typer.Exit(run_measure(options, journey))


class _Target:
    __slots__ = ("from_folder", "name", "path")

    def __init__(self, path: Path | None, name: str, from_folder: bool) -> None:
        self.path, self.name, self.from_folder = path, name, from_folder


def _expand(paths: list[str]) -> list[_Target]:
    targets: list[_Target] = []
    missing = [p for p in paths if p != "-" and not Path(p).exists()]
    if missing:
        raise usage_error(f"path '{missing[0]}' does not exist")
    for raw in paths:
        if raw == "-":
            targets.append(_Target(None, "<stdin>", False))
            continue
        path = Path(raw)
        if path.is_dir():
            for found in sorted(_walk(path)):
                targets.append(_Target(found, str(found), True))
        else:
            targets.append(_Target(path, raw, False))
    return targets


def _walk(folder: Path) -> list[Path]:
    found = []
    for current, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        found += [Path(current, f) for f in files if f.endswith(MAP_SUFFIXES) and not f.startswith(".")]
    return found


def _prepare(
    today: str | None, config_path: Path | None, root: Path | None, max_bytes: int | None
) -> tuple[Settings, Loader]:
    from cjmap import config as settings_file
    from cjmap.document import Loader
    from cjmap.source import Limits
    from cjmap.validate import Settings

    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise usage_error(f"--today must be a date like 2026-09-15, not '{today}'") from None
    if config_path is not None and not config_path.is_file():
        raise usage_error(f"settings file '{config_path}' does not exist")
    found = config_path or settings_file.find(Path.cwd())
    try:
        project = settings_file.load(found) if found else settings_file.Config()
    except settings_file.ConfigError as error:
        raise usage_error(str(error)) from None
    if root is not None and not root.is_dir():
        raise usage_error(f"--root '{root}' is not a folder")
    limits = Limits(max_bytes=max_bytes or project.max_bytes or Limits().max_bytes)
    return Settings(today=day, severity=project.severity), Loader(limits, root)


def _check_all(targets: list[_Target], loader: Loader, settings: Settings) -> list[Result]:
    from cjmap.validate import check_path, check_stdin

    results = []
    for target in targets:
        if target.path is None:
            raw = sys.stdin.buffer.read()
            result = check_stdin(loader, raw, settings)
            result.source = raw.decode("utf-8", errors="replace")
        else:
            result = check_path(loader, target.path, target.name, settings, skip_foreign=target.from_folder)
        if not result.skipped:
            results.append(result)
    return results


class _SourceLines:
    """Source lines for excerpts, read only when a terminal shows them."""

    def __init__(self, stdin_text: str | None) -> None:
        self.cache: dict[str, list[str]] = {}
        if stdin_text is not None:
            self.cache["<stdin>"] = stdin_text.splitlines()

    def __call__(self, file: str, line: int) -> str | None:
        if file not in self.cache:
            try:
                self.cache[file] = Path(file).read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                self.cache[file] = []
        lines = self.cache[file]
        return lines[line - 1] if 0 < line <= len(lines) else None


def main() -> None:
    # Pydantic scans every installed package for plugins when it builds its first validator
    # (about 25 ms); cjmap uses none. An explicit setting in the environment still wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (e.g. `cjmap validate . | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FINDINGS)
