"""Email is real: outbox rows in the action's transaction, delivered over SMTP to a loopback server."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import Flask
from sqlmodel import Session, select

from broker import db, mail
from broker.models import MailMessage, OneTimeToken, User, utcnow
from tests import factories as f
from tests.auth.helpers import (
    PASSWORD,
    Inbox,
    body,
    free_port,
    link_in,
    make_user,
    sign_in,
    sign_in_fully,
    start_smtp,
    use_smtp,
)

NEW_PASSWORD = "a fresh long passphrase"


def _set_password(client, path: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(path, data={"password": password, "confirm": password})


def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(app: Flask, smtp: Inbox) -> None:
    use_smtp(app, smtp.port)
    with app.app_context(), Session(db.get_engine(app)) as s:
        mail.queue(s, "someone@example.org", "Hello", "Body")
        s.rollback()
        assert mail.deliver_committed(s, app) == 0
        mail.queue(s, "someone@example.org", "Kept", "Body")
        s.commit()
        assert mail.deliver_committed(s, app) == 1
        assert s.exec(select(MailMessage)).one().subject == "Kept"
    assert [m["Subject"] for m in smtp.wait_for(1)] == ["Kept"]


def test_an_invitation_arrives_by_smtp_and_its_link_sets_up_the_account(
    any_app: Flask, any_session: Session, smtp: Inbox
) -> None:
    use_smtp(any_app, smtp.port)
    admin = make_user(any_session, "admin", enrolled=True)
    school = f.school(any_session, name="Riverside Primary")
    any_session.commit()
    client = any_app.test_client()
    sign_in_fully(client, admin)
    response = client.post(
        "/invite",
        data={
            "name": "Ada Head",
            "email": "ada@school.example",
            "role": "headteacher",
            "schools": school.urn,
        },
    )
    assert response.status_code == 302, response.data
    (message,) = smtp.wait_for(1)
    assert message["To"] == "ada@school.example"
    assert "Riverside Primary" in body(message)
    path = link_in(message)
    assert path.startswith("/invitation/")

    invitee = any_app.test_client()
    page = invitee.get(path)
    assert page.status_code == 200
    assert b"Ada Head" in page.data
    assert _set_password(invitee, path).status_code == 302
    assert _set_password(invitee, path).status_code == 400  # single use
    assert sign_in(invitee, "ada@school.example", NEW_PASSWORD).status_code == 302
    assert b"Headteacher" in invitee.get("/account").data
    any_session.expire_all()
    head = any_session.exec(select(User).where(User.email == "ada@school.example")).one()
    assert head.school_id == school.id
    stored = any_session.exec(select(OneTimeToken).where(OneTimeToken.user_id == head.id)).one()
    assert path.rsplit("/", 1)[1] not in stored.token_hash  # only the hash is stored


def test_an_invitation_link_expires(app: Flask, session: Session, smtp: Inbox) -> None:
    use_smtp(app, smtp.port)
    admin = make_user(session, "admin", enrolled=True)
    school = f.school(session)
    session.commit()
    client = app.test_client()
    sign_in_fully(client, admin)
    client.post(
        "/invite",
        data={"name": "Sam", "email": "sam@school.example", "role": "sip", "schools": school.urn},
    )
    path = link_in(smtp.wait_for(1)[0])
    for token in session.exec(select(OneTimeToken)).all():
        token.expires_at = utcnow() - timedelta(minutes=1)
        session.add(token)
    session.commit()
    assert app.test_client().get(path).status_code == 400


def test_a_qa_officer_invites_only_for_their_own_local_authority(
    app: Flask, session: Session, smtp: Inbox
) -> None:
    use_smtp(app, smtp.port)
    home, away = f.local_authority(session), f.local_authority(session)
    own, other = f.school(session, la=home), f.school(session, la=away)
    qa = make_user(session, "qa_officer", la_id=home.id, enrolled=True)
    client = app.test_client()
    sign_in_fully(client, qa)
    refused = client.post(
        "/invite",
        data={
            "name": "X",
            "email": "x@school.example",
            "role": "headteacher",
            "schools": other.urn,
        },
    )
    assert refused.status_code == 400
    assert b"only invite people for schools in your local authority" in refused.data
    allowed = client.post(
        "/invite",
        data={"name": "Y", "email": "y@school.example", "role": "sip", "schools": own.urn},
    )
    assert allowed.status_code == 302
    assert [m["To"] for m in smtp.wait_for(1)] == ["y@school.example"]


def test_only_admins_and_qa_officers_may_invite(app: Flask, session: Session) -> None:
    head = make_user(session, "headteacher")
    client = app.test_client()
    assert client.get("/invite").status_code == 302
    sign_in(client, head.email)
    assert client.get("/invite").status_code == 403


def test_a_password_reset_arrives_by_smtp_and_works_once(
    any_app: Flask, any_session: Session, smtp: Inbox
) -> None:
    use_smtp(any_app, smtp.port)
    user = make_user(any_session)
    signed_in = any_app.test_client()
    sign_in(signed_in, user.email)
    client = any_app.test_client()
    response = client.post("/password-reset", data={"email": user.email})
    assert response.status_code == 200
    (message,) = smtp.wait_for(1)
    path = link_in(message)
    assert _set_password(client, path, "short").status_code == 400  # the policy applies
    assert _set_password(client, path).status_code == 302
    assert _set_password(client, path, "yet another passphrase").status_code == 400
    assert sign_in(any_app.test_client(), user.email, PASSWORD).status_code == 400
    assert sign_in(any_app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    assert signed_in.get("/account").status_code == 302  # a reset ends every session


def test_a_reset_request_does_not_reveal_whether_the_address_has_an_account(
    app: Flask, session: Session, smtp: Inbox
) -> None:
    use_smtp(app, smtp.port)
    user = make_user(session)
    client = app.test_client()
    known = client.post("/password-reset", data={"email": user.email})
    unknown = client.post("/password-reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.data.replace(user.email.encode(), b"X") == unknown.data.replace(
        b"nobody@example.org", b"X"
    )
    smtp.wait_for(1)
    assert [m["To"] for m in smtp.messages] == [user.email]


def test_a_reset_link_expires_after_an_hour(app: Flask, session: Session, smtp: Inbox) -> None:
    use_smtp(app, smtp.port)
    user = make_user(session)
    app.test_client().post("/password-reset", data={"email": user.email})
    path = link_in(smtp.wait_for(1)[0])
    token = session.exec(select(OneTimeToken)).one()
    assert timedelta(minutes=59) < token.expires_at - token.created_at <= timedelta(hours=1)
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.add(token)
    session.commit()
    assert _set_password(app.test_client(), path).status_code == 400


def test_a_provider_registers_confirms_by_email_and_signs_in(
    any_app: Flask, any_session: Session, smtp: Inbox
) -> None:
    use_smtp(any_app, smtp.port)
    client = any_app.test_client()
    form = {
        "name": "Pat Provider",
        "email": "pat@consult.example",
        "organisation": "Pat Consulting",
        "kind": "independent-consultant",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    assert client.post("/register", data=form).status_code == 302
    assert (
        sign_in(client, "pat@consult.example", NEW_PASSWORD).status_code == 400
    )  # not confirmed yet
    messages = smtp.wait_for(2)  # the first link, and a fresh one sent when signing in too early
    assert client.get(link_in(messages[-1])).status_code == 302
    assert sign_in(client, "pat@consult.example", NEW_PASSWORD).status_code == 302
    user = any_session.exec(select(User).where(User.email == "pat@consult.example")).one()
    assert user.role == "provider" and user.provider_id is not None


def test_registering_an_address_that_has_an_account_tells_its_owner_not_the_visitor(
    app: Flask, session: Session, smtp: Inbox
) -> None:
    use_smtp(app, smtp.port)
    user = make_user(session, "provider")
    form = {"name": "Someone", "email": user.email, "organisation": "Org", "kind": "company",
            "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}  # fmt: skip
    response = app.test_client().post("/register", data=form)
    assert response.headers["Location"] == "/register/check-your-email"
    (message,) = smtp.wait_for(1)
    assert message["Subject"] == "You already have an account"
    assert len(session.exec(select(User)).all()) == 1


def test_mail_that_could_not_be_sent_waits_in_the_outbox_for_broker_mail_send(
    app: Flask, session: Session
) -> None:
    port = free_port()  # nothing listens here yet
    use_smtp(app, port)
    user = make_user(session)
    response = app.test_client().post("/password-reset", data={"email": user.email})
    assert response.status_code == 200  # the user is not troubled by the mail server
    message = session.exec(select(MailMessage)).one()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    controller, inbox = start_smtp(port)
    try:
        result = app.test_cli_runner().invoke(args=["mail", "send"])
        assert "Sent 1 message(s); 0 failed" in result.output
        assert [m["To"] for m in inbox.wait_for(1)] == [user.email]
        session.expire_all()
        assert session.get(MailMessage, message.id).sent_at is not None  # type: ignore[union-attr]
        again = app.test_cli_runner().invoke(args=["mail", "send"])
        assert "Sent 0 message(s)" in again.output
    finally:
        controller.stop()


def test_without_an_smtp_host_mail_goes_to_the_log(
    app: Flask, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    app.config.update(MAIL_BACKEND=None, SMTP_HOST=None)
    user = make_user(session)
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        app.test_client().post("/password-reset", data={"email": user.email})
    assert any(
        "Reset your password" in r.getMessage() and "/password-reset/" in r.getMessage()
        for r in caplog.records
    )
    assert session.exec(select(MailMessage)).one().sent_at is not None


def test_the_first_admin_is_created_from_the_command_line_and_sets_a_password_by_link(
    app: Flask, session: Session, smtp: Inbox
) -> None:
    use_smtp(app, smtp.port)
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "root@la.example", "--name", "Ops Lead"]
    )
    assert result.exit_code == 0, result.output
    (message,) = smtp.wait_for(1)
    path = link_in(message)
    assert path in result.output
    client = app.test_client()
    assert _set_password(client, path).status_code == 302
    assert (
        sign_in(client, "root@la.example", NEW_PASSWORD).headers["Location"] == "/two-factor/set-up"
    )
    again = app.test_cli_runner().invoke(
        args=["users", "create-admin", "root@la.example", "--name", "X"]
    )
    assert again.exit_code != 0 and "already has an account" in again.output
