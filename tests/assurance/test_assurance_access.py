"""Every assurance and recommendation route, for every role and for anonymous users; heads' pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from broker import db
from broker.models import Recommendation
from tests import factories as f
from tests.assurance.conftest import World, build_world
from tests.auth.helpers import sign_in_fully
from tests.conftest import close_app, make_app

IMPACT = "Reading attainment in Year 2 rose by a third and staff feel confident teaching phonics."
ROLES = ("anonymous", "provider", "headteacher", "sip", "qa_officer", "admin")
QA_ONLY = {"qa_officer", "admin"}
HEAD_ONLY = {"headteacher"}


@pytest.fixture(scope="module")
def matrix_app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path):  # type: ignore[no-untyped-def]
    """One app and one world for the whole matrix (signing in is slow; the routes only read)."""
    import shutil

    tmp = tmp_path_factory.mktemp("matrix")
    shutil.copy(sqlite_template, tmp / "broker.sqlite")
    app = make_app(tmp, f"sqlite:///{tmp / 'broker.sqlite'}")
    with db.new_session(app) as s:
        w = build_world(s, sign_in=True)
        # A draft: approving it is refused (409), so the matrix changes nothing.
        listing = f.listing(s, w.provider, status="draft")
        rec = f.recommendation(s, w.provider, w.schools[0], status="requested", recommender_name="")
        public = f.listing(s, f.assured_provider(s, listings=0))
        s.commit()
        ids = {"listing": listing.id, "rec": rec.id, "public": public.id}
    yield app, w, ids
    close_app(app)


def _routes(ids: dict[str, int]) -> list[tuple[str, str, set[str]]]:
    listing, rec, public = ids["listing"], ids["rec"], ids["public"]
    return [
        ("GET", "/qa", QA_ONLY),
        ("GET", "/qa?show=suspended", QA_ONLY),
        ("GET", f"/qa/listings/{listing}", QA_ONLY),
        ("POST", f"/qa/listings/{listing}/approve", QA_ONLY),
        ("POST", f"/qa/listings/{listing}/request-changes", QA_ONLY),
        ("POST", f"/qa/listings/{listing}/reject", QA_ONLY),
        ("POST", f"/qa/listings/{listing}/suspend", QA_ONLY),
        ("POST", f"/qa/listings/{listing}/reinstate", QA_ONLY),
        ("GET", "/qa/audit", QA_ONLY),
        ("GET", "/recommendations", HEAD_ONLY),
        ("GET", f"/recommendations/{rec}", HEAD_ONLY),
        ("POST", f"/recommendations/{rec}", HEAD_ONLY),
        ("POST", f"/recommendations/{rec}/decline", HEAD_ONLY),
        ("POST", f"/recommendations/{rec}/withdraw", HEAD_ONLY),
        ("GET", f"/directory/listings/{public}/recommend", HEAD_ONLY),
        ("POST", f"/directory/listings/{public}/recommend", HEAD_ONLY),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(matrix_app, role: str) -> None:  # type: ignore[no-untyped-def]
    app, w, ids = matrix_app
    user = {
        "provider": w.provider_user,
        "headteacher": w.heads[0],
        "sip": w.sip,
        "qa_officer": w.qa,
        "admin": w.admin,
    }.get(role)
    client = app.test_client()
    if user is not None:
        sign_in_fully(client, user)
    for method, path, allowed in _routes(ids):
        # Empty POSTs: the forms refuse them (400) or the service does (409); declining needs no
        # reason, so the head's empty decline goes through (302).
        response = client.open(path, method=method, data={})
        where = f"{role} {method} {path}"
        if user is None:
            assert response.status_code == 302, where
            assert response.headers["Location"].startswith("/sign-in?next="), where
        elif role in allowed:
            assert response.status_code in (200, 302, 400, 409), (where, response.status_code)
            if response.status_code == 302:
                assert (
                    path.endswith("/decline") and response.headers["Location"] == "/recommendations"
                )
        else:
            assert response.status_code == 403, (where, response.status_code)


def test_a_head_cannot_answer_or_see_another_schools_request(matrix_app) -> None:  # type: ignore[no-untyped-def]
    app, w, ids = matrix_app
    client = app.test_client()
    sign_in_fully(client, w.heads[1])
    assert client.get(f"/recommendations/{ids['rec']}").status_code == 403
    data = {"service_title": "Phonics", "impact": IMPACT}
    assert client.post(f"/recommendations/{ids['rec']}", data=data).status_code == 403
    assert client.post(f"/recommendations/{ids['rec']}/decline", data={}).status_code == 403
    assert client.get("/recommendations/99999999999").status_code == 404


def test_a_qa_officer_of_another_la_is_refused_the_review(matrix_app) -> None:  # type: ignore[no-untyped-def]
    app, w, ids = matrix_app
    client = app.test_client()
    sign_in_fully(client, w.other_qa)
    assert client.get(f"/qa/listings/{ids['listing']}").status_code == 403
    assert (
        client.post(
            f"/qa/listings/{ids['listing']}/suspend", data={"suspend-reason": "x"}
        ).status_code
        == 403
    )


def test_a_head_answers_a_request_on_the_dashboard(
    app: Flask, session: Session, people: World
) -> None:
    s, w = session, people
    f.listing(s, w.provider, status="submitted", title="Phonics for Year 1")
    rec = f.recommendation(s, w.provider, w.schools[0], status="requested", recommender_name="")
    s.commit()
    client = app.test_client()
    sign_in_fully(client, w.heads[0])
    dashboard = client.get("/recommendations")
    assert w.provider.name.encode() in dashboard.data
    form = client.get(f"/recommendations/{rec.id}")
    assert b'value="Phonics for Year 1"' in form.data  # the one listing's title, ready to confirm
    short = client.post(
        f"/recommendations/{rec.id}", data={"service_title": "Phonics", "impact": "Good."}
    )
    assert short.status_code == 400 and b"Error: " in short.data and b'href="#impact"' in short.data
    assert b"Good." in short.data  # nothing typed is lost
    done = client.post(
        f"/recommendations/{rec.id}", data={"service_title": "Phonics", "impact": IMPACT}
    )
    assert done.status_code == 302
    s.expire_all()
    assert s.get(Recommendation, rec.id).status == "confirmed"
    withdrawn = client.post(
        f"/recommendations/{rec.id}/withdraw", data={"withdraw-reason": "Changed our mind"}
    )
    assert withdrawn.status_code == 302
    s.expire_all()
    assert s.get(Recommendation, rec.id).status == "withdrawn"


def test_a_head_recommends_unprompted_from_the_listing_page(
    app: Flask, session: Session, people: World
) -> None:
    s, w = session, people
    listing = f.listing(s, f.assured_provider(s, listings=0), title="Maths mastery <em>CPD</em>")
    s.commit()
    client = app.test_client()
    sign_in_fully(client, w.heads[2])
    page = client.get(f"/directory/listings/{listing.id}")
    assert f"/directory/listings/{listing.id}/recommend".encode() in page.data
    assert (
        f"/directory/listings/{listing.id}/recommend".encode()
        not in app.test_client().get(f"/directory/listings/{listing.id}").data
    )  # anonymous visitors see no button
    form = client.get(f"/directory/listings/{listing.id}/recommend")
    assert b"Maths mastery &lt;em&gt;CPD&lt;/em&gt;" in form.data
    ok = client.post(
        f"/directory/listings/{listing.id}/recommend",
        data={"service_title": "Maths CPD", "impact": IMPACT},
    )
    assert ok.status_code == 302
    rec = s.exec(select(Recommendation).where(Recommendation.school_id == w.schools[2].id)).one()
    assert rec.recommender_user_id == w.heads[2].id and rec.listing_id == listing.id
    again = client.get(f"/directory/listings/{listing.id}/recommend")
    assert b"What you send now replaces that recommendation" in again.data


def test_assurance_forms_refuse_a_post_without_the_csrf_token(
    tmp_path: Path, sqlite_url: str
) -> None:
    app = make_app(tmp_path, sqlite_url, WTF_CSRF_ENABLED=True)
    try:
        with db.new_session(app) as s:
            w = build_world(s, sign_in=True)
            listing = f.listing(s, w.provider, status="submitted")
            f.recommendation(s, w.provider, w.schools[0], recommender_user_id=w.heads[0].id)
            s.commit()
        client = app.test_client()
        page = client.get("/sign-in").data
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token
        client.post(
            "/sign-in",
            data={
                "email": w.heads[0].email,
                "password": "correct horse battery",
                "csrf_token": token.group(1).decode(),
            },
        )
        rec_id = s.exec(select(Recommendation.id)).one()
        assert client.post(f"/recommendations/{rec_id}/withdraw", data={}).status_code == 400
        dashboard = client.get("/recommendations").data
        token = re.search(rb'name="csrf_token" value="([^"]+)"', dashboard)
        assert token
        response = client.post(
            f"/recommendations/{rec_id}/withdraw", data={"csrf_token": token.group(1).decode()}
        )
        assert response.status_code == 302
        assert listing.id
    finally:
        close_app(app)
