"""Rules about personas and the customer data the journey needs from them."""

from __future__ import annotations

from collections.abc import Iterator

from cjmap import rule_ids
from cjmap.diagnostics import Finding, Severity
from cjmap.journey import Journey
from cjmap.rules.base import Context, rule


@rule(rule_ids.UNUSED_PERSONA, "unused-persona", Severity.WARNING, "A persona takes part in no touchpoint.")
def unused_persona(journey: Journey, context: Context) -> Iterator[Finding]:
    """A touchpoint involves every persona unless it lists `personas`. A persona that no
    touchpoint involves has no journey on this map: give it touchpoints or drop it."""
    used = {persona for personas in journey.involvement().values() for persona in personas}
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
    "A touchpoint needs customer data its personas do not have by then.",
)
def missing_data(journey: Journey, context: Context) -> Iterator[Finding]:
    """A channel needs data to reach someone (SMS needs a phone number, push needs the app), and
    a touchpoint may need more (its `data`). Each persona involved must hold that data (its
    `data`), or a touchpoint *before* this one *on that persona's own path* (the touchpoints that
    involve them, in journey order) must collect it (`collects`, progressive profiling). Data
    collected later, or at a touchpoint the persona never visits, does not count."""
    collected: dict[str, set[str]] = {persona: set() for persona in journey.personas}  # so far, per persona
    later: dict[tuple[str, str], str] = {}  # (persona, item) -> the first touchpoint collecting it
    involved = journey.involvement()
    for placed in journey.ordered():
        for persona_id in involved[placed.touchpoint.id]:
            for item in placed.touchpoint.collects:
                later.setdefault((persona_id, item), placed.touchpoint.id)
    for placed in journey.ordered():
        tp = placed.touchpoint
        channel = journey.channels.get(tp.channel) if tp.channel else None
        needs: dict[str, str] = {item: "this touchpoint" for item in tp.data}
        for item in channel.requires if channel else []:
            needs[item] = f"channel '{tp.channel}'"
        for persona_id in involved[tp.id]:
            persona, _ = journey.personas[persona_id]
            missing = [item for item in needs if item not in persona.data and item not in collected[persona_id]]
            for item in missing:
                by_channel = needs[item] != "this touchpoint"
                where = later.get((persona_id, item))
                when = f" (it is collected only at '{where}', on or after this step)" if where else ""
                yield Finding(
                    (*placed.path, "channel" if by_channel else "data"),
                    f"{needs[item]} needs '{item}', which persona '{persona_id}' does not have by then{when}: "
                    f"add it to the persona's 'data', collect it at an earlier touchpoint on their path "
                    f"('collects: [{item}]'), "
                    + ("or use another channel" if by_channel else "or drop it from this touchpoint's 'data'"),
                )
        for persona_id in involved[tp.id]:
            collected[persona_id].update(tp.collects)


@rule(
    rule_ids.EMOTION_MISSING_PERSONA,
    "emotion-missing-persona",
    Severity.WARNING,
    "A per-persona emotion leaves out a persona the touchpoint involves.",
)
def emotion_missing_persona(journey: Journey, context: Context) -> Iterator[Finding]:
    """An emotion given per persona (`emotion: {anna: 1, piotr: -1}`) should give one for every
    persona the touchpoint involves (those in its `personas`, or all of them): the grid would
    leave that persona's curve without the step, and other tools would guess a neutral score.
    Give the missing persona a value, or narrow the touchpoint's `personas`."""
    for placed in journey.ordered():
        emotion = placed.touchpoint.emotion
        if not isinstance(emotion, dict):
            continue
        given = ", ".join(f"'{persona}'" for persona in emotion)
        for persona_id in journey.personas_of(placed.touchpoint):
            if persona_id not in emotion:
                yield Finding(
                    (*placed.path, "emotion"),
                    f"the emotion is given for {given} but not for persona '{persona_id}', whom this "
                    f"touchpoint involves: add '{persona_id}: <value>' to 'emotion', or leave '{persona_id}' "
                    "out of the touchpoint's 'personas'",
                )
