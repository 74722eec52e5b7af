"""Running Graphviz: the system `dot` when it is installed, else the embedded graphviz-pure.

graphviz-pure (a normal dependency) is a self-contained port of `dot` shipped as a program in its
wheel, so `pip install` alone renders pictures. It cannot write PDF yet; for PDF it renders a
high-resolution PNG that img2pdf wraps losslessly into a PDF page of the diagram's natural size.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_SECONDS = 120.0  # per picture; --engine-timeout changes it
PDF_DPI = 192  # twice Graphviz's default 96: sharp when zoomed or printed


class EngineError(Exception):
    """An engine that is missing or failed; the message says which and why."""


_RUNNING: set[subprocess.Popen[bytes]] = set()  # engines at work, for stop_all()
_LOCK = threading.Lock()


def stop_all() -> None:
    """Kill every engine still running (on an interrupt: nothing they print is wanted)."""
    with _LOCK:
        running = list(_RUNNING)
    for process in running:
        with contextlib.suppress(OSError):
            process.kill()


@dataclass(frozen=True)
class Engine:
    kind: str  # "system" or "embedded"
    program: str
    timeout: float = TIMEOUT_SECONDS

    @property
    def description(self) -> str:
        name = "system Graphviz dot" if self.kind == "system" else "embedded graphviz-pure"
        return f"{name} ({self.program})"

    def render(self, dot_source: str, output_format: str) -> bytes:
        """Lay out and draw DOT source as svg, png or pdf bytes."""
        if output_format == "pdf" and self.kind == "embedded":
            png = self._run(dot_source, "png", extra=[f"-Gdpi={PDF_DPI}"])
            return _png_to_pdf(png)
        return self._run(dot_source, output_format)

    def _run(self, dot_source: str, output_format: str, extra: list[str] | None = None) -> bytes:
        command = [self.program, f"-T{output_format}", *(extra or [])]
        try:
            # A session of its own: Ctrl-C reaches cjmap, which stops the engine itself. (Graphviz
            # 2.43 answers SIGINT by printing its half-done layout and exiting 0.)
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as error:
            raise EngineError(f"{self.description} could not be started: {error.strerror}") from None
        with _LOCK:
            _RUNNING.add(process)
        try:
            out, err = process.communicate(dot_source.encode("utf-8"), timeout=self.timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise EngineError(
                f"{self.description} took longer than {self.timeout:g} s and was stopped: draw fewer "
                "touchpoints (--persona), use -f html or -f md, or allow more time (--engine-timeout)"
            ) from None
        finally:
            with _LOCK:
                _RUNNING.discard(process)
        if process.returncode != 0 or not out:
            message = err.decode("utf-8", errors="replace").strip() or f"exit code {process.returncode}"
            raise EngineError(f"{self.description} failed: {message}")
        return out


def _png_to_pdf(png: bytes) -> bytes:
    import logging

    import img2pdf

    # img2pdf logs a note about the PNG's alpha channel on every call; it is expected here.
    logging.getLogger("img2pdf").setLevel(logging.ERROR)
    layout = img2pdf.get_fixed_dpi_layout_fun((PDF_DPI, PDF_DPI))
    # No dates and img2pdf's own writer: the same diagram gives the same PDF bytes on every run.
    pdf = img2pdf.convert(png, layout_fun=layout, nodate=True, engine=img2pdf.Engine.internal)
    return bytes(pdf)


def embedded_program() -> str | None:
    """graphviz-pure installed beside this Python (a venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "graphviz-pure"
    if beside.is_file():
        return str(beside)
    return shutil.which("graphviz-pure")


def find_engine(choice: str, timeout: float = TIMEOUT_SECONDS) -> Engine:
    """auto: the system dot if on PATH, else the embedded one; or exactly the one asked for."""
    system = shutil.which("dot")
    if choice in ("auto", "system") and system:
        return Engine("system", system, timeout)
    if choice == "system":
        raise EngineError(
            "--engine system: no Graphviz 'dot' on PATH; install Graphviz (apt-get install graphviz, "
            "brew install graphviz) or use --engine embedded"
        )
    embedded = embedded_program()
    if embedded:
        return Engine("embedded", embedded, timeout)
    raise EngineError("no Graphviz engine found: reinstall cjmap (it brings graphviz-pure) or install Graphviz")
