"""cjmap init: every template in every language validates with no findings, and nothing is overwritten."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from cjmap.starters import STARTERS
from tests.conftest import run_cli

LOCALES = ("en", "pl", "ru")
TODAY = "2026-11-23"


def validate(*paths: Path) -> str:
    result = run_cli("validate", "--strict", "--today", TODAY, *map(str, paths))
    assert result.exit_code == 0, result.stdout
    return result.stdout


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("template", sorted(STARTERS))
def test_every_template_and_locale_validates_cleanly(template: str, locale: str, tmp_path: Path) -> None:
    target = tmp_path / "map.yaml"
    result = run_cli("init", str(target), "--template", template, "--locale", locale, "--today", TODAY)
    assert result.exit_code == 0, result.stderr
    assert validate(target) == "1 file checked: no problems\n"
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    starter = STARTERS[template]
    assert data["locale"] == locale
    assert [stage["name"] for stage in data["stages"]] == [step.stage[locale] for step in starter.steps]
    assert data["review"] == {"last": date(2026, 11, 23), "every": "4 months"}
    assert target.read_text(encoding="utf-8").count("#") >= 10  # commented for a first-time author


def test_real_stage_names_of_the_models(tmp_path: Path) -> None:
    names = {
        ("5a", "pl"): ["Świadomość", "Atrakcyjność", "Zapytanie", "Działanie", "Poparcie"],
        ("5a", "ru"): ["Осведомлённость", "Симпатия", "Изучение", "Действие", "Рекомендация"],
        ("aida", "en"): ["Attention", "Interest", "Desire", "Action"],
        ("aida", "pl"): ["Uwaga", "Zainteresowanie", "Pragnienie", "Działanie"],
        ("aida", "ru"): ["Внимание", "Интерес", "Желание", "Действие"],
    }
    for (template, locale), expected in names.items():
        assert [step.stage[locale] for step in STARTERS[template].steps] == expected


@pytest.mark.parametrize("count", [0, 1, 2, 5, 9])
def test_persona_counts(count: int, tmp_path: Path) -> None:
    for template in STARTERS:
        target = tmp_path / f"{template}.yaml"
        args = ["init", str(target), "-t", template, "--locale", "ru", "--personas", str(count), "--today", TODAY]
        assert run_cli(*args).exit_code == 0
        personas = yaml.safe_load(target.read_text(encoding="utf-8")).get("personas", [])
        assert len(personas) == count
        assert len({p["id"] for p in personas}) == count
    validate(*sorted(tmp_path.glob("*.yaml")))


def test_library_is_written_and_included(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path), "-t", "funnel", "--locale", "pl", "--library", "--personas", "3")
    assert result.exit_code == 0, result.stderr
    journey, library = tmp_path / "journey.yaml", tmp_path / "personas.yaml"
    assert yaml.safe_load(journey.read_text(encoding="utf-8"))["include"] == ["personas.yaml"]
    data = yaml.safe_load(library.read_text(encoding="utf-8"))
    assert data["kind"] == "library" and [p["name"] for p in data["personas"]] == ["Anna", "Piotr", "Kasia"]
    validate(journey)
    no_people = run_cli("init", str(tmp_path / "x.yaml"), "--library", "--personas", "0")
    assert no_people.exit_code == 2 and "--library needs at least one persona" in no_people.stderr


def test_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "journey.yaml"
    target.write_text("mine\n", encoding="utf-8")
    result = run_cli("init", str(target))
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    # With --library, an existing library stops the whole run: no map is written beside it.
    (tmp_path / "personas.yaml").write_text("theirs\n", encoding="utf-8")
    assert run_cli("init", str(tmp_path / "other.yaml"), "--library").exit_code == 1
    assert not (tmp_path / "other.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journey.yaml", "personas.yaml"]


def test_same_options_same_bytes(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        assert run_cli("init", str(tmp_path / "sub" / name), "-t", "aida", "--today", TODAY).exit_code == 0
    first = (tmp_path / "sub" / "a.yaml").read_text(encoding="utf-8").replace("id: a ", "id: x ")
    assert first == (tmp_path / "sub" / "b.yaml").read_text(encoding="utf-8").replace("id: b ", "id: x ")


def test_usage_errors(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "m.yaml"), "-t", "nope").exit_code == 2
    assert run_cli("init", str(tmp_path / "m.yaml"), "--locale", "de").exit_code == 2
    bad_day = run_cli("init", str(tmp_path / "m.yaml"), "--today", "soon")
    assert bad_day.exit_code == 2 and "--today must be a date" in bad_day.stderr
    assert not (tmp_path / "m.yaml").exists()
