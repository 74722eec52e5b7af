"""Start-up: a command imports only what it uses (jinja2 only for the HTML grid; the graphviz
package never: cjmap writes DOT itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

PROBE = """
import json, sys
sys.argv = ["cjmap", *sys.argv[1:]]
from cjmap.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(name for name in ("jinja2", "graphviz") if name in sys.modules)))
"""


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["validate"], []),
        (["render", "-f", "md"], []),
        (["render", "-f", "mermaid"], []),
        (["render", "-f", "dot"], []),
        (["render", "-f", "html"], ["jinja2"]),
    ],
)
def test_a_command_imports_only_what_it_uses(tmp_path: Path, arguments: list[str], expected: list[str]) -> None:
    if arguments[0] == "render":
        arguments = [*arguments, "-o", str(tmp_path / "out")]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments, str(EXAMPLES / "pierwszy-zakup.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == expected, done.stderr
