"""Rules about the analysis of each step: emotions, pain points, KPIs, and the map's age."""

from __future__ import annotations

from collections.abc import Iterator

from cjmap import rule_ids
from cjmap.diagnostics import Finding, Severity
from cjmap.journey import Journey
from cjmap.rules.base import Context, rule


@rule(rule_ids.EMOTION_SCALE, "emotion-scale", Severity.ERROR, "An emotion lies outside the map's emotion scale.")
def emotion_scale(journey: Journey, context: Context) -> Iterator[Finding]:
    """Emotions are numbers on the map's `emotion_scale` (default [-2, 2]); a value outside it
    is a typo or a different scale, and would break the emotion curve."""
    low, high = journey.map.emotion_scale
    for placed in journey.ordered():
        emotion = placed.touchpoint.emotion
        if emotion is None or (type(emotion) is float and low <= emotion <= high):
            continue  # most touchpoints: no emotion, or one on the scale (what emotions() would say)
        for persona, value in placed.touchpoint.emotions():
            if not low <= value <= high:
                path = (*placed.path, "emotion") + ((persona,) if persona else ())
                who = f" for persona '{persona}'" if persona else ""
                yield Finding(
                    path,
                    f"emotion {value:g}{who} is outside the map's emotion scale [{low}, {high}]: "
                    "use a value within it, or change 'emotion_scale'",
                )


@rule(
    rule_ids.PAIN_WITHOUT_OPPORTUNITY,
    "pain-without-opportunity",
    Severity.WARNING,
    "A negative touchpoint has pain points but no opportunity.",
)
def pain_without_opportunity(journey: Journey, context: Context) -> Iterator[Finding]:
    """The point of mapping pain is to act on it: a touchpoint that feels negative (for any
    persona) and lists pain points should list at least one opportunity to improve it."""
    for placed in journey.ordered():
        tp = placed.touchpoint
        negative = any(value < 0 for _, value in tp.emotions())
        if tp.pain_points and not tp.opportunities and negative:
            yield Finding(
                (*placed.path, "pain_points"),
                f"touchpoint '{tp.id}' feels negative and has {len(tp.pain_points)} pain point(s) "
                "but no opportunity: add 'opportunities' with at least one idea",
            )


@rule(rule_ids.KPI_WITHOUT_TARGET, "kpi-without-target", Severity.WARNING, "A KPI has no target.")
def kpi_without_target(journey: Journey, context: Context) -> Iterator[Finding]:
    """A metric without a target cannot tell whether a touchpoint works: choose the target
    before the analysis, as the source articles advise."""
    for placed in journey.ordered():
        for index, kpi in enumerate(placed.touchpoint.kpis):
            if kpi.target is None:
                yield Finding(
                    (*placed.path, "kpis", index),
                    f"KPI '{kpi.name}' has no target: add 'target' (and 'actual' once measured)",
                )


@rule(rule_ids.REVIEW_OVERDUE, "review-overdue", Severity.WARNING, "The map's review date is past (see --today).")
def review_overdue(journey: Journey, context: Context) -> Iterator[Finding]:
    """Maps age: review them every few months (3 to 5 is typical) and whenever the business
    changes. `review: {last: DATE, every: 4 months}` sets the cadence; `--today` makes the
    check reproducible in CI."""
    review = journey.map.review
    if review is None:
        return
    due = review.due()
    if review.overdue(context.today):
        days = (context.today - due).days
        yield Finding(
            ("review", "last"),
            f"review is overdue by {days} day(s): last reviewed {review.last.isoformat()}, due every "
            f"{review.every} ({due.isoformat()}); review the map and update 'review.last'",
        )
