"""The `cjmap` command line: it only declares the commands and their options; each command's
work is in `cjmap.commands.<name>`, imported when the command runs, so `cjmap --version` and
`--help` start fast.

Exit codes: 0 no errors; 1 errors (or warnings with --strict); 2 usage error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

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

app = typer.Typer(
    name="cjmap",
    help="Customer journey maps as code: validate and render YAML journey maps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
) -> None:
    """Check journey maps: the format, then the journey-level rules (see `cjmap rules`)."""
    from cjmap.commands import validate as command

    _finish(
        lambda: command.run(_session(today, config, root, max_bytes), paths, _value(output_format), strict, color.value)
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
    engine: Annotated[
        EngineChoice,
        typer.Option(help="Graphviz engine: auto uses the system dot if installed, else the embedded one."),
    ] = EngineChoice.auto,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say which engine is used.")] = False,
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
        layout=layout.value if layout else None,
        paper=paper.value if paper else None,
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
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (e.g. `cjmap validate . | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
