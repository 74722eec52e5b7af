"""Text from a map, made safe to put into any output format."""

from __future__ import annotations

import re

# Control characters (except tab, newline and carriage return) and the non-characters U+FFFE and
# U+FFFF are forbidden in XML and HTML: one in a label made Graphviz refuse the whole diagram.
# YAML lets them in through escapes like "\b", and they are invisible anyway, so they are dropped.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def printable(text: str) -> str:
    return _FORBIDDEN.sub("", text)


def escape(text: str) -> str:
    """As html.escape(text, quote=True), without importing html (its table of entities cost a DOT
    render about 8M CPU instructions to load)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("'", "&#x27;")
