"""Signing in and out, and when sessions end: sign-out, idle, absolute lifetime, password change."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from broker.models import UserSession, utcnow
from tests.auth.helpers import PASSWORD, make_user, sign_in


def _cookie(client) -> str:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_sign_in_with_the_right_password_reaches_the_heads_decisions_and_then_the_account(
    any_app: Flask, any_session: Session
) -> None:
    user = make_user(any_session, "headteacher")
    client = any_app.test_client()
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/decisions"
    page = client.get("/account")
    assert page.status_code == 200
    assert user.email.encode() in page.data
    assert b"Headteacher" in page.data


def test_email_is_matched_whatever_its_case(any_app: Flask, any_session: Session) -> None:
    user = make_user(any_session, "headteacher")
    response = sign_in(any_app.test_client(), "  " + user.email.upper() + " ")
    assert response.status_code == 302


def test_a_wrong_password_or_unknown_email_gets_the_same_answer(
    any_app: Flask, any_session: Session
) -> None:
    user = make_user(any_session, "headteacher")
    client = any_app.test_client()
    wrong = sign_in(client, user.email, "not the password at all")
    unknown = sign_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    for response in (wrong, unknown):
        assert b"Enter a correct email address and password" in response.data
        assert b"<title>Error: Sign in" in response.data
    assert client.get("/account").status_code == 302


def test_an_invited_user_without_a_password_cannot_sign_in(app: Flask, session: Session) -> None:
    user = make_user(session, "sip")
    user.password_hash = None
    session.add(user)
    session.commit()
    assert sign_in(app.test_client(), user.email, "").status_code == 400


def test_sign_out_is_a_post(app: Flask, session: Session) -> None:
    user = make_user(session)
    client = app.test_client()
    sign_in(client, user.email)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/account").status_code == 200
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert client.get("/account").headers["Location"] == "/sign-in?next=/account"


def test_a_copied_cookie_stops_working_after_sign_out(any_app: Flask, any_session: Session) -> None:
    user = make_user(any_session)
    browser = any_app.test_client()
    sign_in(browser, user.email)
    thief = any_app.test_client()
    thief.set_cookie("session", _cookie(browser))
    assert thief.get("/account").status_code == 200
    browser.post("/sign-out")
    assert thief.get("/account").status_code == 302


def _age(session: Session, **fields: timedelta) -> None:
    for record in session.exec(select(UserSession)).all():
        for name, delta in fields.items():
            setattr(record, name, utcnow() - delta)
        session.add(record)
    session.commit()


def test_a_session_ends_after_30_idle_minutes(any_app: Flask, any_session: Session) -> None:
    user = make_user(any_session)
    client = any_app.test_client()
    sign_in(client, user.email)
    _age(any_session, last_seen_at=timedelta(minutes=29))
    assert client.get("/account").status_code == 200  # activity moves the idle clock on
    _age(any_session, last_seen_at=timedelta(minutes=31))
    assert client.get("/account").status_code == 302
    assert any_session.exec(select(UserSession)).one().ended_at is not None


def test_a_session_ends_12_hours_after_sign_in_even_when_active(
    any_app: Flask, any_session: Session
) -> None:
    user = make_user(any_session)
    client = any_app.test_client()
    sign_in(client, user.email)
    _age(any_session, created_at=timedelta(hours=11, minutes=59), last_seen_at=timedelta(minutes=1))
    assert client.get("/account").status_code == 200
    _age(any_session, created_at=timedelta(hours=12, minutes=1), last_seen_at=timedelta(minutes=1))
    assert client.get("/account").status_code == 302


def test_a_password_change_ends_every_other_session(any_app: Flask, any_session: Session) -> None:
    user = make_user(any_session)
    laptop, tablet = any_app.test_client(), any_app.test_client()
    sign_in(laptop, user.email)
    sign_in(tablet, user.email)
    response = laptop.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a new long passphrase",
            "confirm": "a new long passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert tablet.get("/account").status_code == 302
    assert sign_in(any_app.test_client(), user.email, PASSWORD).status_code == 400
    assert sign_in(any_app.test_client(), user.email, "a new long passphrase").status_code == 302


def test_a_password_change_needs_the_current_password_and_a_good_new_one(
    app: Flask, session: Session
) -> None:
    user = make_user(session)
    client = app.test_client()
    sign_in(client, user.email)
    wrong = client.post(
        "/account/password",
        data={
            "current": "guess guess",
            "password": "another good one",
            "confirm": "another good one",
        },
    )
    assert b"Your current password is not correct" in wrong.data
    weak = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "password123", "confirm": "password123"},
    )
    assert b"Password is too common" in weak.data
    short = client.post(
        "/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert b"10 characters or more" in short.data


def test_session_cookie_is_httponly_and_samesite_lax_and_secure_when_configured(
    tmp_path, sqlite_url: str
) -> None:  # type: ignore[no-untyped-def]
    from broker import db
    from tests.conftest import make_app

    app = make_app(tmp_path, sqlite_url, SESSION_COOKIE_SECURE=True)
    try:
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            user = make_user(s)
        response = sign_in(app.test_client(), user.email)
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" in cookie
    finally:
        db.dispose(app)


def test_a_provider_must_confirm_their_email_before_signing_in(
    app: Flask, session: Session
) -> None:
    user = make_user(session, "provider")
    user.email_confirmed_at = None
    session.add(user)
    session.commit()
    response = sign_in(app.test_client(), user.email)
    assert response.status_code == 400
    assert b"Confirm your email address first" in response.data
