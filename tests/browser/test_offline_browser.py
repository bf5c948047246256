"""Offline on a visit, in a real Chromium: a SIP's device prepares its copy online, then with the
network off searches with an abbreviation and a filter, opens a listing and a visit pack (whose
PDF, like anything else needing the network, says it is not available offline), and drafts a
priority and a visit note with the next visit agreed; back online the drafts are saved on
the server; signing out leaves no school
data in IndexedDB or Cache Storage; another SIP's school is never sent to this device."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from broker import db
from broker.models import Priority, SchoolVisit, User
from broker.schools.forms import VisitForm
from tests import factories as f
from tests.auth.helpers import PASSWORD
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.schools import world as w

pytestmark = pytest.mark.browser

#: In the neighbour SIP's school only: this device's SIP must never be sent it.
NEIGHBOURS_SECRET = "Neighbour-confidential attendance of Year 9"
#: In this SIP's school's current priority (kept for the visit pack).
OWN_PRIORITY = "Priority 1: raise attainment in KS2 reading for boys"
NEW_PRIORITY = "Offline-typed: improve SEND provision mapping"
#: The next visit agreed at this SIP's school's last visit (shown on their list online).
NEXT_VISIT = date.today() + timedelta(days=21)
SHOWN_NEXT_VISIT = f"{NEXT_VISIT.day} {NEXT_VISIT:%B %Y}"
#: The next visit agreed at the visit noted offline.
AGREED = date.today() + timedelta(days=35)


@pytest.fixture
def ids(live_server: LiveServer) -> dict[str, Any]:  # noqa: F811
    with db.new_session(live_server.app) as session:
        world = w.build(session)
        own, _ = w.visit(session, world)
        own.next_visit_on = NEXT_VISIT
        record, priorities = w.visit(
            session, world, school=world.neighbour, sip=world.neighbour_sip
        )
        priorities[0].description = NEIGHBOURS_SECRET
        provider = f.assured_provider(
            session,
            listings=0,
            name="Inclusion Partners Ltd",
            # Long enough to overflow a phone's screen if they were not allowed to wrap.
            website="https://www.inclusionpartnersforspecialeducationalneedsandmore.example.org/",
        )
        inclusion = ["inclusion-sen-and-vulnerable-groups"]
        f.listing(
            session,
            provider,
            title="Provision mapping for special educational needs",
            summary="Helping SENCOs plan and review provision for pupils with SEN.",
            categories=inclusion,
            phases=["primary"],
            contact_email="provision-mapping-team@inclusion-partners-schools.example.org",
        )
        f.listing(
            session,
            provider,
            title="Secondary special educational needs review",
            categories=inclusion,
            phases=["secondary"],
        )
        f.listing(
            session,
            provider,
            title="Maths mastery for Year 6",
            categories=["teaching-and-learning"],
        )
        # A quoted phrase finds its words together, in order, in one field, once analysed.
        literacy = f.assured_provider(session, listings=0, name="Northfield Literacy Trust")
        for title, summary in [
            ("Reading for pleasure across Key Stage 2", None),  # together
            ("Pupils who read for pleasure at home", None),  # stemmed, a stop word between
            ("Pleasure in reading: a library project", None),  # in the other order
            ("Guided reading groups", "Pupils find pleasure in books."),  # in two fields
        ]:
            f.listing(session, literacy, title=title, summary=summary or "Support for schools.")
        session.commit()
        return {
            "sip": world.sip.id,
            "school": world.school.id,
            "school_name": world.school.name,
            "neighbour": world.neighbour.id,
            "neighbour_name": world.neighbour.name,
        }


def _sign_in(browsing: Browsing, email: str) -> None:
    browsing.visit("/sign-in")
    browsing.page.fill("#email", email)
    browsing.page.fill("#password", PASSWORD)
    browsing.page.click("button:has-text('Sign in')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()


def _ready(browsing: Browsing) -> None:
    """Wait until the page's script kept the device's copy and the service worker is active."""
    browsing.page.wait_for_function(
        "() => document.documentElement.dataset.offlineReady === 'true'"
    )
    browsing.page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def _storage(browsing: Browsing) -> dict[str, Any]:
    """Return the names of the site's IndexedDB databases, its caches and every cached text."""
    return browsing.page.evaluate(
        """async () => {
            const dbs = (await indexedDB.databases()).map(d => d.name);
            const cacheNames = await caches.keys();
            const texts = [];
            for (const name of cacheNames) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) {
                    const response = await cache.match(request);
                    texts.push(request.url + ' ' + (await response.text()));
                }
            }
            return {dbs, cacheNames, texts};
        }"""
    )


def _device_copy(browsing: Browsing) -> str:
    """Return everything in the device's IndexedDB copy, as text."""
    return browsing.page.evaluate(
        """() => new Promise((resolve, reject) => {
            const req = indexedDB.open('broker-offline');
            req.onsuccess = () => {
                const db = req.result;
                const names = [...db.objectStoreNames];
                const t = db.transaction(names, 'readonly');
                const out = {};
                for (const n of names) {
                    const r = t.objectStore(n).getAll();
                    r.onsuccess = () => { out[n] = r.result; };
                }
                t.oncomplete = () => { db.close(); resolve(JSON.stringify(out)); };
                t.onerror = () => reject(t.error);
            };
            req.onerror = () => reject(req.error);
        })"""
    )


def _needs_the_network(browsing: Browsing, *, offline: bool) -> None:
    """Check the kept visit pack's links that need the network: marked offline, as sent online."""
    page = browsing.page
    pdf = page.locator("main a", has_text="Download the visit pack")
    sign_out = page.locator("header button", has_text="Sign out")
    accessibility = page.locator("footer a", has_text="Accessibility statement")
    listing = page.locator("main a[href^='/directory/listings/']").first  # in the offline copy
    if offline:
        for control in (pdf, sign_out, accessibility):
            assert control.text_content().endswith(" – not available offline")
        assert pdf.get_attribute("href") is None
        assert accessibility.get_attribute("href") is None
        assert sign_out.is_disabled()
        browsing.audit()
    else:
        assert pdf.text_content() == "Download the visit pack (PDF, A4)"
        assert pdf.get_attribute("download") is not None
        assert sign_out.text_content() == "Sign out" and sign_out.is_enabled()
        assert accessibility.get_attribute("href") == "/accessibility"
    assert "offline" not in listing.text_content()


def test_a_sip_searches_opens_and_drafts_offline_and_the_draft_is_saved_back_online(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    ids: dict[str, Any],
) -> None:
    with db.new_session(live_server.app) as session:
        sip = session.get(User, ids["sip"])
        assert sip is not None
    browsing = browse_at(width=1024)
    page = browsing.page
    sent_to_device: list[str] = []
    directory_encodings: list[str] = []

    def seen(r: Any) -> None:
        if "/offline/mine.json" in r.url and r.ok:
            sent_to_device.append(r.text())
        if "/offline/directory/" in r.url and r.status == 200:
            directory_encodings.append(r.all_headers().get("content-encoding", ""))

    page.on("response", seen)

    # Online: signing in is all it takes to prepare the device.
    _sign_in(browsing, sip.email)
    assert browsing.path() == "/schools"
    _ready(browsing)
    browsing.visit("/offline")
    page.wait_for_selector("text=Kept for")
    _ready(browsing)
    browsing.audit()
    assert "Kent" in page.text_content("main")
    assert f"Next visit: {SHOWN_NEXT_VISIT}." in page.text_content(
        f"[data-visits='{ids['school']}']"
    )
    # The directory came gzipped, as the server keeps it, and the device read it all the same.
    assert directory_encodings and set(directory_encodings) == {"gzip"}

    # Offline: search for a quoted phrase, and with an abbreviation and a filter.
    page.context.set_offline(True)
    # ... a quoted phrase: its words must be together and in order, in one field.
    browsing.visit('/offline?search=1&q="reading+for+pleasure"')
    page.wait_for_selector("#offline-count")
    results = page.text_content("#offline-results")
    assert "Reading for pleasure across Key Stage 2" in results
    assert "Pupils who read for pleasure at home" in results
    assert "Pleasure in reading" not in results
    assert "Guided reading groups" not in results
    assert page.text_content("#offline-count") == "2 results"
    # ... the same words without quotes: all of them, anywhere in the listing.
    browsing.visit("/offline?search=1&q=reading+for+pleasure")
    page.wait_for_selector("#offline-count")
    assert page.text_content("#offline-count") == "4 results"

    browsing.visit("/offline?search=1&q=SEN&phase=primary")
    page.wait_for_selector("#offline-count")
    browsing.audit()
    results = page.text_content("#offline-results")
    assert "Provision mapping for special educational needs" in results
    assert "Secondary special educational needs review" not in results  # the filter
    assert "Maths mastery" not in results
    assert page.text_content("#offline-count") == "1 result"

    # ... open the listing.
    page.click("text=Provision mapping for special educational needs")
    page.wait_for_selector("#listing-title")
    browsing.audit()
    assert "provision-mapping-team@inclusion-partners-schools.example.org" in page.text_content(
        "main"
    )

    # ... open the school's visit pack (the page itself, kept on the device), where what needs
    # the network (its PDF, signing out, the site's other pages) says so and cannot be followed.
    browsing.visit(f"/schools/{ids['school']}/visit-pack")
    assert OWN_PRIORITY in page.text_content("main")
    _needs_the_network(browsing, offline=True)

    # ... and the results, a listing and the visit pack at a phone's width (320 px).
    page.set_viewport_size({"width": 320, "height": 640})
    browsing.visit("/offline?search=1&q=SEN")
    page.wait_for_selector("#offline-count")
    browsing.audit()
    assert not browsing.has_horizontal_scroll()
    # Each result is a heading of the results, as online, not one under "Filter".
    assert page.locator("#offline-results h2").count() == 2
    page.click("text=Provision mapping for special educational needs")
    page.wait_for_selector("#listing-title")
    browsing.audit()
    assert not browsing.has_horizontal_scroll()
    browsing.visit(f"/schools/{ids['school']}/visit-pack")
    assert OWN_PRIORITY in page.text_content("main")
    assert not browsing.has_horizontal_scroll()
    page.set_viewport_size({"width": 1024, "height": 768})

    # ... record a priority as a draft.
    browsing.visit(f"/offline?school={ids['school']}")
    page.wait_for_selector("text=Add a priority")
    browsing.audit()
    next_visit = page.locator(".govuk-summary-list__row", has_text="Next visit").locator("dd")
    assert next_visit.text_content() == SHOWN_NEXT_VISIT
    page.click("text=Add a priority")
    page.wait_for_selector("#draft-form")
    browsing.audit()
    page.click("#draft-form button[type=submit]")  # empty: the same checks as the form
    page.wait_for_selector(".govuk-error-summary")
    browsing.audit()
    page.fill("#description", NEW_PRIORITY)
    page.select_option("#category", "inclusion-sen-and-vulnerable-groups")
    page.check("#rag")  # red, the first choice
    page.click("#draft-form button[type=submit]")
    page.wait_for_selector("text=Draft kept on this device")
    browsing.audit()

    # ... and a visit note, with the next visit agreed: the visit form's label, hint and checks.
    browsing.visit(f"/offline?school={ids['school']}&draft=visit")
    page.wait_for_selector("#draft-form")
    online_field = VisitForm.next_visit_on  # unbound: its label and hint as declared
    assert page.text_content("fieldset:has(#next_visit_on) legend") == online_field.args[0]
    assert page.text_content("#next_visit_on-hint") == online_field.kwargs["description"]
    for name in ("evidence_notes", "support_category"):
        declared = getattr(VisitForm, name)
        assert page.text_content(f"#{name}-hint") == declared.kwargs["description"], name
    assert page.text_content("label[for=evidence_notes]") == VisitForm.evidence_notes.args[0]
    assert (
        page.text_content("fieldset:has(#support_category) legend")
        == (VisitForm.support_category.args[0])
    )
    online_choices = [choice.label for choice in VisitForm.support_category.kwargs["choices"]]
    assert page.locator("#draft-form input[name=support_category] + label").all_text_contents() == (
        online_choices
    )
    page.check("#evidence")  # the SEF; the support category is the school's, already chosen
    page.fill("#next_visit_on", str(AGREED.day))
    page.click("#draft-form button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    browsing.audit()
    assert "The date of the next visit must include a month and year" in page.text_content(
        "#next_visit_on-error"
    )
    assert page.input_value("#next_visit_on") == str(AGREED.day)  # as typed
    page.fill("#next_visit_on-month", str(AGREED.month))
    page.fill("#next_visit_on-year", str(AGREED.year))
    page.click("#draft-form button[type=submit]")
    page.wait_for_selector("text=Draft kept on this device")
    browsing.audit()
    browsing.visit("/offline")
    page.wait_for_selector("[data-draft-status=waiting]")
    assert page.locator("[data-draft-status=waiting]").count() == 2
    browsing.audit()

    # Back online: the visit pack offers its PDF again, and the drafts are sent and saved.
    browsing.visit(f"/schools/{ids['school']}/visit-pack")
    _needs_the_network(browsing, offline=True)
    page.context.set_offline(False)
    page.wait_for_selector(f"a[href='/schools/{ids['school']}/visit-pack.pdf']")
    _needs_the_network(browsing, offline=False)
    browsing.visit("/offline")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-draft-status=saved]').length === 2",
        timeout=15_000,
    )
    page.wait_for_load_state("networkidle")
    with db.new_session(live_server.app) as session:
        saved = session.exec(select(Priority).where(Priority.description == NEW_PRIORITY)).all()
        assert len(saved) == 1
        assert saved[0].school_id == ids["school"]
        assert saved[0].rag == "red"
        noted = session.exec(select(SchoolVisit).where(SchoolVisit.next_visit_on == AGREED)).all()
        assert [(v.school_id, v.visited_on) for v in noted] == [(ids["school"], date.today())]

    # Nothing of the neighbour SIP's school ever reached this device.
    assert sent_to_device, "the device's copy was never fetched"
    copy = _device_copy(browsing)
    for text in [*sent_to_device, copy]:
        assert NEIGHBOURS_SECRET not in text
        assert ids["neighbour_name"] not in text
    assert OWN_PRIORITY in copy

    # Signing out leaves no school data in the browser's storage.
    browsing.visit("/schools")
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/sign-in")
    browsing.audit()
    left = _storage(browsing)
    assert "broker-offline" not in left["dbs"]
    assert "broker-private" not in left["cacheNames"]
    for text in left["texts"]:
        assert OWN_PRIORITY not in text
        assert ids["school_name"] not in text
        assert "/visit-pack" not in text.split(" ", 1)[0]


def test_an_anonymous_visitor_keeps_no_copy_and_gets_the_offline_page(
    browse_at: Callable[..., Browsing],  # noqa: F811
    ids: dict[str, Any],
) -> None:
    browsing = browse_at(width=320, height=640)
    browsing.visit("/offline")
    page = browsing.page
    page.wait_for_function("() => document.documentElement.dataset.offlineReady === 'true'")
    page.wait_for_selector("text=This device has no offline copy")
    browsing.audit()
    assert "broker-offline" not in _storage(browsing)["dbs"]
    assert not browsing.has_horizontal_scroll()
