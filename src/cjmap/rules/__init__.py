"""The catalogue of checks: every rule, listed explicitly, in one place.

A rule is an id, a name, a default severity and a summary (see `base.py`); a journey check adds
one small function whose docstring is its user documentation (the README's rules table comes
from here). Adding a rule: write it in the module of its topic and list it in JOURNEY_RULES.
"""

from __future__ import annotations

from collections.abc import Container, Iterator

from cjmap import rule_ids
from cjmap.diagnostics import Finding, Severity
from cjmap.journey import Journey
from cjmap.rules import content, flow, observed, people, references
from cjmap.rules.base import Check, Context, Rule, rule

__all__ = [
    "JOURNEY_RULES",
    "LOADER_RULES",
    "REGISTRY",
    "Check",
    "Context",
    "Rule",
    "journey_rules",
    "lookup",
    "rule",
    "run",
]

# Problems found before any journey check can run (by the loader or the model): always errors,
# but for one warning the loader finds in the text itself.
LOADER_RULES: tuple[Rule, ...] = (
    *(
        Rule(rule_id, name, Severity.ERROR, summary, None, configurable=False)
        for rule_id, name, summary in (
            (rule_ids.SYNTAX, "syntax", "The file is not valid YAML (tabs, unclosed brackets, bad indentation)."),
            (rule_ids.ENCODING, "encoding", "The file is not UTF-8 text (another encoding, or binary)."),
            (
                rule_ids.DUPLICATE_KEY,
                "duplicate-key",
                "A key appears twice in one mapping; YAML would silently keep one.",
            ),
            (rule_ids.UNSAFE_TAG, "unsafe-tag", "A YAML tag such as !!python/object; cjmap never constructs objects."),
            (rule_ids.LIMITS, "limits", "The file is too large, too deeply nested, or its aliases expand too far."),
            (rule_ids.INCLUDE, "include", "An include is missing, outside the project, circular or not a library."),
            (rule_ids.NOT_A_MAP, "not-a-map", "The file is empty, holds several documents, or is not a mapping."),
            (rule_ids.INTERNAL, "internal-error", "cjmap itself failed on this file: a bug to report, with the file."),
            (rule_ids.SCHEMA, "schema", "A field is unknown, missing, of the wrong type or has a wrong value."),
        )
    ),
    Rule(
        rule_ids.SPLIT_TEXT,
        "split-text",
        Severity.WARNING,
        "A comma in a one-line list [...] seems to split a text.",
        None,
    ),
)

# The journey checks, in the order they run (by id).
JOURNEY_RULES: tuple[Rule, ...] = (
    references.unknown_reference,
    references.duplicate_id,
    flow.branch_probabilities,
    flow.unreachable,
    flow.dead_end,
    flow.empty_stage,
    people.unused_persona,
    people.missing_data,
    content.emotion_scale,
    content.pain_without_opportunity,
    content.kpi_without_target,
    content.review_overdue,
    flow.unused_outcome,
    people.emotion_missing_persona,
    flow.entry_shares,
    flow.off_path_step,
    flow.trap,
    observed.observed_probability,
)

REGISTRY: dict[str, Rule] = {known.id: known for known in sorted((*LOADER_RULES, *JOURNEY_RULES), key=lambda r: r.id)}
assert len(REGISTRY) == len(LOADER_RULES) + len(JOURNEY_RULES), "two rules share an id"


def lookup(reference: str) -> Rule | None:
    """A rule by id (CJM110) or by name (pain-without-opportunity)."""
    if reference.upper() in REGISTRY:
        return REGISTRY[reference.upper()]
    return next((known for known in REGISTRY.values() if known.name == reference), None)


def journey_rules() -> list[Rule]:
    return sorted(JOURNEY_RULES, key=lambda r: r.id)


def run(journey: Journey, context: Context, off: Container[str] = ()) -> Iterator[tuple[Rule, Finding]]:
    """Every journey rule's findings, in rule order; a rule turned off (its id in `off`) is not run."""
    for known in journey_rules():
        if known.id in off:
            continue
        assert known.check is not None
        for finding in known.check(journey, context):
            yield known, finding
