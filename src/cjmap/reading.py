"""Reading input bytes with the size limit applied while reading, never after: /dev/zero, a pipe
of gigabytes or a sparse file stop at the limit, not at the machine's memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from cjmap.source import Limits, too_large

_CHUNK = 1 << 20


def read_stream(stream: BinaryIO, name: str, limits: Limits) -> bytes:
    """At most max_bytes from a stream; one byte more is the finding."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, limits.max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limits.max_bytes:
            raise too_large(name, limits)


def read_file(path: Path, name: str, limits: Limits) -> bytes:
    """A named file: a regular file's size is known before reading; a device or a pipe the user
    named is read up to the limit."""
    with path.open("rb") as stream:
        info = os.fstat(stream.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > limits.max_bytes:
            raise too_large(name, limits, info.st_size)
        return read_stream(stream, name, limits)


def is_regular_file(path: Path) -> bool:
    """Folders are searched for regular files only (following links): a FIFO would block, a link
    to /dev/zero would never end."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):
        return False
