"""`cjmap forecast` speed: chains of 1k, 10k and 100k touchpoints with local loops, one loop
of 5,000 touchpoints, and the whole command on a 10k map, against a same-run baseline.

    python benchmarks/forecast.py

Every figure comes from a fresh process (wall time, and peak memory from the kernel). The
baseline does the least any forecast must: build the journey graph and walk every edge once.
Exits 0 whatever the figures: on a busy machine they are information, not a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 100_000)
SINGLE_LOOP = 5_000


def chain_map(size: int, single_loop: bool = False) -> dict[str, Any]:
    """A journey of `size` touchpoints in stages of 100. Each step goes on (90%), is retried
    (5%) or lost (5%); every fifth step sends 5% back two steps: loops of one and of three
    touchpoints all along. With single_loop, the last step leads back to the first instead
    of the outcome: one loop through every touchpoint."""
    stages = []
    for start in range(0, size, 100):
        touchpoints = []
        for i in range(start, min(start + 100, size)):
            on = f"t{i + 1}" if i + 1 < size else ("t0" if single_loop else "done")
            ways = [{"to": on, "probability": 0.9}, {"to": f"t{i}", "probability": 0.05}]
            if i % 5 == 4 and not single_loop:
                ways = [{"to": on, "probability": 0.85}, ways[1], {"to": f"t{i - 2}", "probability": 0.05}]
            ways.append({"to": "lost", "probability": 0.05})
            touchpoints.append({"id": f"t{i}", "next": ways})
        stages.append({"id": f"s{start // 100}", "touchpoints": touchpoints})
    return {
        "cjmap": 1,
        "id": f"chain-{size}",
        "title": f"Chain of {size}",
        "flow": "explicit",
        "outcomes": [{"id": "done", "kind": "success"}, {"id": "lost", "kind": "lost"}],
        "stages": stages,
    }


def child(kind: str, size: int) -> None:
    """Run one measurement in this process and print its time in seconds."""
    import gc

    gc.disable()  # as the command does: the data holds no cycles worth collecting
    from cjmap.analysis.forecast import FLOAT, ForecastError, forecast
    from cjmap.journey import Journey
    from cjmap.model import JourneyMap

    journey_map = JourneyMap.model_validate(chain_map(size, single_loop=kind == "loop"))
    started = time.perf_counter()
    journey = Journey.build(journey_map)
    message = ""
    if kind == "baseline":
        seen, pending = set(), ["t0"]
        while pending:
            node = pending.pop()
            if node in seen or node not in journey.touchpoints:
                continue
            seen.add(node)
            pending.extend(edge.target for edge in journey.edges_for(node, None))
    else:
        try:
            forecast(journey, FLOAT)
        except ForecastError as error:
            message = str(error)
    print(f"{time.perf_counter() - started:.4f}")
    print(message)


def measure(args: list[str]) -> tuple[float, float, str]:
    """(seconds, peak MB, message) of a fresh process."""
    process = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read().splitlines()
    if status != 0 and not out:
        raise SystemExit(process.stderr.read())
    return float(out[0]) if out else 0.0, usage.ru_maxrss / 1024, out[1] if len(out) > 1 else ""


def end_to_end(size: int) -> dict[str, tuple[float, float]]:
    """The whole command on a YAML file, and `cjmap validate` of it (reading and checking the
    map, which the forecast must do first) as its baseline."""
    import yaml

    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "chain.yaml")
        path.write_text(yaml.safe_dump(chain_map(size), sort_keys=False), encoding="utf-8")
        for command in (["validate", str(path)], ["forecast", str(path), "-f", "json"]):
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "-m", "cjmap", *command],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=ROOT,
            )
            _, _, usage = os.wait4(process.pid, 0)
            figures[command[0]] = (time.perf_counter() - started, usage.ru_maxrss / 1024)
    return figures


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    me = str(Path(__file__).resolve())
    print(f"{'measurement':<44}{'time':>10}{'peak MB':>10}  ratio")
    results: dict[int, float] = {}
    for size in SIZES:
        base, base_mb, _ = measure([me, "--child", "baseline", str(size)])
        seconds, peak, _ = measure([me, "--child", "chain", str(size)])
        results[size] = seconds
        growth = ""
        if size // 10 in results:
            growth = f", x{seconds / results[size // 10]:.1f} for 10x the touchpoints"
        print(f"{'baseline: build + walk, ' + f'{size:,}':<44}{base:>9.3f}s{base_mb:>10.0f}")
        print(
            f"{'forecast, chain of ' + f'{size:,}' + ' with local loops':<44}{seconds:>9.3f}s{peak:>10.0f}"
            f"  x{seconds / base:.1f} the baseline{growth}"
        )
    seconds, peak, message = measure([me, "--child", "loop", str(SINGLE_LOOP)])
    print(f"{'forecast, one loop of ' + f'{SINGLE_LOOP:,}':<44}{seconds:>9.3f}s{peak:>10.0f}")
    print(f"  -> {message or 'solved'}")
    figures = end_to_end(10_000)
    base, base_mb = figures["validate"]
    seconds, peak = figures["forecast"]
    print(f"{'baseline: cjmap validate, 10,000 (YAML)':<44}{base:>9.3f}s{base_mb:>10.0f}")
    print(
        f"{'cjmap forecast -f json, 10,000 (YAML)':<44}{seconds:>9.3f}s{peak:>10.0f}"
        f"  the forecast adds {seconds - base:.2f}s to reading and checking"
    )
    started, total = time.perf_counter(), 0
    for i in range(1_000_000):
        total += i
    print(f"calibration: a 1e6-step Python loop takes {time.perf_counter() - started:.3f}s here (about 0.05s idle)")
    print("goals: 10k map with loops < 2 s and < 300 MB; growth no worse than linear; 5,000-loop < 10 s")


if __name__ == "__main__":
    main()
