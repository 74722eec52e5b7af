"""Journey checks: each rule is one small function registered with an id, a name and a default
severity. Its docstring is its user documentation (the README's rules table comes from here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from cjmap.diagnostics import Finding, Severity
from cjmap.journey import Journey


@dataclass(frozen=True, slots=True)
class Context:
    today: date


Check = Callable[[Journey, Context], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    check: Check | None  # None: reported by the loader or the model, not by a journey check
    configurable: bool = True

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip() if self.check else self.summary


REGISTRY: dict[str, Rule] = {}


def register(rule_id: str, name: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    def decorate(check: Check) -> Check:
        _add(Rule(rule_id, name, severity, summary, check))
        return check

    return decorate


def _add(rule: Rule) -> None:
    assert rule.id not in REGISTRY, f"rule id {rule.id} registered twice"
    REGISTRY[rule.id] = rule


# Problems found before any journey check can run: always errors.
for _id, _name, _summary in (
    ("CJM001", "syntax", "The file is not valid YAML (tabs, unclosed brackets, bad indentation)."),
    ("CJM002", "encoding", "The file is not UTF-8 text (another encoding, or binary)."),
    ("CJM003", "duplicate-key", "A key appears twice in one mapping; YAML would silently keep one."),
    ("CJM004", "unsafe-tag", "A YAML tag such as !!python/object; cjmap never constructs objects."),
    ("CJM005", "limits", "The file is too large, too deeply nested, or its aliases expand too far."),
    ("CJM006", "include", "An include is missing, outside the project, circular or not a library."),
    ("CJM007", "not-a-map", "The file is empty, holds several documents, or is not a mapping."),
    ("CJM010", "schema", "A field is unknown, missing, of the wrong type or has a wrong value."),
):
    _add(Rule(_id, _name, Severity.ERROR, _summary, None, configurable=False))
# Found by the loader too, but a warning: the data is valid, only perhaps not what was meant.
_add(Rule("CJM008", "split-text", Severity.WARNING, "A comma in a one-line list [...] seems to split a text.", None))


def lookup(reference: str) -> Rule | None:
    """A rule by id (CJM110) or by name (pain-without-opportunity)."""
    if reference.upper() in REGISTRY:
        return REGISTRY[reference.upper()]
    return next((rule for rule in REGISTRY.values() if rule.name == reference), None)


def journey_rules() -> list[Rule]:
    return [rule for rule in sorted(REGISTRY.values(), key=lambda r: r.id) if rule.check is not None]


def run(journey: Journey, context: Context) -> Iterator[tuple[Rule, Finding]]:
    for rule in journey_rules():
        assert rule.check is not None
        for finding in rule.check(journey, context):
            yield rule, finding


# Importing the modules registers their rules.
from cjmap.rules import content, flow, people, references  # noqa: E402, F401
