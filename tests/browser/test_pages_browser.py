"""The public pages in a real browser: keyboard-only journeys, narrow screens, axe audits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests import factories as f

if TYPE_CHECKING:
    from tests.browser.conftest import Browsing, LiveServer

pytestmark = pytest.mark.browser

LISTING_TITLE = "Phonics and early reading for Key Stage 1"


@pytest.fixture
def directory(live_server: LiveServer) -> dict[str, int]:
    """A small directory: one listing to find by keyword, more to fill a second page."""
    with live_server.session() as session:
        la = f.local_authority(session, code="886", name="Kent", region="south-east")
        provider = f.provider(
            session,
            name="Oakwood Teaching School Alliance",
            kind="school-to-school",
            website="https://oakwood-teaching-school-alliance.example.org/services/early-reading",
            phone="01632 960 555",
        )
        f.recommendation(
            session,
            provider,
            f.school(session, la, name="St Mary's CE Primary School"),
            recommender_name="Jane Smith, Headteacher",
            service_title="Phonics leadership coaching",
            impact="Our Year 1 phonics screening pass rate rose from 64% to 91% in two years.",
        )
        f.recommendation(session, provider, f.school(session, la, name="Hillside Infant School"))
        target = f.listing(
            session,
            provider,
            title=LISTING_TITLE,
            summary="Coaching for reading leads and in-class modelling of systematic phonics.",
            categories=["curriculum-and-subject-support", "teaching-and-learning"],
            phases=["primary", "early-years"],
            sen_specialisms=["slcn"],
            pupil_groups=["eal", "boys-achievement"],
            cost="paid",
            price_note="£450 a day, or £2,000 for a five-visit programme",
            national=False,
            regions=["south-east"],
            local_authorities=[la.code],
            contact_email="reading.hub@oakwood-teaching-school-alliance.example.org",
        )
        other = f.assured_provider(session, listings=0, name="Governance Matters")
        for n in range(24):
            f.listing(session, other, title=f"Governor training module {n + 1}")
        session.commit()
        assert target.id is not None
        return {"listing_id": target.id}


def test_home_to_search_to_listing_by_keyboard_alone(
    browse_at: Callable[..., Browsing], directory: dict[str, int]
) -> None:
    browsing = browse_at()
    browsing.visit("/")

    first = browsing.tab_to("e => true", limit=1)
    assert first["text"] == "Skip to main content"
    browsing.tab_to("e => e.id === 'q'")
    browsing.page.keyboard.type("phonics")
    browsing.page.keyboard.press("Enter")
    browsing.page.wait_for_url("**/directory?q=phonics")
    browsing.audit()
    assert browsing.page.locator("#result-count").inner_text().startswith("1 result")

    link = browsing.tab_to("e => (e.getAttribute('href') || '').startsWith('/directory/listings/')")
    assert link["text"] == LISTING_TITLE
    browsing.page.keyboard.press("Enter")
    browsing.page.wait_for_url(f"**/directory/listings/{directory['listing_id']}")
    browsing.audit()
    assert browsing.page.locator("h1").inner_text() == LISTING_TITLE
    assert "Our Year 1 phonics screening pass rate" in browsing.page.content()


def test_skip_link_moves_focus_to_the_main_content(
    browse_at: Callable[..., Browsing], directory: dict[str, int]
) -> None:
    browsing = browse_at()
    browsing.visit("/directory")

    browsing.tab_to("e => e.classList.contains('govuk-skip-link')", limit=1)
    browsing.page.keyboard.press("Enter")

    assert browsing.focused()["id"] == "main-content"


def test_pages_by_keyboard_through_the_pagination(
    browse_at: Callable[..., Browsing], directory: dict[str, int]
) -> None:
    browsing = browse_at()
    browsing.visit("/directory")

    browsing.tab_to("e => e.getAttribute('rel') === 'next'", limit=200)
    browsing.page.keyboard.press("Enter")
    browsing.page.wait_for_url("**/directory?page=2")
    browsing.audit()

    assert "page 2 of 2" in browsing.page.title()


@pytest.mark.parametrize("width", [320, 1280])
def test_pages_fit_the_screen_without_sideways_scrolling(
    browse_at: Callable[..., Browsing], directory: dict[str, int], width: int
) -> None:
    browsing = browse_at(width=width, height=640)
    listing = f"/directory/listings/{directory['listing_id']}"

    pages = [("/", 200), ("/directory", 200), (listing, 200), ("/accessibility", 200)]
    for path, status in [*pages, ("/missing", 404)]:
        browsing.visit(path, expect_status=status)
        assert not browsing.has_horizontal_scroll(), f"{path} scrolls sideways at {width}px"


@pytest.mark.parametrize(
    "which", ["home", "list", "detail", "not-found", "short-code", "accessibility"]
)
def test_page_has_no_serious_accessibility_problems(
    browse_at: Callable[..., Browsing], directory: dict[str, int], which: str
) -> None:
    browsing = browse_at()
    paths = {
        "home": ("/", 200),
        "list": ("/directory?page=2", 200),
        "detail": (f"/directory/listings/{directory['listing_id']}", 200),
        "not-found": ("/directory/listings/999999", 404),
        "short-code": ("/l/NO-SUCH-CODE", 404),
        "accessibility": ("/accessibility", 200),
    }
    path, status = paths[which]

    browsing.visit(path, expect_status=status)  # visit() runs axe and fails on serious/critical

    assert browsing.page.locator("h1").count() == 1


def test_javascript_loads_under_the_content_security_policy(
    browse_at: Callable[..., Browsing], directory: dict[str, int]
) -> None:
    browsing = browse_at()
    browsing.visit("/")

    body_classes = browsing.page.evaluate("document.body.className").split()
    assert "js-enabled" in body_classes and "govuk-frontend-supported" in body_classes
    # initAll() from our module script marks each component it started.
    browsing.page.wait_for_selector(".govuk-skip-link[data-govuk-skip-link-init]", state="attached")
    font = browsing.page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.startswith('"Helvetica Neue"')


# --- the harness itself: the checks above must be able to fail ---------------------------------

_BAD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Bad page</title></head>
<body><main><h1>Bad page</h1><img src="/assets/build/no-such-image.png">
<script>document.title = "inline script ran";</script></main></body></html>"""


def test_harness_reports_axe_violations_csp_breaches_and_missing_assets(
    browse_at: Callable[..., Browsing], live_server: LiveServer
) -> None:
    live_server.app.add_url_rule("/bad-page", "bad_page", lambda: _BAD_PAGE)
    browsing = browse_at()

    with pytest.raises(AssertionError, match="critical: image-alt"):
        browsing.visit("/bad-page")

    assert browsing.page.title() == "Bad page", "the CSP let an inline script run"
    assert any("Content Security Policy" in p for p in browsing.problems)
    assert any("404 for" in p and "no-such-image.png" in p for p in browsing.problems)
    browsing.problems.clear()  # seen and checked: let the fixture's own teardown pass
