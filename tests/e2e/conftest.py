"""The browser tests: a live HTTP server of the portal (the test
configuration, with the real PostgreSQL, Solr and Redis) driven by Debian's
headless Chromium through Playwright, with axe-core checking the
accessibility of every page a journey visits.

Screenshots of each step go to .dev/e2e-artifacts/<test name>/ (kept after
the run, as test artefacts)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.scripts import load

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / ".dev" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / ".dev" / "e2e-artifacts"
# As the machine's network is closed: no background traffic from Chromium.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The French accessibility standard (RGAA) builds on WCAG 2.1 AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
# Where the browser may send a request: the portal, served on loopback.
OWN_HOSTS = {"127.0.0.1", "localhost"}


def _untranslated_module():
    """dev/untranslated.py, the scan for English left on French pages."""
    return load("dev/untranslated.py", "untranslated")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: dev/setup.sh installs the Debian package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Journey:
    """One user's browser tab: visits pages, checks each one with axe and
    for English left on it (as rendered, scripts included), keeps a
    screenshot of every step, and records every request the browser sends
    to another host than the portal's."""

    def __init__(self, page: Any, base_url: str, folder: Path) -> None:
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.steps = 0
        self.violations: dict[str, list[dict[str, Any]]] = {}
        self.english: dict[str, list[str]] = {}
        self.elsewhere: list[str] = []
        page.on("request", self._record)

    def _record(self, request: Any) -> None:
        from urllib.parse import urlsplit

        url = urlsplit(request.url)
        if url.scheme in {"http", "https", "ws", "wss"} and (
            url.hostname not in OWN_HOSTS
        ):
            self.elsewhere.append(f"{request.method} {request.url}")

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def step(self, name: str) -> None:
        """Screenshot the page as it is, and run axe on it."""
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        # A full-page screenshot of a long form takes seconds on a loaded
        # machine: more time than the actions' default.
        self.page.screenshot(
            path=str(self.folder / f"{self.steps:02d}-{slug}.png"),
            full_page=True,
            timeout=60_000,
        )
        content = self.page.content()
        scan = _untranslated_module().untranslated
        found = scan(content)
        # The previews' frames (the DataTables view) too.
        for frame in self.page.frames[1:]:
            if frame.url.startswith(self.base_url):
                found |= scan(frame.content())
        if found:
            self.english[f"{name} ({self.page.url})"] = sorted(found)
            (self.folder / f"{self.steps:02d}-{slug}.html").write_text(content)
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        assert result["passes"], "axe-core did not check the page"
        blocking = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in BLOCKING
        ]
        if blocking:
            self.violations[f"{name} ({self.page.url})"] = blocking

    def login(self, user: dict[str, Any]) -> None:
        self.go("/user/login")
        self.page.fill("#field-login", user["name"])
        self.page.fill("#field-password", "correct123")
        self.page.click("form:has(#field-login) button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def assert_accessible(self) -> None:
        """At the end of a journey: axe found nothing serious, no step showed
        English, and no request left the machine."""
        report = json.dumps(self.violations, indent=2, ensure_ascii=False)
        (self.folder / "axe-violations.json").write_text(report, encoding="utf-8")
        assert not self.violations, report
        english = json.dumps(self.english, indent=2, ensure_ascii=False)
        assert not self.english, english
        assert self.elsewhere == []


@pytest.fixture
def journey(browser, live_server, request) -> Iterator[Any]:
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)

    def start() -> Journey:
        from ckan import model

        # CKAN's factories write English sentences (Faker) in descriptions:
        # user content, which the English scan would count against the pages.
        model.Session.query(model.Group).update(
            {"description": "Collectivité du territoire."}
        )
        model.Session.query(model.User).update({"about": ""})
        model.Session.commit()
        context = browser.new_context(
            locale="fr-FR", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return Journey(context.new_page(), live_server, folder)

    contexts: list[Any] = []
    yield start
    for context in contexts:
        context.close()
