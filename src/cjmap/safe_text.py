"""Text from a map made inert where a person or a CI runner reads it: a terminal, a log, a GitHub
annotation. Map authors (or attackers) can write any character; on a terminal an ESC starts
colour changes, cursor moves and OSC 8 hyperlinks, a newline starts what looks like a new finding
or a workflow command (`::error file=...`), and bidi controls reorder what is shown. Each such
character is written as a visible escape instead, so the text reads as written and does nothing."""

from __future__ import annotations

import re

# C0 and C1 controls (tab included: it would shift columns), DEL, and the Unicode bidi controls:
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), marks (U+200E, U+200F,
# U+061C) and line/paragraph separators (U+2028, U+2029).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def inert(text: str) -> str:
    """'a\\nb' for a newline, '\\e' for ESC, '\\u202e' for a right-to-left override."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    character = match.group(0)
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
