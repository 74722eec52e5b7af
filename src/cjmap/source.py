"""Safe reading of YAML map files into plain data that remembers where every value came from.

PyYAML's loaders are not used directly: they recurse (the C loader segfaults on deep nesting,
the pure one raises RecursionError), silently keep the last of two duplicate keys, and expand
aliases without bound. Instead the event stream from libyaml (or PyYAML's pure parser when
libyaml is missing) is folded into containers by an explicit stack, with every limit checked as
the events arrive, so a hostile file is refused after reading only as much of it as it takes.
"""

from __future__ import annotations

import codecs
import gc
import os
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from cjmap import rule_ids, yaml_hints

try:
    from yaml import CSafeLoader as _EventLoader

    _EVENTS_FROM_LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

    _EVENTS_FROM_LIBYAML = False

try:  # the compiled fold of the common case (built when a C compiler and libyaml's headers were there)
    from cjmap import _fold
except ImportError:  # pragma: no cover - installed without it: the Python fold reads everything
    _fold = None  # type: ignore[assignment]

# Set (to anything but 0) to read every file with the Python fold, as without the compiled one.
PURE_FOLD_ENV = "CJMAP_PURE_FOLD"

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


# Where a container is: (the container, file, line, column, marks of its entries). Lines and
# columns are kept 0-based as libyaml gives them (Positions turns them into Marks when asked);
# a mapping's marks are {key: (key line, key column, value line, value column)}, a sequence's
# [(line, column), ...] item by item. One tuple per entry is the least the fold can build.
_Place = tuple[Any, str, int, int, Any]


class Positions:
    """Where every mapping and sequence of parsed data came from, kept beside the data.

    The data itself is plain dicts, lists and scalars (what pydantic validates fastest); this
    table maps each container (by identity) to its file and the positions of its entries. It
    holds a reference to each container, so an id is never reused while the table lives.
    """

    __slots__ = ("_places",)

    def __init__(self) -> None:
        self._places: dict[int, _Place] = {}

    def _place(self, node: Any) -> _Place | None:
        place = self._places.get(id(node))
        return place if place is not None and place[0] is node else None

    def knows(self, node: Any) -> bool:
        return self._place(node) is not None

    def file(self, node: Any, default: str) -> str:
        place = self._place(node)
        return place[1] if place is not None else default

    def mark(self, node: Any) -> Mark:
        """Where a container starts (1:1 for anything else)."""
        place = self._place(node)
        return Mark(place[2] + 1, place[3] + 1) if place is not None else Mark(1, 1)

    def value_mark(self, mapping: dict[str, Any], key: str) -> Mark:
        spot = self._entry(mapping, key)
        return Mark(spot[2] + 1, spot[3] + 1)

    def key_mark(self, mapping: dict[str, Any], key: str) -> Mark:
        spot = self._entry(mapping, key)
        return Mark(spot[0] + 1, spot[1] + 1)

    def item_mark(self, sequence: list[Any], index: int) -> Mark:
        place = self._place(sequence)
        if place is None:
            return Mark(1, 1)
        line, col = place[4][index]
        return Mark(line + 1, col + 1)

    def item_marks(self, sequence: list[Any]) -> list[Mark]:
        return [self.item_mark(sequence, index) for index in range(len(sequence))]

    def _entry(self, mapping: dict[str, Any], key: str) -> tuple[int, int, int, int]:
        place = self._place(mapping)
        spot = place[4].get(key) if place is not None else None
        return spot if spot is not None else (0, 0, 0, 0)

    def add_sequence(self, sequence: list[Any], file: str, mark: Mark, item_marks: list[Mark]) -> None:
        """Record a sequence built after parsing (the merged lists of includes)."""
        marks = [(m.line - 1, m.col - 1) for m in item_marks]
        self._places[id(sequence)] = (sequence, file, mark.line - 1, mark.col - 1, marks)

    def set_default(self, mapping: dict[str, Any], key: str, mark: Mark) -> None:
        """Give an entry added after parsing a position (key and value), unless it has one."""
        place = self._place(mapping)
        if place is not None:
            place[4].setdefault(key, (mark.line - 1, mark.col - 1, mark.line - 1, mark.col - 1))

    def extend(self, other: Positions) -> None:
        """Know the containers of another parse too (an included library's)."""
        self._places.update(other._places)


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
    positions: Positions


def too_large(name: str, limits: Limits, size: int | None = None) -> LoadError:
    """The one message for a file over the size limit (its size, when known)."""
    what = f"file is {size:,} bytes" if size is not None else f"file is larger than {limits.max_bytes:,} bytes"
    return LoadError(
        rule_ids.LIMITS,
        f"{what}, over the limit of {limits.max_bytes:,}; split the map, or raise the limit with --max-bytes",
        name,
        Mark(1, 1),
    )


def decode(raw: bytes, file: str, limits: Limits = Limits()) -> str:
    """Bytes to text: UTF-8 with or without a BOM, nothing else, within the size limit."""
    if len(raw) > limits.max_bytes:
        raise too_large(file, limits, len(raw))
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


def parse(text: str, file: str, limits: Limits = Limits(), *, split_text: bool = True) -> Loaded:
    """Text to data (dicts, lists, scalars) and their positions, checking every limit as events
    arrive. split_text: look for the split-text warning (False where it is turned off)."""
    return _Builder(file, limits, split_text).build(text)


def load_bytes(raw: bytes, file: str, limits: Limits = Limits(), *, split_text: bool = True) -> Loaded:
    return parse(decode(raw, file, limits), file, limits, split_text=split_text)


# First characters of plain scalars that may resolve to something other than a string.
_RESOLVABLE_FIRST = frozenset(Resolver.yaml_implicit_resolvers)  # "" (empty) is null
# Every implicit resolver's pattern in one: a plain scalar none of them matches is a string,
# found by one regex call instead of the resolver's loop (which then decides the others).
_MAYBE_TYPED = re.compile(
    "|".join(
        f"(?:{pattern})"
        for pattern in dict.fromkeys(
            regexp.pattern for resolvers in Resolver.yaml_implicit_resolvers.values() for _, regexp in resolvers
        )
    ),
    re.X,
).match


def _longest_word(pattern: str) -> int | None:
    """The longest text a resolver's pattern matches when it is a list of words (YAML 1.1's
    true/false and null words: `^(?:yes|Yes|...)$`), else None. One more than the longest word:
    `$` also matches before a final line break."""
    words = re.fullmatch(r"\^\(\?:([^()\[\]\\*+?{}.^$]*)\)\$", re.sub(r"\s", "", pattern))  # re.X: spaces are not text
    return None if words is None else max(len(word) for word in words.group(1).split("|")) + 1


def _typed_length(first: str) -> int:
    """For the compiled fold: the longest a plain scalar starting with `first` can be and still
    resolve to something other than a string (0: never; 255: any length). Most text starts with a
    letter, which only the short words of true, false and null can start with: a longer text is a
    string without asking the resolvers' patterns."""
    if first not in _RESOLVABLE_FIRST:
        return 0
    longest = [_longest_word(regexp.pattern) for _, regexp in Resolver.yaml_implicit_resolvers[first]]
    return 255 if None in longest else min(254, max(n for n in longest if n is not None))


# The same test for the compiled fold: one byte per ASCII first character, and one for "".
assert all(len(first) <= 1 and first.isascii() for first in _RESOLVABLE_FIRST)
_RESOLVABLE_FIRST_FLAGS = bytes([_typed_length(chr(i)) for i in range(128)] + ["" in _RESOLVABLE_FIRST])
_KEY_TAGS = (None, "!", _TAG + "str")
_HINTS = {
    "int": "write a whole number such as 42",
    "float": "write a number such as 0.5",
    "bool": "write true or false",
    "timestamp": "write a real date such as 2026-09-15",
}


class _Builder:
    """Folds a YAML event stream into dicts and lists without recursion, recording positions.

    The loop runs once per event (hundreds of thousands for a large map): the container being
    filled lives in local variables, the containers around it on a stack, and the common cases
    (plain scalars as keys, values and items; collection starts and ends) are handled inline.
    """

    _resolver = Resolver()
    _constructor = SafeConstructor()

    def __init__(self, file: str, limits: Limits, split_text: bool = True) -> None:
        self.file = file
        self.limits = limits
        self.split_text = split_text
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.alias_nodes = 0
        self.documents = 0
        self.positions = Positions()

    def mark(self, event: yaml.Event) -> Mark:
        start = event.start_mark
        return Mark(start.line + 1, start.column + 1) if start is not None else Mark(1, 1)

    def fail(self, rule: str, message: str, mark: Mark) -> LoadError:
        return LoadError(rule, message, self.file, mark)

    def build(self, text: str) -> Loaded:
        collecting = gc.isenabled()
        gc.disable()  # the fold makes no reference cycles: collecting while it runs finds nothing
        try:
            root = self.fold_compiled(text)
            if root is _DECLINED:
                root = self.fold_python(text)
        finally:
            if collecting:
                gc.enable()
        if self.documents == 0:
            raise self.fail(
                rule_ids.NOT_A_MAP, "file is empty: a map needs at least 'cjmap', 'id' and 'title'", Mark(1, 1)
            )
        for line, col, message in yaml_hints.split_text_warnings(text) if self.split_text else ():
            self.problems.append(Problem(yaml_hints.SPLIT_TEXT_RULE, message, self.file, Mark(line, col)))
        return Loaded(root, self.problems, self.positions)

    def fold_compiled(self, text: str) -> Any:
        """The common case read by the compiled fold, or _DECLINED (nothing of it kept) when the file
        needs the Python fold (or the compiled one is not installed, or is switched off)."""
        if _fold is None or os.environ.get(PURE_FOLD_ENV, "0") != "0":
            return _DECLINED
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: PyYAML's own message, from the Python fold
            return _DECLINED
        places: dict[int, _Place] = {}
        root = _fold.fold(
            data, self.file, self.limits.max_depth, places, _RESOLVABLE_FIRST_FLAGS, _MAYBE_TYPED, _construct
        )
        if root is _fold.DECLINED:
            return _DECLINED
        self.positions._places = places
        self.documents = 1
        return root

    def fold_python(self, text: str) -> Any:
        loader = _EventLoader(text)
        try:
            return self.fold(loader)
        except yaml.MarkedYAMLError as error:
            raise self.syntax_error(error, text) from None
        except yaml.reader.ReaderError as error:
            raise self.reader_error(error, text) from None
        except yaml.YAMLError as error:  # pragma: no cover - unmarked errors are rare
            raise self.fail(rule_ids.SYNTAX, f"invalid YAML: {error}", Mark(1, 1)) from None
        finally:
            loader.dispose()

    def fold(self, loader: Any) -> Any:
        get_event = loader.get_event
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        stream_end = yaml.StreamEndEvent
        resolvable, maybe_typed = _RESOLVABLE_FIRST, _MAYBE_TYPED
        places = self.positions._places
        anchors = self.anchors
        file, max_depth = self.file, self.limits.max_depth
        # The containers around the current one: (container, marks, is_map, key, key line,
        # key column, meta) of each, saved when a child opens.
        stack: list[tuple[Any, Any, bool, str | None, int, int, list[Any]]] = []
        # The container being filled (None: the top level) and its pending key.
        node: Any = None
        marks: Any = None
        is_map = False
        key: str | None = None
        key_line = key_col = 0
        meta: list[Any] = []  # [values counted before it, anchor, line, column, merges or None]
        root: Any = None
        nodes = 0  # values so far, an alias counting as the values it stands for
        while True:
            event = get_event()
            kind = type(event)
            if kind is scalar_event:
                start = event.start_mark
                nodes += 1
                if is_map and key is None:
                    # Keys stay as written: 'no:' is the key "no", not False.
                    if event.tag not in _KEY_TAGS:
                        self.scalar(event)  # refuses an unsafe or invalid tag
                    key = event.value
                    if event.anchor is not None:
                        anchors[event.anchor] = (key, 1)
                    key_line, key_col = start.line, start.column
                    continue
                value = event.value
                if event.tag is not None or (event.implicit[0] and value[:1] in resolvable and maybe_typed(value)):
                    value = self.scalar(event)
                anchor = event.anchor
                if anchor is None:
                    if is_map:
                        if key not in node and key != "<<":
                            node[key] = value
                            marks[key] = (key_line, key_col, start.line, start.column)
                            key = None
                            continue
                    elif node is not None:
                        node.append(value)
                        marks.append((start.line, start.column))
                        continue
                size, line, col = 1, start.line, start.column
            elif kind is map_end or kind is seq_end:
                value, done = node, meta
                if done[4] is not None:
                    self.apply_merges(value, marks, done[4])
                node, marks, is_map, key, key_line, key_col, meta = stack.pop()
                size, anchor, line, col = nodes - done[0], done[1], done[2], done[3]
            elif kind is map_start or kind is seq_start:
                if kind is map_start:
                    self.check_tag(event.tag, _MAP_TAGS, event, "mapping")
                else:
                    self.check_tag(event.tag, _SEQ_TAGS, event, "sequence")
                if len(stack) >= max_depth:
                    raise self.too_deep(self.mark(event))
                stack.append((node, marks, is_map, key, key_line, key_col, meta))
                start = event.start_mark
                is_map = kind is map_start
                node, marks = ({}, {}) if is_map else ([], [])
                key = None
                meta = [nodes, event.anchor, start.line, start.column, None]
                nodes += 1
                places[id(node)] = (node, file, start.line, start.column, marks)
                continue
            elif kind is alias_event:
                value, size = self.alias(event)
                nodes += size
                anchor, line, col = None, event.start_mark.line, event.start_mark.column
            elif kind is stream_end:
                return root
            else:
                self.other(event)
                continue
            # The less common ways a value arrives: a collection ends, an alias, an anchor, a
            # merge key or a duplicate key.
            if anchor is not None:
                anchors[anchor] = (value, size)
            if node is None:
                root = value
            elif not is_map:
                node.append(value)
                marks.append((line, col))
            elif key is None:
                if isinstance(value, (dict, list)):
                    raise self.fail(
                        rule_ids.SYNTAX,
                        "a mapping key must be a plain value, not a list or mapping",
                        Mark(line + 1, col + 1),
                    )
                key = _key_text(value)  # an alias used as a key
                key_line, key_col = line, col
            else:
                if key == "<<":
                    if meta[4] is None:
                        meta[4] = []
                    meta[4].append((value, Mark(line + 1, col + 1)))
                elif key in node:
                    first = marks[key][0] + 1
                    self.problems.append(
                        Problem(
                            rule_ids.DUPLICATE_KEY,
                            f"duplicate key '{key}' (first defined at line {first}): "
                            "YAML keeps only one; remove or rename one of them",
                            file,
                            Mark(key_line + 1, key_col + 1),
                        )
                    )
                else:
                    node[key] = value
                    marks[key] = (key_line, key_col, line, col)
                key = None

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

    def reader_error(self, error: yaml.reader.ReaderError, text: str) -> LoadError:
        """A character YAML does not allow in a file (a raw control character), where it is."""
        # libyaml counts the offset in UTF-8 bytes, PyYAML's own reader in characters.
        offset = error.position
        if _EVENTS_FROM_LIBYAML:
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", errors="replace"))
        offset = min(max(offset, 0), len(text))
        character = error.character if isinstance(error.character, int) else ord(text[offset : offset + 1] or "?")
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return self.fail(
            rule_ids.SYNTAX,
            f"invalid YAML: the control character U+{character:04X} is not allowed in a YAML file; "
            "delete it, or write it as an escape such as \\x07 inside double quotes",
            Mark(line, col),
        )

    def other(self, event: yaml.Event) -> None:
        """The rare events: a document starts (only one is allowed); the rest carry nothing."""
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail(
                    rule_ids.NOT_A_MAP,
                    "a map file holds one YAML document: remove the second '---' "
                    "or move that document into its own file",
                    self.mark(event),
                )

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
        try:
            return _construct(value, tag)
        except _Refused as refused:
            raise self.fail(refused.rule, refused.message, self.mark(event)) from None

    def alias(self, event: yaml.AliasEvent) -> tuple[Any, int]:
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
        return value, size

    def apply_merges(self, container: dict[str, Any], marks: dict[str, Any], merges: list[tuple[Any, Mark]]) -> None:
        for value, mark in merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                place = self.positions._place(source)
                if not isinstance(source, dict) or place is None:
                    raise self.fail(rule_ids.SYNTAX, "a merge key '<<' takes a mapping or a list of mappings", mark)
                source_marks = place[4]
                for key, item in source.items():
                    if key not in container:
                        container[key] = item
                        marks[key] = source_marks[key]


_DECLINED = object()  # the compiled fold left the file to the Python fold


class _Refused(Exception):
    """A scalar that cannot become data: the rule and message, without a position yet."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def _construct(value: str, tag: str | None = None) -> Any:
    """A scalar's value as YAML 1.1 reads it: `tag` as written, or None for a plain scalar that
    resolves by its text. Shared by both folds (the compiled one calls it for plain scalars that
    may be typed)."""
    explicit = tag is not None
    if tag is None:
        if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
            return int(value)  # the common case; '0123' is octal in YAML 1.1, so it goes the long way
        tag = _Builder._resolver.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if tag not in _SCALAR_TAGS:
        raise _Refused(
            rule_ids.UNSAFE_TAG,
            f"tag '{_short_tag(tag)}' is not allowed: cjmap reads plain YAML data only and "
            "never runs code from a file; remove the tag",
        )
    if tag == _TAG + "str":
        return value
    node = ScalarNode(tag, value)
    constructor = _Builder._constructor
    try:
        if tag == _TAG + "int":
            return constructor.construct_yaml_int(node)
        if tag == _TAG + "float":
            return constructor.construct_yaml_float(node)
        if tag == _TAG + "bool":
            return constructor.construct_yaml_bool(node)
        if tag == _TAG + "null":
            return None
        return constructor.construct_yaml_timestamp(node)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, yaml.YAMLError):
        # PyYAML's constructors fail in many ways on a value its tag does not fit ('!!bool
        # maybe' is a KeyError, '!!int ""' an IndexError, '!!timestamp x' an AttributeError).
        name = tag[len(_TAG) :]
        fix = f"or remove the '!!{name}' tag" if explicit else "or quote it to keep it as text"
        raise _Refused(rule_ids.SYNTAX, f"'{_shown(value)}' is not a valid {name}: {_HINTS[name]}, {fix}") from None


def _shown(value: str) -> str:
    """A value quoted in a message: on one line, and not a page long."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


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
