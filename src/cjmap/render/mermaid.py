"""The map as a Mermaid `journey` diagram, the one journey picture GitHub renders natively.

Sections are stages, tasks are touchpoints, actors are the personas involved, and the score is
the emotion mapped onto Mermaid's 1..5 scale (a touchpoint without an emotion scores 3, neutral).
When personas feel differently about a touchpoint, it appears once per distinct score, each with
the personas who gave it, so no one's emotion is averaged away.

Mermaid's journey syntax has no escaping: a ':' ends a task name, ';' and '#' start entities or
comments, and a newline ends the line. Such characters are replaced by look-alikes or spaces, and
so are '<' and '>', which would otherwise reach the HTML of Mermaid's labels.
"""

from __future__ import annotations

import re

from cjmap.journey import Journey
from cjmap.model import Touchpoint
from cjmap.render.text import printable
from cjmap.render.view import by_stage, persona_name

# ':' and ',' separate fields and actors; '#' and ';' start entity codes; '%%' starts a comment;
# '<' and '>' would reach Mermaid's label HTML (it sanitises, but nothing from a map should rely on that).
_REPLACEMENTS = {":": "꞉", ";": ",", "#": "№", "%": "٪", "{": "(", "}": ")", "<": "‹", ">": "›"}
_SPACES = re.compile(r"\s+")
# Mermaid's journey lexer (case-insensitive) reads these words at the start of a line as
# statements, so a task named "title Hijacked" would become the title and "section X" a section.
# A zero-width space in front (not whitespace to Mermaid's lexer, invisible when drawn) keeps the
# task a task.
_KEYWORD_START = re.compile(r"^(title|section|journey|acctitle|accdescr)\b", re.IGNORECASE)
_ZERO_WIDTH_SPACE = "\u200b"


def clean(text: str, actor: bool = False) -> str:
    """Text that Mermaid's journey grammar reads as plain words."""
    text = _SPACES.sub(" ", printable(str(text))).strip()
    for character, replacement in _REPLACEMENTS.items():
        text = text.replace(character, replacement)
    if actor:
        text = text.replace(",", " ")
    return text.strip() or "-"


def score(value: float | None, scale: tuple[int, int]) -> int:
    """An emotion on the map's scale as Mermaid's 1 (worst) .. 5 (best)."""
    if value is None:
        return 3
    low, high = scale
    return max(1, min(5, 1 + round(4 * (value - low) / (high - low))))


def render_mermaid(journey: Journey, fenced: bool = False) -> str:
    """The Mermaid source; with fenced=True, inside a ```mermaid block for Markdown."""
    journey_map = journey.map
    lines = ["journey", f"    title {clean(journey_map.title)}"]
    groups = by_stage(journey.ordered(), lambda p: p.stage_index, len(journey_map.stages))
    for index, stage in enumerate(journey_map.stages):
        placed = groups[index]
        if not placed:
            continue
        lines.append(f"    section {clean(stage.label)}")
        for item in placed:
            lines += [f"      {task}" for task in _tasks(journey, item.touchpoint)]
    body = "\n".join(lines) + "\n"
    return f"```mermaid\n{body}```\n" if fenced else body


def _tasks(journey: Journey, touchpoint: Touchpoint) -> list[str]:
    scale = journey.map.emotion_scale
    personas = journey.personas_of(touchpoint)
    names = {persona: persona_name(journey, persona) for persona in personas}
    groups: dict[int, list[str]] = {}
    if isinstance(touchpoint.emotion, dict):
        for persona in personas:
            groups.setdefault(score(touchpoint.emotion.get(persona), scale), []).append(names[persona])
    else:
        groups[score(touchpoint.emotion, scale)] = [names[p] for p in personas]
    task = clean(touchpoint.label)
    if _KEYWORD_START.match(task):
        task = _ZERO_WIDTH_SPACE + task
    tasks = []
    for value in sorted(groups, reverse=True):
        actors = ", ".join(clean(name, actor=True) for name in groups[value])
        tasks.append(f"{task}: {value}: {actors}" if actors else f"{task}: {value}")
    return tasks
