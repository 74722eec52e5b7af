"""cjmap diff against a real temporary git repository: REV:path with includes read at the same
revision, --git BASE with added, deleted, renamed and modified maps, clear usage errors, and the
textconv recipe driven by a real `git diff`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

LIBRARY = """\
cjmap: 1
kind: library
personas:
  - {id: anna, name: Anna}
  - {id: piotr, name: Piotr}
"""

MAP_A = """\
cjmap: 1
id: first-purchase
title: First purchase
include: [../shared/people.yaml]
outcomes: [{id: bought, kind: success}]
stages:
  - id: buy
    name: Purchase
    touchpoints:
      - id: basket
        emotion: 0
      - id: checkout
        emotion: {anna: -1, piotr: 0}
        pain_points: [{text: Delivery cost appears only in the basket, severity: high}]
        next: [bought]
"""

MAP_B = """\
cjmap: 1
id: second-visit
title: Second visit
outcomes: [{id: back, kind: success}]
stages:
  - id: visit
    touchpoints:
      - {id: visit-page, emotion: 1, next: [back]}
"""


MAP_C = """\
cjmap: 1
id: third-visit
title: A third journey, about loyalty points
goal: More members redeem their points within a year
outcomes: [{id: redeemed, kind: success}, {id: lapsed, kind: lost}]
stages:
  - id: earn
    touchpoints:
      - {id: earns-points, emotion: 1, channel: store}
      - {id: reads-statement, emotion: -1, channel: email}
  - id: redeem
    touchpoints:
      - {id: redeems, emotion: 2, channel: app, next: [redeemed]}
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout


def write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two commits: the second renames persona Anna in the shared library, lifts checkout's
    emotion, resolves its pain point, deletes second-visit.yaml and adds third.yaml."""
    root = tmp_path / "repo"
    root.mkdir()
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    git(root, "init", "-q", "-b", "main")
    write(root, "shared/people.yaml", LIBRARY)
    write(root, "journeys/first.yaml", MAP_A)
    write(root, "journeys/second-visit.yaml", MAP_B)
    write(root, ".github/workflows/ci.yaml", "on: [push]\njobs: {}\n")  # a YAML file that is no map
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    write(root, "shared/people.yaml", LIBRARY.replace("name: Anna", "name: Anna Kowalska"))
    write(
        root,
        "journeys/first.yaml",
        MAP_A.replace("{anna: -1, piotr: 0}", "{anna: 1, piotr: 0}").replace(
            "        pain_points: [{text: Delivery cost appears only in the basket, severity: high}]\n", ""
        ),
    )
    (root / "journeys" / "second-visit.yaml").unlink()
    write(root, "journeys/third.yaml", MAP_C)
    write(root, ".github/workflows/ci.yaml", "on: [push, pull_request]\njobs: {}\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "second")
    monkeypatch.chdir(root)
    return root


def test_rev_path_reads_the_map_and_its_includes_at_that_revision(repo: Path) -> None:
    result = run_cli("diff", "HEAD~1:journeys/first.yaml", "journeys/first.yaml")
    assert result.exit_code == 0, result.stderr
    # The old side's persona name comes from the library as it was at HEAD~1.
    assert "persona anna: name changed from “Anna” to “Anna Kowalska”" in result.stdout
    assert "checkout's emotion for Anna Kowalska went from −1 to +1" in result.stdout
    assert "pain point resolved at checkout: “Delivery cost appears only in the basket” (high)" in result.stdout
    same = run_cli("diff", "HEAD~1:journeys/first.yaml", "HEAD~1:journeys/first.yaml")
    assert same.stdout == "first-purchase: no changes\n"


def test_rev_path_relative_to_the_current_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "journeys")
    result = run_cli("diff", "HEAD~1:./first.yaml", "first.yaml")
    assert result.exit_code == 0, result.stderr
    assert "Anna Kowalska" in result.stdout


def test_includes_are_not_read_from_the_working_tree(repo: Path) -> None:
    """Deleting the library from the working tree does not break reading the old revision."""
    (repo / "shared" / "people.yaml").unlink()
    result = run_cli("diff", "HEAD~1:journeys/first.yaml", "HEAD:journeys/first.yaml")
    assert result.exit_code == 0, result.stderr + result.stdout
    assert "Anna Kowalska" in result.stdout


def test_git_base_lists_modified_added_and_deleted_maps(repo: Path) -> None:
    result = run_cli("diff", "--git", "HEAD~1")
    assert result.exit_code == 0, result.stderr
    assert "== journeys/first.yaml\nfirst-purchase\n" in result.stdout
    deleted = "== journeys/second-visit.yaml: deleted: map second-visit “Second visit”, 1 stage, 1 touchpoint"
    assert deleted in result.stdout
    assert "== journeys/third.yaml: added: map third-visit" in result.stdout
    assert "ci.yaml" not in result.stdout  # not a map
    assert "people.yaml" not in result.stdout  # a library: its effect shows in the maps
    data = json.loads(run_cli("diff", "--git", "HEAD~1", "-f", "json").stdout)
    assert [(m["path"], m["status"]) for m in data["maps"]] == [
        ("journeys/first.yaml", "modified"),
        ("journeys/second-visit.yaml", "deleted"),
        ("journeys/third.yaml", "added"),
    ]
    md = run_cli("diff", "--git", "HEAD~1", "-f", "md").stdout
    assert md.startswith("<!-- cjmap-diff -->\n## Journey map changes since HEAD~1")
    assert "### journeys/third.yaml (added)" in md


def test_git_base_with_paths_and_uncommitted_changes(repo: Path) -> None:
    write(repo, "journeys/draft.yaml", MAP_B.replace("second-visit", "draft"))  # untracked
    write(repo, "other/elsewhere.yaml", MAP_B.replace("second-visit", "elsewhere"))
    result = run_cli("diff", "--git", "HEAD", "journeys")
    assert result.exit_code == 0, result.stderr
    assert "journeys/draft.yaml: added" in result.stdout
    assert "elsewhere" not in result.stdout
    assert run_cli("diff", "--git", "HEAD", "other/elsewhere.yaml").stdout.startswith("== other/elsewhere.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "drafts")
    assert run_cli("diff", "--git", "HEAD").stdout == "no map changed since HEAD\n"


def test_git_base_follows_a_renamed_map(repo: Path) -> None:
    git(repo, "mv", "journeys/first.yaml", "journeys/renamed.yaml")
    git(repo, "commit", "-q", "-m", "rename")
    result = run_cli("diff", "--git", "HEAD~1", "-f", "json")
    (entry,) = json.loads(result.stdout)["maps"]
    assert (entry["path"], entry["old_path"], entry["status"]) == (
        "journeys/renamed.yaml",
        "journeys/first.yaml",
        "renamed",
    )
    assert entry["diff"]["changed"] is False


def test_a_map_failing_validation_at_the_base_stops_the_whole_diff(repo: Path) -> None:
    write(repo, "journeys/first.yaml", MAP_A.replace("next: [bought]", "next: [nowhere]"))
    git(repo, "commit", "-q", "-am", "broken")
    write(repo, "journeys/first.yaml", MAP_A)
    result = run_cli("diff", "--git", "HEAD")
    assert result.exit_code == 1
    assert "HEAD:journeys/first.yaml:" in result.stdout and "error[CJM101]" in result.stdout
    assert "==" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch:journeys/first.yaml", "journeys/first.yaml"], "unknown revision 'nosuch'"),
        (["HEAD:journeys/missing.yaml", "journeys/first.yaml"], "'journeys/missing.yaml' does not exist at revision"),
        (["HEAD~1:journeys/third.yaml", "journeys/third.yaml"], "does not exist at revision 'HEAD~1'"),
        (["--git", "nosuch"], "unknown revision 'nosuch'"),
        (["--git", "HEAD", "nowhere/"], "path 'nowhere/' does not exist"),
        (["HEAD:../outside.yaml", "journeys/first.yaml"], "points outside the repository"),
    ],
)
def test_git_usage_errors(repo: Path, args: list[str], message: str) -> None:
    result = run_cli("diff", *args)
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for args in (["HEAD:x.yaml", "y.yaml"], ["--git", "main"]):
        result = run_cli("diff", *args)
        assert result.exit_code == 2
        assert "is not inside a git repository" in result.stderr


def test_textconv_recipe_with_real_git_diff(repo: Path) -> None:
    write(repo, ".gitattributes", "*.yaml diff=cjmap\n")
    command = f"{sys.executable} -m cjmap diff --textconv"
    git(repo, "config", "diff.cjmap.textconv", command)  # the temporary repository's own config
    shown = git(repo, "diff", "HEAD~1", "HEAD", "--", "journeys/first.yaml")
    assert "\n-    emotion: anna -1, piotr 0\n" in shown and "\n+    emotion: anna 1, piotr 0\n" in shown
    assert "-    pain point (high): Delivery cost appears only in the basket\n" in shown
    assert "include:" not in shown.replace(" include: ../shared/people.yaml", "")  # unchanged lines only as context
    # A layout-only change (flow style to block style, comments) shows no difference at all.
    text = (repo / "journeys" / "first.yaml").read_text(encoding="utf-8")
    reformatted = text.replace(
        "outcomes: [{id: bought, kind: success}]", "outcomes:\n  - id: bought  # the goal\n    kind: success"
    )
    (repo / "journeys" / "first.yaml").write_text(reformatted, encoding="utf-8")
    assert git(repo, "diff", "--", "journeys/first.yaml") == ""
    assert git(repo, "diff", "--no-textconv", "--", "journeys/first.yaml") != ""
    # cjmap's own reading of revisions ignores textconv: it sees the stored YAML.
    result = run_cli("diff", "HEAD~1:journeys/first.yaml", "journeys/first.yaml")
    assert result.exit_code == 0 and "went from −1 to +1" in result.stdout


def test_a_changed_library_brings_in_the_maps_that_include_it(repo: Path) -> None:
    library = (repo / "shared" / "people.yaml").read_text(encoding="utf-8")
    write(repo, "shared/people.yaml", library.replace("name: Piotr", "name: Piotr Nowak"))
    git(repo, "commit", "-q", "-am", "library only")
    for args in (["--git", "HEAD~1"], ["--git", "HEAD~1", "journeys"]):
        result = run_cli("diff", *args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == (
            "== journeys/first.yaml (through shared/people.yaml)\n"
            "first-purchase\n"
            "  persona piotr: name changed from “Piotr” to “Piotr Nowak”\n"
        )
    data = json.loads(run_cli("diff", "--git", "HEAD~1", "-f", "json").stdout)
    assert data["maps"][0]["through"] == ["shared/people.yaml"]
    assert run_cli("diff", "--git", "HEAD~1", "journeys/third.yaml").stdout == "no map changed since HEAD~1\n"


def test_a_yaml_file_that_is_no_map_at_a_revision_gives_findings(repo: Path) -> None:
    result = run_cli("diff", "HEAD:.github/workflows/ci.yaml", "journeys/first.yaml")
    assert result.exit_code == 1
    assert "HEAD:.github/workflows/ci.yaml:" in result.stdout and "error[CJM010]" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
def test_git_base_golden(repo: Path, fmt: str) -> None:
    from tests.conftest import assert_golden

    result = run_cli("diff", "--git", "HEAD~1", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    assert_golden(f"diff/git-base.{fmt}", result.stdout)


def test_rev_path_sides_read_in_a_second_process_give_the_same(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cjmap import pool
    from cjmap.commands import diff as diff_command

    if not pool.can_fork() or pool.cores() < 2:
        pytest.skip("forks only on Linux, with 2+ cores")
    args = ["diff", "HEAD~1:journeys/first.yaml", "journeys/first.yaml", "-f", "json"]
    monkeypatch.setattr(diff_command, "PARALLEL_FROM_BYTES", 10**18)
    serial = run_cli(*args)
    monkeypatch.setattr(diff_command, "PARALLEL_FROM_BYTES", 0)
    came_back: list[bool] = []
    beside = pool.beside

    def recorded(here: Any, there: Any) -> tuple[Any, Any]:
        mine, theirs = beside(here, there)
        came_back.append(theirs is not None)
        return mine, theirs

    monkeypatch.setattr(pool, "beside", recorded)
    parallel = run_cli(*args)
    assert came_back == [True] and (parallel.exit_code, parallel.stdout) == (serial.exit_code, serial.stdout)
    assert "Anna Kowalska" in parallel.stdout
