"""The capacity page, and what the directory's pages and the API show of capacity, through the
app's routes (bad input on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from broker import availability
from broker.capacity import services as capacity
from broker.models import Provider, User
from tests import factories as f
from tests.auth.helpers import make_user, sign_in_fully


def _provider(s: Session, name: str = "Tees Valley Maths Hub", **kw: Any) -> tuple[Provider, User]:
    provider = f.assured_provider(s, listings=0, name=name)
    f.listing(s, provider, title=kw.pop("title", "Mastery maths for primary"))
    user = make_user(s, role="provider", provider_id=provider.id)
    s.commit()
    return provider, user


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in_fully(client, user)
    return client


def _date(days: int) -> list[str]:
    d = availability.today() + timedelta(days=days)
    return [str(d.day), str(d.month), str(d.year)]


def test_a_provider_sets_its_capacity_from_its_dashboard(app: Flask, session: Session) -> None:
    _provider_row, user = _provider(session)
    client = _client(app, user)
    board = client.get("/provider").get_data(as_text=True)
    assert "Your capacity" in board and "You have not said." in board
    assert 'href="/provider/capacity"' in board
    page = client.get("/provider/capacity")
    assert page.status_code == 200
    saved = client.post("/provider/capacity", data={"taking": "no", "until": _date(40)})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/provider")
    until = availability.today() + timedelta(days=40)
    text = f"Not taking new work until {availability.long_date(until)}"
    board = client.get("/provider").get_data(as_text=True)
    assert f"Your capacity is saved: {text}." in board
    again = client.get("/provider/capacity").get_data(as_text=True)
    assert f"Now: {text}" in again
    # The form shows what was said, ready to change.
    assert 'value="no" checked' in again and f'value="{until.year}"' in again


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Select whether you are taking new work"),
        ({"taking": "yes", "days": "lots"}, "Enter the number of days as a whole number"),
        ({"taking": "yes", "days": "9" * 40}, "Enter the number of days, like 12"),
        ({"taking": "no", "until": ["31", "2", "2027"]}, "must be a real date"),
        ({"taking": "no", "until": ["", "3", "2027"]}, "must include a day"),
        ({"taking": "no", "until": ["1", "1", "99999"]}, "must be a real date"),
        ({"taking": "no", "until": _date(-1)}, "must be in the future"),
        ({"taking": "no", "until": _date(400)}, "withdraw your listings instead"),
        ({"taking": "<b>no</b>"}, "Select whether you are taking new work"),
    ],
)
def test_bad_input_is_a_clear_error_never_a_failure(
    any_app: Flask, any_session: Session, body: dict[str, Any], message: str
) -> None:
    provider, user = _provider(any_session)
    client = _client(any_app, user)
    answer = client.post("/provider/capacity", data=body)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "<title>Error: Your capacity" in html
    assert "govuk-error-summary" in html and message in html
    assert "<b>no</b>" not in html
    any_session.refresh(provider)
    assert (provider.capacity_days, provider.not_taking_until) == (None, None)


def test_search_shows_capacity_and_filters_on_taking_new_work(app: Flask, session: Session) -> None:
    busy, busy_user = _provider(session, "Busy Consultancy", title="Phonics coaching busy")
    _free, free_user = _provider(session, "Free Consultancy", title="Phonics coaching free")
    capacity.save(session, busy_user, taking="no", until=availability.today() + timedelta(days=9))
    capacity.save(session, free_user, taking="yes", days="1")
    session.commit()
    client = app.test_client()
    everyone = client.get("/directory?q=phonics").get_data(as_text=True)
    assert "Phonics coaching busy" in everyone and "Phonics coaching free" in everyone
    assert "Not taking new work until" in everyone and "1 day available this term" in everyone
    assert 'name="taking" type="checkbox" value="1">' in everyone
    taking = client.get("/directory?q=phonics&taking=1").get_data(as_text=True)
    assert "Phonics coaching free" in taking and "Phonics coaching busy" not in taking
    assert 'value="1" checked' in taking
    assert "Remove this filter: </span>Taking new work" in taking
    # Nothing left: the page offers to drop the filter, with the count it would give.
    none = client.get("/directory?q=busy&taking=1").get_data(as_text=True)
    assert "Remove ‘Taking new work’</a> (1 result)" in none
    assert "taking=" not in none.split('id="relaxations"')[1].split("</ul>")[0]
    # A value it does not know is left out politely on the page.
    odd = client.get("/directory?q=phonics&taking=yes")
    assert odd.status_code == 200 and "must be 1, or left out" in odd.get_data(as_text=True)


def test_the_listing_page_and_the_api_show_capacity(app: Flask, session: Session) -> None:
    provider, user = _provider(session)
    until = availability.today() + timedelta(days=9)
    capacity.save(session, user, taking="no", until=until)
    session.commit()
    listing_id = provider.listings[0].id
    client = app.test_client()
    page = client.get(f"/directory/listings/{listing_id}").get_data(as_text=True)
    assert f"Not taking new work until {availability.long_date(until)}" in page
    assert "(said on " in page
    one = client.get(f"/api/v1/listings/{listing_id}").get_json()
    assert one["capacity"] == {
        "taking_new_work": False,
        "not_taking_until": until.isoformat(),
        "days_available": None,
        "text": f"Not taking new work until {availability.long_date(until)}",
    }
    found = client.get("/api/v1/listings?taking=1").get_json()
    assert found["total"] == 0
    listed = client.get("/api/v1/listings").get_json()["results"][0]
    assert listed["capacity"] == one["capacity"]
    refused = client.get("/api/v1/listings?taking=yes")
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "taking"
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/listings"]["get"]["parameters"]
    assert {"name": "taking", "in": "query"}.items() <= next(
        p for p in parameters if p["name"] == "taking"
    ).items()
    assert "capacity" in document["components"]["schemas"]["Listing"]["required"]


def test_a_saved_search_keeps_the_taking_new_work_filter(app: Flask, session: Session) -> None:
    from broker.savedsearches import services as saved
    from broker.search import services as search

    vocabularies = search.facet_vocabularies(session)
    params = saved.read_params({"q": ["maths"], "taking": ["1"]}, vocabularies)
    assert params == {"q": ["maths"], "taking": ["1"]}
    assert saved.describe(params, vocabularies) == "‘maths’; Taking new work"
