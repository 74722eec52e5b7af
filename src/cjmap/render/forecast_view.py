"""The forecast as the report, the grid and the diagram show it: plain rows of text cells made
from one computed `Forecast`, so that every output writes the same figures and none of them does
its own arithmetic. Renderers escape the cells for their own format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cjmap.analysis.forecast import EVERYONE, Forecast, PersonaForecast
from cjmap.journey import Journey
from cjmap.render.i18n import Words
from cjmap.render.view import persona_name

PER = 1000  # the funnel counts entrants per this many


def share(value: Any) -> str:
    """A probability as a percentage with one decimal: 0.425 -> '42.5%'."""
    return f"{float(value):.1%}"


def per_thousand(value: Any) -> str:
    return str(round(float(value) * PER))


@dataclass(frozen=True)
class ForecastView:
    columns: tuple[str, ...]  # persona names, then the audience (when there are several personas)
    outcomes: tuple[tuple[str, tuple[str, ...]], ...]  # outcome label (or "no outcome"), shares per column
    funnel: tuple[tuple[str, tuple[str, ...]], ...]  # stage label, entrants per 1,000 per column
    per_period: tuple[tuple[str, tuple[str, ...]], ...]  # outcome label, customers (and value) per period
    per_period_header: tuple[str, ...]
    weighting: str  # how the audience is weighted
    goal: str | None  # the goal sentence: met or not, with the share
    goal_met: bool | None
    skipped: tuple[str, ...]  # personas without a forecast, with why


def forecast_view(journey: Journey, forecast: Forecast[Any], words: Words) -> ForecastView:
    shown: list[tuple[str, PersonaForecast[Any]]] = [
        (_persona_label(journey, key, words), result) for key, result in forecast.personas.items()
    ]
    if len(shown) > 1:
        shown.append((words["fc-audience"], forecast.audience))
    columns = tuple(label for label, _ in shown)
    outcomes = [
        (outcome.label, tuple(share(result.outcomes[o]) for _, result in shown))
        for o, (outcome, _) in journey.outcomes.items()
    ]
    outcomes.append((words["fc-no-outcome"], tuple(share(result.no_outcome) for _, result in shown)))
    funnel = tuple(
        (stage.label, tuple(per_thousand(result.stage_reach.get(stage.id, 0)) for _, result in shown))
        for stage in journey.map.stages
    )
    period = f" / {forecast.period}" if forecast.period else ""
    header: tuple[str, ...] = ()
    rows: list[tuple[str, tuple[str, ...]]] = []
    if forecast.customers is not None:
        header = (words["fc-customers"] + period,)
        if forecast.value is not None:
            header += (words["fc-value"] + (f" ({forecast.currency})" if forecast.currency else "") + period,)
        for o, (outcome, _) in journey.outcomes.items():
            cells: tuple[str, ...] = (f"{forecast.customers[o]:,.1f}",)
            if forecast.value is not None:
                cells += (f"{forecast.value[o]:,.2f}" if o in forecast.value else "—",)
            rows.append((outcome.label, cells))
    goal = forecast.goal
    sentence = None
    if goal is not None:
        outcome_label = journey.outcomes[goal.outcome][0].label
        sentence = (
            f"{words['fc-goal-met'] if goal.met else words['fc-goal-missed']}: "
            f"{outcome_label} {share(goal.share)} ({words['fc-target']} {share(goal.target)})"
        )
    return ForecastView(
        columns,
        tuple(outcomes),
        funnel,
        tuple(rows),
        header,
        words["fc-by-volume"] if forecast.weighted_by_volume else words["fc-equal"],
        sentence,
        goal.met if goal is not None else None,
        tuple(f"{_persona_label(journey, key, words)}: {why}" for key, why in forecast.skipped.items()),
    )


def edge_shares(forecast: Forecast[Any], persona: str | None = None) -> dict[tuple[str, str], str]:
    """What a diagram writes on each way (touchpoint, target): the share of entrants taking it,
    audience-weighted (or one persona's, for a diagram of one persona)."""
    result = forecast.personas.get(persona) if persona is not None else forecast.audience
    if result is None:
        return {}
    return {way: "→ " + f"{float(taken):.0%}" for way, taken in result.flow.items()}


def _persona_label(journey: Journey, key: str, words: Words) -> str:
    if key == EVERYONE:
        return words["fc-everyone"]
    return persona_name(journey, key)
