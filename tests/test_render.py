"""`cjmap render` and the flow diagram: golden DOT, both engines, escaping, persona filter, safety.

Set CJMAP_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, then review
the diff like any other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from cjmap.commands.engines import Engine, embedded_program
from tests.conftest import EXAMPLES, assert_golden, rendered, run_cli

Write = Callable[[str, str], Path]
MAPS = sorted(p for p in EXAMPLES.glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"

ENGINES = ["embedded"] + (["system"] if shutil.which("dot") else [])


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_dot_matches_the_golden_file(path: Path) -> None:
    assert_golden(f"{path.stem}.dot", rendered("dot", path))


def test_dot_is_identical_across_processes_and_hash_seeds() -> None:
    outputs = {
        subprocess.run(
            [sys.executable, "-m", "cjmap", "render", "-f", "dot", "-o", "-", str(EXAMPLES / "lojalnost-bank.yaml")],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("0", "1", "4242")
    }
    assert len(outputs) == 1


def svg_texts(svg: bytes) -> str:
    root = ET.fromstring(svg)  # raises on invalid XML
    return " ".join(" ".join(node.itertext()) for node in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_svg_is_valid_and_shows_every_touchpoint(path: Path, engine: str) -> None:
    import yaml

    result = CliBytes.run("render", "-f", "svg", "-o", "-", "--engine", engine, str(path))
    texts = svg_texts(result)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for stage in data["stages"]:
        for touchpoint in stage.get("touchpoints", []):
            first_words = str(touchpoint.get("name") or touchpoint.get("action")).split()[0]
            assert first_words in texts, (touchpoint["id"], engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_format_with_each_engine(tmp_path: Path, engine: str) -> None:
    result = run_cli(
        "render",
        "-f",
        "png",
        "-f",
        "pdf",
        "-f",
        "svg",
        "-f",
        "dot",
        "--engine",
        engine,
        "-o",
        str(tmp_path),
        str(EXAMPLES / "pierwszy-zakup.yaml"),
    )
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "pierwszy-zakup.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (tmp_path / "pierwszy-zakup.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "pierwszy-zakup.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert (tmp_path / "pierwszy-zakup.dot").read_text(encoding="utf-8").startswith('digraph "pierwszy-zakup"')
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


@pytest.mark.parametrize("output_format", ["png", "pdf", "svg"])
def test_embedded_engine_output_is_byte_identical_across_runs(output_format: str) -> None:
    program = embedded_program()
    assert program is not None
    source = rendered("dot", EXAMPLES / "saas-onboarding-to-be.yaml")
    engine = Engine("embedded", program)
    assert engine.render(source, output_format) == engine.render(source, output_format)


HOSTILE = r"""cjmap: 1
id: hostile
title: 'Quotes " and \ backslash \n not a newline; { } [ ] <b>bold</b> & &amp; ]]> -- // '
personas:
  - {id: p, name: "Zoë <script>alert(1)</script> \"quoted\""}
stages:
  - id: s
    name: "Stage\nwith a newline and \"}\" ; node [shape=none]"
    goal: '<TABLE><TR><TD>not a table</TD></TR></TABLE>'
    touchpoints:
      - id: t1
        name: 'label=<<B>x</B>> ] ; "} digraph { a -> b'
        channel: web
        personas: [p]
        emotion: -2
        decision:
          question: "Kupić? Купить? 🛒 <>&\"'"
          branches:
            - {when: "a\\b \"c\" <d> & e", to: t2, probability: 0.5}
            - {when: "--> edge", to: out, probability: 0.5}
      - id: t2
        name: "Пётр и Łucja: zażółć gęślą jaźń — 🙂"
        next: [t1]
      - id: t3
        name: "x"
        entry: true
        next: [out]
outcomes:
  - {id: out, name: '"; rankdir=TB; //', kind: lost}
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_text_is_escaped_and_survives_the_round_trip(write: Write, engine: str) -> None:
    path = write("hostile.yaml", HOSTILE)
    dot = rendered("dot", path)
    assert "<script>" not in dot and "&lt;script&gt;" in dot
    texts = svg_texts(CliBytes.run("render", "-f", "svg", "-o", "-", "--engine", engine, str(path)))
    for expected in (
        'Quotes " and \\ backslash \\n not a newline',
        "label=<<B>x</B>> ]",
        "Пётр и Łucja: zażółć",
        'a\\b "c" <d> & e',
        '"; rankdir=TB; //',
        "<script>alert(1)</script>",
    ):
        assert expected.split()[0] in texts
    # Anywhere in the output, the injected attribute is only ever the escaped text of a label.
    assert '"; rankdir=TB' not in dot
    assert dot.count("rankdir=TB") == dot.count("&quot;; rankdir=TB; //") == 1


def test_persona_filter_draws_only_that_personas_touchpoints() -> None:
    full = rendered("dot", EXAMPLES / "lojalnost-bank.yaml")
    svetlana = rendered("dot", EXAMPLES / "lojalnost-bank.yaml", "--persona", "svetlana")
    assert '"tp__push-programma"' in full and '"tp__push-programma"' not in svetlana
    assert '"tp__zvonok-vozvrat"' in svetlana and '"tp__otdelenie-vozvrat"' in svetlana
    assert "персона: Светлана" in svetlana
    # Her path continues from the branch visit to the categories, which she shares with everyone.
    assert '"tp__otdelenie-vozvrat" -> "tp__vybor-kategoriy"' in svetlana


def test_unknown_persona_is_an_error() -> None:
    result = run_cli("render", "-f", "dot", "-o", "-", "--persona", "nobody", str(EXAMPLES / "pierwszy-zakup.yaml"))
    assert result.exit_code == 1
    assert "has no persona 'nobody'" in result.stderr


def test_theme_and_direction() -> None:
    dark = rendered("dot", EXAMPLES / "pierwszy-zakup.yaml", "--theme", "dark", "--direction", "TB")
    assert 'bgcolor="#0d1117"' in dark and "rankdir=TB" in dark


def test_map_with_errors_is_not_rendered(write: Write, tmp_path: Path) -> None:
    path = write(
        "broken.yaml",
        "cjmap: 1\nid: broken\ntitle: B\nstages:\n  - id: s\n    touchpoints:\n      - {id: t, channel: fax}\n",
    )
    result = run_cli("render", "-o", str(tmp_path / "out"), str(path))
    assert result.exit_code == 1
    assert "error[CJM101] unknown channel 'fax'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_warnings_are_shown_and_the_map_is_rendered(write: Write, tmp_path: Path) -> None:
    path = write(
        "warn.yaml",
        "cjmap: 1\nid: warn\ntitle: W\nstages:\n  - id: s\n    touchpoints:\n      - {id: t, kpis: [CTR]}\n",
    )
    result = run_cli("render", "-f", "dot", "-o", str(tmp_path / "warn.dot"), str(path))
    assert result.exit_code == 0
    assert "warning[CJM111]" in result.stderr
    assert (tmp_path / "warn.dot").read_text(encoding="utf-8").startswith("digraph warn {")


def test_default_folder_and_format(tmp_path: Path) -> None:
    source = tmp_path / "map.yaml"
    shutil.copy(EXAMPLES / "pierwszy-zakup.yaml", source)
    process = subprocess.run(
        [sys.executable, "-m", "cjmap", "render", "map.yaml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "cjmap-out" / "pierwszy-zakup.svg").is_file()
    assert "wrote cjmap-out/pierwszy-zakup.svg" in process.stderr


def test_never_writes_over_an_input(tmp_path: Path) -> None:
    source = tmp_path / "map.yaml"
    shutil.copy(EXAMPLES / "pierwszy-zakup.yaml", source)
    before = source.read_bytes()
    result = run_cli("render", "-f", "dot", "-o", str(source), str(source))
    assert result.exit_code == 1
    assert "it is one of the input files" in result.stderr
    assert source.read_bytes() == before


def test_never_writes_over_an_included_library(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    (tmp_path / "pyproject.toml").write_text("")
    library = tmp_path / "examples" / "shared" / "saas-personas.yaml"
    before = library.read_bytes()
    result = run_cli(
        "render", "-f", "dot", "-o", str(library), str(tmp_path / "examples" / "saas-onboarding-as-is.yaml")
    )
    assert result.exit_code == 1
    assert library.read_bytes() == before


def test_output_rules(tmp_path: Path) -> None:
    two = [str(EXAMPLES / "pierwszy-zakup.yaml"), str(EXAMPLES / "lojalnost-bank.yaml")]
    assert run_cli("render", "-f", "dot", "-o", "-", *two).exit_code == 2
    result = run_cli("render", "-f", "dot", "-o", str(tmp_path / "both"), *two)
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "both").iterdir()) == ["lojalnost-bank.dot", "pierwszy-zakup.dot"]
    persona = run_cli("render", "-f", "dot", "--persona", "anna", "-o", str(tmp_path / "p"), two[0], "-f", "svg")
    assert persona.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["pierwszy-zakup.anna.dot", "pierwszy-zakup.anna.svg"]


def test_missing_system_engine_is_a_clear_usage_error(tmp_path: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "cjmap", "render", "--engine", "system", "-o", str(tmp_path), str(MAPS[0])],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(tmp_path)},
    )
    assert process.returncode == 2
    assert "no Graphviz 'dot' on PATH" in process.stderr


def test_engine_failure_is_reported_with_its_message(tmp_path: Path) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 1\n")
    fake.chmod(0o755)
    process = subprocess.run(
        [sys.executable, "-m", "cjmap", "render", "--engine", "system", "-o", str(tmp_path / "o"), str(MAPS[0])],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"},
    )
    assert process.returncode == 1
    assert "system Graphviz dot" in process.stderr and "syntax error in line 1" in process.stderr


def test_verbose_names_the_engine(tmp_path: Path) -> None:
    result = run_cli("render", "-v", "--engine", "embedded", "-o", str(tmp_path), str(MAPS[0]))
    assert "engine: embedded graphviz-pure" in result.stderr


class CliBytes:
    """Run the CLI in a real process and return stdout as bytes (for images on stdout)."""

    @staticmethod
    def run(*args: str) -> bytes:
        process = subprocess.run([sys.executable, "-m", "cjmap", *args], capture_output=True, check=False)
        assert process.returncode == 0, process.stderr.decode()
        return process.stdout


def test_writing_to_a_pipe_writes_into_it_and_leaves_it_a_pipe(tmp_path: Path) -> None:
    """A regression test: the atomic rename once replaced /dev/null itself with a file."""
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli("render", "-f", "dot", "-o", str(fifo), str(EXAMPLES / "pierwszy-zakup.yaml"))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert received and received[0].startswith(b'digraph "pierwszy-zakup"')
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


CONTROL = (
    'cjmap: 1\nid: control\ntitle: "Bell\\a and back\\bspace"\nstages:\n  - id: s\n    name: "   "\n'
    '    touchpoints:\n      - {id: t, name: "\\x0c", action: "tab\\there"}\n'
)


@pytest.mark.parametrize("engine", ENGINES)
def test_control_characters_and_blank_names_still_render(write: Write, engine: str) -> None:
    """Regressions found by the property tests: a control character made the label invalid XML,
    and a blank name made an empty <B></B>; Graphviz refused the whole diagram for either."""
    path = write("control.yaml", CONTROL)
    texts = svg_texts(CliBytes.run("render", "-f", "svg", "-o", "-", "--engine", engine, str(path)))
    assert "Bell and backspace" in texts
    for output_format in ("html", "md", "mermaid"):
        result = run_cli("render", "-f", output_format, "-o", "-", str(path))
        assert result.exit_code == 0
        assert "\x07" not in result.stdout and "\x08" not in result.stdout and "\x0c" not in result.stdout
