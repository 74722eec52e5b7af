"""Safe reading of YAML map files into plain data that remembers where every value came from.

PyYAML's loaders are not used directly: they recurse (the C loader segfaults on deep nesting,
the pure one raises RecursionError), silently keep the last of two duplicate keys, and expand
aliases without bound. Instead the event stream from libyaml (or PyYAML's pure parser when
libyaml is missing) is folded into containers by an explicit stack, with every limit checked as
the events arrive, so a hostile file is refused after reading only as much of it as it takes.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from cjmap import rule_ids, yaml_hints

try:
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_ALIAS_NODES = 100_000

_TAG = "tag:yaml.org,2002:"
_MAP_TAGS = {None, "!", _TAG + "map"}
_SEQ_TAGS = {None, "!", _TAG + "seq"}
_SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_TAB_HINT = "YAML does not allow tabs for indentation: indent with spaces"


class Mark(NamedTuple):
    """A 1-based line and column in a file."""

    line: int
    col: int


class YMap(dict[str, Any]):
    """A YAML mapping: a dict that also knows the file and position of each key and value."""

    __slots__ = ("file", "key_marks", "mark", "value_marks")

    def __init__(self, file: str, mark: Mark) -> None:
        super().__init__()
        self.file = file
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}
        self.value_marks: dict[str, Mark] = {}


class YList(list[Any]):
    """A YAML sequence: a list that also knows the file and position of each item."""

    __slots__ = ("file", "item_marks", "mark")

    def __init__(self, file: str, mark: Mark) -> None:
        super().__init__()
        self.file = file
        self.mark = mark
        self.item_marks: list[Mark] = []


class LoadError(Exception):
    """A file that cannot be turned into data at all; carries the rule id and a position."""

    def __init__(self, rule: str, message: str, file: str, mark: Mark) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.file = file
        self.mark = mark


@dataclass(frozen=True, slots=True)
class Problem:
    """A recoverable problem found while loading (the data is still usable)."""

    rule: str
    message: str
    file: str
    mark: Mark


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES


@dataclass(slots=True)
class Loaded:
    data: Any
    problems: list[Problem]


def decode(raw: bytes, file: str, limits: Limits = Limits()) -> str:
    """Bytes to text: UTF-8 with or without a BOM, nothing else, within the size limit."""
    if len(raw) > limits.max_bytes:
        raise LoadError(
            rule_ids.LIMITS,
            f"file is {len(raw):,} bytes, over the limit of {limits.max_bytes:,}; "
            "split the map, or raise the limit with --max-bytes",
            file,
            Mark(1, 1),
        )
    for bom, name in _FOREIGN_BOMS:
        if raw.startswith(bom):
            raise LoadError(
                rule_ids.ENCODING,
                f"file is encoded as {name} (byte order mark at byte offset 0): the file must "
                "be UTF-8; re-save it as UTF-8 in your editor",
                file,
                Mark(1, 1),
            )
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    nul = raw.find(b"\0")
    if nul >= 0:
        raise LoadError(
            rule_ids.ENCODING,
            f"file contains a NUL byte at byte offset {nul}: it looks binary, not a YAML text file",
            file,
            _mark_at_byte(raw, nul),
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LoadError(
            rule_ids.ENCODING,
            f"byte 0x{raw[error.start]:02x} at byte offset {error.start} is not valid UTF-8: "
            "the file must be UTF-8 (re-save it as UTF-8 in your editor)",
            file,
            _mark_at_byte(raw, error.start),
        ) from None


def _mark_at_byte(raw: bytes, offset: int) -> Mark:
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    col = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return Mark(before.count(b"\n") + 1, col)


def parse(text: str, file: str, limits: Limits = Limits()) -> Loaded:
    """Text to data (YMap / YList / scalars), checking every limit as events arrive."""
    return _Builder(file, limits).build(text)


def load_bytes(raw: bytes, file: str, limits: Limits = Limits()) -> Loaded:
    return parse(decode(raw, file, limits), file, limits)


class _Frame:
    __slots__ = ("anchor", "container", "is_map", "key", "key_mark", "mark", "merges", "size")

    def __init__(self, container: YMap | YList, mark: Mark, anchor: str | None) -> None:
        self.container = container
        self.is_map = isinstance(container, YMap)
        self.mark = mark
        self.anchor = anchor
        self.key: str | None = None
        self.key_mark: Mark | None = None
        self.size = 1
        self.merges: list[tuple[Any, Mark]] = []


# First characters of plain scalars that may resolve to something other than a string.
_RESOLVABLE_FIRST = frozenset(Resolver.yaml_implicit_resolvers)  # "" (empty) is null


class _Builder:
    """Folds a YAML event stream into YMap/YList containers without recursion.

    This loop runs once per event (hundreds of thousands for a large map), so the common cases
    (plain scalars, keys, mapping and sequence ends) are handled inline.
    """

    _resolver = Resolver()
    _constructor = SafeConstructor()

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.alias_nodes = 0
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0

    def mark(self, event: yaml.Event) -> Mark:
        start = event.start_mark
        return Mark(start.line + 1, start.column + 1) if start is not None else Mark(1, 1)

    def fail(self, rule: str, message: str, mark: Mark) -> LoadError:
        return LoadError(rule, message, self.file, mark)

    def build(self, text: str) -> Loaded:
        loader = _EventLoader(text)
        try:
            self.fold(loader)
        except yaml.MarkedYAMLError as error:
            raise self.syntax_error(error, text) from None
        except yaml.YAMLError as error:  # pragma: no cover - unmarked errors are rare
            raise self.fail(rule_ids.SYNTAX, f"invalid YAML: {error}", Mark(1, 1)) from None
        finally:
            loader.dispose()
        if self.documents == 0:
            raise self.fail(
                rule_ids.NOT_A_MAP, "file is empty: a map needs at least 'cjmap', 'id' and 'title'", Mark(1, 1)
            )
        for line, col, message in yaml_hints.split_text_warnings(text):
            self.problems.append(Problem(yaml_hints.SPLIT_TEXT_RULE, message, self.file, Mark(line, col)))
        return Loaded(self.root, self.problems)

    def fold(self, loader: Any) -> None:
        stack = self.stack
        get_event = loader.get_event
        scalar_event, stream_end = yaml.ScalarEvent, yaml.StreamEndEvent
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        resolvable = _RESOLVABLE_FIRST
        new_mark = tuple.__new__  # C-level: a NamedTuple's own __new__ is Python code
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                start = event.start_mark
                mark = new_mark(Mark, (start.line + 1, start.column + 1))
                frame = stack[-1] if stack else None
                value = event.value
                if frame is not None and frame.is_map:
                    key = frame.key
                    if key is None:
                        # Keys stay as written: 'no:' is the key "no", not False.
                        if event.tag not in (None, "!", _TAG + "str"):
                            self.scalar(event)
                        if event.anchor is not None:
                            self.anchors[event.anchor] = (value, 1)
                        frame.key = value
                        frame.key_mark = mark
                        frame.size += 1
                        continue
                    container: YMap = frame.container  # type: ignore[assignment]  # is_map
                    if key not in container and key != "<<" and event.anchor is None:
                        # The common case, inline: a new key with a plain value.
                        if event.tag is not None or (event.implicit[0] and value[:1] in resolvable):
                            value = self.scalar(event)
                        container[key] = value
                        container.key_marks[key] = frame.key_mark  # type: ignore[assignment]  # set with key
                        container.value_marks[key] = mark
                        frame.key = frame.key_mark = None
                        frame.size += 1
                        continue
                if event.tag is not None or (event.implicit[0] and value[:1] in resolvable):
                    value = self.scalar(event)
                self.add(value, mark, 1, event.anchor)
            elif kind in ends:
                frame = stack.pop()
                if frame.merges:
                    self.apply_merges(frame)
                self.add(frame.container, frame.mark, frame.size, frame.anchor)
            elif kind is stream_end:
                return
            else:
                self.handle(event)

    def syntax_error(self, error: yaml.MarkedYAMLError, text: str) -> LoadError:
        mark = error.problem_mark or error.context_mark
        if "exceeded maximum nesting depth" in str(error.problem) and mark is not None:
            # libyaml (0.2.5+) refuses flow nesting past 1,000 levels while scanning ahead, before
            # the fold sees the level that breaks cjmap's own, lower limit: report that one.
            return self.too_deep(_deep_bracket(text, mark.index, self.limits.max_depth))
        position = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        problem = (error.problem or "invalid YAML").strip()
        context = (error.context or "").strip()
        started = error.context_mark
        if context and started is not None and mark is not None and started.index != mark.index:
            context += f" that starts at line {started.line + 1}, column {started.column + 1}"
        message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            message += f"; {_TAB_HINT}"
        else:
            message += yaml_hints.syntax_advice(message, text, position.line, position.col)
        return self.fail(rule_ids.SYNTAX, message, position)

    def handle(self, event: yaml.Event) -> None:
        """The less common events: collection starts, aliases, documents."""
        if isinstance(event, yaml.MappingStartEvent):
            self.check_tag(event.tag, _MAP_TAGS, event, "mapping")
            self.push(YMap(self.file, self.mark(event)), event)
        elif isinstance(event, yaml.SequenceStartEvent):
            self.check_tag(event.tag, _SEQ_TAGS, event, "sequence")
            self.push(YList(self.file, self.mark(event)), event)
        elif isinstance(event, yaml.AliasEvent):
            self.alias(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(
                    rule_ids.NOT_A_MAP,
                    "a map file holds one YAML document: remove the second '---' "
                    "or move that document into its own file",
                    self.mark(event),
                )

    def push(self, container: YMap | YList, event: yaml.NodeEvent) -> None:
        if len(self.stack) >= self.limits.max_depth:
            raise self.too_deep(self.mark(event))
        self.stack.append(_Frame(container, self.mark(event), event.anchor))

    def too_deep(self, mark: Mark) -> LoadError:
        return self.fail(
            rule_ids.LIMITS,
            f"nesting deeper than {self.limits.max_depth} levels: a journey map is never "
            "this deep; check for unbalanced brackets",
            mark,
        )

    def check_tag(self, tag: str | None, allowed: set[str | None], event: yaml.Event, kind: str) -> None:
        if tag not in allowed:
            raise self.fail(
                rule_ids.UNSAFE_TAG,
                f"tag '{_short_tag(tag)}' on a {kind} is not allowed: cjmap reads plain YAML data "
                "only and never runs code from a file; remove the tag",
                self.mark(event),
            )

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        value: str = event.value
        if tag == "!" or (tag is None and not event.implicit[0]):  # quoted: always a string
            return value
        if tag is None:
            if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
                return int(value)  # the common case; '0123' is octal in YAML 1.1, so it goes the long way
            tag = self._resolver.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        if tag not in _SCALAR_TAGS:
            raise self.fail(
                rule_ids.UNSAFE_TAG,
                f"tag '{_short_tag(tag)}' is not allowed: cjmap reads plain YAML data only and "
                "never runs code from a file; remove the tag",
                self.mark(event),
            )
        if tag == _TAG + "str":
            return value
        node = ScalarNode(tag, value)
        try:
            if tag == _TAG + "int":
                return self._constructor.construct_yaml_int(node)
            if tag == _TAG + "float":
                return self._constructor.construct_yaml_float(node)
            if tag == _TAG + "bool":
                return self._constructor.construct_yaml_bool(node)
            if tag == _TAG + "null":
                return None
            return self._constructor.construct_yaml_timestamp(node)
        except (ValueError, TypeError, yaml.YAMLError):
            raise self.fail(rule_ids.SYNTAX, f"'{value}' is not a valid {tag[len(_TAG) :]}", self.mark(event)) from None

    def alias(self, event: yaml.AliasEvent) -> None:
        anchor = event.anchor
        if anchor not in self.anchors:
            raise self.fail(
                rule_ids.SYNTAX,
                f"alias '*{anchor}' refers to no anchor defined before it; define '&{anchor}' first",
                self.mark(event),
            )
        value, size = self.anchors[anchor]
        self.alias_nodes += size
        if self.alias_nodes > self.limits.max_alias_nodes:
            raise self.fail(
                rule_ids.LIMITS,
                f"aliases expand to more than {self.limits.max_alias_nodes:,} values "
                "(an alias bomb?): use fewer or smaller aliases",
                self.mark(event),
            )
        self.add(value, self.mark(event), size, None)

    def add(self, value: Any, mark: Mark, size: int, anchor: str | None) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        container = frame.container
        if not frame.is_map:
            assert isinstance(container, YList)
            container.append(value)
            container.item_marks.append(mark)
            return
        assert isinstance(container, YMap)
        if frame.key is None:
            if isinstance(value, (YMap, YList)):
                raise self.fail(
                    rule_ids.SYNTAX,
                    "a mapping key must be a plain value, not a list or mapping",
                    mark,
                )
            frame.key = _key_text(value)  # an alias used as a key
            frame.key_mark = mark
            return
        key, key_mark = frame.key, frame.key_mark
        assert key_mark is not None
        frame.key = frame.key_mark = None
        if key == "<<":
            frame.merges.append((value, mark))
            return
        if key in container:
            first = container.key_marks[key]
            self.problems.append(
                Problem(
                    rule_ids.DUPLICATE_KEY,
                    f"duplicate key '{key}' (first defined at line {first.line}): "
                    "YAML keeps only one; remove or rename one of them",
                    self.file,
                    key_mark,
                )
            )
            return
        container[key] = value
        container.key_marks[key] = key_mark
        container.value_marks[key] = mark

    def apply_merges(self, frame: _Frame) -> None:
        container = frame.container
        assert isinstance(container, YMap)
        for value, mark in frame.merges:
            sources = value if isinstance(value, YList) else [value]
            for source in sources:
                if not isinstance(source, YMap):
                    raise self.fail(rule_ids.SYNTAX, "a merge key '<<' takes a mapping or a list of mappings", mark)
                for key, item in source.items():
                    if key not in container:
                        container[key] = item
                        container.key_marks[key] = source.key_marks[key]
                        container.value_marks[key] = source.value_marks[key]


def _key_text(value: Any) -> str:
    """An alias used as a key arrives already resolved; write it back as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _short_tag(tag: str | None) -> str:
    if tag and tag.startswith(_TAG):
        return "!!" + tag[len(_TAG) :]
    return str(tag)


def _deep_bracket(text: str, end: int, depth: int) -> Mark:
    """Where flow nesting first goes deeper than `depth`, counting brackets before `end` (quoted
    text and comments are rare in such a file; they only shift the position reported)."""
    line, column, level = 1, 1, 0
    for character in text[:end]:
        if character in "[{":
            level += 1
            if level > depth:
                return Mark(line, column)
        elif character in "]}":
            level -= 1
        if character == "\n":
            line, column = line + 1, 1
        else:
            column += 1
    return Mark(line, column)
