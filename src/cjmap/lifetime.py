"""A process that ends with its command need not free what the command built.

A large map's models are about a million Python objects. Freeing them one by one after the
output is written took 0.12-0.24 s for two 10,000-touchpoint maps, and the interpreter's own
teardown as much again, for memory the system takes back at once when the process ends. So
`cjmap.cli.main` (a real process, which ends with its command) asks for it, a command hands over
what it built, and `main` then ends the process without freeing it. Tests and library callers,
which run many commands in one process, never ask: nothing is kept for them.
"""

from __future__ import annotations

_kept: list[object] | None = None  # None: this process goes on after the command


def end_without_freeing() -> None:
    """Called by `cjmap.cli.main` only."""
    global _kept
    _kept = []


def keep_to_the_end(*objects: object) -> None:
    """Keep `objects` until the process ends; nothing when it goes on after the command."""
    if _kept is not None:
        _kept.extend(objects)


def anything_kept() -> bool:
    return bool(_kept)
