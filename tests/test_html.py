"""The HTML journey grid: golden files, safety, and checks in a real browser, vnu and axe-core.

Browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright and save screenshots
to build/screenshots/. vnu and axe-core come from tests/js (npm ci). In CI all of them must run;
on a machine without them they are skipped with the reason.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT, assert_golden, rendered, run_cli

Write = Callable[[str, str], Path]
MAPS = sorted(EXAMPLES.glob("*.yaml"))
JS = ROOT / "tests" / "js"
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "build" / "screenshots"
VNU = JS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"


def require(available: bool, what: str) -> None:
    if not available:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is not installed; .ci/run installs it")
        pytest.skip(f"{what} is not installed")


@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.stem)
def test_html_matches_the_golden_file(path: Path) -> None:
    assert_golden(f"{path.stem}.html", rendered("html", path))


def _sha(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def test_page_is_self_contained_and_its_policy_allows_only_its_own_code() -> None:
    page = rendered("html", EXAMPLES / "pierwszy-zakup.yaml")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "@import" not in page and "url(" not in page
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert found is not None
    policy = html.unescape(found.group(1))
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    assert policy.startswith("default-src 'none'; ")
    assert f"style-src 'sha256-{_sha(style)}'" in policy
    assert f"script-src 'sha256-{_sha(script)}'" in policy
    assert "unsafe-inline" not in policy


HOSTILE = r"""cjmap: 1
id: hostile-html
title: "</title><script>alert('title')</script>"
goal: '"><img src=x onerror=alert(1)>'
owner: "</style><style>body{display:none}</style>"
personas:
  - {id: p, name: "<svg onload=alert(1)>", data: [email]}
stages:
  - id: s
    name: "<iframe src=javascript:alert(1)>"
    touchpoints:
      - id: t1
        name: "<a href='javascript:alert(1)'>click</a>"
        action: "</td></tr></table><script>alert(2)</script>"
        thoughts: "{{ 7*7 }} {% raw %} ${7*7}"
        channel: email
        emotion: -1
        pain_points: ["<b onmouseover=alert(3)>pain</b>"]
        opportunities: ["javascript:alert(4)"]
        next: [out]
outcomes:
  - {id: out, name: "</main><script>alert(5)</script>", kind: lost}
"""


def test_hostile_texts_are_escaped(write: Write) -> None:
    page = rendered("html", write("hostile.yaml", HOSTILE))
    assert page.count("<script>") == 1  # cjmap's own
    assert page.count("</style>") == 1
    for raw in ("<img", "<svg onload", "<iframe", "<a href=", "<b onmouseover", "</td></tr></table><script>"):
        assert raw not in page
    assert "&lt;/title&gt;&lt;script&gt;" in page
    assert "{{ 7*7 }} {% raw %} ${7*7}" in page  # template syntax in a map stays text


def test_lanes_without_content_are_left_out(write: Write) -> None:
    page = rendered(
        "html",
        write(
            "plain.yaml",
            "cjmap: 1\nid: plain\ntitle: P\nstages:\n  - id: s\n    touchpoints:\n      - {id: t, action: Buys}\n",
        ),
    )
    assert ">Customer action</th>" in page
    for lane in ("Company side", "Pain points", "Emotion curve", "KPIs"):
        assert f">{lane}</th>" not in page


def test_headings_follow_the_locale() -> None:
    assert ">Krzywa emocji</th>" in rendered("html", EXAMPLES / "pierwszy-zakup.yaml")
    assert ">Кривая эмоций</th>" in rendered("html", EXAMPLES / "lojalnost-bank.yaml")
    assert '<html lang="ru">' in rendered("html", EXAMPLES / "lojalnost-bank.yaml")


# -- in a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), "Debian's chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield launched
        launched.close()


def open_page(browser: Any, html_file: Path, **context: Any) -> tuple[Any, list[str]]:
    page = browser.new_context(viewport={"width": 1440, "height": 900}, **context).new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda request: problems.append(f"request: {request.url}") if not request.url.startswith("file:") else None,
    )
    page.goto(html_file.as_uri())
    return page, problems


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html")
    result = run_cli("render", "-f", "html", "-o", str(folder), "--today", "2026-11-23", *map(str, MAPS))
    assert result.exit_code == 0, result.stderr
    return {path.stem: folder / f"{path.stem}.html" for path in MAPS}


@pytest.mark.parametrize("name", [p.stem for p in MAPS])
def test_page_in_chromium(browser: Any, pages: dict[str, Path], name: str) -> None:
    import yaml

    page, problems = open_page(browser, pages[name])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert problems == []
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    for stage in data["stages"]:
        for touchpoint in stage.get("touchpoints", []):
            header = page.locator(f"#tp-{touchpoint['id']}")
            header.scroll_into_view_if_needed()
            assert header.is_visible(), touchpoint["id"]
    # The page chrome does not overflow at 1440 px: only the grid scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    page.context.close()


def test_persona_filter_hides_and_shows_the_right_touchpoints(browser: Any, pages: dict[str, Path]) -> None:
    page, problems = open_page(browser, pages["lojalnost-bank"])

    def visible() -> list[str]:
        return [str(h.get_attribute("id")) for h in page.locator("th.touchpoint").all() if h.is_visible()]

    everyone = visible()
    assert len(everyone) == 7
    page.get_by_role("button", name="Светлана").click()
    assert page.get_by_role("button", name="Светлана").get_attribute("aria-pressed") == "true"
    svetlana = visible()
    assert "tp-push-programma" not in svetlana and "tp-zvonok-vozvrat" in svetlana
    assert len(svetlana) == 6
    assert page.locator('[data-curve="svetlana"]').is_visible()
    chips = [chip.inner_text() for chip in page.locator("span.mood").all() if chip.is_visible()]
    assert "Светлана: ▼▼ −2" in chips
    assert not [chip for chip in chips if "Ирина" in chip or "Дмитрий" in chip]
    assert not page.locator('[data-curve=""]').is_visible()
    page.screenshot(path=str(SHOTS / "lojalnost-bank.svetlana.png"), full_page=True)
    page.get_by_role("button", name="все").click()
    assert visible() == everyone
    assert problems == []
    page.context.close()


def test_hostile_page_runs_nothing_in_chromium(browser: Any, write: Write, tmp_path: Path) -> None:
    target = tmp_path / "hostile.html"
    run_cli("render", "-f", "html", "-o", str(target), str(write("hostile.yaml", HOSTILE)))
    page, problems = open_page(browser, target)
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("#tp-t1").hover()
    page.wait_for_timeout(200)
    assert dialogs == [] and problems == []
    assert page.locator("h1").inner_text() == "</title><script>alert('title')</script>"
    page.context.close()


def test_axe_finds_no_serious_or_critical_violations(browser: Any, pages: dict[str, Path]) -> None:
    require(AXE.exists(), "axe-core (npm ci in tests/js)")
    for name, html_file in pages.items():
        # axe is injected by the test, so the page's own strict policy is bypassed for it.
        page, _ = open_page(browser, html_file, bypass_csp=True)
        page.add_script_tag(path=str(AXE))
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], name
        page.context.close()


def test_nu_html_checker_reports_no_errors(pages: dict[str, Path]) -> None:
    require(VNU.exists() and shutil.which("java") is not None, "the W3C Nu HTML checker (vnu-jar) and Java")
    process = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", *map(str, pages.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stderr
