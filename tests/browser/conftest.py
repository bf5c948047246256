"""Browser-test fixtures: the real app on a loopback port, Chromium through Playwright (sync API),
an axe-core audit of every page a test visits, and a screenshot in test-artifacts/ on failure.

Plain Playwright rather than pytest-playwright's fixtures: we launch /usr/bin/chromium ourselves
(never `playwright install`) and need no network.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session
from werkzeug.serving import BaseWSGIServer, make_server

from broker import db
from tests import shared_browser
from tests.conftest import make_app, unavailable

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
BUILT_CSS = ROOT / "broker" / "static" / "build" / "app.css"
#: axe impacts that fail a test.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(_reports, {})
    return any(r.failed for r in reports.values())


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole run (shared: see tests/shared_browser.py)."""
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    if not AXE.exists():
        unavailable(f"{AXE} is missing: run `make install` (npm ci)")
    from playwright.sync_api import Error

    try:
        yield shared_browser.browser(str(CHROMIUM), CHROMIUM_ARGS)
    except Error as exc:
        unavailable(f"Chromium at {CHROMIUM} would not start: {exc}")


# --- the server ------------------------------------------------------------------------------


@dataclass
class LiveServer:
    """The application served on 127.0.0.1 in a thread, with its own migrated SQLite database."""

    app: Flask
    url: str

    def session(self) -> Session:
        """Open a Session on the server's database (add data, then commit)."""
        return Session(db.get_engine(self.app), expire_on_commit=False)


@pytest.fixture
def live_server(tmp_path: Path, sqlite_url: str) -> Iterator[LiveServer]:
    if not BUILT_CSS.exists():
        unavailable(f"{BUILT_CSS} is missing: run `make assets`")
    app = make_app(tmp_path, sqlite_url)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        db.dispose(app)


# --- pages, audited --------------------------------------------------------------------------


@dataclass
class Browsing:
    """A Playwright page on the live server that records what it saw and audits with axe."""

    page: Any
    base_url: str
    audited: set[str] = field(default_factory=set)
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def visit(self, path: str, *, expect_status: int = 200) -> Any:
        """Go to `path`, check the status, and audit the page; return the response."""
        response = self.page.goto(self.base_url + path)
        assert response is not None
        assert response.status == expect_status, f"{path}: HTTP {response.status}"
        self.audit()
        return response

    def audit(self) -> None:
        """Run axe-core on the current page; fail on serious or critical violations."""
        self.page.wait_for_load_state("load")
        violations = axe_violations(self.page)
        self.audited.add(_without_fragment(self.page.url))
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe on {self.path()}:\n" + "\n".join(
            f"  {v['impact']}: {v['id']}: {v['help']} at {v['targets']}" for v in blocking
        )

    def tab_to(self, predicate_js: str, limit: int = 60) -> dict[str, str]:
        """Press Tab until the focused element satisfies `predicate_js` (a JS function of it)."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate(f"({predicate_js})(document.activeElement)"):
                return self.focused()
        raise AssertionError(f"Tab never reached an element matching {predicate_js}")

    def focused(self) -> dict[str, str]:
        return self.page.evaluate(
            """() => { const e = document.activeElement;
                return {tag: e.tagName, id: e.id, href: e.getAttribute('href') || '',
                        text: e.textContent.trim(), cls: e.className}; }"""
        )

    def has_horizontal_scroll(self) -> bool:
        return self.page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )


#: axe waits on timers, and with JavaScript off the page's timers never fire: run them at once.
_TIMERS_AS_MICROTASKS = """() => {
    window.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
    window.clearTimeout = () => {};
}"""


class NoScriptBrowsing(Browsing):
    """A page in a context without JavaScript; audits with axe all the same."""

    def audit(self) -> None:
        self.page.wait_for_load_state("load")
        assert self.page.evaluate("!document.body.classList.contains('js-enabled')"), (
            "the page's own script ran: JavaScript is not off"
        )
        self.page.evaluate(_TIMERS_AS_MICROTASKS)
        super().audit()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Inject axe-core (via the DevTools protocol, which the page's CSP does not govern) and run it."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            }));
        }"""
    )


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _screenshot_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:150] + ".png"


@pytest.fixture
def browse_at(
    chromium: Any, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Browsing]]:
    """Open audited browser pages on the live server: `browse_at(width=1024)`.

    `javascript=False` opens the page as a browser with JavaScript off would see it.
    """
    opened: list[tuple[Any, Browsing]] = []

    def open_page(width: int = 1024, height: int = 768, javascript: bool = True) -> Browsing:
        context = chromium.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript
        )
        page = context.new_page()
        kind = Browsing if javascript else NoScriptBrowsing
        browsing = kind(page=page, base_url=live_server.url)
        _watch(page, browsing)
        opened.append((context, browsing))
        return browsing

    yield open_page

    failed = _failed(request)
    for index, (context, browsing) in enumerate(opened):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = _screenshot_name(f"{request.node.nodeid}-{index}")
            browsing.page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        context.close()
    if failed:
        return
    for _context, browsing in opened:
        unaudited = [url for url in dict.fromkeys(browsing.visited) if url not in browsing.audited]
        assert not unaudited, f"pages visited but not audited with axe: {unaudited}"
        assert not browsing.problems, "\n".join(browsing.problems)


def _watch(page: Any, browsing: Browsing) -> None:
    """Record every page shown, and anything the browser complains about (CSP, missing assets)."""

    def navigated(frame: Any) -> None:
        if frame == page.main_frame and frame.url.startswith(browsing.base_url):
            browsing.visited.append(_without_fragment(frame.url))

    def console(message: Any) -> None:
        # The document's own status (a 404 page) is checked by visit(); sub-resources below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            browsing.problems.append(f"console error on {page.url}: {message.text}")

    def response(resp: Any) -> None:
        if resp.request.resource_type != "document" and resp.status >= 400:
            browsing.problems.append(f"{resp.status} for {resp.url} on {page.url}")

    def request_failed(req: Any) -> None:
        if req.resource_type in ("fetch", "xhr") and "ERR_ABORTED" in (req.failure or ""):
            # A script's background request cut short by leaving the page (a SIP's offline copy
            # refreshing itself): the next page takes it up again. Not a failure.
            return
        browsing.problems.append(f"request failed: {req.url} ({req.failure}) on {page.url}")

    page.on("framenavigated", navigated)
    page.on("console", console)
    page.on("pageerror", lambda exc: browsing.problems.append(f"script error: {exc}"))
    page.on("response", response)
    page.on("requestfailed", request_failed)
