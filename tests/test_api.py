"""The library API under the CLI, and the tables every command reads (render and output formats)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

import cjmap
from cjmap.api import UsageError
from cjmap.commands.render import RenderRequest, render_checked
from cjmap.journey import Journey
from cjmap.render.formats import FORMATS, RenderFormat, RenderInputs
from tests.conftest import EXAMPLES, run_cli

Write = Callable[[str, str], Path]


def test_load_gives_the_model_the_journey_and_the_source(capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "pierwszy-zakup.yaml"
    result = cjmap.load(path, today="2026-11-23")
    assert not result.has_errors and result.diagnostics == []
    assert result.journey_map is not None and result.journey is not None
    assert result.journey.map is result.journey_map
    assert next(p.touchpoint.id for p in result.journey.ordered()) == result.journey_map.stages[0].touchpoints[0].id
    assert result.source == path.read_text(encoding="utf-8")
    assert result.path == path.resolve()
    assert capsys.readouterr() == ("", "")  # a library prints nothing


def test_check_reads_folders_and_lists_the_libraries_included() -> None:
    checked = cjmap.check([EXAMPLES], today="2026-11-23")
    assert [r.name for r in checked] == sorted(r.name for r in checked)  # a folder is read in path order
    assert [Path(r.name).name for r in checked if r.is_library] == ["saas-personas.yaml"] and len(checked) == 5
    as_is = next(r for r in checked if r.name.endswith("saas-onboarding-as-is.yaml"))
    assert (EXAMPLES / "shared" / "saas-personas.yaml").resolve() in as_is.included
    assert (EXAMPLES / "shared" / "saas-personas.yaml").resolve() in checked.protected()
    assert not checked.has_errors and len(checked.renderable()) == 4


def test_findings_are_data_not_output(write: Write) -> None:
    path = write(
        "broken.yaml", "cjmap: 1\nid: x\ntitle: X\nstages:\n  - id: s\n    touchpoints:\n      - {id: a, next: [b]}\n"
    )
    result = cjmap.load(path)
    assert result.has_errors
    assert [(d.rule, d.line) for d in result.diagnostics if d.severity.value == "error"] == [("CJM101", 7)]
    checked = cjmap.check(path)
    assert checked.source_line(str(path), 7) == "      - {id: a, next: [b]}"


def test_standard_input_is_read_once_and_keeps_its_text() -> None:
    text = b"cjmap: 1\nid: piped\ntitle: Piped\nstages: []\n"
    checked = cjmap.session(today="2026-11-23").check(["-"], stdin=io.BytesIO(text))
    assert [r.name for r in checked] == ["<stdin>"] and checked.results[0].source == text.decode()
    assert checked.source_line("<stdin>", 2) == "id: piped"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cjmap.load("no/such/map.yaml"), "path 'no/such/map.yaml' does not exist"),
        (lambda: cjmap.load(EXAMPLES), "is a folder"),
        (lambda: cjmap.check(EXAMPLES, today="23.11.2026"), "--today must be a date like 2026-09-15"),
        (lambda: cjmap.check(EXAMPLES, root="no/such/folder"), "is not a folder"),
        (lambda: cjmap.check(EXAMPLES, config="no/such.toml"), "does not exist"),
    ],
)
def test_a_bad_request_raises_usage_error(call: Callable[[], object], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace(".", r"\.")):
        call()


def test_render_builds_each_journey_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The journey graph validate builds is the one render draws: never built twice."""
    built: list[str] = []
    original = Journey.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Journey], journey_map: object) -> Journey:
        built.append(journey_map.id)  # type: ignore[attr-defined]
        return original(cls, journey_map)  # type: ignore[no-any-return]

    monkeypatch.setattr(Journey, "build", classmethod(counting))
    result = run_cli(
        "render", "-f", "dot", "-f", "md", "-f", "html", "-o", str(tmp_path), str(EXAMPLES / "pierwszy-zakup.yaml")
    )
    assert result.exit_code == 0, result.stderr
    assert built == ["pierwszy-zakup"]


def test_the_cli_offers_exactly_the_formats_of_the_tables() -> None:
    from cjmap.formatters import FORMATS as OUTPUT_FORMATS

    def offered(*args: str) -> str:
        result = run_cli(*args, str(EXAMPLES / "pierwszy-zakup.yaml"))
        assert result.exit_code == 2
        return " ".join(result.stderr.replace("│", " ").split())

    assert "is not one of " + ", ".join(f"'{name}'" for name in FORMATS) in offered("render", "-f", "gif")
    assert "is not one of " + ", ".join(f"'{name}'" for name in OUTPUT_FORMATS) in offered("validate", "-f", "xml")
    assert len({f.extension for f in FORMATS.values()}) == len(FORMATS)


def test_an_unknown_output_format_is_an_error_not_text() -> None:
    from cjmap.formatters import Report, render

    with pytest.raises(ValueError, match="unknown output format 'xml': choose one of text, json, github, sarif"):
        render(Report([], 0, lambda file, line: None), "xml")


def test_a_new_render_format_is_one_table_row(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The planner, the dispatcher and the writer all follow the table."""

    def outline(journey: Journey, inputs: RenderInputs) -> str:
        return "\n".join(p.touchpoint.id for p in journey.ordered()) + "\n"

    monkeypatch.setitem(FORMATS, "outline", RenderFormat("outline", "txt", outline))
    checked = cjmap.check(EXAMPLES / "pierwszy-zakup.yaml", today="2026-11-23")
    request = RenderRequest(["outline"], str(tmp_path), None, "light", "LR", "auto", False)
    assert render_checked(checked, request) == 0
    written = (tmp_path / "pierwszy-zakup.txt").read_text(encoding="utf-8").split()
    assert len(written) == len(checked.results[0].journey.ordered())  # type: ignore[union-attr]
