"""cjmap import mermaid: hand-written journeys with their quirks, Mermaid's own refusals, and
export -> import -> export giving the same Mermaid for every shipped example."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cjmap.importers import ImportError_
from cjmap.importers.mermaid import import_mermaid
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.test_markdown import JS, node_ready

FIXTURES = ROOT / "tests" / "imports" / "mermaid"
ACCEPTED = sorted(p for p in FIXTURES.glob("*.mmd") if not p.name.startswith("refused-"))
REFUSED = sorted(FIXTURES.glob("refused-*.mmd"))
SHIPPED = [*sorted(EXAMPLES.glob("*.yaml")), EXAMPLES / "imports" / "workshop.mmd"]


def imported(path: Path) -> tuple[dict[str, Any], list[str], str]:
    text, notes = import_mermaid(path.read_text(encoding="utf-8"), path.name)
    return yaml.safe_load(text), notes, text


def test_fixtures_are_what_mermaid_itself_accepts_and_refuses() -> None:
    if not node_ready():
        if os.environ.get("CI"):
            pytest.fail("Mermaid's parser is not installed: run 'npm ci' in tests/js")
        pytest.skip("Mermaid's parser is not installed (npm ci in tests/js)")
    files = [*ACCEPTED, EXAMPLES / "imports" / "workshop.mmd", *REFUSED]
    process = subprocess.run(
        ["node", str(JS / "parse-mermaid.mjs"), *map(str, files)], capture_output=True, text=True, timeout=300
    )
    verdicts = {Path(line.split()[1].rstrip(":")).name: line.split()[0] for line in process.stdout.splitlines()}
    for path in files:
        journey_ok = verdicts[path.name] == "ok" and path.name != "refused-not-journey.mmd"
        assert journey_ok == (path in ACCEPTED or (path.suffix == ".mmd" and path.parent.name == "imports")), path.name


@pytest.mark.parametrize("path", [*ACCEPTED, EXAMPLES / "imports" / "workshop.mmd"], ids=lambda p: p.name)
def test_accepted_journeys_import_to_valid_maps(path: Path, tmp_path: Path) -> None:
    target = tmp_path / "map.yaml"
    result = run_cli("import", "mermaid", str(path), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    check = run_cli("validate", "-f", "json", str(target))
    findings = json.loads(check.stdout)["diagnostics"]
    # A score Mermaid cannot read ("Call support: high: Ben") carries no emotion over: the map
    # then says so (CJM114, a persona left out of a per-persona emotion); nothing else is found.
    assert check.exit_code == 0 and {f["rule"] for f in findings} <= {"CJM114"}, check.stdout
    assert bool(findings) == ("high: Ben" in path.read_text(encoding="utf-8")), check.stdout


@pytest.mark.parametrize("path", REFUSED, ids=lambda p: p.name)
def test_refused_journeys_are_refused_with_the_line(path: Path) -> None:
    result = run_cli("import", "mermaid", str(path))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"cjmap: error: {path}")
    if path.name != "refused-not-journey.mmd" and path.name != "refused-uppercase-journey.mmd":
        assert f"{path}:4:" in result.stderr


def test_mermaids_documentation_example() -> None:
    data, notes, _ = imported(FIXTURES / "docs-working-day.mmd")
    assert notes == []
    assert data["title"] == "My working day" and data["emotion_scale"] == [1, 5]
    assert data["personas"] == [{"id": "me", "name": "Me"}, {"id": "cat", "name": "Cat"}]
    stages = data["stages"]
    assert [s["name"] for s in stages] == ["Go to work", "Go home"]
    work = stages[0]["touchpoints"]
    assert [(t["name"], t.get("personas"), t["emotion"]) for t in work] == [
        ("Make tea", ["me"], 5),
        ("Go upstairs", ["me"], 3),
        ("Do work", None, 1),  # both actors, in map order: everyone, so no list
    ]


def test_workshop_quirks() -> None:
    data, notes, _ = imported(FIXTURES / "workshop-quirks.mmd")
    assert data["title"] == "Onboarding: week 1"  # a colon in the title is text
    assert data["description"] == "Two personas, from sign-up\nto the first invoice."  # accDescr { ... }
    assert [p["name"] for p in data["personas"]] == ["Anna", "Ben"]  # quotes dropped
    stages = {s["name"]: s["touchpoints"] for s in data["stages"]}
    assert list(stages) == ["Sign up", "Set up", "Pay"]  # the empty section is left out
    sign_up = stages["Sign up"]
    assert sign_up[1] == {"id": "confirm-e-mail", "name": "Confirm e-mail", "emotion": 2}  # ': 2 : ', '#' comment
    assert sign_up[2]["emotion"] == {"anna": 5, "ben": 1}  # one task, two scores; 7 and 0 clamped
    set_up = {t["name"]: t for t in stages["Set up"]}
    assert set_up["Import data"]["emotion"] == 4.5
    assert set_up["Invite team"]["emotion"] == 1  # an empty score is Number('') = 0, clamped
    assert set_up['Read the "Getting started" guide']["personas"] == []  # #quot; entity; no actors
    assert set_up["Call support"]["emotion"] == {"anna": 2}  # 'high' is no number: Ben has none
    assert stages["Pay"][0]["emotion"] == 1  # -1 clamped
    assert stages["Pay"][1]["personas"] == ["anna"]  # the empty actor is dropped
    joined = "\n".join(notes)
    for expected in (
        "accTitle 'Onboarding journey of a new customer' dropped",
        "workshop-quirks.mmd:12: score 7 of 'Choose a plan' is outside 1-5: clamped to 5",
        "workshop-quirks.mmd:18: task 'Call support' has a score Mermaid cannot read as a number",
        "workshop-quirks.mmd:19: 'Ben' after the actors is ignored",
        "workshop-quirks.mmd:20: section 'Empty section' has no tasks",
        "workshop-quirks.mmd:22: score -1 of 'First invoice' is outside 1-5: clamped to 1",
        "quotes around names are dropped",
    ):
        assert expected in joined


def test_front_matter_title_and_russian_ids() -> None:
    data, _notes, _ = imported(FIXTURES / "bank-ru.mmd")
    assert data["title"] == "Кредитная карта за один день" and data["id"] == "kreditnaya-karta-za-odin-den"
    assert [s["id"] for s in data["stages"]] == ["zayavka", "poluchenie", "ispolzovanie"]
    wait = data["stages"][0]["touchpoints"][1]
    assert wait["id"] == "zhdet-zvonka-iz-banka" and wait["emotion"] == {"irina": 2, "dmitriy": 1}
    first_buy = data["stages"][2]["touchpoints"][0]
    assert "personas" not in first_buy and first_buy["emotion"] == 4  # two tasks, one score: one number


def test_directive_no_title_tasks_before_a_section_polish_ids() -> None:
    data, notes, _ = imported(FIXTURES / "no-title-no-section.mmd")
    assert data["title"] == "Imported journey"
    assert [p["id"] for p in data["personas"]] == ["zoe", "lukasz"]
    assert data["stages"][0]["touchpoints"][1]["id"] == "zolta-karta"
    assert any("tasks before the first section" in note for note in notes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "must start with 'journey'"),
        ("journey\n", "the journey has no tasks"),
        ("journey\n  title x\n  section s\n  accDescr {\n  never closed\n", "'accDescr {' is never closed"),
        ("journey\n  section S\n    Journey end: 3\n", ":3: Mermaid reads the word 'journey'"),
    ],
)
def test_more_refusals(text: str, message: str) -> None:
    with pytest.raises(ImportError_, match=message.replace("(", r"\(").replace("{", r"\{")):
        import_mermaid(text, "x.mmd")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_export_import_export_gives_the_same_mermaid(path: Path, tmp_path: Path) -> None:
    if path.suffix == ".mmd":
        first = tmp_path / "first.yaml"
        assert run_cli("import", "mermaid", str(path), "-o", str(first)).exit_code == 0
        path = first
    exported = run_cli("render", "-f", "mermaid", "-o", "-", str(path)).stdout
    source = tmp_path / "exported.mmd"
    source.write_text(exported, encoding="utf-8")
    result = run_cli("import", "mermaid", str(source), "-o", str(tmp_path / "imported.yaml"))
    assert result.exit_code == 0 and "note:" not in result.stderr, result.stderr
    again = run_cli("render", "-f", "mermaid", "-o", "-", str(tmp_path / "imported.yaml")).stdout
    assert again == exported


def test_stdin_and_stdout() -> None:
    result = run_cli("import", "mermaid", "-", input="journey\n  title T\n  section S\n    Go: 4: Me\n")
    assert result.exit_code == 0
    assert result.stdout.startswith("cjmap: 1\nid: t\ntitle: T\n")


def test_same_input_same_bytes() -> None:
    path = FIXTURES / "workshop-quirks.mmd"
    assert imported(path)[2] == imported(path)[2]


def test_command_errors(tmp_path: Path) -> None:
    missing = run_cli("import", "mermaid", str(tmp_path / "nope.mmd"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    latin = tmp_path / "latin.mmd"
    latin.write_bytes("journey\n  section Été\n    Café: 3\n".encode("cp1252"))
    refused = run_cli("import", "mermaid", str(latin))
    assert refused.exit_code == 1 and "not UTF-8 text" in refused.stderr
    source = tmp_path / "j.mmd"
    source.write_text("journey\n  section S\n    Go: 3\n", encoding="utf-8")
    over_input = run_cli("import", "mermaid", str(source), "-o", str(source))
    assert over_input.exit_code == 2 and "one of the input files" in over_input.stderr
    assert source.read_text(encoding="utf-8") == "journey\n  section S\n    Go: 3\n"
    assert run_cli("import", "csv", str(source)).exit_code == 1  # not a sheet: refused, nothing written
