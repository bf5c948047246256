"""Professional feedback in a real browser: the head leaves feedback on complete work (a mistake
first), the provider replies from its own area, and the QA officer sees both beside the evidence
when reviewing the listing; every page axe-clean at 1024 and 320 px, none scrolling sideways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import select

from broker import db
from broker.brokerage import services as brokerage
from broker.models import Brokerage, Feedback, User
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.browser.test_signed_in_pages_browser import _overflowing, _sign_in, ids  # noqa: F401

pytestmark = pytest.mark.browser

WORDS = "Practical coaching; the reports came two weeks late.\nWe would still use them."
REPLY = "Thank you. We now send every report within five school days."


def _both_widths(browsing: Browsing) -> None:
    """Audit the page as it is at 1024 px, then at 320 px, and check it fits the narrow screen."""
    browsing.page.set_viewport_size({"width": 1024, "height": 768})
    browsing.audit()
    browsing.page.set_viewport_size({"width": 320, "height": 640})
    browsing.audit()
    assert not browsing.has_horizontal_scroll(), _overflowing(browsing)
    browsing.page.set_viewport_size({"width": 1024, "height": 768})


def _user(server: LiveServer, user_id: int) -> User:
    with db.new_session(server.app) as session:
        user = session.get(User, user_id)
        assert user is not None
        return user


def test_head_leaves_feedback_provider_replies_and_the_qa_officer_sees_both(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    ids: dict[str, Any],  # noqa: F811
) -> None:
    # The SIP says the engaged work is complete (head 1 has not given feedback on it yet).
    with live_server.app.app_context(), db.new_session(live_server.app) as session:
        row = session.get(Brokerage, ids["engaged"])
        sip = session.get(User, ids["users"]["sip_1"])
        assert row is not None and sip is not None
        brokerage.move(session, sip, row, "completed", emails=False)
        session.commit()
    users = ids["users"]

    # The head, from the brokerage page.
    head = browse_at(width=1024)
    _sign_in(head, _user(live_server, users["head_1"]))
    head.visit(f"/brokerage/{ids['engaged']}")
    _both_widths(head)
    head.page.click("text=Leave feedback for the provider")
    head.page.wait_for_load_state("load")
    assert head.path() == f"/brokerage/{ids['engaged']}/feedback"
    _both_widths(head)
    head.page.fill("#text", WORDS)
    head.page.click("main button[type=submit]")
    head.page.wait_for_load_state("load")
    summary = head.page.text_content(".govuk-error-summary") or ""
    assert "Select whether you would use this provider again" in summary
    assert head.page.input_value("#text") == WORDS  # nothing typed is lost
    assert head.page.title().startswith("Error:")
    _both_widths(head)
    head.page.check("input[name=would_use_again][value=yes]")
    head.page.click("main button[type=submit]")
    head.page.wait_for_load_state("load")
    assert head.path() == f"/brokerage/{ids['engaged']}#feedback"
    main = head.page.text_content("main") or ""
    assert "Feedback sent to Helen Marsh Education Consultancy." in main
    assert "the reports came two weeks late" in main and "No reply yet" in main
    _both_widths(head)
    with db.new_session(live_server.app) as session:
        given = session.exec(select(Feedback).where(Feedback.brokerage_id == ids["engaged"])).one()
    feedback_id = given.id

    # The provider, from its own area.
    provider = browse_at(width=1024)
    _sign_in(provider, _user(live_server, users["provider_a"]))
    provider.visit("/provider")
    provider.page.click("text=Feedback from schools on your completed work")
    provider.page.wait_for_load_state("load")
    assert provider.path() == "/provider/feedback"
    assert "the reports came two weeks late" in (provider.page.text_content("main") or "")
    _both_widths(provider)
    provider.page.click(f"a[href='/provider/feedback/{feedback_id}/reply']")
    provider.page.wait_for_load_state("load")
    _both_widths(provider)
    provider.page.fill("#reply", REPLY)
    provider.page.click("main button[type=submit]")
    provider.page.wait_for_load_state("load")
    assert provider.path() == f"/provider/feedback#feedback-{feedback_id}"
    card = provider.page.text_content(f"#feedback-{feedback_id}") or ""
    assert REPLY in card and "the reports came two weeks late" in card
    assert "Reply sent to" in (provider.page.text_content("main") or "")
    assert provider.page.locator(f"a[href='/provider/feedback/{feedback_id}/reply']").count() == 0
    _both_widths(provider)

    # The QA officer, reviewing the listing: the feedback and the reply beside the evidence.
    qa = browse_at(width=1024)
    _sign_in(qa, _user(live_server, users["qa_1"]))
    qa.visit(f"/qa/listings/{ids['assured_a']}")
    card = qa.page.text_content(f"#feedback-{feedback_id}") or ""
    assert "the reports came two weeks late" in card and REPLY in card
    assert "Headteacher" in card and "Yes" in card
    _both_widths(qa)

    # And the head reads the reply with their feedback.
    head.visit(f"/brokerage/{ids['engaged']}")
    assert REPLY in (head.page.text_content(f"#feedback-{feedback_id}") or "")
    _both_widths(head)
