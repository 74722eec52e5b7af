"""Small statistics over the aggregate: the Wilson score interval and percentiles read from the
time-between-steps histogram."""

from __future__ import annotations

import math
from collections.abc import Mapping

Z_95 = 1.959963984540054  # the two-sided 95% quantile of the standard normal distribution


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a proportion; (0, 1) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z / (1 + z2 / trials) * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def histogram_percentile(counts: Mapping[int, int], bounds: tuple[int, ...], q: float) -> float | None:
    """The q-th percentile (0 < q < 1) of gaps counted in buckets, interpolated linearly inside the
    bucket that holds it. Bucket i spans [bounds[i-1], bounds[i]); the last one has no upper end,
    so a percentile there is its lower bound."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for index in sorted(counts):
        count = counts[index]
        if count <= 0:
            continue
        if seen + count >= rank:
            lower = 0 if index == 0 else bounds[index - 1]
            if index >= len(bounds):
                return float(lower)
            upper = bounds[index]
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    last = max(counts)
    return float(bounds[min(last, len(bounds)) - 1]) if last else 0.0
