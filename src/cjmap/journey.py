"""The journey as a graph: who goes where, where it starts, what can be reached.

Built once per map from the validated model; every rule reads it. It also remembers the path
of every element in the source data, so findings can point at the right line.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from cjmap.channels import BUILTIN_CHANNELS
from cjmap.diagnostics import Path
from cjmap.model import Channel, JourneyMap, Outcome, Persona, Stage, Touchpoint


@dataclass(frozen=True, slots=True)
class PlacedTouchpoint:
    touchpoint: Touchpoint
    stage_index: int
    order: int  # position in the whole journey, in file order
    path: Path


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str  # a touchpoint or outcome id, or an unknown id (reported by a rule)
    path: Path  # where the reference is written; for implicit edges, the source touchpoint
    label: str | None = None
    probability: float | None = None
    implicit: bool = False


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
        for stage_index, stage in enumerate(journey_map.stages):
            journey.stages.setdefault(stage.id, (stage, ("stages", stage_index)))
            for tp_index, touchpoint in enumerate(stage.touchpoints):
                path: Path = ("stages", stage_index, "touchpoints", tp_index)
                placed = PlacedTouchpoint(touchpoint, stage_index, order, path)
                if touchpoint.id not in journey.touchpoints:
                    journey.touchpoints[touchpoint.id] = placed
                    journey._ordered.append(placed)
                order += 1
        journey._link()
        return journey

    def _link(self) -> None:
        ordered = self.ordered()
        for index, placed in enumerate(ordered):
            touchpoint, path = placed.touchpoint, placed.path
            edges: list[Edge] = []
            for i, target in enumerate(touchpoint.next or []):
                edges.append(Edge(touchpoint.id, self.resolve(target), (*path, "next", i)))
            if touchpoint.decision is not None:
                for i, branch in enumerate(touchpoint.decision.branches):
                    edges.append(
                        Edge(
                            touchpoint.id,
                            self.resolve(branch.to),
                            (*path, "decision", "branches", i, "to"),
                            branch.when,
                            branch.probability,
                        )
                    )
            falls_through = touchpoint.next is None and touchpoint.decision is None
            if falls_through and self.map.flow == "sequential" and index + 1 < len(ordered):
                edges.append(Edge(touchpoint.id, ordered[index + 1].touchpoint.id, path, implicit=True))
            self.edges[touchpoint.id] = edges

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

    def entries(self) -> list[str]:
        ordered = self.ordered()
        starts = [placed.touchpoint.id for placed in ordered if placed.touchpoint.entry]
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

    def personas_of(self, touchpoint: Touchpoint) -> list[str]:
        """The personas a touchpoint involves: those it names, or every persona of the map."""
        if touchpoint.personas is not None:
            return [persona for persona in touchpoint.personas if persona in self.personas]
        return list(self.personas)

    def last_stage_index(self) -> int:
        return len(self.map.stages) - 1

    def targets(self) -> set[str]:
        """Every id a 'next' or a branch may name."""
        return set(self.touchpoints) | set(self.stages) | set(self.outcomes)
