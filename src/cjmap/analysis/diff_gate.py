"""`cjmap diff --fail-on`: conditions on a MapDiff that make CI fail.

Grammar: a condition is `NAME` or `NAME:ARGUMENT`; give several with commas or by repeating the
option (`--fail-on emotion-drop,pain-added:high`). The names:

    any                      anything changed
    emotion-drop[:N]         a touchpoint's emotion (for any persona) fell, by at least N points
    stage-emotion-drop[:N]   a stage's average emotion fell, by at least N points
    pain-added[:SEVERITY]    a pain point of SEVERITY or worse was added, or raised to it
                             (low, medium, high, critical; default: low, i.e. any)
    touchpoint-removed       a touchpoint was removed
    opportunity-dropped      an opportunity was dropped
    kpi-worse                a KPI's gap to its target widened or opened
    forecast-drop[:N]        a persona's or the audience's success forecast fell, by more than
                             N percentage points (not checked when a map cannot be forecast)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cjmap.analysis.diff import SEVERITIES, MapDiff

CONDITIONS = {
    "any": "anything changed",
    "emotion-drop": "a touchpoint's emotion fell (emotion-drop:N: by at least N points)",
    "stage-emotion-drop": "a stage's average emotion fell (stage-emotion-drop:N: by at least N points)",
    "pain-added": "a pain point was added or raised (pain-added:high: of severity high or worse)",
    "touchpoint-removed": "a touchpoint was removed",
    "opportunity-dropped": "an opportunity was dropped",
    "kpi-worse": "a KPI's gap to its target widened or opened",
    "forecast-drop": "a success forecast fell (forecast-drop:N: by more than N percentage points)",
}
_NUMERIC = {"emotion-drop", "stage-emotion-drop", "forecast-drop"}


class ConditionError(ValueError):
    """A --fail-on value that is not in the grammar."""


@dataclass(frozen=True)
class Condition:
    name: str
    number: Fraction | None = None
    severity: str | None = None

    def __str__(self) -> str:
        argument = self.severity if self.severity else None if self.number is None else f"{float(self.number):g}"
        return self.name if argument is None else f"{self.name}:{argument}"


def parse_conditions(values: list[str]) -> list[Condition]:
    conditions = []
    for value in values:
        for raw in value.split(","):
            text = raw.strip()
            if text:
                conditions.append(_parse(text))
    return conditions


def _parse(text: str) -> Condition:
    name, _, argument = text.partition(":")
    known = ", ".join(CONDITIONS)
    if name not in CONDITIONS:
        raise ConditionError(f"unknown --fail-on condition '{name}': use one of {known}")
    if not argument:
        if ":" in text:
            raise ConditionError(f"--fail-on '{text}': give a value after ':' or leave the ':' out")
        return Condition(name)
    if name in _NUMERIC:
        try:
            number = Fraction(argument)
        except (ValueError, ZeroDivisionError):
            raise ConditionError(f"--fail-on '{text}': '{argument}' is not a number, e.g. {name}:1") from None
        if number <= 0:
            raise ConditionError(f"--fail-on '{text}': the number of points must be above 0")
        if name == "forecast-drop" and number >= 100:
            raise ConditionError(
                f"--fail-on '{text}': a share falls by at most 100 percentage points: give N below 100"
            )
        return Condition(name, number=number)
    if name == "pain-added":
        if argument not in SEVERITIES:
            raise ConditionError(f"--fail-on '{text}': the severity is one of {', '.join(SEVERITIES)}")
        return Condition(name, severity=argument)
    raise ConditionError(f"--fail-on '{name}' takes no value (not ':{argument}')")


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def failures(diff: MapDiff, conditions: list[Condition]) -> list[str]:
    """One sentence per condition that the diff meets, naming what met it first."""
    found = []
    for condition in conditions:
        reason = _check(diff, condition)
        if reason:
            found.append(f"--fail-on {condition}: {reason}")
    return found


def _drop(old: float | Fraction | None, new: float | Fraction | None, at_least: Fraction | None) -> bool:
    if old is None or new is None:
        return False
    fall = Fraction(old) - Fraction(new)
    return fall > 0 and (at_least is None or fall >= at_least)


def _check(diff: MapDiff, condition: Condition) -> str | None:
    name = condition.name
    if name == "any":
        title = diff.old if diff.old == diff.new else f"{diff.old} → {diff.new}"
        return None if diff.empty else f"{title} changed"
    if name == "emotion-drop":
        for e in diff.emotion:
            if _drop(e.old, e.new, condition.number):
                whose = f" for {diff.persona_name(e.persona)}" if e.persona else ""
                return f"{e.touchpoint}'s emotion{whose} went from {e.old:g} to {e.new:g}"
        return None
    if name == "stage-emotion-drop":
        for s in diff.stage_emotion:
            if _drop(s.old, s.new, condition.number):
                assert s.old is not None and s.new is not None
                return f"stage {s.stage}'s average emotion went from {float(s.old):.2f} to {float(s.new):.2f}"
        return None
    if name == "pain-added":
        floor = _rank(condition.severity or "low")
        for p in diff.pain_points.added:
            if _rank(p.severity) >= floor:
                return f"pain point added at {p.touchpoint}: '{p.text}' ({p.severity})"
        for c in diff.pain_points.changed:
            if _rank(c.severity) > _rank(c.old_severity) and _rank(c.severity) >= floor:
                return f"pain point at {c.touchpoint} '{c.text}' went from {c.old_severity} to {c.severity}"
        return None
    if name == "touchpoint-removed":
        return f"touchpoint {diff.touchpoints.removed[0].id} was removed" if diff.touchpoints.removed else None
    if name == "opportunity-dropped":
        dropped = diff.opportunities.dropped
        return f"opportunity dropped at {dropped[0].touchpoint}: '{dropped[0].text}'" if dropped else None
    if name == "kpi-worse":
        for k in diff.kpis:
            if k.gap in ("widened", "opened"):
                return f"KPI '{k.name}' at {k.touchpoint}: the gap to the target {k.gap}"
        return None
    if name == "forecast-drop":
        return _forecast_drop(diff, condition.number)
    raise AssertionError(name)  # parse_conditions admits no other name


def _forecast_drop(diff: MapDiff, more_than: Fraction | None) -> str | None:
    from cjmap.analysis.diff_forecast import success_drops

    for key, old, new in success_drops(diff.forecast):
        # The fall in points, rounded far below the one decimal shown, so that float noise
        # (60% - 21.25% = 38.749999...) does not decide a threshold given in decimals.
        fall = Fraction(str(round((old - new) * 100, 9)))
        if more_than is None or fall > more_than:
            whose = "the audience's" if key == "audience" else f"{diff.persona_name(key)}'s"
            return (
                f"{whose} success forecast went from {old * 100:.1f}% to {new * 100:.1f}% ({float(fall):g} points down)"
            )
    return None


def not_checked(diff: MapDiff, conditions: list[Condition]) -> list[str]:
    """Conditions that could not be checked on this diff, with the reason (a refused forecast)."""
    refused = diff.forecast.refused if diff.forecast is not None else None
    if refused is None:
        return []
    return [f"--fail-on {c} not checked: {refused}" for c in conditions if c.name == "forecast-drop"]
