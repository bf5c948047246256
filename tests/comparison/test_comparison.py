"""Comparing listings side by side: public listings only, at most four, clear messages for the rest."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session

from broker.models import Brokerage, Listing
from tests import factories as f
from tests.schools import world as w


def _listing(session: Session, **kw: Any) -> Listing:
    provider = f.assured_provider(session, listings=0)
    return f.listing(session, provider, **kw)


def _assured(session: Session, n: int) -> list[Listing]:
    made = [_listing(session, title=f"Compared service {i}") for i in range(n)]
    session.commit()
    return made


def _url(*ids: object, **extra: str) -> str:
    query = "&".join([f"id={i}" for i in ids] + [f"{k}={v}" for k, v in extra.items()])
    return f"/directory/compare?{query}"


def test_two_listings_are_compared_with_cost_phases_areas_where_delivery_and_evidence(
    client: FlaskClient, session: Session
) -> None:
    la = f.local_authority(session, name="Medway Towns")
    provider = f.provider(session, name="Phonics Partners")
    f.recommendation(
        session, provider, service_title="Phonics audit", impact="Year 1 phonics check up 20%."
    )
    f.recommendation(session, provider)
    first = f.listing(
        session,
        provider,
        title="Phonics leadership coaching",
        cost="paid",
        price_note="£450 a day",
        phases=["primary", "early-years"],
        categories=["curriculum-and-subject-support"],
        delivery=["coaching-or-mentoring"],
        national=False,
        local_authorities=[la.code],
    )
    second = _listing(session, title="Governance review", cost="free", national=True)
    session.commit()

    response = client.get(_url(first.id, second.id))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    table = page[page.index("<table") : page.index("</table>")]
    for text in (
        "Phonics leadership coaching",
        "Phonics Partners",
        "Governance review",
        "Paid: £450 a day",
        "Free",
        "Primary, Early years",
        "Curriculum and Subject Support",
        "Coaching or mentoring",
        "Local authority: Medway Towns",
        "National: schools anywhere in England",
        "2 schools",
        "Year 1 phonics check up 20%.",
        "Used: Phonics audit.",
        "No impact recorded yet",
    ):
        assert text in table, text
    # One column per listing, in the order chosen.
    assert table.index("Phonics leadership coaching") < table.index("Governance review")


def test_outcomes_of_brokered_work_show_count_and_average_rating(
    client: FlaskClient, session: Session
) -> None:
    world = w.build(session)
    _visit, (priority,) = w.visit(session, world)
    row = w.shortlisted(session, world, priority)
    row.state, row.impact_rating = "evaluated", 3
    session.add(row)
    session.commit()

    page = client.get(_url(world.listing.id)).get_data(as_text=True)

    assert "Impact recorded 1 time, average 3.0 out of 4" in page
    assert session.get(Brokerage, row.id) is not None


def test_a_listing_that_is_not_public_is_never_shown_and_is_said_to_be_missing(
    client: FlaskClient, session: Session
) -> None:
    (public,) = _assured(session, 1)
    draft = f.listing(session, title="Secret draft service", status="draft")
    suspended = f.listing(session, title="Suspended service", status="suspended")
    lapsed = _listing(session, title="Lapsed service")
    lapsed.assurance_expires_at = lapsed.assured_at  # ran out at once
    session.add(lapsed)
    session.commit()

    response = client.get(_url(public.id, draft.id, suspended.id, lapsed.id))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Compared service 0" in page
    for hidden in ("Secret draft service", "Suspended service", "Lapsed service"):
        assert hidden not in page
    assert "These listings are not in the directory" in page


def test_unknown_and_malformed_ids_get_a_clear_message_never_an_error(
    client: FlaskClient, session: Session
) -> None:
    for query in ("id=999999", "id=abc", "id=99999999999999999999", "id=-1", "id=%EF%BC%91"):
        response = client.get(f"/directory/compare?{query}")
        assert response.status_code == 404, query
        assert "is not in the directory" in response.get_data(as_text=True), query


def test_more_than_four_listings_are_refused_with_a_way_to_remove_some(
    client: FlaskClient, session: Session
) -> None:
    chosen = _assured(session, 6)

    response = client.get(_url(*(item.id for item in chosen)))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "You can compare up to 4 listings at a time. You chose 6: remove 2 listings" in page
    assert "<table" not in page
    removes = re.findall(r'href="(/directory/compare\?[^"]+)"', page)
    assert len(removes) == 6
    after = client.get(removes[0].replace("&amp;", "&"))
    assert after.status_code == 400  # five is still too many
    assert "remove 1 listing " in after.get_data(as_text=True)


def test_four_listings_and_repeated_ids_are_fine(client: FlaskClient, session: Session) -> None:
    chosen = _assured(session, 4)
    ids = [item.id for item in chosen]

    response = client.get(_url(*ids, ids[0]))

    assert response.status_code == 200
    assert "4 listings side by side" in response.get_data(as_text=True)


def test_nothing_chosen_explains_how_to_choose(client: FlaskClient) -> None:
    response = client.get("/directory/compare")
    assert response.status_code == 200
    assert "Choose up to 4 listings to compare" in response.get_data(as_text=True)


def test_users_text_is_escaped(client: FlaskClient, session: Session) -> None:
    item = _listing(session, title="<script>alert(1)</script>", price_note="<b>£1</b>")
    session.commit()
    page = client.get(_url(item.id)).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;£1&lt;/b&gt;" in page


def test_a_back_link_returns_only_to_this_site(client: FlaskClient, session: Session) -> None:
    (item,) = _assured(session, 1)
    own = client.get(_url(item.id, back="/directory?q=phonics")).get_data(as_text=True)
    assert 'href="/directory?q=phonics"' in own
    away = client.get(_url(item.id, back="//evil.example/x")).get_data(as_text=True)
    assert "evil.example" not in away


def test_the_results_page_offers_each_listing_for_comparison(
    client: FlaskClient, session: Session
) -> None:
    chosen = _assured(session, 2)
    page = client.get("/directory").get_data(as_text=True)
    assert 'id="compare-form" action="/directory/compare" method="get"' in page
    for item in chosen:
        assert f'name="id" type="checkbox" value="{item.id}" form="compare-form"' in page
    assert 'form="compare-form"' in page.split('id="compare-selected"')[1].split("</div>")[0]


def test_a_priority_shortlist_offers_its_listings_for_comparison(
    app: Any, session: Session
) -> None:
    world = w.build(session)
    _visit, (priority,) = w.visit(session, world)
    w.shortlisted(session, world, priority)
    w.shortlisted(session, world, priority, world.other_listing)
    client = w.client_for(app, world.head)

    page = client.get(f"/schools/{world.school.id}/priorities/{priority.id}").get_data(as_text=True)

    form = page.split('id="shortlist-compare"')[1].split("</form>")[0]
    for item in (world.listing, world.other_listing):
        assert f'value="{item.id}" checked' in form
    compared = client.get(_url(world.listing.id, world.other_listing.id))
    assert "Governance health check" in compared.get_data(as_text=True)
