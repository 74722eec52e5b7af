"""cjmap's performance goals, measured against baselines run on the same machine in the same run.

    python benchmarks/run.py                  # every group
    python benchmarks/run.py startup render   # or some: startup, scale, folder, render
    python benchmarks/run.py --huge scale     # the 100,000-touchpoint map too (a few minutes)
    python benchmarks/run.py --no-valgrind    # wall and CPU times only, no instruction counts

cjmap is measured as users get it: a wheel built from this tree and installed with pip (which
compiles the bytecode) into a temporary venv whose other packages come from the running
interpreter's environment. Each figure is the median of several runs of a fresh process; the
instruction counts (valgrind's callgrind, when installed) do not swing with the machine's load
as wall times do, so the goals on small runs are judged by them. Exits 0 whatever the result:
figures on a busy machine are information, not a test.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.generate import generate_map  # run as a script: the project root is on the path now

ROOT = Path(__file__).resolve().parent.parent
SMALL_EXAMPLE = ROOT / "examples" / "pierwszy-zakup.yaml"
SCHEMA = ROOT / "schemas" / "cjmap.schema.json"
TOOLS = Path(sys.executable).parent  # check-jsonschema and yamllint (the `test` extra)

# The chosen stack's floor for `cjmap validate`: what any typer CLI that reads this YAML with
# libyaml and checks it with pydantic pays (interpreter, the three imports, the parse, a model).
FLOOR = """
import sys, typer, yaml, pydantic
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

# Reading a map into data and positions (source.py), by the compiled fold or (argument 1) the Python one.
READ_ONLY = """
import os, sys
os.environ["CJMAP_PURE_FOLD"] = sys.argv[2]
from cjmap import source
source.load_bytes(open(sys.argv[1], "rb").read(), sys.argv[1], source.Limits(max_bytes=10**9))
"""


class Bench:
    """Runs commands in a fresh process each time, from a scratch folder."""

    def __init__(self, scratch: Path, python: str, valgrind: bool) -> None:
        self.scratch = scratch
        self.python = python
        self.cjmap = [python, "-m", "cjmap"]
        self.valgrind = shutil.which("valgrind") if valgrind else None

    def run(self, command: Sequence[str]) -> tuple[float, float, float]:
        """Wall seconds, CPU seconds (with children) and peak MB of one run."""
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.scratch)
        _, _, usage = os.wait4(child.pid, 0)
        child.returncode = 0
        wall = time.perf_counter() - started
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

    def timed(self, commands: Mapping[str, Sequence[str]], runs: int) -> dict[str, tuple[float, float, float]]:
        """Median wall and CPU time and the peak memory of each command, run in turn so that the
        machine's noise hits them all alike."""
        samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                samples[name].append(self.run(command))
        return {
            name: (
                statistics.median(s[0] for s in runs_of),
                statistics.median(s[1] for s in runs_of),
                max(s[2] for s in runs_of),
            )
            for name, runs_of in samples.items()
        }

    def instructions(self, command: Sequence[str]) -> int | None:
        """CPU instructions of one run (valgrind's callgrind; children not followed)."""
        if self.valgrind is None:
            return None
        done = subprocess.run(
            [self.valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
            capture_output=True,
            text=True,
            cwd=self.scratch,
            check=False,
        )
        found = re.search(r"Collected : (\d+)", done.stderr)
        return int(found.group(1)) if found else None


def verdict(ok: bool) -> str:
    return "meets the goal" if ok else "MISSES the goal"


def millions(count: int | None) -> str:
    return f"{count / 1e6:7,.0f}M instr" if count is not None else "      (no valgrind)"


def install_wheel(scratch: Path) -> str:
    """Build a wheel of this tree and install it into a venv of its own; the interpreter of it."""
    dist, venv = scratch / "dist", scratch / "venv"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies are this environment's (its .pth files, such as an editable cjmap, are not
    # read: only folders named by a .pth of the venv's own site-packages are added, after it).
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    wheel = next(dist.glob("cjmap-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    where = subprocess.run(
        [str(python), "-c", "import cjmap; print(cjmap.__file__)"], capture_output=True, text=True, check=True
    ).stdout.strip()
    precompiled = len(list(Path(where).parent.glob("render/precompiled/*.py")))
    print(f"cjmap from {wheel.name}, installed with compiled bytecode at {Path(where).parent}")
    print(f"HTML templates precompiled into the wheel: {precompiled} (src/cjmap_build.py)")
    return str(python)


def startup(bench: Bench) -> None:
    print("\n## validate a small map: against the stack's floor and two other checkers")
    floor = bench.scratch / "floor.py"
    floor.write_text(FLOOR, encoding="utf-8")
    small = str(SMALL_EXAMPLE)
    commands = {
        "floor: typer + yaml + pydantic, C parse, tiny model": [bench.python, str(floor), small],
        "cjmap validate": [*bench.cjmap, "validate", small],
        "check-jsonschema (cjmap's schema)": [str(TOOLS / "check-jsonschema"), "--schemafile", str(SCHEMA), small],
        "yamllint (relaxed)": [str(TOOLS / "yamllint"), "-d", "relaxed", small],
    }
    commands = {name: c for name, c in commands.items() if Path(c[0]).exists()}
    figures = bench.timed(commands, runs=9)
    counts = {name: bench.instructions(command) for name, command in commands.items()}
    for name, (wall, cpu, _) in figures.items():
        print(f"{name:54} {wall * 1000:6.0f} ms wall {cpu * 1000:6.0f} ms CPU {millions(counts[name])}")
    floor_count, ours = counts[next(iter(commands))], counts["cjmap validate"]
    if floor_count and ours:
        ratio = ours / floor_count
        print(f"cjmap validate / floor: {ratio:.2f}x in instructions (goal <= 1.15x): {verdict(ratio <= 1.15)}")
        for other in list(commands)[2:]:
            theirs = counts[other]
            if theirs:
                print(f"cjmap validate / {other}: {ours / theirs:.2f}x in instructions")
    wall_ratio = figures["cjmap validate"][0] / figures[next(iter(commands))][0]
    print(f"cjmap validate / floor in wall time: {wall_ratio:.2f}x (noisy on a shared machine)")


def scale(bench: Bench, huge: bool) -> None:
    print("\n## one large map")
    results: dict[int, float] = {}
    for count in (10_000, 100_000) if huge else (10_000,):
        path = bench.scratch / f"map-{count}.yaml"
        path.write_text(generate_map(count), encoding="utf-8")
        runs = 3 if count < 100_000 else 1
        command = [*bench.cjmap, "validate", "--max-bytes", "1000000000", str(path)]
        reads = {f"read {pure}": [bench.python, "-c", READ_ONLY, str(path), pure] for pure in ("0", "1")}
        events = [bench.python, "-c", EVENTS_ONLY, str(path)]
        figures = bench.timed({"validate": command, "events": events, **reads}, runs)
        wall, cpu, peak = figures["validate"]
        results[count] = wall
        size = path.stat().st_size / 1e6
        print(f"{count:>7,} touchpoints ({size:5.1f} MB): {wall:5.2f} s wall, {cpu:5.2f} s CPU, peak {peak:4.0f} MB")
        events_wall, events_cpu, _ = figures["events"]
        print(f"  floor: libyaml's events alone for the same file: {events_wall:.2f} s wall, {events_cpu:.2f} s CPU")
        compiled, python_fold = figures["read 0"], figures["read 1"]
        print(
            f"  reading it (import + source.parse): compiled fold {compiled[1]:.2f} s CPU, peak {compiled[2]:.0f} MB;"
            f" Python fold (CJMAP_PURE_FOLD=1) {python_fold[1]:.2f} s CPU, peak {python_fold[2]:.0f} MB"
        )
        if count == 10_000:
            print(f"  goal: under 1.2 s and 250 MB: {verdict(wall < 1.2 and peak < 250)} (CPU: {verdict(cpu < 1.2)})")
    if huge:
        growth = results[100_000] / results[10_000]
        print(f"10x the touchpoints costs {growth:.1f}x the time (goal <= 11x): {verdict(growth <= 11)}")
    else:
        print("(the 100,000-touchpoint map: add --huge)")


# `cjmap validate` in one process: the same command with cjmap.pool's threshold out of reach.
ONE_PROCESS = "import cjmap.pool as p; p.FORK_THRESHOLD = p.SPAWN_THRESHOLD = 10**9; from cjmap.cli import main; main()"


def folder(bench: Bench) -> None:
    print("\n## a folder of 1,000 small maps")
    text = SMALL_EXAMPLE.read_text(encoding="utf-8")
    maps = bench.scratch / "folder"
    maps.mkdir()
    for index in range(1_000):
        Path(maps, f"map-{index:04}.yaml").write_text(text.replace("id: pierwszy-zakup", f"id: map-{index}"))
    commands = {
        "pooled": [*bench.cjmap, "validate", str(maps)],
        "one process": [bench.python, "-c", ONE_PROCESS, "validate", str(maps)],
    }
    load = os.getloadavg()[0]
    figures = bench.timed(commands, runs=3)
    size = len(text.encode())
    for name, (wall, cpu, peak) in figures.items():
        line = f"1,000 maps of {size:,} bytes, {name:11}: {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak:3.0f} MB"
        print(line)
    wall = figures["pooled"][0]
    after = os.getloadavg()[0]
    print(
        f"on {os.cpu_count()} cores, load {load:.2f} before and {after:.2f} after (on a busy machine no core is free)"
    )
    print(f"pooled / one process: {wall / figures['one process'][0]:.2f}x wall")
    print(f"goal: under 2 s on 2 cores: {verdict(wall < 2)}")


def render(bench: Bench) -> None:
    print("\n## render, end to end (start-up, reading, checking, writing)")
    maps = {20: bench.scratch / "render-20.yaml", 1_000: bench.scratch / "render-1000.yaml"}
    maps[20].write_text(generate_map(20, stages=5), encoding="utf-8")
    maps[1_000].write_text(generate_map(1_000), encoding="utf-8")
    extensions = {"dot": "dot", "html": "html", "md": "md"}
    commands = {
        (size, kind): [*bench.cjmap, "render", "-f", kind, "-o", str(bench.scratch / f"out-{size}.{ext}"), str(path)]
        for size, path in maps.items()
        for kind, ext in extensions.items()
    }
    # What render adds to reading and checking the map: `cjmap validate` of the same file, same run.
    checked = {size: [*bench.cjmap, "validate", str(path)] for size, path in maps.items()}
    timed = {f"{size} {kind}": c for (size, kind), c in commands.items()}
    figures = bench.timed(timed | {f"{size} validate": c for size, c in checked.items()}, runs=5)
    for size, command in checked.items():
        wall, cpu, _ = figures[f"{size} validate"]
        line = f"{size:>5,} touchpoints, validate: {wall * 1000:6.0f} ms wall {cpu * 1000:6.0f} ms CPU"
        print(line + (f" {millions(bench.instructions(command))}  (what render adds to)" if size == 20 else ""))
    goals = {(20, "dot"): 0.25, (20, "html"): 0.3}
    for (size, kind), command in commands.items():
        wall, cpu, _ = figures[f"{size} {kind}"]
        count = bench.instructions(command) if size == 20 else None
        line = f"{size:>5,} touchpoints to {kind:4}: {wall * 1000:6.0f} ms wall {cpu * 1000:6.0f} ms CPU"
        line += f" {millions(count)}" if size == 20 else ""
        if (size, kind) in goals:
            limit = goals[(size, kind)]
            line += f"  (goal < {limit * 1000:.0f} ms: wall {verdict(wall < limit)}, CPU {verdict(cpu < limit)})"
        print(line)


GROUPS = ("startup", "scale", "folder", "render")

if __name__ == "__main__":
    arguments = sys.argv[1:]
    huge = "--huge" in arguments
    valgrind = "--no-valgrind" not in arguments
    chosen = [a for a in arguments if not a.startswith("--")] or list(GROUPS)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as scratch:
        bench = Bench(Path(scratch), install_wheel(Path(scratch)), valgrind)
        for name in chosen:
            if name == "startup":
                startup(bench)
            elif name == "scale":
                scale(bench, huge)
            elif name == "folder":
                folder(bench)
            elif name == "render":
                render(bench)
