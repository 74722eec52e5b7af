"""`cjmap validate`: findings of every map, in the chosen output format."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from cjmap.api import Session
from cjmap.commands.common import EXIT_FINDINGS, EXIT_OK, use_color
from cjmap.diagnostics import Severity


def run(
    session: Session, paths: Sequence[str], output_format: str, strict: bool, color: str, measured: str | None = None
) -> int:
    from cjmap.formatters import Report, render

    if measured is not None:
        from cjmap.commands import measured as measurement

        session, observed = measurement.load(session, measured)
    # Only the findings are printed; --measured also names the map each model is of.
    checked = session.check(paths, findings_only=measured is None)
    if measured is not None:
        measurement.require_its_map(checked, observed)
    diagnostics = checked.diagnostics
    terminal = sys.stdout.isatty()
    excerpts = terminal or color == "always"
    report = Report(
        diagnostics,
        len(checked),
        checked.source_line,
        color=use_color(sys.stdout, color),
        excerpts=excerpts,
        skipped=checked.skipped,
    )
    sys.stdout.write(render(report, output_format))
    failing = {Severity.ERROR} | ({Severity.WARNING} if strict else set())
    return EXIT_FINDINGS if any(d.severity in failing for d in diagnostics) else EXIT_OK
