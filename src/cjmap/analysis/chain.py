"""One persona's journey as a Markov chain: where customers start and, from each touchpoint, the
share going to each next touchpoint or outcome.

The arithmetic is generic over the number type: `Fraction` gives exact results (tests and the
forecast's exact mode), `float` speed. Probabilities written in the map are read through their
decimal text (0.7 is exactly 7/10), so the exact engine computes with what the author wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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

    def all_successors(self) -> dict[str, list[str]]:
        """`successors` of every touchpoint, made in one pass (callers must not change it)."""
        cache: dict[str, list[str]] = self.__dict__.setdefault("_successors", {})
        if len(cache) < len(self.steps):
            steps, zero = self.steps, self.zero
            for tp, ways in steps.items():
                if tp not in cache:
                    cache[tp] = [target for target, p in ways if p != zero and target in steps]
        return cache

    outcomes: frozenset[str]
    zero: N
    one: N
    # Without loops (a touchpoint repeating itself aside), the touchpoints in the order Tarjan's
    # algorithm gives them as components, found while building the chain; None: not known.
    topological: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    def touchpoints(self) -> list[str]:
        return list(self.steps)

    def loops(self) -> list[list[str]]:
        """The strongly connected components in topological order, found from the entries first
        (the order the forecast solves them in). Found once per chain: the trap rule and the
        forecast both need them, and `build_chain` gives both the same chain."""
        from cjmap.analysis.scc import components

        found: list[list[str]] | None = self.__dict__.get("_loops")
        if found is None:
            if self.topological is not None:  # no loop: each touchpoint is its own component
                found = [[tp] for tp in self.topological]
            else:
                successors = self.all_successors().__getitem__
                found = components(list(self.entries) + self.touchpoints(), successors)
            self.__dict__["_loops"] = found
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
    """The chain, found by the depth-first search Tarjan's algorithm makes on it (from the
    entries in turn, each touchpoint's ways in order): without a way back to a touchpoint still
    on the search path, the chain has no loop and the reverse of the order the search finishes
    touchpoints in is the order of its components, so `loops` needs no second pass."""
    zero = one - one
    shares = journey.entry_shares(persona)
    entry_values = split(list(shares.values()), one, convert)
    entries = {tp: share for tp, share in zip(shares, entry_values, strict=True) if share != zero}
    outcomes = frozenset(journey.outcomes)
    if not entries:
        return Chain(persona, entries, {}, outcomes, zero, one, ())
    written_edges, touchpoints = journey.edges, journey.touchpoints
    next_involving = journey.next_involving(persona)
    everyone = zero + one  # the one way on, taken by everyone: what `split` gives it
    steps: dict[str, list[tuple[str, N]]] = {}
    successors: dict[str, list[str]] = {}  # `Chain.successors`, made on the way
    done: set[str] = set()  # the touchpoints the search has finished; the others seen are on its path
    finished: list[str] = []
    looped = False
    for root in entries:
        if root in steps:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        current: str | None = root
        while True:
            if current is not None:  # first seen: its ways
                written = written_edges.get(current)
                if written and written[0].implicit:
                    following = next_involving.get(current) or journey.implicit_next(current, persona)
                    steps[current] = [] if following is None else [(following, everyone)]
                    found = [] if following is None else [following]
                else:
                    steps[current] = ways = _written_ways(journey, current, persona, convert, one, zero)
                    found = [target for target, p in ways if p != zero and target in touchpoints]
                successors[current] = found
                work.append((current, iter(found)))
            elif not work:
                break
            node, ahead = work[-1]
            current = None
            for target in ahead:
                if target not in steps:
                    current = target
                    break
                if target not in done and target != node:
                    looped = True  # a way back: Tarjan's algorithm will find the loops
            else:
                work.pop()
                done.add(node)
                finished.append(node)
    position = journey.positions()
    ordered = sorted(steps, key=position.__getitem__)  # journey order
    order = None if looped else tuple(reversed(finished))
    chain = Chain(persona, entries, {tp: steps[tp] for tp in ordered}, outcomes, zero, one, order)
    chain.__dict__["_successors"] = successors
    return chain


def _written_ways(
    journey: Journey, tp: str, persona: str | None, convert: Callable[[float], N], one: N, zero: N
) -> list[tuple[str, N]]:
    """A touchpoint's written ways for the persona, targets merged; ways with probability 0 kept
    (variants may open them)."""
    merged: dict[str, N] = {}
    edges = journey.edges_for(tp, persona)
    probabilities = split([edge.probability_for(persona) for edge in edges], one, convert)
    for edge, probability in zip(edges, probabilities, strict=True):
        merged[edge.target] = merged.get(edge.target, zero) + probability
    return list(merged.items())


def traps(chain: Chain[N], loops: list[list[str]] | None = None) -> list[list[str]]:
    """Sets of touchpoints customers can enter and never leave towards an outcome or an end: a
    closed loop of the chain (every way out stays inside it). In journey order. `loops`: the
    chain's strongly connected components, when the caller has them already (a component's
    members, and so the result, do not depend on the order they were found in)."""
    found = []
    successors = chain.all_successors()
    if chain.topological is not None:  # no loop of several touchpoints: only one repeating itself
        candidates = [[tp] for tp, ahead in successors.items() if tp in ahead]
    else:
        candidates = loops if loops is not None else chain.loops()
    for component in candidates:
        if len(component) == 1 and component[0] not in successors[component[0]]:
            continue  # no loop: most components
        members = set(component)
        ways_out = [target for tp in component for target, p in chain.steps[tp] if p != chain.zero]
        if all(target in members for target in ways_out):
            found.append(component)
    if not found:
        return []
    position = {tp: i for i, tp in enumerate(chain.steps)}
    return sorted((sorted(trap, key=position.__getitem__) for trap in found), key=lambda trap: position[trap[0]])
