"""Everything the format holds appears somewhere: every field of every model in cjmap.model is
shown by the HTML grid, the Markdown report or the diagram (DOT) — or is listed below with why.

tests/data/every-field.yaml gives each field a value found nowhere else; MARKERS says what text
of it to look for. A new field fails `test_every_field_is_accounted_for` until it is given a
marker here (and a renderer shows it) or an exception with its reason.
"""

from __future__ import annotations

import html
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from cjmap import model
from tests.conftest import ROOT, rendered

MAP = ROOT / "tests" / "data" / "every-field.yaml"

# (model, field) -> the text that shows it was rendered.
MARKERS: dict[tuple[str, str], str] = {
    ("JourneyMap", "id"): "mk-map-id",
    ("JourneyMap", "title"): "Mk map title",
    ("JourneyMap", "goal"): "Mk map goal",
    # The forecast's inputs, as the Forecast section (render --forecast) shows them.
    ("Goal", "text"): "Mk map goal",
    ("Goal", "outcome"): "Goal not met: Mk outcome name",
    ("Goal", "target"): "(target 37.0%)",
    ("JourneyMap", "period"): "Customers / Mk period",
    ("JourneyMap", "currency"): "Value (Mk currency)",
    ("JourneyMap", "description"): "Mk map description",
    ("JourneyMap", "state"): "to be",
    ("JourneyMap", "owner"): "Mk map owner",
    ("JourneyMap", "stakeholders"): "Mk stakeholder",
    ("JourneyMap", "review"): "2026-01-17",
    ("JourneyMap", "emotion_scale"): "−3",
    ("JourneyMap", "personas"): "Mk persona name",
    ("JourneyMap", "channels"): "Mk channel name",
    ("JourneyMap", "outcomes"): "Mk outcome name",
    ("JourneyMap", "stages"): "Mk stage name",
    ("JourneyMap", "swot"): "Mk strength",
    ("JourneyMap", "experiments"): "Mk hypothesis",
    ("Review", "last"): "2026-01-17",
    ("Review", "every"): "every 7 weeks",
    ("Persona", "id"): "mk-persona",
    ("Persona", "name"): "Mk persona name",
    ("Persona", "segment"): "churned",
    ("Persona", "age"): "Mk age",
    ("Persona", "region"): "Mk region",
    ("Persona", "interests"): "Mk interest",
    ("Persona", "goals"): "Mk persona goal",
    ("Persona", "needs"): "Mk persona need",
    ("Persona", "frustrations"): "Mk frustration",
    ("Persona", "expectations"): "Mk expectation",
    ("Persona", "data"): "mk-held-data",
    ("Persona", "description"): "Mk persona description",
    ("Channel", "id"): "mk-channel",
    ("Channel", "name"): "Mk channel name",
    ("Channel", "requires"): "mk-channel-data",
    ("Outcome", "id"): "mk-outcome",
    ("Outcome", "name"): "Mk outcome name",
    ("Outcome", "kind"): "lost",
    ("Outcome", "description"): "Mk outcome description",
    ("Stage", "id"): "mk-stage",
    ("Stage", "name"): "Mk stage name",
    ("Stage", "goal"): "Mk stage goal",
    ("Stage", "touchpoints"): "Mk touchpoint name",
    ("Touchpoint", "id"): "mk-tp",
    ("Touchpoint", "name"): "Mk touchpoint name",
    ("Touchpoint", "channel"): "Mk channel name",
    ("Touchpoint", "personas"): "Other persona",
    ("Touchpoint", "action"): "Mk action",
    ("Touchpoint", "backstage"): "Mk backstage",
    ("Touchpoint", "need"): "Mk need",
    ("Touchpoint", "thoughts"): "Mk thoughts",
    ("Touchpoint", "emotion"): "−3",
    ("Touchpoint", "pain_points"): "Mk pain",
    ("Touchpoint", "opportunities"): "Mk idea",
    ("Touchpoint", "kpis"): "Mk kpi",
    ("Touchpoint", "data"): "mk-held-data",
    ("Touchpoint", "collects"): "mk-collected",
    ("Touchpoint", "content"): "Mk content text",
    ("Touchpoint", "next"): "Won",
    ("Touchpoint", "decision"): "Mk question",
    ("Touchpoint", "entry"): "entry point",
    ("PainPoint", "text"): "Mk pain",
    ("PainPoint", "severity"): "critical",
    ("PainPoint", "evidence"): "Mk pain source",
    ("Opportunity", "text"): "Mk idea",
    ("Opportunity", "impact"): "impact: low",
    ("Opportunity", "effort"): "effort: high",
    ("Opportunity", "owner"): "Mk idea owner",
    ("Opportunity", "evidence"): "Mk idea source",
    ("Evidence", "kind"): "assumed",
    ("Evidence", "source"): "Mk kpi source",
    ("Kpi", "name"): "Mk kpi",
    ("Kpi", "unit"): "mkunit",
    ("Kpi", "target"): "17.5",
    ("Kpi", "actual"): "23.25",
    ("Kpi", "better"): "lower is better",
    ("Kpi", "evidence"): "Mk kpi source",
    ("Content", "text"): "Mk content text",
    ("Content", "kind"): "Mk content kind",
    ("Decision", "question"): "Mk question",
    ("Decision", "branches"): "Mk branch when",
    ("Branch", "when"): "Mk branch when",
    ("Branch", "to"): "Mk outcome name",
    ("Branch", "probability"): "37%",
    ("Swot", "strengths"): "Mk strength",
    ("Swot", "weaknesses"): "Mk weakness",
    ("Swot", "opportunities"): "Mk swot opportunity",
    ("Swot", "threats"): "Mk threat",
    ("SwotItem", "text"): "Mk strength",
    ("SwotItem", "priority"): "priority 7",
    ("Experiment", "id"): "mk-experiment",
    ("Experiment", "hypothesis"): "Mk hypothesis",
    ("Experiment", "touchpoints"): "Mk touchpoint name",
    ("Experiment", "metric"): "Mk metric",
    ("Experiment", "status"): "running",
    ("Experiment", "result"): "Mk result",
}

# Fields no output shows, on purpose.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("Element", "ignore"): "silences checks (cjmap validate); a setting of the tooling, not of the journey",
    ("JourneyMap", "cjmap"): "the format version: tells cjmap how to read the file",
    ("JourneyMap", "kind"): "always 'map' for a map; tells a map from a library",
    ("JourneyMap", "include"): "the included libraries' personas, channels and outcomes are shown instead",
    ("JourneyMap", "locale"): "shown as the language of every heading (and the page's lang attribute)",
    ("JourneyMap", "flow"): "shown as the arrows it makes (the diagram, 'Where next'), not as a word",
    ("Channel", "digital"): "read by no renderer or rule yet; a channel's data needs are 'requires'",
    # Inputs of the forecast: the Forecast section (render --forecast) shows what follows from them
    # (the audience weighted by volume, customers and value per period), not the numbers as written.
    ("Persona", "volume"): "customers entering per period (cjmap forecast weights the audience by it)",
    ("Outcome", "value"): "what reaching an outcome is worth (cjmap forecast's value per outcome)",
    ("NextStep", "to"): "drawn as the arrow it makes, like a plain `next` id",
    ("NextStep", "probability"): "a share of a `next` step (cjmap forecast); the renderers print only branch shares",
    ("Stage", "personas"): "shown through the touchpoints it gives its personas (their persona names)",
    ("Experiment", "variants"): "forecast against the control by cjmap forecast --experiment",
    ("Variant", "id"): "a variant of cjmap forecast --experiment",
    ("Variant", "name"): "a variant of cjmap forecast --experiment",
    ("Variant", "changes"): "what cjmap forecast --experiment changes",
    ("Change", "at"): "what cjmap forecast --experiment changes",
    ("Change", "to"): "what cjmap forecast --experiment changes",
    ("Change", "probability"): "what cjmap forecast --experiment changes",
    # Inputs of the measurement (cjmap measure), which maps the event log onto the journey.
    ("Touchpoint", "match"): "which events of a log are this touchpoint (cjmap measure)",
    ("Outcome", "match"): "which events of a log are this outcome (cjmap measure)",
    ("Persona", "match"): "which customers of a log this persona stands for (cjmap measure)",
    ("EventMatch", "event"): "an event name of a log (cjmap measure)",
    ("EventMatch", "where"): "conditions on a log's columns (cjmap measure)",
    ("Kpi", "conversion"): "a KPI measured on the log (cjmap measure fills in its actual)",
    ("KpiConversion", "from_"): "a KPI measured on the log (cjmap measure)",
    ("KpiConversion", "to"): "a KPI measured on the log (cjmap measure)",
}
# Models that are no part of a journey map's outputs.
OTHER_MODELS = {"Library"}


def _models() -> dict[str, type[BaseModel]]:
    return {
        name: value
        for name, value in vars(model).items()
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == model.__name__
    }


def _fields() -> set[tuple[str, str]]:
    """Every (model, field) of the format, each field under the model that declares it."""
    found: set[tuple[str, str]] = set()
    for name, cls in _models().items():
        if name in OTHER_MODELS or name.startswith("_"):
            continue
        inherited = {f for base in cls.__mro__[1:] if hasattr(base, "model_fields") for f in base.model_fields}
        for field in cls.model_fields:
            owner = name if field not in inherited else _owner(cls, field)
            found.add((owner, field))
    return found


def _owner(cls: type[BaseModel], field: str) -> str:
    for base in reversed(cls.__mro__):
        if issubclass(base, BaseModel) and field in getattr(base, "model_fields", {}) and base is not BaseModel:
            return "JourneyMap" if base.__name__ == "_Document" else base.__name__
    return cls.__name__


def test_every_field_is_accounted_for() -> None:
    fields = _fields()
    missing = sorted(fields - set(MARKERS) - set(EXCEPTIONS))
    assert not missing, f"fields with neither a marker nor an exception: {missing}"
    stale = sorted((set(MARKERS) | set(EXCEPTIONS)) - fields)
    assert not stale, f"markers or exceptions for fields that do not exist: {stale}"


@pytest.fixture(scope="module")
def outputs() -> dict[str, str]:
    texts = {f: rendered(f, MAP, "--forecast") for f in ("html", "md", "dot")}  # the flag only adds
    texts["html"] = html.unescape(re.sub(r"<[^>]+>", " ", texts["html"]))
    texts["dot"] = html.unescape(re.sub(r"<[^>]+>", " ", texts["dot"].replace("<BR/>", " ")))
    texts["md"] = texts["md"].replace("\\", "")
    return {name: re.sub(r"\s+", " ", text) for name, text in texts.items()}


@pytest.mark.parametrize("field", sorted(MARKERS), ids=lambda f: ".".join(f))
def test_every_field_is_rendered_somewhere(outputs: dict[str, str], field: tuple[str, str]) -> None:
    marker = MARKERS[field]
    shown = [name for name, text in outputs.items() if marker in text]
    assert shown, f"{'.'.join(field)}: {marker!r} is in none of the grid, the report and the diagram"


def test_the_marked_map_is_the_one_checked() -> None:
    assert Path(MAP).read_text(encoding="utf-8").count("Mk ") > 40
    assert typing.get_args(model.Severity)  # the format's literals are read from the model itself
