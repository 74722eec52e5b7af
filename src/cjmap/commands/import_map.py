"""`cjmap import mermaid|csv`: another tool's journey as a cjmap map, on stdout or in a file.

What could not be carried over is listed on stderr; the map is written only if it validates.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from cjmap.importers import ImportError_

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_BYTES = 20 * 1024 * 1024


def run_import(kind: str, source: str, output: str | None) -> int:
    """Read SOURCE (a file, or - for stdin), import it as `kind`, write the map to OUTPUT or stdout."""
    name = "<stdin>" if source == "-" else source
    try:
        raw = _read(source)
    except OSError as error:
        return _fail(f"cannot read {name}: {error.strerror or error}", EXIT_USAGE)
    if len(raw) > MAX_BYTES:
        return _fail(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MiB", EXIT_USAGE)
    fallback = "Imported journey" if source == "-" else Path(source).stem.replace("-", " ").replace("_", " ").strip()
    try:
        text, notes = _importer(kind)(raw, name, fallback or "Imported journey")
    except ImportError_ as error:
        return _fail(str(error), EXIT_FAILED)
    for note in notes:
        print(f"cjmap: note: {note}", file=sys.stderr)
    problems, warnings = _validate(text)
    for warning in warnings:
        print(f"cjmap: note: the map has a warning: {warning}", file=sys.stderr)
    if problems:  # a bug of the importer rather than of the input; never write a broken map
        return _fail("the imported map does not validate:\n" + "\n".join(problems), EXIT_FAILED)
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return EXIT_OK
    from cjmap.output import OutputError, write_atomically

    inputs = set() if source == "-" else {Path(source).resolve()}
    try:
        write_atomically(Path(output), text.encode("utf-8"), inputs)
    except (OutputError, OSError) as error:
        return _fail(str(error), EXIT_USAGE)
    print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK


def _read(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    return Path(source).read_bytes()


def _importer(kind: str) -> Callable[[bytes, str, str], tuple[str, list[str]]]:
    if kind == "mermaid":
        return _mermaid
    from cjmap.importers.table import import_table

    return import_table


def _mermaid(raw: bytes, name: str, fallback: str) -> tuple[str, list[str]]:
    from cjmap.importers.mermaid import import_mermaid

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportError_(
            f"{name}: not UTF-8 text (byte {error.start}): Mermaid files are UTF-8; save it as UTF-8"
        ) from None
    return import_mermaid(text, name, fallback)


def _validate(text: str) -> tuple[list[str], list[str]]:
    from datetime import date

    from cjmap.diagnostics import Severity
    from cjmap.document import Loader
    from cjmap.source import Limits
    from cjmap.validate import Settings, check_stdin

    result = check_stdin(Loader(Limits()), text.encode("utf-8"), Settings(today=date.today()))
    errors = [f"  line {d.line}: {d.message}" for d in result.diagnostics if d.severity is Severity.ERROR]
    return errors, [f"line {d.line}: {d.message}" for d in result.diagnostics if d.severity is Severity.WARNING]


def _fail(message: str, code: int) -> int:
    print(f"cjmap: error: {message}", file=sys.stderr)
    return code
