"""`cjmap fmt`: rewrite maps in the canonical layout (see cjmap.formatting), keeping comments.

A file with errors is left alone and its findings are printed; `--check` changes nothing and
exits 1 listing the files that would change (for CI and pre-commit).
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cjmap.diagnostics import Severity, sort_diagnostics
from cjmap.validate import Result

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MISSING = "cjmap fmt needs ruamel.yaml, the round-trip YAML library that keeps comments: pip install 'cjmap[fmt]'"


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # "formatted", "unchanged", "would change", "left alone"
    message: str = ""


def run_fmt(results: list[Result], check: bool) -> int:
    """Format every checked file; the exit code (1 when a file has errors, or would change under --check)."""
    try:
        import ruamel.yaml  # noqa: F401
    except ImportError:
        print(f"cjmap: error: {MISSING}", file=sys.stderr)
        return EXIT_USAGE
    outcomes = [_format_one(result, check) for result in results]
    for outcome in outcomes:
        if outcome.status != "unchanged":
            print(f"{outcome.status}: {outcome.name}{outcome.message}", file=sys.stderr)
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in {o.status for o in outcomes}}
    summary = ", ".join(
        f"{counts[s]} {s}" for s in ("formatted", "would change", "left alone", "unchanged") if s in counts
    )
    print(f"{_files(len(outcomes))}: {summary or 'nothing to do'}", file=sys.stderr)
    failed = any(o.status in ("left alone", "would change") for o in outcomes)
    return EXIT_FINDINGS if failed else EXIT_OK


def _format_one(result: Result, check: bool) -> Outcome:
    from cjmap.formatting import FormatError, format_text

    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if errors:
        _print_findings(result)
        return Outcome(result.name, "left alone", f" ({_count(len(errors), 'error')}; fix them first)")
    stdin = result.name == "<stdin>"
    try:
        raw = (result.source or "").encode("utf-8") if stdin else Path(result.name).read_bytes()
    except OSError as error:
        return Outcome(result.name, "left alone", f" (cannot read it: {error.strerror})")
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    crlf = "\r\n" in text
    try:
        formatted = format_text(text.replace("\r\n", "\n"))
    except FormatError as error:
        return Outcome(result.name, "left alone", f" ({error})")
    if crlf:
        formatted = formatted.replace("\n", "\r\n")
    if stdin:
        if not check:
            sys.stdout.write(formatted)
        return Outcome(result.name, "would change" if check and formatted != text else "unchanged")
    if formatted == text:
        return Outcome(result.name, "unchanged")
    if check:
        return Outcome(result.name, "would change")
    data = (b"\xef\xbb\xbf" if bom else b"") + formatted.encode("utf-8")
    try:
        replace_atomically(Path(result.name), data)
    except OSError as error:
        return Outcome(result.name, "left alone", f" (cannot write it: {error.strerror})")
    return Outcome(result.name, "formatted")


def replace_atomically(path: Path, data: bytes) -> None:
    """Write beside the file, keep its permissions, rename over it (a symlink's target, not the link)."""
    target = path.resolve()
    mode = target.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _print_findings(result: Result) -> None:
    from cjmap.formatters import Report
    from cjmap.formatters.text import render_text

    report = Report(sort_diagnostics(result.diagnostics), 1, lambda file, line: None)
    sys.stderr.write("".join(line + "\n" for line in render_text(report).splitlines()[:-1]))


def _files(count: int) -> str:
    return _count(count, "file")


def _count(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"
