"""Where sharing a folder with worker processes starts to pay (cjmap.pool's thresholds).

    python benchmarks/pool.py                 # folders of 10-40 small maps, and 200 and 1,000
    python benchmarks/pool.py 16 24 --runs 9  # chosen sizes

Each size is checked in one process and then pooled (forked workers, and spawned ones for the
large sizes), alternating, in this warm process, findings only as `cjmap validate` asks. Printed:
median wall times, and the CPU time of this process and of the workers. On a loaded machine the
wall times show whether a core was free; the larger of the two CPU times is the wall time on idle
cores (plus ~5 ms to fork and 3-7 ms to shut down). Exits 0 whatever the result.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cjmap.pool as pool
from cjmap.api import Session, session

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "pierwszy-zakup.yaml"
SIZES = (10, 12, 16, 20, 24, 30, 40, 200, 1_000)
SPAWNED_FROM = 200  # smaller folders are not worth spawning for; do not measure them so


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(checker: Session, folder: Path, method: str) -> tuple[float, float, float]:
    """Wall, this process's CPU and the workers' CPU of one check of the folder."""
    if method == "serial":
        pool.start_method = lambda: (multiprocessing.get_context("fork"), 10**9)
    else:
        pool.start_method = lambda: (multiprocessing.get_context(method), 1)
    here, there, started = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    checker.check([folder], findings_only=True)
    wall = time.perf_counter() - started
    return wall, cpu(resource.RUSAGE_SELF) - here, cpu(resource.RUSAGE_CHILDREN) - there


def main(sizes: list[int], runs: int) -> None:
    print(f"python {sys.version.split()[0]}, {pool.cores()} cores, load {os.getloadavg()[0]:.2f}")
    print("files   one process: wall  CPU    pooled: wall  CPU here + workers   gain in CPU (idle cores)")
    text = EXAMPLE.read_text(encoding="utf-8")
    checker = session(today="2026-12-01")
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            folder = Path(scratch, str(size))
            folder.mkdir()
            for index in range(size):
                Path(folder, f"map-{index:04}.yaml").write_text(text.replace("id: pierwszy-zakup", f"id: map-{index}"))
            methods = ["serial", "fork"] + (["spawn"] if size >= SPAWNED_FROM else [])
            measure(checker, folder, "serial")  # the first check of a process builds the models
            samples: dict[str, list[tuple[float, float, float]]] = {method: [] for method in methods}
            for _ in range(runs if size < SPAWNED_FROM else 1):
                for method in methods:
                    samples[method].append(measure(checker, folder, method))
            medians = {m: tuple(statistics.median(s[i] for s in samples[m]) for i in range(3)) for m in methods}
            wall, alone, _ = medians["serial"]
            for method in methods[1:]:
                pooled_wall, here, there = medians[method]
                print(
                    f"{size:5,}   {wall * 1000:8.0f} ms {alone * 1000:6.0f} ms   {method:5}"
                    f" {pooled_wall * 1000:6.0f} ms"
                    f" {here * 1000:6.0f} + {there * 1000:6.0f} ms   {alone / max(here, there):.2f}x"
                    f"   (load {os.getloadavg()[0]:.1f})"
                )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    runs = 15
    if "--runs" in arguments:
        at = arguments.index("--runs")
        runs = int(arguments[at + 1])
        del arguments[at : at + 2]
    main([int(a) for a in arguments] or list(SIZES), runs)
