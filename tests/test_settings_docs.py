"""The settings examples in docs/format.md work where they say they go."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cjmap import config
from cjmap.diagnostics import Severity
from tests.conftest import ROOT


def documented_tables() -> dict[str, str]:
    docs = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n# (\S+)\n(.*?)```", docs, flags=re.S)
    return dict(blocks)


@pytest.mark.parametrize("name", ["cjmap.toml", "pyproject.toml"])
def test_each_documented_settings_file_loads_as_shown(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(documented_tables()[name], encoding="utf-8")
    loaded = config.load(path)
    assert loaded.max_bytes == 5_000_000
    assert loaded.severity == {"CJM104": Severity.ERROR, "CJM111": None}


def test_the_pyproject_table_in_cjmap_toml_says_what_to_change(tmp_path: Path) -> None:
    path = tmp_path / "cjmap.toml"
    path.write_text(documented_tables()["pyproject.toml"], encoding="utf-8")
    with pytest.raises(config.ConfigError, match=r"remove the \[tool.cjmap\] line and write \[severity\]"):
        config.load(path)
