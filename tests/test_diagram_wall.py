"""The diagram on a wall: its default direction by the journey's length, --detail, and persona
lists wrapped rather than cut."""

from __future__ import annotations

import re

from tests.conftest import run_cli


def _map(touchpoints: int, extra: str = "") -> str:
    lines = ["cjmap: 1", "id: wall", "title: Wall", "stages:", "  - id: s", "    touchpoints:"]
    lines += [f"      - {{id: t{i}, name: Step {i}}}" for i in range(touchpoints)]
    return "\n".join(lines) + "\n" + extra


def _dot(source: str, *options: str) -> str:
    result = run_cli("render", "-f", "dot", "-o", "-", *options, "-", input=source)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _text(dot: str) -> str:
    """The words of the labels, with line breaks as spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dot.replace("<BR/>", " ")))


def test_short_journeys_go_left_to_right_and_long_ones_top_to_bottom() -> None:
    assert "rankdir=LR" in _dot(_map(4))
    assert "rankdir=TB" in _dot(_map(5))


def test_a_loop_back_adds_no_length() -> None:
    way_out = "outcomes:\n  - {id: done, kind: success}\n"
    looped = _map(4, way_out).replace("{id: t3, name: Step 3}", "{id: t3, name: Step 3, next: [t0, done]}")
    assert "rankdir=LR" in _dot(looped)


def test_an_explicit_direction_wins() -> None:
    assert "rankdir=LR" in _dot(_map(12), "--direction", "LR")
    assert "rankdir=TB" in _dot(_map(2), "--direction", "TB")


def test_detail_writes_the_top_pain_point_and_opportunity() -> None:
    source = _map(1).replace(
        "{id: t0, name: Step 0}",
        "{id: t0, name: Step 0, pain_points: [{text: Mild nuisance, severity: low}, "
        "{text: Card rejected at checkout, severity: critical}], opportunities: ["
        "{text: Rebuild the whole shop, impact: high, effort: high}, "
        "{text: Show the card error in words, impact: high, effort: low}, "
        "{text: A nicer font, impact: low, effort: low}]}",
    )
    plain = _text(_dot(source))
    assert "Card rejected" not in plain
    assert "2 pain points · 3 ideas" in plain
    detailed = _text(_dot(source, "--detail"))
    assert "Pain (critical): Card rejected at checkout" in detailed
    assert "Idea: Show the card error in words" in detailed
    assert "Mild nuisance" not in detailed and "Rebuild" not in detailed and "nicer font" not in detailed


def test_a_long_persona_list_is_wrapped_not_cut() -> None:
    names = [f"Persona{i} Longname{i}" for i in range(8)]
    personas = "personas:\n" + "".join(f"  - {{id: p{i}, name: {n}}}\n" for i, n in enumerate(names))
    source = _map(1).replace(
        "{id: t0, name: Step 0}", "{id: t0, personas: [" + ", ".join(f"p{i}" for i in range(8)) + "]}"
    )
    dot = _dot(source + personas)
    assert "…" not in dot
    assert "Personas: " + ", ".join(names) in _text(dot)
