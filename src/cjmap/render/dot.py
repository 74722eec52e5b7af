"""The journey flow diagram as Graphviz DOT: stages as clusters, touchpoints as nodes, decisions as
diamonds, outcomes as terminal shapes, loops drawn back against the flow.

Every text from the map goes into an HTML-like label through `html_text`, which escapes it, so
no map can break out of a label or inject DOT. Node names come from the map's ids (prefixed by
kind), never from counters or hashes, so the output is the same bytes on every run.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from cjmap.journey import Journey, PlacedTouchpoint
from cjmap.model import Touchpoint
from cjmap.render.dot_source import Digraph
from cjmap.render.i18n import Words
from cjmap.render.text import escape, printable
from cjmap.render.theme import FONT, LIGHT, Theme
from cjmap.render.view import (
    MARKERS,
    by_stage,
    channel_name,
    emotion_level,
    persona_name,
    signed,
    top_opportunity,
    top_pain,
)

# Above this many touchpoints, Graphviz's crossing minimisation is cut short (mclimit): on a
# 1,000-touchpoint map it halves the layout time, while small maps keep the tidiest layout.
LARGE_MAP = 150
# Above this many loops (links back to an earlier step), dot's network simplex and spline routing
# explode: a 200-touchpoint map with a back-branch at every step took over 60 s with either engine;
# straight edges and capped simplex passes (splines=line, nslimit=2) draw it in 2 s (embedded)
# and 7 s (system dot 2.43). Ordinary maps have a handful of loops and keep curved edges.
MANY_LOOPS = 40
NAME_WIDTH = 28
NOTE_WIDTH = 34
MAX_LINES = 4
# Left to right up to this many touchpoints on the longest forward path, top to bottom beyond.
# Measured (cjmap render -f svg, Graphviz 2.43, sizes in pt, LR then TB; 'chain' = the longest
# forward path): lojalnost-bank, chain 7: 2796x434 / 852x1232; pierwszy-zakup, 11:
# 2984x432 / 639x1546; saas-onboarding-as-is, 8: 2857x407 / 671x1401; saas-onboarding-to-be, 9:
# 2552x415 / 646x1258; generated 21: 4414x853 / 1223x2645; generated 40: 8309x853 / 1007x4768.
# LR grows ~400 pt wide per touchpoint, TB ~175 pt tall. Fitted to a landscape page (1.41:1),
# LR's scale is 1.41H/(400n) and TB's min(1.41H/800, H/(175n)): equal at n = 3, TB ahead from 4
# on (1.6x at 7 touchpoints, 1.2x at 21 and 40). So maps of more than 4 go top to bottom.
LR_UP_TO = 4


@dataclass(frozen=True)
class DiagramOptions:
    theme: Theme = LIGHT
    direction: str | None = None  # LR or TB; None: by the length of the journey (see LR_UP_TO)
    persona: str | None = None  # draw only this persona's touchpoints and paths
    detail: bool = False  # write the top pain point and opportunity into each touchpoint
    # (touchpoint, target) -> the forecast's reach share of that way (render --forecast), from
    # render/forecast_view.edge_shares
    shares: Mapping[tuple[str, str], str] | None = None
    # (touchpoint, target) -> "observed 80% (65–90%)" (render --measured), from render/measured_view
    observed: Mapping[tuple[str, str], str] | None = None


def longest_chain(journey: Journey, shown: list[PlacedTouchpoint]) -> int:
    """Touchpoints on the longest path that only goes forward in journey order (loops back are
    drawn against the flow and add no length)."""
    order = {p.touchpoint.id: index for index, p in enumerate(shown)}
    length = dict.fromkeys(order, 1)
    for index, placed in enumerate(shown):
        for edge in journey.edges.get(placed.touchpoint.id, []):
            target = shown[index + 1].touchpoint.id if edge.implicit and index + 1 < len(shown) else edge.target
            if order.get(target, -1) > index:
                length[target] = max(length[target], length[placed.touchpoint.id] + 1)
    return max(length.values(), default=0)


def html_text(text: str, width: int = NAME_WIDTH, max_lines: int = MAX_LINES) -> str:
    """Escape text for an HTML-like label and wrap it into at most max_lines lines."""
    lines: list[str] = []
    # Only the first lines are shown: wrapping a 10 MB word whole took textwrap half a minute.
    shown = str(text)[: (width + 1) * max_lines * 4]
    for paragraph in printable(shown).splitlines() or [""]:
        if len(paragraph) <= width and paragraph.isprintable():
            # It fits on one line: textwrap would only drop the trailing spaces (most labels;
            # wrapping them took a third of a large diagram's build). No tabs or other blanks here.
            lines.append(paragraph.rstrip(" "))
            continue
        lines += textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=True) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1].rstrip() + "…"]
    # Graphviz refuses an empty <B></B>, which a blank text would make: keep a no-break space.
    return "<BR/>".join(escape(line) for line in lines) or "&#160;"


def node_name(kind: str, element_id: str) -> str:
    return f"{kind}:{element_id}".replace(":", "__")


def render_dot(journey: Journey, options: DiagramOptions = DiagramOptions()) -> str:
    """The diagram of one validated map as DOT source text."""
    return _Diagram(journey, options).build()


class _Diagram:
    def __init__(self, journey: Journey, options: DiagramOptions) -> None:
        self.journey = journey
        self.map = journey.map
        self.options = options
        self.theme = options.theme
        self.words = Words(self.map.locale)
        self.shown = [p for p in journey.ordered() if self._involves(p.touchpoint)]
        self.shown_ids = {p.touchpoint.id for p in self.shown}
        self.order = {p.touchpoint.id: index for index, p in enumerate(self.shown)}
        self.links = {p.touchpoint.id: self._edges_of(p) for p in self.shown}

    def _involves(self, touchpoint: Touchpoint) -> bool:
        persona = self.options.persona
        return persona is None or persona in self.journey.personas_of(touchpoint)

    def direction(self) -> str:
        if self.options.direction:
            return self.options.direction
        return "LR" if longest_chain(self.journey, self.shown) <= LR_UP_TO else "TB"

    def build(self) -> str:
        t = self.theme
        graph = Digraph(
            name=self.map.id,
            graph_attr={
                "rankdir": self.direction(),
                # No newrank: with clusters it makes dot's layout time explode (18 s instead of
                # 0.5 s at 400 touchpoints).
                "compound": "true",
                "bgcolor": t.background,
                "fontname": FONT,
                "fontcolor": t.text,
                "fontsize": "16",
                "label": f"<{self._title()}>",
                "labelloc": "t",
                "labeljust": "l",
                "nodesep": "0.3",
                "ranksep": "0.45",
                "pad": "0.3",
            },
            node_attr={
                "shape": "box",
                "style": "rounded,filled",
                "fontname": FONT,
                "fontsize": "11",
                "fontcolor": t.text,
                "color": t.node_border,
                "margin": "0.12,0.06",
            },
            edge_attr={"fontname": FONT, "fontsize": "9", "fontcolor": t.muted, "color": t.edge, "arrowsize": "0.7"},
        )
        if len(self.shown) > LARGE_MAP:
            graph.graph_attr["mclimit"] = "0.3"
        if self._loops() > MANY_LOOPS:
            graph.graph_attr.update(splines="line", nslimit="2", nslimit1="2")
        self._stages(graph)
        self._outcomes(graph)
        self._edges(graph)
        self._legend(graph)
        return str(graph.source)

    def _title(self) -> str:
        m, words = self.map, self.words
        details = [words[m.state]]
        if self.options.persona:
            details.append(f"{words.lower('persona')}: {persona_name(self.journey, self.options.persona)}")
        if m.goal_text:
            details.append(f"{words.lower('goal')}: {m.goal_text}")
        subtitle = html_text(" · ".join(details), 110, 3)
        return (
            f'<B>{html_text(m.title, 90, 2)}</B><BR/><FONT POINT-SIZE="11" COLOR="{self.theme.muted}">{subtitle}</FONT>'
        )

    def _stages(self, graph: Digraph) -> None:
        t = self.theme
        firsts: list[str] = []
        groups = by_stage(self.shown, lambda p: p.stage_index, len(self.map.stages))
        for index, stage in enumerate(self.map.stages):
            placed = groups[index]
            if not placed:
                continue
            label = f"<B>{index + 1}. {html_text(stage.label, 40, 2)}</B>"
            if stage.goal:
                label += f'<BR/><FONT POINT-SIZE="9" COLOR="{t.muted}">{html_text(stage.goal, 44, 2)}</FONT>'
            # A cluster built on its own and then added (the graphviz package's `with
            # graph.subgraph()` copied the whole parent body for every cluster: minutes at 20,000).
            cluster = Digraph(name=f"cluster_{node_name('stage', stage.id)}")
            cluster.attr(
                label=f"<{label}>",
                style="rounded,filled",
                fillcolor=t.cluster_fill,
                color=t.cluster_border,
                fontsize="12",
                labeljust="l",
                margin="12",
            )
            for item in placed:
                self._touchpoint(cluster, item)
            graph.subgraph(cluster)
            firsts.append(node_name("tp", placed[0].touchpoint.id))
        # Invisible edges between the stages' first touchpoints keep the columns in stage order.
        for before, after in itertools.pairwise(firsts):
            graph.edge(before, after, style="invis", weight="4")

    def _touchpoint(self, graph: Digraph, placed: PlacedTouchpoint) -> None:
        tp, t = placed.touchpoint, self.theme
        emotions = tp.emotions()
        if self.options.persona and isinstance(tp.emotion, dict):
            emotions = [(p, v) for p, v in emotions if p == self.options.persona]
        rows = [f"<B>{html_text(tp.label)}</B>"]
        details = []
        if tp.channel:
            details.append(html_text(channel_name(self.journey, self.words, tp.channel), NOTE_WIDTH, 1))
        if tp.personas is not None and not self.options.persona:
            # "Personas: Kasia, Piotr" needs no grammatical case ("dla Kasi"); wrapped, never cut.
            names = [persona_name(self.journey, p) for p in tp.personas if p in self.journey.personas]
            label = self.words["persona" if len(names) == 1 else "personas"]
            details.append(html_text(f"{label}: " + ", ".join(names), NOTE_WIDTH, len(names) + 2))
        if details:
            rows.append(f'<FONT POINT-SIZE="9">{"<BR/>".join(details)}</FONT>')
        if emotions:
            rows.append(f'<FONT POINT-SIZE="9">{self._emotion_text(emotions)}</FONT>')
        counts = self._counts(tp)
        if counts:
            rows.append(f'<FONT POINT-SIZE="9">{escape(counts)}</FONT>')
        if self.options.detail:
            rows += self._detail(tp)
        fill, font = t.no_emotion_fill, t.text
        if emotions:
            level = emotion_level(sum(v for _, v in emotions) / len(emotions), self.map.emotion_scale)
            fill, font = t.emotion_fill[level], t.emotion_text[level]
        table = "".join(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{row}</TD></TR>' for row in rows)
        graph.node(
            node_name("tp", tp.id),
            label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{table}</TABLE>>',
            fillcolor=fill,
            fontcolor=font,
            penwidth="2" if tp.entry else "1",
        )
        if tp.decision is not None:
            graph.node(
                node_name("decision", tp.id),
                label=f"<{html_text(tp.decision.question, 22, 4)}>",
                shape="diamond",
                style="filled",
                fillcolor=t.decision_fill,
                fontcolor=t.text,
                fontsize="10",
                margin="0.04",
            )

    def _emotion_text(self, emotions: list[tuple[str | None, float]]) -> str:
        """'▲ +1 positive' for one emotion; 'Anna ▲ +1, Piotr ▼ −1' for several personas."""
        scale = self.map.emotion_scale
        if len(emotions) == 1 and (emotions[0][0] is None or self.options.persona):
            level = emotion_level(emotions[0][1], scale)
            mood = self.words[f"emotion-{level}"]
            return html_text(f"{MARKERS[level]} {signed(emotions[0][1])} {mood}", NOTE_WIDTH, 1)
        parts = []
        for persona, value in emotions:
            parts.append(
                f"{persona_name(self.journey, persona or '')} {MARKERS[emotion_level(value, scale)]} {signed(value)}"
            )
        return html_text(", ".join(parts), NOTE_WIDTH, 3)

    def _detail(self, tp: Touchpoint) -> list[str]:
        """The most severe pain point and the best opportunity (most impact, least effort)."""
        rows = []
        pain, idea = top_pain(tp), top_opportunity(tp)
        if pain is not None:
            text = f"{self.words['top-pain']} ({self.words[pain.severity]}): {pain.text}"
            rows.append(f'<FONT POINT-SIZE="9">{html_text(text, NOTE_WIDTH, 4)}</FONT>')
        if idea is not None:
            text = f"{self.words['top-idea']}: {idea.text}"
            rows.append(f'<FONT POINT-SIZE="9">{html_text(text, NOTE_WIDTH, 4)}</FONT>')
        return rows

    def _counts(self, tp: Touchpoint) -> str:
        """'1 pain point · 2 ideas · 1 KPI', in the map's language."""
        counts = ((len(tp.pain_points), "pain"), (len(tp.opportunities), "idea"), (len(tp.kpis), "kpi"))
        return " · ".join(self.words.count(number, noun) for number, noun in counts if number)

    def _outcomes(self, graph: Digraph) -> None:
        t = self.theme
        targeted = {link.target for links in self.links.values() for link in links}
        shown = [outcome for outcome, _ in self.journey.outcomes.values() if outcome.id in targeted]
        if not shown:
            return
        cluster = Digraph(name="cluster_outcomes")
        title = html_text(self.words["outcomes"], 40, 1)
        cluster.attr(label=f"<<B>{title}</B>>", style="rounded,dashed", color=t.cluster_border, fontsize="12")
        for outcome in shown:
            fill = {"success": t.success_fill, "lost": t.lost_fill}.get(outcome.kind, t.other_fill)
            kind = html_text(self.words[outcome.kind], 30, 1)
            cluster.node(
                node_name("outcome", outcome.id),
                label=f'<<B>{html_text(outcome.label, 24, 3)}</B><BR/><FONT POINT-SIZE="9">{kind}</FONT>>',
                shape="box",
                style="rounded,filled,bold" if outcome.kind == "success" else "filled",
                peripheries="2" if outcome.kind == "success" else "1",
                fillcolor=fill,
            )
        graph.subgraph(cluster)

    def _edges_of(self, placed: PlacedTouchpoint) -> list[_Link]:
        """Links leaving a touchpoint, limited to what is drawn (for one persona: their path)."""
        links: list[_Link] = []
        for edge in self.journey.edges[placed.touchpoint.id]:
            if edge.implicit:  # sequential flow: on to the next touchpoint that is drawn
                following = self._next_shown(placed)
                if following is not None:
                    links.append(_Link(following, None, None, branch=False))
            elif edge.target in self.shown_ids or edge.target in self.journey.outcomes:
                links.append(_Link(edge.target, edge.label, edge.probability, branch="decision" in edge.path))
        return links

    def _next_shown(self, placed: PlacedTouchpoint) -> str | None:
        index = self.order[placed.touchpoint.id]
        return self.shown[index + 1].touchpoint.id if index + 1 < len(self.shown) else None

    def _edges(self, graph: Digraph) -> None:
        entries = [entry for entry in self.journey.entries() if entry in self.shown_ids] or [
            p.touchpoint.id for p in self.shown[:1]
        ]
        if entries:
            graph.node(
                "start",
                label="",
                shape="circle",
                style="filled",
                fillcolor=self.theme.text,
                color=self.theme.text,
                width="0.18",
                fixedsize="true",
            )
            for entry in entries:
                graph.edge("start", node_name("tp", entry))
        for placed in self.shown:
            source = node_name("tp", placed.touchpoint.id)
            links = self.links[placed.touchpoint.id]
            plain = [link for link in links if not link.branch]
            branches = [link for link in links if link.branch]
            for link in plain:
                self._link(graph, placed, source, link)
            if placed.touchpoint.decision is not None:
                diamond = node_name("decision", placed.touchpoint.id)
                graph.edge(source, diamond)
                for link in branches:
                    self._link(graph, placed, diamond, link)

    def _loops(self) -> int:
        """How many drawn links lead back to the same or an earlier touchpoint."""
        return sum(
            1
            for placed in self.shown
            for link in self.links[placed.touchpoint.id]
            if link.target in self.order and self.order[link.target] <= self.order[placed.touchpoint.id]
        )

    def _link(self, graph: Digraph, placed: PlacedTouchpoint, source: str, link: _Link) -> None:
        if link.target in self.journey.outcomes and link.target not in self.shown_ids:
            target = node_name("outcome", link.target)
            backwards = False
        else:
            target = node_name("tp", link.target)
            backwards = self.order[link.target] <= self.order[placed.touchpoint.id]
        attributes: dict[str, str] = {}
        label = []
        if link.label:
            label.append(html_text(link.label, 24, 3))
        if link.probability is not None:
            label.append(f"<B>{link.probability * 100:.0f}%</B>")
        taken = self.options.shares.get((placed.touchpoint.id, link.target)) if self.options.shares else None
        if taken is not None:
            label.append(f"<I>{escape(taken)}</I>")
        seen = self.options.observed.get((placed.touchpoint.id, link.target)) if self.options.observed else None
        if seen is not None:
            label.append(f'<FONT POINT-SIZE="8">{html_text(seen, 30, 1)}</FONT>')
        if label:
            attributes["label"] = f"<{'<BR/>'.join(label)}>"
        if backwards:  # a loop: drawn against the flow, without pulling the layout backwards
            attributes.update(style="dashed", constraint="false")
        graph.edge(source, target, **attributes)

    def _legend(self, graph: Digraph) -> None:
        t = self.theme
        words = self.words
        cells = "".join(
            f'<TD BGCOLOR="{t.emotion_fill[level]}"><FONT COLOR="{t.emotion_text[level]}" POINT-SIZE="9">'
            f"{MARKERS[level]} {html_text(words[f'emotion-{level}'], 30, 1)}</FONT></TD>"
            for level in range(5)
        )
        rows = (
            f'<TR><TD COLSPAN="5" ALIGN="LEFT"><B>{html_text(words["legend"], 30, 1)}</B></TD></TR><TR>{cells}</TR>'
            f'<TR><TD COLSPAN="5" ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="9">'
            f"{html_text(words['legend-shapes'], 80, 3)}</FONT></TD></TR>"
        )
        if self.options.shares:  # render --forecast: what the italic shares on the ways are
            rows += (
                f'<TR><TD COLSPAN="5" ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="9">'
                f"<I>{html_text(words['fc-legend'], 80, 3)}</I></FONT></TD></TR>"
            )
        graph.node(
            "legend",
            label=f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" COLOR="{t.cluster_border}">'
            f"{rows}</TABLE>>",
            shape="plaintext",
            style="",
            fontcolor=t.text,
        )


@dataclass(frozen=True)
class _Link:
    target: str
    label: str | None
    probability: float | None
    branch: bool
