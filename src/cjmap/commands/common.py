"""What every command shares: exit codes, colour choice, findings on stderr."""

from __future__ import annotations

import gc
import os
import sys
from typing import TextIO

from cjmap.api import Checked

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def short_lived() -> None:
    """A command that reads maps and exits: its data holds no reference cycles, so the cyclic
    collector would only rescan the growing heap of a large map again and again (about a third
    of the time)."""
    gc.disable()


def use_color(stream: TextIO, mode: str = "auto") -> bool:
    """Colour when asked, or on a terminal unless NO_COLOR is set (https://no-color.org)."""
    if mode != "auto":
        return mode == "always"
    return stream.isatty() and not os.environ.get("NO_COLOR")


def say(message: str) -> None:
    """A line on stderr; text that came from a map or an engine cannot act on the terminal."""
    from cjmap.safe_text import inert

    print("\n".join(inert(line) for line in message.splitlines()), file=sys.stderr)


def error(message: str) -> None:
    say(f"cjmap: error: {message}")


def report_findings(checked: Checked) -> int:
    """Print findings to stderr (stdout may carry an output); exit 1 if any map has errors."""
    from cjmap.formatters import Report
    from cjmap.formatters.text import render_text

    diagnostics = checked.diagnostics
    if diagnostics:
        report = Report(diagnostics, len(checked), lambda file, line: None, color=use_color(sys.stderr))
        sys.stderr.write(render_text(report))
    return EXIT_FINDINGS if checked.has_errors else EXIT_OK
