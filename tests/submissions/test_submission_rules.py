"""Validation keeps what was typed and explains itself; the rules of a submission hold."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import Session, select

from broker.models import Listing, ListingReferee, Provider
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


def _error_summary_links(page: str) -> list[tuple[str, str]]:
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def test_validation_errors_keep_the_input_and_link_the_summary_to_each_field(
    any_app: Flask, any_session: Session
) -> None:
    client = signed_in(any_app.test_client(), provider_user(any_session))
    base = f"/provider/listings/{new_draft(client)}"
    typed = {
        "title": "",
        "summary": "A summary that <b>stays</b> as typed",
        "description": "x" * 10001,
        "ecm_outcomes": ["stay-safe"],
        "submit": "Save and continue",
    }
    response = client.post(f"{base}/about", data=typed)
    assert response.status_code == 400
    page = text(response)
    assert re.search(r"<title>\s*Error: About the service", page)
    links = dict(_error_summary_links(page))
    assert links == {
        "title": "Enter the title of the service",
        "description": "The description must be 10,000 characters or fewer",
        "categories": "Select at least one area of support",
    }
    assert 'data-module="govuk-error-summary"' in page  # focused by GOV.UK Frontend on load
    assert 'id="title"' in page and 'id="categories"' in page and 'id="description"' in page
    # Nothing typed is lost, and it is escaped.
    assert "A summary that &lt;b&gt;stays&lt;/b&gt; as typed" in page
    assert "x" * 10001 in page
    assert re.search(r'value="stay-safe"\s+checked', page)


def test_price_note_is_required_when_the_service_is_paid(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    client = signed_in(any_app.test_client(), provider_user(s))
    listing_id = new_draft(client)
    base = f"/provider/listings/{listing_id}"
    response = client.post(f"{base}/cost", data={"cost": "paid", "price_note": "  ", "submit": "x"})
    assert response.status_code == 400
    page = text(response)
    assert _error_summary_links(page) == [
        ("price_note", "Enter a price note, such as a day rate or course fee")
    ]
    assert re.search(r'value="paid"\s+checked', page)
    s.expire_all()
    assert s.get(Listing, listing_id).cost == ""  # type: ignore[union-attr]  # nothing saved
    assert client.post(f"{base}/cost", data={"cost": "free", "submit": "x"}).status_code == 302
    assert client.post(f"{base}/cost", data={**COST, "submit": "x"}).status_code == 302
    s.expire_all()
    saved = s.get(Listing, listing_id)
    assert saved is not None and (saved.cost, saved.price_note) == ("paid", "£450 a day")


def test_where_the_service_is_provided_is_required(any_app: Flask, any_session: Session) -> None:
    client = signed_in(any_app.test_client(), provider_user(any_session))
    base = f"/provider/listings/{new_draft(client)}"
    response = client.post(f"{base}/delivery", data={"delivery": ["network"], "submit": "x"})
    assert response.status_code == 400
    assert _error_summary_links(text(response))[0][0] == "national"
    ok = client.post(
        f"{base}/delivery", data={"delivery": ["network"], "national": "y", "submit": "x"}
    )
    assert ok.status_code == 302


def test_unknown_choices_are_refused_not_stored(any_app: Flask, any_session: Session) -> None:
    client = signed_in(any_app.test_client(), provider_user(any_session))
    base = f"/provider/listings/{new_draft(client)}"
    response = client.post(f"{base}/about", data={**ABOUT, "categories": ["astrology"]})
    assert response.status_code == 400
    assert "categories" in dict(_error_summary_links(text(response)))


def test_own_school_is_refused_as_a_referee(any_app: Flask, any_session: Session) -> None:
    s = any_session
    own = f.school(s, name="Hilltop Teaching School", urn="140001")
    user = provider_user(s, kind="school-to-school", school_id=own.id)
    client = signed_in(any_app.test_client(), user)
    listing_id = new_draft(client)
    base = f"/provider/listings/{listing_id}"
    found = text(client.get(f"{base}/referees", query_string={"q": "Hilltop"}))
    assert "your own school cannot be a referee" in found
    response = client.post(f"{base}/referees/add", data={"school_id": str(own.id)})
    assert response.status_code == 400
    assert _error_summary_links(text(response)) == [
        ("q", "Your own school cannot be a referee: choose schools you have worked with")
    ]
    assert s.exec(select(ListingReferee).where(ListingReferee.listing_id == listing_id)).all() == []


def test_fewer_than_two_referees_is_refused(any_app: Flask, any_session: Session) -> None:
    s = any_session
    school = f.school(s)
    client = signed_in(any_app.test_client(), provider_user(s))
    base = f"/provider/listings/{new_draft(client)}"
    response = client.post(f"{base}/referees")
    assert response.status_code == 400
    assert "Choose at least 2 referee schools (2 more)" in text(response)
    client.post(f"{base}/referees/add", data={"school_id": str(school.id)})
    # The same school twice is still one school.
    client.post(f"{base}/referees/add", data={"school_id": str(school.id)})
    response = client.post(f"{base}/referees")
    assert response.status_code == 400
    assert _error_summary_links(text(response)) == [
        ("q", "Choose at least 2 referee schools (1 more): schools that have used your service")
    ]
    assert "In progress" in text(client.get(base))


def test_submitting_an_unfinished_listing_is_refused_with_the_task_named(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    client = signed_in(any_app.test_client(), provider_user(s))
    listing_id = new_draft(client)
    base = f"/provider/listings/{listing_id}"
    client.post(f"{base}/about", data=ABOUT)
    response = client.post(f"{base}/submit")
    assert response.status_code == 400
    page = text(response)
    assert re.search(r"<title>\s*Error: Check your answers", page)
    assert _error_summary_links(page) == [
        ("audience", "Complete “Who it is for” before you submit")
    ]
    s.expire_all()
    assert s.get(Listing, listing_id).status == "draft"  # type: ignore[union-attr]


def test_school_to_school_provider_must_give_a_known_urn(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    la = f.local_authority(s)
    school = f.school(s, la=la, urn="150123")
    user = provider_user(s)
    provider = s.get(Provider, user.provider_id)
    assert provider is not None
    client = signed_in(any_app.test_client(), user)
    base = f"/provider/listings/{new_draft(client)}"
    data = organisation(provider, la, kind="school-to-school", school_urn="")
    response = client.post(f"{base}/organisation", data=data)
    assert response.status_code == 400
    assert _error_summary_links(text(response))[0][0] == "school_urn"
    response = client.post(f"{base}/organisation", data={**data, "school_urn": "999999"})
    assert "No school in the register has the URN 999999" in text(response)
    assert 'value="999999"' in text(response)
    assert (
        client.post(f"{base}/organisation", data={**data, "school_urn": "150123"}).status_code
        == 302
    )
    s.expire_all()
    saved = s.get(Provider, provider.id)
    assert saved is not None and saved.school_id == school.id and saved.kind == "school-to-school"


def test_search_box_treats_wildcards_as_text(any_app: Flask, any_session: Session) -> None:
    s = any_session
    f.school(s, name="St Mary's 100% Primary")
    f.school(s, name="Another Primary")
    client = signed_in(any_app.test_client(), provider_user(s))
    base = f"/provider/listings/{new_draft(client)}"
    page = text(client.get(f"{base}/referees", query_string={"q": "100%"}))
    assert "St Mary&#39;s 100% Primary" in page and "Another Primary" not in page
    assert "0 schools found" in text(client.get(f"{base}/referees", query_string={"q": "%_"}))


def test_every_page_of_a_new_draft_renders(any_app: Flask, any_session: Session) -> None:
    f.local_authority(any_session, name="Westmere")
    client = signed_in(any_app.test_client(), provider_user(any_session))
    base = f"/provider/listings/{new_draft(client)}"
    for page in ("", "/organisation", "/about", "/audience", "/delivery", "/cost", "/contact",
                 "/referees", "/check", "/withdraw"):  # fmt: skip
        response = client.get(base + page)
        assert response.status_code == 200, page
    assert "Westmere" in text(client.get(f"{base}/delivery"))
    assert "Westmere" in text(client.get(f"{base}/organisation"))


def test_a_complete_submission_uses_every_answer(any_app: Flask, any_session: Session) -> None:
    """Guard the helpers: the answers above make a complete, submittable listing."""
    s = any_session
    la = f.local_authority(s)
    schools = [f.school(s, la=la) for _ in range(2)]
    user = provider_user(s)
    provider = s.get(Provider, user.provider_id)
    client = signed_in(any_app.test_client(), user)
    listing_id = new_draft(client)
    base = f"/provider/listings/{listing_id}"
    client.post(f"{base}/organisation", data=organisation(provider, la))
    for page, data in (("about", ABOUT), ("audience", AUDIENCE), ("delivery", delivery(la)),
                       ("cost", COST), ("contact", CONTACT)):  # fmt: skip
        assert client.post(f"{base}/{page}", data=data).status_code == 302, page
    for school in schools:
        client.post(f"{base}/referees/add", data={"school_id": str(school.id)})
    client.post(f"{base}/referees")
    assert client.post(f"{base}/submit").status_code == 302
    s.expire_all()
    assert s.get(Listing, listing_id).status == "submitted"  # type: ignore[union-attr]
