"""The journey as a graph: who goes where, where it starts, what can be reached.

Built once per map from the validated model; every rule reads it. It also remembers the path
of every element in the source data, so findings can point at the right line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import Any, TypeVar

from cjmap.channels import BUILTIN_CHANNELS
from cjmap.diagnostics import Path
from cjmap.model import Channel, JourneyMap, Outcome, Persona, Stage, Touchpoint, probability_for

T = TypeVar("T")


# PlacedTouchpoint and Edge are frozen dataclasses with their own __init__: the one dataclass
# writes sets each field through object.__setattr__, which made an edge cost three times what
# setting its slots directly does (a large map makes one of each per touchpoint). The __init__
# takes the same arguments and sets every field (tests/test_journey_build.py compares them).


@dataclass(frozen=True, slots=True, init=False)
class PlacedTouchpoint:
    touchpoint: Touchpoint
    stage_index: int
    order: int  # position in the whole journey, in file order
    path: Path

    def __init__(self, touchpoint: Touchpoint, stage_index: int, order: int, path: Path) -> None:
        _set_placed_touchpoint(self, touchpoint)
        _set_placed_stage_index(self, stage_index)
        _set_placed_order(self, order)
        _set_placed_path(self, path)


@dataclass(frozen=True, slots=True, init=False)
class Edge:
    source: str
    target: str  # a touchpoint or outcome id, or an unknown id (reported by a rule)
    path: Path  # where the reference is written; for implicit edges, the source touchpoint
    label: str | None = None
    probability: float | None = None  # one number for everyone; see also `probabilities`
    implicit: bool = False
    probabilities: dict[str, float] | None = None  # one per persona, as written

    def __init__(
        self,
        source: str,
        target: str,
        path: Path,
        label: str | None = None,
        probability: float | None = None,
        implicit: bool = False,
        probabilities: dict[str, float] | None = None,
    ) -> None:
        _set_edge_source(self, source)
        _set_edge_target(self, target)
        _set_edge_path(self, path)
        _set_edge_label(self, label)
        _set_edge_probability(self, probability)
        _set_edge_implicit(self, implicit)
        _set_edge_probabilities(self, probabilities)

    def probability_for(self, persona: str | None) -> float | None:
        """The share this persona takes (None: not given, it shares the remainder)."""
        return probability_for(self.probabilities if self.probabilities is not None else self.probability, persona)


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    return tuple(getattr(cls, name).__set__ for name in names)


_set_placed_touchpoint, _set_placed_stage_index, _set_placed_order, _set_placed_path = _slot_setters(
    PlacedTouchpoint, ("touchpoint", "stage_index", "order", "path")
)
(
    _set_edge_source,
    _set_edge_target,
    _set_edge_path,
    _set_edge_label,
    _set_edge_probability,
    _set_edge_implicit,
    _set_edge_probabilities,
) = _slot_setters(Edge, ("source", "target", "path", "label", "probability", "implicit", "probabilities"))


@dataclass
class Journey:
    map: JourneyMap
    touchpoints: dict[str, PlacedTouchpoint] = field(default_factory=dict)
    stages: dict[str, tuple[Stage, Path]] = field(default_factory=dict)
    personas: dict[str, tuple[Persona, Path]] = field(default_factory=dict)
    outcomes: dict[str, tuple[Outcome, Path]] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    edges: dict[str, list[Edge]] = field(default_factory=dict)
    _ordered: list[PlacedTouchpoint] = field(default_factory=list)
    _position: dict[str, int] = field(default_factory=dict)  # index in ordered()
    # What `derived` has computed, and the edges it was computed from (see there).
    _derived: dict[Hashable, Any] = field(default_factory=dict, repr=False, compare=False)
    _derived_from: dict[str, list[Edge]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, journey_map: JourneyMap) -> Journey:
        journey = cls(journey_map)
        journey.channels = {channel.id: channel for channel in BUILTIN_CHANNELS}
        for channel in journey_map.channels:
            journey.channels[channel.id] = channel
        for index, persona in enumerate(journey_map.personas):
            journey.personas.setdefault(persona.id, (persona, ("personas", index)))
        for index, outcome in enumerate(journey_map.outcomes):
            journey.outcomes.setdefault(outcome.id, (outcome, ("outcomes", index)))
        order = 0
        touchpoints, position, ordered = journey.touchpoints, journey._position, journey._ordered
        for stage_index, stage in enumerate(journey_map.stages):
            journey.stages.setdefault(stage.id, (stage, ("stages", stage_index)))
            for tp_index, touchpoint in enumerate(stage.touchpoints):
                touchpoint_id = touchpoint.id
                if touchpoint_id not in touchpoints:  # a later duplicate is reported, not placed
                    placed = PlacedTouchpoint(
                        touchpoint, stage_index, order, ("stages", stage_index, "touchpoints", tp_index)
                    )
                    touchpoints[touchpoint_id] = placed
                    position[touchpoint_id] = len(ordered)
                    ordered.append(placed)
                order += 1
        journey._link()
        return journey

    def _link(self) -> None:
        ordered = self.ordered()
        # Each touchpoint's fields read once (a model's attribute costs more than a local's).
        ids = [placed.touchpoint.id for placed in ordered]
        sequential = self.map.flow == "sequential"
        last = len(ordered) - 1
        for index, placed in enumerate(ordered):
            touchpoint, path, touchpoint_id = placed.touchpoint, placed.path, ids[index]
            items, decision = touchpoint.next, touchpoint.decision
            if items is None and decision is None:  # most touchpoints: only the way on, if any
                following = sequential and index < last
                self.edges[touchpoint_id] = (
                    [Edge(touchpoint_id, ids[index + 1], path, None, None, True, None)] if following else []
                )
                continue
            edges: list[Edge] = []
            for i, item in enumerate(items or []):
                if isinstance(item, str):
                    edges.append(Edge(touchpoint_id, self.resolve(item), (*path, "next", i)))
                else:
                    shared, own = _split(item.probability)
                    edges.append(
                        Edge(touchpoint_id, self.resolve(item.to), (*path, "next", i, "to"), None, shared, False, own)
                    )
            if decision is not None:
                for i, branch in enumerate(decision.branches):
                    shared, own = _split(branch.probability)
                    edges.append(
                        Edge(
                            touchpoint_id,
                            self.resolve(branch.to),
                            (*path, "decision", "branches", i, "to"),
                            branch.when,
                            shared,
                            False,
                            own,
                        )
                    )
            self.edges[touchpoint_id] = edges

    def resolve(self, target: str) -> str:
        """A stage id as a target means that stage's first touchpoint."""
        if target not in self.touchpoints and target in self.stages:
            stage = self.stages[target][0]
            if stage.touchpoints:
                return stage.touchpoints[0].id
        return target

    def ordered(self) -> list[PlacedTouchpoint]:
        """Touchpoints in journey order, the first of each duplicated id only."""
        return self._ordered

    def positions(self) -> Mapping[str, int]:
        """Each touchpoint's index in `ordered()` (read only)."""
        return self._position

    def entries(self) -> list[str]:
        ordered = self.ordered()
        starts = [placed.touchpoint.id for placed in ordered if placed.touchpoint.entry is not False]
        if ordered and ordered[0].touchpoint.id not in starts:
            starts.insert(0, ordered[0].touchpoint.id)
        return starts

    def reachable(self) -> set[str]:
        seen: set[str] = set()
        queue = deque(self.entries())
        while queue:
            current = queue.popleft()
            if current in seen or current not in self.touchpoints:
                continue
            seen.add(current)
            queue.extend(edge.target for edge in self.edges.get(current, []))
        return seen

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (a folder's results come back from worker processes) and copied without what
        `derived` kept: it is rebuilt on demand, which costs less than sending it."""
        state = self.__dict__.copy()
        state["_derived"], state["_derived_from"] = {}, None
        return state

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed from this journey once and then reused: on a 10,000-touchpoint map the
        rules, the forecast and the diff asked the same per-persona questions (who a touchpoint
        involves, a persona's entries, its chain) hundreds of thousands of times. The journey is
        shared by every command, so what this returns must not be changed by the caller. The
        values may depend on the edges: a copy of the journey given other edges (the measured
        journey of `forecast --measured`) starts afresh instead of seeing the original's."""
        if self._derived_from is not self.edges:
            self._derived = {}
            self._derived_from = self.edges
        try:
            return self._derived[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[key] = compute()
            return value

    def personas_of(self, touchpoint: Touchpoint) -> list[str]:
        """The personas a touchpoint involves: those it names, else those its stage names, else
        every persona of the map."""
        placed = self.touchpoints.get(touchpoint.id)
        if placed is not None and placed.touchpoint is touchpoint:
            return list(self._personas_table()[touchpoint.id])
        return self._named_personas(touchpoint)  # a later touchpoint with a duplicated id

    def involvement(self) -> Mapping[str, tuple[str, ...]]:
        """`personas_of` of every touchpoint of `ordered()`, by id and in journey order: for the
        rules that ask it of every touchpoint."""
        return MappingProxyType(self._personas_table())

    def _named_personas(self, touchpoint: Touchpoint) -> list[str]:
        named = touchpoint.personas
        if named is None and touchpoint.id in self.touchpoints:
            named = self.map.stages[self.touchpoints[touchpoint.id].stage_index].personas
        if named is not None:
            return [persona for persona in named if persona in self.personas]
        return list(self.personas)

    def _personas_table(self) -> dict[str, tuple[str, ...]]:
        return self.derived("personas_of", self._make_personas_table)

    def _make_personas_table(self) -> dict[str, tuple[str, ...]]:
        """`personas_of` of every touchpoint in journey order, in one pass (`_named_personas`
        inlined; each list of names written, and each stage naming no one, worked out once)."""
        declared = self.personas
        everyone = tuple(declared)
        stages = self.map.stages
        of_stage: dict[int, tuple[str, ...]] = {}
        of_names: dict[tuple[str, ...], tuple[str, ...]] = {}
        table: dict[str, tuple[str, ...]] = {}
        for placed in self._ordered:
            touchpoint = placed.touchpoint
            named = touchpoint.personas
            if named is None:
                found = of_stage.get(placed.stage_index)
                if found is None:
                    in_stage = stages[placed.stage_index].personas
                    found = everyone if in_stage is None else tuple([p for p in in_stage if p in declared])
                    of_stage[placed.stage_index] = found
            else:
                written = tuple(named)
                found = of_names.get(written)
                if found is None:
                    found = of_names[written] = tuple([p for p in written if p in declared])
            table[touchpoint.id] = found
        return table

    def _involved(self) -> dict[str, frozenset[str]]:
        return self.derived("involved", self._make_involved)

    def _make_involved(self) -> dict[str, frozenset[str]]:
        """Persona -> the touchpoints it is involved in, for `involves`."""
        members: dict[str, set[str]] = {persona: set() for persona in self.personas}
        for touchpoint_id, personas in self._personas_table().items():
            for persona in personas:
                members[persona].add(touchpoint_id)
        return {persona: frozenset(found) for persona, found in members.items()}

    # --- each persona's own journey (issue 9 and 13): the renderers keep the shared view above ---

    def involves(self, touchpoint_id: str, persona: str | None) -> bool:
        """Whether a touchpoint is on this persona's path (persona None: the map has none)."""
        if persona is None:
            return True
        members = self._involved().get(persona)
        return members is not None and touchpoint_id in members

    def edges_for(self, touchpoint_id: str, persona: str | None) -> list[Edge]:
        """Where this persona goes from a touchpoint: its explicit edges, or in a sequential map
        the implicit edge to the following touchpoint that involves the persona."""
        edges = self.edges.get(touchpoint_id, [])
        if not edges or not edges[0].implicit:
            return edges
        following = self.implicit_next(touchpoint_id, persona)
        return [] if following is None else [Edge(touchpoint_id, following, edges[0].path, implicit=True)]

    def implicit_next(self, touchpoint_id: str, persona: str | None) -> str | None:
        """The target of the implicit edge of `edges_for` without making the edge: the touchpoint
        after this one that involves the persona (None: none does)."""
        following = self.next_involving(persona).get(touchpoint_id)
        if following is not None or persona is None:
            return following
        places = self._places(persona)  # a touchpoint the persona is not involved in, or the last
        index = bisect_right(places, self._position[touchpoint_id])
        return self._ordered[places[index]].touchpoint.id if index < len(places) else None

    def next_involving(self, persona: str | None) -> Mapping[str, str]:
        """Touchpoint involving the persona -> the next one in journey order that does (the last
        one has none): `implicit_next` where a persona's journey goes on, from one dictionary."""

        def table() -> dict[str, str]:
            ids = list(self._personas_table())
            names = ids if persona is None else [ids[index] for index in self._places(persona)]
            return dict(pairwise(names))

        return self.derived(("next_involving", persona), table)

    def _places(self, persona: str) -> list[int]:
        """The indexes in `ordered()` of the touchpoints involving the persona, ascending."""

        def table() -> list[int]:
            return [index for index, personas in enumerate(self._personas_table().values()) if persona in personas]

        return self.derived(("places", persona), table)

    def entry_shares(self, persona: str | None) -> dict[str, float | None]:
        """This persona's entry points and their shares as written (None: shares the remainder):
        the first touchpoint if it involves the persona, and every `entry` that does."""
        return dict(self.derived(("entry_shares", persona), lambda: self._entry_shares(persona)))

    def _entry_shares(self, persona: str | None) -> dict[str, float | None]:
        involved = self._personas_table()
        shares: dict[str, float | None] = {}
        for position, placed in self._entry_candidates():
            tp = placed.touchpoint
            if persona is not None and persona not in involved[tp.id]:
                continue
            entry = tp.entry
            if isinstance(entry, dict):
                if persona in entry:
                    shares[tp.id] = entry[persona]
                elif position == 0:
                    shares[tp.id] = None
            elif entry is True or (entry is False and position == 0):
                shares[tp.id] = None
            elif not isinstance(entry, bool):
                shares[tp.id] = float(entry)
        return shares

    def _entry_candidates(self) -> list[tuple[int, PlacedTouchpoint]]:
        """(index in `ordered()`, touchpoint) of the first touchpoint and of every one that may
        be an entry, found once for all personas: most touchpoints are no entry."""

        def candidates() -> list[tuple[int, PlacedTouchpoint]]:
            ordered = self._ordered
            return [(i, placed) for i, placed in enumerate(ordered) if placed.touchpoint.entry is not False or not i]

        return self.derived("entry_candidates", candidates)

    def entries_for(self, persona: str | None) -> list[str]:
        return list(self.entry_shares(persona))

    def persona_ids(self) -> list[str | None]:
        """The personas whose journeys are followed; [None] for a map without personas."""
        return list(self.personas) or [None]

    def last_stage_index(self) -> int:
        return len(self.map.stages) - 1

    def targets(self) -> set[str]:
        """Every id a 'next' or a branch may name."""
        return set(self.touchpoints) | set(self.stages) | set(self.outcomes)


def _split(probability: float | dict[str, float] | None) -> tuple[float | None, dict[str, float] | None]:
    """(one number for everyone, one per persona): the two forms a probability is written in."""
    return (None, dict(probability)) if isinstance(probability, dict) else (probability, None)
