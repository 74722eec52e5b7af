"""The validation pipeline for one file: load -> build the model -> run the rules -> diagnostics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from cjmap.diagnostics import Diagnostic, Finding, Severity, locate
from cjmap.document import Document, Loader
from cjmap.explain import explain
from cjmap.journey import Journey
from cjmap.model import JourneyMap, Library
from cjmap.rules import REGISTRY, Context, Rule, run
from cjmap.source import LoadError, Mark, YMap


@dataclass(frozen=True)
class Settings:
    today: date
    severity: dict[str, Severity | None] = field(default_factory=dict)  # by rule id; None = off


@dataclass
class Result:
    """What checking one file gave: its diagnostics, and the model when it could be built."""

    name: str
    diagnostics: list[Diagnostic]
    journey_map: JourneyMap | None = None
    is_library: bool = False
    skipped: bool = False  # a YAML file in a folder that is not a cjmap file
    source: str | None = None  # the text, when it came from stdin
    included: list[Path] = field(default_factory=list)  # library files the map includes


def check_path(loader: Loader, path: Path, name: str, settings: Settings, skip_foreign: bool = False) -> Result:
    """Check one file. With skip_foreign (files found in a folder), a YAML mapping without a
    'cjmap' key is someone else's file (a CI workflow, say) and is skipped."""
    try:
        document = loader.load_path(path, name)
    except LoadError as error:
        return Result(name, [_load_diagnostic(error)])
    except OSError as error:
        return Result(
            name, [_diagnostic(REGISTRY["CJM002"], f"cannot read the file: {error.strerror}", name, Mark(1, 1))]
        )
    if skip_foreign and isinstance(document.data, YMap) and "cjmap" not in document.data:
        return Result(name, [], skipped=True)
    return check_document(document, settings)


def check_stdin(loader: Loader, raw: bytes, settings: Settings) -> Result:
    try:
        document = loader.load_stdin(raw)
    except LoadError as error:
        return Result("<stdin>", [_load_diagnostic(error)])
    return check_document(document, settings)


def check_document(document: Document, settings: Settings) -> Result:
    # Loader problems are errors, except the split-text warning, whose severity settings may change.
    diagnostics = [
        replace(_diagnostic(REGISTRY[p.rule], p.message, p.file, p.mark), severity=severity)
        for p in document.problems
        if (severity := settings.severity.get(p.rule, REGISTRY[p.rule].severity)) is not None
    ]
    data = document.data
    if not isinstance(data, YMap):
        what = "nothing" if data is None else "a list" if isinstance(data, list) else f"a single value ({data!r})"[:80]
        message = (
            "the top level of a map must be a mapping (key: value) with 'cjmap', 'id', 'title' "
            f"and 'stages', not {what}"
        )
        mark = getattr(data, "mark", Mark(1, 1))
        return Result(document.name, [*diagnostics, _diagnostic(REGISTRY["CJM007"], message, document.name, mark)])
    for library in document.libraries:
        diagnostics += _build(library, Library, settings)[1]
    if data.get("kind") == "library":
        diagnostics += _build(data, Library, settings)[1]
        return Result(document.name, diagnostics, is_library=True)
    journey_map, schema = _build(data, JourneyMap, settings)
    if not isinstance(journey_map, JourneyMap):
        return Result(document.name, diagnostics + schema)
    journey = Journey.build(journey_map)
    context = Context(today=settings.today)
    diagnostics += _resolve(run(journey, context), data, document.name, settings)
    return Result(document.name, diagnostics, journey_map, included=sorted(document.included))


def _build(data: YMap, model: type[BaseModel], settings: Settings) -> tuple[BaseModel | None, list[Diagnostic]]:
    """The model built from the data, or the schema diagnostics that prevent it."""
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        rule = REGISTRY["CJM010"]
        findings = [(rule, explain(detail, model)) for detail in error.errors(include_url=False)]
        return None, _resolve(findings, data, data.file, settings, suppressible=False)


def _resolve(
    findings: Iterable[tuple[Rule, Finding]], data: Any, name: str, settings: Settings, suppressible: bool = True
) -> list[Diagnostic]:
    diagnostics = []
    for rule, finding in findings:
        severity = settings.severity.get(rule.id, rule.severity)  # None: turned off
        if severity is None:
            continue
        location = locate(data, finding.path, name, finding.at_key)
        if suppressible and (rule.id in location.ignored or rule.name in location.ignored):
            continue
        diagnostics.append(
            Diagnostic(
                rule.id, rule.name, severity, finding.message, location.file, location.mark.line, location.mark.col
            )
        )
    return diagnostics


def _load_diagnostic(error: LoadError) -> Diagnostic:
    return _diagnostic(REGISTRY[error.rule], error.message, error.file, error.mark)


def _diagnostic(rule: Rule, message: str, file: str, mark: Mark) -> Diagnostic:
    return Diagnostic(rule.id, rule.name, rule.severity, message, file, mark.line, mark.col)
