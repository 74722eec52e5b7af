"""The forecast: what each persona's customers do at the forks, solved exactly.

Each persona's journey is an absorbing Markov chain (`chain.py`): touchpoints are transient,
outcomes absorb, a touchpoint with no way forward ends the journey with no outcome. The chain is
split into strongly connected components (loops) in topological order; each component is
solved by sparse Gaussian elimination (`linear.py`), so loops are solved, never unrolled or
simulated. The same code runs on `Fraction` (exact) and `float`.

Per component C, with the mass `inflow` entering it and the success value `U` of everything
after it already known:
- expected visits v solve v_k = inflow_k + sum_i v_i Q_ik (forward, topological order);
- success values u solve u_k = sum_x Q_kx U_x (backward, reverse order);
- for each touchpoint t, one solve on C without t gives b (the chance of reaching t from each
  member) and a (the chance of success without passing t). Then reach(t) = inflow_t +
  sum_k inflow_k b_k, and with t's ways changed to p', the success from t is A / (1 - B),
  A = sum_x p'_x a_x, B = sum_x p'_x b_x: the exact effect of moving one branch.
Outcome probabilities are the flow into them (sum_i v_i Q_io) and the expected number of
touchpoints is sum_i v_i.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Generic

from cjmap.analysis.chain import Chain, N, build_chain, exact, floating, traps
from cjmap.analysis.linear import solve
from cjmap.journey import Journey
from cjmap.model import Experiment, Goal, Variant

EVERYONE = "everyone"  # the persona key of a map without personas
LOOP_LIMIT = 300  # touchpoints in one loop: each needs its own solve of the loop for its reach
PATH_SEARCH_LIMIT = 20_000  # partial paths a best-first search may expand
TOP_PATHS = 5
NUDGE = "0.1"  # the sensitivity step: ten percentage points


class ForecastError(ValueError):
    """The map cannot be forecast (a trap, a loop too large, a variant that does not fit)."""


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Path(Generic[N]):
    touchpoints: tuple[str, ...]
    end: str | None  # an outcome, or None: the journey ends with no outcome
    probability: N


@dataclass(frozen=True)
class Nudge(Generic[N]):
    """The change in success if the way from `at` to `to` moved by ten points either way."""

    at: str
    to: str
    probability: N
    down: N  # change in success at probability - 0.1 (or 0)
    up: N  # change in success at probability + 0.1 (or 1)

    @property
    def weight(self) -> N:
        return max(abs(self.down), abs(self.up))


@dataclass(frozen=True)
class PersonaForecast(Generic[N]):
    persona: str
    volume: float | None
    outcomes: dict[str, N]  # every declared outcome, in declaration order
    no_outcome: N
    expected_steps: N
    reach: dict[str, N]  # every touchpoint, in journey order
    stage_reach: dict[str, N]
    success: N
    paths: tuple[Path[N], ...]
    paths_complete: bool  # False: the search stopped at its limit before finding TOP_PATHS
    removal: dict[str, N]  # touchpoint -> drop in success if it lost everyone
    nudges: tuple[Nudge[N], ...]
    # (touchpoint, target) -> expected times an entrant takes that way (its reach share on a
    # diagram's edge; above the reach of its target only where a loop repeats it)
    flow: dict[tuple[str, str], N] = field(default_factory=dict)


@dataclass(frozen=True)
class Forecast(Generic[N]):
    map_id: str
    exact: bool
    period: str | None
    currency: str | None
    personas: dict[str, PersonaForecast[N]]
    skipped: dict[str, str]  # persona -> why it has no forecast
    audience: PersonaForecast[N]  # weighted by volume when every persona has one, else equally
    weighted_by_volume: bool
    customers: dict[str, float] | None  # outcome -> expected customers per period
    value: dict[str, float] | None  # outcome -> expected value per period
    goal: GoalCheck | None
    variants: dict[str, Forecast[N]] = field(default_factory=dict)


@dataclass(frozen=True)
class GoalCheck:
    text: str
    outcome: str
    target: float
    share: float  # the audience's forecast share of the outcome
    met: bool
    personas: dict[str, bool]


# --- the engine ---------------------------------------------------------------------------


class _Numbers(Generic[N]):
    def __init__(self, convert: Callable[[float], N], one: N) -> None:
        self.convert: Callable[[float], N] = convert
        self.one: N = one
        self.zero: N = one - one


EXACT: _Numbers[Fraction] = _Numbers(exact, Fraction(1))
FLOAT: _Numbers[float] = _Numbers(floating, 1.0)


def forecast(
    journey: Journey,
    numbers: _Numbers[N],
    variant: Variant | None = None,
    personas: Iterable[str] | None = None,
    outcomes_only: bool = False,
) -> Forecast[N]:
    """The forecast of a checked map (no errors). Raises ForecastError for a trap, a loop over
    LOOP_LIMIT touchpoints or a variant that does not fit the map. outcomes_only: the outcome
    shares, success, no outcome and expected touchpoints only (what a comparison of two maps
    reads, `cjmap diff`); reach, stage reach, paths, removal effects, nudges and flow are left
    empty, which spares the backward pass and every per-touchpoint figure."""
    wanted = set(personas) if personas is not None else None
    results: dict[str, PersonaForecast[N]] = {}
    skipped: dict[str, str] = {}
    for persona in journey.persona_ids():
        key = persona or EVERYONE
        if wanted is not None and key not in wanted:
            continue
        chain = build_chain(journey, persona, numbers.convert, numbers.one)
        if variant is not None:
            chain = apply_variant(chain, variant, journey, numbers)
        if not chain.entries:
            skipped[key] = "no entry point involves this persona"
            continue
        volume = journey.personas[persona][0].volume if persona else None
        results[key] = _persona(journey, chain, key, volume, numbers, outcomes_only)
    return _assemble(journey, numbers, results, skipped, outcomes_only)


def forecast_with_variants(
    journey: Journey, numbers: _Numbers[N], experiment: Experiment, personas: Iterable[str] | None = None
) -> Forecast[N]:
    """The map as written (the control) with each of the experiment's variants."""
    wanted = list(personas) if personas is not None else None
    control = forecast(journey, numbers, personas=wanted)
    variants = {v.id: forecast(journey, numbers, v, wanted) for v in experiment.variants}
    return Forecast(**{**control.__dict__, "variants": variants})


def _assemble(
    journey: Journey,
    numbers: _Numbers[N],
    results: dict[str, PersonaForecast[N]],
    skipped: dict[str, str],
    outcomes_only: bool = False,
) -> Forecast[N]:
    volumes = [r.volume for r in results.values()]
    by_volume = bool(results) and all(v is not None for v in volumes) and sum(v or 0 for v in volumes) > 0
    weights: dict[str, N] = {}
    for key, result in results.items():
        weights[key] = numbers.convert(result.volume or 0.0) if by_volume else numbers.one
    total = sum(weights.values(), numbers.zero)
    shares = {key: weight / total for key, weight in weights.items()} if total != numbers.zero else {}
    audience = _mix(journey, results, shares, numbers, outcomes_only)
    customers = value = None
    if by_volume:
        customers = {
            o: sum(float(r.outcomes[o]) * (r.volume or 0.0) for r in results.values()) for o in journey.outcomes
        }
        valued = {o: outcome.value for o, (outcome, _) in journey.outcomes.items() if outcome.value is not None}
        if valued:
            value = {o: customers[o] * worth for o, worth in valued.items()}
    return Forecast(
        journey.map.id,
        numbers.one.__class__ is Fraction,
        journey.map.period,
        journey.map.currency,
        results,
        skipped,
        audience,
        by_volume,
        customers,
        value,
        _goal(journey, results, audience),
    )


def _goal(journey: Journey, results: dict[str, PersonaForecast[N]], audience: PersonaForecast[N]) -> GoalCheck | None:
    goal = journey.map.goal
    if not isinstance(goal, Goal) or goal.outcome is None or goal.target is None:
        return None
    if goal.outcome not in journey.outcomes:
        return None
    share = float(audience.outcomes.get(goal.outcome, 0))
    return GoalCheck(
        goal.text,
        goal.outcome,
        goal.target,
        share,
        share >= goal.target,
        {key: float(r.outcomes[goal.outcome]) >= goal.target for key, r in results.items()},
    )


def _mix(
    journey: Journey,
    results: dict[str, PersonaForecast[N]],
    shares: dict[str, N],
    numbers: _Numbers[N],
    outcomes_only: bool = False,
) -> PersonaForecast[N]:
    """The whole audience: each persona's figures weighted by its share of the entrants."""
    zero = numbers.zero
    touchpoints: Iterable[str] = () if outcomes_only else journey.touchpoints
    stages: Iterable[str] = () if outcomes_only else journey.stages
    if len(results) == 1:  # one persona is the whole audience
        (only,) = results.values()
        return PersonaForecast(
            "audience",
            only.volume,
            only.outcomes,
            only.no_outcome,
            only.expected_steps,
            only.reach,
            only.stage_reach,
            only.success,
            (),
            True,
            only.removal,
            only.nudges,
            only.flow,
        )

    def mixed(pick: Callable[[PersonaForecast[N]], dict[Any, N]], keys: Iterable[Any]) -> dict[Any, N]:
        tables = [(shares[p], pick(r)) for p, r in results.items()]  # picked once, not once per key
        return {k: sum((share * table.get(k, zero) for share, table in tables), zero) for k in keys}

    def scalar(pick: Callable[[PersonaForecast[N]], N]) -> N:
        return sum((shares[p] * pick(r) for p, r in results.items()), zero)

    nudges: dict[tuple[str, str], list[N]] = {}
    for p, r in results.items():
        for nudge in r.nudges:
            entry = nudges.setdefault((nudge.at, nudge.to), [zero, zero, zero])
            entry[0] += shares[p] * nudge.probability
            entry[1] += shares[p] * nudge.down
            entry[2] += shares[p] * nudge.up
    return PersonaForecast(
        "audience",
        sum(r.volume or 0.0 for r in results.values()) if results else None,
        mixed(lambda r: r.outcomes, journey.outcomes),
        scalar(lambda r: r.no_outcome),
        scalar(lambda r: r.expected_steps),
        mixed(lambda r: r.reach, touchpoints),
        mixed(lambda r: r.stage_reach, stages),
        scalar(lambda r: r.success),
        (),
        True,
        mixed(lambda r: r.removal, touchpoints),
        _ranked([Nudge(at, to, v[0], v[1], v[2]) for (at, to), v in nudges.items()]),
        mixed(lambda r: r.flow, sorted({way for r in results.values() for way in r.flow})),
    )


def _ranked(nudges: list[Nudge[N]]) -> tuple[Nudge[N], ...]:
    # Rounded, so that both engines rank ties (equal in exact arithmetic) the same way.
    return tuple(sorted(nudges, key=lambda n: (-round(float(n.weight), 12), n.at, n.to)))


def _persona(
    journey: Journey, chain: Chain[N], key: str, volume: float | None, numbers: _Numbers[N], outcomes_only: bool = False
) -> PersonaForecast[N]:
    zero, one = numbers.zero, numbers.one
    loops = chain.loops()
    for trap in traps(chain, loops):
        from cjmap.rules.flow import trap_message

        raise ForecastError(trap_message(trap, [key] if key != EVERYONE else []))
    if chain.topological is None:  # a chain without loops has none too large
        for loop in loops:
            if len(loop) > LOOP_LIMIT:
                shown = ", ".join(f"'{tp}'" for tp in loop[:3])
                raise ForecastError(
                    f"touchpoints {shown} and {len(loop) - 3:,} more form one loop of {len(loop):,} touchpoints "
                    f"(for {key}); cjmap forecast solves loops of up to {LOOP_LIMIT} touchpoints exactly: "
                    "split the loop, or model the repeated part as one touchpoint with a retry branch"
                )
    success_outcomes = {o for o, (outcome, _) in journey.outcomes.items() if outcome.kind == "success"}

    # Forward: expected visits.
    predecessors: dict[str, list[tuple[str, N]]] | None = None
    if chain.topological is not None:
        visits, inflow = _visits_without_loops(chain, chain.topological, one, zero)
    else:
        predecessors = _predecessors(chain)
        visits, inflow = _visits_by_loop(chain, loops, predecessors, one, zero)
    if outcomes_only:
        outcomes, no_outcome, success = _ends(journey, chain, visits, success_outcomes, zero)
        total = sum(visits.values(), zero)
        return PersonaForecast(key, volume, outcomes, no_outcome, total, {}, {}, success, (), True, {}, (), {})
    if predecessors is None:
        predecessors = _predecessors(chain)
    index = {tp: i for i, loop in enumerate(loops) for tp in loop}

    # Backward: the chance of success from each touchpoint.
    def worth(target: str, known: dict[str, N]) -> N:
        if target in chain.steps:
            return known[target]
        return one if target in success_outcomes else zero

    success_from: dict[str, N] = {}
    for loop in reversed(loops):
        members = set(loop)
        rest = {
            tp: sum((p * worth(t, success_from) for t, p in chain.steps[tp] if t not in members and p != zero), zero)
            for tp in loop
        }
        if len(loop) == 1:
            success_from[loop[0]] = rest[loop[0]] / (one - _self(loop[0], chain))
            continue
        rows = {tp: {tp: one} for tp in loop}
        for tp in loop:
            for target, p in chain.steps[tp]:
                if target in members and p != zero:
                    rows[tp][target] = rows[tp].get(target, zero) - p
        solved = solve(rows, {tp: [rest[tp]] for tp in loop}, loop, zero)
        for tp in loop:
            success_from[tp] = solved[tp][0]

    # Per touchpoint: reach, and what its ways are worth (for removal and the nudges).
    reach: dict[str, N] = {}
    nudges: list[Nudge[N]] = []
    step = numbers.convert(float(NUDGE))
    for loop in loops:
        members = set(loop)
        for t in loop:
            hit, avoid = _around(t, loop, members, chain, success_from, worth, numbers) if len(loop) > 1 else ({}, {})
            reach[t] = inflow[t] + sum((inflow[k] * hit[k] for k in loop if k != t), zero)
            # Only the ways customers take are moved: they lead into t's loop or beyond it, never
            # back upstream, so the local formula stays exact (a way at 0 may lead anywhere).
            ways = [(target, p) for target, p in chain.steps[t] if p != zero]
            if len(ways) < 2:
                continue
            # What each way is worth: (success without coming back to t, chance of coming back).
            values = [
                (zero, one)
                if target == t
                else (avoid[target], hit[target])
                if target in members
                else (worth(target, success_from), zero)
                for target, _ in ways
            ]
            total_a = sum((p * a for (_, p), (a, _) in zip(ways, values, strict=True)), zero)
            total_b = sum((p * b for (_, p), (_, b) in zip(ways, values, strict=True)), zero)
            base = total_a / (one - total_b)
            for (target, p), (a, b) in zip(ways, values, strict=True):
                moved = []
                for new in (max(p - step, zero), min(p + step, one)):
                    # The other ways keep their proportions of what is left: scaled by r.
                    r = (one - new) / (one - p)
                    new_a = new * a + r * (total_a - p * a)
                    new_b = new * b + r * (total_b - p * b)
                    moved.append(reach[t] * ((new_a / (one - new_b) if new_b != one else zero) - base))
                nudges.append(Nudge(t, target, p, moved[0], moved[1]))

    outcomes, no_outcome, success = _ends(journey, chain, visits, success_outcomes, zero)
    flow: dict[tuple[str, str], N] = {}
    for tp, ways in chain.steps.items():
        for target, p in ways:
            if p != zero:
                flow[(tp, target)] = flow.get((tp, target), zero) + visits[tp] * p
    paths, complete = top_paths(chain, TOP_PATHS)
    return PersonaForecast(
        key,
        volume,
        outcomes,
        no_outcome,
        sum(visits.values(), zero),
        {tp: reach.get(tp, zero) for tp in journey.touchpoints},
        _stage_reach(journey, chain, loops, index, visits, predecessors, numbers),
        success,
        paths,
        complete,
        {tp: reach[tp] * success_from[tp] if tp in reach else zero for tp in journey.touchpoints},
        _ranked(nudges),
        flow,
    )


def _predecessors(chain: Chain[N]) -> dict[str, list[tuple[str, N]]]:
    """Touchpoint -> (touchpoint leading to it, probability) of the ways taken, the sources in
    journey order."""
    steps, zero = chain.steps, chain.zero
    predecessors: dict[str, list[tuple[str, N]]] = {tp: [] for tp in steps}
    for tp, ways in steps.items():
        for target, p in ways:
            if p != zero and target in steps:
                predecessors[target].append((tp, p))
    return predecessors


def _visits_by_loop(
    chain: Chain[N], loops: list[list[str]], predecessors: dict[str, list[tuple[str, N]]], one: N, zero: N
) -> tuple[dict[str, N], dict[str, N]]:
    """Expected visits and the mass flowing in from outside its loop, of each touchpoint, loop
    after loop in topological order."""
    entries = chain.entries
    successors = chain.all_successors()
    visits: dict[str, N] = {}
    inflow: dict[str, N] = {}
    for loop in loops:
        if len(loop) == 1:  # no loop, or a touchpoint that repeats itself: 1 / (1 - q) visits
            tp = loop[0]
            coming = sum((visits[src] * p for src, p in predecessors[tp] if src != tp), zero)
            inflow[tp] = entries.get(tp, zero) + coming
            visits[tp] = inflow[tp] / (one - (_self(tp, chain) if tp in successors[tp] else zero))
            continue
        members = set(loop)
        for tp in loop:
            inflow[tp] = entries.get(tp, zero) + sum(
                (visits[src] * p for src, p in predecessors[tp] if src not in members), zero
            )
        visits.update(_visits_within(loop, members, predecessors, inflow, one, zero))
    return visits, inflow


def _visits_without_loops(
    chain: Chain[N], order: tuple[str, ...], one: N, zero: N
) -> tuple[dict[str, N], dict[str, N]]:
    """`_visits_by_loop` of a chain without loops (a touchpoint repeating itself aside), in one
    pass in topological order: each touchpoint's flow is handed on to the touchpoints it leads
    to. A touchpoint's inflow adds the same terms in the same order (their sources in journey
    order, as `_predecessors` lists them), so every figure is the same to the last bit."""
    steps, entries = chain.steps, chain.entries
    successors = chain.all_successors()
    rank: dict[str, int] | None = None  # position in journey order, for a touchpoint reached several ways
    handed: dict[str, list[tuple[str, N]]] = {}  # touchpoint -> (source, visits of the source * p)
    visits: dict[str, N] = {}
    inflow: dict[str, N] = {}
    for tp in order:
        came = handed.pop(tp, None)
        if came is None:
            terms: list[N] = []
        elif len(came) == 1:
            terms = [came[0][1]]
        else:
            if rank is None:
                rank = {t: i for i, t in enumerate(steps)}
            came.sort(key=lambda term: rank[term[0]])
            terms = [value for _, value in came]
        inflow[tp] = entries.get(tp, zero) + sum(terms, zero)
        visits[tp] = flowing = inflow[tp] / (one - (_self(tp, chain) if tp in successors[tp] else zero))
        for target, p in steps[tp]:
            if p != zero and target != tp and target in steps:
                waiting = handed.get(target)
                if waiting is None:
                    handed[target] = [(tp, flowing * p)]
                else:
                    waiting.append((tp, flowing * p))
    return visits, inflow


def _ends(
    journey: Journey, chain: Chain[N], visits: dict[str, N], success_outcomes: set[str], zero: N
) -> tuple[dict[str, N], N, N]:
    """Where the entrants end: each outcome's share, no outcome, and the success share."""
    outcomes = {o: zero for o in journey.outcomes}
    no_outcome = zero
    steps = chain.steps
    for tp, ways in steps.items():
        flowing = visits[tp]
        taken = False
        for target, p in ways:
            if p != zero:
                taken = True
                if target not in steps:
                    if target in outcomes:
                        outcomes[target] += flowing * p
                    else:  # an unknown id: validation reports it; the journey ends there
                        no_outcome += flowing * p
        if not taken:  # no way on: the journey ends here (nothing above was added)
            no_outcome += flowing
    success = sum((outcomes[o] for o in success_outcomes), zero)
    return outcomes, no_outcome, success


def _self(tp: str, chain: Chain[N]) -> N:
    """The probability of repeating a touchpoint straight away."""
    return sum((p for target, p in chain.steps[tp] if target == tp), chain.zero)


def _around(
    t: str,
    loop: list[str],
    members: set[str],
    chain: Chain[N],
    success_from: dict[str, N],
    worth: Callable[[str, dict[str, N]], N],
    numbers: _Numbers[N],
) -> tuple[dict[str, N], dict[str, N]]:
    """For each other member k of t's loop: the chance of reaching t from k, and the chance of
    success from k without passing t."""
    zero, one = numbers.zero, numbers.one
    others = [k for k in loop if k != t]
    if not others:
        return {}, {}
    rows: dict[str, dict[str, N]] = {k: {k: one} for k in others}
    rhs: dict[str, list[N]] = {}
    for k in others:
        to_t = zero
        outside = zero
        for target, p in chain.steps[k]:
            if p == zero:
                continue
            if target == t:
                to_t += p
            elif target in members:
                rows[k][target] = rows[k].get(target, zero) - p
            else:
                outside += p * worth(target, success_from)
        rhs[k] = [to_t, outside]
    solved = solve(rows, rhs, others, zero)
    return {k: v[0] for k, v in solved.items()}, {k: v[1] for k, v in solved.items()}


def reweigh(ways: list[tuple[str, N]], target: str, probability: N, numbers: _Numbers[N]) -> list[tuple[str, N]]:
    """The ways with `target` set to `probability`; the others keep their proportions of the
    rest (or share it equally when they had nothing)."""
    zero, one = numbers.zero, numbers.one
    others = sum((p for t, p in ways if t != target), zero)
    count = sum(1 for t, _ in ways if t != target)
    changed = []
    for t, p in ways:
        if t == target:
            changed.append((t, probability))
        elif others != zero:
            changed.append((t, p * (one - probability) / others))
        else:
            changed.append((t, (one - probability) / count))
    return changed


def apply_variant(chain: Chain[N], variant: Variant, journey: Journey, numbers: _Numbers[N]) -> Chain[N]:
    """The chain with the variant's probabilities set. Touchpoints a variant opens up (a way
    that had probability 0) join the chain."""
    steps = dict(chain.steps)
    for change in variant.changes:
        if change.at not in journey.touchpoints:
            raise ForecastError(f"variant '{variant.id}': '{change.at}' is not a touchpoint of the map")
        if isinstance(change.probability, dict):
            if chain.persona is None or chain.persona not in change.probability:
                continue
            share = change.probability[chain.persona]
        else:
            share = change.probability
        target = journey.resolve(change.to)
        ways = steps.get(change.at)
        all_targets = [e.target for e in journey.edges_for(change.at, chain.persona)]
        if target not in all_targets:
            shown = ", ".join(f"'{t}'" for t in dict.fromkeys(all_targets)) or "nowhere"
            raise ForecastError(
                f"variant '{variant.id}': '{change.at}' has no way to '{change.to}' "
                f"(its ways lead to {shown}); a variant changes probabilities, not the map's paths"
            )
        if ways is None:
            continue  # this persona never gets there
        steps[change.at] = reweigh(ways, target, numbers.convert(share), numbers)
    changed = Chain(chain.persona, chain.entries, steps, chain.outcomes, chain.zero, chain.one)
    return _reachable(changed, journey, numbers)


def _reachable(chain: Chain[N], journey: Journey, numbers: _Numbers[N]) -> Chain[N]:
    """Add touchpoints a changed probability now leads to; drop the ones nobody reaches."""
    steps: dict[str, list[tuple[str, N]]] = {}
    pending = list(chain.entries)
    while pending:
        tp = pending.pop()
        if tp in steps:
            continue
        ways = chain.steps[tp] if tp in chain.steps else _ways_of(journey, chain.persona, tp, numbers)
        steps[tp] = ways
        pending.extend(t for t, p in ways if p != numbers.zero and t in journey.touchpoints and t not in steps)
    ordered = [placed.touchpoint.id for placed in journey.ordered() if placed.touchpoint.id in steps]
    return Chain(chain.persona, chain.entries, {tp: steps[tp] for tp in ordered}, chain.outcomes, chain.zero, chain.one)


def _ways_of(journey: Journey, persona: str | None, tp: str, numbers: _Numbers[N]) -> list[tuple[str, N]]:
    from cjmap.analysis.chain import split

    edges = journey.edges_for(tp, persona)
    merged: dict[str, N] = {}
    probabilities = split([e.probability_for(persona) for e in edges], numbers.one, numbers.convert)
    for edge, p in zip(edges, probabilities, strict=True):
        merged[edge.target] = merged.get(edge.target, numbers.zero) + p
    return list(merged.items())


def top_paths(chain: Chain[N], count: int) -> tuple[tuple[Path[N], ...], bool]:
    """The most likely complete paths, best first, found exactly by best-first search: a path's
    probability only falls as it grows, so the first `count` completed are the top ones. Loops
    make the number of paths infinite; the search expands at most PATH_SEARCH_LIMIT partial
    paths and says when it stopped short."""
    zero = chain.zero
    # (minus the probability, touchpoints, outcome or "" for no outcome, complete); ties are
    # broken by the ids, so equal paths always come in the same order.
    heap: list[tuple[Any, tuple[str, ...], str, bool]] = []
    for tp, share in chain.entries.items():
        heapq.heappush(heap, (-share, (tp,), "", False))
    found: list[Path[N]] = []
    expanded = 0
    while heap and len(found) < count:
        negative, walked, end, done = heapq.heappop(heap)
        trail: tuple[str, ...] = walked
        if done:
            found.append(Path(walked, end or None, -negative))
            continue
        expanded += 1
        if expanded > PATH_SEARCH_LIMIT:
            return tuple(found), False
        ways = [(t, p) for t, p in chain.steps[walked[-1]] if p != zero]
        if not ways:
            heapq.heappush(heap, (negative, walked, "", True))
        for target, p in ways:
            if target in chain.steps:
                heapq.heappush(heap, (negative * p, (*trail, target), "", False))
            else:
                heapq.heappush(heap, (negative * p, walked, target, True))
    return tuple(found), True


def _stage_reach(
    journey: Journey,
    chain: Chain[N],
    loops: list[list[str]],
    index: dict[str, int],
    visits: dict[str, N],
    predecessors: dict[str, list[tuple[str, N]]],
    numbers: _Numbers[N],
) -> dict[str, N]:
    """The chance of reaching any touchpoint of each stage. Loops before the stage's first
    loop cannot be reached from it, so their visits count as they are; only the loops between
    the stage's first and last are solved again with the stage as the finish line."""
    zero, one = numbers.zero, numbers.one
    result: dict[str, N] = {}
    for stage_id, (stage, _) in journey.stages.items():
        members = {tp.id for tp in stage.touchpoints if tp.id in chain.steps}
        if not members:
            result[stage_id] = zero
            continue
        low = min(index[tp] for tp in members)
        high = max(index[tp] for tp in members)
        before: dict[str, N] = {}  # visits before first reaching the stage, in the range
        reached = zero
        for loop in loops[low : high + 1]:
            inside = [tp for tp in loop if tp not in members]
            looped = set(inside)
            mass: dict[str, N] = {}
            for tp in loop:
                total = chain.entries.get(tp, zero)
                for src, p in predecessors[tp]:
                    if src in members or src in looped:
                        continue
                    total += p * (before[src] if src in before else visits[src] if index[src] < low else zero)
                mass[tp] = total
            for tp in loop:
                if tp in members:
                    reached += mass[tp]
            if not inside:
                continue
            before.update(_visits_within(inside, looped, predecessors, mass, one, zero))
            for tp in loop:
                if tp in members:
                    reached += sum((before[src] * p for src, p in predecessors[tp] if src in looped), zero)
        result[stage_id] = reached
    return result


# --- comparing two maps -------------------------------------------------------------------


@dataclass(frozen=True)
class Delta:
    old: float | None  # None: the map has no such persona or outcome
    new: float | None

    @property
    def change(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass(frozen=True)
class PersonaComparison:
    outcomes: dict[str, Delta]
    no_outcome: Delta
    success: Delta
    expected_steps: Delta


@dataclass(frozen=True)
class Comparison:
    old: str
    new: str
    personas: dict[str, PersonaComparison]
    audience: PersonaComparison


def compare(old: Forecast[Any], new: Forecast[Any]) -> Comparison:
    """Two forecasts side by side (as-is and to-be): per persona and outcome, old, new, delta."""

    def side(a: PersonaForecast[Any] | None, b: PersonaForecast[Any] | None) -> PersonaComparison:
        names = list(dict.fromkeys([*(a.outcomes if a else {}), *(b.outcomes if b else {})]))

        def pick(forecast: PersonaForecast[Any] | None, value: Callable[[PersonaForecast[Any]], Any]) -> float | None:
            return float(value(forecast)) if forecast is not None else None

        return PersonaComparison(
            {
                o: Delta(
                    float(a.outcomes[o]) if a and o in a.outcomes else None,
                    float(b.outcomes[o]) if b and o in b.outcomes else None,
                )
                for o in names
            },
            Delta(pick(a, lambda f: f.no_outcome), pick(b, lambda f: f.no_outcome)),
            Delta(pick(a, lambda f: f.success), pick(b, lambda f: f.success)),
            Delta(pick(a, lambda f: f.expected_steps), pick(b, lambda f: f.expected_steps)),
        )

    keys = list(dict.fromkeys([*old.personas, *new.personas]))
    return Comparison(
        old.map_id,
        new.map_id,
        {k: side(old.personas.get(k), new.personas.get(k)) for k in keys},
        side(old.audience, new.audience),
    )


# --- JSON ---------------------------------------------------------------------------------


def number(value: Any) -> float:
    """A result as a JSON number: ten decimals are far below any decision and keep the bytes
    the same for both engines where they agree."""
    rounded = round(float(value), 10)
    return 0.0 if rounded == 0 else rounded


def persona_json(result: PersonaForecast[Any], with_paths: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "outcomes": {o: number(p) for o, p in result.outcomes.items()},
        "no_outcome": number(result.no_outcome),
        "expected_steps": number(result.expected_steps),
        "reach": {tp: number(p) for tp, p in result.reach.items()},
        "stages": {stage: number(p) for stage, p in result.stage_reach.items()},
        "success": number(result.success),
        "volume": result.volume,
        "removal": {tp: number(p) for tp, p in result.removal.items()},
        "nudges": [
            {"at": n.at, "to": n.to, "probability": number(n.probability), "down": number(n.down), "up": number(n.up)}
            for n in result.nudges
        ],
    }
    if with_paths:
        data["paths"] = [
            {"touchpoints": list(p.touchpoints), "end": p.end, "probability": number(p.probability)}
            for p in result.paths
        ]
        data["paths_complete"] = result.paths_complete
    return data


def forecast_json(result: Forecast[Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "map": result.map_id,
        "arithmetic": "exact" if result.exact else "float",
        "period": result.period,
        "currency": result.currency,
        "weighted_by": "volume" if result.weighted_by_volume else "equal shares",
        "personas": {key: persona_json(p) for key, p in result.personas.items()},
        "audience": persona_json(result.audience, with_paths=False),
        "skipped": dict(result.skipped),
        "customers": {o: number(c) for o, c in result.customers.items()} if result.customers is not None else None,
        "value": {o: number(v) for o, v in result.value.items()} if result.value is not None else None,
        "goal": None,
    }
    if result.goal is not None:
        g = result.goal
        data["goal"] = {
            "text": g.text,
            "outcome": g.outcome,
            "target": g.target,
            "share": number(g.share),
            "met": g.met,
            "personas": dict(g.personas),
        }
    if result.variants:
        data["variants"] = {}
        for name, variant in result.variants.items():
            entry = forecast_json(variant)
            entry["uplift"] = {
                key: {
                    o: number((float(p.outcomes[o]) - float(result.personas[key].outcomes[o])) * 100)
                    for o in p.outcomes
                }
                for key, p in variant.personas.items()
                if key in result.personas
            }
            entry["uplift"]["audience"] = {
                o: number((float(variant.audience.outcomes[o]) - float(result.audience.outcomes[o])) * 100)
                for o in variant.audience.outcomes
            }
            data["variants"][name] = entry
    return data


def uplift(control: PersonaForecast[Any], variant: PersonaForecast[Any]) -> dict[str, float]:
    """Percentage points each outcome gains (or loses) in the variant."""
    return {o: number((float(variant.outcomes[o]) - float(control.outcomes[o])) * 100) for o in variant.outcomes}


def comparison_json(result: Comparison) -> dict[str, Any]:
    def delta(d: Delta) -> dict[str, float | None]:
        change = d.change
        return {
            "old": None if d.old is None else number(d.old),
            "new": None if d.new is None else number(d.new),
            "delta": None if change is None else number(change),
        }

    def side(s: PersonaComparison) -> dict[str, Any]:
        return {
            "outcomes": {o: delta(d) for o, d in s.outcomes.items()},
            "no_outcome": delta(s.no_outcome),
            "success": delta(s.success),
            "expected_steps": delta(s.expected_steps),
        }

    return {
        "old": result.old,
        "new": result.new,
        "personas": {k: side(s) for k, s in result.personas.items()},
        "audience": side(result.audience),
    }


def _visits_within(
    nodes: list[str],
    inside: set[str],
    predecessors: dict[str, list[tuple[str, N]]],
    inflow: dict[str, N],
    one: N,
    zero: N,
) -> dict[str, N]:
    """Expected visits of each node of one loop, given what flows in from outside: the
    solution of (I - Q) v = inflow, with Q the ways between the nodes in `inside`."""
    rows = {tp: {tp: one} for tp in nodes}
    for tp in nodes:
        for src, p in predecessors[tp]:
            if src in inside:
                rows[tp][src] = rows[tp].get(src, zero) - p
    solved = solve(rows, {tp: [inflow[tp]] for tp in nodes}, nodes, zero)
    return {tp: solved[tp][0] for tp in nodes}
