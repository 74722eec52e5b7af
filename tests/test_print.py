"""The print layouts (-f pdf --layout poster|pages): page count and size, every touchpoint name
unbroken in the text of the PDF (pdftotext), the same bytes on every run, and clear messages."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cjmap.api import session
from cjmap.render.print_html import PAPERS, PrintOptions, band_columns, longest_word
from tests.conftest import EXAMPLES, TODAY, run_cli

pikepdf = pytest.importorskip("pikepdf")
pytest.importorskip("weasyprint")
MAPS = sorted(EXAMPLES.glob("*.yaml"))


def _render(tmp_path: Path, path: Path, layout: str, paper: str) -> Path:
    out = tmp_path / f"{path.stem}.{layout}.{paper}.pdf"
    result = run_cli("render", "-f", "pdf", "--layout", layout, "--paper", paper, "-o", str(out), str(path))
    assert result.exit_code == 0, result.stderr
    assert re.search(rf"wrote .*\({layout} on {paper}, \d+ pages?, smallest type \d+\.\d pt\)", result.stderr)
    return out


def _journey(path: Path):  # type: ignore[no-untyped-def]
    result = session(TODAY.isoformat()).check([str(path)]).results[0]
    assert result.journey is not None
    return result.journey


def _stage_pages(path: Path) -> int:
    """A cover, then one page per stage with touchpoints; a stage wider than a page goes on over more."""
    from cjmap.render.html import _columns
    from cjmap.render.i18n import Words
    from cjmap.render.print_html import LANE, PAGE_WIDTH, column_width

    journey = _journey(path)
    columns = _columns(journey, Words(journey.map.locale))
    per_page = max(1, int((PAGE_WIDTH - LANE) // column_width(columns)))
    counts = [sum(1 for c in columns if c.stage == index) for index in range(len(journey.map.stages))]
    return 1 + sum(-(-count // per_page) for count in counts if count)


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
@pytest.mark.parametrize(("layout", "paper"), [("poster", "A3"), ("pages", "A4")])
def test_pages_and_paper_of_each_layout(tmp_path: Path, path: Path, layout: str, paper: str) -> None:
    pdf = pikepdf.open(_render(tmp_path, path, layout, paper))
    expected = 1 if layout == "poster" else _stage_pages(path)
    assert len(pdf.pages) == expected
    for page in pdf.pages:
        width, height = (float(v) for v in page.mediabox[2:])
        assert (round(width, 1), round(height, 1)) == tuple(round(v, 1) for v in PAPERS[paper])
    assert str(pdf.docinfo["/Creator"]) == "cjmap" and "/CreationDate" not in pdf.docinfo


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
@pytest.mark.parametrize("layout", ["poster", "pages"])
def test_every_touchpoint_name_is_in_the_text_unbroken(tmp_path: Path, path: Path, layout: str) -> None:
    pdf = _render(tmp_path, path, layout, "A3")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = set(text.split())
    for placed in _journey(path).ordered():
        for word in placed.touchpoint.label.split():
            # A word broken inside itself would be two pieces on two lines, neither the word.
            assert word in words or any(word in w for w in words), (placed.touchpoint.id, word)


def test_the_same_pdf_on_every_run(tmp_path: Path) -> None:
    path = EXAMPLES / "lojalnost-bank.yaml"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = _render(tmp_path / "one", path, "pages", "A4")
    second = _render(tmp_path / "two", path, "pages", "A4")
    assert first.read_bytes() == second.read_bytes()


def test_a_long_map_makes_a_poster_of_rows_of_stages(tmp_path: Path) -> None:
    from benchmarks.generate import generate_map

    path = tmp_path / "g40.yaml"
    path.write_text(generate_map(40), encoding="utf-8")
    pdf = pikepdf.open(_render(tmp_path, path, "poster", "A1"))
    assert len(pdf.pages) == 1
    from cjmap.render.print_pdf import print_pdf

    printed = print_pdf(_journey(path), PrintOptions(TODAY, "poster", "A1"))
    assert printed.smallest_pt >= 6  # in rows of stages; in one row it would be under 3 pt


def test_bands_keep_stages_whole_and_in_order() -> None:
    journey = _journey(EXAMPLES / "pierwszy-zakup.yaml")
    from cjmap.render.html import _columns
    from cjmap.render.i18n import Words

    columns = _columns(journey, Words("pl"))
    for bands in range(1, 5):
        rows = band_columns(columns, bands)
        assert [c.id for row in rows for c in row] == [c.id for c in columns]
        assert len(rows) <= bands
        for before, after in itertools.pairwise(rows):
            assert before[-1].stage != after[0].stage


def test_a_line_breaks_only_between_words_and_after_hyphens() -> None:
    assert longest_word("Stand at the ITM Poznań") == len("Poznań")
    assert longest_word("e-mail powitalny") == len("powitalny")
    assert longest_word("half-marathon") == len("marathon")


def test_layout_needs_pdf_and_paper_needs_layout() -> None:
    path = str(EXAMPLES / "pierwszy-zakup.yaml")
    wrong = run_cli("render", "-f", "svg", "--layout", "poster", "-o", "-", path)
    assert wrong.exit_code == 2 and "-f pdf" in wrong.stderr
    alone = run_cli("render", "-f", "pdf", "--paper", "A4", "-o", "-", path)
    assert alone.exit_code == 2 and "--layout" in alone.stderr


def test_missing_weasyprint_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import builtins

    real = builtins.__import__

    def without_weasyprint(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", without_weasyprint)
    path = str(EXAMPLES / "pierwszy-zakup.yaml")
    result = run_cli("render", "-f", "pdf", "--layout", "pages", "-o", str(tmp_path / "x.pdf"), path)
    assert result.exit_code == 2
    assert "pip install 'cjmap[pdf]'" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
    # The diagram's PDF needs none of it.
    diagram = run_cli("render", "-f", "pdf", "-o", str(tmp_path / "d.pdf"), path)
    assert diagram.exit_code == 0 and (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("layout", ["poster", "pages"])
def test_hostile_texts_long_words_and_empty_stages_still_print(tmp_path: Path, layout: str) -> None:
    word = "x" * 300
    path = tmp_path / "hostile.yaml"
    path.write_text(
        "cjmap: 1\nid: hostile\ntitle: '</style><script>alert(1)</script>'\n"
        "stages:\n  - id: empty\n  - id: s\n    touchpoints:\n"
        f"      - {{id: a, name: '<b>&amp;</b>', action: '{word}', pain_points: ['</td></tr>']}}\n",
        encoding="utf-8",
    )
    pdf = _render(tmp_path, path, layout, "A4")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "</style><script>alert(1)</script>" in text and "<b>&amp;</b>" in text
    assert text.count("x") >= 300  # a 300-letter "word" is wrapped (the one break allowed), not lost


def test_a_map_without_touchpoints_prints_its_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("cjmap: 1\nid: empty\ntitle: Nothing yet\nstages:\n  - id: s\n", encoding="utf-8")
    for layout in ("poster", "pages"):
        assert len(pikepdf.open(_render(tmp_path, path, layout, "A4")).pages) == 1
