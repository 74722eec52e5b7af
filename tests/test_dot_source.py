"""cjmap's DOT writer against the `graphviz` Python package it replaced: the same text for the same
statements (so every diagram stays byte-identical), for any ids, labels and attribute values."""

from __future__ import annotations

import html
import textwrap
import warnings

import graphviz
from graphviz import quoting
from hypothesis import given
from hypothesis import strategies as st

from cjmap.render.dot import html_text
from cjmap.render.dot_source import Digraph, quote, quote_edge
from cjmap.render.text import printable

# Texts that exercise every branch of the quoting: DOT keywords, numbers, HTML-like labels,
# quotes with and without backslashes, colons (ports), newlines before a final '>'.
PIECES = st.sampled_from(["node", "Graph", "-4.2", ".5", "1.", "<", ">", '"', "\\", "\\\\", ":", "\n", " ", "a_1", "ł"])
TEXTS = st.one_of(st.text(max_size=12), st.lists(PIECES, max_size=6).map("".join))
ATTRIBUTES = st.dictionaries(st.sampled_from(["label", "color", "style", "shape", "x y"]), TEXTS, max_size=4)


@given(TEXTS)
def test_quoting_is_the_graphviz_packages(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # graphviz warns of a final odd backslash; it quotes the same
        assert quote(text) == quoting.quote(text)
        assert quote_edge(text) == quoting.quote_edge(text)


@given(
    name=TEXTS,
    graph_attr=ATTRIBUTES,
    statements=st.lists(
        st.tuples(st.sampled_from(["node", "edge", "attr", "cluster"]), TEXTS, TEXTS, ATTRIBUTES), max_size=6
    ),
)
def test_a_graph_is_written_as_the_graphviz_package_writes_it(
    name: str, graph_attr: dict[str, str], statements: list[tuple[str, str, str, dict[str, str]]]
) -> None:
    ours = Digraph(name=name or None, graph_attr=graph_attr, node_attr={"shape": "box"})
    theirs = graphviz.Digraph(name=name or None, graph_attr=graph_attr, node_attr={"shape": "box"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kind, first, second, attributes in statements:
            if kind == "node":
                ours.node(first, **attributes)
                theirs.node(first, **attributes)
            elif kind == "edge":
                ours.edge(first, second, **attributes)
                theirs.edge(first, second, **attributes)
            elif kind == "attr":
                ours.attr(**attributes)
                theirs.attr(**attributes)
            else:
                our_cluster, their_cluster = Digraph(name=first or None), graphviz.Digraph(name=first or None)
                our_cluster.attr(**attributes)
                their_cluster.attr(**attributes)
                our_cluster.edge(first, second, label=second)
                their_cluster.edge(first, second, label=second)
                ours.subgraph(our_cluster)
                theirs.subgraph(their_cluster)
        assert ours.source == theirs.source


def _wrapped_by_textwrap(text: str, width: int, max_lines: int) -> str:
    """html_text as it was before its one-line shortcut: every paragraph through textwrap."""
    lines: list[str] = []
    for paragraph in printable(text[: (width + 1) * max_lines * 4]).splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=True) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1].rstrip() + "…"]
    return "<BR/>".join(html.escape(line, quote=True) for line in lines) or "&#160;"


@given(st.text(alphabet=st.sampled_from(list("ab -\t\n\r\x0b\xa0\u2003ł<&>\"'\x07")), max_size=40), st.integers(1, 30))
def test_a_label_wraps_as_textwrap_wraps_it(text: str, width: int) -> None:
    assert html_text(text, width, 3) == _wrapped_by_textwrap(text, width, 3)
