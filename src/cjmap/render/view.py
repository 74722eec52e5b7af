"""What the renderers show the same way: emotion levels and markers, persona and channel names,
labels of branch targets, KPI and review status, the SWOT order. Each renderer decides how it
looks (HTML, Markdown, a DOT label); what it says comes from here and from one vocabulary."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from cjmap.journey import Journey
from cjmap.model import Opportunity, PainPoint, Review, Swot, Touchpoint
from cjmap.render.i18n import Words

# Very negative .. very positive; in the fonts of both Graphviz engines, unlike ✔ ✘ ◆.
MARKERS = ("▼▼", "▼", "●", "▲", "▲▲")
# The quadrants in reading order: (field of the model, vocabulary key of the heading).
SWOT_ORDER = (
    ("strengths", "strengths"),
    ("weaknesses", "weaknesses"),
    ("opportunities", "swot-opportunities"),
    ("threats", "threats"),
)


T = TypeVar("T")


def by_stage(items: Iterable[T], stage_of: Callable[[T], int], stages: int) -> list[list[T]]:
    """Items grouped by stage index, in order, in one pass (a filter per stage was quadratic:
    20,000 stages took minutes)."""
    groups: list[list[T]] = [[] for _ in range(stages)]
    for item in items:
        groups[stage_of(item)].append(item)
    return groups


def emotion_level(value: float, scale: tuple[int, int]) -> int:
    """0 (very negative) .. 4 (very positive): where a value sits on the map's scale."""
    low, high = scale
    middle, half = (low + high) / 2, (high - low) / 2
    position = (value - middle) / half if half else 0.0
    bounds = (-0.6, -0.2, 0.2, 0.6)
    return sum(1 for bound in bounds if position > bound - 1e-9) if position > bounds[0] else 0


def signed(value: float) -> str:
    """'+1', '0', '−2' (a real minus sign)."""
    text = f"{value:g}"
    return ("+" + text if value > 0 else text).replace("-", "−")


def persona_name(journey: Journey, persona_id: str) -> str:
    """A persona's name, or the id as written when the map declares no such persona."""
    known = journey.personas.get(persona_id)
    return known[0].name if known is not None else persona_id


def channel_name(journey: Journey, words: Words, channel_id: str) -> str:
    """What a channel is called on the page: the map's own name for a channel it declares, else
    the built-in name in the map's language, else the id."""
    channel = journey.channels.get(channel_id)
    name = channel.name if channel is not None and channel.name else channel_id
    declared = any(c.id == channel_id for c in journey.map.channels)
    return name if declared else words.channel(channel_id, name)


def target_label(journey: Journey, target: str) -> tuple[str, str | None]:
    """Where a `next` or a branch leads, as (label, outcome kind or None for a touchpoint)."""
    resolved = journey.resolve(target)
    if resolved in journey.outcomes:
        outcome = journey.outcomes[resolved][0]
        return outcome.label, outcome.kind
    placed = journey.touchpoints.get(resolved)
    return (placed.touchpoint.label if placed else target), None


SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
LEVEL_RANK = {"high": 0, "medium": 1, "low": 2}


def top_pain(touchpoint: Touchpoint) -> PainPoint | None:
    """The most severe pain point; the first written among equals."""
    return min(touchpoint.pain_points, key=lambda p: SEVERITY_RANK[p.severity], default=None)


def top_opportunity(touchpoint: Touchpoint) -> Opportunity | None:
    """The opportunity of most impact, then least effort; the first written among equals."""
    return min(touchpoint.opportunities, key=lambda o: (LEVEL_RANK[o.impact], -LEVEL_RANK[o.effort]), default=None)


def kpi_status(on_target: bool | None) -> str:
    """The vocabulary key of a KPI's status."""
    if on_target is None:
        return "not-measured"
    return "on-target" if on_target else "off-target"


@dataclass(frozen=True)
class ReviewStatus:
    last: str
    every: str  # "every 4 months", in the map's language
    due: str
    overdue: bool


def review_status(review: Review, words: Words, today: date) -> ReviewStatus:
    return ReviewStatus(
        last=review.last.isoformat(),
        every=words.cadence(*review.cadence()),
        due=review.due().isoformat(),
        overdue=review.overdue(today),
    )


def swot_quadrants(swot: Swot | None) -> list[tuple[str, list[Any]]]:
    """The non-empty quadrants as (heading key, items by priority; unranked items last)."""
    if swot is None:
        return []
    ranked = [
        (title, sorted(getattr(swot, key), key=lambda item: item.priority if item.priority is not None else 10**6))
        for key, title in SWOT_ORDER
    ]
    return [(title, items) for title, items in ranked if items]
