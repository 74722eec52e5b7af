"""The journey map format as pydantic models. No I/O here: this module *is* the format.

Short forms are accepted where the common case is simple (a pain point can be just a string,
an emotion just a number) and are normalised into the long form before validation, so the rest
of cjmap sees one shape only. Every element may carry `ignore: [RULE, ...]` to silence a check.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

FORMAT_VERSION = 1
SLUG_PATTERN = r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
RULE_REF_PATTERN = r"^(CJM[0-9]{3}|[a-z]+(?:-[a-z]+)*)$"

Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=80),
    Field(description="A stable id: lowercase letters, digits, '-', '_' or '.', e.g. 'first-purchase'."),
]
Text = Annotated[str, StringConstraints(min_length=1)]
# A measured or judged value: never NaN or infinite (YAML's .nan and .inf), and only as large as a
# float holds (a 400-digit integer is refused with its position, not a crash in a renderer).
Number = Annotated[float, Field(allow_inf_nan=False)]
# Ends of an emotion scale: wide enough for any survey scale (0..10, -100..100), small enough to draw.
ScaleEnd = Annotated[int, Field(ge=-1000, le=1000)]
Level = Literal["low", "medium", "high"]
Severity = Literal["low", "medium", "high", "critical"]
EvidenceKind = Literal["observed", "reported", "assumed"]
RuleRef = Annotated[str, StringConstraints(pattern=RULE_REF_PATTERN)]


class Element(BaseModel):
    """Every part of a map: strict about unknown keys, and able to silence checks."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        defer_build=True,  # built on first use: a run that reads no library never builds Library
    )

    ignore: list[RuleRef] = Field(
        default_factory=list,
        description="Rule ids or names (e.g. CJM110 or pain-without-opportunity) not to report "
        "for this element and everything inside it.",
    )

    def __eq__(self, other: object) -> bool:
        # pydantic's == first compares generic origins, private attributes and extras, which no
        # element has (extra="forbid", no private attributes), then the fields: this is its
        # answer at a third of the cost (a diff compares every touchpoint of two large maps).
        if type(other) is type(self):
            return self.__dict__ == other.__dict__
        return super().__eq__(other)


def _expand_text(field: str, value: Any) -> Any:
    return {field: value} if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value


# Before-validators that turn the short form `"some text"` into `{field: "some text"}`: one
# module-level function per field, so that the built schema can be pickled, and no partial, so that
# each of the 40,000 items of a large map costs one call less; a mapping (the long form) returns at once.
def _text_short_form(value: Any) -> Any:
    return value if type(value) is dict else _expand_text("text", value)


def _name_short_form(value: Any) -> Any:
    return value if type(value) is dict else _expand_text("name", value)


def _kind_short_form(value: Any) -> Any:
    return value if type(value) is dict else _expand_text("kind", value)


_SHORT_FORMS = {"text": _text_short_form, "name": _name_short_form, "kind": _kind_short_form}


def _text_to(field: str) -> Any:
    """The before-validator of the short form of an element whose main field is `field`."""
    return _SHORT_FORMS[field]


class Evidence(Element):
    """Where a finding comes from: seen in data, told by customers or staff, or assumed."""

    kind: EvidenceKind = Field(description="observed (data, recordings), reported (interviews, tickets) or assumed.")
    source: str | None = Field(default=None, description="Where it comes from, e.g. 'support tickets Q3'.")


EvidenceField = Annotated[
    Evidence | None,
    BeforeValidator(_text_to("kind"), json_schema_input_type=EvidenceKind | Evidence | None),
]


class PainPoint(Element):
    text: Text = Field(description="What gets in the customer's way.")
    severity: Severity = Field(default="medium", description="low, medium, high or critical.")
    evidence: EvidenceField = None


class Opportunity(Element):
    text: Text = Field(description="An idea that would improve this step.")
    impact: Level = Field(default="medium", description="Expected impact: low, medium or high.")
    effort: Level = Field(default="medium", description="Expected effort: low, medium or high.")
    owner: str | None = Field(default=None, description="Who takes it forward.")
    evidence: EvidenceField = None


# --- Matching the map to an event log (cjmap measure) -------------------------------------------
# A touchpoint or outcome says which events of the log are it; a persona says which customers it
# stands for; a KPI can be defined on the log. Patterns are globs: '*' any text, '?' one character.

Glob = Annotated[str, StringConstraints(min_length=1, max_length=500)]


def _glob_list(value: Any) -> Any:
    """One pattern or a list; a bare number or boolean in YAML (`plan: 3`) is meant as its text."""
    items = value if isinstance(value, list) else [value]
    return [str(item).lower() if isinstance(item, bool) else str(item) if _is_number(item) else item for item in items]


GlobList = Annotated[list[Glob], BeforeValidator(_glob_list, json_schema_input_type=Glob | list[Glob])]


class EventMatch(Element):
    """Which events of the log are this step: an event name (glob), and conditions on other columns."""

    event: GlobList = Field(
        min_length=1, description="Event name or names; globs allowed, e.g. purchase or 'checkout_*'."
    )
    where: dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], GlobList] = Field(
        default_factory=dict,
        description="Conditions on other columns of the log, all of which must hold, e.g. {page: '/pricing*'}; "
        "a list means any of these values.",
    )


def _event_matches(value: Any) -> Any:
    """`match: purchase`, `match: {event: purchase}` or a list of either."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [{"event": item} if isinstance(item, str) else item for item in items]


EventMatchList = Annotated[
    list[EventMatch],
    BeforeValidator(_event_matches, json_schema_input_type=str | EventMatch | list[str | EventMatch]),
]
CustomerMatch = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], GlobList],
    Field(
        description="Which customers of the log this persona stands for: conditions on columns, "
        "e.g. {segment: returning}. A customer any of whose events meets all of them belongs to the "
        "first persona (in map order) that matches."
    ),
]


class KpiConversion(Element):
    """A KPI measured on the log: of the customers reaching one step, the share who later reach another."""

    from_: Slug = Field(alias="from", description="The touchpoint customers start from.")
    to: Slug = Field(description="The touchpoint or outcome they should reach later.")

    model_config = ConfigDict(populate_by_name=True)


# --- end of the measure block -------------------------------------------------------------------


class Kpi(Element):
    name: Text = Field(description="What is measured, e.g. 'Open rate'.")
    unit: str | None = Field(default=None, description="Unit of target and actual, e.g. '%'.")
    target: Number | None = Field(default=None, description="The value that counts as success.")
    actual: Number | None = Field(default=None, description="The value measured now.")
    better: Literal["higher", "lower"] = Field(
        default="higher", description="Whether higher or lower values are better (e.g. bounce rate: lower)."
    )
    evidence: EvidenceField = None
    conversion: KpiConversion | None = Field(
        default=None,
        description="Measured on an event log by cjmap measure: the share of customers reaching 'from' "
        "who later reach 'to' (in % when the unit is '%').",
    )

    def on_target(self) -> bool | None:
        """True or False once both target and actual are known, else None."""
        if self.target is None or self.actual is None:
            return None
        return self.actual >= self.target if self.better == "higher" else self.actual <= self.target


class Content(Element):
    text: Text = Field(description="The message, offer or template shown to the customer.")
    kind: str | None = Field(default=None, description="e.g. 'welcome offer', 'birthday offer', 'template'.")


def _listify_next(value: Any) -> Any:
    return [value] if isinstance(value, (str, dict)) else value


# --- forecast fields (issue 9): probabilities per persona, entries, volumes, values ---------
Share = Annotated[float, Field(ge=0, le=1)]


def _share_shape(what: str, allow_true: bool = False) -> Any:
    """A before-validator giving one clear message for a share or a share per persona (a plain
    union would report each of its forms separately)."""
    return functools.partial(_check_share, what, allow_true)


def _check_share(what: str, allow_true: bool, value: Any) -> Any:
    if allow_true and isinstance(value, bool):
        return value
    if _is_number(value):
        return _in_range(_as_float(value, what), what)
    if isinstance(value, dict) and value and all(_is_number(v) for v in value.values()):
        return {key: _in_range(_as_float(share, what), what) for key, share in value.items()}
    example = "true, a share (e.g. 0.6) or" if allow_true else "a share from 0 to 1 (e.g. 0.4), or"
    raise ValueError(f"{what} must be {example} one share per persona (e.g. {{anna: 0.8, piotr: 0.5}})")


def _as_float(number: float, what: str) -> float:
    try:
        return float(number)
    except OverflowError:  # a whole number too large for a float, e.g. 10**400
        shown = str(number)
        shown = shown if len(shown) <= 12 else f"{shown[:6]}…({len(shown)} digits)"
        raise ValueError(f"{what} is a share of customers from 0 to 1: {shown} is not") from None


def _in_range(share: float, what: str) -> float:
    if not 0 <= share <= 1:
        raise ValueError(
            f"{what} is a share of customers from 0 to 1: {share:g} is not "
            "(it must be greater than or equal to 0 and less than or equal to 1)"
        )
    return share


Probability = Annotated[
    float | dict[Slug, float],
    BeforeValidator(_share_shape("probability"), json_schema_input_type=Share | dict[Slug, Share]),
    Field(description="A share from 0 to 1, or one per persona (e.g. {anna: 0.8, piotr: 0.5})."),
]


def probability_for(probability: float | dict[str, float] | None, persona: str | None) -> float | None:
    """The share a persona takes: the shared number, or that persona's own (None: not given)."""
    if isinstance(probability, dict):
        return probability.get(persona) if persona is not None else None
    return probability


class Branch(Element):
    when: Text = Field(description="The condition of this branch, e.g. 'Finds it cheaper elsewhere'.")
    to: Slug = Field(description="The touchpoint or outcome the customer goes to.")
    probability: Probability | None = Field(
        default=None,
        description="Share of customers taking this branch, 0 to 1; or one share per persona.",
    )

    @property
    def shared_probability(self) -> float | None:
        """The probability when it is one number for everyone (what the renderers print)."""
        return None if isinstance(self.probability, dict) else self.probability


class NextStep(Element):
    """A `next` item with a probability: `{to: checkout, probability: 0.4}`."""

    to: Slug = Field(description="The touchpoint, stage or outcome the customer goes to.")
    probability: Probability | None = Field(
        default=None, description="Share of customers going there, 0 to 1; or one share per persona."
    )


def _next_form(value: Any) -> str:
    return "step" if isinstance(value, (dict, NextStep)) else "id"


NextItem = Annotated[
    Annotated[Slug, Tag("id")] | Annotated[NextStep, Tag("step")],
    Discriminator(_next_form),
]
NextList = Annotated[
    list[NextItem], BeforeValidator(_listify_next, json_schema_input_type=Slug | NextStep | list[NextItem])
]


class Decision(Element):
    question: Text = Field(description="The question the customer answers here, e.g. 'Buy here or elsewhere?'.")
    branches: list[Branch] = Field(min_length=1, description="The if/then branches.")


Emotion = Annotated[
    Number | dict[Slug, Number],
    Field(description="How the step feels, on the map's emotion scale: one number, or one per persona."),
]

ItemList = list[Annotated[str, StringConstraints(min_length=1)]]


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


TextList = Annotated[ItemList, BeforeValidator(_listify, json_schema_input_type=str | ItemList)]
SlugList = Annotated[list[Slug], BeforeValidator(_listify, json_schema_input_type=Slug | list[Slug])]
PathList = Annotated[list[str], BeforeValidator(_listify, json_schema_input_type=str | list[str])]


class Touchpoint(Element):
    """A moment the customer meets the brand, with the six dimensions of its analysis."""

    id: Slug
    name: str | None = Field(default=None, description="Short label; defaults to the action.")
    channel: Slug | None = Field(default=None, description="Channel id: built-in or declared under 'channels'.")
    personas: list[Slug] | None = Field(default=None, description="Personas involved; default: all of them.")
    action: str | None = Field(default=None, description="What the customer does (customer side).")
    backstage: str | None = Field(default=None, description="What the company does (company side).")
    need: str | None = Field(default=None, description="The need behind this step.")
    thoughts: str | None = Field(default=None, description="What the customer thinks here.")
    emotion: Emotion | None = None
    pain_points: list[
        Annotated[PainPoint, BeforeValidator(_text_to("text"), json_schema_input_type=str | PainPoint)]
    ] = Field(default_factory=list)
    opportunities: list[
        Annotated[Opportunity, BeforeValidator(_text_to("text"), json_schema_input_type=str | Opportunity)]
    ] = Field(default_factory=list)
    kpis: list[Annotated[Kpi, BeforeValidator(_text_to("name"), json_schema_input_type=str | Kpi)]] = Field(
        default_factory=list
    )
    data: list[Slug] = Field(default_factory=list, description="Customer data this step needs, e.g. [email, phone].")
    collects: list[Slug] = Field(
        default_factory=list, description="Customer data this step gathers (progressive profiling)."
    )
    content: list[Annotated[Content, BeforeValidator(_text_to("text"), json_schema_input_type=str | Content)]] = Field(
        default_factory=list
    )
    next: NextList | None = Field(
        default=None,
        description="Where customers go next (touchpoint, stage or outcome ids, or {to, probability}). "
        "Default in a sequential map: the following touchpoint that involves the persona.",
    )
    decision: Decision | None = None
    entry: Annotated[
        bool | float | dict[Slug, float],
        BeforeValidator(
            _share_shape("entry", allow_true=True), json_schema_input_type=bool | Share | dict[Slug, Share]
        ),
    ] = Field(
        default=False,
        description="Customers can start the journey here: true, a share of the entrants (0 to 1), "
        "or a share per persona (e.g. {svetlana: 1}).",
    )
    match: EventMatchList | None = Field(
        default=None, description="Which events of an event log are this touchpoint (cjmap measure)."
    )

    @property
    def next_targets(self) -> list[str]:
        """The ids `next` names, without their probabilities."""
        return [item if isinstance(item, str) else item.to for item in self.next or []]

    @field_validator("emotion", mode="before")
    @classmethod
    def _emotion_shape(cls, value: Any) -> Any:
        if type(value) is int and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:
            return float(value)  # as the number field makes it, without first trying the per-persona form
        if value is None or _is_number(value):
            return value
        if isinstance(value, dict) and all(_is_number(v) for v in value.values()):
            return value
        raise ValueError(
            "emotion must be a number on the map's emotion scale (e.g. 1), "
            "or one number per persona (e.g. {anna: 1, piotr: -1})"
        )

    @property
    def label(self) -> str:
        return self.name or self.action or self.id

    def emotions(self) -> list[tuple[str | None, float]]:
        """(persona, value) pairs; persona is None for a single emotion shared by everyone."""
        if isinstance(self.emotion, dict):
            return list(self.emotion.items())
        return [] if self.emotion is None else [(None, self.emotion)]

    def emotion_for(self, persona: str) -> float | None:
        if isinstance(self.emotion, dict):
            return self.emotion.get(persona)
        return self.emotion


_EXACT_FLOAT = 2**53  # every whole number up to this is exactly a float


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Stage(Element):
    """A column of the map: a phase or milestone, in journey order."""

    id: Slug
    name: str | None = Field(default=None, description="Heading; defaults to the id.")
    goal: str | None = Field(default=None, description="The milestone's mini goal.")
    personas: list[Slug] | None = Field(
        default=None, description="Personas its touchpoints involve unless they list their own; default: all."
    )
    touchpoints: list[Touchpoint] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or self.id


class Persona(Element):
    """A fictional customer standing for a group of real ones."""

    id: Slug
    name: Text
    segment: Literal["new", "existing", "returning", "churned"] | None = None
    age: str | None = Field(default=None, description="Age group, e.g. '25-34'.")
    region: str | None = None
    interests: TextList = Field(default_factory=list)
    goals: TextList = Field(default_factory=list)
    needs: TextList = Field(default_factory=list)
    frustrations: TextList = Field(default_factory=list)
    expectations: TextList = Field(default_factory=list)
    data: list[Slug] = Field(default_factory=list, description="Customer data the brand holds, e.g. [email, phone].")
    description: str | None = None
    volume: float | None = Field(
        default=None, ge=0, description="Customers of this persona entering the journey per period (see 'period')."
    )
    match: CustomerMatch | None = None


class Outcome(Element):
    """Where a journey ends: a success, a loss, or something else."""

    id: Slug
    name: str | None = None
    kind: Literal["success", "lost", "other"] = "other"
    description: str | None = None
    value: float | None = Field(
        default=None, description="What one customer reaching it is worth, e.g. the order value."
    )
    match: EventMatchList | None = Field(
        default=None, description="Which events of an event log are this outcome (cjmap measure)."
    )

    @property
    def label(self) -> str:
        return self.name or self.id


class Channel(Element):
    """A channel touchpoints use; maps extend the built-in catalogue with their own."""

    id: Slug
    name: str | None = None
    digital: bool = True
    requires: list[Slug] = Field(default_factory=list, description="Customer data the channel needs, e.g. [phone].")


class SwotItem(Element):
    text: Text
    priority: int | None = Field(default=None, ge=1, description="1 is the most important.")


SwotList = list[Annotated[SwotItem, BeforeValidator(_text_to("text"), json_schema_input_type=str | SwotItem)]]


class Swot(Element):
    strengths: SwotList = Field(default_factory=list)
    weaknesses: SwotList = Field(default_factory=list)
    opportunities: SwotList = Field(default_factory=list)
    threats: SwotList = Field(default_factory=list)


class Experiment(Element):
    """An A/B test or simulation planned on the map before committing to a change."""

    id: Slug
    hypothesis: Text
    touchpoints: list[Slug] = Field(default_factory=list)
    metric: str | None = None
    status: Literal["planned", "running", "done"] = "planned"
    result: str | None = None
    variants: list[Variant] = Field(
        default_factory=list, description="Versions of the map to forecast against the map as written (the control)."
    )


class Change(Element):
    """One probability a variant sets: at touchpoint `at`, the way to `to` gets `probability`."""

    at: Slug = Field(description="The touchpoint whose way forward changes.")
    to: Slug = Field(description="Where that way leads: one of the touchpoint's 'next' or branch targets.")
    probability: Probability = Field(
        description="The new share; the touchpoint's other ways keep their proportions of the rest."
    )


class Variant(Element):
    id: Slug
    name: str | None = None
    changes: list[Change] = Field(min_length=1, description="The probabilities this variant sets.")


class Goal(Element):
    """A goal the forecast can check: reach `outcome` with at least the share `target`."""

    text: Text = Field(description="The goal in words.")
    outcome: Slug | None = Field(default=None, description="The outcome the goal counts.")
    target: Share | None = Field(default=None, description="The share of entrants who should reach it, 0 to 1.")


_CADENCE = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$")
CADENCE_PATTERN = r"^\s*\d+\s*(day|week|month|year)s?\s*$"


class Review(Element):
    last: date = Field(description="When the map was last reviewed (YYYY-MM-DD).")
    every: Annotated[str, StringConstraints(pattern=CADENCE_PATTERN)] = Field(
        default="4 months", description="Review cadence, e.g. '4 months' (3 to 5 months is typical)."
    )

    @model_validator(mode="after")
    def _due_is_a_date(self) -> Review:
        try:
            self.due()
        except (ValueError, OverflowError):
            raise ValueError(
                f"a review {self.every} after {self.last.isoformat()} would fall after the year 9999: "
                "use a real date and a cadence of days, weeks, months or years (e.g. '4 months')"
            ) from None
        return self

    def cadence(self) -> tuple[int, str]:
        """(4, "month") for '4 months'."""
        match = _CADENCE.match(self.every)
        assert match is not None  # guaranteed by the pattern
        return int(match.group(1)), match.group(2)

    def overdue(self, today: date) -> bool:
        return today > self.due()

    def due(self) -> date:
        count, unit = self.cadence()
        if unit in ("day", "week"):
            return self.last + timedelta(days=count * (7 if unit == "week" else 1))
        months = count * (12 if unit == "year" else 1)
        year, month = divmod(self.last.month - 1 + months, 12)
        year += self.last.year
        day = min(self.last.day, _days_in_month(year, month + 1))
        return date(year, month + 1, day)


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


class _Document(Element):
    cjmap: Literal[1] = Field(description="Format version; this is version 1.")
    include: PathList = Field(
        default_factory=list, description="Library files (personas, channels, outcomes) by relative path."
    )
    personas: list[Persona] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)


class Library(_Document):
    """A file of shared personas, channels and outcomes that maps include."""

    model_config = ConfigDict(title="cjmap library")

    kind: Literal["library"]
    title: str | None = None


class JourneyMap(_Document):
    """One customer journey map."""

    model_config = ConfigDict(title="cjmap journey map")

    kind: Literal["map"] = "map"
    id: Slug
    title: Text
    goal: str | Goal | None = Field(
        default=None,
        description="One concrete, measurable aim of the map: text, or {text, outcome, target} for the forecast.",
    )
    period: str | None = Field(default=None, description="What persona volumes are counted per, e.g. 'month'.")
    currency: str | None = Field(default=None, description="Unit of outcome values, e.g. 'PLN'.")
    description: str | None = None
    state: Literal["as-is", "to-be"] = Field(default="as-is", description="Current state or planned future state.")
    owner: str | None = None
    stakeholders: list[str] = Field(default_factory=list)
    locale: Literal["en", "pl", "ru"] = Field(default="en", description="Language of rendered headings.")
    review: Review | None = None
    emotion_scale: tuple[ScaleEnd, ScaleEnd] = Field(
        default=(-2, 2), description="Lowest and highest emotion, e.g. [-2, 2] (at most -1000 to 1000)."
    )
    flow: Literal["sequential", "explicit"] = Field(
        default="sequential",
        description="sequential: a touchpoint without 'next' or 'decision' leads to the following "
        "one; explicit: only 'next' and 'decision' lead anywhere.",
    )
    stages: list[Stage] = Field(min_length=1)
    swot: Swot | None = None
    experiments: list[Experiment] = Field(default_factory=list)

    @field_validator("emotion_scale")
    @classmethod
    def _scale_order(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if low >= high:
            raise ValueError(f"emotion_scale must go from low to high, e.g. [-2, 2], not [{low}, {high}]")
        return value

    def touchpoints(self) -> list[Touchpoint]:
        return [tp for stage in self.stages for tp in stage.touchpoints]

    @property
    def goal_text(self) -> str | None:
        """The goal in words, whichever form it is written in."""
        return self.goal.text if isinstance(self.goal, Goal) else self.goal
