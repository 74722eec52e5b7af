"""Figures for `cjmap fmt`, `cjmap serve` and the split-text scan, each beside a baseline from the
same run.

    python benchmarks/fmt_serve.py

- split-text scan: the extra time the loader's one-line-list check adds, against the parse
  of the same file (goal: under 5% of it).
- fmt: formatting generated maps, against validating them (goal: 100 touchpoints under 2 s).
- serve: seconds from saving the map to the new render being served, against one rebuild in
  process (goal: under 1 s for the shipped examples).
Exits 0 whatever the result: figures on a busy machine are information, not a test.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.generate import generate_map  # run as a script: the project root is on the path now

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "saas-onboarding-as-is.yaml"


def best_of(runs: int, action: object) -> float:
    assert callable(action)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def split_scan() -> None:
    from cjmap.source import parse
    from cjmap.yaml_hints import split_text_warnings

    text = generate_map(5000)
    scan = best_of(5, lambda: split_text_warnings(text))
    whole = best_of(5, lambda: parse(text, "x"))
    share = scan / whole
    print(f"split-text scan, 5,000 touchpoints: {scan * 1000:.1f} ms of a {whole * 1000:.0f} ms parse ({share:.1%})")
    print(f"  goal under 5% of the parse: {'met' if share < 0.05 else 'NOT met'}")


def fmt() -> None:
    """ruamel.yaml's round trip is pure Python: fmt costs far more than validate's libyaml parse."""
    from cjmap.formatting import format_text

    figures = {}
    for size in (100, 1000):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "big.yaml"
            text = generate_map(size)
            path.write_text(text, encoding="utf-8")
            formatting = best_of(3 if size < 1000 else 1, lambda: format_text(text))  # noqa: B023 - used at once
            command = [sys.executable, "-m", "cjmap", "validate", "--today", "2026-11-23", str(path)]
            validating = best_of(3, lambda: subprocess.run(command, capture_output=True, check=False))  # noqa: B023
        figures[size] = formatting
        print(f"fmt, {size:,} touchpoints: {formatting:.2f} s in process; validate (new process): {validating:.2f} s")
    print(f"  goal: a 100-touchpoint map (a large real one) under 2 s: {'met' if figures[100] < 2 else 'NOT met'}")


def serve() -> None:
    from datetime import date

    from cjmap.commands.serve import Preview
    from cjmap.document import Loader
    from cjmap.source import Limits
    from cjmap.validate import Settings

    with tempfile.TemporaryDirectory() as folder:
        maps = Path(folder) / "maps"
        shutil.copytree(ROOT / "examples", maps)
        preview = Preview(maps / EXAMPLE, Settings(today=date(2026, 11, 23)), Loader(Limits()))
        rebuild = best_of(3, preview.rebuild)
        command = [sys.executable, "-m", "cjmap", "serve", EXAMPLE, "--port", "0", "--no-browser"]
        process = subprocess.Popen(command, cwd=maps, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert process.stdout is not None
            match = re.search(r"http://\S+/", process.stdout.readline())
            assert match, "no URL"
            url = match.group(0)
            path = maps / EXAMPLE
            original = path.read_text(encoding="utf-8")
            delays = []
            for round_ in range(5):
                time.sleep(0.3)
                marker = f"Edited title {round_}"
                path.write_text(re.sub(r"(?m)^title: .*$", f"title: {marker}", original), encoding="utf-8")
                start = time.perf_counter()
                while marker not in urllib.request.urlopen(url + "grid.html", timeout=5).read().decode("utf-8"):
                    if time.perf_counter() - start > 10:
                        break
                    time.sleep(0.01)
                delays.append(time.perf_counter() - start)
        finally:
            process.terminate()
            process.wait(timeout=10)
    delay = statistics.median(delays)
    print(f"serve, save to new render: median {delay:.2f} s (max {max(delays):.2f} s); one rebuild: {rebuild:.2f} s")
    print(f"  goal under 1 s: {'met' if delay < 1 else 'NOT met'}")


if __name__ == "__main__":
    split_scan()
    fmt()
    serve()
