"""The register's pages, the shortlist form's declaration, what the head and the LA see beside the
shortlisted item, and the QA queue's mark and refusal, through the app's routes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlmodel import Session, select

from broker.interests import services as interests
from broker.models import Brokerage, Interest, Provider
from tests import factories as f
from tests.schools import world as w

PROVIDER = "Helen Marsh Education Consultancy"
LONG_AGO = date.today() - timedelta(days=400)


def _form(**kw: Any) -> dict[str, Any]:
    body = {
        "provider": PROVIDER,
        "kind": "paid-work",
        "details": "Associate <b>consultant</b>",
        "started_on": [str(LONG_AGO.day), str(LONG_AGO.month), str(LONG_AGO.year)],
        "ended_on": ["", "", ""],
    }
    body.update(kw)
    return body


def _register(s: Session, user: Any) -> None:
    interests.add(
        s,
        user,
        provider_name=PROVIDER,
        kind="employment",
        started_on=LONG_AGO,
        details="Former associate",
    )
    s.commit()


def test_a_sip_keeps_their_register_on_its_page(app: Flask, session: Session) -> None:
    s = session
    world = w.build(s)
    client = w.client_for(app, world.sip)
    assert "Your register of interests" in client.get("/account").get_data(as_text=True)
    page = client.get("/account/interests")
    assert page.status_code == 200
    assert "You have registered no interests." in page.get_data(as_text=True)
    added = client.post("/account/interests", data=_form())
    assert added.status_code == 302
    shown = client.get("/account/interests").get_data(as_text=True)
    assert PROVIDER in shown and "Counts now" in shown
    assert "Associate &lt;b&gt;consultant&lt;/b&gt;" in shown
    assert "<b>consultant</b>" not in shown
    interest = s.exec(select(Interest)).one()
    removed = client.post(f"/account/interests/{interest.id}/remove")
    assert removed.status_code == 302
    assert "You have registered no interests." in client.get("/account/interests").get_data(
        as_text=True
    )


def test_bad_entries_are_shown_on_the_form_never_a_500(app: Flask, session: Session) -> None:
    s = session
    world = w.build(s)
    f.provider(s, name="Marsh Maths Ltd")
    s.commit()
    client = w.client_for(app, world.qa)
    cases = [
        (_form(started_on=["1", "", "2024"]), "must include a month"),
        (_form(started_on=["31", "2", "2024"]), "must be a real date"),
        (_form(started_on=["", "", ""]), "Enter the date the interest started"),
        (_form(provider="Marsh"), "More than one provider matches"),
        (_form(provider=""), "Enter the provider"),
        (_form(kind="bribery"), "Select the kind of interest"),
        (_form(ended_on=["1", "1", "2000"]), "on or after the date it started"),
    ]
    for body, message in cases:
        response = client.post("/account/interests", data=body)
        assert response.status_code == 400, message
        page = response.get_data(as_text=True)
        assert "There is a problem" in page and message in page, message
    assert s.exec(select(Interest)).all() == []


def test_only_sips_and_qa_officers_reach_the_register(app: Flask, session: Session) -> None:
    s = session
    world = w.build(s)
    assert w.client_for(app, world.head).get("/account/interests").status_code == 403
    assert w.client_for(app, world.provider).get("/account/interests").status_code == 403
    anonymous = w.client_for(app, None).get("/account/interests")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    _register(s, world.sip)
    interest = s.exec(select(Interest)).one()
    other = w.client_for(app, world.neighbour_sip)
    assert other.post(f"/account/interests/{interest.id}/remove").status_code == 404


def test_the_shortlist_form_asks_for_the_declaration_and_the_circle_sees_it(
    app: Flask, session: Session
) -> None:
    s = session
    world = w.build(s)
    _, (priority,) = w.visit(s, world)
    _register(s, world.sip)
    sip = w.client_for(app, world.sip)
    url = f"/brokerage/shortlist?listing_id={world.listing.id}"
    form_page = sip.get(url).get_data(as_text=True)
    assert f"You registered an interest in {PROVIDER}" in form_page
    assert 'name="declaration"' in form_page
    listing_page = sip.get(f"/directory/listings/{world.listing.id}").get_data(as_text=True)
    assert "You registered an interest in this provider" in listing_page
    body = {"listing_id": str(world.listing.id), "priority_id": str(priority.id)}
    refused = sip.post("/brokerage/shortlist", data=body)
    assert refused.status_code == 400
    assert "declare it to shortlist this listing" in refused.get_data(as_text=True)
    assert s.exec(select(Brokerage)).all() == []
    # The matcher's one-click button cannot ask, so it sends the SIP to the form that does.
    clicked = sip.post(
        f"/schools/{world.school.id}/priorities/{priority.id}/shortlist",
        data={"listing_id": str(world.listing.id)},
    )
    assert clicked.status_code == 302
    assert clicked.headers["Location"].startswith("/brokerage/shortlist?listing_id=")
    words = "I did paid work for <i>them</i> until last year."
    done = sip.post("/brokerage/shortlist", data={**body, "declaration": words})
    assert done.status_code == 302
    row = s.exec(select(Brokerage)).one()
    escaped = "I did paid work for &lt;i&gt;them&lt;/i&gt; until last year."
    for user in (world.head, world.qa):
        client = w.client_for(app, user)
        detail = client.get(f"/brokerage/{row.id}").get_data(as_text=True)
        assert "SIP’s declared interest" in detail and escaped in detail
        priority_page = client.get(f"/schools/{world.school.id}/priorities/{priority.id}")
        assert "Interest declared" in priority_page.get_data(as_text=True)
        school_page = client.get(f"/schools/{world.school.id}").get_data(as_text=True)
        assert "SIP declared an interest" in school_page
        pack = client.get(f"/schools/{world.school.id}/visit-pack").get_data(as_text=True)
        assert "The SIP declared an interest in this provider:" in pack and escaped in pack
    outsider = w.client_for(app, world.neighbour_head).get(f"/brokerage/{row.id}")
    assert outsider.status_code == 403


def test_the_queue_marks_an_officers_interest_and_refuses_their_decision(
    app: Flask, session: Session
) -> None:
    s = session
    world = w.build(s)
    provider = s.get(Provider, world.listing.provider_id)
    listing = f.listing(
        s,
        provider,
        status="submitted",
        national=False,
        local_authorities=[world.la.code],
        title="Phonics for Year 1",
    )
    s.commit()
    _register(s, world.qa)
    qa = w.client_for(app, world.qa)
    queue = qa.get("/qa").get_data(as_text=True)
    assert "Your interest: another officer decides" in queue
    review = qa.get(f"/qa/listings/{listing.id}").get_data(as_text=True)
    assert "another officer must decide" in review
    assert f'action="/qa/listings/{listing.id}/approve"' not in review
    refused = qa.post(f"/qa/listings/{listing.id}/approve", data={"approve-note": ""})
    assert refused.status_code == 403
    assert f"You registered an interest in {PROVIDER}" in refused.get_data(as_text=True)
    s.expire_all()
    assert s.get(type(listing), listing.id).status == "submitted"  # type: ignore[union-attr]
    colleague = w.make_user(s, "qa_officer", la_id=world.la.id, enrolled=True)
    other = w.client_for(app, colleague)
    assert "Your interest" not in other.get("/qa").get_data(as_text=True)
