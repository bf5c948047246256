"""A provider submits a listing through the task list, page by page, and sees what happens next."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import Session, select

from broker.models import Listing, ListingSection, Provider, Recommendation
from tests import factories as f
from tests.submissions.helpers import (
    ABOUT,
    AUDIENCE,
    CONTACT,
    COST,
    delivery,
    new_draft,
    organisation,
    provider_user,
    signed_in,
    text,
)


def test_full_task_list_journey_submits_the_listing_and_asks_the_referees(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    la = f.local_authority(s, name="Northshire")
    oak = f.school(s, la=la, name="Oak Tree Primary School", urn="131001")
    elm = f.school(s, la=la, name="Elm Street Infants", urn="131002")
    user = provider_user(s, name="Bright Start Learning")
    provider = s.get(Provider, user.provider_id)
    assert provider is not None
    client = signed_in(any_app.test_client(), user)

    assert "Add a listing" in text(client.get("/provider"))
    listing_id = new_draft(client)
    base = f"/provider/listings/{listing_id}"
    page = text(client.get(base))
    assert page.count("Not started") == 6  # five listing pages and the referees
    assert "Cannot start yet" in page
    assert f'href="{base}/check"' not in page

    assert client.post(f"{base}/organisation", data=organisation(provider, la)).status_code == 302
    assert client.post(f"{base}/about", data=ABOUT).status_code == 302
    assert client.post(f"{base}/audience", data=AUDIENCE).status_code == 302
    assert client.post(f"{base}/delivery", data=delivery(la)).status_code == 302
    assert client.post(f"{base}/cost", data=COST).status_code == 302
    assert client.post(f"{base}/contact", data=CONTACT).status_code == 302

    found = text(client.get(f"{base}/referees", query_string={"q": "oak tree"}))
    assert "Oak Tree Primary School" in found and "Elm Street" not in found
    by_urn = text(client.get(f"{base}/referees", query_string={"q": "131002"}))
    assert "Elm Street Infants" in by_urn
    for school in (oak, elm):
        response = client.post(f"{base}/referees/add", data={"school_id": str(school.id)})
        assert response.status_code == 302
    assert client.post(f"{base}/referees").headers["Location"] == base

    page = text(client.get(base))
    assert "Not started" in page and "Cannot start yet" not in page  # only "check" is left
    assert page.count("Completed") == 7

    check = text(client.get(f"{base}/check"))
    for answer in (
        "Bright Start Learning",
        "Phonics catch-up for Year 1",
        "Teaching and Learning, Curriculum and Subject Support",
        "Primary",
        "EAL",
        "On-site consultancy, Coaching or mentoring",
        "London",
        "Northshire",
        "£450 a day",
        "Oak Tree Primary School (URN 131001)",
        "https://www.example.org",
    ):
        assert answer in check, answer
    assert f'href="{base}/cost?return=check"' in check
    assert check.count(">Change<") >= 15 or check.count("Change<span") >= 15

    response = client.post(f"{base}/submit")
    assert response.status_code == 302 and response.headers["Location"] == "/provider"
    s.expire_all()
    listing = s.get(Listing, listing_id)
    assert listing is not None and listing.status == "submitted"
    assert listing.title == "Phonics catch-up for Year 1" and listing.price_note == "£450 a day"
    assert listing.local_authorities == [la.code] and listing.regions == ["london"]
    asked = s.exec(select(Recommendation).where(Recommendation.provider_id == provider.id)).all()
    assert {(r.school_id, r.status) for r in asked} == {
        (oak.id, "requested"),
        (elm.id, "requested"),
    }

    dashboard = text(client.get("/provider"))
    assert "Your listing has been submitted" in dashboard
    assert "Awaiting recommendations: 0 of 2 received" in dashboard
    # Submitted listings cannot be changed while QA may be looking at them.
    assert client.get(f"{base}/about").headers["Location"] == base
    assert client.post(f"{base}/about", data=ABOUT).status_code == 302
    assert "cannot change this listing" in text(client.get(base))


def test_changes_on_check_answers_return_to_check_answers(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    la = f.local_authority(s)
    schools = [f.school(s, la=la) for _ in range(2)]
    user = provider_user(s)
    provider = s.get(Provider, user.provider_id)
    client = signed_in(any_app.test_client(), user)
    base = f"/provider/listings/{new_draft(client)}"
    client.post(f"{base}/organisation", data=organisation(provider, la))
    for page, data in (("about", ABOUT), ("audience", AUDIENCE), ("delivery", delivery(la)),
                       ("cost", COST), ("contact", CONTACT)):  # fmt: skip
        client.post(f"{base}/{page}", data=data)
    for school in schools:
        client.post(f"{base}/referees/add", data={"school_id": str(school.id)})
    client.post(f"{base}/referees")
    changed = {**COST, "cost": "free", "price_note": ""}
    response = client.post(f"{base}/cost?return=check", data=changed)
    assert response.headers["Location"] == f"{base}/check"
    assert "Free" in text(client.get(f"{base}/check"))


def test_save_and_come_back_later_keeps_a_half_done_page_in_progress(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    user = provider_user(s)
    client = signed_in(any_app.test_client(), user)
    listing_id = new_draft(client)
    base = f"/provider/listings/{listing_id}"
    response = client.post(
        f"{base}/about", data={"title": "Governor training", "later": "Save and come back later"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/provider"
    s.expire_all()
    assert s.get(Listing, listing_id).title == "Governor training"  # type: ignore[union-attr]
    section = s.get(ListingSection, (listing_id, "about"))
    assert section is not None and section.state == "in-progress"
    assert "In progress" in text(client.get(base))
    dashboard = text(client.get("/provider"))
    assert "Governor training" in dashboard and "Continue your draft" in dashboard
    # What was saved is shown again.
    assert 'value="Governor training"' in text(client.get(f"{base}/about"))


def test_task_list_links_only_to_own_pages(any_app: Flask, any_session: Session) -> None:
    user = provider_user(any_session)
    client = signed_in(any_app.test_client(), user)
    base = f"/provider/listings/{new_draft(client)}"
    links = set(re.findall(r'href="(/provider/listings/[^"]+)"', text(client.get(base))))
    assert links == {
        f"{base}/organisation", f"{base}/about", f"{base}/audience", f"{base}/delivery",
        f"{base}/cost", f"{base}/contact", f"{base}/referees",
    }  # fmt: skip
