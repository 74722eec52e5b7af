"""Rules about personas and the customer data the journey needs from them."""

from __future__ import annotations

from collections.abc import Iterator

from cjmap import rule_ids
from cjmap.diagnostics import Finding, Severity
from cjmap.journey import Journey, PlacedTouchpoint
from cjmap.rules.base import Context, rule


@rule(rule_ids.UNUSED_PERSONA, "unused-persona", Severity.WARNING, "A persona takes part in no touchpoint.")
def unused_persona(journey: Journey, context: Context) -> Iterator[Finding]:
    """A touchpoint involves every persona unless it lists `personas`. A persona that no
    touchpoint involves has no journey on this map: give it touchpoints or drop it."""
    used: set[str] = set()
    for placed in journey.ordered():
        used.update(journey.personas_of(placed.touchpoint))
    for persona, path in journey.personas.values():
        if persona.id not in used:
            yield Finding(
                (*path, "id"),
                f"persona '{persona.id}' takes part in no touchpoint: add it to a touchpoint's "
                "'personas', or remove it",
            )


@rule(
    rule_ids.MISSING_DATA,
    "missing-data",
    Severity.WARNING,
    "A touchpoint needs customer data its personas do not have.",
)
def missing_data(journey: Journey, context: Context) -> Iterator[Finding]:
    """A channel needs data to reach someone (SMS needs a phone number, push needs the app), and
    a touchpoint may need more (its `data`). Each persona involved must hold that data (its
    `data`), or some touchpoint of the map must collect it (`collects`, progressive profiling)."""
    # One walk: what each touchpoint needs that its personas do not hold is noted, together
    # with everything collected anywhere; the notes are reported once the walk is done.
    collected: set[str] = set()
    holds = {persona_id: set(persona.data) for persona_id, (persona, _) in journey.personas.items()}
    short: list[tuple[PlacedTouchpoint, str, dict[str, str]]] = []
    for placed in journey.ordered():
        tp = placed.touchpoint
        collected.update(tp.collects)
        channel = journey.channels.get(tp.channel) if tp.channel else None
        needs: dict[str, str] = {item: "this touchpoint" for item in tp.data}
        for item in channel.requires if channel else []:
            needs[item] = f"channel '{tp.channel}'"
        if not needs:
            continue
        for persona_id in journey.personas_of(tp):
            if not needs.keys() <= holds[persona_id]:
                short.append((placed, persona_id, needs))
    for placed, persona_id, needs in short:
        for item in needs:
            if item in holds[persona_id] or item in collected:
                continue
            by_channel = needs[item] != "this touchpoint"
            yield Finding(
                (*placed.path, "channel" if by_channel else "data"),
                f"{needs[item]} needs '{item}', which persona '{persona_id}' does not have: add it to "
                f"the persona's 'data', collect it at an earlier touchpoint ('collects: [{item}]'), "
                + ("or use another channel" if by_channel else "or drop it from this touchpoint's 'data'"),
            )
