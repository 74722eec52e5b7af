"""`cjmap serve MAP`: a live preview of the journey grid and the flow diagram, on 127.0.0.1 only.

The rendered grid is served exactly as `cjmap render -f html` writes it, strict CSP and all; the
live part is a wrapper page (live.html/js/css) that shows the grid in an iframe and polls
/state.json, so nothing is ever injected into the rendered file. A watcher thread rebuilds on
every save of the map or of a library it includes (watchfiles when installed, else polling the
files' modification times). While the map has errors the wrapper lists them (file:line:col)
over the last render that had none.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import webbrowser
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cjmap.diagnostics import Severity, sort_diagnostics
from cjmap.document import Loader
from cjmap.validate import Result, Settings, check_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
HOST = "127.0.0.1"
POLL_SECONDS = 0.2
POLL_MS = int(POLL_SECONDS * 1000)
_ASSETS = Path(__file__).with_name("serve_assets")
_WRAPPER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_EMPTY_GRID = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
    "<title>No render yet</title></head><body><p>Nothing rendered yet: fix the errors above.</p></body></html>"
)


@dataclass(frozen=True)
class Snapshot:
    """What the server shows: the last good render, and the state of the latest build."""

    version: int = 0  # of the last good render; 0: none yet
    title: str = ""
    grid: bytes = _EMPTY_GRID.encode("utf-8")
    diagram: bytes | None = None
    diagram_note: str = ""
    errors: tuple[str, ...] = ()
    warnings: int = 0
    watched: frozenset[Path] = field(default_factory=frozenset)
    # (mtime, size) of each watched file as it was read for this build: the watcher's baseline
    stamps: dict[Path, tuple[int, int] | None] = field(default_factory=dict)


class Preview:
    """Builds renders of one map and keeps the latest snapshot; safe to read from any thread."""

    def __init__(self, path: Path, settings: Settings, loader: Loader) -> None:
        self.path = path
        self.settings = settings
        self.loader = loader
        self.lock = threading.Lock()
        self.snapshot = Snapshot(watched=frozenset({path.resolve()}))

    def current(self) -> Snapshot:
        with self.lock:
            return self.snapshot

    def rebuild(self) -> Snapshot:
        try:
            return self._rebuild()
        except Exception as error:  # a bug must not stop the preview: show it like an error
            snapshot = replace(self.current(), errors=(f"{self.path}: cjmap could not render the map: {error!r}",))
            with self.lock:
                self.snapshot = snapshot
            return snapshot

    def _rebuild(self) -> Snapshot:
        # A fresh loader each time: the shared one caches libraries, which are what changed.
        loader = Loader(self.loader.limits, self.loader.root)
        previous = self.current()
        stamps = _stamps(previous.watched)  # before reading: a save during the build builds again
        result = check_path(loader, self.path, str(self.path), self.settings)
        watched = frozenset({self.path.resolve(), *result.included})
        diagnostics = sort_diagnostics(result.diagnostics)
        errors = tuple(
            f"{d.file}:{d.line}:{d.col}: {d.severity.value}[{d.rule}] {d.message}"
            for d in diagnostics
            if d.severity is Severity.ERROR
        )
        warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
        if errors or result.journey_map is None:
            if not errors:
                errors = (f"{self.path}: a library, not a map: serve a map that includes it",)
            snapshot = replace(previous, errors=errors, warnings=warnings, watched=watched | previous.watched)
        else:
            snapshot = self._render(result, previous.version + 1, warnings, watched)
        snapshot = replace(snapshot, stamps={**_stamps(snapshot.watched - stamps.keys()), **stamps})
        with self.lock:
            self.snapshot = snapshot
        return snapshot

    def _render(self, result: Result, version: int, warnings: int, watched: frozenset[Path]) -> Snapshot:
        from cjmap.commands.engines import EngineError, find_engine
        from cjmap.journey import Journey
        from cjmap.render.dot import DiagramOptions, render_dot
        from cjmap.render.html import HtmlOptions, render_html
        from cjmap.render.theme import THEMES

        assert result.journey_map is not None
        journey = Journey.build(result.journey_map)
        drawn: dict[str, bytes | str] = {}

        def draw() -> None:  # Graphviz runs as a process: draw while the grid renders
            try:
                source = render_dot(journey, DiagramOptions(theme=THEMES["light"], direction="LR", persona=None))
                drawn["svg"] = find_engine("auto").render(source, "svg")
            except EngineError as error:
                drawn["note"] = f"The diagram could not be drawn: {error}"

        drawing = threading.Thread(target=draw, name="cjmap-draw", daemon=True)
        drawing.start()
        grid = render_html(journey, HtmlOptions(today=self.settings.today)).encode("utf-8")
        drawing.join()
        diagram = drawn.get("svg")
        note = drawn.get("note", "")
        assert diagram is None or isinstance(diagram, bytes)
        assert isinstance(note, str)
        return Snapshot(version, result.journey_map.title, grid, diagram, note, (), warnings, watched)


def run_serve(path: Path, settings: Settings, loader: Loader, port: int, open_browser: bool, poll: bool = False) -> int:
    if not path.is_file():
        print(f"cjmap: error: '{path}' is not a map file", file=sys.stderr)
        return EXIT_USAGE
    preview = Preview(path, settings, loader)
    first = preview.rebuild()
    try:
        server = ThreadingHTTPServer((HOST, port), _handler(preview))
    except OSError as error:
        print(f"cjmap: error: cannot listen on {HOST}:{port}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    server.daemon_threads = True
    url = f"http://{HOST}:{server.server_address[1]}/"
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(target=_watch, args=(preview, stop, ready, poll), name="cjmap-watch", daemon=True)
    watcher.start()
    ready.wait(timeout=5)  # the URL only once a save would be seen
    print(f"cjmap serve: {url}  (Ctrl-C to stop)", flush=True)
    if first.errors:
        print(f"cjmap serve: {path} has errors; they are shown on the page", file=sys.stderr, flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
        server.server_close()
        watcher.join(timeout=2)
    print("cjmap serve: stopped", file=sys.stderr, flush=True)
    return EXIT_OK


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


# -- watching -------------------------------------------------------------------------------------


def _watch(preview: Preview, stop: threading.Event, ready: threading.Event, poll: bool) -> None:
    if not poll:
        try:
            import watchfiles
        except ImportError:
            print(
                "cjmap serve: watchfiles is not installed, so files are polled every "
                f"{POLL_SECONDS} s (pip install 'cjmap[serve]' to react at once)",
                file=sys.stderr,
                flush=True,
            )
        else:
            _watch_events(preview, stop, ready, watchfiles)
            return
    ready.set()
    _watch_polling(preview, stop)


def _watch_events(preview: Preview, stop: threading.Event, ready: threading.Event, watchfiles: Any) -> None:
    """Watch the folders of the watched files (editors save by renaming), restarting when the
    set of folders changes because an include was added or removed. On every event, and every
    POLL_SECONDS without one, the files' stamps are compared with those of the last build, so
    a save in the moment before the watch began is not missed either."""
    while not stop.is_set():
        watched = preview.current().watched
        folders = sorted({p.parent for p in watched if p.parent.is_dir()})
        for _changes in watchfiles.watch(
            *folders, stop_event=stop, debounce=30, step=20, yield_on_timeout=True, rust_timeout=POLL_MS
        ):
            ready.set()  # the first yield comes after the watch has begun
            _rebuild_if_changed(preview)
            if preview.current().watched != watched:
                break  # the includes changed: watch their folders too


def _watch_polling(preview: Preview, stop: threading.Event) -> None:
    while not stop.wait(POLL_SECONDS):
        _rebuild_if_changed(preview)


def _rebuild_if_changed(preview: Preview) -> None:
    snapshot = preview.current()
    if _stamps(snapshot.watched) != snapshot.stamps:
        preview.rebuild()


def _stamps(paths: frozenset[Path]) -> dict[Path, tuple[int, int] | None]:
    stamps: dict[Path, tuple[int, int] | None] = {}
    for path in paths:
        try:
            status = path.stat()
            stamps[path] = (status.st_mtime_ns, status.st_size)
        except OSError:
            stamps[path] = None
    return stamps


# -- HTTP -----------------------------------------------------------------------------------------


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    assets = {name: (_ASSETS / name).read_bytes() for name in ("live.html", "live.js", "live.css")}

    class Handler(BaseHTTPRequestHandler):
        server_version = "cjmap-serve"
        sys_version = ""

        def do_GET(self) -> None:
            if not self._local_host():
                self._send(HTTPStatus.FORBIDDEN, b"forbidden: open the preview at 127.0.0.1\n", "text/plain")
                return
            route = self.path.split("?", 1)[0]
            snapshot = preview.current()
            if route == "/":
                self._send(HTTPStatus.OK, assets["live.html"], "text/html; charset=utf-8", _WRAPPER_CSP)
            elif route == "/live.js":
                self._send(HTTPStatus.OK, assets["live.js"], "text/javascript; charset=utf-8")
            elif route == "/live.css":
                self._send(HTTPStatus.OK, assets["live.css"], "text/css; charset=utf-8")
            elif route == "/grid.html":
                self._send(HTTPStatus.OK, snapshot.grid, "text/html; charset=utf-8")
            elif route == "/diagram.svg" and snapshot.diagram is not None:
                self._send(HTTPStatus.OK, snapshot.diagram, "image/svg+xml", _SVG_CSP)
            elif route == "/favicon.ico":
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            elif route == "/state.json":
                self._send(HTTPStatus.OK, _state(preview.path, snapshot), "application/json")
            else:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

        def _local_host(self) -> bool:
            """Refuse requests addressed to another name (DNS rebinding from a web page)."""
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            return host in (HOST, "localhost")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str, csp: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            if csp:
                self.send_header("Content-Security-Policy", csp)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the terminal shows the URL and the map's state, not every poll

    return Handler


def _state(path: Path, snapshot: Snapshot) -> bytes:
    state = {
        "file": str(path),
        "title": snapshot.title,
        "version": snapshot.version,
        "errors": list(snapshot.errors),
        "warnings": snapshot.warnings,
        "diagram": snapshot.diagram is not None,
        "diagram_note": snapshot.diagram_note,
    }
    return json.dumps(state, ensure_ascii=False).encode("utf-8")
