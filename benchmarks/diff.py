"""cjmap diff's speed goals, with baselines run on the same machine in the same run.

    python benchmarks/diff.py

(a) two 10,000-touchpoint maps, both loads included: goal under 3 s; baseline `cjmap validate`
    of the same two files (the loads and checks a diff cannot avoid).
    Also `cjmap diff` kept to one process (no second process for the old side), for what the
    second process gains and costs.
(b) `cjmap diff --git BASE` in a repository of 200 maps with 20 changed: goal under 5 s;
    baselines `cjmap validate` of the 20 changed files and `git diff --name-status` alone.
(c) where a second process starts to pay: maps of 1,000 to 8,000 touchpoints, diffed with and
    without it (commands.diff.PARALLEL_FROM_BYTES is set from this).

Each figure is the median of three fresh processes (five in (c)). Exits 0 whatever the result: figures on a
busy machine are information, not a test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.generate import generate_map  # run as a script: the project root is on the path now
from benchmarks.run import verdict

CJMAP = [sys.executable, "-m", "cjmap"]  # the cjmap of this Python (the benchmark runs in the project's venv)


def with_threshold(size: int) -> list[str]:
    """This cjmap with the diff's second process from `size` bytes on."""
    return [
        sys.executable,
        "-c",
        f"import sys; import cjmap.commands.diff as d; d.PARALLEL_FROM_BYTES = {size}; "
        "from cjmap.cli import main; sys.argv = ['cjmap', *sys.argv[1:]]; main()",
    ]


ONE_PROCESS = with_threshold(10**18)  # the diff's second process turned off

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def revise(text: str, every: int) -> str:
    """A later revision: every `every`-th touchpoint feels better, its pain point is reworded and
    its KPI measured again; every 7 * `every`-th pain point gets a new text."""

    def touchpoint(match: re.Match[str]) -> str:
        block, index = match.group(0), int(match.group(1))
        if index % every:
            return block
        block = re.sub(r"emotion: (-?\d)", lambda m: f"emotion: {min(2, int(m.group(1)) + 1)}", block)
        block = block.replace(f"Pain at step {index}", f"The pain at step {index} of it")
        block = re.sub(r"actual: (\d+)", lambda m: f"actual: {int(m.group(1)) + 1}", block)
        if index % (7 * every) == 0:
            block = block.replace(f"The pain at step {index} of it", f"Unrelated new trouble number {index}")
        return block

    return re.sub(r"      - id: tp-(\d+)\n(?:        .*\n|          .*\n)*", touchpoint, text)


def two_large_maps() -> None:
    print("## (a) two 10,000-touchpoint maps")
    with tempfile.TemporaryDirectory() as folder:
        old, new = Path(folder, "old.yaml"), Path(folder, "new.yaml")
        text = generate_map(10_000)
        old.write_text(text, encoding="utf-8")
        new.write_text(revise(text, every=10), encoding="utf-8")
        size = max(old.stat().st_size, new.stat().st_size) / 1e6
        big = ["--max-bytes", "1000000000"]
        out = subprocess.run([*CJMAP, "diff", *big, str(old), str(new), "-f", "json"], capture_output=True, text=True)
        changed = out.stdout.count('"touchpoint"')
        figures = medians(
            {
                "validate": [*CJMAP, "validate", *big, str(old), str(new)],
                "diff text": [*CJMAP, "diff", *big, str(old), str(new)],
                "diff md": [*CJMAP, "diff", *big, "-f", "md", str(old), str(new)],
                "one process": [*ONE_PROCESS, "diff", *big, str(old), str(new)],
            },
            Path.cwd(),
        )
        own = in_process(old, new)
    print(f"maps of {size:.1f} MB each; the diff reports {changed:,} touchpoint-level items")
    show("baseline: cjmap validate of both files", figures["validate"])
    show("cjmap diff (text)", figures["diff text"])
    show("cjmap diff -f md", figures["diff md"])
    show("cjmap diff (text), kept to one process", figures["one process"])
    print(
        f"in one process: loading and checking both {own[0]:.2f} s CPU, diff_maps {own[1]:.2f} s, "
        f"the forecast delta {own[3]:.2f} s ({own[4]}), reports {own[2]:.2f} s"
    )
    worst = max(figures["diff text"][0], figures["diff md"][0])
    print(f"goal: under 3 s: {verdict(worst < 3)} (wall time; the old side is checked on a second core)")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def repository_of_maps() -> None:
    print("## (b) --git over a repository of 200 maps, 20 changed")
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder)
        git(repo, "init", "-q", "-b", "main")
        (repo / "journeys").mkdir()
        texts = {}
        for index in range(200):
            text = generate_map(60, stages=4, seed=index).replace("id: generated-60", f"id: journey-{index}")
            texts[index] = text
            Path(repo, "journeys", f"journey-{index:03}.yaml").write_text(text, encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "200 maps")
        changed = [repo / "journeys" / f"journey-{index:03}.yaml" for index in range(0, 200, 10)]
        for path, index in zip(changed, range(0, 200, 10), strict=True):
            path.write_text(revise(texts[index], every=3), encoding="utf-8")
        git(repo, "commit", "-q", "-am", "20 changed")
        command = [sys.executable, "-m", "cjmap", "diff", "--git", "HEAD~1"]
        old_side = repo / "base"
        old_side.mkdir()
        for index in range(0, 200, 10):
            Path(old_side, f"journey-{index:03}.yaml").write_text(texts[index], encoding="utf-8")
        figures = medians(
            {
                "git diff": ["git", "diff", "--name-status", "HEAD~1"],
                "validate": [sys.executable, "-m", "cjmap", "validate", *map(str, changed), str(old_side)],
                "diff": command,
                "diff md": [*command, "-f", "md"],
            },
            repo,
        )
        out = subprocess.run(command, cwd=repo, capture_output=True, text=True)
    print(f"maps changed: {out.stdout.count('== journeys/')} of 200 (60 touchpoints each)")
    show("baseline: git diff --name-status alone", figures["git diff"])
    show("baseline: cjmap validate of both sides of the 20 (40 files)", figures["validate"])
    show("cjmap diff --git HEAD~1", figures["diff"])
    show("cjmap diff --git HEAD~1 -f md", figures["diff md"])
    worst = max(figures["diff"][0], figures["diff md"][0])
    cpu = max(figures["diff"][1], figures["diff md"][1])
    print(f"goal: under 5 s: {verdict(worst < 5)} (CPU time, what an idle machine would take: {verdict(cpu < 5)})")


def medians(commands: dict[str, list[str]], cwd: Path, runs: int = 3) -> dict[str, tuple[float, float]]:
    """Median wall time and CPU time (user + system) of each command, run in turn so that the
    noise of a shared machine hits them all alike."""
    import statistics
    import time

    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(child.pid, 0)
            child.returncode = 0
            samples[name].append((time.perf_counter() - started, usage.ru_utime + usage.ru_stime))
    return {
        name: (statistics.median(s[0] for s in values), statistics.median(s[1] for s in values))
        for name, values in samples.items()
    }


def show(label: str, figure: tuple[float, float]) -> None:
    print(f"{label + ':':<62} {figure[0]:6.2f} s wall, {figure[1]:6.2f} s CPU")


def in_process(old: Path, new: Path) -> tuple[float, float, float, float, str]:
    """CPU seconds of the parts of one diff in one process: loads (with only the error rules,
    as the command checks), diff_maps, the three reports, the forecast delta (both maps
    forecast, with the engine `cjmap forecast` picks for their size), and that engine."""
    import gc
    import time
    from datetime import date

    from cjmap.analysis.diff import diff_maps
    from cjmap.analysis.diff_forecast import forecast_delta
    from cjmap.analysis.diff_report import render_json, render_markdown, render_text
    from cjmap.api import session
    from cjmap.commands.diff import _errors_only
    from cjmap.commands.forecast import EXACT_UP_TO
    from cjmap.validate import check_path

    gc.disable()  # as the command does (commands.common.short_lived)
    started = time.process_time()
    checking = _errors_only(session(date(2026, 11, 1), max_bytes=10**9))
    results = [check_path(checking.loader, path, str(path), checking.settings) for path in (old, new)]
    journeys = [r.journey for r in results if r.journey is not None]
    loaded = time.process_time()
    forecast = forecast_delta(journeys[0], journeys[1], EXACT_UP_TO)
    forecast_done = time.process_time()
    diff = diff_maps(journeys[0], journeys[1], forecast)
    diffed = time.process_time()
    render_text(diff), render_markdown(diff), render_json(diff)
    engines = " and ".join(dict.fromkeys(forecast.arithmetic)) if forecast is not None else "no forecast"
    gc.enable()
    return loaded - started, diffed - forecast_done, time.process_time() - diffed, forecast_done - loaded, engines


def where_a_second_process_pays() -> None:
    print("## (c) where a second process starts to pay (PARALLEL_FROM_BYTES)")
    with tempfile.TemporaryDirectory() as folder:
        commands: dict[str, list[str]] = {}
        sizes = {}
        for count in (1_000, 2_000, 4_000, 8_000):
            old, new = Path(folder, f"old-{count}.yaml"), Path(folder, f"new-{count}.yaml")
            text = generate_map(count)
            old.write_text(text, encoding="utf-8")
            new.write_text(revise(text, every=10), encoding="utf-8")
            sizes[count] = new.stat().st_size
            commands[f"{count} forked"] = [*with_threshold(0), "diff", str(old), str(new)]
            commands[f"{count} one"] = [*ONE_PROCESS, "diff", str(old), str(new)]
        figures = medians(commands, Path.cwd(), runs=5)
    for count, size in sizes.items():
        forked, one = figures[f"{count} forked"], figures[f"{count} one"]
        print(
            f"{count:>5,} touchpoints ({size / 1e3:5.0f} kB): second process {forked[0]:.2f} s wall "
            f"({forked[1]:.2f} CPU), one process {one[0]:.2f} s wall: {one[0] / forked[0]:.2f}x"
        )


if __name__ == "__main__":
    two_large_maps()
    repository_of_maps()
    where_a_second_process_pays()
