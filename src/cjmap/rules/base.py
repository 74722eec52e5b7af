"""What a rule is: an id, a name, a default severity, a one-line summary, and (for journey
checks) one small function whose docstring is the rule's user documentation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from cjmap.diagnostics import Finding, Severity
from cjmap.journey import Journey

if TYPE_CHECKING:
    from cjmap.analysis.measure.written import Measured


@dataclass(frozen=True, slots=True)
class Context:
    today: date
    measured: Measured | None = None  # `validate --measured FILE`: what customers did, for this map


Check = Callable[[Journey, Context], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    check: Check | None  # None: reported by the loader or the model, not by a journey check
    configurable: bool = True

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip() if self.check else self.summary


def rule(rule_id: str, name: str, severity: Severity, summary: str) -> Callable[[Check], Rule]:
    """Make a journey check into a Rule; `cjmap.rules.JOURNEY_RULES` lists every one of them."""

    def make(check: Check) -> Rule:
        return Rule(rule_id, name, severity, summary, check)

    return make
