"""Saved searches in a real browser without JavaScript: save from the results page, see the list,
change and delete one; every page axe-clean and without sideways scrolling at 1024 and 320 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from broker import db
from broker.models import User
from tests.browser.conftest import Browsing, browse_at, chromium, live_server  # noqa: F401
from tests.browser.test_signed_in_pages_browser import _sign_in as sign_in
from tests.test_authorisation_matrix import build_world

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _audit_at_both_widths(browsing: Browsing) -> None:
    browsing.page.set_viewport_size({"width": 320, "height": 640})
    browsing.audit()
    assert not browsing.has_horizontal_scroll(), f"sideways scrolling at 320 px: {browsing.path()}"
    browsing.page.set_viewport_size({"width": 1024, "height": 768})


def test_a_head_saves_a_search_then_changes_and_deletes_it(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    with live_server.app.app_context(), db.new_session(live_server.app) as session:
        ids = build_world(session)
        head = session.get(User, ids["users"]["head_2"])
        assert head is not None
    browsing = browse_at(width=1024, javascript=False)
    sign_in(browsing, head)
    browsing.visit("/directory?q=reading&category=curriculum-and-subject-support")

    browsing.page.click("a:has-text('Save this search')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    _audit_at_both_widths(browsing)
    browsing.page.fill("#name", "Boys' reading")
    browsing.page.check("#notify")
    browsing.page.click("button:has-text('Save search')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert browsing.path() == "/saved-searches"
    main = browsing.page.text_content("main") or ""
    assert "Search saved as ‘Boys' reading’" in main
    assert "Emails: on" in main
    _audit_at_both_widths(browsing)

    browsing.page.click("a:has-text('Change')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    browsing.page.fill("#name", "")
    browsing.page.click("button:has-text('Save changes')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()  # the error summary
    assert "Enter a name for the search" in (browsing.page.text_content("main") or "")
    browsing.page.fill("#name", "Reading, KS2 boys")
    browsing.page.uncheck("#notify")
    browsing.page.click("button:has-text('Save changes')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert "Emails: off" in (browsing.page.text_content("main") or "")

    browsing.page.click("a:has-text('Reading, KS2 boys')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert browsing.path().startswith("/directory?q=reading&category=curriculum")
    browsing.visit("/saved-searches")
    browsing.page.click("button:has-text('Delete')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    assert "You have no saved searches" in (browsing.page.text_content("main") or "")
