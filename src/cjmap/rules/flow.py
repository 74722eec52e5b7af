"""Rules about how customers move: forks, reachability, dead ends, empty columns."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cjmap import rule_ids
from cjmap.analysis.chain import build_chain, floating, traps
from cjmap.diagnostics import Finding, Path, Severity, summarise
from cjmap.journey import Edge, Journey
from cjmap.model import Goal
from cjmap.rules.base import Context, rule

_TOLERANCE = 1e-6


@rule(
    rule_ids.BRANCH_PROBABILITIES,
    "branch-probabilities",
    Severity.ERROR,
    "Branch probabilities of a decision do not add up to 1.",
)
def branch_probabilities(journey: Journey, context: Context) -> Iterator[Finding]:
    """When every way out of a touchpoint (its decision's branches and its `next` items written
    as `{to, probability}`) has a probability, they must add up to 1. When only some have one,
    those must leave room for the rest (add up to less than 1): the remainder is shared equally
    by the ways without a probability. Probabilities given per persona are checked per persona."""
    edges_of = journey.edges
    for placed in journey.ordered():
        tp = placed.touchpoint
        edges = edges_of[tp.id]
        if not edges or (len(edges) == 1 and edges[0].implicit):
            continue  # most touchpoints: no way written out, so no probability
        edges = [edge for edge in edges if not edge.implicit]
        if not any(edge.probability is not None or edge.probabilities for edge in edges):
            continue
        only_branches = tp.next is None
        what = (
            f"branch probabilities of '{tp.decision.question}'"
            if only_branches and tp.decision
            else (f"the probabilities of the ways out of '{tp.id}'")
        )
        path = (*placed.path, "decision", "branches") if only_branches else (*placed.path, "next")
        noun = "branches" if only_branches else "ways"
        per_persona = any(edge.probabilities for edge in edges)
        # The touchpoint's personas, and any other persona given a share here: a way from an
        # earlier touchpoint can lead them here (off-path-step warns of it), and the forecast
        # then takes their shares as written. A persona given none takes the shared ones, as
        # those of the touchpoint do.
        named = (p for edge in edges for p in edge.probabilities or () if p in journey.personas)
        personas: list[str | None] = list(dict.fromkeys([*journey.personas_of(tp), *named])) if per_persona else [None]
        for persona in personas:
            given = [edge.probability_for(persona) for edge in edges]
            message = _sum_problem(what, noun, [g for g in given if g is not None], len(edges))
            if message:
                yield Finding(path, message + (f" (for {persona})" if persona else ""))


def _sum_problem(what: str, noun: str, given: list[float], count: int) -> str | None:
    if not given:
        return None
    total = sum(given)
    complete = len(given) == count
    if complete and abs(total - 1) > _TOLERANCE:
        return (
            f"{what} add up to {total:g}, "
            f"not 1: adjust them (e.g. make the last one {max(0.0, 1 - (total - given[-1])):g})"
        )
    if not complete and total > 1 + _TOLERANCE:
        return (
            f"{what} already add up to {total:g}, leaving nothing for the {noun} without one: "
            "lower them below 1 in total"
        )
    if not complete and abs(total - 1) <= _TOLERANCE:
        return (
            f"{what} add up to 1, so the {noun} without a probability would never be taken: "
            "give them one, or remove them"
        )
    return None


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


@rule(rule_ids.ENTRY_SHARES, "entry-shares", Severity.ERROR, "A persona's entry shares do not add up to 1.")
def entry_shares(journey: Journey, context: Context) -> Iterator[Finding]:
    """A persona starts at the first touchpoint (if it involves them) and at every `entry` that
    involves them. Entries written as a share (`entry: 0.6`, or `entry: {anna: 0.6}`) must add
    up to 1 when every entry of the persona has one, and leave room for the others when only
    some have one: those split the remainder equally."""
    problems: dict[tuple[str, str], list[str]] = {}
    for persona in journey.persona_ids():
        shares = journey.entry_shares(persona)
        given = [share for share in shares.values() if share is not None]
        total = sum(given)
        complete = len(given) == len(shares)
        if not given or (complete and abs(total - 1) <= _TOLERANCE) or (not complete and total < 1 - _TOLERANCE):
            continue
        names = ", ".join(f"'{tp}'" for tp in shares)
        if complete:
            problem = f"({names}) add up to {total:g}, not 1"
        elif total > 1 + _TOLERANCE:
            problem = f"({names}) already add up to {total:g}, leaving nothing for the entries without one"
        else:
            problem = f"({names}) add up to 1, so the entries without a share would never be used"
        where = next(tp for tp, share in shares.items() if share is not None)
        problems.setdefault((where, problem), []).extend([persona] if persona else [])
    for (where, problem), personas in problems.items():
        who = f" of {', '.join(personas)}" if personas else ""
        yield Finding(
            (*journey.touchpoints[where].path, "entry"),
            f"the entry shares{who} {problem}: adjust the shares so they make 1 together",
        )


@rule(
    rule_ids.OFF_PATH_STEP,
    "off-path-step",
    Severity.WARNING,
    "A next or a branch leads a persona to a touchpoint that does not involve them.",
)
def off_path_step(journey: Journey, context: Context) -> Iterator[Finding]:
    """A `next` item or a branch is a way for the personas of its touchpoint; when it leads
    one of them to a touchpoint that lists other personas, either that touchpoint should
    involve them too, or the way is meant for someone else (give it a probability of 0 for
    them). The forecast follows the way as written."""
    involved = journey.involvement()
    for placed in journey.ordered():
        tp = placed.touchpoint
        mine = involved[tp.id]
        for edge in journey.edges[tp.id]:
            target = journey.touchpoints.get(edge.target)
            if edge.implicit or target is None:
                continue
            lost = list(dict.fromkeys(p for p in mine if not journey.involves(edge.target, p) and _taken(edge, p)))
            if lost:
                names = ", ".join(lost)
                yield Finding(
                    edge.path,
                    f"'{tp.id}' leads {names} to '{edge.target}', which does not involve "
                    f"{'them' if len(lost) > 1 else 'this persona'}: add {names} to the personas of "
                    f"'{edge.target}', or give this way a probability of 0 for {names}",
                )


def _taken(edge: Edge, persona: str) -> bool:
    probability = edge.probability_for(persona)
    return probability is None or probability > 0


@rule(rule_ids.TRAP, "trap", Severity.ERROR, "Customers can enter a loop of touchpoints and never leave it.")
def trap(journey: Journey, context: Context) -> Iterator[Finding]:
    """A loop whose probabilities let nobody out: the customers who reach it go round for ever
    and never reach an outcome or an end. Give one of its touchpoints a way out (a `next` or a
    branch with a probability above 0). The forecast refuses such a map."""
    if not can_loop(journey):
        return
    found: dict[tuple[str, ...], list[str]] = {}
    for persona in journey.persona_ids():
        for members in traps(build_chain(journey, persona, floating, 1.0)):
            found.setdefault(tuple(members), []).extend([persona] if persona else [])
    for loop, personas in found.items():
        yield Finding((*journey.touchpoints[loop[0]].path, "id"), trap_message(list(loop), personas))


def can_loop(journey: Journey) -> bool:
    """Whether any persona's way can come back to a touchpoint: a loop needs a way that leads to
    the same or an earlier touchpoint in file order, and only a written way can (the implicit one
    of a sequential map always leads on). Most maps have none, and then no chain is built."""
    placed = journey.touchpoints
    if len(placed) != len(journey.ordered()):
        return True  # a duplicated id: positions are ambiguous, let the chains decide
    for source, edges in journey.edges.items():
        for edge in edges:
            if not edge.implicit and edge.target in placed and placed[edge.target].order <= placed[source].order:
                return True
    return False


def trap_message(members: list[str], personas: list[str]) -> str:
    names = ", ".join(f"'{tp}'" for tp in members)
    who = f" for {', '.join(personas)}" if personas else ""
    return (
        f"touchpoints {names} form a trap{who}: customers who reach them never leave towards an "
        "outcome or an end; give one of them a way out (a 'next' or a branch with a probability above 0)"
    )


def forecast_references(
    journey: Journey, unknown: Callable[[str, str, object, Path, str], Finding]
) -> Iterator[Finding]:
    """The ids the forecast's fields name (reported as unknown-reference, CJM101)."""
    personas = set(journey.personas)
    declare = "declare it under 'personas'"
    for index, stage in enumerate(journey.map.stages):
        for i, persona in enumerate(stage.personas or []):
            if persona not in personas:
                yield unknown("persona", persona, personas, ("stages", index, "personas", i), declare)
    edges_of = journey.edges
    for placed in journey.ordered():
        tp = placed.touchpoint
        entry = tp.entry
        if isinstance(entry, dict):
            for persona in entry:
                if persona not in personas:
                    yield unknown("persona", persona, personas, (*placed.path, "entry", persona), declare)
        for edge in edges_of[tp.id]:
            if not edge.probabilities:
                continue  # most ways: no per-persona probability to look at
            where = edge.path[:-1] if edge.path[-1] == "to" else edge.path
            for persona in edge.probabilities:
                if persona not in personas:
                    yield unknown("persona", persona, personas, (*where, "probability", persona), declare)
    for e_index, experiment in enumerate(journey.map.experiments):
        for v_index, variant in enumerate(experiment.variants):
            for c_index, change in enumerate(variant.changes):
                path: Path = ("experiments", e_index, "variants", v_index, "changes", c_index)
                if change.at not in journey.touchpoints:
                    yield unknown("touchpoint", change.at, journey.touchpoints, (*path, "at"), "name a touchpoint")
                    continue
                ways = {edge.target for edge in journey.edges[change.at]}
                if journey.resolve(change.to) not in ways:
                    shown = ", ".join(sorted(ways)) or "nowhere"
                    yield Finding(
                        (*path, "to"),
                        f"'{change.at}' has no way to '{change.to}' (its ways lead to {shown}): a variant "
                        "changes the probability of a way the map has",
                    )
                if isinstance(change.probability, dict):
                    for persona in change.probability:
                        if persona not in personas:
                            yield unknown("persona", persona, personas, (*path, "probability", persona), declare)
    goal = journey.map.goal
    if isinstance(goal, Goal) and goal.outcome is not None and goal.outcome not in journey.outcomes:
        yield unknown("outcome", goal.outcome, journey.outcomes, ("goal", "outcome"), "declare it under 'outcomes'")
