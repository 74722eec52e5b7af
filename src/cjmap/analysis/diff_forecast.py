"""The forecast delta of a diff: each persona's and the audience's outcome shares, old → new.

Both maps are forecast with the forecast module, each with the engine `cjmap forecast` would
pick for it (exact fractions up to `exact_up_to` touchpoints, floating point beyond), and put
side by side with `forecast.compare`, so the diff's numbers are the forecast command's own
(`cjmap forecast --compare OLD NEW`). A map the forecast refuses (a trap, a loop too large)
gives no delta and one sentence saying why: the rest of the diff stands.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cjmap.analysis.forecast import Comparison, Forecast, ForecastError, comparison_json
from cjmap.journey import Journey

Json = dict[str, Any]


@dataclass(frozen=True)
class ForecastDelta:
    """The two forecasts compared, or why there is no comparison."""

    comparison: Comparison | None
    arithmetic: tuple[str, str]  # "exact" or "float", for the old and the new map
    refused: str | None = None  # why a map could not be forecast

    def __bool__(self) -> bool:
        """True when a share changed: an unchanged forecast is no change of the map."""
        if self.comparison is None:
            return False
        sides = [*self.comparison.personas.values(), self.comparison.audience]
        return any(d.old != d.new for side in sides for d in (*side.outcomes.values(), side.no_outcome, side.success))

    def to_json(self) -> Json:
        data: Json = {"arithmetic": {"old": self.arithmetic[0], "new": self.arithmetic[1]}, "refused": self.refused}
        if self.comparison is None:
            data.update({"personas": None, "audience": None})
        else:
            compared = comparison_json(self.comparison)
            data.update({"personas": compared["personas"], "audience": compared["audience"]})
        return data


@dataclass(frozen=True)
class SideForecast:
    """One map's forecast as the delta reads it (it can be made in another process and sent)."""

    map_id: str
    arithmetic: str  # "exact" or "float"
    forecast: Forecast[Any] | None
    refused: str | None = None  # why the map cannot be forecast (then no forecast)


def forecast_side(journey: Journey, exact_up_to: int) -> SideForecast:
    """The outcome shares of one checked map, with the engine `cjmap forecast` picks for its size."""
    from cjmap.analysis.forecast import EXACT, FLOAT, forecast

    arithmetic = _engine(journey, exact_up_to)
    numbers: Any = EXACT if arithmetic == "exact" else FLOAT
    try:
        return SideForecast(journey.map.id, arithmetic, forecast(journey, numbers, outcomes_only=True))
    except ForecastError as problem:
        return SideForecast(journey.map.id, arithmetic, None, str(problem))


def forecast_delta(
    old: Journey, new: Journey, exact_up_to: int, known: tuple[SideForecast | None, SideForecast | None] = (None, None)
) -> ForecastDelta | None:
    """The delta of two checked maps; None when neither declares an outcome (nothing to forecast).
    `known`: a side's forecast already made (by `forecast_side`, perhaps in another process)."""
    from cjmap.analysis.forecast import compare

    if not old.outcomes and not new.outcomes:
        return None
    arithmetic = (_engine(old, exact_up_to), _engine(new, exact_up_to))
    forecasts = []
    for name, journey, made in (("old", old, known[0]), ("new", new, known[1])):
        side = made or forecast_side(journey, exact_up_to)
        if side.forecast is None:
            return ForecastDelta(None, arithmetic, f"the {name} map '{side.map_id}' cannot be forecast: {side.refused}")
        forecasts.append(side.forecast)
    return ForecastDelta(compare(forecasts[0], forecasts[1]), arithmetic)


def _engine(journey: Journey, exact_up_to: int) -> str:
    """Exact fractions for a small map, floating point for a large one."""
    return "exact" if len(journey.touchpoints) <= exact_up_to else "float"


def success_drops(delta: ForecastDelta | None) -> list[tuple[str, float, float]]:
    """(persona or "audience", old, new) for every success share that fell, largest fall first
    (ties by name); shares from 0 to 1."""
    if delta is None or delta.comparison is None:
        return []
    sides = [*delta.comparison.personas.items(), ("audience", delta.comparison.audience)]
    found = [
        (key, side.success.old, side.success.new)
        for key, side in sides
        if side.success.old is not None and side.success.new is not None and side.success.new < side.success.old
    ]
    return sorted(found, key=lambda item: (item[2] - item[1], item[0]))
