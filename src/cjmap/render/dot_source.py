"""DOT source text, written the way the `graphviz` Python package writes it (same layout, same
quoting, byte for byte), without importing it: that package cost a DOT render about 40M CPU
instructions to import, and its per-statement wrappers and quoting a third of a 1,000-touchpoint
diagram's build.

Only what the diagram uses: a (di)graph with default attributes, nodes, edges, attribute
statements and subgraphs. Attribute values are strings; an HTML-like label (`<...>`) is written
as is, a valid DOT ID bare, anything else in double quotes.
"""

from __future__ import annotations

import re

# As graphviz.quoting: https://www.graphviz.org/doc/info/lang.html
_HTML_STRING = re.compile(r"<.*>$", re.DOTALL)
_ID = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*|-?(\.[0-9]+|[0-9]+(\.[0-9]*)?))$")
_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})
_UNESCAPED_QUOTE = re.compile(r'(?P<escaped_backslashes>(?:\\{2})*)\\?(?P<literal_quote>")')


def quote(identifier: str) -> str:
    """A DOT ID for the string: an HTML-like string or a valid ID as is, else double-quoted with
    its quotes escaped (`\\"` counts as an escaped quote already)."""
    if _HTML_STRING.match(identifier):
        return identifier
    if not _ID.match(identifier) or identifier.lower() in _KEYWORDS:
        return '"' + _UNESCAPED_QUOTE.sub(r"\g<escaped_backslashes>\\\g<literal_quote>", identifier) + '"'
    return identifier


def quote_edge(identifier: str) -> str:
    """An edge end `node[:port[:compass]]`, each part quoted as needed."""
    node, _, rest = identifier.partition(":")
    parts = [quote(node)]
    if rest:
        port, _, compass = rest.partition(":")
        parts.append(quote(port))
        if compass:
            parts.append(compass)
    return ":".join(parts)


def attribute_list(label: str | None, attributes: dict[str, str]) -> str:
    """`label=... a=1 b=2`: the label first, then the other attributes sorted by name."""
    items = [f"label={quote(label)}"] if label is not None else []
    items += [f"{quote(key)}={quote(value)}" for key, value in sorted(attributes.items())]
    return " ".join(items)


def _bracketed(label: str | None, attributes: dict[str, str]) -> str:
    content = attribute_list(label, attributes)
    return f" [{content}]" if content else ""


class Digraph:
    """A directed graph's DOT source, statement by statement."""

    def __init__(
        self,
        name: str | None = None,
        graph_attr: dict[str, str] | None = None,
        node_attr: dict[str, str] | None = None,
        edge_attr: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.graph_attr = dict(graph_attr or {})
        self.node_attr = dict(node_attr or {})
        self.edge_attr = dict(edge_attr or {})
        self.body: list[str] = []

    def node(self, name: str, label: str | None = None, **attributes: str) -> None:
        self.body.append(f"\t{quote(name)}{_bracketed(label, attributes)}\n")

    def edge(self, tail: str, head: str, label: str | None = None, **attributes: str) -> None:
        self.body.append(f"\t{quote_edge(tail)} -> {quote_edge(head)}{_bracketed(label, attributes)}\n")

    def attr(self, **attributes: str) -> None:
        """An attribute statement of the graph itself (`label=... style=...`)."""
        if attributes:
            self.body.append(f"\t{attribute_list(None, attributes)}\n")

    def subgraph(self, graph: Digraph) -> None:
        """Add a finished graph as a subgraph (a cluster when its name starts with `cluster`)."""
        self.body += [f"\t{line}" for line in graph.lines(subgraph=True)]

    def lines(self, subgraph: bool = False) -> list[str]:
        name = f"{quote(self.name)} " if self.name else ""
        head = ("subgraph " if self.name else "") if subgraph else "digraph "
        lines = [f"{head}{name}{{\n"]
        for kind, attributes in (("graph", self.graph_attr), ("node", self.node_attr), ("edge", self.edge_attr)):
            if attributes:
                lines.append(f"\t{kind}{_bracketed(None, attributes)}\n")
        lines += self.body
        lines.append("}\n")
        return lines

    @property
    def source(self) -> str:
        return "".join(self.lines())
