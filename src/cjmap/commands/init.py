"""`cjmap init`: write a commented starter map (and a persona library) that validates cleanly.

The text is written line by line rather than dumped, so the comments that teach the format sit
next to the fields they explain. Every value goes through `scalar()`, which quotes only where
YAML would otherwise read something else.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from cjmap.importers.slug import Ids, slugify
from cjmap.importers.yaml_out import scalar
from cjmap.starters import LIBRARY_TITLE, PERSONA_GOAL, PERSONA_NAMES, STARTERS, Starter

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_NAME = "journey.yaml"
LIBRARY_NAME = "personas.yaml"
# The customer data each channel the starters use needs (see cjmap.channels).
CHANNEL_DATA = {"email": "email", "mail": "address", "sms": "phone", "push": "app", "phone": "phone"}


def run_init(path: Path | None, template: str, locale: str, personas: int, library: bool, today: date) -> int:
    target = path or Path(DEFAULT_NAME)
    if target.is_dir():
        target = target / DEFAULT_NAME
    if library and personas == 0:
        return _fail("--library needs at least one persona (--personas 1 or more)", EXIT_USAGE)
    library_path = target.parent / LIBRARY_NAME if library else None
    for planned in [target] + ([library_path] if library_path else []):
        if planned.exists() or planned.is_symlink():
            return _fail(f"{planned} already exists: cjmap init never overwrites; choose another path", EXIT_FAILED)
    starter = STARTERS[template]
    map_id = (
        slugify(target.stem, "journey")
        if path is not None and target.name != DEFAULT_NAME
        else slugify(starter.title["en"], "journey")
    )
    people = _personas(starter, locale, personas)
    texts = {target: starter_map(starter, template, locale, map_id, people, library_path is not None, today)}
    if library_path is not None:
        texts[library_path] = persona_library(locale, people)
    from cjmap.output import OutputError, write_atomically

    for planned, text in texts.items():
        try:
            write_atomically(planned, text.encode("utf-8"), set())
        except (OutputError, OSError) as error:
            return _fail(str(error), EXIT_FAILED)
        print(f"wrote {planned}", file=sys.stderr)
    print(f"next: cjmap validate {target} && cjmap render {target} -f html", file=sys.stderr)
    return EXIT_OK


def _personas(starter: Starter, locale: str, count: int) -> list[tuple[str, str, list[str]]]:
    """(id, name, data) for each persona stub; the data is what the starter's channels need."""
    data = sorted({CHANNEL_DATA[step.channel] for step in starter.steps if step.channel in CHANNEL_DATA})
    names = PERSONA_NAMES[locale].split()[:count]
    ids = Ids()
    return [(ids.new(name, "persona"), name, data) for name in names]


def starter_map(
    starter: Starter,
    template: str,
    locale: str,
    map_id: str,
    people: list[tuple[str, str, list[str]]],
    included: bool,
    today: date,
) -> str:
    def q(words: dict[str, str]) -> str:
        return scalar(words[locale])

    lines = [
        f"# A cjmap journey map, started from the '{template}' template: {starter.about}",
        "# Replace the example texts with your own research. Check the map with `cjmap validate FILE`,",
        "# see it with `cjmap render FILE -f html`; the format is described in cjmap's docs/format.md.",
        "cjmap: 1",
        f"id: {map_id}  # a stable slug: lowercase letters, digits and '-'",
        f"title: {q(starter.title)}",
        f"goal: {q(starter.goal)}  # one concrete, measurable aim",
        "state: as-is  # as-is: today's journey; to-be: the one you plan",
        f"locale: {locale}  # language of the headings cjmap renders: en, pl or ru",
        "review:  # cjmap validate warns when the map is due for review",
        f"  last: {today.isoformat()}",
        "  every: 4 months",
        "emotion_scale: [-2, 2]  # emotions run from -2 (very negative) to 2 (very positive)",
    ]
    if included:
        lines += ["include: [personas.yaml]  # shared personas, channels and outcomes"]
    elif people:
        lines += ["", "personas:  # fictional customers standing for real groups; every touchpoint involves all"]
        lines += _persona_lines(locale, people)
    lines += ["", "stages:  # the columns of the map, in journey order"]
    ids = Ids()
    outcome_id = ids.new(starter.outcome[locale], "outcome")
    ids_of = [person[0] for person in people[:2]] or ["anna", "ben"]
    example = "{" + ", ".join(f"{pid}: {value}" for pid, value in zip(ids_of, (1, -1), strict=False)) + "}"
    for number, step in enumerate(starter.steps):
        lines += [
            f"  - id: {ids.new(step.stage[locale], 'stage')}",
            f"    name: {q(step.stage)}",
            f"    goal: {q(step.goal)}  # the milestone that says the customer got through",
            "    touchpoints:",
            f"      - id: {ids.new(step.touchpoint[locale], 'touchpoint')}",
            f"        name: {q(step.touchpoint)}",
            f"        channel: {step.channel}"
            + ("  # a built-in channel; see the docs for the list" if number == 0 else ""),
            f"        action: {q(step.action)}" + ("  # what the customer does" if number == 0 else ""),
            f"        need: {q(step.need)}",
            f"        emotion: {step.emotion}"
            + (f"  # on the emotion_scale, or one per persona: {example}" if number == 0 else ""),
        ]
        problem = starter.problem
        if number == problem.step:
            lines += [
                "        pain_points:  # what gets in the way; severity: low, medium, high or critical",
                f"          - text: {q(problem.pain)}",
                "            severity: high",
                "        opportunities:  # every pain point deserves an idea",
                f"          - text: {q(problem.opportunity)}",
                "            impact: high",
                "            effort: medium",
                "        kpis:  # choose the target before you measure",
                f"          - name: {q(problem.kpi)}",
                f"            unit: {scalar(problem.unit)}",
                f"            target: {problem.target:g}",
            ]
            if problem.unit == "min":
                lines += ["            better: lower"]
        if number == len(starter.steps) - 1:
            lines += [f"        next: [{outcome_id}]  # where the journey ends"]
    lines += [
        "",
        "outcomes:  # where journeys end: success, lost or other",
        f"  - id: {outcome_id}",
        f"    name: {q(starter.outcome)}",
        "    kind: success",
    ]
    return "\n".join(lines) + "\n"


def persona_library(locale: str, people: list[tuple[str, str, list[str]]]) -> str:
    lines = [
        "# Personas shared by several maps: a map lists this file under `include`.",
        "cjmap: 1",
        "kind: library",
        f"title: {scalar(LIBRARY_TITLE[locale])}",
        "personas:",
        *_persona_lines(locale, people),
    ]
    return "\n".join(lines) + "\n"


def _persona_lines(locale: str, people: list[tuple[str, str, list[str]]]) -> list[str]:
    lines: list[str] = []
    for persona_id, name, data in people:
        lines += [
            f"  - id: {persona_id}",
            f"    name: {scalar(name)}",
            "    segment: new  # new, existing, returning or churned",
            "    goals:",
            f"      - {scalar(PERSONA_GOAL[locale])}",
        ]
        if data:
            lines += [f"    data: [{', '.join(data)}]  # customer data the brand holds about them"]
    return lines


def _fail(message: str, code: int) -> int:
    print(f"cjmap: error: {message}", file=sys.stderr)
    return code
