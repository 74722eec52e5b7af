"""How long `cjmap import mermaid|csv` takes, beside `cjmap validate` of the map it writes (the
same-run baseline: an import reads its input, builds the map and then validates it, so it cannot
be faster than that check).

    python benchmarks/imports.py

Prints the median of several fresh processes per measurement; exits 0 whatever the result.
"""

from __future__ import annotations

import csv
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CJMAP = [sys.executable, "-m", "cjmap"]
RUNS = 5


def mermaid_journey(stages: int, tasks: int) -> str:
    lines = ["journey", "  title Benchmark journey"]
    for s in range(stages):
        lines.append(f"  section Etap {s} — świadomość")
        for t in range(tasks):
            lines.append(f"    Zadanie {s}.{t}: {1 + t % 5}: Anna, Piotr")
            if t % 3 == 0:  # personas who feel differently: two tasks, one touchpoint
                lines[-1] = f"    Zadanie {s}.{t}: 5: Anna"
                lines.append(f"    Zadanie {s}.{t}: 2: Piotr")
    return "\n".join(lines) + "\n"


def row_sheet(stages: int, tasks: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["stage", "touchpoint", "channel", "action", "emotion:Anna", "emotion:Piotr", "pain points"])
    for s in range(stages):
        for t in range(tasks):
            writer.writerow([f"Etap {s}", f"Krok {s}.{t}", "web", "Klika", t % 5 - 2, 2 - t % 5, "Wolno\nDrogo"])
    return out.getvalue()


def median_time(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        cases = [
            ("mermaid", "workshop.mmd (shipped)", ROOT / "examples" / "imports" / "workshop.mmd"),
            ("csv", "workshop-grid.csv (shipped)", ROOT / "examples" / "imports" / "workshop-grid.csv"),
        ]
        for kind, stages, tasks in (("mermaid", 10, 10), ("mermaid", 50, 20), ("csv", 10, 10), ("csv", 50, 20)):
            path = base / f"{kind}-{stages * tasks}.{'mmd' if kind == 'mermaid' else 'csv'}"
            path.write_text(mermaid_journey(stages, tasks) if kind == "mermaid" else row_sheet(stages, tasks))
            cases.append((kind, f"{stages * tasks} tasks/rows (generated)", path))
        for kind, label, path in cases:
            output = base / f"{path.stem}.yaml"
            imported = median_time([*CJMAP, "import", kind, str(path), "-o", str(output)])
            validated = median_time([*CJMAP, "validate", str(output)])
            print(
                f"import {kind:<7} {label:<32} {imported * 1000:7.0f} ms"
                f"   validate of its map {validated * 1000:7.0f} ms"
            )


if __name__ == "__main__":
    main()
