"""The map as a GitHub-flavoured Markdown report: header, summary, personas, stages, registers.

Every text from the map goes through `inline`, which escapes Markdown and HTML so that `|`,
backticks, `*`, `<`, leading `#` and newlines never break a table or the layout. The report is
plain text: the same map gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cjmap.journey import Journey, PlacedTouchpoint
from cjmap.model import Evidence, JourneyMap, Kpi, Touchpoint
from cjmap.render.i18n import Words
from cjmap.render.mermaid import render_mermaid
from cjmap.render.text import printable
from cjmap.render.view import (
    LEVEL_RANK,
    SEVERITY_RANK,
    by_stage,
    channel_name,
    kpi_status,
    persona_name,
    review_status,
    swot_quadrants,
    target_label,
)

if TYPE_CHECKING:
    from cjmap.analysis.forecast import Forecast

KPI_SIGNS = {"on-target": "✅", "off-target": "❌", "not-measured": "➖"}
# Characters that start Markdown syntax anywhere in a line; '<', '>' and '&' become entities.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# Characters that start a block (heading, list, quote) only at the beginning of a line.
_LINE_START = re.compile(r"^(\s*)([#+=-]|\d+[.)])")


@dataclass(frozen=True)
class ReportOptions:
    today: date
    diagram: str | None = None  # relative path of the SVG diagram rendered alongside, if any
    source: str | None = None  # the map's file name, for the footer
    forecast: Forecast[Any] | None = None  # render --forecast: the Forecast section
    observed: Mapping[tuple[str, str], str] | None = None  # render --measured: (touchpoint, target) -> text


def inline(text: object) -> str:
    """Text that reads as written inside a paragraph or a table cell."""
    value = printable(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _SPECIAL.sub(r"\\\1", value)
    lines = [_LINE_START.sub(_escape_block, line.strip()) for line in value.splitlines()]
    return "<br>".join(line for line in lines if line)


def heading(text: object) -> str:
    """Inline text for an ATX heading, where a closing run of '#' would be dropped as markup."""
    value = inline(text)
    return value[:-1] + "\\#" if value.endswith("#") else value


def _escape_block(match: re.Match[str]) -> str:
    marker = match.group(2)
    if marker[0].isdigit():  # "1." or "1)" starts an ordered list
        return f"{match.group(1)}{marker[:-1]}\\{marker[-1]}"
    return f"{match.group(1)}\\{marker}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GFM table; cells must already be inline-escaped."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def render_markdown(journey: Journey, options: ReportOptions) -> str:
    return _Report(journey, options).build()


class _Report:
    def __init__(self, journey: Journey, options: ReportOptions) -> None:
        self.journey = journey
        self.map: JourneyMap = journey.map
        self.options = options
        self.words = Words(self.map.locale)

    def w(self, key: str) -> str:
        return self.words[key]

    def build(self) -> str:
        parts = [
            self.header(),
            self.summary(),
            self.at_a_glance(),
            self.personas(),
            self.stages(),
            self.pain_register(),
            self.backlog(),
            self.scorecard(),
            self.decisions(),
            self.outcomes(),
            self.forecast(),
            self.data_matrix(),
            self.content(),
            self.swot(),
            self.experiments(),
            self.footer(),
        ]
        return "\n".join(part for part in parts if part)

    # -- sections -------------------------------------------------------------------------

    def header(self) -> str:
        m, w = self.map, self.w
        lines = [f"# {heading(m.title)}", ""]
        if m.goal_text:
            lines += [f"> **{w('goal')}:** {inline(m.goal_text)}", ""]
        if m.description:
            lines += [inline(m.description), ""]
        rows = [[w("state"), w(m.state)]]
        if m.owner:
            rows.append([w("owner"), inline(m.owner)])
        if m.stakeholders:
            rows.append([w("stakeholders"), inline(", ".join(m.stakeholders))])
        if m.review:
            review = review_status(m.review, self.words, self.options.today)
            status = f"{w('due')} {review.due}"
            if review.overdue:
                status = f"⚠️ **{w('overdue')}** ({w('due')} {review.due})"
            rows.append([w("review"), f"{w('last-reviewed')} {review.last}, {review.every}; {status}"])
        lines.append(table(["", ""], rows))
        if self.options.diagram:
            lines += [f"![{w('diagram')}]({self.options.diagram})", ""]
        return "\n".join(lines)

    def summary(self) -> str:
        w, tps = self.w, [p.touchpoint for p in self.journey.ordered()]
        pains = [pain for tp in tps for pain in tp.pain_points]
        by_severity = ", ".join(f"{sum(1 for p in pains if p.severity == level)} {w(level)}" for level in SEVERITY_RANK)
        kpis = [kpi for tp in tps for kpi in tp.kpis]
        statuses = [kpi.on_target() for kpi in kpis]
        kpi_text = (
            f"{len(kpis)} ({statuses.count(True)} {w('on-target')}, {statuses.count(False)} {w('off-target')}, "
            f"{statuses.count(None)} {w('not-measured')})"
        )
        findings: list[Evidence | None] = [p.evidence for p in pains]
        findings += [o.evidence for tp in tps for o in tp.opportunities] + [k.evidence for k in kpis]
        observed = sum(1 for e in findings if e is not None and e.kind == "observed")
        share = f"{observed} / {len(findings)} ({observed / len(findings):.0%})" if findings else w("none")
        channels = sorted({self._channel(tp.channel) for tp in tps if tp.channel})
        rows = [
            [w("stages"), str(len(self.map.stages))],
            [w("touchpoints"), str(len(tps))],
            [w("personas"), str(len(self.map.personas))],
            [w("channels"), f"{len(channels)} ({inline(', '.join(channels))})" if channels else "0"],
            [w("pain-points"), f"{len(pains)} ({by_severity})"],
            [w("opportunities"), str(sum(len(tp.opportunities) for tp in tps))],
            [w("kpis"), kpi_text],
            [w("observed-share"), share],
        ]
        return f"## {w('summary')}\n\n" + table(["", ""], rows)

    def at_a_glance(self) -> str:
        return f"## {self.w('at-a-glance')}\n\n" + render_mermaid(self.journey, fenced=True)

    def personas(self) -> str:
        if not self.map.personas:
            return ""
        w = self.w
        rows = [
            [
                f"**{inline(p.name)}** (`{p.id}`)",
                w(p.segment) if p.segment else "",
                inline(p.age or ""),
                inline(p.region or ""),
                inline("; ".join(p.needs)),
                inline("; ".join(p.frustrations)),
                inline(", ".join(p.data)),
            ]
            for p in self.map.personas
        ]
        header = [w("persona"), w("segment"), w("age"), w("region"), w("needs"), w("frustrations"), w("data")]
        details = []
        for p in self.map.personas:
            parts = [inline(p.description)] if p.description else []
            for key, items in (("goals", p.goals), ("interests", p.interests), ("expectations", p.expectations)):
                if items:
                    parts.append(f"*{w(key)}:* {inline('; '.join(items))}")
            if parts:
                details.append(f"- **{inline(p.name)}**: " + " · ".join(parts))
        more = "\n" + "\n".join(details) + "\n" if details else ""
        return f"## {w('personas')}\n\n" + table(header, rows) + more

    def stages(self) -> str:
        w = self.w
        out = [f"## {w('stages')}\n"]
        header = [
            w("touchpoint"),
            w("channel"),
            w("action"),
            w("backstage"),
            w("emotion"),
            w("pain-points"),
            w("opportunities"),
            w("kpis"),
        ]
        groups = by_stage(self.journey.ordered(), lambda p: p.stage_index, len(self.map.stages))
        for index, stage in enumerate(self.map.stages):
            out.append(f"### {index + 1}. {heading(stage.label)}\n")
            if stage.goal:
                out.append(f"*{w('goal')}:* {inline(stage.goal)}\n")
            placed = groups[index]
            if placed:
                out.append(table(header, [self._touchpoint_row(p.touchpoint) for p in placed]))
        return "\n".join(out)

    def _touchpoint_row(self, tp: Touchpoint) -> list[str]:
        return [
            f"**{inline(tp.label)}**"
            + (f"<br>{inline(tp.need)}" if tp.need and tp.need != tp.label else "")
            + (f"<br>*“{inline(tp.thoughts)}”*" if tp.thoughts else ""),
            inline(self._channel(tp.channel)),
            inline(tp.action or ""),
            inline(tp.backstage or ""),
            self._emotion(tp),
            "<br>".join(f"{inline(p.text)} ({self.w(p.severity)})" for p in tp.pain_points),
            "<br>".join(inline(o.text) for o in tp.opportunities),
            "<br>".join(self._kpi_short(k) for k in tp.kpis),
        ]

    def pain_register(self) -> str:
        w = self.w
        entries = []
        for placed in self.journey.ordered():
            emotions = [v for _, v in placed.touchpoint.emotions()]
            lowest = min(emotions) if emotions else 0.0
            for order, pain in enumerate(placed.touchpoint.pain_points):
                entries.append((SEVERITY_RANK[pain.severity], lowest, placed.order, order, placed, pain))
        if not entries:
            return ""
        entries.sort(key=lambda entry: entry[:4])
        rows = [
            [
                str(rank),
                inline(pain.text),
                w(pain.severity),
                self._where(placed),
                self._emotion(placed.touchpoint),
                self._evidence(pain.evidence),
            ]
            for rank, (*_, placed, pain) in enumerate(entries, start=1)
        ]
        header = ["#", w("pain-points"), w("severity"), w("touchpoint"), w("emotion"), w("evidence")]
        return f"## {w('pain-register')}\n\n" + table(header, rows)

    def backlog(self) -> str:
        w = self.w
        entries = [
            (LEVEL_RANK[o.impact], -LEVEL_RANK[o.effort], placed.order, index, placed, o)
            for placed in self.journey.ordered()
            for index, o in enumerate(placed.touchpoint.opportunities)
        ]
        if not entries:
            return ""
        entries.sort(key=lambda entry: entry[:4])  # biggest impact first; among equals, least effort
        rows = [
            [str(rank), inline(o.text), w(o.impact), w(o.effort), self._where(placed), inline(o.owner or "")]
            for rank, (*_, placed, o) in enumerate(entries, start=1)
        ]
        header = ["#", w("opportunities"), w("impact"), w("effort"), w("touchpoint"), w("owner-col")]
        return f"## {w('backlog')}\n\n" + table(header, rows)

    def scorecard(self) -> str:
        w = self.w
        rows = []
        for placed in self.journey.ordered():
            for kpi in placed.touchpoint.kpis:
                key = kpi_status(kpi.on_target())
                status = f"{KPI_SIGNS[key]} {w(key)}"
                rows.append(
                    [
                        inline(kpi.name),
                        self._where(placed),
                        self._value(kpi.target, kpi),
                        self._value(kpi.actual, kpi),
                        status,
                    ]
                )
        if not rows:
            return ""
        header = [w("kpi"), w("touchpoint"), w("target"), w("actual"), w("status")]
        return f"## {w('kpi-scorecard')}\n\n" + table(header, rows)

    def decisions(self) -> str:
        w = self.w
        out = []
        for placed in self.journey.ordered():
            decision = placed.touchpoint.decision
            if decision is None:
                continue
            out.append(f"### {heading(decision.question)}\n\n{self._where(placed)}\n")
            rows = [[inline(b.when), self._target(b.to), _percent(b.shared_probability)] for b in decision.branches]
            header = [w("condition"), w("goes-to"), w("probability")]
            observed = self.options.observed
            if observed is not None:  # render --measured: what the log shows next to what the map says
                header.append(w("observed-now"))
                for row, branch in zip(rows, decision.branches, strict=True):
                    target = self.journey.resolve(branch.to)
                    row.append(inline(observed.get((placed.touchpoint.id, target), "—")))
            out.append(table(header, rows))
        return f"## {w('decisions')}\n\n" + "\n".join(out) if out else ""

    def outcomes(self) -> str:
        if not self.journey.outcomes:
            return ""
        w = self.w
        sources: dict[str, list[str]] = {}
        for placed in self.journey.ordered():
            for edge in self.journey.edges[placed.touchpoint.id]:
                if edge.target in self.journey.outcomes:
                    sources.setdefault(edge.target, []).append(inline(placed.touchpoint.label))
        rows = [
            [
                f"**{inline(o.label)}**" + (f"<br>{inline(o.description)}" if o.description else ""),
                w(o.kind),
                "<br>".join(dict.fromkeys(sources.get(o.id, []))),
            ]
            for o, _ in self.journey.outcomes.values()
        ]
        return f"## {w('outcomes')}\n\n" + table([w("outcome"), w("kind"), w("reached-from")], rows)

    def forecast(self) -> str:
        if self.options.forecast is None:
            return ""
        from cjmap.render.forecast_view import forecast_view

        w = self.w
        view = forecast_view(self.journey, self.options.forecast, self.words)
        columns = [inline(c) for c in view.columns]
        out = [f"## {w('fc-forecast')}\n"]
        if view.goal is not None:
            out.append(f"{'✅' if view.goal_met else '❌'} **{inline(view.goal)}**\n")
        out.append(f"### {w('fc-shares')}\n")
        out.append(table([w("outcome"), *columns], ([inline(label), *cells] for label, cells in view.outcomes)))
        if len(view.columns) > 1:
            out.append(inline(view.weighting) + "\n")
        out.append(f"### {w('fc-funnel')}\n")
        out.append(table([w("stage"), *columns], ([inline(label), *cells] for label, cells in view.funnel)))
        if view.per_period:
            out.append(f"### {w('fc-per-period')}\n")
            header = [w("outcome"), *(inline(h) for h in view.per_period_header)]
            out.append(table(header, ([inline(label), *cells] for label, cells in view.per_period)))
        if view.skipped:
            out.append(f"{w('fc-skipped')}: " + "; ".join(inline(s) for s in view.skipped) + "\n")
        return "\n".join(out)

    def data_matrix(self) -> str:
        w = self.w
        uses: dict[str, list[PlacedTouchpoint]] = {}
        for placed in self.journey.ordered():
            if placed.touchpoint.channel:
                uses.setdefault(placed.touchpoint.channel, []).append(placed)
        collected: dict[str, list[str]] = {}
        for placed in self.journey.ordered():
            for item in placed.touchpoint.collects:
                collected.setdefault(item, []).append(inline(placed.touchpoint.label))
        rows = []
        for channel_id in sorted(uses):
            channel = self.journey.channels.get(channel_id)
            if channel is None or not channel.requires:
                continue
            involved = dict.fromkeys(
                p for placed in uses[channel_id] for p in self.journey.personas_of(placed.touchpoint)
            )
            for item in channel.requires:
                lacking = [
                    persona_name(self.journey, p) for p in involved if item not in self.journey.personas[p][0].data
                ]
                rows.append(
                    [
                        inline(self._channel(channel_id)),
                        f"`{item}`",
                        "<br>".join(dict.fromkeys(inline(p.touchpoint.label) for p in uses[channel_id])),
                        inline(", ".join(lacking)) if lacking else "—",
                        "<br>".join(collected.get(item, [])) or "—",
                    ]
                )
        if not rows:
            return ""
        header = [w("channel"), w("requires"), w("used-at"), w("lacking"), w("collected-at")]
        return f"## {w('data-matrix')}\n\n" + table(header, rows)

    def content(self) -> str:
        """The messages and offers the customer is shown, where they are shown."""
        w = self.w
        rows = [
            [self._where(placed), inline(item.kind or ""), inline(item.text)]
            for placed in self.journey.ordered()
            for item in placed.touchpoint.content
        ]
        if not rows:
            return ""
        return f"## {w('content')}\n\n" + table([w("touchpoint"), w("kind"), w("content")], rows)

    def swot(self) -> str:
        swot = self.map.swot
        if swot is None:
            return ""
        w = self.w
        out = [f"## {w('swot')}\n"]
        for title, items in swot_quadrants(swot):
            out.append(f"### {w(title)}\n")
            out += [
                f"- {inline(item.text)}" + (f" ({w('priority')} {item.priority})" if item.priority else "")
                for item in items
            ]
            out.append("")
        return "\n".join(out)

    def experiments(self) -> str:
        if not self.map.experiments:
            return ""
        w = self.w
        rows = [
            [
                f"`{e.id}`",
                inline(e.hypothesis),
                inline(", ".join(self._label(t) for t in e.touchpoints)),
                w(e.status),
                inline(e.result or ""),
            ]
            for e in self.map.experiments
        ]
        header = [w("experiment"), w("hypothesis"), w("touchpoints"), w("status"), w("result")]
        return f"## {w('experiments')}\n\n" + table(header, rows)

    def footer(self) -> str:
        if not self.options.source:
            return ""
        return f"---\n\n*{self.w('generated')} `{inline(self.options.source)}`.*\n"

    # -- pieces ---------------------------------------------------------------------------

    def _channel(self, channel_id: str | None) -> str:
        return channel_name(self.journey, self.words, channel_id) if channel_id else ""

    def _emotion(self, tp: Touchpoint) -> str:
        emotions = tp.emotions()
        if not emotions:
            return ""

        def one(value: float) -> str:
            text = f"{value:+g}".replace("+0", "0")
            return f"{'🙂' if value > 0 else '😐' if value == 0 else '🙁'} {text}"

        if len(emotions) == 1 and emotions[0][0] is None:
            return one(emotions[0][1])
        return "<br>".join(f"{inline(persona_name(self.journey, p or ''))}: {one(v)}" for p, v in emotions)

    def _evidence(self, evidence: Evidence | None) -> str:
        if evidence is None:
            return ""
        return self.w(evidence.kind) + (f": {inline(evidence.source)}" if evidence.source else "")

    def _kpi_short(self, kpi: Kpi) -> str:
        parts = [inline(kpi.name)]
        if kpi.target is not None:
            parts.append(f"{self.w('target')} {self._value(kpi.target, kpi)}")
        if kpi.actual is not None:
            parts.append(f"{self.w('actual')} {self._value(kpi.actual, kpi)}")
        return ", ".join(parts)

    def _value(self, value: float | None, kpi: Kpi) -> str:
        if value is None:
            return "—"
        unit = kpi.unit or ""
        spacer = "" if unit in ("%", "") else " "
        return f"{value:g}{spacer}{inline(unit)}"

    def _where(self, placed: PlacedTouchpoint) -> str:
        stage = self.map.stages[placed.stage_index]
        return f"{inline(placed.touchpoint.label)} ({inline(stage.label)})"

    def _label(self, touchpoint_id: str) -> str:
        placed = self.journey.touchpoints.get(touchpoint_id)
        return placed.touchpoint.label if placed else touchpoint_id

    def _target(self, target: str) -> str:
        label, kind = target_label(self.journey, target)
        return f"**{inline(label)}** ({self.w(kind)})" if kind else inline(label)


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"
