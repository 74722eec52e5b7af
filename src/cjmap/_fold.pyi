from collections.abc import Callable
from typing import Any

DECLINED: object

def fold(
    data: bytes,
    file: str,
    max_depth: int,
    places: dict[int, Any],
    first: bytes,
    maybe_typed: Callable[[str], object],
    resolve: Callable[[str], Any],
) -> Any: ...
