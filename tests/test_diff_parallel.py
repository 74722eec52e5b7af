"""A large diff checks its old side in a forked process (cjmap.pool.beside) and builds the model
again from the plain data it sends back: whatever the sides hold, the output is byte for byte
what one process prints, and whatever goes wrong in the child, this process checks the side
itself."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from benchmarks.diff import revise, with_threshold
from benchmarks.generate import generate_map
from hypothesis import given, settings

from cjmap import pool
from cjmap.commands import diff as diff_command
from cjmap.document import Loader
from cjmap.scanning import HEAD_BYTES, looks_like_map
from cjmap.source import Limits
from cjmap.validate import Settings, check_path
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.test_diff_properties import maps

pytestmark = pytest.mark.skipif(not pool.can_fork() or pool.cores() < 2, reason="forks only on Linux, 2+ cores")

AS_IS = str(EXAMPLES / "saas-onboarding-as-is.yaml")
TO_BE = str(EXAMPLES / "saas-onboarding-to-be.yaml")
SHOP_V1 = str(ROOT / "tests" / "diff" / "shop-v1.yaml")
SHOP_V2 = str(ROOT / "tests" / "diff" / "shop-v2.yaml")


@pytest.fixture
def handed_back(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Every diff forks (no size threshold); the list records, per fork, whether the child's
    result came back (False: this process checked the side itself)."""
    came_back: list[bool] = []
    beside = pool.beside

    def recorded(here: Callable[[], Any], there: Callable[[], Any]) -> tuple[Any, Any]:
        mine, theirs = beside(here, there)
        came_back.append(theirs is not None)
        return mine, theirs

    monkeypatch.setattr(diff_command, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(pool, "beside", recorded)
    yield came_back


def one_process(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    with monkeypatch.context() as serial:
        serial.setattr(diff_command, "PARALLEL_FROM_BYTES", 10**18)
        result = run_cli("diff", *args)
    return result.exit_code, result.stdout, result.stderr


def both_ways(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    result = run_cli("diff", *args)
    parallel = (result.exit_code, result.stdout, result.stderr)
    assert parallel == one_process(monkeypatch, *args)
    return parallel


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
@pytest.mark.parametrize(("old", "new"), [(AS_IS, TO_BE), (SHOP_V1, SHOP_V2), (TO_BE, AS_IS)])
def test_the_old_side_from_a_second_process_gives_the_same_diff(
    handed_back: list[bool], monkeypatch: pytest.MonkeyPatch, fmt: str, old: str, new: str
) -> None:
    code, out, _ = both_ways(monkeypatch, old, new, "-f", fmt)
    assert code == 0 and out.strip()
    assert handed_back == [True]


def test_a_generated_revision_gives_the_same_diff(
    handed_back: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text = generate_map(400)
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(text, encoding="utf-8")
    new.write_text(revise(text, every=3), encoding="utf-8")
    code, out, _ = both_ways(monkeypatch, str(old), str(new), "-f", "json", "--fail-on", "emotion-drop")
    assert code == 0 and '"emotion"' in out
    assert handed_back == [True]


BROKEN = {
    "schema error": "cjmap: 1\nid: x\ntitle: T\nstages: [{id: s, touchpoints: [{id: a, emotion: 9}]}]\n",
    "rule error": "cjmap: 1\nid: x\ntitle: T\nstages: [{id: s, touchpoints: [{id: a, next: [nowhere]}]}]\n",
    "YAML error": "cjmap: 1\nid: x\ntitle: [unclosed\n",
    "not UTF-8": "cjmap: 1\nid: \udcff\n",
    "a library": "cjmap: 1\nkind: library\npersonas: [{id: anna, name: Anna}]\n",
    "a list": "- 1\n- 2\n",
}


@pytest.mark.parametrize("what", list(BROKEN))
def test_an_old_side_the_diff_cannot_use_is_reported_as_by_one_process(
    handed_back: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, what: str
) -> None:
    old = tmp_path / "old.yaml"
    old.write_bytes(BROKEN[what].encode("utf-8", errors="surrogateescape"))
    code, _, _ = both_ways(monkeypatch, str(old), SHOP_V2)
    assert code != 0
    assert handed_back == [True]  # the child's findings, not a second check here


def test_an_unreadable_old_side_is_checked_here(
    handed_back: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    old = tmp_path / "old.yaml"
    old.write_text(Path(SHOP_V1).read_text(encoding="utf-8"), encoding="utf-8")
    old.chmod(0)
    code, _, _ = both_ways(monkeypatch, str(old), SHOP_V2)
    assert code != 0
    assert handed_back == [False]


def test_a_child_that_dies_leaves_the_side_to_this_process(
    handed_back: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diff_command, "_checked_for_hand_back", lambda side, settings: os._exit(9))
    result = run_cli("diff", SHOP_V1, SHOP_V2, "-f", "json")
    assert (result.exit_code, result.stdout, result.stderr) == one_process(monkeypatch, SHOP_V1, SHOP_V2, "-f", "json")
    assert handed_back == [False]


def test_standard_input_stays_in_this_process(handed_back: list[bool]) -> None:
    result = run_cli("diff", "-", SHOP_V2, input=Path(SHOP_V1).read_bytes())
    assert result.exit_code == 0, result.stderr
    assert handed_back == []


MAP_FILES = sorted(
    path
    for path in ROOT.glob("[et]*/**/*.yaml")  # examples/ and tests/
    if "node_modules" not in path.parts and looks_like_map(path.read_bytes()[:HEAD_BYTES])
)


@pytest.mark.parametrize("path", MAP_FILES, ids=[str(p.relative_to(ROOT)) for p in MAP_FILES])
def test_the_model_built_again_from_the_data_is_the_model(path: Path) -> None:
    # Validation must not change the data it reads: the child sends the data after validating it.
    settings, loader = Settings(today=date(2026, 11, 1)), Loader(Limits())
    side = diff_command._Side(loader, path, str(path), local=True)
    result, data, forecast = diff_command._checked_for_hand_back(side, settings)
    if data is None:
        return  # a map with errors: its findings travel, not a model
    here = check_path(Loader(Limits()), path, str(path), settings)
    rebuilt, _ = diff_command._rebuilt(result, data, forecast)
    assert rebuilt.journey_map == here.journey_map
    assert forecast == diff_command._forecast_if_usable(here)  # the old side's forecast, made there


def test_beside_without_a_fork_runs_only_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "can_fork", lambda: False)
    assert pool.beside(lambda: 1, lambda: 2) == (1, None)


def test_beside_returns_what_the_child_computed() -> None:
    parent = os.getpid()
    assert pool.beside(os.getpid, os.getpid)[0] == parent
    mine, theirs = pool.beside(lambda: "here", lambda: (os.getpid(), sys.platform))
    assert mine == "here" and theirs is not None and theirs[0] != parent


def test_beside_gives_none_when_the_child_raises() -> None:
    def fails() -> int:
        raise ValueError("no")

    assert pool.beside(lambda: 1, fails) == (1, None)


@settings(max_examples=60, deadline=None)
@given(maps())
def test_a_generated_map_built_again_from_its_data_is_the_same(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "map.yaml")
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        settings = Settings(today=date(2026, 11, 1))
        side = diff_command._Side(Loader(Limits()), path, str(path), local=True)
        result, handed, forecast = diff_command._checked_for_hand_back(side, settings)
        here = check_path(Loader(Limits()), path, str(path), settings)
        assert result.diagnostics == here.diagnostics
        if handed is not None:
            assert diff_command._rebuilt(result, handed, forecast)[0].journey_map == here.journey_map


def _processes_in_group(group: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                count += int(fields[2]) == group  # the process group, after state and parent
    return count


def test_ctrl_c_ends_the_diff_and_its_child_quietly(tmp_path: Path) -> None:
    """As a terminal sends it, to the whole process group, while both sides are being checked:
    exit 130, no traceback, no process left behind."""
    text = generate_map(3_000)
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(text, encoding="utf-8")
    new.write_text(revise(text, every=10), encoding="utf-8")
    command = [*with_threshold(0), "diff", str(old), str(new)]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    while _processes_in_group(running.pid) < 2 and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert _processes_in_group(running.pid) == 2, "the diff never started its second process"
    os.killpg(running.pid, signal.SIGINT)
    out, err = running.communicate(timeout=30)
    assert running.returncode == 130, err
    assert b"Traceback" not in err and out == b""
    time.sleep(0.1)
    assert _processes_in_group(running.pid) == 0
