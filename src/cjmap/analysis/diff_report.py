"""A `MapDiff` in words a reviewer reads: plain text for a terminal, Markdown for a pull request,
JSON for tools. Pure functions from the diff to a string.

The Markdown starts with a hidden marker (`MARKER`) so a CI step can find and update one sticky
comment, has a summary table and one collapsible `<details>` per stage, and stays under a size
cap (GitHub refuses comments over 65,536 characters): past it, each stage's list is cut and a
link to the full report is given instead.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from cjmap.analysis.diff import FieldChange, KpiChange, MapDiff
from cjmap.render.text import printable

if TYPE_CHECKING:
    from cjmap.analysis.forecast import Delta

MARKER = "<!-- cjmap-diff -->"
DEFAULT_MAX_CHARS = 60_000
MINUS = "−"  # U+2212: what a reader expects in "went from −1 to +1"

FIELD_WORDS = {
    "review.last": "review date",
    "review.every": "review cadence",
    "emotion_scale": "emotion scale",
    "next": "next steps",
    "collects": "data collected",
    "data": "data needed",
}


@dataclass(frozen=True)
class MapSummary:
    """An added or deleted map, shown by its size rather than as a list of additions."""

    id: str
    title: str
    stages: int
    touchpoints: int
    personas: int

    def size(self) -> str:
        return ", ".join(
            f"{count} {word}{'' if count == 1 else 's'}"
            for count, word in ((self.stages, "stage"), (self.touchpoints, "touchpoint"), (self.personas, "persona"))
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "stages": self.stages,
            "touchpoints": self.touchpoints,
            "personas": self.personas,
        }


@dataclass(frozen=True)
class FileDiff:
    """One map file of `cjmap diff --git`: added, deleted, modified or renamed."""

    path: str
    status: Literal["added", "deleted", "modified", "renamed"]
    old_path: str | None = None
    diff: MapDiff | None = None  # modified or renamed
    summary: MapSummary | None = None  # added or deleted
    libraries: tuple[str, ...] = ()  # for a map that changed only through included libraries

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "old_path": self.old_path,
            "status": self.status,
            "through": list(self.libraries),
            "diff": self.diff.to_json() if self.diff else None,
            "map": self.summary.to_json() if self.summary else None,
        }


# --- words ------------------------------------------------------------------------------------


def number(value: float | Fraction | None, signed: bool = False, unit: str | None = None) -> str:
    if value is None:
        return "not set"
    if not math.isfinite(value):
        return str(float(value))  # inf, -inf or nan, as YAML's .inf and .nan allow
    rounded = round(float(value), 2)
    text = f"{abs(rounded):g}" if rounded != int(rounded) else str(abs(int(rounded)))
    if rounded < 0:
        text = MINUS + text
    elif signed and rounded > 0:
        text = "+" + text
    if unit:
        text += unit if unit == "%" else f" {unit}"
    return text


class _Words:
    """How ids and texts are written: `code` and “quotes” in Markdown, plain in a terminal."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown

    def id(self, value: str) -> str:
        return f"`{value}`" if self.markdown else value

    def text(self, value: Any) -> str:
        if value is None:
            return "nothing"
        if isinstance(value, (tuple, list)):
            return ", ".join(self.text(v) for v in value) if value else "none"
        if isinstance(value, bool):
            return "yes" if value else "no"
        shown = " ".join(printable(str(value)).split())
        if len(shown) > 200:
            shown = shown[:199] + "…"
        if self.markdown:
            shown = _escape_md(shown)
        return f"“{shown}”"

    def plain(self, value: str) -> str:
        shown = " ".join(printable(value).split())
        return _escape_md(shown) if self.markdown else shown


def _escape_md(text: str) -> str:
    text = " ".join(printable(text).split())
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


_PLAIN_FIELDS = frozenset(
    (
        "status",
        "state",
        "locale",
        "flow",
        "review.last",
        "review.every",
        "emotion_scale",
        "impact",
        "effort",
        "kind",
        "segment",
        "digital",
        "entry",
    )
)


def _field_change(w: _Words, subject: str, change: FieldChange) -> str:
    what = FIELD_WORDS.get(change.field, change.field)
    if change.field in _PLAIN_FIELDS:
        old = w.plain(str(_scalar(change.old))) if change.old is not None else "not set"
        new = w.plain(str(_scalar(change.new))) if change.new is not None else "not set"
        return f"{subject}{what} went from {old} to {new}"
    if change.old is None or change.old == ():
        return f"{subject}{what} added: {w.text(change.new)}"
    if change.new is None or change.new == ():
        return f"{subject}{what} removed (was {w.text(change.old)})"
    return f"{subject}{what} changed from {w.text(change.old)} to {w.text(change.new)}"


def _scalar(value: Any) -> Any:
    return " to ".join(str(v) for v in value) if isinstance(value, tuple) else value


def _map_lines(diff: MapDiff, w: _Words) -> list[str]:
    lines = [_field_change(w, "", c) for c in diff.map if c.field != "title"]
    title = next((c for c in diff.map if c.field == "title"), None)
    if title is not None:
        lines.insert(0, f"title changed from {w.text(title.old)} to {w.text(title.new)}")
    for kind, entities, names in (
        ("persona", diff.personas, diff.persona_name),
        ("outcome", diff.outcomes, None),
        ("channel", diff.channel_catalogue, None),
        ("experiment", diff.experiments, None),
    ):
        for entity in entities.added:
            label = f" ({w.plain(names(entity))})" if names else ""
            lines.append(f"{kind} {w.id(entity)}{label} added")
        for entity in entities.removed:
            label = f" ({w.plain(names(entity))})" if names else ""
            lines.append(f"{kind} {w.id(entity)}{label} removed")
        for change in entities.changed:
            lines += [_field_change(w, f"{kind} {w.id(change.id)}: ", c) for c in change.changes]
    for stage in diff.stages.added:
        lines.append(f"stage {w.id(stage)} ({w.plain(diff.stage_name(stage))}) added")
    for stage in diff.stages.removed:
        lines.append(f"stage {w.id(stage)} ({w.plain(diff.stage_name(stage))}) removed")
    for stage in diff.stages.reordered:
        lines.append(f"stage {w.id(stage)} changed place in the journey")
    return lines


def _kpi_line(w: _Words, k: KpiChange) -> str:
    where = f"KPI {w.text(k.name)} at {w.id(k.touchpoint)}"
    if k.status == "added":
        target = f", target {number(k.new_target, unit=k.unit)}" if k.new_target is not None else ", no target"
        actual = f", actual {number(k.new_actual, unit=k.unit)}" if k.new_actual is not None else ""
        return f"{where} added{target}{actual}"
    if k.status == "removed":
        return f"{where} removed"
    parts = []
    if k.old_name is not None:
        parts.append(f"renamed from {w.text(k.old_name)}")
    if k.old_touchpoint != k.touchpoint:
        parts.append(f"moved here from {w.id(k.old_touchpoint)}")
    if k.old_target != k.new_target:
        parts.append(f"target went from {number(k.old_target, unit=k.unit)} to {number(k.new_target, unit=k.unit)}")
    if k.old_actual != k.new_actual:
        old = number(k.old_actual, unit=k.unit) if k.old_actual is not None else "not measured"
        new = number(k.new_actual, unit=k.unit) if k.new_actual is not None else "not measured"
        parts.append(f"actual went from {old} to {new}")
    gap = {
        "closed": "the target is met now",
        "narrowed": f"the gap to the target narrowed from {number(k.old_gap, unit=k.unit)} to "
        f"{number(k.new_gap, unit=k.unit)}",
        "widened": f"the gap to the target widened from {number(k.old_gap, unit=k.unit)} to "
        f"{number(k.new_gap, unit=k.unit)}",
        "opened": f"the target is missed now, by {number(k.new_gap, unit=k.unit)}",
        "same": "",
    }.get(k.gap or "", "")
    if gap:
        parts.append(gap)
    if not parts:
        parts.append(f"now counts {k.better} as better")
    return f"{where}: " + "; ".join(parts)


def _stage_lines(diff: MapDiff, w: _Words) -> dict[str, list[str]]:
    """Every change that belongs to a stage, in a fixed order of kinds, keyed by stage id."""
    lines: dict[str, list[str]] = defaultdict(list)
    for stage in diff.stages.changed:
        for c in stage.changes:
            if c.field == "name":
                lines[stage.id].append(f"stage renamed from {w.text(c.old)} to {w.text(c.new)}")
            else:
                lines[stage.id].append(_field_change(w, "stage ", c))
    for average in diff.stage_emotion:
        before, after = number(average.old, signed=True), number(average.new, signed=True)
        if average.old is None:
            text = f"average emotion {after}"
        elif average.new is None:
            text = f"average emotion was {before}"
        else:
            text = f"average emotion went from {before} to {after}"
        lines[average.stage].append(text)
    for emotion in diff.emotion:
        whose = f"{w.id(emotion.touchpoint)}'s emotion"
        if emotion.persona is not None:
            whose += f" for {w.plain(diff.persona_name(emotion.persona))}"
        if emotion.old is None:
            text = f"{whose} is {number(emotion.new, signed=True)} now (not given before)"
        elif emotion.new is None:
            text = f"{whose} is not given any more (was {number(emotion.old, signed=True)})"
        else:
            text = f"{whose} went from {number(emotion.old, signed=True)} to {number(emotion.new, signed=True)}"
        lines[emotion.stage].append(text)
    for tp in diff.touchpoints.added:
        lines[tp.stage].append(f"touchpoint {w.id(tp.id)} {w.text(tp.name)} added")
    for tp in diff.touchpoints.removed:
        lines[tp.stage].append(f"touchpoint {w.id(tp.id)} {w.text(tp.name)} removed")
    for move in diff.touchpoints.moved:
        lines[move.to_stage].append(
            f"touchpoint {w.id(move.id)} moved here from stage {w.plain(diff.stage_name(move.from_stage))}"
        )
    for tp in diff.touchpoints.reordered:
        lines[tp.stage].append(f"touchpoint {w.id(tp.id)} changed place in the stage")
    for pain in diff.pain_points.resolved:
        lines[pain.stage].append(
            f"pain point resolved at {w.id(pain.touchpoint)}: {w.text(pain.text)} ({pain.severity})"
        )
    for pain in diff.pain_points.added:
        lines[pain.stage].append(f"pain point added at {w.id(pain.touchpoint)}: {w.text(pain.text)} ({pain.severity})")
    for changed in diff.pain_points.changed:
        parts = []
        if changed.old_touchpoint != changed.touchpoint:
            parts.append(f"moved here from {w.id(changed.old_touchpoint)}")
        if changed.old_text != changed.text:
            parts.append(f"reworded from {w.text(changed.old_text)}")
        if changed.old_severity != changed.severity:
            parts.append(f"severity went from {changed.old_severity} to {changed.severity}")
        lines[changed.stage].append(
            f"pain point at {w.id(changed.touchpoint)} {w.text(changed.text)}: " + "; ".join(parts)
        )
    for idea in diff.opportunities.added:
        lines[idea.stage].append(
            f"opportunity added at {w.id(idea.touchpoint)}: {w.text(idea.text)} "
            f"(impact {idea.impact}, effort {idea.effort})"
        )
    for idea in diff.opportunities.dropped:
        lines[idea.stage].append(f"opportunity dropped at {w.id(idea.touchpoint)}: {w.text(idea.text)}")
    for changed_idea in diff.opportunities.changed:
        parts = []
        if changed_idea.old_touchpoint != changed_idea.touchpoint:
            parts.append(f"moved here from {w.id(changed_idea.old_touchpoint)}")
        parts += [
            f"reworded from {w.text(c.old)}" if c.field == "text" else _field_change(w, "", c)
            for c in changed_idea.changes
        ]
        lines[changed_idea.stage].append(
            f"opportunity at {w.id(changed_idea.touchpoint)} {w.text(changed_idea.text)}: " + "; ".join(parts)
        )
    for kpi in diff.kpis:
        lines[kpi.stage].append(_kpi_line(w, kpi))
    for decision in diff.decisions:
        where = f"decision at {w.id(decision.touchpoint)}"
        if decision.status == "added":
            lines[decision.stage].append(f"{where} added: {w.text(decision.new_question)}")
        elif decision.status == "removed":
            lines[decision.stage].append(f"{where} removed (was {w.text(decision.old_question)})")
        elif decision.old_question != decision.new_question:
            lines[decision.stage].append(
                f"{where}: question changed from {w.text(decision.old_question)} to {w.text(decision.new_question)}"
            )
        for branch in decision.branches:
            share = _percent
            if branch.status == "added":
                text = f"branch to {w.id(branch.to)} added: {w.text(branch.new_when)}, {share(branch.new_probability)}"
            elif branch.status == "removed":
                text = f"branch to {w.id(branch.to)} removed (was {w.text(branch.old_when)})"
            else:
                parts = []
                if branch.old_when != branch.new_when:
                    parts.append(f"condition changed from {w.text(branch.old_when)} to {w.text(branch.new_when)}")
                if branch.old_probability != branch.new_probability:
                    parts.append(
                        f"probability went from {share(branch.old_probability)} to {share(branch.new_probability)}"
                    )
                text = f"branch to {w.id(branch.to)}: " + "; ".join(parts)
            lines[decision.stage].append(f"{where}: {text}")
    for change in diff.touchpoints.changed:
        for field_change in change.changes:
            if field_change.field == "name":
                lines[change.stage or ""].append(
                    f"{w.id(change.id)} renamed from {w.text(field_change.old)} to {w.text(field_change.new)}"
                )
            else:
                lines[change.stage or ""].append(_field_change(w, f"{w.id(change.id)}: ", field_change))
    for channel in diff.channels:
        lines[channel.stage].append(
            f"{w.id(channel.touchpoint)}: channel changed from {w.plain(channel.old or 'none')} "
            f"to {w.plain(channel.new or 'none')}"
        )
    return lines


# --- the forecast delta -----------------------------------------------------------------------


def _forecast_rows(diff: MapDiff) -> tuple[list[str], list[tuple[str, list[str]]]] | None:
    """The outcome columns and, per row (the audience first, then each persona), the cells
    "success, then each outcome": "21.3% → 41.4% (+20.1 pts)". The same rounding as
    `cjmap forecast --compare`, so the figures are the forecast command's own."""
    delta = diff.forecast
    if delta is None or delta.comparison is None:
        return None
    comparison = delta.comparison
    outcomes = list(
        dict.fromkeys(o for side in (comparison.audience, *comparison.personas.values()) for o in side.outcomes)
    )
    sides = [("the audience", comparison.audience)] + [
        (diff.persona_name(key), side) for key, side in comparison.personas.items()
    ]
    rows = []
    for label, side in sides:
        cells = [_share_change(side.success)] + [
            _share_change(side.outcomes[o]) if o in side.outcomes else "—" for o in outcomes
        ]
        rows.append((label, cells))
    return outcomes, rows


def _share_change(delta: Delta) -> str:
    from cjmap.analysis.forecast import number as rounded
    from cjmap.analysis.forecast_report import percent, points

    old = "—" if delta.old is None else percent(rounded(delta.old))
    new = "—" if delta.new is None else percent(rounded(delta.new))
    if delta.old is None or delta.new is None:
        return f"{old} → {new}"
    if delta.old == delta.new:
        return f"{new} (=)"
    change = delta.change
    assert change is not None  # both sides are known here
    return f"{old} → {new} ({points(rounded(change)).replace('-', MINUS)})"


def _forecast_note(diff: MapDiff, w: _Words) -> str | None:
    """One line instead of the table when a map could not be forecast. An unchanged forecast
    shows nothing (JSON still carries it): a line on every diff would be noise."""
    delta = diff.forecast
    if delta is None or delta.refused is None:
        return None
    return f"forecast not compared: {w.plain(delta.refused)}"


def _forecast_text(diff: MapDiff) -> list[str]:
    note = _forecast_note(diff, _Words(markdown=False))
    if note is not None:
        return [f"  {note}"]
    table = _forecast_rows(diff) if diff.forecast else None
    if table is None:
        return []
    outcomes, rows = table
    lines = ["forecast (the share of customers who reach each outcome, old → new)"]
    for label, cells in rows:
        parts = [f"success {cells[0]}"] + [f"{o} {c}" for o, c in zip(outcomes, cells[1:], strict=True)]
        lines.append(f"  {_Words(markdown=False).plain(label)}: " + "; ".join(parts))
    return lines


def _forecast_markdown(diff: MapDiff) -> str | None:
    w = _Words(markdown=True)
    note = _forecast_note(diff, w)
    if note is not None:
        return f"- {note}\n"
    table = _forecast_rows(diff) if diff.forecast else None
    if table is None:
        return None
    outcomes, rows = table
    lines = [
        "**Forecast**: the share of customers who reach each outcome, old → new",
        "",
        "| Who | Success | " + " | ".join(w.id(o) for o in outcomes) + " |",
        "|---|" + "---|" * (len(outcomes) + 1),
    ]
    lines += [f"| {_escape_md(label[:1].upper() + label[1:])} | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join(lines) + "\n"


def _percent(value: float | None) -> str:
    return "no probability" if value is None else f"{round(value * 100, 1):g}%"


# --- text ------------------------------------------------------------------------------------


def _title(diff: MapDiff) -> str:
    return diff.old if diff.old == diff.new else f"{diff.old} → {diff.new}"


def render_text(diff: MapDiff) -> str:
    if diff.empty:
        return f"{_title(diff)}: no changes\n"
    w = _Words(markdown=False)
    out = [f"{_title(diff)}"]
    out += [f"  {line}" for line in _map_lines(diff, w)]
    out += _forecast_text(diff)
    by_stage = _stage_lines(diff, w)
    for stage in diff.stage_list:
        lines = by_stage.get(stage.id)
        if not lines:
            continue
        status = {"added": " (new stage)", "removed": " (removed stage)", "kept": ""}[stage.status]
        out.append(f"stage {stage.name} ({stage.id}){status}")
        out += [f"  {line}" for line in lines]
    return "\n".join(out) + "\n"


def render_json(diff: MapDiff) -> str:
    return json.dumps(diff.to_json(), indent=2, ensure_ascii=False) + "\n"


# --- Markdown --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """A `<details>` section whose list may be cut to fit the size cap."""

    opening: str
    lines: tuple[str, ...]
    closing: str


Segment = str | _Block


def _summary_table(diff: MapDiff) -> list[str]:

    def cell(items: Sequence[Any], key: Callable[[Any], str]) -> dict[str, int]:
        found: dict[str, int] = defaultdict(int)
        for item in items:
            found[key(item)] += 1
        return found

    added = cell(diff.touchpoints.added, lambda t: t.stage)
    removed = cell(diff.touchpoints.removed, lambda t: t.stage)
    moved = cell(diff.touchpoints.moved, lambda m: m.to_stage)
    resolved = cell(diff.pain_points.resolved, lambda p: p.stage)
    new_pains = cell(diff.pain_points.added, lambda p: p.stage)
    ideas_added = cell(diff.opportunities.added, lambda o: o.stage)
    ideas_dropped = cell(diff.opportunities.dropped, lambda o: o.stage)
    kpis = cell(diff.kpis, lambda k: k.stage)
    averages = {s.stage: s for s in diff.stage_emotion}
    rows = [
        "| Stage | Touchpoints | Average emotion | Pain points | Opportunities | KPIs |",
        "|---|---|---|---|---|---|",
    ]
    for stage in diff.stage_list:
        average = averages.get(stage.id)
        emotion = (
            f"{number(average.old, signed=True)} → {number(average.new, signed=True)}" if average is not None else "="
        )
        touchpoints = " ".join(
            part
            for part in (
                _count("+", added[stage.id]),
                _count(MINUS, removed[stage.id]),
                _count("", moved[stage.id], " moved in"),
            )
            if part
        )
        pains = ", ".join(
            part
            for part in (_count("", resolved[stage.id], " resolved"), _count("", new_pains[stage.id], " added"))
            if part
        )
        ideas = " ".join(
            part for part in (_count("+", ideas_added[stage.id]), _count(MINUS, ideas_dropped[stage.id])) if part
        )
        kpi = _count("", kpis[stage.id], " changed")
        status = {"added": " (new)", "removed": " (removed)", "kept": ""}[stage.status]
        rows.append(
            f"| {_escape_md(stage.name)}{status} | {touchpoints or '='} | {emotion} | {pains or '='} | "
            f"{ideas or '='} | {kpi or '='} |"
        )
    return rows


def _count(sign: str, count: int, suffix: str = "") -> str:
    return f"{sign}{count}{suffix}" if count else ""


def _markdown_segments(diff: MapDiff, heading: str = "###") -> list[Segment]:
    w = _Words(markdown=True)
    title = _escape_md(_title(diff))
    if diff.empty:
        return [f"{heading} {title}\n\nNo changes.\n"]
    segments: list[Segment] = [f"{heading} {title}\n"]
    map_lines = _map_lines(diff, w)
    if map_lines:
        segments.append("\n".join(f"- {line}" for line in map_lines) + "\n")
    forecast = _forecast_markdown(diff)
    if forecast is not None:
        segments.append(forecast)
    segments.append("\n".join(_summary_table(diff)) + "\n")
    by_stage = _stage_lines(diff, w)
    for stage in diff.stage_list:
        lines = by_stage.get(stage.id)
        if not lines:
            continue
        count = f"{len(lines)} change{'s' if len(lines) != 1 else ''}"
        segments.append(
            _Block(
                f"<details><summary>{_escape_md(stage.name)} ({count})</summary>\n\n",
                tuple(f"- {line}" for line in lines),
                "\n</details>\n",
            )
        )
    return segments


def _file_segments(entry: FileDiff) -> list[Segment]:
    path = _escape_md(entry.path)
    if entry.summary is not None:
        s = entry.summary
        verb = "added" if entry.status == "added" else "deleted"
        return [f"### {path} ({verb})\n\nMap `{s.id}` {_Words(True).text(s.title)} {verb}: {s.size()}.\n"]
    assert entry.diff is not None
    segments = _markdown_segments(entry.diff, heading="###")
    renamed = f" (renamed from {_escape_md(entry.old_path or '')})" if entry.status == "renamed" else ""
    if entry.libraries:
        renamed += " (through " + ", ".join(_escape_md(lib) for lib in entry.libraries) + ")"
    first = segments[0]
    assert isinstance(first, str)
    segments[0] = f"### {path}{renamed}\n\n" + first.replace("### ", "**", 1).rstrip("\n") + "**\n"
    if entry.diff.empty:
        segments[0] = f"### {path}{renamed}\n\nNo changes in meaning.\n"
    return segments


def render_markdown(diff: MapDiff, max_chars: int = DEFAULT_MAX_CHARS, full_report: str | None = None) -> str:
    header = f"{MARKER}\n## Journey map changes\n"
    return _fit([header, *_markdown_segments(diff)], max_chars, full_report)


def render_markdown_files(
    entries: Sequence[FileDiff], base: str, max_chars: int = DEFAULT_MAX_CHARS, full_report: str | None = None
) -> str:
    header = f"{MARKER}\n## Journey map changes since {_escape_md(base)}\n"
    if not entries:
        return _fit([header, "No map changed.\n"], max_chars, full_report)
    segments: list[Segment] = [header]
    for entry in entries:
        segments += _file_segments(entry)
    return _fit(segments, max_chars, full_report)


def _cut_note(hidden: int, full_report: str | None) -> str:
    where = f"see the [full report]({full_report})" if full_report else "run `cjmap diff` for the full report"
    return f"- … {hidden} more change{'s' if hidden != 1 else ''} not shown: {where}"


def _fit(segments: Sequence[Segment], max_chars: int, full_report: str | None) -> str:
    """Join the segments; over the cap, cut each stage's list so that every stage still shows."""

    def whole(block: _Block) -> str:
        return block.opening + "\n".join(block.lines) + block.closing

    parts = [s if isinstance(s, str) else whole(s) for s in segments]
    text = "\n".join(parts)
    if len(text) <= max_chars:
        return text
    footer = "\n" + (
        f"The diff is longer than {max_chars:,} characters and was cut: see the [full report]({full_report}).\n"
        if full_report
        else f"The diff is longer than {max_chars:,} characters and was cut: run `cjmap diff` for the full report.\n"
    )
    blocks = [s for s in segments if isinstance(s, _Block)]
    worst_note = len(_cut_note(10**9, full_report)) + 1
    fixed = sum(len(s) + 1 for s in segments if isinstance(s, str)) + len(footer)
    minimal = [len(b.opening) + len(b.closing) + worst_note + 1 for b in blocks]
    budget = max_chars - fixed - sum(minimal)
    out: list[str] = []
    for segment in segments:
        if isinstance(segment, str):
            out.append(segment)
            continue
        shown: list[str] = []
        for line in segment.lines:
            if len(line) + 1 > budget:
                break
            shown.append(line)
            budget -= len(line) + 1
        hidden = len(segment.lines) - len(shown)
        if hidden:
            shown.append(_cut_note(hidden, full_report))
        out.append(segment.opening + "\n".join(shown) + segment.closing)
    text = "\n".join(out) + footer
    if len(text) > max_chars:  # the fixed parts alone are too long (a map with thousands of stages)
        text = text[: max_chars - len(footer)] + footer
    return text


def render_text_files(entries: Sequence[FileDiff], base: str) -> str:
    if not entries:
        return f"no map changed since {base}\n"
    out = []
    for entry in entries:
        renamed = f" (renamed from {entry.old_path})" if entry.status == "renamed" else ""
        if entry.libraries:
            renamed += " (through " + ", ".join(entry.libraries) + ")"
        if entry.summary is not None:
            s = entry.summary
            out.append(f"== {entry.path}: {entry.status}: map {s.id} {_Words(False).text(s.title)}, {s.size()}\n")
        else:
            assert entry.diff is not None
            out.append(f"== {entry.path}{renamed}\n{render_text(entry.diff)}")
    return "\n".join(out)


def render_json_files(entries: Sequence[FileDiff], base: str) -> str:
    return json.dumps({"base": base, "maps": [e.to_json() for e in entries]}, indent=2, ensure_ascii=False) + "\n"
