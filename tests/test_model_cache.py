"""The cached validators (cjmap.model_cache) validate exactly as pydantic's own, and a cache that
is missing, stale, damaged or unwritable only costs time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from cjmap import model as model_module
from cjmap import model_cache
from cjmap.model import JourneyMap, Library
from cjmap.source import LoadError, load_bytes
from tests.test_properties import KEYS, STRUCTURES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private cache file, and validators loaded afresh on first use."""
    target = tmp_path / "__pycache__" / "model.test.schemas"
    monkeypatch.setattr(model_cache, "cache_file", lambda: target)
    monkeypatch.setattr(model_cache, "_validators", {})
    yield target
    model_cache._validators.clear()


def _outcome(model: type[BaseModel], data: Any, validate: Any) -> Any:
    try:
        return ("model", validate(model, data).model_dump())
    except ValidationError as error:
        return ("errors", error.json(include_url=False))  # ctx holds exceptions, equal only to themselves


def _documents() -> Iterator[tuple[str, Any]]:
    for path in sorted([*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/**/*.yaml")]):
        try:
            data = load_bytes(path.read_bytes(), path.name).data
        except LoadError:
            continue  # not a YAML document cjmap reads: never reaches the model
        if isinstance(data, dict):
            yield path.name, data


def test_the_cached_validators_give_the_same_models_and_the_same_errors(cache: Path) -> None:
    documents = list(_documents())
    assert len(documents) > 12
    for name, data in documents:
        model = Library if data.get("kind") == "library" else JourneyMap
        cached = _outcome(model, data, model_cache.validate)
        plain = _outcome(model, data, lambda m, d: m.model_validate(d))
        assert cached == plain, name


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, STRUCTURES, max_size=6), st.dictionaries(KEYS, STRUCTURES, max_size=3))
def test_the_same_on_random_documents(touchpoint: dict[str, Any], top: dict[str, Any]) -> None:
    document = {"cjmap": 1, "id": "m", "title": "T", **top}
    document.setdefault("stages", [{"id": "a", "touchpoints": [{"id": "t", **touchpoint}]}])
    for model in (JourneyMap, Library):
        assert _outcome(model, document, model_cache.validate) == _outcome(
            model, document, lambda m, d: m.model_validate(d)
        )


def test_the_schemas_are_written_once_and_read_back(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = load_bytes((ROOT / "examples" / "pierwszy-zakup.yaml").read_bytes(), "pierwszy-zakup.yaml").data
    expected = JourneyMap.model_validate(data)
    assert model_cache.validate(JourneyMap, data) == expected
    assert cache.read_bytes().startswith(model_cache.cache_key())  # every model pickles: no local functions

    def no_generation(model: type[BaseModel]) -> Any:
        raise AssertionError("the schemas should have come from the cache file")

    model_cache._validators.clear()
    monkeypatch.setattr(model_cache, "_generated", no_generation)
    assert model_cache.validate(JourneyMap, data) == expected
    assert not list(cache.parent.glob("*.tmp"))  # no temporary file left behind


@pytest.mark.parametrize(
    "content",
    [b"0" * 64 + b"\nstale schemas of another model.py", None, b""],
    ids=["stale key", "damaged pickle", "empty file"],
)
def test_a_stale_or_damaged_cache_is_rebuilt(cache: Path, content: bytes | None) -> None:
    cache.parent.mkdir()
    cache.write_bytes(model_cache.cache_key() + b"not a pickle" if content is None else content)
    data = {"cjmap": 1, "id": "tiny", "title": "Tiny", "stages": [{"id": "s", "name": "S", "touchpoints": []}]}
    assert model_cache.validate(JourneyMap, data).id == "tiny"
    assert cache.read_bytes().startswith(model_cache.cache_key())  # replaced by a good one


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(model_cache, "cache_file", lambda: blocker / "__pycache__" / "model.schemas")
    monkeypatch.setattr(model_cache, "_validators", {})
    with pytest.raises(ValidationError):
        model_cache.validate(JourneyMap, {"cjmap": 1})
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    model_cache._validators.clear()


def test_the_key_follows_model_py(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "model.py"
    copy.write_bytes(Path(str(model_module.__file__)).read_bytes())
    monkeypatch.setattr(model_module, "__file__", str(copy))
    key = model_cache.cache_key()
    copy.write_bytes(copy.read_bytes() + b"\n# an edit\n")
    assert model_cache.cache_key() != key


def test_the_built_in_channels_equal_validated_ones() -> None:
    from cjmap.channels import BUILTIN_CHANNELS
    from cjmap.model import Channel

    for channel in BUILTIN_CHANNELS:
        validated = Channel.model_validate(channel.model_dump(exclude_unset=True))
        assert validated.__dict__ == channel.__dict__
        assert validated.model_fields_set == channel.model_fields_set
        assert set(channel.__dict__) == set(Channel.model_fields)  # no field left to a default
