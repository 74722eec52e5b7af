"""Hostile and careless input ends as a finding: no traceback, no hang, no broken output.

One regression test per reproduction of issue 15, grouped by class; `test_hostile_properties.py`
hunts each class with generated input.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cjmap.diagnostics import Suggester, summarise
from cjmap.render.html import axis_ticks
from tests.conftest import EXAMPLES, ROOT, check, rules_of, run_cli

Write = Callable[[str, str], Path]
ENGINES = ["embedded"] + (["system"] if shutil.which("dot") else [])
BASE = """\
cjmap: 1
id: hostile
title: Hostile
stages:
  - id: s
    name: Stage
    touchpoints:
      - {id: a, name: First, emotion: 1}
      - {id: b, name: Second}
"""


def cjmap(*args: str, stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """The real program in a real process (stdout and signals behave as for users)."""
    return subprocess.run(
        [sys.executable, "-m", "cjmap", *args], input=stdin, capture_output=True, timeout=timeout, check=False
    )


def messages(text: str) -> list[str]:
    return [f"{d.rule} {d.message}" for d in check(text)]


# -- 1. Interrupted renders ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A map whose layout takes far longer than the test waits, with either engine (400
    touchpoints took 8 s with the embedded engine: too close on a fast machine)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate_map  # type: ignore[import-not-found]

    path = tmp_path_factory.mktemp("slow") / "big.yaml"
    path.write_text(generate_map(1500), encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("whom", ["group", "cjmap"])
def test_an_interrupt_writes_nothing_and_stops_at_once(slow_map: Path, tmp_path: Path, engine: str, whom: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    good = {name: f"good {name}".encode() for name in ("generated-1500.svg", "generated-1500.png")}
    for name, data in good.items():
        (out / name).write_bytes(data)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cjmap",
            "render",
            str(slow_map),
            "--engine",
            engine,
            "-f",
            "svg",
            "-f",
            "png",
            "-o",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell gives a job
    )
    time.sleep(4)  # validation is done and both engines are drawing
    assert process.poll() is None, process.communicate()
    if whom == "group":  # Ctrl-C in a terminal
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, signal.SIGINT)
    started = time.monotonic()
    process.communicate(timeout=20)
    assert process.returncode == 130
    assert time.monotonic() - started < 5  # not after the engines finish
    assert {p.name: p.read_bytes() for p in out.iterdir()} == good  # no half-drawn picture, no temp file
    time.sleep(0.5)
    assert str(slow_map) not in subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout


# -- 2. Size limits while reading ---------------------------------------------------------------


def test_an_endless_device_stops_at_the_limit() -> None:
    done = cjmap("validate", "/dev/zero", timeout=30)
    assert done.returncode == 1
    assert b"error[CJM005] file is larger than 20,971,520 bytes" in done.stdout


def test_a_huge_pipe_stops_at_the_limit() -> None:
    done = cjmap("validate", "--max-bytes", "1000", "-", stdin=b"\0" * 5_000_000)
    assert done.returncode == 1 and b"<stdin>:1:1: error[CJM005] file is larger than 1,000 bytes" in done.stdout


def test_a_sparse_file_is_refused_by_its_size_before_reading(tmp_path: Path) -> None:
    sparse = tmp_path / "sparse.yaml"
    with sparse.open("wb") as stream:
        stream.truncate(4 * 1024**3)
    done = cjmap("validate", str(sparse), timeout=30)
    assert b"file is 4,294,967,296 bytes, over the limit of 20,971,520" in done.stdout


def test_a_folder_reads_regular_files_only(tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo.yaml")  # opening it would block for ever
    done = cjmap("validate", "-f", "json", str(tmp_path), timeout=30)
    summary = json.loads(done.stdout)["summary"]
    assert summary == {"files": 1, "errors": 0, "warnings": 0, "skipped": 2}


# -- 3. Ordinary hostile values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("review: {last: 9999-12-01, every: 1 month}", "CJM010 a review 1 month after 9999-12-01 would fall after"),
        ("review: {last: 2026-01-01, every: 99999999999999999999 days}", "CJM010 a review 99999999999999999999 days"),
        ('include: ["a\\0x"]', "CJM006 include 'a\\x00x' holds a NUL character"),
        (
            f"emotion_scale: [-1{'0' * 400}, 1]",
            "CJM010 'emotion_scale': input should be greater than or equal to -1000",
        ),
    ],
)
def test_hostile_values_are_positioned_findings(extra: str, expected: str) -> None:
    found = messages(BASE + extra + "\n")
    assert any(m.startswith(expected) for m in found), found


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", f"1{'0' * 400}"])
def test_a_kpi_target_must_be_a_finite_number(value: str) -> None:
    text = BASE.replace("emotion: 1}", f"emotion: 1, kpis: [{{name: Conversion, target: {value}}}]}}")
    assert rules_of(check(text)) == ["CJM010"]


def test_an_unreadable_library_is_blamed_on_the_include(write: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    import cjmap.document
    from cjmap.reading import read_file
    from cjmap.source import Limits

    write("lib.yaml", "cjmap: 1\nkind: library\npersonas: [{id: p, name: P}]\n")
    path = write("map.yaml", BASE + "include: [lib.yaml]\n")

    def unreadable(target: Path, name: str, limits: Limits) -> bytes:
        if target.name == "lib.yaml":
            raise PermissionError(13, "Permission denied")
        return read_file(target, name, limits)

    monkeypatch.setattr(cjmap.document, "read_file", unreadable)
    found = run_cli("validate", str(path))
    assert f"{path}:10:11: error[CJM006] include 'lib.yaml' cannot be read (Permission denied)" in found.stdout


@pytest.mark.parametrize("command", [["validate", str(EXAMPLES)], ["rules"], ["schema"]])
def test_standard_output_full_or_closed_is_one_clear_line(command: list[str]) -> None:
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cjmap", *command], stdout=full, stderr=subprocess.PIPE, timeout=60, check=False
        )
    assert done.returncode == 1 and done.stderr == b"cjmap: error: cannot write the output: No space left on device\n"
    closed = subprocess.run(
        [sys.executable, "-m", "cjmap", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    assert closed.returncode == 0  # writing to /dev/null is fine
    shut = subprocess.run(
        f"{sys.executable} -m cjmap {' '.join(command)} >&-", shell=True, stderr=subprocess.PIPE, check=False
    )
    assert shut.returncode == 1 and shut.stderr == b"cjmap: error: cannot write the output: standard output is closed\n"


def test_render_to_a_full_standard_output_names_it() -> None:
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cjmap", "render", "-f", "md", "-o", "-", str(EXAMPLES / "pierwszy-zakup.yaml")],
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert b"cannot write standard output: No space left on device" in done.stderr and b"None" not in done.stderr


# -- 4. No quadratic work on small files --------------------------------------------------------


def test_did_you_mean_does_bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    import difflib

    calls = []
    real = difflib.get_close_matches

    def counting(word: str, possibilities: list[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
        calls.append(len(possibilities))
        return real(word, possibilities, n, cutoff)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    suggest = Suggester(f"touchpoint-{i}" for i in range(3000))
    hints = [suggest(f"touchpont-{i}") for i in range(3000)]
    assert hints[0] == "; did you mean 'touchpoint-0'?"
    assert len(calls) == Suggester.SEARCHES and max(calls) <= Suggester.POOL
    assert hints[-1] == ""  # past the budget: no suggestion, still a finding


def test_long_lists_in_messages_are_summarised() -> None:
    assert summarise([f"e{i}" for i in range(10_000)]) == "'e0', 'e1', 'e2', 'e3', 'e4' and 9,995 more"
    assert summarise(["a", "b"]) == "'a', 'b'"
    entries = "\n".join(f"      - {{id: e{i}, entry: true}}" for i in range(300))
    head = "cjmap: 1\nid: m\ntitle: M\nflow: explicit\nstages:\n  - id: s\n    touchpoints:\n"
    text = f"{head}{entries}\n      - {{id: lone}}\n"
    (unreachable,) = [d for d in check(text) if d.rule == "CJM104"]
    assert len(unreachable.message) < 300 and "and 295 more" in unreachable.message


def test_a_huge_word_is_cut_before_it_is_wrapped() -> None:
    from cjmap.render.dot import html_text

    text = html_text("x" * 10_000_000, 28, 4)
    assert text.count("<BR/>") == 3 and text.endswith("…") and len(text) < 200


@pytest.mark.parametrize(("low", "high"), [(-2, 2), (-3, 3), (0, 10), (1, 7), (-1000, 1000), (-7, 13), (0, 999)])
def test_axis_ticks_are_few_and_round(low: int, high: int) -> None:
    ticks = axis_ticks(low, high)
    assert 2 <= len(ticks) <= 11 and all(low <= t <= high for t in ticks)
    step = ticks[1] - ticks[0]
    assert all(b - a == step for a, b in itertools.pairwise(ticks))
    assert str(step).lstrip("0")[0] in "125" and (high - low > 10 or step == 1)


# -- 5. Terminal and CI-log injection -----------------------------------------------------------

INJECTED = BASE.replace(
    "name: First", 'name: "\\e[31mRED\\e]8;;http://x\\e\\\\link\\e]8;;\\e\\\\ \\u202eevil"'
).replace(
    "emotion: 1}", 'emotion: 1, kpis: ["KPI\\n::error file=README.md::fake\\nREADME.md:1:1: error[CJM101] fake"]}'
)


def test_no_control_character_from_a_map_reaches_the_terminal(write: Write) -> None:
    path = write("injected.yaml", INJECTED)
    for output_format, lines in (("text", 2), ("github", 1)):
        shown = run_cli("validate", "-f", output_format, str(path)).stdout
        assert "\x1b" not in shown and "\u202e" not in shown
        assert len(shown.splitlines()) == lines  # one finding (KPI without target), and the summary
        assert not any(line.startswith(("::error", "README.md")) for line in shown.splitlines())
    assert "KPI\\n::error file=README.md::fake\\nREADME.md" in run_cli("validate", str(path)).stdout


def test_render_findings_on_stderr_are_inert(write: Write) -> None:
    path = write("injected.yaml", INJECTED + '      - {id: c, next: ["\\e[2Jgone"]}\n')
    result = run_cli("render", "-f", "md", "-o", "-", str(path))
    assert result.exit_code == 1 and "\x1b" not in result.stderr and "\\e[2Jgone" in result.stderr


# -- 6. Mermaid keyword injection ---------------------------------------------------------------

JS = ROOT / "tests" / "js"


def test_tasks_named_like_mermaid_keywords_stay_tasks(write: Write, tmp_path: Path) -> None:
    if not (JS / "node_modules").is_dir():
        if os.environ.get("CI"):
            pytest.fail("tests/js/node_modules is missing (run npm ci in tests/js)")
        pytest.skip("Mermaid's parser is not installed")
    text = BASE.replace("name: First", "name: title Hijacked").replace("name: Second", "name: Section Injected")
    mermaid = run_cli("render", "-f", "mermaid", "-o", "-", str(write("k.yaml", text))).stdout
    (tmp_path / "k.mmd").write_text(mermaid, encoding="utf-8")
    parsed = subprocess.run(
        ["node", str(JS / "journey-structure.mjs"), str(tmp_path / "k.mmd")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    structure = json.loads(parsed.stdout)
    assert structure["title"] == "Hostile" and structure["sections"] == ["Stage"]
    assert [t["task"].lstrip("\u200b") for t in structure["tasks"]] == ["title Hijacked", "Section Injected"]


# -- 7. Folder scanning -------------------------------------------------------------------------


def test_a_misspelt_map_is_checked_and_foreign_yaml_is_counted(tmp_path: Path) -> None:
    (tmp_path / "typo.yaml").write_text(BASE.replace("cjmap: 1", "cjamp: 1"), encoding="utf-8")
    (tmp_path / "playbook.yml").write_text("- hosts: all\n  tasks: []\n", encoding="utf-8")
    (tmp_path / "k8s.yaml").write_text(
        "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Service\n", encoding="utf-8"
    )
    (tmp_path / "cfn.yaml").write_text("Resources:\n  B:\n    Properties: {Name: !Ref Name}\n", encoding="utf-8")
    result = run_cli("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "unknown field 'cjamp'; did you mean 'cjmap'?" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("in 1 file; 3 other YAML files skipped: not journey maps")
    assert "playbook" not in result.stdout and "k8s" not in result.stdout and "cfn" not in result.stdout


# -- 8. Right places ----------------------------------------------------------------------------


def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    path = tmp_path / "my map #1.yaml"
    path.write_text(BASE.replace("emotion: 1}", "emotion: 9}"), encoding="utf-8")
    sarif = json.loads(run_cli("validate", "-f", "sarif", str(path)).stdout)
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("/my%20map%20%231.yaml") and " " not in uri


# -- 9. Smaller ---------------------------------------------------------------------------------


def test_rendering_nothing_says_so(tmp_path: Path) -> None:
    empty = run_cli("render", str(tmp_path))
    assert empty.exit_code == 1 and "nothing to render" in empty.stderr
    library = run_cli("render", str(EXAMPLES / "shared" / "saas-personas.yaml"))
    assert library.exit_code == 1 and "nothing to render" in library.stderr


def test_a_format_named_twice_is_one_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.dot"
    result = run_cli("render", "-f", "dot", "-f", "dot", "-o", str(target), str(EXAMPLES / "pierwszy-zakup.yaml"))
    assert result.exit_code == 0 and target.is_file()


def test_a_map_named_twice_is_rendered_once(tmp_path: Path) -> None:
    path = str(EXAMPLES / "pierwszy-zakup.yaml")
    result = run_cli("render", "-f", "dot", "-o", str(tmp_path), path, path)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["pierwszy-zakup.dot"]


def test_a_trailing_hash_stays_in_a_markdown_heading(write: Write) -> None:
    path = write("hash.yaml", BASE.replace("name: Stage", "name: 'Stage #'"))
    markdown = run_cli("render", "-f", "md", "-o", "-", str(path)).stdout
    assert "### 1. Stage \\#\n" in markdown
    from markdown_it import MarkdownIt

    headings = [t for t in MarkdownIt().parse(markdown) if t.type == "inline" and t.content.startswith("1.")]
    assert MarkdownIt().renderInline(headings[0].content) == "1. Stage #"


def test_dedented_base_is_a_valid_map() -> None:
    assert check(textwrap.dedent(BASE)) == []


def test_a_map_full_of_loops_gets_a_layout_the_engines_can_finish(tmp_path: Path) -> None:
    """200 touchpoints each branching back to an earlier one took over 60 s of layout with
    either engine; with straight edges and capped simplex passes it takes seconds."""
    import random

    rng = random.Random(3)
    lines = ["cjmap: 1", "id: loops", "title: Loops", "flow: explicit", "stages:"]
    for stage in range(10):
        lines.append(f"  - id: s{stage}\n    touchpoints:")
        for k in range(20):
            i = stage * 20 + k
            onward = f"t{i + 1}" if i + 1 < 200 else "done"
            lines.append(
                f"      - id: t{i}\n        decision:\n          question: Again?\n          branches:\n"
                f"            - {{when: Onward, to: {onward}, probability: 0.7}}\n"
                f"            - {{when: Back, to: t{rng.randrange(0, i + 1)}, probability: 0.3}}"
            )
    lines.append("outcomes:\n  - {id: done, kind: success}")
    path = tmp_path / "loops.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dot = run_cli("render", "-f", "dot", "-o", "-", str(path)).stdout
    assert "splines=line" in dot and "nslimit=2" in dot
    plain = run_cli("render", "-f", "dot", "-o", "-", str(EXAMPLES / "pierwszy-zakup.yaml")).stdout
    assert "splines=line" not in plain  # ordinary maps keep curved edges
    done = cjmap(
        "render",
        "-f",
        "svg",
        "--engine",
        "embedded",
        "--engine-timeout",
        "90",
        "-o",
        str(tmp_path / "l.svg"),
        str(path),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_a_finding_on_a_library_persona_names_the_library(tmp_path: Path) -> None:
    """A persona merged from a library into the map's list was reported with the map's file name
    and the library's line: a place that does not exist."""
    (tmp_path / "cjmap.toml").write_text("", encoding="utf-8")
    (tmp_path / "lib.yaml").write_text(
        "cjmap: 1\nkind: library\npersonas:\n  - {id: anna, name: Anna}\n  - {id: idle, name: Idle}\n",
        encoding="utf-8",
    )
    path = tmp_path / "map.yaml"
    path.write_text(
        BASE.replace("stages:", "include: [lib.yaml]\npersonas:\n  - {id: own, name: Own}\nstages:")
        .replace("emotion: 1}", "emotion: 1, personas: [anna]}")
        .replace("{id: b, name: Second}", "{id: b, name: Second, personas: [anna]}"),
        encoding="utf-8",
    )
    found = run_cli("validate", "-f", "json", str(path))
    unused = {
        d["message"].split("'")[1]: (Path(d["file"]).name, d["line"])
        for d in json.loads(found.stdout)["diagnostics"]
        if d["rule"] == "CJM107"
    }
    assert unused["idle"] == ("lib.yaml", 5) and unused["own"] == ("map.yaml", 6)
