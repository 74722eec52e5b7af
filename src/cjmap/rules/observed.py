"""Rules that hold the map against a measurement (`validate --measured FILE`): they find nothing
without one."""

from __future__ import annotations

from collections.abc import Iterator

from cjmap import rule_ids
from cjmap.diagnostics import Finding, Severity
from cjmap.journey import Journey
from cjmap.rules.base import Context, rule


@rule(
    rule_ids.OBSERVED_PROBABILITY,
    "observed-probability",
    Severity.WARNING,
    "A declared probability lies outside the interval observed in the event log (with --measured).",
)
def observed_probability(journey: Journey, context: Context) -> Iterator[Finding]:
    """With `validate --measured FILE` (a measurement written by `cjmap measure --write`), each
    declared probability of a branch or `next` item must lie inside the 95% Wilson interval of
    the share of customers who took that way in the log: a probability for everyone against all
    customers, one per persona against that persona's. Nothing is checked without a measurement,
    and the map is never changed: update the probability, or find out why customers behave
    otherwise than designed."""
    measured = context.measured
    if measured is None or measured.map_id != journey.map.id:
        return
    from cjmap.analysis.measure.written import drifted_probabilities

    for drift in drifted_probabilities(journey, measured.edges):
        yield Finding(
            drift.path,
            f"{drift.message()} in {measured.describe()}: set the probability to about "
            f"{drift.observed:.2f}, or find out why customers behave otherwise",
        )
