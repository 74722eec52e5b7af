"""The build's one extra step: the wheel gets the HTML templates compiled into Python modules
(cjmap/render/precompiled/), so that `cjmap render -f html` does not compile them on every run.
How they are made, named and checked for staleness is in cjmap/render/jinja.py; an editable
install gets none (nothing generated goes into the source tree) and compiles them on first use.
This file is the build's (pyproject.toml, [tool.setuptools.cmdclass]); it is not installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools.command.build_py import build_py


def precompile_into(build_lib: Path) -> list[Path]:
    """Compile the templates of the cjmap package copied into build_lib, beside it; the files."""
    sys.path.insert(0, str(build_lib))  # the package just copied there, with its templates
    try:
        from cjmap.render.jinja import precompile

        target = build_lib / "cjmap" / "render" / "precompiled"
        for stale in target.glob("*.py"):
            stale.unlink()  # a build folder left from an earlier build
        return precompile(target)
    finally:
        sys.path.remove(str(build_lib))


class BuildPy(build_py):  # type: ignore[misc]  # setuptools ships no types here
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            for path in precompile_into(Path(self.build_lib)):
                print(f"precompiled {path.name}")
