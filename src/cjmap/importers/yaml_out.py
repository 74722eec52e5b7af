"""Map data as YAML text: block style, the key order given, plain scalars where YAML reads them
back unchanged and quotes only where it would not, the same bytes for the same data."""

from __future__ import annotations

from typing import Any

import yaml


class Flow(list[Any]):
    """A short list of ids written on one line, e.g. `personas: [anna, piotr]`."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Lists indented under their key (`stages:\n  - id: ...`), as the docs and examples write them.
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Several lines read best as a literal block; the emitter falls back to quotes by itself when
    # the text cannot be one (trailing spaces, control characters).
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _flow(dumper: yaml.SafeDumper, value: Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(Flow, _flow)


def dump(data: dict[str, Any], header: str = "") -> str:
    """YAML text for the data, keys in insertion order; `header` is written first (comments)."""
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
        indent=2,
    )
    return header + body


def scalar(value: str) -> str:
    """One text as a YAML scalar on a single line, quoted only when needed (for hand-written YAML)."""
    text = yaml.dump(value, Dumper=yaml.SafeDumper, allow_unicode=True, width=_ONE_LINE)
    text = text.removesuffix("\n...\n").removesuffix("\n")
    if "\n" in text:  # several lines: double quotes write them as \n on one line
        text = yaml.dump(value, Dumper=yaml.SafeDumper, allow_unicode=True, width=_ONE_LINE, default_style='"')
        text = text.rstrip("\n")
    return text


_ONE_LINE = 1 << 30
