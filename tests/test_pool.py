"""A large folder on every core (cjmap.pool): the same results, findings, order and printed output
as one process gives, whichever process checked which file."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import cjmap
import cjmap.pool as pool
from cjmap.api import Session
from tests.conftest import EXAMPLES, run_cli

TODAY = "2026-12-01"
Summary = list[tuple[str, list[str], bool, bool]]  # name, findings, model built, text kept


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Maps with and without findings, two maps including a library with a finding in it, a file
    that is not a map and one that does not parse."""
    maps = tmp_path / "maps"
    maps.mkdir()
    text = (EXAMPLES / "pierwszy-zakup.yaml").read_text(encoding="utf-8")
    for index in range(14):
        body = text.replace("id: pierwszy-zakup", f"id: map-{index}")
        if index % 3 == 0:
            body = body.replace("channel: email", "channel: emial", 1)  # a finding in some
        (maps / f"m-{index:02}.yaml").write_text(body, encoding="utf-8")
    for name in ("saas-onboarding-as-is.yaml", "saas-onboarding-to-be.yaml"):
        shutil.copy(EXAMPLES / name, maps / name)
    (maps / "shared").mkdir()
    library = (EXAMPLES / "shared" / "saas-personas.yaml").read_text(encoding="utf-8")
    (maps / "shared" / "saas-personas.yaml").write_text(library.replace("volume: 400", "volume: many"), "utf-8")
    (maps / "workflow.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")  # skipped
    (maps / "broken.yaml").write_text("cjmap: 1\nid: [\n", encoding="utf-8")
    return maps


@pytest.fixture
def checked_by(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], dict[str, int]]]:
    """Which process checked each file found in a folder (forked workers inherit the recording)."""
    log = tmp_path / "checked-by.log"
    check_found = Session.check_found

    def recording(session: Session, path: Path, name: str | None = None) -> cjmap.Result | None:
        with log.open("a", encoding="utf-8") as out:  # one short appended line: whole, whoever writes
            out.write(f"{os.getpid()} {path.name}\n")
        return check_found(session, path, name)

    monkeypatch.setattr(Session, "check_found", recording)

    def read() -> dict[str, int]:
        lines = [line.split(" ") for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
        log.unlink(missing_ok=True)
        names = [name for _, name in lines]
        assert len(names) == len(set(names)), "a file was checked twice"
        return {name: int(pid) for pid, name in lines}

    yield read


def summary(folder: Path, findings_only: bool) -> Summary:
    results = cjmap.check(folder, today=TODAY, findings_only=findings_only).results
    return [(r.name, [str(d) for d in r.diagnostics], r.journey is not None, r.raw is not None) for r in results]


def one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "FORK_THRESHOLD", 10**9)


def two_workers(monkeypatch: pytest.MonkeyPatch, method: str = "fork") -> None:
    """This process and two workers, however many cores, from 4 files on."""
    monkeypatch.setattr(pool, "start_method", lambda: (multiprocessing.get_context(method), 2))
    monkeypatch.setattr(pool, "cores", lambda: 3)


@pytest.mark.skipif(sys.platform == "win32", reason="forking is POSIX")
@pytest.mark.parametrize("findings_only", [False, True])
def test_a_folder_on_every_core_gives_what_one_process_gives(
    folder: Path, checked_by: Callable[[], dict[str, int]], monkeypatch: pytest.MonkeyPatch, findings_only: bool
) -> None:
    one_process(monkeypatch)
    serial = summary(folder, findings_only)
    assert set(checked_by().values()) == {os.getpid()}
    two_workers(monkeypatch)
    pooled = summary(folder, findings_only)
    by = checked_by()
    assert pooled == serial  # same results, same order, same findings
    assert len(by) == 19 and len(set(by.values())) == 3  # all 19 files, in this process and two workers
    assert by["broken.yaml"] != os.getpid() and by["workflow.yml"] == os.getpid()  # the first and last
    assert len(serial) == 18 and sum(1 for _, found, _, _ in serial if found) == 9  # 5 maps, 2 + library, broken


@pytest.mark.skipif(sys.platform == "win32", reason="forking is POSIX")
def test_findings_only_keeps_what_validate_prints_and_not_the_models(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_process(monkeypatch)
    whole = summary(folder, findings_only=False)
    two_workers(monkeypatch)
    light = summary(folder, findings_only=True)
    assert [(name, found) for name, found, _, _ in light] == [(name, found) for name, found, _, _ in whole]
    assert not any(built for _, _, built, _ in light) and sum(built for _, _, built, _ in whole) == 14
    # The text only of files an excerpt may quote: those with findings, and the library
    kept = {Path(name).name for name, found, _, text in light if text}
    with_findings = {Path(name).name for name, found, _, _ in light if found and "broken" not in name}
    assert kept == with_findings | {"saas-personas.yaml"}
    assert "saas-personas.yaml" in with_findings  # its own finding


@pytest.mark.skipif(sys.platform == "win32", reason="forking is POSIX")
@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_validate_prints_the_same_from_a_pool(
    folder: Path, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    """Byte for byte, excerpts under the findings included (--color always shows them), as when
    every result kept its model and text."""
    command = ["validate", "--today", TODAY, "--color", "always", "-f", output_format, str(folder)]
    one_process(monkeypatch)
    with monkeypatch.context() as whole_results:
        whole_results.setattr(cjmap.Result, "without_model", lambda result: result)
        whole = run_cli(*command)
    serial = run_cli(*command)
    two_workers(monkeypatch)
    pooled = run_cli(*command)
    assert (pooled.exit_code, pooled.stdout) == (serial.exit_code, serial.stdout) == (1, whole.stdout)
    if output_format == "text":
        assert "channel: emial" in serial.stdout and "volume: many" in serial.stdout  # excerpts, library's too


def test_spawned_workers_give_the_same(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a fork is not safe (macOS, Windows, threads running) workers start a fresh
    interpreter: everything they are sent must survive pickling, and the results are the same."""
    one_process(monkeypatch)
    serial = summary(folder, findings_only=True)
    two_workers(monkeypatch, "spawn")
    assert summary(folder, findings_only=True) == serial


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_workers_are_forked_only_while_no_other_thread_runs() -> None:
    if threading.active_count() == 1:  # (an earlier test's thread may still be winding down)
        context, threshold = pool.start_method()
        assert context.get_start_method() == "fork" and threshold == pool.FORK_THRESHOLD
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        context, threshold = pool.start_method()
        assert context.get_start_method() != "fork" and threshold == pool.SPAWN_THRESHOLD
    finally:
        release.set()
        other.join()


def _dies_on_the_first() -> Callable[[list[Path]], list[str]]:
    """A worker's check that kills its process when given the first file (always a worker's)."""

    def check(files: list[Path]) -> list[str]:
        if any(f.name == "0" for f in files):
            os._exit(1)
        return [f"there {f.name}" for f in files]

    return check


@pytest.mark.skipif(sys.platform == "win32", reason="forking is POSIX")
def test_a_killed_worker_s_files_are_checked_here(monkeypatch: pytest.MonkeyPatch) -> None:
    two_workers(monkeypatch)
    files = [Path(str(index)) for index in range(40)]
    done = pool.check_shared(files, lambda chunk: [f"here {f.name}" for f in chunk], _dies_on_the_first, ())
    assert [line.split()[1] for line in done] == [str(index) for index in range(40)]  # each once, in order
    assert "here 0" in done and "here 39" in done


def test_a_small_folder_stays_in_one_process(folder: Path, checked_by: Callable[[], dict[str, int]]) -> None:
    assert len(list(folder.rglob("*.y*ml"))) < 2 * min(pool.FORK_THRESHOLD, pool.SPAWN_THRESHOLD)
    summary(folder, findings_only=True)
    assert set(checked_by().values()) == {os.getpid()}


def _slow_and_logged(log: Path) -> Callable[[list[Path]], list[str]]:
    """A worker's check taking 50 ms a chunk and noting each chunk it begins."""

    def check(files: list[Path]) -> list[str]:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{files[0].name}\n")
        time.sleep(0.05)
        return [f.name for f in files]

    return check


@pytest.mark.skipif(sys.platform == "win32", reason="forking is POSIX")
def test_ctrl_c_stops_the_workers_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted, the workers finish the chunks they hold and drop the others: it stops now,
    not after the whole folder (it took 8 s on 1,000 maps before)."""
    two_workers(monkeypatch)
    log = tmp_path / "begun.log"
    calls: list[int] = []

    def here(files: list[Path]) -> list[str]:
        calls.append(len(files))
        if len(calls) == 2:  # the first chunk this process takes from the back: Ctrl-C
            raise KeyboardInterrupt
        return [f.name for f in files]

    files = [Path(str(index)) for index in range(400)]
    with pytest.raises(KeyboardInterrupt):
        pool.check_shared(files, here, _slow_and_logged, (log,))
    begun = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert len(begun) <= 8  # of 34 chunks: each of the two workers held three at most
