"""Comparing and taking away listings in a real browser without JavaScript: tick boxes on the
results page or a shortlist, compare, remove one; download and print a shortlist; axe-clean and
no sideways page scrolling at 1024 and 320 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from broker import db
from broker.models import User
from tests import factories as f
from tests.browser.conftest import Browsing, browse_at, chromium, live_server  # noqa: F401
from tests.browser.test_signed_in_pages_browser import _sign_in as sign_in
from tests.test_authorisation_matrix import build_world

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_listings_ticked_on_the_results_page_are_compared_and_fit_a_narrow_screen(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    with live_server.session() as session:
        for n, title in enumerate(("Phonics coaching", "Governance review", "Maths mastery")):
            provider = f.provider(session, name=f"Provider number {n}")
            f.recommendation(
                session,
                provider,
                impact="A long statement of impact: "
                + "reading ages rose across the school and staff plan together. " * 4,
            )
            f.recommendation(session, provider)
            f.listing(
                session,
                provider,
                title=title,
                price_note="£450 a day plus travel" if n == 0 else None,
                delivery=["on-site-consultancy", "training-course", "coaching-or-mentoring"],
            )
        session.commit()

    browsing = browse_at(width=1024, javascript=False)
    browsing.visit("/directory")
    browsing.page.check("label:has-text('Compare Phonics coaching')")
    browsing.page.check("label:has-text('Compare Governance review')")
    browsing.page.check("label:has-text('Compare Maths mastery')")
    browsing.page.click("#compare-selected button")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert browsing.path().startswith("/directory/compare?"), browsing.path()
    table = browsing.page.text_content("table")
    assert table is not None
    for text in ("Phonics coaching", "Governance review", "Maths mastery", "£450 a day"):
        assert text in table

    browsing.page.set_viewport_size({"width": 320, "height": 640})
    browsing.audit()
    assert not browsing.has_horizontal_scroll(), "the page scrolls sideways at 320 px"
    # The first listing's column is still readable: not squeezed to a sliver.
    width = browsing.page.evaluate(
        "document.querySelector('.app-compare__listing').getBoundingClientRect().width"
    )
    assert width >= 150, width

    browsing.page.click("a:has-text('Remove Governance review')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert "2 listings side by side" in (browsing.page.text_content("caption") or "")
    browsing.page.click("a.govuk-back-link")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert browsing.path() == "/directory", browsing.path()


def test_a_sip_compares_prints_and_downloads_a_priority_shortlist(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    with live_server.app.app_context(), db.new_session(live_server.app) as session:
        ids = build_world(session)
        sip = session.get(User, ids["users"]["sip_1"])
        assert sip is not None
    browsing = browse_at(width=1024, javascript=False)
    sign_in(browsing, sip)
    priority = f"/schools/{ids['school_1']}/priorities/{ids['p1']}"
    browsing.visit(priority)

    browsing.page.click("#shortlist-compare button")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert "2 listings side by side" in (browsing.page.text_content("caption") or "")
    browsing.page.click("a.govuk-back-link")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert browsing.path() == f"{priority}#shortlist"

    with browsing.page.expect_download() as download:
        browsing.page.click("a:has-text('Download the shortlist (CSV)')")
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("Code,Listing,Provider")
    assert len(rows) == 3

    browsing.visit(f"{priority}/shortlist/print")
    assert "Phonics leadership coaching" in (browsing.page.text_content("main") or "")
    browsing.page.set_viewport_size({"width": 320, "height": 640})
    browsing.audit()
    assert not browsing.has_horizontal_scroll()
    browsing.page.emulate_media(media="print")
    assert not browsing.page.is_visible("header.govuk-template__header")
    assert browsing.page.is_visible("#confidential")
