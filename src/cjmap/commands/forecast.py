"""`cjmap forecast`: checked maps in, the forecast out. A map with errors gets its findings and
no forecast (exit 1); a trap or a loop too large to solve is refused with its message (exit 1)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cjmap.api import Checked, Session, UsageError
from cjmap.commands.common import EXIT_FINDINGS, EXIT_OK, error, report_findings, say
from cjmap.journey import Journey

if TYPE_CHECKING:
    from cjmap.analysis.measure.written import Measured

EXACT_UP_TO = 500  # touchpoints: exact fractions up to here, floating point beyond (speed)


@dataclass(frozen=True)
class ForecastRequest:
    fmt: str = "text"
    persona: str | None = None
    experiment: str | None = None
    measured: str | None = None  # a measurement file: forecast its map with the observed shares


def run(session: Session, paths: Sequence[str], request: ForecastRequest, compare: bool) -> int:
    observed: Measured | None = None
    if request.measured is not None:
        if compare:
            raise UsageError("--measured and --compare do not go together: forecast one map with its measurement")
        from cjmap.commands import measured as measurement

        session, observed = measurement.load(session, request.measured)
    checked = session.check(paths)
    if compare:
        if len(checked) != 2 or request.experiment or request.persona:
            raise UsageError("--compare takes exactly two maps, OLD NEW (and no --persona or --experiment)")
        return run_compare(checked, request.fmt)
    if observed is not None:
        measurement.require_its_map(checked, observed)
    return run_forecast(checked, request, observed)


def run_forecast(checked: Checked, request: ForecastRequest, observed: Measured | None = None) -> int:
    from cjmap.analysis.forecast import ForecastError, forecast_json
    from cjmap.analysis.forecast_report import render_forecast

    status = report_findings(checked)
    outputs: list[str] = []
    documents: list[dict[str, Any]] = []
    for result in checked.renderable():
        journey = result.journey
        assert journey is not None  # renderable() keeps maps with a journey
        measured = observed if observed is not None and observed.map_id == journey.map.id else None
        if measured is not None:
            from cjmap.analysis.measure.written import observed_journey

            journey = observed_journey(journey, measured)
        try:
            computed = _forecast(journey, request)
        except ForecastError as problem:
            error(f"{result.name}: {problem}")
            status = EXIT_FINDINGS
            continue
        if computed is None:
            status = EXIT_FINDINGS
            continue
        note = None if measured is None else f"forecast with observed shares from {measured.describe()}"
        if request.fmt == "json":
            document = forecast_json(computed)
            if measured is not None:
                document["measured"] = {"file": measured.file, "from": measured.window[0], "to": measured.window[1]}
            documents.append(document)
        else:
            text = render_forecast(computed, journey, request.fmt)
            if request.fmt == "csv" and outputs:
                text = text.split("\n", 1)[1]  # one header for all maps
            if note and request.fmt == "csv":
                say(f"cjmap: {result.name}: {note}")  # standard output stays one CSV table
            elif note:
                text = f"{'_' if request.fmt == 'md' else ''}{note}{'_' if request.fmt == 'md' else ''}\n\n{text}"
            outputs.append(text)
    if request.fmt == "json" and documents:
        data: Any = documents[0] if len(documents) == 1 else documents
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(("" if request.fmt == "csv" else "\n").join(outputs))
    return status


def run_compare(checked: Checked, fmt: str) -> int:
    from cjmap.analysis.forecast import ForecastError, compare
    from cjmap.analysis.forecast_report import render_comparison

    status = report_findings(checked)
    if status or len(checked.renderable()) != 2:
        return EXIT_FINDINGS
    forecasts = []
    for result in checked.results:
        assert result.journey is not None
        try:
            computed = _forecast(result.journey, ForecastRequest())
        except ForecastError as problem:
            error(f"{result.name}: {problem}")
            return EXIT_FINDINGS
        assert computed is not None
        forecasts.append(computed)
    sys.stdout.write(render_comparison(compare(forecasts[0], forecasts[1]), fmt))
    return EXIT_OK


def compute(journey: Journey, request: ForecastRequest) -> Any:
    """The forecast of one map as `cjmap forecast` computes it (None after a message: an unknown
    persona or experiment); raises ForecastError for a map that cannot be forecast."""
    return _forecast(journey, request)


def _forecast(journey: Journey, request: ForecastRequest) -> Any:
    from cjmap.analysis.forecast import EXACT, FLOAT, forecast, forecast_with_variants

    journey_map = journey.map
    numbers: Any = EXACT if len(journey.touchpoints) <= EXACT_UP_TO else FLOAT
    personas = None
    if request.persona is not None:
        if request.persona not in journey.personas:
            known = ", ".join(journey.personas) or "none"
            error(f"map '{journey_map.id}' has no persona '{request.persona}' (its personas: {known})")
            return None
        personas = [request.persona]
    if request.experiment is None:
        return forecast(journey, numbers, personas=personas)
    experiment = next((e for e in journey_map.experiments if e.id == request.experiment), None)
    if experiment is None:
        known = ", ".join(e.id for e in journey_map.experiments) or "none"
        error(f"map '{journey_map.id}' has no experiment '{request.experiment}' (its experiments: {known})")
        return None
    if not experiment.variants:
        error(
            f"experiment '{experiment.id}' has no variants to forecast: add "
            "'variants: [{id: ..., changes: [{at: TOUCHPOINT, to: TARGET, probability: P}]}]'"
        )
        return None
    return forecast_with_variants(journey, numbers, experiment, personas)
