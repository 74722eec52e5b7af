"""What a measurement (`render --measured FILE`) adds to the outputs: next to each way's declared
probability, the share of customers the log shows taking it, with its 95% interval, and a mark
where the declared value lies outside that interval. One mapping for every renderer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from cjmap.render.i18n import Words

if TYPE_CHECKING:
    from cjmap.analysis.measure.written import Measured
    from cjmap.journey import Journey


def observed_labels(journey: Journey, measured: Measured, persona: str | None) -> Mapping[tuple[str, str], str]:
    """(touchpoint, target) -> "observed 80% (65–90%)" for every way the log saw someone take or
    leave by (this persona's customers when a persona is drawn, else all customers); a way whose
    declared probability lies outside the interval ends with " ⚠"."""
    words = Words(journey.map.locale)
    labels: dict[tuple[str, str], str] = {}
    for source, edges in journey.edges.items():
        for edge in edges:
            seen = measured.observed(source, edge.target, persona)
            if seen is None or seen.observed is None:
                continue
            declared = edge.probabilities.get(persona) if persona and edge.probabilities else edge.probability
            outside = declared is not None and not seen.low <= declared <= seen.high
            text = f"{words['observed-now']} {seen.observed:.0%} ({seen.low:.0%}–{seen.high:.0%})"
            labels[(source, edge.target)] = text + (" ⚠" if outside else "")
    return labels
