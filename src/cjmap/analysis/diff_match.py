"""Pairing items that have no ids (pain points, opportunities, KPIs) across two versions of a map.

Two texts are compared after folding case and runs of white space; their similarity is difflib's
`SequenceMatcher.ratio()` (2 * matching characters / total characters, 0 to 1). A pair counts only
at or above `THRESHOLD` (0.6, difflib's own cut-off for "close matches"). Pairs are taken greedily,
best first; ties go to the earlier old item, then the earlier new item, so the result never
depends on anything but the two maps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

THRESHOLD = 0.6

T = TypeVar("T")


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def similarity(old: str, new: str) -> float:
    """Symmetric: difflib's ratio depends on the order of its arguments, so they are sorted."""
    a, b = sorted((normalise(old), normalise(new)))
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def pair(
    old: Sequence[T],
    new: Sequence[T],
    text: Callable[[T], str],
    group: Callable[[T], Hashable],
    taken_old: set[int],
    taken_new: set[int],
    threshold: float = THRESHOLD,
) -> list[tuple[int, int, float]]:
    """Greedy best-first pairs (old index, new index, similarity) among items of the same group
    that are not taken yet; marks what it pairs as taken."""
    old_by_group: dict[Hashable, list[int]] = defaultdict(list)
    new_by_group: dict[Hashable, list[int]] = defaultdict(list)
    for i, item in enumerate(old):
        if i not in taken_old:
            old_by_group[group(item)].append(i)
    for j, item in enumerate(new):
        if j not in taken_new:
            new_by_group[group(item)].append(j)
    pairs: list[tuple[int, int, float]] = []
    for key, old_indexes in old_by_group.items():
        new_indexes = new_by_group.get(key)
        if not new_indexes:
            continue
        pairs += _pair_group(old, new, old_indexes, new_indexes, text, threshold)
    for i, j, _ in pairs:
        taken_old.add(i)
        taken_new.add(j)
    return sorted(pairs)


def _pair_group(
    old: Sequence[T],
    new: Sequence[T],
    old_indexes: list[int],
    new_indexes: list[int],
    text: Callable[[T], str],
    threshold: float,
) -> list[tuple[int, int, float]]:
    old_texts = {i: normalise(text(old[i])) for i in old_indexes}
    new_texts = {j: normalise(text(new[j])) for j in new_indexes}
    # Identical texts first, in order: the common case of an unchanged item costs no ratio.
    exact: dict[str, list[int]] = defaultdict(list)
    for j in new_indexes:
        exact[new_texts[j]].append(j)
    pairs: list[tuple[int, int, float]] = []
    used_new: set[int] = set()
    rest_old = []
    for i in old_indexes:
        same = exact.get(old_texts[i])
        if same:
            j = same.pop(0)
            used_new.add(j)
            pairs.append((i, j, 1.0))
        else:
            rest_old.append(i)
    rest_new = [j for j in new_indexes if j not in used_new]
    # Sort keys that do not depend on which side is old, so diff(a, b) mirrors diff(b, a).
    candidates: list[tuple[float, str, str, int, int, int, int]] = []
    for i in rest_old:
        for j in rest_new:
            a, b = sorted((old_texts[i], new_texts[j]))
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                candidates.append((-ratio, a, b, min(i, j), max(i, j), i, j))
    candidates.sort()
    done_old: set[int] = set()
    for negative, _, _, _, _, i, j in candidates:
        if i in done_old or j in used_new:
            continue
        done_old.add(i)
        used_new.add(j)
        pairs.append((i, j, -negative))
    return pairs
