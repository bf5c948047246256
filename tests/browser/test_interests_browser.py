"""A SIP keeps their register of interests and declares one when shortlisting, in a real browser:
every page axe-clean at 1024 and 320 px, and none scrolls sideways on a narrow screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlmodel import col, select

from broker import db
from broker.models import Brokerage, User
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


def test_a_sip_registers_an_interest_and_declares_it_when_shortlisting(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    ids: dict[str, Any],  # noqa: F811
) -> None:
    with db.new_session(live_server.app) as session:
        user = session.get(User, ids["users"]["sip_1"])
        assert user is not None
    browsing = browse_at(width=1024)
    _sign_in(browsing, user, "/schools")
    browsing.visit("/account")
    browsing.page.click("text=Your register of interests")
    browsing.page.wait_for_load_state("load")
    _both_widths(browsing)
    assert "Helen Marsh Education Consultancy" in browsing.page.text_content("main")

    # A mistake first: the error summary, at both widths.
    browsing.page.set_viewport_size({"width": 1024, "height": 768})
    browsing.page.fill("#provider", "Midlands Maths Hub")
    browsing.page.check("input[name=kind][value=family]")
    browsing.page.fill("#started_on-day", "1")
    browsing.page.fill("#started_on-year", str(date.today().year - 1))
    browsing.page.click("main form[action$='/account/interests'] button[type=submit]")
    browsing.page.wait_for_load_state("load")
    assert "must include a month" in browsing.page.text_content(".govuk-error-summary")
    _both_widths(browsing)

    browsing.page.fill("#started_on-month", "9")
    browsing.page.click("main form[action$='/account/interests'] button[type=submit]")
    browsing.page.wait_for_load_state("load")
    assert "Added to your register" in browsing.page.text_content("main")
    titles = browsing.page.locator(".govuk-summary-card__title").all_text_contents()
    assert sorted(t.strip() for t in titles) == [
        "Helen Marsh Education Consultancy",
        "Midlands Maths Hub",
    ]
    _both_widths(browsing)

    # Shortlisting a listing of provider B now asks for the declaration, and refuses without it.
    browsing.visit(f"/brokerage/shortlist?listing_id={ids['assured_b']}")
    assert "You registered an interest in Midlands Maths Hub" in browsing.page.text_content("main")
    _both_widths(browsing)
    browsing.page.set_viewport_size({"width": 1024, "height": 768})
    browsing.page.select_option("#priority_id", str(ids["p1"]))
    browsing.page.click("main button[type=submit]")
    browsing.page.wait_for_load_state("load")
    assert "declare it to shortlist" in browsing.page.text_content(".govuk-error-summary")
    _both_widths(browsing)
    browsing.page.fill("#declaration", "My sister teaches for the hub.")
    browsing.page.click("main button[type=submit]")
    browsing.page.wait_for_load_state("load")
    assert browsing.path().startswith(f"/schools/{ids['school_1']}/priorities/{ids['p1']}")
    assert "The SIP declared: My sister teaches for the hub." in browsing.page.text_content("main")
    _both_widths(browsing)
    with db.new_session(live_server.app) as session:
        declared = session.exec(
            select(Brokerage.interest_declared).where(col(Brokerage.interest_declared).is_not(None))
        ).all()
    assert declared == ["My sister teaches for the hub."]
