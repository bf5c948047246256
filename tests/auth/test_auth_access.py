"""The role helpers other features use, and CSRF on every account form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Blueprint, Flask
from sqlmodel import Session

from broker import db
from broker.auth.access import can_see_school, roles_required, visible_school_ids
from broker.models import SipAssignment
from tests import factories as f
from tests.auth.helpers import PASSWORD, current_code, make_user, sign_in
from tests.conftest import make_app


def _with_probe(app: Flask) -> None:
    probe = Blueprint("probe", __name__)

    @probe.get("/probe/qa")
    @roles_required("qa_officer", "admin")
    def qa_only() -> str:
        return "qa page"

    @probe.get("/probe/school/<int:school_id>")
    @roles_required()
    def school(school_id: int) -> str:
        return "yes" if can_see_school(school_id) else "no"

    app.register_blueprint(probe)


def test_roles_required_sends_anonymous_users_to_sign_in_and_refuses_other_roles(
    app: Flask, session: Session
) -> None:
    _with_probe(app)
    head = make_user(session, "headteacher")
    qa = make_user(session, "qa_officer", la_id=f.local_authority(session).id, enrolled=True)
    client = app.test_client()
    assert client.get("/probe/qa?x=1").headers["Location"] == "/sign-in?next=/probe/qa?x%3D1"
    sign_in(client, head.email)
    assert client.get("/probe/qa").status_code == 403
    client.post("/sign-out")
    sign_in(client, qa.email)
    assert client.get("/probe/qa").headers["Location"].startswith("/two-factor")  # not yet
    client.post("/two-factor", data={"code": current_code(qa)})
    assert client.get("/probe/qa").data == b"qa page"


def test_who_can_see_a_school(any_app: Flask, any_session: Session) -> None:
    s = any_session
    la, other_la = f.local_authority(s), f.local_authority(s)
    school, elsewhere = f.school(s, la=la), f.school(s, la=other_la)
    head = make_user(s, "headteacher", school_id=school.id)
    sip = make_user(s, "sip")
    s.add(SipAssignment(user_id=sip.id, school_id=school.id))
    qa = make_user(s, "qa_officer", la_id=la.id)
    admin = make_user(s, "admin")
    provider = make_user(s, "provider")
    s.commit()
    with any_app.test_request_context():
        for user, expected in [
            (head, True),
            (sip, True),
            (qa, True),
            (admin, True),
            (provider, False),
        ]:
            assert can_see_school(school.id, user) is expected, user.role
        for user, expected in [
            (head, False),
            (sip, False),
            (qa, False),
            (admin, True),
            (provider, False),
        ]:
            assert can_see_school(elsewhere.id, user) is expected, user.role
        assert visible_school_ids(sip) == {school.id}
        assert visible_school_ids(head) == {school.id}
        assert visible_school_ids(qa) == {school.id}
        assert visible_school_ids(admin) is None
        assert visible_school_ids(provider) == set()


def test_a_qa_officer_who_has_not_passed_the_second_factor_sees_no_school(
    app: Flask, session: Session
) -> None:
    _with_probe(app)
    la = f.local_authority(session)
    school = f.school(session, la=la)
    qa = make_user(session, "qa_officer", la_id=la.id, enrolled=True)
    client = app.test_client()
    sign_in(client, qa.email)
    assert client.get(f"/probe/school/{school.id}").status_code == 302


@pytest.fixture
def csrf_app(tmp_path: Path, sqlite_url: str):  # type: ignore[no-untyped-def]
    application = make_app(tmp_path, sqlite_url, WTF_CSRF_ENABLED=True)
    yield application
    db.dispose(application)


def _token(page: bytes) -> str:
    match = re.search(
        rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page
    )
    assert match, page
    return (match.group(1) or match.group(2)).decode()


def test_account_forms_refuse_a_post_without_the_csrf_token(csrf_app: Flask) -> None:
    with Session(db.get_engine(csrf_app), expire_on_commit=False) as s:
        user = make_user(s)
    client = csrf_app.test_client()
    assert sign_in(client, user.email).status_code == 400
    assert client.get("/account").status_code == 302  # not signed in
    token = _token(client.get("/sign-in").data)
    assert sign_in(client, user.email, csrf_token=token).status_code == 302
    assert client.post("/sign-out").status_code == 400
    assert client.get("/account").status_code == 200  # still signed in
    for path in ("/password-reset", "/register", "/account/password"):
        assert client.post(path, data={"email": user.email, "current": PASSWORD}).status_code == 400
    account = client.get("/account").data
    assert client.post("/sign-out", data={"csrf_token": _token(account)}).status_code == 302
    assert client.get("/account").status_code == 302
