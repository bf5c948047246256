"""A provider says it is not taking new work, and a search for providers taking new work leaves
its listing out, in a real browser: every page axe-clean at 1024 and 320 px, none scrolling
sideways on a narrow screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from broker import availability, db
from broker.models import Listing, Provider, User
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.browser.test_signed_in_pages_browser import _overflowing, _sign_in, ids  # noqa: F401

pytestmark = pytest.mark.browser


def _both_widths(browsing: Browsing) -> None:
    """Audit the page as it is at 1024 px, then at 320 px, and check it fits the narrow screen."""
    browsing.page.set_viewport_size({"width": 1024, "height": 768})
    browsing.audit()
    browsing.page.set_viewport_size({"width": 320, "height": 640})
    browsing.audit()
    assert not browsing.has_horizontal_scroll(), _overflowing(browsing)
    browsing.page.set_viewport_size({"width": 1024, "height": 768})


def _submit(browsing: Browsing, selector: str) -> None:
    browsing.page.click(selector)
    browsing.page.wait_for_load_state("load")


def test_a_provider_stops_taking_new_work_and_a_search_for_those_taking_it_leaves_it_out(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    ids: dict[str, Any],  # noqa: F811
) -> None:
    with db.new_session(live_server.app) as session:
        user = session.get(User, ids["users"]["provider_a"])
        listing = session.get(Listing, ids["assured_a"])
        assert user is not None and listing is not None
        provider = session.get(Provider, listing.provider_id)
        assert provider is not None
        title, name = listing.title, provider.name
    browsing = browse_at(width=1024)
    _sign_in(browsing, user, "/provider")
    assert "You have not said." in browsing.page.text_content("#capacity")
    browsing.page.click("main a[href='/provider/capacity']")
    browsing.page.wait_for_load_state("load")
    assert browsing.path() == "/provider/capacity"
    _both_widths(browsing)

    # A mistake first: "No" without the date.
    browsing.page.check("input[name=taking][value=no]")
    _submit(browsing, "main form button[type=submit]")
    summary = browsing.page.text_content(".govuk-error-summary")
    assert "Enter the date you will take new work again" in summary
    assert browsing.page.title().startswith("Error: ")
    _both_widths(browsing)

    until = availability.today() + timedelta(days=30)
    browsing.page.fill("#until-day", str(until.day))
    browsing.page.fill("#until-month", str(until.month))
    browsing.page.fill("#until-year", str(until.year))
    _submit(browsing, "main form button[type=submit]")
    assert browsing.path() == "/provider"
    said = f"Not taking new work until {availability.long_date(until)}"
    assert said in browsing.page.text_content(".govuk-notification-banner")
    assert said in browsing.page.text_content("#capacity")
    _both_widths(browsing)

    # Everyone sees it on the listing's card; ticking "Taking new work" leaves it out.
    browsing.visit(f"/directory?q={title.split()[0]}")
    card = browsing.page.locator(".app-result", has_text=title)
    assert said in card.text_content()
    _both_widths(browsing)
    browsing.page.check("#f-taking")
    _submit(browsing, ".app-filter__apply >> nth=-1")
    assert "taking=1" in browsing.page.url
    assert browsing.page.is_checked("#f-taking")
    assert title not in (browsing.page.text_content("#results") or "")
    assert "Taking new work" in browsing.page.text_content(".app-filter__selected")
    _both_widths(browsing)
    # The listing page says it too.
    browsing.visit(f"/directory/listings/{ids['assured_a']}")
    assert said in browsing.page.text_content("main")
    assert name in browsing.page.text_content("main")
    _both_widths(browsing)
