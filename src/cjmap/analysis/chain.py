"""One persona's journey as a Markov chain: where customers start and, from each touchpoint, the
share going to each next touchpoint or outcome.

The arithmetic is generic over the number type: `Fraction` gives exact results (tests and the
forecast's exact mode), `float` speed. Probabilities written in the map are read through their
decimal text (0.7 is exactly 7/10), so the exact engine computes with what the author wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

from cjmap.journey import Journey

N = TypeVar("N", Fraction, float)


def exact(value: float) -> Fraction:
    """The share as written: 0.7 is 7/10, not the binary float nearest to it."""
    return Fraction(repr(float(value)))


def floating(value: float) -> float:
    return float(value)


@dataclass(frozen=True)
class Chain(Generic[N]):
    """Transient states are touchpoints; `outcomes` absorb; a touchpoint with no way forward
    (`steps[t] == []`) ends the journey with no outcome."""

    persona: str | None
    entries: dict[str, N]  # touchpoint -> share of the persona's entrants starting there
    steps: dict[str, list[tuple[str, N]]]  # touchpoint -> (target, probability), targets merged

    def successors(self, tp: str) -> list[str]:
        """The touchpoints customers actually go to from here (probability above 0)."""
        cache: dict[str, list[str]] = self.__dict__.setdefault("_successors", {})
        found = cache.get(tp)
        if found is None:
            found = cache[tp] = [target for target, p in self.steps[tp] if p != self.zero and target in self.steps]
        return found

    outcomes: frozenset[str]
    zero: N
    one: N

    def touchpoints(self) -> list[str]:
        return list(self.steps)

    def loops(self) -> list[list[str]]:
        """The strongly connected components in topological order, found from the entries first
        (the order the forecast solves them in). Found once per chain: the trap rule and the
        forecast both need them, and `build_chain` gives both the same chain."""
        from cjmap.analysis.scc import components

        found: list[list[str]] | None = self.__dict__.get("_loops")
        if found is None:
            found = self.__dict__["_loops"] = components(list(self.entries) + self.touchpoints(), self.successors)
        return found


def split(given: list[float | None], one: N, convert: Callable[[float], N]) -> list[N]:
    """Shares as the map reads them: the given ones as written, the rest sharing what they leave
    equally. When every share is given they are scaled to add up to exactly one (a map within
    the tolerance of `branch-probabilities`, like 1/3 written 0.333, stays a distribution)."""
    fixed = [convert(g) if g is not None else None for g in given]
    total = sum((f for f in fixed if f is not None), one - one)
    open_count = sum(1 for f in fixed if f is None)
    if open_count:
        rest = max(one - total, one - one) / open_count
        return [f if f is not None else rest for f in fixed]
    if total == 0:
        return [one - one for _ in fixed]
    return [f / total for f in fixed if f is not None]


def build_chain(journey: Journey, persona: str | None, convert: Callable[[float], N], one: N) -> Chain[N]:
    """The persona's chain over the touchpoints reachable from their entries. Built once per
    journey, persona and arithmetic: the trap rule and the forecast (and a diff's forecast of a
    checked map) ask for the same chain. Callers must not change it."""
    key = ("chain", persona, convert, type(one), one)
    return journey.derived(key, lambda: _build_chain(journey, persona, convert, one))


def _build_chain(journey: Journey, persona: str | None, convert: Callable[[float], N], one: N) -> Chain[N]:
    zero = one - one
    shares = journey.entry_shares(persona)
    entry_values = split(list(shares.values()), one, convert)
    entries = {tp: share for tp, share in zip(shares, entry_values, strict=True) if share != zero}
    steps: dict[str, list[tuple[str, N]]] = {}
    pending = list(entries)
    while pending:
        current = pending.pop()
        if current in steps:
            continue
        merged: dict[str, N] = {}
        written = journey.edges.get(current)
        if written and written[0].implicit:  # the one way on, taken by everyone: what `split` gives it
            following = journey.implicit_next(current, persona)
            if following is not None:
                merged[following] = zero + one
        else:
            edges = journey.edges_for(current, persona)
            probabilities = split([edge.probability_for(persona) for edge in edges], one, convert)
            for edge, probability in zip(edges, probabilities, strict=True):
                merged[edge.target] = merged.get(edge.target, zero) + probability
        steps[current] = list(merged.items())  # ways with probability 0 kept: variants may open them
        pending.extend(t for t, p in merged.items() if p != zero and t in journey.touchpoints and t not in steps)
    ordered = {placed.touchpoint.id: None for placed in journey.ordered() if placed.touchpoint.id in steps}
    return Chain(
        persona,
        entries,
        {tp: steps[tp] for tp in ordered},
        frozenset(journey.outcomes),
        zero,
        one,
    )


def traps(chain: Chain[N], loops: list[list[str]] | None = None) -> list[list[str]]:
    """Sets of touchpoints customers can enter and never leave towards an outcome or an end: a
    closed loop of the chain (every way out stays inside it). In journey order. `loops`: the
    chain's strongly connected components, when the caller has them already (a component's
    members, and so the result, do not depend on the order they were found in)."""
    found = []
    position = {tp: i for i, tp in enumerate(chain.steps)}
    for component in loops if loops is not None else chain.loops():
        if len(component) == 1 and component[0] not in chain.successors(component[0]):
            continue
        members = set(component)
        looping = len(component) > 1 or component[0] in chain.successors(component[0])
        ways_out = [target for tp in component for target, p in chain.steps[tp] if p != chain.zero]
        closed = all(target in members for target in ways_out)
        if looping and closed:
            found.append(sorted(component, key=position.__getitem__))
    return sorted(found, key=lambda trap: position[trap[0]])
