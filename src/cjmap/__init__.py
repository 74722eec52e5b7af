"""cjmap: customer journey maps as code.

    import cjmap
    result = cjmap.load("journeys/first-purchase.yaml")   # one map: findings, model, journey
    checked = cjmap.check(["journeys/"])                  # files and folders: every map in them

The library API is `cjmap.api`; its names are also here, imported on first use so that the
command line starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Checked", "Result", "UsageError", "check", "load", "session"]

if TYPE_CHECKING:
    from cjmap.api import Checked, Result, UsageError, check, load, session


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cjmap import api

        return getattr(api, name)
    raise AttributeError(f"module 'cjmap' has no attribute '{name}'")
