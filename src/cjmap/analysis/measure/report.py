"""The measurement as text, Markdown and JSON: pure functions, the same bytes for the same input."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from cjmap.analysis.measure.analyse import EdgeMeasure, Measurement


def iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{seconds:.0f} s"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def to_json(m: Measurement) -> dict[str, Any]:
    steps = {
        (persona or "all"): {
            step: {"reached": c.reached, "stopped": c.stopped, "in_progress": c.in_progress, "finished": c.finished}
            for step, c in counts.items()
        }
        for persona, counts in m.steps.items()
    }
    return {
        "map": m.map_id,
        "customers": m.customers,
        "events": m.events,
        "unmatched_events": m.unmatched_events,
        "edges": [edge.to_json() for edge in m.edges],
        "off_map": [o.to_json() for o in m.off_map],
        "unreached": m.unreached,
        "outcomes": m.outcomes,
        "untaken": [{"from": s, "to": t} for s, t in m.untaken],
        "unmeasured": m.unmeasured,
        "personas": m.customers_by_persona,
        "in_progress": m.in_progress,
        "steps": steps,
        "kpis": [k.to_json() for k in m.kpis],
        "window": {"from": iso(m.window[0]), "to": iso(m.window[1])},
        "log": m.log,
    }


def render_json(m: Measurement) -> str:
    return json.dumps(to_json(m), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _edge_line(edge: EdgeMeasure) -> str:
    declared = "" if edge.declared is None else f"  declared {_pct(edge.declared)}"
    flag = "  OUTSIDE" if edge.off_declared else ""
    times = f"  median {duration(edge.median_seconds)}, p90 {duration(edge.p90_seconds)}" if edge.count else ""
    return (
        f"  {edge.source} -> {edge.target}: {edge.count}/{edge.leaving} = {_pct(edge.observed)} "
        f"[{_pct(edge.low)}, {_pct(edge.high)}]{declared}{flag}{times}"
    )


def render_text(m: Measurement) -> str:
    lines = [
        f"{m.map_id}: {m.customers} customers, {m.events} events from {iso(m.window[0])} to {iso(m.window[1])}",
        f"  {m.unmatched_events} events ({_pct(m.unmatched_share)}) match no touchpoint or outcome; "
        f"{m.in_progress} customers still in progress",
    ]
    for persona in [None, *m.customers_by_persona]:
        title = (
            "all customers" if persona is None else f"persona {persona} ({m.customers_by_persona[persona]} customers)"
        )
        edges = [e for e in m.edges if e.persona == persona]
        if persona is not None and not any(e.leaving for e in edges):
            continue
        lines += ["", f"Edges, {title} (observed share [95% Wilson interval]):"]
        lines += [_edge_line(e) for e in edges] or ["  (none measurable)"]
    lines += ["", "Reached (customers), stopped, in progress:"]
    for step, c in m.steps[None].items():
        extra = f"finished {c.finished}" if step in m.outcomes else f"stopped {c.stopped}, in progress {c.in_progress}"
        lines.append(f"  {step}: {c.reached}  ({extra})")
    lines += ["", "Conformance:"]
    lines += [f"  off the map: {o.source} -> {o.target} ({o.count})" for o in m.off_map] or [
        "  no transitions off the map"
    ]
    lines += [f"  declared, nobody takes it: {s} -> {t}" for s, t in m.untaken]
    lines += [f"  nobody reaches: {step}" for step in m.unreached]
    if m.unmeasured:
        lines.append(f"  not measured (no match): {', '.join(m.unmeasured)}")
    if m.kpis:
        lines += ["", "KPIs:"]
        for k in m.kpis:
            status = {True: "on target", False: "off target", None: "no target"}[k.on_target]
            actual = "-" if k.actual is None else f"{k.actual:.1f}{k.unit or ''}"
            target = "" if k.target is None else f", target {k.target:g}{k.unit or ''}"
            lines.append(f"  {k.name} ({k.source} -> {k.target_step}): {actual} of {k.base}{target} — {status}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(m: Measurement) -> str:
    lines = [
        f"# Measured: {_md(m.map_id)}",
        "",
        f"{m.customers} customers, {m.events} events, {iso(m.window[0])} to {iso(m.window[1])}. "
        f"{m.unmatched_events} events ({_pct(m.unmatched_share)}) match no step; "
        f"{m.in_progress} customers in progress.",
        "",
        "| persona | from | to | count | observed | 95% interval | declared | median | p90 |",
        "|---|---|---|---:|---:|---|---:|---:|---:|",
    ]
    for e in m.edges:
        if e.persona is not None and not e.leaving:
            continue
        flag = " ⚠" if e.off_declared else ""
        lines.append(
            f"| {e.persona or 'all'} | {_md(e.source)} | {_md(e.target)} | {e.count} | {_pct(e.observed)} | "
            f"{_pct(e.low)}–{_pct(e.high)} | {_pct(e.declared) if e.declared is not None else '-'}{flag} | "
            f"{duration(e.median_seconds) if e.count else '-'} | {duration(e.p90_seconds) if e.count else '-'} |"
        )
    lines += ["", "## Conformance", ""]
    lines += [f"- off the map: `{o.source}` → `{o.target}` ({o.count})" for o in m.off_map]
    lines += [f"- declared, nobody takes it: `{s}` → `{t}`" for s, t in m.untaken]
    lines += [f"- nobody reaches `{step}`" for step in m.unreached]
    if not (m.off_map or m.untaken or m.unreached):
        lines.append("- every transition is on the map and every step is reached")
    if m.kpis:
        lines += ["", "## KPIs", "", "| KPI | from | to | actual | target | |", "|---|---|---|---:|---:|---|"]
        for k in m.kpis:
            status = {True: "on target", False: "off target", None: "-"}[k.on_target]
            actual = "-" if k.actual is None else f"{k.actual:.1f}{k.unit or ''}"
            target = "-" if k.target is None else f"{k.target:g}{k.unit or ''}"
            lines.append(f"| {_md(k.name)} | {k.source} | {k.target_step} | {actual} | {target} | {status} |")
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "md": render_markdown, "json": render_json}
