"""Who may use the provider pages: a provider sees only its own listings; others are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from broker import db
from broker.models import Listing
from tests import factories as f
from tests.auth.helpers import PASSWORD, make_user, sign_in_fully
from tests.conftest import close_app, make_app
from tests.submissions.helpers import ABOUT, new_draft, provider_user, signed_in

GET_ROUTES = ["", "/organisation", "/about", "/audience", "/delivery", "/cost", "/contact",
              "/referees", "/check", "/withdraw"]  # fmt: skip
POST_ROUTES = ["/organisation", "/about", "/audience", "/delivery", "/cost", "/contact",
               "/referees", "/referees/add", "/referees/remove", "/submit", "/withdraw", "/renew",
               "/discard"]  # fmt: skip


def _others_draft(app: Flask, s: Session) -> int:
    owner = provider_user(s)
    client = signed_in(app.test_client(), owner)
    listing_id = new_draft(client)
    client.post(f"/provider/listings/{listing_id}/about", data=ABOUT)
    return listing_id


def test_a_provider_cannot_see_or_change_another_providers_listings(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    listing_id = _others_draft(any_app, s)
    school = f.school(s)
    s.commit()
    intruder = signed_in(any_app.test_client(), provider_user(s))
    base = f"/provider/listings/{listing_id}"
    for route in GET_ROUTES:
        assert intruder.get(base + route).status_code == 404, route
    for route in POST_ROUTES:
        data = {**ABOUT, "school_id": str(school.id), "reason": "mine now"}
        assert intruder.post(base + route, data=data).status_code == 404, route
    s.expire_all()
    listing = s.get(Listing, listing_id)
    assert listing is not None and listing.status == "draft" and listing.title == ABOUT["title"]
    assert ABOUT["title"] not in intruder.get("/provider").get_data(as_text=True)


def test_unknown_and_absurd_listing_numbers_are_not_found(app: Flask, session: Session) -> None:
    client = signed_in(app.test_client(), provider_user(session))
    for listing_id in (0, 999999, 2**31, 10**30):
        assert client.get(f"/provider/listings/{listing_id}").status_code == 404


@pytest.mark.parametrize("role", ["headteacher", "sip", "qa_officer", "admin"])
def test_other_roles_are_forbidden(app: Flask, session: Session, role: str) -> None:
    listing_id = _others_draft(app, session)
    extra = {"enrolled": True} if role in ("qa_officer", "admin") else {}
    if role == "qa_officer":
        extra["la_id"] = f.local_authority(session).id
    user = make_user(session, role, **extra)
    client = app.test_client()
    sign_in_fully(client, user)
    assert client.get("/provider").status_code == 403
    assert client.get(f"/provider/listings/{listing_id}").status_code == 403
    assert client.post("/provider/listings/new").status_code == 403
    assert client.post(f"/provider/listings/{listing_id}/withdraw").status_code == 403


def test_a_provider_account_without_an_organisation_is_forbidden(
    app: Flask, session: Session
) -> None:
    user = make_user(session, "provider")
    client = signed_in(app.test_client(), user)
    assert client.get("/provider").status_code == 403
    assert client.post("/provider/listings/new").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, session: Session) -> None:
    listing_id = _others_draft(app, session)
    client = app.test_client()
    for path in ["/provider", "/provider/listings/new", f"/provider/listings/{listing_id}",
                 f"/provider/listings/{listing_id}/about"]:  # fmt: skip
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=/provider")
    response = client.post(f"/provider/listings/{listing_id}/withdraw")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert session.get(Listing, listing_id).status == "draft"  # type: ignore[union-attr]


def test_forms_need_the_csrf_token_when_protection_is_on(tmp_path: Path, sqlite_url: str) -> None:
    app = make_app(tmp_path, sqlite_url, WTF_CSRF_ENABLED=True)
    try:
        with db.new_session(app) as s:
            user = provider_user(s)
            client = app.test_client()
            page = client.get("/sign-in").get_data(as_text=True)
            token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
            data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
            assert client.post("/sign-in", data=data).status_code == 302
            assert client.post("/provider/listings/new").status_code in (200, 400)
            assert s.exec(select(Listing)).all() == []
            page = client.get("/provider/listings/new").get_data(as_text=True)
            token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
            response = client.post("/provider/listings/new", data={"csrf_token": token})
            assert response.status_code == 302
            assert len(s.exec(select(Listing)).all()) == 1
    finally:
        close_app(app)
