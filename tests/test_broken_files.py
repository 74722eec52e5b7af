"""The corpus of broken files: each gets its message, position and exit code, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, run_cli

BROKEN = ROOT / "tests" / "broken"

# file -> (rule, line, column, words the message must contain)
EXPECTED = {
    "syntax-error.yaml": ("CJM001", 5, 1, "quoted scalar that starts at line 3, column 8"),
    "tabs.yaml": ("CJM001", 5, 1, "indent with spaces"),
    "duplicate-key.yaml": ("CJM003", 4, 1, "duplicate key 'title' (first defined at line 3)"),
    "wrong-types.yaml": ("CJM010", 4, 16, "'emotion_scale' should be a list, not the text 'low'"),
    "unknown-key.yaml": ("CJM010", 8, 9, "unknown field 'chanel'; did you mean 'channel'?"),
    "bad-reference.yaml": ("CJM101", 10, 20, "unknown persona 'ana'; did you mean 'anna'?"),
    "alias-bomb.yaml": ("CJM005", 6, 8, "alias bomb"),
    "deep-nesting.yaml": ("CJM005", 1, 65, "nesting deeper than 64 levels"),
    "binary.yaml": ("CJM002", 1, 1, "NUL byte at byte offset 0"),
    "wrong-encoding.yaml": ("CJM002", 3, 10, "byte offset 32 is not valid UTF-8: the file must be UTF-8"),
    "utf16.yaml": ("CJM002", 1, 1, "encoded as UTF-16"),
    "empty.yaml": ("CJM007", 1, 1, "file is empty"),
    "top-level-list.yaml": ("CJM007", 1, 1, "must be a mapping"),
    "two-documents.yaml": ("CJM007", 3, 1, "one YAML document"),
    "python-tag.yaml": ("CJM004", 3, 8, "never runs code"),
    "missing-fields.yaml": ("CJM010", 1, 1, "missing required field 'stages'"),
}


def test_every_broken_file_has_an_expectation() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_is_reported_with_position(name: str) -> None:
    rule, line, col, words = EXPECTED[name]
    result = run_cli("validate", "--format", "json", str(BROKEN / name))
    assert result.exit_code == 1, result.stdout + result.stderr
    diagnostics = json.loads(result.stdout)["diagnostics"]
    matching = [d for d in diagnostics if d["rule"] == rule and words in d["message"]]
    assert matching, diagnostics
    assert (matching[0]["line"], matching[0]["column"]) == (line, col)
    assert matching[0]["severity"] == "error"


def test_text_format_names_file_line_and_column() -> None:
    result = run_cli("validate", str(BROKEN / "unknown-key.yaml"))
    first = result.stdout.splitlines()[0]
    assert first == f"{BROKEN / 'unknown-key.yaml'}:8:9: error[CJM010] unknown field 'chanel'; did you mean 'channel'?"


def test_all_broken_files_in_one_run_are_each_reported() -> None:
    result = run_cli("validate", "--format", "json", str(BROKEN))
    document = json.loads(result.stdout)
    reported = {d["file"].rsplit("/", 1)[-1] for d in document["diagnostics"]}
    # In a folder, a file is a map when it has a top-level 'cjmap' key (in any encoding): every
    # such broken file is reported; the rest (binary, empty, a bare list, no key) is skipped.
    not_maps = {"top-level-list.yaml", "binary.yaml", "empty.yaml", "deep-nesting.yaml", "alias-bomb.yaml"}
    assert reported == set(EXPECTED) - not_maps
    assert document["summary"]["skipped"] == len(not_maps)
    assert result.exit_code == 1


def test_python_tag_is_never_executed(tmp_path: object) -> None:
    marker = ROOT / "tests" / "pwned-marker"
    text = f"cjmap: 1\nid: evil\ntitle: !!python/object/apply:os.system ['touch {marker}']\nstages: []\n"
    result = run_cli("validate", "-", input=text)
    assert result.exit_code == 1
    assert not marker.exists()


def test_deep_nesting_in_a_real_process_is_an_error_not_a_crash() -> None:
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "cjmap", "validate", str(BROKEN / "deep-nesting.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr
    assert "CJM005" in process.stdout
    assert time.perf_counter() - started < 30  # refused at once, not after a quadratic scan


def test_file_size_limit_is_configurable(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "big.yaml"
    path.write_text("cjmap: 1\nid: big\ntitle: " + "x" * 5000 + "\nstages: [{id: a}]\n")
    result = run_cli("validate", "--max-bytes", "1000", str(path))
    assert result.exit_code == 1
    assert "over the limit of 1,000" in result.stdout
    assert run_cli("validate", str(path)).exit_code == 0
