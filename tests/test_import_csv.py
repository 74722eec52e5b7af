"""cjmap import csv: the grid and the row shapes, delimiters, encodings, .xlsx, and the notes."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from cjmap.importers import ImportError_
from cjmap.importers.table import import_table
from tests.conftest import EXAMPLES, run_cli

GRID = EXAMPLES / "imports" / "workshop-grid.csv"
ROWS = [
    ["Stage", "Touchpoint", "Channel", "Action", "Need", "emotion:Anna", "emotion:Piotr", "Pain points", "Owner"],
    ["Discover", "Instagram reel", "social", "Watches a reel, likes it", "Inspiration", "1", "", "", "Marta"],
    ["", "Search ad", "Search engine", "Searches for shoes", "Good price", "", "0", "", ""],
    [
        "Buy",
        "Checkout",
        "Website",
        "Pays",
        "Fast, safe payment",
        "2",
        "1",
        "Delivery cost shown late\nNo instalments",
        "",
    ],
    ["Buy", "Checkout", "web", "", "", "", "", "Delivery cost shown late\nCard declined", ""],
    ["Discover", "Newsletter", "Fax machine", "Signs up", "", "7", "-3", "", ""],
]


def sheet(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def load(raw: bytes, name: str = "sheet.csv") -> tuple[dict[str, Any], list[str]]:
    text, notes = import_table(raw, name, "Workshop")
    return yaml.safe_load(text), notes


def validates(tmp_path: Path, raw: bytes, suffix: str = ".csv") -> dict[str, Any]:
    source = tmp_path / f"sheet{suffix}"
    source.write_bytes(raw)
    result = run_cli("import", "csv", str(source), "-o", str(tmp_path / "map.yaml"))
    assert result.exit_code == 0, result.stderr
    check = run_cli("validate", str(tmp_path / "map.yaml"))
    assert check.exit_code == 0, check.stdout
    data: dict[str, Any] = yaml.safe_load((tmp_path / "map.yaml").read_text(encoding="utf-8"))
    return data


def test_the_grid_in_polish(tmp_path: Path) -> None:
    data = validates(tmp_path, GRID.read_bytes())
    assert data["locale"] == "pl"
    assert [s["name"] for s in data["stages"]] == ["Świadomość", "Zainteresowanie", "Zakup"]
    first, second = data["stages"][0]["touchpoints"]
    assert first["channel"] == "social"  # "Media społecznościowe" is the built-in channel's Polish name
    assert first["backstage"] == "Płatna kampania, grupa 25–34"
    assert first["pain_points"] == ["Reklama pokazuje niedostępne rozmiary"] and first["kpis"] == ["CTR"]
    assert second["name"] == "Reklama w wyszukiwarce"  # the stage spans the empty cell after it
    collection = data["stages"][1]["touchpoints"][0]
    assert collection["need"] == "Dobry rozmiar" and collection["thoughts"] == "Czy M to na pewno mój rozmiar?"
    assert collection["emotion"] == {"anna": 0, "piotr": 1}
    checkout = data["stages"][2]["touchpoints"][0]
    assert checkout["emotion"] == 1 and checkout["pain_points"] == [
        "Koszt dostawy dopiero w koszyku",
        "Brak płatności ratalnej",
    ]
    _, notes = load(GRID.read_bytes(), "workshop-grid.csv")
    assert notes == ["workshop-grid.csv:11: row 'Notatki z warsztatu' is ignored (not a lane cjmap knows)"]


def test_the_grid_as_cjmap_prints_it_in_english_and_russian(tmp_path: Path) -> None:
    for labels in (
        ["Touchpoint", "Channel", "Customer action", "Emotion", "Pain points", "Opportunities"],
        ["Точка контакта", "Канал", "Действие клиента", "Эмоция", "Проблемы", "Возможности"],
    ):
        rows = [
            ["", "1. Подключение", ""],
            [labels[0], "Push", "Звонок"],
            [labels[1], "push", "phone"],
            [labels[2], "Открывает push", "Отвечает"],
            [labels[3], "-1", "1"],
            [labels[4], "Непонятно", ""],
            [labels[5], "Объяснить", ""],
        ]
        data = validates(tmp_path, sheet(rows).encode("utf-8"))
        assert data["stages"][0]["name"] == "Подключение"  # the grid's numbering is dropped
        assert [t["channel"] for t in data["stages"][0]["touchpoints"]] == ["push", "phone"]
        assert data.get("locale", "en") == ("ru" if labels[0] == "Точка контакта" else "en")


def test_one_row_per_touchpoint(tmp_path: Path) -> None:
    data, notes = load(sheet(ROWS).encode("utf-8"))
    assert [p["name"] for p in data["personas"]] == ["Anna", "Piotr"]
    discover, buy = data["stages"]
    assert [t["name"] for t in discover["touchpoints"]] == ["Instagram reel", "Search ad", "Newsletter"]
    reel, search, newsletter = discover["touchpoints"]
    assert reel["action"] == "Watches a reel, likes it" and reel["emotion"] == {"anna": 1}
    assert search["channel"] == "search"  # the built-in channel's English name
    assert newsletter["channel"] == "fax-machine" and data["channels"] == [{"id": "fax-machine", "name": "Fax machine"}]
    assert newsletter["emotion"] == {"anna": 7, "piotr": -3}
    assert data["emotion_scale"] == [-10, 10]  # the first usual scale that holds every value
    checkout = buy["touchpoints"]
    assert len(checkout) == 1 and checkout[0]["channel"] == "web"
    assert checkout[0]["pain_points"] == ["Delivery cost shown late", "No instalments", "Card declined"]
    assert notes == [
        "sheet.csv: column 'Owner' is ignored",
        "sheet.csv:6: stage 'Discover' appears again: its touchpoints are merged into one stage",
        "channel 'Fax machine' is not built in: declared as 'fax-machine'",
        "sheet.csv:5: touchpoint 'Checkout' appears twice in one stage: merged",
    ]
    validates(tmp_path, sheet(ROWS).encode("utf-8"))


def test_scale_of_unusual_values() -> None:
    rows = [["stage", "touchpoint", "emotion"], ["A", "One", "-12"], ["A", "Two", "30"]]
    data, notes = load(sheet(rows).encode("utf-8"))
    assert data["emotion_scale"] == [-12, 30]
    assert notes == ["the emotions fit no usual scale: the map's emotion_scale is [-12, 30]"]


def test_scale_follows_the_scores() -> None:
    rows = [["stage", "touchpoint", "emotion"], ["A", "One", "1"], ["A", "Two", "5"], ["A", "Three", "4,5"]]
    data, notes = load(sheet(rows).encode("utf-8"))
    assert data["emotion_scale"] == [1, 5] and notes == []
    assert [t["emotion"] for t in data["stages"][0]["touchpoints"]] == [1, 5, 4.5]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_delimiters_and_unicode_encodings(delimiter: str, encoding: str) -> None:
    data, _ = load(sheet(ROWS, delimiter).encode(encoding))
    assert data["stages"][0]["touchpoints"][0]["action"] == "Watches a reel, likes it"


@pytest.mark.parametrize(("encoding", "word"), [("cp1250", "Zażółć gęślą jaźń"), ("cp1251", "Подключение карты")])
def test_windows_code_pages_are_recognised(encoding: str, word: str) -> None:
    rows = [["Etap", "Punkt styku", "Emocje"], [word, word, "1"]]
    data, notes = load(sheet(rows, ";").encode(encoding))
    assert data["stages"][0]["name"] == word
    assert notes == [
        f"sheet.csv is not UTF-8: read as Windows-{encoding[2:]} "
        f"({'Central European' if encoding == 'cp1250' else 'Cyrillic'}); save as 'CSV UTF-8' to be sure"
    ]


def test_other_encodings_and_shapes_are_refused() -> None:
    with pytest.raises(ImportError_, match=r"not UTF-8 text .* save the sheet as 'CSV UTF-8'"):
        load(sheet([["stage", "touchpoint"], ["Été", "Crème brûlée"]]).encode("cp1252"))
    with pytest.raises(ImportError_, match="neither shape"):
        load(b"a,b\n1,2\n")
    with pytest.raises(ImportError_, match="empty"):
        load(b"\n\n")
    with pytest.raises(ImportError_, match="no touchpoints"):
        load(b"stage,touchpoint\nA,\n")


def test_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append([int(c) if c.lstrip("-").isdigit() else (c or None) for c in row])
    book.create_sheet("Notes")
    out = io.BytesIO()
    book.save(out)
    data = validates(tmp_path, out.getvalue(), ".xlsx")
    assert data["stages"][0]["touchpoints"][0]["emotion"] == {"anna": 1}
    _, notes = load(out.getvalue(), "sheet.xlsx")
    assert "sheet.xlsx: only the first sheet 'Sheet' is read" in notes
    with pytest.raises(ImportError_, match=r"not a readable \.xlsx"):
        load(b"PK\x03\x04garbage", "broken.xlsx")


def test_same_input_same_bytes() -> None:
    raw = GRID.read_bytes()
    assert import_table(raw, "g.csv", "G") == import_table(raw, "g.csv", "G")


def test_rows_with_flow_columns(tmp_path: Path) -> None:
    rows = [
        ["stage", "touchpoint", "channel", "emotion", "next", "kpis", "pain points"],
        ["Ask", "Compare prices (entry point)", "web", "-1",
         "Buy here?\nHas a code → Checkout (60%)\nCheaper elsewhere → Lost to a rival (lost) (40%)",
         "Bounce rate: 40% / 30%", "Delivery cost shown late (severity: high, reported)"],
        ["Ask", "Reminder", "sms", "0", "Checkout", "", ""],
        ["Act", "Checkout", "web", "1", "Next: Thank-you page, Review", "", ""],
        ["Act", "Thank-you page", "web", "1", "", "", ""],
        ["Advocate", "Review", "email", "2", "Happy customer (success)", "", ""],
    ]  # fmt: skip
    data = validates(tmp_path, sheet(rows).encode("utf-8"))
    compare, reminder = data["stages"][0]["touchpoints"]
    assert compare["name"] == "Compare prices" and compare["entry"] is True
    assert compare["decision"] == {
        "question": "Buy here?",
        "branches": [
            {"when": "Has a code", "to": "checkout", "probability": 0.6},
            {"when": "Cheaper elsewhere", "to": "lost-to-a-rival", "probability": 0.4},
        ],
    }
    assert compare["kpis"] == [{"name": "Bounce rate", "unit": "%", "target": 30, "actual": 40}]
    assert compare["pain_points"] == [{"text": "Delivery cost shown late", "severity": "high", "evidence": "reported"}]
    assert reminder["next"] == ["checkout"]
    assert data["stages"][1]["touchpoints"][0]["next"] == ["thank-you-page", "review"]
    assert data["outcomes"] == [
        {"id": "lost-to-a-rival", "name": "Lost to a rival", "kind": "lost"},
        {"id": "happy-customer", "name": "Happy customer", "kind": "success"},
    ]
    _, notes = load(sheet(rows).encode("utf-8"))
    assert notes == []
    shares = [row[:] for row in rows]
    shares[1][4] = "Buy here?\nHas a code → Checkout (60%)\nCheaper elsewhere → Checkout (30%)"
    data, notes = load(sheet(shares).encode("utf-8"))
    assert "probability" not in data["stages"][0]["touchpoints"][0]["decision"]["branches"][0]
    assert "sheet.csv: the branch shares of 'Compare prices' do not add up to 100%: left out" in notes
