"""The package's Jinja2 templates (render/templates/*.j2) in one environment that escapes every
value from the map, compiled ahead of time where that is possible.

Compiling the page's two templates cost `render -f html` about 300M CPU instructions (more than
the rest of the render). A wheel's build compiles them into Python modules (render/precompiled/,
written by src/cjmap_build.py, never into the source tree), which pip turns into bytecode like the
rest of cjmap; each module records the fingerprint of what it was compiled from: the template's
text, Jinja2's version and this environment's settings. A template whose module is missing (an
editable install, a source checkout) or whose fingerprint differs (a stale module) is compiled
from its source on first use, once per process, as before.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import BaseLoader, Environment, Template

PRECOMPILED = Path(__file__).parent / "precompiled"
TEMPLATES = ("journey.html.j2", "print.html.j2", "grid.j2")  # every template the renderers use
# What the compiled code depends on besides the template's text and Jinja2's version: raise this
# when environment() changes, so that modules compiled with the old settings are not used.
SETTINGS = "autoescape=True undefined=StrictUndefined keep_trailing_newline=True finalize=printable v1"


def source(name: str) -> str:
    """A template (or asset) of this package as text."""
    return (resources.files("cjmap.render") / "templates" / name).read_text(encoding="utf-8")


def fingerprint(template_source: str, jinja2_version: str) -> str:
    """What a compiled template was made from: its text, Jinja2's version and the settings."""
    return hashlib.sha256(f"{jinja2_version}\n{SETTINGS}\n{template_source}".encode()).hexdigest()


def module_name(name: str, fingerprint: str) -> str:
    """The module a template compiles into, named by what it was compiled from, so that a stale
    module is never even opened: journey.html.j2 -> journey_html_j2_<fingerprint>."""
    return f"{name.replace('.', '_').replace('-', '_')}_{fingerprint[:24]}"


@functools.cache
def environment() -> Environment:
    """The one environment of cjmap's templates (built once: `cjmap serve` renders on every save)."""
    return make_environment(PRECOMPILED)


def template(name: str) -> Template:
    return environment().get_template(name)


def make_environment(precompiled: Path) -> Environment:
    """An environment that loads templates from modules in `precompiled` when they are current."""
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    from cjmap.render.text import printable

    def finalize(value: Any) -> Any:
        """Every value a template prints; cjmap's own markup (the inline CSS and JS) passes as is."""
        return printable(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    return Environment(
        loader=_loader(precompiled),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        finalize=finalize,
    )


def _loader(precompiled: Path) -> BaseLoader:
    from jinja2 import BaseLoader, TemplateNotFound, __version__

    class Loader(BaseLoader):
        """This package's templates: the precompiled module when current, else the source."""

        def get_source(self, environment: Environment, name: str) -> tuple[str, str | None, None]:
            if name not in TEMPLATES:
                raise TemplateNotFound(name)
            return source(name), None, None

        def load(self, environment: Environment, name: str, globals: Any = None) -> Template:
            text = self.get_source(environment, name)[0]
            module = _current_module(precompiled, name, fingerprint(text, __version__))
            if module is None:
                return environment.template_class.from_code(environment, environment.compile(text, name), globals or {})
            return environment.template_class.from_module_dict(environment, module, globals or {})

    return Loader()


def _current_module(precompiled: Path, name: str, expected: str) -> dict[str, Any] | None:
    """The namespace of the template's precompiled module, if there is one made from this text by
    this Jinja2 with these settings."""
    module = module_name(name, expected)
    path = precompiled / f"{module}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"cjmap.render.precompiled.{module}", path)
    if spec is None or spec.loader is None:
        return None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)  # from its bytecode in __pycache__, which pip compiled
    namespace = vars(loaded)
    return namespace if namespace.get("FINGERPRINT") == expected else None


def precompile(target: Path) -> list[Path]:
    """Compile every template into a module of `target` (the build does this); the files written."""
    from jinja2 import __version__

    target.mkdir(parents=True, exist_ok=True)
    written = []
    env = make_environment(target)
    for name in TEMPLATES:
        text = source(name)
        made_from = fingerprint(text, __version__)
        code = env.compile(text, name, raw=True, defer_init=True)
        header = (
            f"# {name} compiled by Jinja2 {__version__} when cjmap was built (src/cjmap_build.py): do not edit.\n"
            f"FINGERPRINT = {made_from!r}\n"
        )
        path = target / f"{module_name(name, made_from)}.py"
        path.write_text(header + code, encoding="utf-8")
        written.append(path)
    return written
