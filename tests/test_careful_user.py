"""Small things a careful user hit: no "Recommend" button a head could never use, the impact
statement's length said up front, no renewal of a listing assured today, the QA queue's list
agreeing with its tab, the description's character count, and the accessibility statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session

from broker.models import Listing, utcnow
from tests import factories as f
from tests.schools import world as w


@pytest.fixture
def world(session: Session) -> w.World:
    return w.build(session)


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_a_head_sees_no_recommend_button_on_their_own_schools_listing(
    app: Flask, session: Session, world: w.World
) -> None:
    own = f.assured_provider(session, listings=0, name="St Aidan's Teaching School")
    own.school_id = world.school.id
    session.add(own)
    listing = f.listing(session, own, title="Phonics partnership from St Aidan's")
    session.commit()
    head = w.client_for(app, world.head)

    page = _text(head.get(f"/directory/listings/{listing.id}"))
    assert "Recommend St Aidan" not in page
    assert (
        "Your school cannot recommend itself, so there is no recommendation to make here." in page
    )
    refused = head.get(f"/directory/listings/{listing.id}/recommend")
    assert refused.status_code == 403
    assert "Your school cannot recommend itself." in _text(refused)

    # Another school's head is offered the button, and the form.
    other = w.client_for(app, world.neighbour_head)
    assert f"/directory/listings/{listing.id}/recommend" in _text(
        other.get(f"/directory/listings/{listing.id}")
    )
    assert other.get(f"/directory/listings/{listing.id}/recommend").status_code == 200


def test_the_impact_statement_says_how_long_it_must_be(app: Flask, world: w.World) -> None:
    head = w.client_for(app, world.head)
    page = _text(head.get(f"/directory/listings/{world.listing.id}/recommend"))
    assert "Write at least 20 characters (at most 2,000)." in page
    impact = page.split('id="impact"')[0].rsplit('data-module="govuk-character-count"', 1)
    assert len(impact) == 2 and 'data-maxlength="2000"' in impact[1]


def test_renewal_is_not_offered_or_accepted_for_a_listing_assured_today(
    app: Flask, session: Session, world: w.World
) -> None:
    listing = world.listing  # assured today, for a year
    provider = w.client_for(app, world.provider)
    dashboard = _text(provider.get("/provider"))
    assert "Renew assurance" not in dashboard
    assert "You can renew its assurance in the 30 days before it ends." in dashboard

    response = provider.post(f"/provider/listings/{listing.id}/renew", follow_redirects=True)
    assert "is not running out yet" in _text(response)
    session.expire_all()
    assert session.get(Listing, listing.id).review_requested_at is None  # type: ignore[union-attr]

    # Within the last 30 days it is offered, and accepted.
    listing = session.get(Listing, listing.id)  # type: ignore[assignment]
    listing.assurance_expires_at = utcnow() + timedelta(days=20)
    session.add(listing)
    session.commit()
    assert "Renew assurance" in _text(provider.get("/provider"))
    provider.post(f"/provider/listings/{listing.id}/renew")
    session.expire_all()
    assert session.get(Listing, listing.id).review_requested_at is not None  # type: ignore[union-attr]


def test_a_queue_page_past_the_end_shows_the_last_page_not_nothing(
    app: Flask, session: Session, world: w.World
) -> None:
    provider = f.provider(session, la_id=world.la.id, name="Queue Test Provider")
    f.listing(session, provider, status="submitted", title="Waiting listing")
    session.commit()
    qa = w.client_for(app, world.qa)
    page = _text(qa.get("/qa?show=review&page=5"))
    assert "Waiting for review (1)" in page
    assert "Waiting listing" in page and "Nothing here." not in page


def test_the_description_field_counts_characters_up_to_its_limit(
    app: Flask, world: w.World
) -> None:
    provider = w.client_for(app, world.provider)
    created = provider.post("/provider/listings/new")
    page = _text(provider.get(created.headers["Location"] + "/about"))
    description = page.split('id="description"')[0].rsplit('data-module="govuk-character-count"', 1)
    assert len(description) == 2, "the description is not in a character count"
    assert 'data-maxlength="10000"' in description[1]
    assert "You can enter up to 10000 characters" in page.split('id="description"')[1]


def test_the_accessibility_statement_is_linked_from_every_pages_footer(client: object) -> None:
    home = _text(client.get("/"))  # type: ignore[attr-defined]
    assert 'href="/accessibility"' in home.split('class="govuk-footer"')[1]
    statement = _text(client.get("/accessibility"))  # type: ignore[attr-defined]
    assert "WCAG" in statement and "2.2" in statement and "320 pixels" in statement


def test_an_assured_listing_whose_schools_aged_out_is_under_fewer_than_two_not_assured(
    app: Flask, session: Session, world: w.World
) -> None:
    from datetime import date

    provider = f.provider(session, la_id=world.la.id, name="Ageing Evidence Ltd")
    f.recommendation(session, provider, world.neighbour)
    f.recommendation(session, provider, world.far, made_on=date.today() - timedelta(days=4 * 365))
    f.listing(session, provider, title="Listing with one valid school")
    fine = f.assured_provider(session, listings=0, la_id=world.la.id, name="Two Schools Ltd")
    f.listing(session, fine, title="Listing with two schools")
    session.commit()
    qa = w.client_for(app, world.qa)
    assured = _text(qa.get("/qa?show=assured"))
    fewer = _text(qa.get("/qa?show=recommendations-needed"))
    assert "Listing with one valid school" not in assured
    assert "Listing with two schools" in assured and "Assured (1)" in assured
    assert "Listing with one valid school" in fewer and "Fewer than two schools (1)" in fewer
    assert "Assured: 1 listing" in assured
