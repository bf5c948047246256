"""Saved searches: saving from the results page, managing the list, and the daily email of new
matches through the outbox (a real SMTP server on loopback)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from broker.models import Listing, Provider, SavedSearch, User
from tests import factories as f
from tests.auth.helpers import Inbox, body, make_user, sign_in_fully, use_smtp


@pytest.fixture
def head(session: Session) -> User:
    return make_user(session, "headteacher", name="Ada Head")


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in_fully(client, user)
    return client


def _provider(session: Session) -> Provider:
    provider = f.assured_provider(session, listings=0, name="Northfield Learning")
    session.commit()
    return provider


def _save(client: FlaskClient, query: str, name: str, notify: bool = False) -> None:
    form = client.get(f"/saved-searches/new?{query}").get_data(as_text=True)
    kept = re.search(r'name="query" type="hidden" value="([^"]*)"', form)
    assert kept, form
    data = {"query": kept.group(1).replace("&amp;", "&"), "name": name}
    if notify:
        data["notify"] = "y"
    response = client.post("/saved-searches/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/saved-searches"


def test_a_search_is_saved_with_its_words_and_filters_only(
    app: Flask, session: Session, head: User
) -> None:
    client = _client(app, head)

    form = client.get("/saved-searches/new?q=phonics&phase=primary&phase=nonsense&for=1&page=2")

    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert 'value="q=phonics&amp;phase=primary"' in page
    assert "‘phonics’; Phase: Primary" in page  # the suggested name and the description
    _save(client, "q=phonics&phase=primary", "Phonics for Year 1", notify=True)
    (row,) = session.exec(select(SavedSearch)).all()
    assert row.user_id == head.id
    assert row.params == {"q": ["phonics"], "phase": ["primary"]}
    assert row.notify is True
    listed = client.get("/saved-searches").get_data(as_text=True)
    assert 'href="/directory?q=phonics&amp;phase=primary">Phonics for Year 1</a>' in listed
    assert "Emails: on" in listed


def test_the_results_page_offers_saving_to_signed_in_users_only(
    app: Flask, session: Session, head: User
) -> None:
    anonymous = app.test_client().get("/directory?q=maths").get_data(as_text=True)
    assert "Save this search" not in anonymous
    page = _client(app, head).get("/directory?q=maths").get_data(as_text=True)
    assert 'href="/saved-searches/new?q=maths">Save this search</a>' in page
    # The list is also one link away from the account page.
    account = _client(app, head).get("/account").get_data(as_text=True)
    assert 'href="/saved-searches">Your saved searches</a>' in account


def test_a_saved_search_is_renamed_emails_turned_off_and_deleted(
    app: Flask, session: Session, head: User
) -> None:
    client = _client(app, head)
    _save(client, "q=governance", "Governors", notify=True)
    row = session.exec(select(SavedSearch)).one()

    renamed = client.post(f"/saved-searches/{row.id}/edit", data={"name": "Governing body"})

    assert renamed.status_code == 302
    session.refresh(row)
    assert (row.name, row.notify) == ("Governing body", False)
    assert client.post(f"/saved-searches/{row.id}/delete").status_code == 302
    assert session.exec(select(SavedSearch)).first() is None
    assert "You have no saved searches" in client.get("/saved-searches").get_data(as_text=True)


def test_a_name_is_required_and_not_too_long(app: Flask, session: Session, head: User) -> None:
    client = _client(app, head)
    for name, message in (
        ("   ", "Enter a name for the search"),
        ("x" * 101, "The name must be 100 characters or fewer"),
    ):
        response = client.post("/saved-searches/new", data={"query": "q=x", "name": name})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert session.exec(select(SavedSearch)).first() is None


def test_someone_elses_saved_search_is_not_found(app: Flask, session: Session, head: User) -> None:
    _save(_client(app, head), "q=reading", "Reading")
    row = session.exec(select(SavedSearch)).one()
    other = _client(app, make_user(session, "sip"))
    assert other.get(f"/saved-searches/{row.id}/edit").status_code == 404
    assert other.post(f"/saved-searches/{row.id}/edit", data={"name": "Mine"}).status_code == 404
    assert other.post(f"/saved-searches/{row.id}/delete").status_code == 404
    assert "Reading" not in other.get("/saved-searches").get_data(as_text=True)
    session.refresh(row)
    assert row.name == "Reading"


def test_anonymous_visitors_are_asked_to_sign_in(client: FlaskClient) -> None:
    for path in ("/saved-searches", "/saved-searches/new?q=x", "/saved-searches/1/edit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


def test_names_are_escaped(app: Flask, session: Session, head: User) -> None:
    client = _client(app, head)
    _save(client, "q=%3Cb%3Ebold%3C%2Fb%3E", "<script>alert(1)</script>")
    listed = client.get("/saved-searches").get_data(as_text=True)
    assert "<script>alert(1)" not in listed
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed
    assert "<b>bold" not in listed


def test_new_matches_are_emailed_once_a_day_with_absolute_links(
    any_app: Flask, any_session: Session, smtp: Inbox
) -> None:
    """On SQLite and PostgreSQL."""
    app, session = any_app, any_session
    head = make_user(session, "headteacher", name="Ada Head")
    use_smtp(app, smtp.port)
    app.config["BASE_URL"] = "https://directory.example.org"
    provider = _provider(session)
    f.listing(session, provider, title="Phonics catch-up (already there)", phases=["primary"])
    session.commit()
    client = _client(app, head)
    _save(client, "q=phonics&phase=primary", "Phonics", notify=True)
    _save(client, "q=phonics", "Phonics, no email")
    fresh = f.listing(session, provider, title="Phonics for Year 1 teachers", phases=["primary"])
    f.listing(session, provider, title="Phonics in secondary", phases=["secondary"])
    f.listing(session, provider, title="Governance review", phases=["primary"])
    session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["saved-searches", "notify"])

    assert first.exit_code == 0, first.output
    assert "Queued 1 saved-search email." in first.output
    (message,) = smtp.wait_for(1)
    assert message["To"] == head.email
    assert message["Subject"] == "New support: 1 listing matches your saved search"
    text = body(message)
    assert "Phonics for Year 1 teachers, Northfield Learning" in text
    assert f"https://directory.example.org/directory/listings/{fresh.id}" in text
    assert "https://directory.example.org/directory?q=phonics&phase=primary" in text
    assert "https://directory.example.org/saved-searches" in text
    for other in ("already there", "Phonics in secondary", "Governance review"):
        assert other not in text
    # The same day: nothing again, even with another new match (it waits for tomorrow).
    f.listing(session, provider, title="Phonics and early reading", phases=["primary"])
    session.commit()
    again = runner.invoke(args=["saved-searches", "notify"])
    assert "Queued 0 saved-search emails." in again.output
    # A day later the waiting match is sent, and nothing already sent.
    row = session.exec(select(SavedSearch).where(SavedSearch.name == "Phonics")).one()
    assert row.notified_at is not None
    row.notified_at = row.notified_at - timedelta(days=1)
    session.add(row)
    session.commit()
    later = runner.invoke(args=["saved-searches", "notify"])
    assert "Queued 1 saved-search email." in later.output
    second = smtp.wait_for(2)[1]
    assert "Phonics and early reading" in body(second)
    assert "Phonics for Year 1 teachers" not in body(second)


def test_a_listing_no_longer_public_is_not_news(
    app: Flask, session: Session, head: User, smtp: Inbox
) -> None:
    use_smtp(app, smtp.port)
    provider = _provider(session)
    _save(_client(app, head), "q=attendance", "Attendance", notify=True)
    suspended = f.listing(session, provider, title="Attendance clinic", status="suspended")
    session.add(suspended)
    session.commit()

    result = app.test_cli_runner().invoke(args=["saved-searches", "notify"])

    assert "Queued 0 saved-search emails." in result.output
    assert session.exec(select(Listing).where(Listing.title == "Attendance clinic")).one()


def test_the_command_refuses_without_the_sites_address(app: Flask) -> None:
    app.config["BASE_URL"] = None
    result = app.test_cli_runner().invoke(args=["saved-searches", "notify"])
    assert result.exit_code != 0
    assert "Set BROKER_BASE_URL" in result.output
