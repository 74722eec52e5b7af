"""`cjmap import mermaid` against Mermaid itself: random journeys full of the grammar's corner cases,
parsed by both; cjmap must accept exactly what Mermaid accepts and read the same title, texts,
sections, task names, scores and actors."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cjmap.importers import ImportError_, Notes
from cjmap.importers.mermaid import parse_journey
from tests.test_markdown import JS, node_ready

COUNT = 400
NAME_PARTS = ["Make tea", "Zapłać", "Ждёт", " x ", "a,b", "'q'", '"Q"', "{x}", "(1)", "&", "#quot;", "#9829;",
              "#59;", "7", "title", "sections", "x%%y", "jour", "}", "-", "Section", "journeys", "Ok",
              "Pay"]  # fmt: skip
SCORES = ["5", " 3 ", "1", "4", "", "x", "-1", "4.5", "0x10", "1e1", "Infinity", "+2", ".5", "5.", "3 4", "1_0", "0b11"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(NAME_PARTS) for _ in range(rng.randint(1, 3)))


def _line(rng: random.Random) -> str:
    pad = rng.choice(["", "  ", "\t", "    "])
    kind = rng.random()
    if kind < 0.55:
        actors = rng.choice(["", f": {_name(rng)}", f": {_name(rng)}, {_name(rng)}", ":", f": A: {_name(rng)}"])
        tail = rng.choice(["", "", "", "", "", " # note", " %% note", ";"])
        return f"{pad}{_name(rng)}{rng.choice([':', ' : ', ': '])}{rng.choice(SCORES)}{actors}{tail}"
    if kind < 0.7:
        return f"{pad}{rng.choice(['section', 'Section', 'SECTION'])}{rng.choice([' ', '  ', ''])}{_name(rng)}"
    if kind < 0.76:
        return f"{pad}{rng.choice(['title', 'Title', 'TITLE'])}{rng.choice([' ', ''])}{_name(rng)}"
    if kind < 0.82:
        return f"{pad}{rng.choice(['accTitle', 'accDescr'])}{rng.choice([':', ' : ', ''])} {_name(rng)}"
    if kind < 0.86:
        return f"{pad}accDescr {{\n{pad}  {_name(rng)}\n\n{pad}  {_name(rng)}\n{pad}}}"
    if kind < 0.96:
        return rng.choice(["", "%% a comment", "  # comment", "%%{init: {}}%%"])
    return f"{pad}{rng.choice(['Just words', ': 5: Me', 'journey', 'Journeys: 3', 'a;b: 3', '#x; : 2'])}"


def journeys() -> list[str]:
    rng = random.Random(12)
    texts = []
    for _ in range(COUNT):
        head = rng.choice(["journey", "journey", "journey", "  journey", "%% c\njourney", "Journey", "journey x"])
        texts.append("\n".join([head, *(_line(rng) for _ in range(rng.randint(1, 6)))]) + rng.choice(["\n", ""]))
    return texts


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def ours(text: str) -> dict[str, Any] | None:
    try:
        meta, sections = parse_journey(text, "x.mmd", Notes())
    except ImportError_:
        return None
    tasks = []
    for section in sections:
        for task in section.tasks:
            score: Any = task.score
            if score is not None and math.isinf(score):
                score = "Infinity" if score > 0 else "-Infinity"
            tasks.append({"section": section.name.strip(), "task": task.name, "score": score, "people": task.actors})
    return {
        "title": _clean(meta.get("title", "")),
        "accTitle": _clean(meta.get("accTitle", "")),
        "accDescr": _clean(meta.get("accDescr", "")),
        "tasks": tasks,
    }


def test_same_verdict_and_same_reading_as_mermaid(tmp_path: Path) -> None:
    if not node_ready():
        if os.environ.get("CI"):
            pytest.fail("Mermaid's parser is not installed: run 'npm ci' in tests/js")
        pytest.skip("Mermaid's parser is not installed (npm ci in tests/js)")
    texts = journeys()
    files = []
    for index, text in enumerate(texts):
        files.append(tmp_path / f"{index:03}.mmd")
        files[-1].write_text(text, encoding="utf-8")
    process = subprocess.run(
        ["node", str(JS / "journey-db.mjs"), *map(str, files)], capture_output=True, text=True, timeout=600
    )
    results = [json.loads(line) for line in process.stdout.splitlines()]
    assert len(results) == len(texts), process.stderr
    accepted = 0
    for text, theirs in zip(texts, results, strict=True):
        mine = ours(text)
        assert (mine is not None) == theirs["ok"], f"{text!r}: Mermaid says {theirs}, cjmap {mine}"
        if mine is None:
            continue
        accepted += 1
        expected = {
            "title": _clean(theirs["title"]),
            "accTitle": _clean(theirs["accTitle"]),
            "accDescr": _clean(theirs["accDescr"]),
            "tasks": [{**t, "section": t["section"].strip(), "task": t["task"].strip()} for t in theirs["tasks"]],
        }
        assert mine == expected, text
    assert accepted > COUNT // 5  # the generator exercises acceptance as well as refusal
