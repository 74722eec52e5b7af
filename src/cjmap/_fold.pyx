# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The common case of source._Builder.fold, straight from libyaml's C events.

PyYAML's binding turns every event into Python objects (an event, two marks, tuples) before the
fold looks at it; here the fold reads the C events itself and builds only what the Python fold
keeps: the same dicts, lists, values and position records. Anything uncommon (a tag, an anchor
or alias, a merge key, a duplicate key, a key that is not a scalar, nesting past the limit, not
exactly one document, any error from libyaml or from resolving a value) makes it decline: it
returns DECLINED and the Python fold reads the file from the start, with its exact messages.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.long cimport PyLong_FromSize_t
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport uint32_t
from libc.string cimport memcmp


cdef extern from "Python.h":
    const char *PyUnicode_AsUTF8AndSize(object text, Py_ssize_t *size) except NULL


cdef extern from "yaml.h":
    ctypedef unsigned char yaml_char_t

    ctypedef struct yaml_mark_t:
        size_t index
        size_t line
        size_t column

    ctypedef enum yaml_event_type_t:
        YAML_NO_EVENT
        YAML_STREAM_START_EVENT
        YAML_STREAM_END_EVENT
        YAML_DOCUMENT_START_EVENT
        YAML_DOCUMENT_END_EVENT
        YAML_ALIAS_EVENT
        YAML_SCALAR_EVENT
        YAML_SEQUENCE_START_EVENT
        YAML_SEQUENCE_END_EVENT
        YAML_MAPPING_START_EVENT
        YAML_MAPPING_END_EVENT

    ctypedef struct _scalar_data:
        yaml_char_t *anchor
        yaml_char_t *tag
        yaml_char_t *value
        size_t length
        int plain_implicit
        int quoted_implicit
        int style

    ctypedef struct _collection_data:
        yaml_char_t *anchor
        yaml_char_t *tag
        int implicit
        int style

    ctypedef union _event_data:
        _scalar_data scalar
        _collection_data sequence_start
        _collection_data mapping_start

    ctypedef struct yaml_event_t:
        yaml_event_type_t type
        _event_data data
        yaml_mark_t start_mark
        yaml_mark_t end_mark

    ctypedef struct yaml_parser_t:
        pass

    int yaml_parser_initialize(yaml_parser_t *parser)
    void yaml_parser_delete(yaml_parser_t *parser)
    void yaml_parser_set_input_string(yaml_parser_t *parser, const unsigned char *input, size_t size)
    int yaml_parser_parse(yaml_parser_t *parser, yaml_event_t *event) nogil
    void yaml_event_delete(yaml_event_t *event)


# What fold returns when it leaves the file to the Python fold.
DECLINED = object()

# libyaml refuses flow nesting past 1,000 levels (some versions only): never decide there.
cdef Py_ssize_t _DEEPEST = 999

# Mapping keys are few and repeat on every element (id, name, text, ...): each is decoded once and
# the same string used again, found in a small table by a hash of its bytes. The string already
# knows its own hash, so the dicts it goes into do not hash it again. Longer keys are decoded each time.
cdef enum:
    _KEY_SLOTS = 512
    _LONGEST_KEPT_KEY = 48


def fold(bytes data, str file, Py_ssize_t max_depth, dict places, bytes first, object maybe_typed, object resolve):
    """The root of one YAML document (UTF-8 bytes), or DECLINED.

    Fills `places` as the Python fold fills Positions._places (the caller discards it when this
    declines). `first` has 129 flags: may a plain scalar starting with ASCII character i be
    typed, and (the last) may an empty one; `maybe_typed(value)` is the combined resolver pattern,
    `resolve(value)` turns such a value into its Python value (raising when it cannot).
    """
    if len(first) != 129:
        raise ValueError("first: 129 flags expected")
    cdef yaml_parser_t parser
    if not yaml_parser_initialize(&parser):
        raise MemoryError("libyaml could not start a parser")
    try:
        yaml_parser_set_input_string(
            &parser, <const unsigned char *>PyBytes_AS_STRING(data), <size_t>PyBytes_GET_SIZE(data)
        )
        return _walk(&parser, file, min(max_depth, _DEEPEST), places,
                     <const unsigned char *>PyBytes_AS_STRING(first), maybe_typed, resolve)
    except Exception:  # whatever went wrong (it should not), the Python fold reads the file
        return DECLINED
    finally:
        yaml_parser_delete(&parser)


cdef object _walk(yaml_parser_t *parser, str file, Py_ssize_t max_depth, dict places,
                  const unsigned char *first, object maybe_typed, object resolve):
    cdef yaml_event_t event
    cdef yaml_event_type_t kind
    cdef list stack = []  # (container, marks, is_map) of each container around the current one
    cdef object node = None  # the container being filled (None: the top level)
    cdef object marks = None
    cdef bint is_map = False
    cdef object key = None  # the pending key of a mapping
    cdef object key_line = None
    cdef object key_col = None
    cdef object root = None
    cdef object value, line, col, child, child_marks
    cdef Py_ssize_t depth = 0
    cdef int documents = 0
    cdef size_t last_line = <size_t>-1  # line numbers repeat (key and value): one int object each
    cdef object last_line_object = None
    cdef const unsigned char *text
    cdef size_t length
    cdef bint typed
    cdef dict resolved = {}  # plain values already resolved (a map repeats its values): their values
    cdef list keys = [None] * _KEY_SLOTS  # the strings of keys seen, by the hash of their bytes
    cdef unsigned char longest
    while True:
        if not yaml_parser_parse(parser, &event):
            return DECLINED
        try:
            kind = event.type
            if kind == YAML_SCALAR_EVENT or kind == YAML_SEQUENCE_START_EVENT or kind == YAML_MAPPING_START_EVENT:
                if kind == YAML_SCALAR_EVENT:
                    if event.data.scalar.tag != NULL or event.data.scalar.anchor != NULL:
                        return DECLINED
                elif kind == YAML_SEQUENCE_START_EVENT:
                    if event.data.sequence_start.tag != NULL or event.data.sequence_start.anchor != NULL:
                        return DECLINED
                elif event.data.mapping_start.tag != NULL or event.data.mapping_start.anchor != NULL:
                    return DECLINED
                if event.start_mark.line != last_line:
                    last_line = event.start_mark.line
                    last_line_object = PyLong_FromSize_t(last_line)
                line = last_line_object
                col = PyLong_FromSize_t(event.start_mark.column)
                if kind == YAML_SCALAR_EVENT:
                    text = event.data.scalar.value
                    length = event.data.scalar.length
                    if is_map and key is None:
                        value = _key_text(keys, text, length, _LONGEST_KEPT_KEY)
                        # Keys stay as written; a merge key or a second use of a key: the Python fold.
                        if value == "<<" or value in <dict>node:
                            return DECLINED
                        key, key_line, key_col = value, line, col
                        continue
                    value = PyUnicode_DecodeUTF8(<const char *>text, <Py_ssize_t>length, "strict")
                    if event.data.scalar.plain_implicit:
                        if length == 0:
                            typed = first[128] != 0
                        else:
                            longest = first[text[0]] if text[0] < 128 else 0
                            typed = longest == 255 or length <= longest
                        if typed:
                            value = _typed(value, text, length, resolved, maybe_typed, resolve)
                            if value is DECLINED:
                                return DECLINED
                    if is_map:
                        (<dict>node)[key] = value
                        (<dict>marks)[key] = (key_line, key_col, line, col)
                        key = None
                    elif node is not None:
                        (<list>node).append(value)
                        (<list>marks).append((line, col))
                    else:
                        root = value
                    continue
                # A mapping or sequence starts: it goes into its parent now (nothing can come
                # between it and its key that the fast path accepts), and is filled next.
                if is_map and key is None:
                    return DECLINED  # a mapping or sequence as a key
                if depth >= max_depth:
                    return DECLINED
                if kind == YAML_MAPPING_START_EVENT:
                    child, child_marks = {}, {}
                else:
                    child, child_marks = [], []
                places[id(child)] = (child, file, line, col, child_marks)
                if is_map:
                    (<dict>node)[key] = child
                    (<dict>marks)[key] = (key_line, key_col, line, col)
                    key = None
                elif node is not None:
                    (<list>node).append(child)
                    (<list>marks).append((line, col))
                else:
                    root = child
                stack.append((node, marks, is_map))
                depth += 1
                node, marks, is_map = child, child_marks, kind == YAML_MAPPING_START_EVENT
            elif kind == YAML_MAPPING_END_EVENT or kind == YAML_SEQUENCE_END_EVENT:
                node, marks, is_map = stack.pop()
                depth -= 1
            elif kind == YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1:
                    return DECLINED
            elif kind == YAML_STREAM_END_EVENT:
                return root if documents == 1 else DECLINED
            elif kind == YAML_ALIAS_EVENT:
                return DECLINED
        finally:
            yaml_event_delete(&event)


cdef inline object _key_text(list keys, const unsigned char *text, size_t length, size_t kept):
    """A key's string: the one decoded before when the same bytes were a key already."""
    cdef uint32_t hash = 2166136261u  # FNV-1a
    cdef size_t i
    cdef Py_ssize_t size
    cdef const char *known
    if length > kept:
        return PyUnicode_DecodeUTF8(<const char *>text, <Py_ssize_t>length, "strict")
    for i in range(length):
        hash = (hash ^ text[i]) * 16777619u
    slot = hash % _KEY_SLOTS
    found = keys[slot]
    if found is not None:
        known = PyUnicode_AsUTF8AndSize(found, &size)
        if <size_t>size == length and memcmp(known, text, length) == 0:
            return found
    found = PyUnicode_DecodeUTF8(<const char *>text, <Py_ssize_t>length, "strict")
    keys[slot] = found
    return found


cdef object _typed(object value, const unsigned char *text, size_t length, dict resolved,
                   object maybe_typed, object resolve):
    """What a plain scalar that may be typed reads as (DECLINED when resolve refuses it)."""
    cdef size_t i
    cdef long long number = 0
    # Whole numbers, the commonest typed values: as resolve reads them ('0123' is octal: not here).
    if 0 < length <= 18 and (text[0] != 48 or length == 1):  # 48: '0'
        for i in range(length):
            if text[i] < 48 or text[i] > 57:
                break
            number = number * 10 + (text[i] - 48)
        else:
            return number
    found = resolved.get(value, DECLINED)
    if found is not DECLINED:
        return found
    found = value
    if maybe_typed(value) is not None:
        try:
            found = resolve(value)
        except Exception:
            return DECLINED
    resolved[value] = found  # every value here is immutable: str, int, float, bool, None, a date
    return found
