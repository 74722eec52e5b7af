"""Sparse Gaussian elimination on a dict of dicts, generic over the number type.

The systems are `I - Q` restricted to one loop (a strongly connected component) of a journey:
nonsingular M-matrices once traps are ruled out, so elimination needs no pivoting and every
pivot is positive. Rows are eliminated in the order given; along a loop that order keeps the
fill-in to one extra entry per row, so a cycle of n touchpoints costs O(n), not O(n^3).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from fractions import Fraction
from typing import TypeVar

N = TypeVar("N", Fraction, float)
K = TypeVar("K", bound=Hashable)


class SingularSystem(ValueError):
    """A zero pivot: some customers never leave (a trap the caller should have refused)."""


def solve(rows: dict[K, dict[K, N]], rhs: dict[K, list[N]], order: Sequence[K], zero: N) -> dict[K, list[N]]:
    """x with rows @ x = rhs, for several right-hand sides at once (rhs[k] is one value per
    side). `rows` and `rhs` are consumed."""
    columns: dict[K, set[K]] = {}
    for i, row in rows.items():
        for j in row:
            columns.setdefault(j, set()).add(i)
    done: set[K] = set()
    for k in order:
        row_k = rows[k]
        pivot = row_k.get(k, zero)
        if pivot == zero:
            raise SingularSystem(f"zero pivot at {k!r}")
        rhs_k = rhs[k]
        # Each row below is updated on its own, so the (hash-dependent) order of this set does
        # not change a single bit of the result.
        for i in columns.pop(k, ()):
            if i in done or i == k:
                continue
            row_i = rows[i]
            factor = row_i.pop(k, zero) / pivot
            if factor == zero:
                continue
            for j, value in row_k.items():
                if j != k:
                    row_i[j] = row_i.get(j, zero) - factor * value
                    columns.setdefault(j, set()).add(i)
            rhs[i] = [a - factor * b for a, b in zip(rhs[i], rhs_k, strict=True)]
        done.add(k)
    solution: dict[K, list[N]] = {}
    for k in reversed(order):
        row_k = rows[k]
        values = rhs[k]
        for j, value in row_k.items():
            if j != k:
                values = [a - value * b for a, b in zip(values, solution[j], strict=True)]
        pivot = row_k[k]
        solution[k] = [a / pivot for a in values]
    return solution
