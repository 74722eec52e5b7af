"""Property-based tests for the renderers: any valid map, with any text in it, renders.

Maps are generated valid (so the renderers run), with texts drawn from all of Unicode plus the
characters that mean something in DOT, Markdown, Mermaid and HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjmap.commands.engines import Engine, embedded_program
from cjmap.journey import Journey
from cjmap.model import JourneyMap
from cjmap.render.dot import DiagramOptions, node_name, render_dot
from cjmap.render.html import HtmlOptions, render_html
from cjmap.render.markdown import ReportOptions, render_markdown
from cjmap.render.mermaid import render_mermaid
from tests.test_markdown import TASK, tables

SPECIAL = [*list("<>&\"'\\|`*_#:;%{}[]()\n\t-+=~!"), "</script>", "-->", "]]>", "{{", "{%", "&amp;", "\u202e", "🙂"]
TOKENS = st.one_of(st.characters(blacklist_categories=["Cs"]), st.sampled_from(SPECIAL))
TEXT = st.lists(TOKENS, max_size=12).map("".join)
NONEMPTY = TEXT.filter(lambda text: text.strip() != "")


@st.composite
def journey_maps(draw: st.DrawFn) -> JourneyMap:
    personas = [{"id": f"p{i}", "name": draw(NONEMPTY)} for i in range(draw(st.integers(0, 3)))]
    count = draw(st.integers(1, 8))
    ids = [f"t{i}" for i in range(count)]
    touchpoints: list[dict[str, Any]] = []
    for index, touchpoint_id in enumerate(ids):
        touchpoint: dict[str, Any] = {"id": touchpoint_id, "name": draw(st.none() | NONEMPTY)}
        for field in ("action", "backstage", "need", "thoughts"):
            touchpoint[field] = draw(st.none() | TEXT)
        touchpoint["channel"] = draw(st.none() | st.sampled_from(["email", "web", "sms", "store"]))
        if len(personas) > 0 and draw(st.booleans()):
            touchpoint["personas"] = draw(
                st.lists(st.sampled_from([p["id"] for p in personas]), min_size=1, unique=True)
            )
        if len(personas) > 0 and draw(st.booleans()):
            touchpoint["emotion"] = {p["id"]: draw(st.integers(-2, 2)) for p in personas}
        else:
            touchpoint["emotion"] = draw(st.none() | st.integers(-2, 2))
        touchpoint["pain_points"] = draw(st.lists(NONEMPTY, max_size=2))
        touchpoint["opportunities"] = draw(st.lists(NONEMPTY, max_size=2))
        touchpoint["kpis"] = [
            {"name": name, "target": 1, "actual": draw(st.integers(0, 2))}
            for name in draw(st.lists(NONEMPTY, max_size=2))
        ]
        if draw(st.booleans()):
            targets = st.sampled_from([*ids, "won", "lost"])
            touchpoint["decision"] = {
                "question": draw(NONEMPTY),
                "branches": [
                    {"when": draw(NONEMPTY), "to": draw(targets), "probability": 0.5},
                    {"when": draw(NONEMPTY), "to": draw(targets), "probability": 0.5},
                ],
            }
        elif index == count - 1 or draw(st.booleans()):
            touchpoint["next"] = [draw(st.sampled_from([*ids, "won", "lost"]))]
        touchpoints.append(touchpoint)
    split = draw(st.integers(1, count))
    stages = [{"id": "s1", "name": draw(NONEMPTY), "goal": draw(st.none() | TEXT), "touchpoints": touchpoints[:split]}]
    if touchpoints[split:]:
        stages.append({"id": "s2", "name": draw(NONEMPTY), "touchpoints": touchpoints[split:]})
    document = {
        "cjmap": 1,
        "id": "generated",
        "title": draw(NONEMPTY),
        "goal": draw(st.none() | TEXT),
        "locale": draw(st.sampled_from(["en", "pl", "ru"])),
        "personas": personas,
        "stages": stages,
        "outcomes": [
            {"id": "won", "name": draw(NONEMPTY), "kind": "success"},
            {"id": "lost", "name": draw(NONEMPTY), "kind": "lost"},
        ],
        "swot": {"strengths": draw(st.lists(NONEMPTY, max_size=2))},
    }
    return JourneyMap.model_validate(document)


RENDER_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey_maps())
def test_any_map_renders_to_dot_that_graphviz_draws(journey_map: JourneyMap) -> None:
    journey = Journey.build(journey_map)
    dot = render_dot(journey)
    assert dot.startswith("digraph generated {") and dot.endswith("}\n")
    # Graphviz itself must accept it (no text from the map broke out of a label) ...
    program = embedded_program()
    assert program is not None
    svg = Engine("embedded", program).render(dot, "svg")
    # ... and every touchpoint's box is drawn.
    root = ET.fromstring(svg)
    titles = {node.text for node in root.iter("{http://www.w3.org/2000/svg}title")}
    assert {node_name("tp", tp.id) for tp in journey_map.touchpoints()} <= titles
    if journey_map.personas:
        render_dot(journey, DiagramOptions(persona=journey_map.personas[0].id))


@RENDER_SETTINGS
@given(journey_maps())
def test_any_map_renders_to_well_formed_markdown_and_mermaid(journey_map: JourneyMap) -> None:
    journey = Journey.build(journey_map)
    markdown = render_markdown(journey, ReportOptions(today=date(2026, 11, 23)))
    for table in tables(markdown):
        assert all(len(row) == len(table[0]) for row in table)
    mermaid = render_mermaid(journey)
    tasks = [line for line in mermaid.splitlines()[2:] if not line.startswith("    section ")]
    assert all(TASK.match(line) for line in tasks), tasks


@RENDER_SETTINGS
@given(journey_maps())
def test_any_map_renders_to_html_without_markup_from_the_map(journey_map: JourneyMap) -> None:
    page = render_html(Journey.build(journey_map), HtmlOptions(today=date(2026, 11, 23)))
    assert page.count("<script>") == 1 and page.count("</script>") == 1
    assert page.count("<style>") == 1 and page.count("</style>") == 1
    assert page.endswith("</html>\n")
