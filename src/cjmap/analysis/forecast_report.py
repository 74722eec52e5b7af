"""The forecast as text, Markdown, JSON and CSV: pure functions, the same bytes for the same
forecast. Shares are printed as percentages with one decimal everywhere ("21.3%"), changes as
percentage points ("+5.3 pts"), counts per 1,000 entrants as whole numbers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from cjmap.analysis.forecast import (
    EVERYONE,
    Comparison,
    Delta,
    Forecast,
    PersonaForecast,
    comparison_json,
    forecast_json,
    number,
    persona_json,
)
from cjmap.journey import Journey

FORMATS = ("text", "md", "json", "csv")
TOP_ACTIONS = 5


def percent(value: Any) -> str:
    return f"{float(value) * 100:.1f}%"


def points(value: Any) -> str:
    shown = f"{float(value) * 100:+.1f}"
    return f"{'+0.0' if shown == '-0.0' else shown} pts"


def amount(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def render_forecast(result: Forecast[Any], journey: Journey, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(forecast_json(result), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(result)
    return _document(result, journey, markdown=fmt == "md")


def render_comparison(result: Comparison, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(comparison_json(result), ensure_ascii=False, indent=2) + "\n"
    rows = _comparison_rows(result)
    if fmt == "csv":
        return _csv_text([["persona", "metric", "key", "old", "new", "delta"], *rows])
    header = ["persona", "", "", result.old, result.new, "change"]
    table = [[r[0], r[1], r[2], *_delta_cells(r)] for r in rows]
    if fmt == "md":
        lines = [f"# Forecast: {result.old} → {result.new}", ""]
        lines += _md_table(
            ["persona", "what", result.old, result.new, "change"], [[r[0], _what(r), *r[3:]] for r in table]
        )
        return "\n".join(lines) + "\n"
    lines = [f"Forecast: {result.old} -> {result.new}", ""]
    lines += _text_table([header[0], "what", *header[3:]], [[r[0], _what(r), *r[3:]] for r in table], right_from=2)
    return "\n".join(lines) + "\n"


# --- text and Markdown --------------------------------------------------------------------


def _document(result: Forecast[Any], journey: Journey, markdown: bool) -> str:
    out = _Out(markdown)
    how = "exact fractions" if result.exact else "floating point"
    out.title(f"Forecast: {journey.map.title} ({result.map_id})")
    out.line(f"Solved with {how}; every loop is solved exactly, nothing is simulated.")
    if result.goal is not None:
        g = result.goal
        verdict = "met" if g.met else "not met"
        out.line(
            f"Goal: {g.text} — {_outcome_label(journey, g.outcome)} {percent(g.share)} "
            f"against a target of {percent(g.target)}: {verdict}."
        )
    for skipped, reason in result.skipped.items():
        out.line(f"No forecast for {skipped}: {reason}.")
    out.heading("Outcomes")
    out.table(*_outcome_table(result, journey))
    if result.customers is not None:
        per = f" per {result.period}" if result.period else ""
        out.heading(f"Customers{per}")
        header = ["outcome", "customers"]
        if result.value:
            header.append(f"value ({result.currency})" if result.currency else "value")
        rows = []
        for o in journey.outcomes:
            row = [_outcome_label(journey, o), amount(result.customers[o])]
            if result.value:
                row.append(amount(result.value[o]) if o in result.value else "")
            rows.append(row)
        out.table(header, rows, right_from=1)
    out.heading("Funnel per 1,000 entrants")
    out.table(*_funnel(result, journey))
    out.heading("Most likely paths")
    for key, persona in result.personas.items():
        out.line(("**" + _persona_label(journey, key) + "**") if markdown else _persona_label(journey, key) + ":")
        rows = [[percent(p.probability), _path_text(journey, p.touchpoints, p.end)] for p in persona.paths]
        out.table(["share", "path"], rows, right_from=0, right_to=1)
        if not persona.paths_complete:
            out.line("(the search for paths stopped at its limit; the shares above are exact)")
    out.heading("Where to act first")
    out.line("Drop in success (reaching a success outcome) if the touchpoint lost everyone:")
    out.table(*_removals(result.audience, journey))
    out.line("Change in success if a way's probability moved by 10 points (the others keep their proportions):")
    out.table(*_nudges(result.audience, journey))
    if result.variants:
        out.heading("Experiment")
        out.table(*_variants(result, journey))
    return out.text()


def _outcome_table(result: Forecast[Any], journey: Journey) -> tuple[list[str], list[list[str]], int]:
    keys = list(result.personas)
    show_audience = len(keys) > 1
    header = ["", *(_persona_label(journey, k) for k in keys)] + (["audience"] if show_audience else [])
    columns: list[PersonaForecast[Any]] = [result.personas[k] for k in keys] + (
        [result.audience] if show_audience else []
    )
    rows = [[_outcome_label(journey, o), *(percent(c.outcomes[o]) for c in columns)] for o in journey.outcomes]
    rows.append(["no outcome", *(percent(c.no_outcome) for c in columns)])
    rows.append(["success", *(percent(c.success) for c in columns)])
    rows.append(["touchpoints on average", *(f"{float(c.expected_steps):.2f}" for c in columns)])
    if show_audience:
        weighting = "by volume" if result.weighted_by_volume else "equally"
        header[-1] = f"audience ({weighting})"
    return header, rows, 1


def _funnel(result: Forecast[Any], journey: Journey) -> tuple[list[str], list[list[str]], int]:
    keys = list(result.personas)
    columns = [result.personas[k] for k in keys] + ([result.audience] if len(keys) > 1 else [])
    header = ["stage / touchpoint", *(_persona_label(journey, k) for k in keys)] + (
        ["audience"] if len(keys) > 1 else []
    )
    rows = []
    for stage_id, (stage, _) in journey.stages.items():
        rows.append([stage.label, *(_per_thousand(c.stage_reach.get(stage_id, 0)) for c in columns)])
        for tp in stage.touchpoints:
            if journey.touchpoints.get(tp.id) is not None and journey.touchpoints[tp.id].touchpoint is tp:
                rows.append([f"  {tp.label}", *(_per_thousand(c.reach.get(tp.id, 0)) for c in columns)])
    return header, rows, 1


def _per_thousand(value: Any) -> str:
    return f"{float(value) * 1000:,.0f}"


def _removals(audience: PersonaForecast[Any], journey: Journey) -> tuple[list[str], list[list[str]], int]:
    ranked = sorted(
        ((float(v), tp) for tp, v in audience.removal.items() if float(v) > 0),
        key=lambda item: (-item[0], journey.touchpoints[item[1]].order),
    )[:TOP_ACTIONS]
    rows = []
    for value, tp in ranked:
        touchpoint = journey.touchpoints[tp].touchpoint
        pains = "; ".join(p.text for p in touchpoint.pain_points)
        ideas = "; ".join(o.text for o in touchpoint.opportunities)
        rows.append([touchpoint.label, points(-value), pains, ideas])
    return ["touchpoint", "if removed", "pain points", "opportunities"], rows, 1


def _nudges(audience: PersonaForecast[Any], journey: Journey) -> tuple[list[str], list[list[str]], int]:
    rows = []
    for nudge in [n for n in audience.nudges if float(n.weight) > 0][:TOP_ACTIONS]:
        touchpoint = journey.touchpoints[nudge.at].touchpoint
        rows.append(
            [
                f"{touchpoint.label} → {_target_label(journey, nudge.to)}",
                percent(nudge.probability),
                points(nudge.down),
                points(nudge.up),
                "; ".join(p.text for p in touchpoint.pain_points),
                "; ".join(o.text for o in touchpoint.opportunities),
            ]
        )
    return ["way", "now", "-10 points", "+10 points", "pain points", "opportunities"], rows, 1


def _variants(result: Forecast[Any], journey: Journey) -> tuple[list[str], list[list[str]], int]:
    names = list(result.variants)
    header = ["outcome (audience)", "control", *(f"{n}" for n in names), *(f"{n} uplift" for n in names)]
    rows = []
    for o in journey.outcomes:
        control = result.audience.outcomes[o]
        variants = [result.variants[n].audience.outcomes[o] for n in names]
        rows.append(
            [
                _outcome_label(journey, o),
                percent(control),
                *(percent(v) for v in variants),
                *(points(float(v) - float(control)) for v in variants),
            ]
        )
    return header, rows, 1


def _persona_label(journey: Journey, key: str) -> str:
    if key == EVERYONE or key not in journey.personas:
        return key
    return journey.personas[key][0].name


def _outcome_label(journey: Journey, outcome: str) -> str:
    return journey.outcomes[outcome][0].label if outcome in journey.outcomes else outcome


def _target_label(journey: Journey, target: str) -> str:
    if target in journey.touchpoints:
        return journey.touchpoints[target].touchpoint.label
    return _outcome_label(journey, target)


def _path_text(journey: Journey, touchpoints: tuple[str, ...], end: str | None) -> str:
    names = [journey.touchpoints[tp].touchpoint.label for tp in touchpoints]
    names.append(_outcome_label(journey, end) if end else "(ends, no outcome)")
    return " → ".join(names)


class _Out:
    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.lines: list[str] = []

    def title(self, text: str) -> None:
        self.lines += [f"# {text}" if self.markdown else text, ""]

    def heading(self, text: str) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines += [f"## {text}" if self.markdown else text, "" if self.markdown else "-" * len(text)]
        if not self.markdown:
            self.lines.append("")

    def line(self, text: str) -> None:
        self.lines.append(text)
        if self.markdown:
            self.lines.append("")

    def table(self, header: list[str], rows: list[list[str]], right_from: int, right_to: int | None = None) -> None:
        if self.markdown:
            self.lines += [*_md_table(header, rows), ""]
        else:
            self.lines += [*_text_table(header, rows, right_from, right_to), ""]

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").strip() or " "

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def _text_table(header: list[str], rows: list[list[str]], right_from: int, right_to: int | None = None) -> list[str]:
    if not rows:
        return ["  (none)"]
    # Free-text columns (pain points, opportunities, paths) go last and are not padded.
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    end = len(header) if right_to is None else right_to

    def fmt(row: list[str]) -> str:
        cells = []
        for i, text in enumerate(row):
            if right_from <= i < end and _numeric(text):
                cells.append(text.rjust(widths[i]))
            elif i == len(row) - 1:
                cells.append(text)
            else:
                cells.append(text.ljust(widths[i]))
        return ("  " + "  ".join(cells)).rstrip()

    return [fmt(header), *(fmt(r) for r in rows)]


def _numeric(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text[0] in "+-")


# --- CSV ----------------------------------------------------------------------------------


def _csv(result: Forecast[Any]) -> str:
    rows: list[list[Any]] = [["map", "variant", "persona", "metric", "key", "value"]]
    for variant, forecast in [("", result), *result.variants.items()]:
        sides: list[tuple[str, PersonaForecast[Any], bool]] = [(k, p, True) for k, p in forecast.personas.items()]
        sides.append(("audience", forecast.audience, False))
        for key, persona, with_paths in sides:
            data = persona_json(persona, with_paths=with_paths)
            for metric in ("outcomes", "reach", "stages", "removal"):
                for name, value in data[metric].items():
                    rows.append([result.map_id, variant, key, _METRIC_NAMES.get(metric, metric), name, value])
            for metric in ("no_outcome", "success", "expected_steps"):
                rows.append([result.map_id, variant, key, metric, "", data[metric]])
            for nudge in data["nudges"]:
                way = f"{nudge['at']}->{nudge['to']}"
                rows.append([result.map_id, variant, key, "nudge_down", way, nudge["down"]])
                rows.append([result.map_id, variant, key, "nudge_up", way, nudge["up"]])
            for path in data.get("paths", []):
                walked = " > ".join([*path["touchpoints"], path["end"] or "(no outcome)"])
                rows.append([result.map_id, variant, key, "path", walked, path["probability"]])
        for name, count in (forecast.customers or {}).items():
            rows.append([result.map_id, variant, "audience", "customers", name, number(count)])
        for name, worth in (forecast.value or {}).items():
            rows.append([result.map_id, variant, "audience", "value", name, number(worth)])
    return _csv_text(rows)


def _csv_text(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


# --- comparison rows ----------------------------------------------------------------------


def _comparison_rows(result: Comparison) -> list[list[Any]]:
    rows: list[list[Any]] = []
    sides = [*result.personas.items(), ("audience", result.audience)]
    for key, side in sides:
        for outcome, delta in side.outcomes.items():
            rows.append([key, "outcome", outcome, *_delta_numbers(delta)])
        rows.append([key, "no_outcome", "", *_delta_numbers(side.no_outcome)])
        rows.append([key, "success", "", *_delta_numbers(side.success)])
        rows.append([key, "expected_steps", "", *_delta_numbers(side.expected_steps)])
    return rows


def _delta_numbers(delta: Delta) -> list[Any]:
    change = delta.change
    return [
        "" if delta.old is None else number(delta.old),
        "" if delta.new is None else number(delta.new),
        "" if change is None else number(change),
    ]


def _delta_cells(row: list[Any]) -> list[str]:
    old, new, change = row[3], row[4], row[5]
    shown: Callable[[Any], str] = (lambda v: f"{v:.2f}") if row[1] == "expected_steps" else percent
    return [
        "—" if old == "" else shown(old),
        "—" if new == "" else shown(new),
        "—" if change == "" else (f"{change:+.2f}" if row[1] == "expected_steps" else points(change)),
    ]


def _what(row: list[Any]) -> str:
    names = {"no_outcome": "no outcome", "success": "success", "expected_steps": "touchpoints"}
    return str(row[2]) if row[1] == "outcome" else names.get(str(row[1]), str(row[1]))


_METRIC_NAMES = {"outcomes": "outcome", "stages": "stage_reach"}
