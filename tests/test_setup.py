"""The README's test command on a fresh machine: missing system programs are installed as root,
or named in one line with the exact command to run — never a bare 'command not found'."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT


def fake_tool(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)


def test_without_root_the_missing_packages_are_named_with_the_command(tmp_path: Path) -> None:
    # A PATH with nothing on it but a shell's basics and a non-root `id`: no dot, java, npm, fonts.
    for tool in ("grep", "cat"):
        (tmp_path / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    fake_tool(tmp_path, "id", "echo 1000")
    done = subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "system-deps.sh")],
        env={"PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == "cjmap: the tests need system packages that are missing; install them with:"
    assert lines[1].startswith("  sudo apt-get install -y --no-install-recommends graphviz ")
    for package in ("default-jre-headless", "nodejs", "npm", "fonts-dejavu-core", "build-essential", "python3-dev"):
        assert package in lines[1].split()
    assert "command not found" not in done.stderr
