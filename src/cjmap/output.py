"""Writing outputs safely: never over an input, never a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    pass


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# mkstemp creates files readable by the owner only; outputs get the usual permissions.
_FILE_MODE = 0o666 & ~_umask()


def write_atomically(path: Path, data: bytes, inputs: set[Path]) -> None:
    """Write to a temporary file beside the target, then rename it into place.

    A reader (or a crash) never sees a half-written file, and an input file is never replaced.
    """
    target = path.resolve()
    if target in inputs:
        raise OutputError(f"refusing to write {path}: it is one of the input files")
    if target.exists() and not target.is_file():
        if target.is_dir():
            raise OutputError(f"refusing to write {path}: it is a folder")
        # A device or a pipe (/dev/null, /dev/stdout, a FIFO): renaming a file over it would
        # replace the device itself, so write into it directly.
        with target.open("wb") as stream:
            stream.write(data)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).chmod(_FILE_MODE)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
