"""The diagnosis-to-brokerage loop in a real browser: a SIP records a visit and shortlists, the head
agrees; every page audited with axe, the error summary shown, narrow screens without sideways scroll."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tests.auth.helpers import PASSWORD
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.schools import world as w

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(live_server: LiveServer) -> w.World:  # noqa: F811
    with live_server.session() as session:
        return w.build(session)


def _sign_in(browsing: Browsing, email: str) -> None:
    browsing.visit("/sign-in")
    browsing.page.fill("#email", email)
    browsing.page.fill("#password", PASSWORD)
    browsing.page.click("button:has-text('Sign in')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()


def _click(browsing: Browsing, selector: str) -> Any:
    browsing.page.click(selector)
    browsing.page.wait_for_load_state("load")
    browsing.audit()


def test_a_sip_records_a_visit_and_shortlists_and_the_head_agrees(
    browse_at: Callable[..., Browsing],  # noqa: F811
    scene: w.World,
) -> None:
    sip = browse_at()
    _sign_in(sip, scene.sip.email)
    sip.visit("/schools")
    _click(sip, f'a:has-text("{scene.school.name}")')
    _click(sip, "a:has-text('Record a visit')")

    # A mistake first: the error summary lists it and links to the field; nothing typed is lost.
    sip.page.check("input[name=evidence][value=sef]")
    sip.page.fill("#evidence_notes", "Read the SEF and the Y6 books")
    _click(sip, "button:has-text('Save and continue')")
    assert sip.page.title().startswith("Error: ")
    summary = sip.page.locator(".govuk-error-summary")
    assert "Enter the date of the visit" in summary.inner_text()
    assert summary.locator("a[href='#visited_on-day']").count() == 1
    assert sip.page.input_value("#evidence_notes") == "Read the SEF and the Y6 books"
    assert sip.page.is_checked("input[name=evidence][value=sef]")

    when = date.today() - timedelta(days=1)
    sip.page.fill("#visited_on-day", str(when.day))
    sip.page.fill("#visited_on-month", str(when.month))
    sip.page.fill("#visited_on-year", str(when.year))
    sip.page.check("input[name=support_category][value=targeted]")
    _click(sip, "button:has-text('Save and continue')")
    assert "Visit recorded" in sip.page.inner_text("main")

    sip.page.fill("#description", "Phonics: too few Year 1 pupils pass the screening check")
    sip.page.select_option("#category", "curriculum-and-subject-support")
    sip.page.check("input[name=pupil_groups][value=boys-achievement]")
    sip.page.check("input[name=rag][value=red]")
    _click(sip, "button:has-text('Save priority')")
    assert "Phonics: too few Year 1 pupils" in sip.page.inner_text("main")

    sip.visit(f"/directory/listings/{scene.listing.id}")
    sip.page.select_option(
        "#priority_id", label="Phonics: too few Year 1 pupils pass the screening check"
    )
    _click(sip, "button:has-text('Add to shortlist')")
    assert "shortlist" in sip.page.inner_text(".govuk-notification-banner")
    assert sip.path() == f"/schools/{scene.school.id}/priorities/1"

    head = browse_at()
    _sign_in(head, scene.head.email)
    head.visit("/schools")  # the head's "Your school" goes straight to the school's page
    assert head.path() == f"/schools/{scene.school.id}"
    _click(head, "a:has-text('Phonics: too few Year 1 pupils')")
    _click(head, "a:has-text('Phonics leadership coaching')")
    _click(head, "a:has-text('Agree to this support')")
    _click(head, "button:has-text('Agree')")
    assert "You agreed to this support." in head.page.inner_text(".govuk-notification-banner")
    assert "Agreed" in head.page.inner_text("main")


def test_the_school_page_fits_a_narrow_screen(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    scene: w.World,
) -> None:
    with live_server.session() as session:
        _, (priority,) = w.visit(session, scene)
        w.shortlisted(session, scene, priority)
    browsing = browse_at(width=320, height=640)
    _sign_in(browsing, scene.head.email)
    for path in (
        f"/schools/{scene.school.id}",
        f"/schools/{scene.school.id}/priorities/{priority.id}",
    ):
        browsing.visit(path)
        assert not browsing.has_horizontal_scroll(), path
