"""Rules about how customers move: forks, reachability, dead ends, empty columns."""

from __future__ import annotations

from collections.abc import Iterator

from cjmap import rule_ids
from cjmap.diagnostics import Finding, Severity, summarise
from cjmap.journey import Journey
from cjmap.rules.base import Context, rule

_TOLERANCE = 1e-6


@rule(
    rule_ids.BRANCH_PROBABILITIES,
    "branch-probabilities",
    Severity.ERROR,
    "Branch probabilities of a decision do not add up to 1.",
)
def branch_probabilities(journey: Journey, context: Context) -> Iterator[Finding]:
    """When every branch of a decision has a probability, they must add up to 1. When only some
    have one, those must leave room for the rest (add up to less than 1): the remainder is
    shared equally by the branches without a probability."""
    for placed in journey.ordered():
        decision = placed.touchpoint.decision
        if decision is None:
            continue
        given = [b.probability for b in decision.branches if b.probability is not None]
        if not given:
            continue
        total = sum(given)
        path = (*placed.path, "decision", "branches")
        complete = len(given) == len(decision.branches)
        if complete and abs(total - 1) > _TOLERANCE:
            yield Finding(
                path,
                f"branch probabilities of '{decision.question}' add up to {total:g}, "
                f"not 1: adjust them (e.g. make the last one {max(0.0, 1 - (total - given[-1])):g})",
            )
        elif not complete and total > 1 + _TOLERANCE:
            yield Finding(
                path,
                f"branch probabilities of '{decision.question}' already add up to {total:g}, "
                "leaving nothing for the branches without one: lower them below 1 in total",
            )
        elif not complete and abs(total - 1) <= _TOLERANCE:
            yield Finding(
                path,
                f"branch probabilities of '{decision.question}' add up to 1, so the branches "
                "without a probability would never be taken: give them one, or remove them",
            )


@rule(
    rule_ids.UNREACHABLE,
    "unreachable",
    Severity.WARNING,
    "A touchpoint cannot be reached from the start of the journey.",
)
def unreachable(journey: Journey, context: Context) -> Iterator[Finding]:
    """The journey starts at the first touchpoint and at every touchpoint marked `entry: true`.
    A touchpoint that no path from there leads to is probably missing a `next` or a branch
    pointing at it, or is a second way in that should be marked as an entry."""
    reachable = journey.reachable()
    start = summarise(journey.entries())
    for placed in journey.ordered():
        if placed.touchpoint.id not in reachable:
            yield Finding(
                (*placed.path, "id"),
                f"touchpoint '{placed.touchpoint.id}' cannot be reached from the start ({start}): "
                "point a 'next' or a branch at it, or mark it 'entry: true'",
            )


@rule(
    rule_ids.DEAD_END,
    "dead-end",
    Severity.WARNING,
    "A touchpoint leads nowhere, is not in the last stage and is no outcome.",
)
def dead_end(journey: Journey, context: Context) -> Iterator[Finding]:
    """Outside the last stage, every touchpoint should lead somewhere: to another touchpoint, a
    stage, or an outcome such as 'bought' or 'lost to a competitor'. A dead end is usually a
    forgotten `next`; a customer who leaves belongs on an outcome."""
    last = journey.last_stage_index()
    for placed in journey.ordered():
        if placed.stage_index < last and not journey.edges[placed.touchpoint.id]:
            yield Finding(
                (*placed.path, "id"),
                f"touchpoint '{placed.touchpoint.id}' leads nowhere: add 'next' with a touchpoint, "
                "a stage or an outcome (e.g. a 'lost' outcome for customers who leave)",
            )


@rule(rule_ids.EMPTY_STAGE, "empty-stage", Severity.WARNING, "A stage has no touchpoints.")
def empty_stage(journey: Journey, context: Context) -> Iterator[Finding]:
    """A stage with no touchpoints is a gap in the map: either the brand does nothing there
    (which is itself a finding worth a touchpoint) or the stage is not needed."""
    for index, stage in enumerate(journey.map.stages):
        if not stage.touchpoints:
            yield Finding(
                ("stages", index, "id"),
                f"stage '{stage.id}' has no touchpoints: add what the customer does there, or remove the stage",
            )


@rule(rule_ids.UNUSED_OUTCOME, "unused-outcome", Severity.WARNING, "An outcome is declared but nothing leads to it.")
def unused_outcome(journey: Journey, context: Context) -> Iterator[Finding]:
    """Every declared outcome should be the target of some `next` or branch; otherwise it is
    never reached and the forecast over the decision branches cannot count it."""
    targeted = {edge.target for edges in journey.edges.values() for edge in edges}
    for outcome, path in journey.outcomes.values():
        if outcome.id not in targeted:
            yield Finding(
                (*path, "id"),
                f"outcome '{outcome.id}' is never reached: point a 'next' or a branch at it, or remove it",
            )
