"""The command line: output formats, exit codes, stdin, folders, settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cjmap import __version__
from tests.conftest import EXAMPLES, ROOT, run_cli

CLEAN = """\
cjmap: 1
id: clean
title: Clean
stages:
  - id: a
    touchpoints:
      - {id: t1, channel: web}
"""
WARNING_ONLY = CLEAN + "      - {id: t2, kpis: [CTR]}\n"
WITH_ERROR = CLEAN + "      - {id: t2, channel: fax}\n"

Write = Callable[[str, str], Path]


def test_version_and_python_dash_m() -> None:
    assert run_cli("--version").stdout == f"cjmap {__version__}\n"
    process = subprocess.run([sys.executable, "-m", "cjmap", "--version"], capture_output=True, text=True)
    assert process.returncode == 0 and process.stdout.strip() == f"cjmap {__version__}"


def test_clean_map_exits_zero(write: Write) -> None:
    result = run_cli("validate", str(write("m.yaml", CLEAN)))
    assert result.exit_code == 0
    assert result.stdout == "1 file checked: no problems\n"


def test_warnings_pass_unless_strict(write: Write) -> None:
    path = str(write("m.yaml", WARNING_ONLY))
    assert run_cli("validate", path).exit_code == 0
    assert run_cli("validate", "--strict", path).exit_code == 1


def test_errors_exit_one(write: Write) -> None:
    result = run_cli("validate", str(write("m.yaml", WITH_ERROR)))
    assert result.exit_code == 1
    assert "error[CJM101] unknown channel 'fax'" in result.stdout
    assert result.stdout.endswith("1 error, 0 warnings in 1 file\n")


def test_usage_errors_exit_two(write: Write) -> None:
    missing = run_cli("validate", "no-such-map.yaml")
    assert missing.exit_code == 2
    assert "path 'no-such-map.yaml' does not exist" in missing.stderr
    assert run_cli("validate", "--no-such-option", str(write("m.yaml", CLEAN))).exit_code == 2
    assert run_cli("validate", "--format", "xml", str(write("m.yaml", CLEAN))).exit_code == 2
    bad_day = run_cli("validate", "--today", "yesterday", str(write("m.yaml", CLEAN)))
    assert bad_day.exit_code == 2 and "--today must be a date" in bad_day.stderr
    assert run_cli("validate").exit_code == 2


def test_stdin(write: Write) -> None:
    result = run_cli("validate", "-", input=WITH_ERROR)
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:8:")
    assert run_cli("validate", "-", input=CLEAN).exit_code == 0


def test_folder_recurses_and_skips_foreign_yaml(write: Write, tmp_path: Path) -> None:
    write("maps/a.yaml", CLEAN)
    write("maps/deeper/b.yml", WITH_ERROR)
    write("maps/.hidden/c.yaml", WITH_ERROR)
    write("maps/workflow.yaml", "on: push\njobs: {}\n")
    result = run_cli("validate", "--format", "json", str(tmp_path / "maps"))
    document = json.loads(result.stdout)
    assert document["summary"] == {"files": 2, "errors": 1, "warnings": 0, "skipped": 1}
    assert document["diagnostics"][0]["file"].endswith("deeper/b.yml")
    # Named explicitly, a foreign file is checked (and fails).
    assert run_cli("validate", str(tmp_path / "maps" / "workflow.yaml")).exit_code == 1


def test_json_format(write: Write) -> None:
    result = run_cli("validate", "-f", "json", str(write("m.yaml", WITH_ERROR)))
    document = json.loads(result.stdout)
    (diagnostic,) = document["diagnostics"]
    assert diagnostic == {
        "file": str(Path(diagnostic["file"])),
        "line": 8,
        "column": 27,
        "severity": "error",
        "rule": "CJM101",
        "name": "unknown-reference",
        "message": "unknown channel 'fax': declare it under 'channels' or use a built-in one",
    }


def test_github_format_escapes_workflow_commands(write: Write) -> None:
    text = CLEAN + "      - {id: t2, kpis: ['Rate: 50%, or more']}\n"
    result = run_cli("validate", "-f", "github", str(write("m,1.yaml", text)))
    (line,) = result.stdout.splitlines()
    assert line.startswith("::warning file=")
    assert "m%2C1.yaml,line=8,col=" in line
    assert "title=cjmap CJM111 (kpi-without-target)::KPI 'Rate: 50%25, or more' has no target" in line


def test_sarif_format(write: Write) -> None:
    result = run_cli("validate", "-f", "sarif", str(write("m.yaml", WITH_ERROR)))
    document = json.loads(result.stdout)
    assert document["version"] == "2.1.0"
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (found,) = run["results"]
    assert rules[found["ruleIndex"]]["id"] == found["ruleId"] == "CJM101"
    region = found["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (8, 27)
    assert found["level"] == "error"


def test_color_shows_source_and_caret_and_no_color_by_default(write: Write) -> None:
    path = str(write("m.yaml", WITH_ERROR))
    plain = run_cli("validate", path).stdout
    assert "\033[" not in plain and "^" not in plain
    colored = run_cli("validate", "--color", "always", path).stdout
    lines = re.sub(r"\033\[[0-9;]*m", "", colored).splitlines()
    assert "\033[31m" in colored
    assert lines[1].endswith("      - {id: t2, channel: fax}")
    assert lines[2].rstrip().endswith("^")
    caret_column = lines[2].index("^") - lines[1].index("      - {id")
    assert caret_column == 26  # column 27, 1-based


def test_no_color_environment_is_honoured(write: Write) -> None:
    path = str(write("m.yaml", WITH_ERROR))
    process = subprocess.run(
        [sys.executable, "-m", "cjmap", "validate", path],
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert "\033[" not in process.stdout


def test_settings_change_severity(write: Write, tmp_path: Path) -> None:
    path = write("m.yaml", WARNING_ONLY)
    write("cjmap.toml", '[severity]\nkpi-without-target = "error"\n')
    result = run_cli("validate", "--config", str(tmp_path / "cjmap.toml"), str(path))
    assert result.exit_code == 1 and "error[CJM111]" in result.stdout
    write("off.toml", '[severity]\nCJM111 = "off"\n')
    result = run_cli("validate", "--config", str(tmp_path / "off.toml"), str(path))
    assert result.exit_code == 0 and "no problems" in result.stdout


def test_pyproject_settings_are_found_from_the_working_directory(write: Write, tmp_path: Path) -> None:
    write("pyproject.toml", '[project]\nname = "x"\n\n[tool.cjmap.severity]\nCJM111 = "error"\n')
    path = write("m.yaml", WARNING_ONLY)
    process = subprocess.run(
        [sys.executable, "-m", "cjmap", "validate", str(path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert process.returncode == 1 and "error[CJM111]" in process.stdout


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ('[severity]\nCJM999 = "off"\n', "no rule 'CJM999'"),
        ('[severity]\nCJM001 = "off"\n', "always an error"),
        ('[severity]\nCJM111 = "loud"\n', 'must be "error", "warning" or "off"'),
        ("colour = true\n", "unknown setting(s) colour"),
        ("[severity\n", "invalid TOML"),
    ],
)
def test_bad_settings_are_usage_errors(write: Write, tmp_path: Path, settings: str, complaint: str) -> None:
    write("cjmap.toml", settings)
    result = run_cli("validate", "--config", str(tmp_path / "cjmap.toml"), str(write("m.yaml", CLEAN)))
    assert result.exit_code == 2
    assert complaint in result.stderr


def test_examples_validate_clean() -> None:
    result = run_cli("validate", "--strict", "--today", "2026-11-23", str(EXAMPLES))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "5 files checked: no problems\n"


def test_rules_command_lists_every_rule() -> None:
    from cjmap.rules import REGISTRY

    listing = run_cli("rules").stdout
    for rule_id in REGISTRY:
        assert rule_id in listing


def test_readme_rules_table_is_current() -> None:
    table = run_cli("rules", "--markdown").stdout.strip()
    assert table in (ROOT / "README.md").read_text(encoding="utf-8")


def test_output_is_deterministic(write: Write, tmp_path: Path) -> None:
    write("a.yaml", WITH_ERROR)
    write("b.yaml", WARNING_ONLY)
    runs = [
        subprocess.run(
            [sys.executable, "-m", "cjmap", "validate", "-f", "sarif", str(tmp_path)],
            capture_output=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("0", "1", "12345")
    ]
    assert runs[0] == runs[1] == runs[2]


def test_readme_sample_map_is_valid() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = readme.split("## A map", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    result = run_cli("validate", "--strict", "--today", "2026-11-23", "-", input=sample)
    assert result.exit_code == 0, result.stdout


def test_terminal_with_no_color_keeps_the_excerpt_without_colour(write: Write) -> None:
    """Run in a real pseudo-terminal, as a person would."""
    import pty

    path = str(write("m.yaml", WITH_ERROR))
    code = f"import sys; sys.argv = ['cjmap', 'validate', {path!r}]; from cjmap.cli import main; main()"
    chunks: list[bytes] = []

    def read(fd: int) -> bytes:
        data = os.read(fd, 4096)
        chunks.append(data)
        return data

    old = os.environ.get("NO_COLOR")
    os.environ["NO_COLOR"] = "1"
    try:
        pty.spawn([sys.executable, "-c", code], read)
    finally:
        if old is None:
            del os.environ["NO_COLOR"]
        else:
            os.environ["NO_COLOR"] = old
    screen = b"".join(chunks).decode()
    assert "\033[" not in screen
    assert "      - {id: t2, channel: fax}" in screen and "^" in screen


@pytest.mark.parametrize("arguments", [["validate", "--help"], ["render", "--help"], ["validate", "--bogus", "x"]])
def test_a_command_run_alone_answers_as_in_the_whole_app(arguments: list[str]) -> None:
    """`cjmap NAME ...` builds only that command (cli._app_for): help and usage errors read the same."""
    from typer.testing import CliRunner

    from cjmap.cli import _app_for, app

    assert _app_for(arguments) is not app  # the short way is taken
    environment = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    alone = subprocess.run([sys.executable, "-m", "cjmap", *arguments], capture_output=True, text=True, env=environment)
    whole = CliRunner().invoke(
        app, arguments, env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}, prog_name="python -m cjmap"
    )
    assert alone.returncode == whole.exit_code
    assert alone.stdout + alone.stderr == whole.output
