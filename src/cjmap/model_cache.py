"""The format's validators, built once per installation rather than once per run.

pydantic builds a model's validator in two steps: it generates the model's core schema in Python
(for the format's ~25 models, about a tenth of a small `cjmap validate` run) and hands it to
pydantic-core, which turns it into a validator in a fraction of a millisecond. The generated core
schemas are kept in a file beside model.py's bytecode, the way Python keeps bytecode: the file
starts with a key (a hash of model.py's text and of the versions of Python, pydantic and
pydantic-core), so an edited model or another pydantic never uses a stale schema; it is written
atomically, and not at all where the folder is read-only. Loading it trusts it as much as the
bytecode beside it. Validation through the cached validator is the same validation: same models,
same errors (`tests/test_model_cache.py` compares the two).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import pydantic
import pydantic_core
from pydantic import BaseModel
from pydantic_core import SchemaValidator

from cjmap import model

_MODELS: tuple[type[BaseModel], ...] = (model.JourneyMap, model.Library)
_validators: dict[type[BaseModel], SchemaValidator] = {}


def validate(model_class: type[BaseModel], data: Any) -> Any:
    """`model_class.model_validate(data)`, with the cached validator when there is one."""
    if not _validators:
        _validators.update(_load_or_build())
    validator = _validators.get(model_class)
    if validator is None:
        return model_class.model_validate(data)
    return validator.validate_python(data)


def cache_file() -> Path:
    source = Path(model.__file__)
    return source.parent / "__pycache__" / f"{source.stem}.{sys.implementation.cache_tag}.schemas"


def cache_key() -> bytes:
    """What the cached schemas depend on: model.py's text and the versions that generate them."""
    digest = hashlib.sha256(Path(model.__file__).read_bytes())
    digest.update(f"\0{sys.version}\0{pydantic.VERSION}\0{pydantic_core.__version__}".encode())
    return digest.hexdigest().encode() + b"\n"


def _load_or_build() -> dict[type[BaseModel], SchemaValidator]:
    try:
        key: bytes | None = cache_key()
    except OSError:  # model.py is not a readable file (e.g. run from an archive): no cache
        key = None
    schemas = None if key is None else _read(key)
    if schemas is None:
        schemas = [_generated(m) for m in _MODELS]
        if key is not None:
            _write(key, schemas)
    return {m: SchemaValidator(schema) for m, schema in zip(_MODELS, schemas, strict=True)}


def _generated(model_class: type[BaseModel]) -> Any:
    model_class.model_rebuild()  # the models defer their build: this generates the core schema
    return model_class.__pydantic_core_schema__


def _read(key: bytes) -> list[Any] | None:
    try:
        with cache_file().open("rb") as file:
            if file.readline() != key:
                return None
            schemas = pickle.load(file)
    except Exception:  # missing, unreadable or damaged: build the schemas as pydantic does
        return None
    return schemas if isinstance(schemas, list) and len(schemas) == len(_MODELS) else None


def _write(key: bytes, schemas: list[Any]) -> None:
    import tempfile  # only on the first run after an install or an edit

    target = cache_file()
    try:
        target.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    except OSError:  # a read-only installation: every run builds the schemas
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(key)
            pickle.dump(schemas, file, protocol=pickle.HIGHEST_PROTOCOL)
        Path(temporary).chmod(0o644)  # readable by every user of the installation, as bytecode is
        Path(temporary).replace(target)  # readers see the old file or the new one, never half
    except Exception:
        Path(temporary).unlink(missing_ok=True)
