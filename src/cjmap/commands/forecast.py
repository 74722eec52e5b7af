"""`cjmap forecast`: checked maps in, the forecast out. A map with errors gets its findings and
no forecast (exit 1); a trap or a loop too large to solve is refused with its message (exit 1)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from cjmap.diagnostics import Severity, sort_diagnostics
from cjmap.formatters import Report
from cjmap.formatters.text import render_text
from cjmap.journey import Journey
from cjmap.validate import Result

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXACT_UP_TO = 500  # touchpoints: exact fractions up to here, floating point beyond (speed)


@dataclass(frozen=True)
class ForecastRequest:
    fmt: str = "text"
    persona: str | None = None
    experiment: str | None = None


def run_forecast(results: list[Result], request: ForecastRequest) -> int:
    from cjmap.analysis.forecast import ForecastError, forecast_json
    from cjmap.analysis.forecast_report import render_forecast

    status = _report_diagnostics(results)
    outputs: list[str] = []
    documents: list[dict[str, Any]] = []
    for result in results:
        if result.journey_map is None or _has_errors(result):
            continue
        journey = Journey.build(result.journey_map)
        try:
            computed = _forecast(journey, request)
        except ForecastError as error:
            _say(f"cjmap: error: {result.name}: {error}")
            status = EXIT_FAILED
            continue
        if computed is None:
            status = EXIT_FAILED
            continue
        if request.fmt == "json":
            documents.append(forecast_json(computed))
        else:
            text = render_forecast(computed, journey, request.fmt)
            if request.fmt == "csv" and outputs:
                text = text.split("\n", 1)[1]  # one header for all maps
            outputs.append(text)
    if request.fmt == "json" and documents:
        data: Any = documents[0] if len(documents) == 1 else documents
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(("" if request.fmt == "csv" else "\n").join(outputs))
    return status


def run_compare(old: Result, new: Result, fmt: str) -> int:
    from cjmap.analysis.forecast import ForecastError, compare
    from cjmap.analysis.forecast_report import render_comparison

    status = _report_diagnostics([old, new])
    if status or old.journey_map is None or new.journey_map is None:
        return EXIT_FAILED
    forecasts = []
    for result in (old, new):
        assert result.journey_map is not None
        try:
            computed = _forecast(Journey.build(result.journey_map), ForecastRequest())
        except ForecastError as error:
            _say(f"cjmap: error: {result.name}: {error}")
            return EXIT_FAILED
        assert computed is not None
        forecasts.append(computed)
    sys.stdout.write(render_comparison(compare(forecasts[0], forecasts[1]), fmt))
    return EXIT_OK


def _forecast(journey: Journey, request: ForecastRequest) -> Any:
    from cjmap.analysis.forecast import EXACT, FLOAT, forecast, forecast_with_variants

    journey_map = journey.map
    numbers: Any = EXACT if len(journey.touchpoints) <= EXACT_UP_TO else FLOAT
    personas = None
    if request.persona is not None:
        if request.persona not in journey.personas:
            known = ", ".join(journey.personas) or "none"
            _say(f"cjmap: error: map '{journey_map.id}' has no persona '{request.persona}' (its personas: {known})")
            return None
        personas = [request.persona]
    if request.experiment is None:
        return forecast(journey, numbers, personas=personas)
    experiment = next((e for e in journey_map.experiments if e.id == request.experiment), None)
    if experiment is None:
        known = ", ".join(e.id for e in journey_map.experiments) or "none"
        _say(
            f"cjmap: error: map '{journey_map.id}' has no experiment '{request.experiment}' (its experiments: {known})"
        )
        return None
    if not experiment.variants:
        _say(
            f"cjmap: error: experiment '{experiment.id}' has no variants to forecast: add "
            "'variants: [{id: ..., changes: [{at: TOUCHPOINT, to: TARGET, probability: P}]}]'"
        )
        return None
    return forecast_with_variants(journey, numbers, experiment, personas)


def _report_diagnostics(results: list[Result]) -> int:
    """Findings go to stderr, so stdout carries only the forecast (JSON stays parseable)."""
    diagnostics = sort_diagnostics([d for r in results for d in r.diagnostics])
    if diagnostics:
        report = Report(diagnostics, len(results), lambda file, line: None, color=False, excerpts=False)
        sys.stderr.write(render_text(report))
    return EXIT_FAILED if any(d.severity is Severity.ERROR for d in diagnostics) else EXIT_OK


def _has_errors(result: Result) -> bool:
    return any(d.severity is Severity.ERROR for d in result.diagnostics)


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
