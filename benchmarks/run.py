"""cjmap's performance goals, measured against baselines run on the same machine in the same run.

    python benchmarks/run.py            # all of them
    python benchmarks/run.py startup    # or one group: startup, scale, folder

Each figure is the median of several runs of a fresh process (what a user or CI waits for).
Prints one line per measurement and a verdict per goal; exits 0 whatever the result, since
figures on a busy machine are information, not a test.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.generate import generate_map  # run as a script: the project root is on the path now

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CJMAP = [PYTHON, "-m", "cjmap"]
SMALL_EXAMPLE = ROOT / "examples" / "pierwszy-zakup.yaml"

# The floor for `cjmap validate`: what any Python tool that reads this YAML and checks it
# with pydantic must pay (interpreter, imports, libyaml parse, a model).
FLOOR = """
import sys, yaml, pydantic
class Tiny(pydantic.BaseModel):
    cjmap: int
    id: str
    title: str
data = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=yaml.CSafeLoader)
Tiny.model_validate({k: data[k] for k in ("cjmap", "id", "title")})
"""

# The least any PyYAML-based reader can do: pull every event of the file through libyaml.
EVENTS_ONLY = """
import sys, yaml
for _ in yaml.parse(open(sys.argv[1], encoding="utf-8").read(), Loader=yaml.CSafeLoader):
    pass
"""


def timed(command: Sequence[str], runs: int) -> tuple[float, float]:
    """Median wall time (s) and peak memory (MB) of a command, over several runs."""
    times, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, _, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest child so far
        child.returncode = 0
        times.append(time.perf_counter() - started)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def interleaved(commands: dict[str, Sequence[str]], runs: int) -> dict[str, float]:
    """Median times of several commands run in turn, so machine noise hits them all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def verdict(ok: bool) -> str:
    return "meets the goal" if ok else "MISSES the goal"


def startup() -> None:
    print("## (a) start-up")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as floor:
        floor.write(FLOOR)
    try:
        figures = interleaved(
            {
                "floor": [PYTHON, floor.name, str(SMALL_EXAMPLE)],
                "validate": [*CJMAP, "validate", str(SMALL_EXAMPLE)],
                "import typer": [PYTHON, "-c", "import typer"],
                "version": [*CJMAP, "--version"],
            },
            runs=15,
        )
    finally:
        Path(floor.name).unlink()
    ratio = figures["validate"] / figures["floor"]
    print(f"floor (yaml + pydantic + C parse + tiny model): {figures['floor'] * 1000:7.1f} ms")
    print(f"cjmap validate {SMALL_EXAMPLE.name}:          {figures['validate'] * 1000:7.1f} ms")
    print(f"ratio {ratio:.2f}x (goal <= 1.3x): {verdict(ratio <= 1.3)}")
    ratio = figures["version"] / figures["import typer"]
    print(f"python -c 'import typer':                       {figures['import typer'] * 1000:7.1f} ms")
    print(f"cjmap --version:                                {figures['version'] * 1000:7.1f} ms")
    print(f"ratio {ratio:.2f}x (goal <= 1.2x): {verdict(ratio <= 1.2)}")


def scale() -> None:
    print("## (b) one large map")
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for count in (1_000, 10_000, 100_000):
            path = Path(folder, f"map-{count}.yaml")
            path.write_text(generate_map(count), encoding="utf-8")
            runs = 3 if count < 100_000 else 1
            seconds, peak = timed([*CJMAP, "validate", "--max-bytes", "1000000000", str(path)], runs)
            results[count] = seconds
            size = path.stat().st_size / 1e6
            print(f"{count:>7,} touchpoints ({size:6.1f} MB): {seconds:6.2f} s, peak {peak:6.0f} MB")
            if count == 10_000:
                floor, _ = timed([PYTHON, "-c", EVENTS_ONLY, str(path)], runs)
                print(
                    f"  floor: PyYAML's libyaml events alone for the same file: {floor:.2f} s "
                    f"(cjmap is {seconds / floor:.1f}x that)"
                )
                print(f"goal: under 1.5 s and 300 MB: {verdict(seconds < 1.5 and peak < 300)}")
        growth = results[100_000] / results[10_000]
        print(f"10x the touchpoints costs {growth:.1f}x the time (goal <= 11x): {verdict(growth <= 11)}")


def folder() -> None:
    print("## (c) a folder of small maps")
    text = SMALL_EXAMPLE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        for index in range(1_000):
            Path(folder, f"map-{index:04}.yaml").write_text(text.replace("id: pierwszy-zakup", f"id: map-{index}"))
        seconds, peak = timed([*CJMAP, "validate", folder], runs=3)
    print(f"1,000 maps of {len(text.encode()):,} bytes: {seconds:.2f} s, peak {peak:.0f} MB")
    print(f"goal: under 10 s: {verdict(seconds < 10)}")


def first_paint(html_file: Path) -> float | None:
    """Seconds to the first contentful paint in headless Chromium, or None without a browser."""
    if not Path("/usr/bin/chromium").exists():
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(html_file.as_uri(), wait_until="load")
        paint = page.evaluate(
            "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? performance.now()"
        )
        browser.close()
    return float(paint) / 1000


def render() -> None:
    print("## (d) render")
    import shutil

    from cjmap.commands.engines import embedded_program
    from cjmap.document import Loader
    from cjmap.journey import Journey
    from cjmap.render.dot import render_dot
    from cjmap.source import Limits
    from cjmap.validate import Settings, check_path

    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder, "map-1000.yaml")
        big.write_text(generate_map(1_000), encoding="utf-8")
        result = check_path(Loader(Limits()), big, str(big), Settings(today=__import__("datetime").date.today()))
        assert result.journey_map is not None
        times = []
        for _ in range(5):
            started = time.perf_counter()
            source = render_dot(Journey.build(result.journey_map))
            times.append(time.perf_counter() - started)
        generation = statistics.median(times)
        print(f"DOT for 1,000 touchpoints, in process: {generation:.3f} s (goal < 0.5 s): {verdict(generation < 0.5)}")
        from cjmap.render.markdown import ReportOptions, render_markdown

        times = []
        for _ in range(5):
            started = time.perf_counter()
            render_markdown(Journey.build(result.journey_map), ReportOptions(today=__import__("datetime").date.today()))
            times.append(time.perf_counter() - started)
        report = statistics.median(times)
        print(f"Markdown for 1,000 touchpoints, in process: {report:.3f} s (goal < 0.5 s): {verdict(report < 0.5)}")
        from cjmap.render.html import HtmlOptions, render_html

        times = []
        for _ in range(3):
            started = time.perf_counter()
            page = render_html(
                Journey.build(result.journey_map), HtmlOptions(today=__import__("datetime").date.today())
            )
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        print(
            f"HTML for 1,000 touchpoints, in process: {seconds:.3f} s, {len(page) / 1e6:.1f} MB "
            f"(goal < 1 s): {verdict(seconds < 1)}"
        )
        html_file = Path(folder, "map-1000.html")
        html_file.write_text(page, encoding="utf-8")
        paint = first_paint(html_file)
        if paint is not None:
            print(f"  first contentful paint in Chromium: {paint:.2f} s (goal < 2 s): {verdict(paint < 2)}")
        dot_file = Path(folder, "map-1000.dot")
        dot_file.write_text(source, encoding="utf-8")
        # cjmap's own time: everything it does before an engine lays the graph out (start-up,
        # reading and checking the map, DOT), measured as `render -f dot` end to end. Measuring
        # "render -f svg minus layout" instead mixes in the layout's own run-to-run variation.
        own, _ = timed([*CJMAP, "render", "-f", "dot", "-o", str(Path(folder, "own.dot")), str(big)], 3)
        print(f"cjmap's own time for 1,000 touchpoints (render -f dot, end to end): {own:.2f} s")
        engines = {"system": shutil.which("dot"), "embedded": embedded_program()}
        for name, program in engines.items():
            if program is None:
                continue
            layout, _ = timed([program, "-Tsvg", str(dot_file), "-o", os.devnull], 3)
            print(
                f"SVG layout by the {name} engine: {layout:.2f} s; cjmap's own time is {own / layout:.0%} of it "
                f"(goal <= 10%): {verdict(own <= 0.1 * layout)}"
            )
        small = Path(folder, "map-20.yaml")
        small.write_text(generate_map(20, stages=5), encoding="utf-8")
        figures = interleaved(
            {
                "import typer": [PYTHON, "-c", "import typer"],
                "render dot": [*CJMAP, "render", "-f", "dot", "-o", str(Path(folder, "small.dot")), str(small)],
            },
            runs=10,
        )
        seconds = figures["render dot"]
        print(
            f"20 touchpoints to DOT, end to end: {seconds * 1000:.0f} ms "
            f"(python -c 'import typer': {figures['import typer'] * 1000:.0f} ms; goal < 300 ms): "
            f"{verdict(seconds < 0.3)}"
        )


GROUPS = {"startup": startup, "scale": scale, "folder": folder, "render": render}

if __name__ == "__main__":
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    for name in sys.argv[1:] or list(GROUPS):
        GROUPS[name]()
