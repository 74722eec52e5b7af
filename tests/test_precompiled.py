"""The HTML grid's template is compiled ahead of time; the compiled module must be current, and a
stale one must never be used."""

from __future__ import annotations

from datetime import date

import pytest

from cjmap.render import grid_compiled, html
from cjmap.render.precompile import TARGET, compiled_module
from tests.conftest import ROOT


def test_the_compiled_template_is_current() -> None:
    if html._jinja_version() != grid_compiled.JINJA2_VERSION:
        pytest.skip("another Jinja2 than the one the module was compiled with: it is compiled at run time")
    assert TARGET.read_text(encoding="utf-8") == compiled_module(), "run: python -m cjmap.render.precompile"


def test_a_stale_compiled_template_is_not_used_and_the_page_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    import cjmap

    journey = cjmap.load(ROOT / "examples" / "pierwszy-zakup.yaml").journey
    assert journey is not None
    options = html.HtmlOptions(today=date(2026, 12, 1))
    html._grid.cache_clear()
    precompiled = html.render_html(journey, options)
    assert html._grid()[0].root_render_func is grid_compiled.root  # the precompiled code, built once
    monkeypatch.setattr(grid_compiled, "SOURCE_SHA256", "stale")
    html._grid.cache_clear()
    try:
        template = html._grid()[0]
        assert template.root_render_func is not grid_compiled.root
        assert html.render_html(journey, options) == precompiled
    finally:
        monkeypatch.undo()
        html._grid.cache_clear()
