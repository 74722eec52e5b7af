"""Reading map files as they were at a git revision (`REV:path`), with `git` subprocesses.

A revision's files are read with `git cat-file blob` (the stored bytes, never passed through a
textconv filter) and listed once with `git ls-tree`, so the Loader can resolve includes at the
same revision as the map. `changed_files` lists what changed since a base revision, as
`git diff --name-status` does, plus untracked files (new maps not committed yet).

Every failure (git missing, not a repository, unknown revision, no such path) is a `GitError`
whose message a user can act on; the command turns it into a usage error.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from cjmap.source import Limits, too_large


class GitError(Exception):
    """Something about the repository or a revision that the user has to fix."""


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH): it is needed to read REV:path and --git") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise _Failed(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


class _Failed(GitError):
    pass


@dataclass(frozen=True)
class Change:
    status: Literal["added", "deleted", "modified", "renamed"]
    path: str  # repository-relative, posix; for deleted files the old path
    old_path: str | None = None  # where a renamed or modified file was at the base


@dataclass
class Repository:
    root: Path  # the working tree's top folder, resolved
    prefix: str  # the current folder relative to root, posix, '' at the top
    cwd: Path
    _commits: dict[str, str] = field(default_factory=dict)

    @classmethod
    def find(cls, cwd: Path | None = None) -> Repository:
        here = (cwd or Path.cwd()).resolve()
        try:
            top = _git(["rev-parse", "--show-toplevel"], here).decode().strip()
            prefix = _git(["rev-parse", "--show-prefix"], here).decode().strip()
        except _Failed:
            raise GitError(f"{here} is not inside a git repository: REV:path and --git need one") from None
        return cls(Path(top).resolve(), prefix, here)

    def commit(self, revision: str) -> str:
        """The commit id a revision names; a GitError saying so when it names none."""
        if revision not in self._commits:
            if not revision or revision.startswith("-"):
                raise GitError(f"'{revision}' is not a revision: give a branch, tag or commit, e.g. HEAD~1")
            try:
                found = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], self.cwd)
            except _Failed:
                raise GitError(
                    f"unknown revision '{revision}': no branch, tag or commit of that name "
                    "(in CI, fetch the history first, e.g. actions/checkout with fetch-depth: 0)"
                ) from None
            self._commits[revision] = found.decode().strip()
        return self._commits[revision]

    def repo_path(self, path: str) -> str:
        """A path as git reads it in REV:path: relative to the current folder when it starts
        with ./ or ../, else relative to the top of the repository."""
        if path.startswith(("./", "../")) or path in (".", ".."):
            joined = PurePosixPath(self.prefix) / path
        else:
            joined = PurePosixPath(path)
        parts: list[str] = []
        for part in joined.parts:
            if part == "..":
                if not parts:
                    raise GitError(f"'{path}' points outside the repository")
                parts.pop()
            elif part not in (".", ""):
                parts.append(part)
        return "/".join(parts)

    def changed_files(self, base: str, pathspecs: list[str]) -> list[Change]:
        """Files that differ between the base commit and the working tree, and untracked ones."""
        specs = ["--", *pathspecs] if pathspecs else []
        raw = _git(["diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", base, *specs], self.cwd)
        fields = raw.decode("utf-8", errors="surrogateescape").split("\0")
        changes: list[Change] = []
        i = 0
        while i < len(fields) and fields[i]:
            code = fields[i][0]
            if code in "RC":
                old, new = fields[i + 1], fields[i + 2]
                i += 3
                changes.append(Change("renamed", new, old) if code == "R" else Change("added", new))
                continue
            path = fields[i + 1]
            i += 2
            if code == "A":
                changes.append(Change("added", path))
            elif code == "D":
                changes.append(Change("deleted", path, path))
            elif code in "MT":
                changes.append(Change("modified", path, path))
        untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z", *specs], self.cwd)
        for path in untracked.decode("utf-8", errors="surrogateescape").split("\0"):
            if path:
                changes.append(Change("added", path))
        return sorted(changes, key=lambda c: c.path)


class RevisionReader:
    """A cjmap.document.FileReader over one commit: paths below the repository root are read
    from that commit, so a map's includes resolve at the map's revision."""

    def __init__(self, repository: Repository, commit: str) -> None:
        self.repository = repository
        self.commit = commit
        listing = _git(["ls-tree", "-r", "-z", "--name-only", commit], repository.root)
        self.files = set(listing.decode("utf-8", errors="surrogateescape").split("\0")) - {""}

    def _relative(self, path: Path) -> str | None:
        try:
            return path.resolve().relative_to(self.repository.root).as_posix()
        except ValueError:
            return None

    def is_file(self, path: Path) -> bool:
        relative = self._relative(path)
        return relative is not None and relative in self.files

    def read(self, path: Path, name: str, limits: Limits) -> bytes:
        relative = self._relative(path)
        if relative is None or relative not in self.files:
            raise FileNotFoundError(2, "not in this revision", str(path))
        data = _git(["cat-file", "blob", f"{self.commit}:{relative}"], self.repository.root)
        if len(data) > limits.max_bytes:
            raise too_large(name, limits, len(data))
        return data
