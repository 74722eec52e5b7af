"""The HTML templates precompiled when the wheel is built (render/jinja.py, src/cjmap_build.py):
the same pages as when compiled from source, a stale module is never used, and a wheel built from
this tree ships current ones and uses them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest

from cjmap.render import jinja
from cjmap.render.jinja import TEMPLATES, precompile
from tests.conftest import EXAMPLES, GOLDEN, ROOT, rendered

MAP = EXAMPLES / "saas-onboarding-as-is.yaml"  # personas, decisions, experiments: every macro of grid.j2


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the renderers at a folder of precompiled templates; the environment is rebuilt."""

    def point(folder: Path) -> None:
        monkeypatch.setattr(jinja, "PRECOMPILED", folder)
        jinja.environment.cache_clear()

    yield point
    jinja.environment.cache_clear()


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja2 compiles from source from now on."""
    names: list[str] = []
    compile_source = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        names.append(str(name))
        return compile_source(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return names


def test_precompiled_templates_make_the_same_page_without_compiling(
    tmp_path: Path, use: Any, compiles: list[str]
) -> None:
    written = precompile(tmp_path)
    assert len(written) == len(TEMPLATES)
    compiles.clear()
    use(tmp_path)
    assert rendered("html", MAP) == (GOLDEN / f"{MAP.stem}.html").read_text(encoding="utf-8")
    assert compiles == []


def test_a_template_changed_since_it_was_precompiled_is_compiled_from_its_source(
    tmp_path: Path, use: Any, compiles: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    precompile(tmp_path)
    compiles.clear()
    original = jinja.source
    monkeypatch.setattr(
        jinja, "source", lambda name: original(name).replace('<table class="grid">', '<table class="grid edited">')
    )
    use(tmp_path)
    page = rendered("html", MAP)
    assert '<table class="grid edited">' in page  # the edit shows: the stale grid.j2 module was not used
    assert compiles == ["grid.j2"]  # and only the changed template was compiled


def test_templates_precompiled_by_another_jinja2_are_not_used(
    tmp_path: Path, use: Any, compiles: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(jinja2, "__version__", "3.0.0")
        precompile(tmp_path)
    compiles.clear()
    use(tmp_path)
    assert rendered("html", MAP) == (GOLDEN / f"{MAP.stem}.html").read_text(encoding="utf-8")
    assert sorted(compiles) == ["grid.j2", "journey.html.j2"]


def test_without_precompiled_templates_the_page_is_compiled_once_per_process(
    tmp_path: Path, use: Any, compiles: list[str]
) -> None:
    use(tmp_path / "none")  # an editable install: no folder at all
    first, second = rendered("html", MAP), rendered("html", MAP)
    assert first == second == (GOLDEN / f"{MAP.stem}.html").read_text(encoding="utf-8")
    assert sorted(compiles) == ["grid.j2", "journey.html.j2"]


def test_the_build_step_replaces_modules_left_by_an_earlier_build(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from cjmap_build import precompile_into
    finally:
        sys.path.remove(str(ROOT / "src"))
    shutil.copytree(ROOT / "src" / "cjmap", tmp_path / "cjmap", ignore=shutil.ignore_patterns("__pycache__"))
    left = tmp_path / "cjmap" / "render" / "precompiled"
    left.mkdir()
    (left / "grid_j2_0123456789abcdef01234567.py").write_text("raise ImportError\n", encoding="utf-8")
    written = precompile_into(tmp_path)
    assert sorted(p.name for p in left.glob("*.py")) == sorted(p.name for p in written)
    assert not (ROOT / "src" / "cjmap" / "render" / "precompiled").exists()  # nothing in the source tree


PROBE = """
import sys, jinja2
compiled = []
compile_source = jinja2.Environment.compile
jinja2.Environment.compile = lambda self, source, name=None, *a, **k: compiled.append(name) or compile_source(
    self, source, name, *a, **k)
from cjmap.cli import main
sys.argv = ["cjmap", "render", "-f", "html", "-o", "-", "--today", "2026-11-23", sys.argv[1]]
try:
    main()
except SystemExit:
    pass
sys.stderr.write(f"compiled: {compiled}\\n")
"""


def test_a_wheel_built_from_this_tree_ships_its_templates_precompiled_and_uses_them(tmp_path: Path) -> None:
    """As users get cjmap: pip builds the wheel (in an isolated environment, running the build
    step) and installs it, compiling the bytecode; the page then compiles no template."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0 and "Could not find a version" in build.stderr:
        pytest.skip("no package index to build the wheel with")  # setuptools and jinja2 for the build
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("cjmap-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # cjmap's dependencies from this environment (its editable cjmap is not on the path: only
    # the venv's own .pth files are read, and this one names a folder, not an install).
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    shipped = sorted(Path(purelib, "cjmap", "render", "precompiled").glob("*.py"))
    assert len(shipped) == len(TEMPLATES)
    assert all(Path(p.parent, "__pycache__").is_dir() for p in shipped)
    done = subprocess.run(
        [str(python), "-c", PROBE, str(MAP)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (GOLDEN / f"{MAP.stem}.html").read_text(encoding="utf-8")
    assert "compiled: []" in done.stderr
