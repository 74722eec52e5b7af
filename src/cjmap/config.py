"""Project settings: `cjmap.toml`, or `[tool.cjmap]` in `pyproject.toml`.

[tool.cjmap]
max-bytes = 5_000_000
[tool.cjmap.severity]
kpi-without-target = "off"
CJM104 = "error"
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cjmap.diagnostics import Severity

SEVERITY_OFF = "off"
_KEYS = {"severity", "max-bytes"}


class ConfigError(Exception):
    """A settings file that cannot be used; the CLI turns it into a usage error (exit 2)."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    severity: dict[str, Severity | None] = field(default_factory=dict)  # by rule id; None = off
    max_bytes: int | None = None


def find(start: Path) -> Path | None:
    """The nearest cjmap.toml, or pyproject.toml with a [tool.cjmap] table, at or above start."""
    for folder in (start, *start.parents):
        candidate = folder / "cjmap.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.cjmap" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
    return None


def load(path: Path) -> Config:
    # Imported here: most runs find no settings file, and the TOML parser's import is not free.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    from cjmap.rules import lookup

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read settings: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    table: Any = document.get("tool", {}).get("cjmap", {}) if path.name == "pyproject.toml" else document
    if path.name != "pyproject.toml" and isinstance(document.get("tool"), dict) and "cjmap" in document["tool"]:
        raise ConfigError(
            f"{path}: [tool.cjmap] is the table for pyproject.toml; in {path.name} the settings stand at the "
            "top level: remove the [tool.cjmap] line and write [severity] for [tool.cjmap.severity]"
        )
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.cjmap] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
    severities: dict[str, Severity | None] = {}
    raw_severity = table.get("severity", {})
    if not isinstance(raw_severity, dict):
        raise ConfigError(f'{path}: \'severity\' must be a table of rule = "error" | "warning" | "off"')
    for reference, level in raw_severity.items():
        rule = lookup(str(reference))
        if rule is None:
            raise ConfigError(f"{path}: severity: no rule '{reference}'; see 'cjmap rules'")
        if not rule.configurable:
            raise ConfigError(f"{path}: severity: rule {rule.id} ({rule.name}) is always an error")
        if level == SEVERITY_OFF:
            severities[rule.id] = None
        elif level in ("error", "warning"):
            severities[rule.id] = Severity(level)
        else:
            raise ConfigError(f'{path}: severity of {reference} must be "error", "warning" or "off", not {level!r}')
    max_bytes = table.get("max-bytes")
    if max_bytes is not None and (not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes <= 0):
        raise ConfigError(f"{path}: max-bytes must be a positive whole number")
    return Config(path, severities, max_bytes)
