"""Rules about ids: every reference resolves, every id is unique."""

from __future__ import annotations

from collections.abc import Iterator

from cjmap import rule_ids
from cjmap.diagnostics import Finding, Path, Severity, Suggester, did_you_mean
from cjmap.journey import Journey
from cjmap.rules.base import Context, rule


@rule(
    rule_ids.UNKNOWN_REFERENCE,
    "unknown-reference",
    Severity.ERROR,
    "A reference names no persona, channel, stage, touchpoint, outcome or rule.",
)
def unknown_reference(journey: Journey, context: Context) -> Iterator[Finding]:
    """Every id a map refers to must exist: the personas and channel of a touchpoint, the
    targets of `next` and of decision branches (a touchpoint, a stage or an outcome), the
    persona keys of a per-persona emotion, an experiment's touchpoints, and the rules named in
    `ignore`; for the forecast, the personas of a stage, the persona keys of per-persona
    probabilities and entries, the touchpoints and ways a variant changes, and the goal's
    outcome. The message suggests the closest existing id."""
    from cjmap.rules import REGISTRY  # the catalogue lists this rule too

    personas = set(journey.personas)
    targets = journey.targets()
    rule_names = set(REGISTRY) | {known.name for known in REGISTRY.values()}
    hints = _Hints(journey, personas, targets)
    for placed in journey.ordered():
        tp, path = placed.touchpoint, placed.path
        if tp.channel is not None and tp.channel not in journey.channels:
            yield _unknown(
                "channel",
                tp.channel,
                hints.channels,
                (*path, "channel"),
                "declare it under 'channels' or use a built-in one",
            )
        for i, persona in enumerate(tp.personas or []):
            if persona not in personas:
                yield _unknown(
                    "persona", persona, hints.personas, (*path, "personas", i), "declare it under 'personas'"
                )
        if isinstance(tp.emotion, dict):
            for persona in tp.emotion:
                if persona not in personas:
                    yield _unknown(
                        "persona", persona, hints.personas, (*path, "emotion", persona), "declare it under 'personas'"
                    )
        for edge in journey.edges[tp.id]:
            if not edge.implicit and edge.target not in targets:
                yield _unknown(
                    "target",
                    edge.target,
                    hints.targets,
                    edge.path,
                    "name a touchpoint, a stage or an outcome (declare outcomes under 'outcomes')",
                )
    for e_index, experiment in enumerate(journey.map.experiments):
        for i, touchpoint in enumerate(experiment.touchpoints):
            if touchpoint not in journey.touchpoints:
                yield _unknown(
                    "touchpoint",
                    touchpoint,
                    hints.touchpoints,
                    ("experiments", e_index, "touchpoints", i),
                    "name a touchpoint of this map",
                )
    yield from _unknown_ignores(journey, rule_names)
    from cjmap.rules.flow import forecast_references

    yield from forecast_references(journey, _unknown_among)


def _unknown_ignores(journey: Journey, rule_names: set[str]) -> Iterator[Finding]:
    def visit(node: object, path: Path) -> Iterator[Finding]:
        for i, reference in enumerate(getattr(node, "ignore", None) or ()):
            if reference not in rule_names:
                yield Finding(
                    (*path, "ignore", i),
                    f"'ignore' names no rule '{reference}'{did_you_mean(reference, rule_names)}; "
                    "see 'cjmap rules' for the list",
                )

    yield from visit(journey.map, ())
    for persona, path in journey.personas.values():
        yield from visit(persona, path)
    for stage, path in journey.stages.values():
        yield from visit(stage, path)
    # Most touchpoints and items ignore nothing: asked first, no path is made, no generator started.
    for placed in journey.ordered():
        tp = placed.touchpoint
        if tp.ignore:
            yield from visit(tp, placed.path)
        for field, items in (("pain_points", tp.pain_points), ("opportunities", tp.opportunities), ("kpis", tp.kpis)):
            for i, item in enumerate(items):
                if item.ignore:
                    yield from visit(item, (*placed.path, field, i))


class _Hints:
    """One bounded did-you-mean per kind of id, built once per map."""

    def __init__(self, journey: Journey, personas: set[str], targets: set[str]) -> None:
        self.channels = Suggester(journey.channels)
        self.personas = Suggester(personas)
        self.targets = Suggester(targets)
        self.touchpoints = Suggester(journey.touchpoints)


def _unknown_among(kind: str, name: str, known: object, path: Path, fix: str) -> Finding:
    """For the forecast's fields, which are few: a suggester made for the one reference."""
    return _unknown(kind, name, Suggester(known), path, fix)  # type: ignore[arg-type]


def _unknown(kind: str, name: str, suggest: Suggester, path: Path, fix: str) -> Finding:
    hint = suggest(name)
    return Finding(path, f"unknown {kind} '{name}'{hint}" + ("" if hint else f": {fix}"))


@rule(
    rule_ids.DUPLICATE_ID,
    "duplicate-id",
    Severity.ERROR,
    "Two elements share an id (stages, touchpoints and outcomes share one namespace).",
)
def duplicate_id(journey: Journey, context: Context) -> Iterator[Finding]:
    """Ids must be unique so that references are unambiguous. Stages, touchpoints and outcomes
    share one namespace because `next` and branches can point at any of them; personas,
    channels and experiments each have their own."""
    m = journey.map
    touchpoints: list[tuple[str, str, Path]] = [
        ("touchpoint", tp.id, ("stages", si, "touchpoints", ti))
        for si, s in enumerate(m.stages)
        for ti, tp in enumerate(s.touchpoints)
    ]
    groups: list[list[tuple[str, str, Path]]] = [
        [("persona", p.id, ("personas", i)) for i, p in enumerate(m.personas)],
        [("channel", c.id, ("channels", i)) for i, c in enumerate(m.channels)],
        [("experiment", e.id, ("experiments", i)) for i, e in enumerate(m.experiments)],
        [("stage", s.id, ("stages", i)) for i, s in enumerate(m.stages)]
        + touchpoints
        + [("outcome", o.id, ("outcomes", i)) for i, o in enumerate(m.outcomes)],
    ]
    for group in groups:
        first: dict[str, str] = {}
        for kind, element_id, path in group:
            if element_id in first:
                yield Finding(
                    (*path, "id"),
                    f"{kind} id '{element_id}' is already used by a {first[element_id]}: "
                    "ids must be unique; rename one",
                )
            else:
                first[element_id] = kind
