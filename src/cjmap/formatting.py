"""The canonical layout of a map file, produced on a round trip that keeps every comment.

ruamel.yaml is used (not PyYAML) because it is the maintained YAML library made for round
trips: it keeps comments, blank lines, block scalars (`>-`, `|`) and anchors where they were, so
`cjmap fmt` can reorder keys and restyle collections without destroying what the author wrote
between them. PyYAML drops comments on load.

The layout:
- keys in the order of the format (docs/format.md; the model's field order, `ignore` last);
- a flow collection (`[...]`, `{...}`) holding text with a comma or a colon becomes block
  style, where such text cannot be mistaken for a separator;
- quotes only where YAML needs them, and where the text would otherwise read as a boolean,
  a number or a date (cjmap reads YAML 1.1: `no` is false, so `"no"` keeps its quotes);
- ids, list order and values untouched: the result loads to exactly the same data, which is
  checked on every run (`FormatError` otherwise, and the file is left alone).
"""

from __future__ import annotations

import io
import types
import typing
from typing import Any, Union

import yaml
from pydantic import BaseModel
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from cjmap.model import JourneyMap, Library
from cjmap.source import LoadError, parse

# The map's top level, as docs/format.md shows it: what the map is, then who, where, what.
MAP_ORDER = (
    "cjmap",
    "kind",
    "id",
    "title",
    "goal",
    "period",
    "currency",
    "description",
    "state",
    "owner",
    "stakeholders",
    "locale",
    "review",
    "emotion_scale",
    "flow",
    "include",
    "personas",
    "channels",
    "stages",
    "outcomes",
    "swot",
    "experiments",
)
LIBRARY_ORDER = ("cjmap", "kind", "title", "include", "personas", "channels", "outcomes")
_LAST = ("ignore",)
_STR_TAG = "tag:yaml.org,2002:str"
_pyyaml_resolver = Resolver()
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FormatError(Exception):
    """The file could not be formatted safely; it is left as it was."""


def format_text(text: str) -> str:
    """The canonical layout of a map or library given as text (which must load without errors)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = _yaml(YAML)
    preamble, body = _split_preamble(text)
    try:
        data = yaml.load(body)
    except YAMLError as error:
        raise FormatError(f"cannot read the file for formatting: {error}") from None
    if data is None or not hasattr(data, "items"):
        raise FormatError("the top level is not a mapping")
    library = data.get("kind") == "library"
    _arrange(data, Library if library else JourneyMap, LIBRARY_ORDER if library else MAP_ORDER)
    _restyle(data)
    _requote(data)
    stream = io.StringIO()
    yaml.dump(data, stream)
    formatted = preamble + _space_sections(stream.getvalue())
    _check_same_data(text, formatted)
    return formatted


def _split_preamble(text: str) -> tuple[str, str]:
    """Comments and directives down to a `---` line, kept as written: ruamel.yaml drops the
    comments above a document start marker."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped == "---" or stripped.startswith("--- #"):
            return "".join(lines[: index + 1]), "".join(lines[index + 1 :])
        if stripped and not stripped.startswith(("#", "%")):
            break
    return "", text


def _space_sections(text: str) -> str:
    """One blank line before each top-level section written as a block (personas, stages, ...),
    above the comments that head it; none at the end. Moving a section moves the blank line that
    ruamel keeps with the section before it, so the spacing is set again here."""
    lines = text.rstrip("\n").split("\n")

    def opens_block(index: int) -> bool:
        following = next((line for line in lines[index + 1 :] if line.strip() and line[:1] != "#"), "")
        return following[:1] in (" ", "-")

    starts = [
        index
        for index, line in enumerate(lines)
        if line[:1].isalpha() and line.split("#", 1)[0].rstrip().endswith(":") and opens_block(index)
    ]
    for index in reversed(starts):
        top = index
        while top > 0 and lines[top - 1].startswith("#"):
            top -= 1
        if top > 0 and lines[top - 1].strip():
            lines.insert(top, "")
    return "\n".join(lines) + "\n"


def _yaml(factory: Any) -> Any:
    yaml = factory(typ="rt")
    yaml.preserve_quotes = True  # so that only quotes nothing needs are dropped
    yaml.width = 1_000_000  # never fold a long line: the author's line breaks are theirs
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_duplicate_keys = False
    return yaml


def _arrange(node: Any, model: type[BaseModel] | None, first: tuple[str, ...] = ()) -> None:
    """Put the keys of every mapping the format knows into the format's order, recursively."""
    if _is_map(node):
        if model is not None:
            fields = list(model.model_fields)
            order = [*first, *(f for f in fields if f not in first and f not in _LAST), *_LAST]
            rank = {key: index for index, key in enumerate(order)}
            keys = list(node.keys())
            wanted = sorted(keys, key=lambda k: (rank.get(str(k), len(rank)), keys.index(k)))
            if wanted != keys:
                for key in wanted:
                    node.move_to_end(key)
        for key, value in node.items():
            _arrange(value, _model_of(model, str(key)) if model is not None else None)
    elif _is_seq(node):
        for item in node:
            _arrange(item, model)


def _model_of(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    """The model of the value (or of the items of the list) under `key`, if it is one."""
    info = model.model_fields.get(key)
    return _find_model(info.annotation) if info is not None else None


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _find_model(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, tuple):
        found = (_find_model(arg) for arg in typing.get_args(annotation))
        return next((m for m in found if m is not None), None)
    return None


def _restyle(node: Any) -> None:
    """Block style for every flow collection holding text with a comma or a colon."""
    if _is_map(node) or _is_seq(node):
        if node.fa.flow_style() and _has_separator(node):
            node.fa.set_block_style()
        places = list(node.items()) if _is_map(node) else list(enumerate(node))
        for where, child in places:
            flow_before = (_is_map(child) or _is_seq(child)) and bool(child.fa.flow_style())
            _restyle(child)
            if flow_before and _is_seq(node) and not child.fa.flow_style():
                _move_item_comment(node, where, child)


def _move_item_comment(seq: Any, index: int, item: Any) -> None:
    """`- {a: 1, b: "x, y"}  # note` became a block: the note goes after its first line, not
    after a lone '-' (where ruamel.yaml would leave it)."""
    slots = seq.ca.items.get(index)
    if not slots or slots[0] is None or not item:
        return
    token = slots[0]
    if _is_map(item):
        from ruamel.yaml.tokens import CommentToken

        keys = list(item)
        first, last = item.ca.items.get(keys[0]), item.ca.items.get(keys[-1])
        if (first and first[2] is not None) or (last and last[2] is not None):
            return
        # The token holds the note on the item's line and the comment lines below it.
        note, _, below = token.value.partition("\n")
        if below.strip() and len(keys) == 1:
            return  # nowhere better for the lines below: leave the whole token where it was
        item.ca.items.setdefault(keys[0], [None, None, None, None])[2] = CommentToken(
            note + "\n", token.start_mark, column=token.column
        )
        if below.strip():
            item.ca.items.setdefault(keys[-1], [None, None, None, None])[2] = CommentToken(
                "\n" + below, token.start_mark, column=0
            )
    else:
        target = item.ca.items.setdefault(0, [None, None])
        if target[0] is not None:
            return
        target[0] = token
    slots[0] = None


def _has_separator(node: Any) -> bool:
    if isinstance(node, str):
        return "," in node or ":" in node
    if _is_map(node):
        return any(_has_separator(k) or _has_separator(v) for k, v in node.items())
    if _is_seq(node):
        return any(_has_separator(item) for item in node)
    return False


def _requote(node: Any, in_flow: bool = False) -> None:
    """Drop quotes that nothing needs: where the text, written plain, is allowed by YAML's syntax
    in its place (block or flow) and reads as the same string in YAML 1.1 and 1.2."""
    if not (_is_map(node) or _is_seq(node)):
        return
    flow = in_flow or bool(node.fa.flow_style())
    places = list(node.items()) if _is_map(node) else list(enumerate(node))
    for where, value in places:
        if _is_quoted(value):
            if _plain_is_string(str(value)) and _plain_allowed(str(value), flow):
                _replace(node, where, _unquoted(value))
        else:
            _requote(value, flow)


def _plain_allowed(text: str, flow: bool) -> bool:
    """Plain text is allowed here by both YAML readers: ruamel.yaml's emitter (which writes it)
    and PyYAML (which cjmap reads with; it is stricter, e.g. about '?' in a flow list)."""
    from ruamel.yaml.emitter import Emitter

    emitter = Emitter(io.StringIO(), allow_unicode=True)
    emitter.use_version = None  # type: ignore[attr-defined]  # read through .serializer without a dumper
    analysis = emitter.analyze_scalar(text)
    if analysis.multiline or not (analysis.allow_flow_plain if flow else analysis.allow_block_plain):
        return False
    probe, expected = (f"[{text}, x]", [text, "x"]) if flow else (f"k: {text}\n", {"k": text})
    try:
        return bool(yaml.load(probe, Loader=_SafeLoader) == expected)
    except yaml.YAMLError:
        return False


def _replace(node: Any, where: Any, value: str) -> None:
    """Set a value past ruamel's own __setitem__, which would give it the old value's quotes."""
    from ruamel.yaml.comments import CommentedMap

    if isinstance(node, CommentedMap):
        super(CommentedMap, node).__setitem__(where, value)
    else:
        list.__setitem__(node, where, value)


def _unquoted(value: str) -> str:
    return str(value.encode("utf-8"), "utf-8")  # a plain str (str() would keep ruamel's subclass)


def _is_quoted(value: Any) -> bool:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    return isinstance(value, (DoubleQuotedScalarString, SingleQuotedScalarString))


def _plain_is_string(text: str) -> bool:
    """True when `text` written without quotes is a string for cjmap's loader (YAML 1.1) and
    for ruamel.yaml (YAML 1.2), so the emitter may drop the quotes if the syntax allows."""
    from ruamel.yaml.nodes import ScalarNode as RuamelScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    if text == "" or text != text.strip() or "\n" in text:
        return False
    pyyaml_tag = _pyyaml_resolver.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    ruamel_tag = VersionedResolver().resolve(RuamelScalarNode, text, (True, False))
    return bool(pyyaml_tag == _STR_TAG and str(ruamel_tag) == _STR_TAG)


def _is_map(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap

    return isinstance(node, CommentedMap)


def _is_seq(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedSeq

    return isinstance(node, CommentedSeq)


def _check_same_data(original: str, formatted: str) -> None:
    """The formatted text must load, through cjmap's own loader, to exactly the original data."""
    try:
        before = parse(original, "original").data
        after = parse(formatted, "formatted").data
    except LoadError as error:
        raise FormatError(f"the formatted text would not load ({error.message}); the file is left as it was") from None
    if _plain(before) != _plain(after):
        raise FormatError("formatting would change the data (a bug in cjmap fmt); the file is left as it was")


def _plain(value: Any) -> Any:
    """Data with its types made explicit, so that 1 == 1.0 == True do not compare equal."""
    if isinstance(value, dict):
        return ("map", {k: _plain(v) for k, v in value.items()})  # key order is layout, not data
    if isinstance(value, list):
        return ("list", [_plain(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))  # nan equals nan here
    return (type(value).__name__, value)
