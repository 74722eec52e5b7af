"""One map as stable, meaning-level text: what `cjmap diff --textconv FILE` prints for git.

Git's textconv turns each side of a `git diff` into text before comparing lines; this outline
has one fact per line, indented under its stage and touchpoint, with no YAML layout (quoting,
flow or block style, key order, comments), so `git diff` shows what changed in the journey.
Pure: the map in, the text out.
"""

from __future__ import annotations

from cjmap.model import JourneyMap, Touchpoint
from cjmap.render.text import printable


def _one_line(text: object) -> str:
    return " ".join(printable(str(text)).split())


def _value(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def render_outline(journey_map: JourneyMap) -> str:
    m = journey_map
    lines = [f"map {m.id}: {_one_line(m.title)}", f"state: {m.state}"]
    for name, value in (("goal", m.goal_text), ("owner", m.owner), ("description", m.description)):
        if value:
            lines.append(f"{name}: {_one_line(value)}")
    if m.stakeholders:
        lines.append("stakeholders: " + ", ".join(m.stakeholders))
    if m.review:
        lines.append(f"review: {m.review.last.isoformat()}, every {m.review.every}")
    lines.append(f"emotion scale: {m.emotion_scale[0]} to {m.emotion_scale[1]}; flow: {m.flow}; locale: {m.locale}")
    if m.include:
        lines.append("include: " + ", ".join(m.include))
    for persona in m.personas:
        segment = f" ({persona.segment})" if persona.segment else ""
        lines.append(f"persona {persona.id}: {_one_line(persona.name)}{segment}")
    for channel in m.channels:
        lines.append(f"channel {channel.id}: {_one_line(channel.name or channel.id)}")
    for outcome in m.outcomes:
        lines.append(f"outcome {outcome.id}: {_one_line(outcome.label)} ({outcome.kind})")
    for stage in m.stages:
        lines.append(f"stage {stage.id}: {_one_line(stage.label)}")
        if stage.goal:
            lines.append(f"  goal: {_one_line(stage.goal)}")
        for touchpoint in stage.touchpoints:
            lines += _touchpoint(touchpoint)
    for experiment in m.experiments:
        lines.append(f"experiment {experiment.id} ({experiment.status}): {_one_line(experiment.hypothesis)}")
    if m.swot:
        for part in ("strengths", "weaknesses", "opportunities", "threats"):
            for item in getattr(m.swot, part):
                priority = f" (priority {item.priority})" if item.priority else ""
                lines.append(f"swot {part}: {_one_line(item.text)}{priority}")
    return "\n".join(lines) + "\n"


def _touchpoint(t: Touchpoint) -> list[str]:
    lines = [f"  touchpoint {t.id}: {_one_line(t.label)}"]
    facts = [
        ("channel", t.channel),
        ("personas", ", ".join(t.personas) if t.personas is not None else None),
        ("action", t.action),
        ("backstage", t.backstage),
        ("need", t.need),
        ("thoughts", t.thoughts),
    ]
    lines += [f"    {name}: {_one_line(value)}" for name, value in facts if value]
    if t.emotion is not None:
        if isinstance(t.emotion, dict):
            lines.append("    emotion: " + ", ".join(f"{p} {_value(v)}" for p, v in t.emotion.items()))
        else:
            lines.append(f"    emotion: {_value(t.emotion)}")
    for pain in t.pain_points:
        lines.append(f"    pain point ({pain.severity}): {_one_line(pain.text)}")
    for idea in t.opportunities:
        lines.append(f"    opportunity (impact {idea.impact}, effort {idea.effort}): {_one_line(idea.text)}")
    for kpi in t.kpis:
        unit = f" {kpi.unit}" if kpi.unit else ""
        target = f"target {_value(kpi.target)}{unit}" if kpi.target is not None else "no target"
        actual = f", actual {_value(kpi.actual)}{unit}" if kpi.actual is not None else ""
        lines.append(f"    kpi {_one_line(kpi.name)}: {target}{actual} ({kpi.better} is better)")
    for name, values in (("data", t.data), ("collects", t.collects)):
        if values:
            lines.append(f"    {name}: " + ", ".join(values))
    for content in t.content:
        lines.append(f"    content: {_one_line(content.text)}")
    if t.entry:
        lines.append("    entry: yes")
    if t.next is not None:
        lines.append("    next: " + (", ".join(t.next_targets) or "nothing"))
    if t.decision is not None:
        lines.append(f"    decision: {_one_line(t.decision.question)}")
        for branch in t.decision.branches:
            share = _share(branch.probability)
            lines.append(f"      -> {branch.to}{share}: {_one_line(branch.when)}")
    return lines


def _share(probability: float | dict[str, float] | None) -> str:
    """' (40%)', or one share per persona ' (anna 80%, piotr 50%)'."""
    if probability is None:
        return ""
    if isinstance(probability, dict):
        return " (" + ", ".join(f"{p} {round(v * 100, 1):g}%" for p, v in sorted(probability.items())) + ")"
    return f" ({round(probability * 100, 1):g}%)"
