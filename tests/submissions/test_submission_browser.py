"""The submission journey in a real browser: every page audited with axe, errors focused, 320 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from broker.models import Listing
from tests import factories as f
from tests.auth.helpers import PASSWORD, make_user
from tests.browser.conftest import browse_at, chromium, live_server  # noqa: F401 (fixtures)

if TYPE_CHECKING:
    from tests.browser.conftest import Browsing, LiveServer

pytestmark = pytest.mark.browser


def _sign_in(browsing: Browsing, email: str) -> None:
    browsing.visit("/sign-in")
    browsing.page.fill("#email", email)
    browsing.page.fill("#password", PASSWORD)
    browsing.page.click("button:has-text('Sign in')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()


def _save(browsing: Browsing, expect_path: str) -> None:
    browsing.page.click("button:has-text('Save and continue')")
    browsing.page.wait_for_load_state("load")
    assert browsing.path() == expect_path, browsing.path()
    browsing.audit()


def test_provider_submits_a_listing_in_the_browser(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    with live_server.session() as s:
        la = f.local_authority(s, name="Northshire")
        f.school(s, la=la, name="Oak Tree Primary School", urn="131001")
        f.school(s, la=la, name="Elm Street Infants", urn="131002")
        provider = f.provider(s, name="Bright Start Learning")
        s.commit()
        user = make_user(s, "provider", provider_id=provider.id)
    browsing = browse_at()
    page = browsing.page
    _sign_in(browsing, user.email)
    browsing.visit("/provider")
    browsing.visit("/provider/listings/new")
    page.click("button:has-text('Start')")
    page.wait_for_load_state("load")
    base = browsing.path()
    browsing.audit()

    browsing.visit(f"{base}/about")
    page.fill("#summary", "Short daily phonics sessions.")
    page.click("button:has-text('Save and continue')")
    page.wait_for_load_state("load")
    assert page.title().startswith("Error: About the service")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.input_value("#summary") == "Short daily phonics sessions."
    browsing.audit()
    page.click(".govuk-error-summary a[href='#title']")
    assert page.evaluate("document.activeElement.id") == "title"
    page.fill("#title", "Phonics catch-up for Year 1")
    page.check("input[name=categories][value=teaching-and-learning]")
    _save(browsing, base)

    browsing.visit(f"{base}/audience")
    page.check("input[name=phases][value=primary]")
    _save(browsing, base)
    browsing.visit(f"{base}/delivery")
    page.check("input[name=delivery][value=network]")
    page.check("input[name=national]")
    _save(browsing, base)
    browsing.visit(f"{base}/cost")
    page.check("input[name=cost][value=paid]")
    page.fill("#price_note", "£450 a day")
    _save(browsing, base)
    browsing.visit(f"{base}/contact")
    _save(browsing, base)

    for name in ("Oak Tree", "131002"):
        browsing.visit(f"{base}/referees")
        page.fill("#q", name)
        page.click("button:has-text('Search')")
        page.wait_for_load_state("load")
        browsing.audit()
        page.click("button:has-text('Add')")
        page.wait_for_load_state("load")
        browsing.audit()
    _save(browsing, base)

    browsing.visit(f"{base}/check")
    assert not browsing.has_horizontal_scroll()
    page.click("button:has-text('Submit for assurance')")
    page.wait_for_load_state("load")
    assert browsing.path() == "/provider"
    browsing.audit()
    assert "Awaiting recommendations: 0 of 2 received" in page.content()
    with live_server.session() as s:
        listing = s.get(Listing, int(base.rsplit("/", 1)[1]))
        assert listing is not None and listing.status == "submitted"


def test_task_list_and_dashboard_fit_a_320_pixel_screen(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    with live_server.session() as s:
        provider = f.assured_provider(
            s, listings=1, name="A provider with a rather long organisation name"
        )
        s.commit()
        user = make_user(s, "provider", provider_id=provider.id)
        listing_id = s.get(type(provider), provider.id).listings[0].id  # type: ignore[union-attr]
    browsing = browse_at(width=320, height=640)
    _sign_in(browsing, user.email)
    for path in ("/provider", f"/provider/listings/{listing_id}", f"/provider/listings/{listing_id}/about",
                 f"/provider/listings/{listing_id}/check"):  # fmt: skip
        browsing.visit(path)
        assert not browsing.has_horizontal_scroll(), path
