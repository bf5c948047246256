"""Sign-in throttling per account and per client address, in storage every process shares."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlmodel import Session

from broker import db
from tests.auth.helpers import make_user, sign_in
from tests.conftest import make_app


def _from(address: str) -> dict[str, dict[str, str]]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_five_failures_lock_the_account_even_against_the_right_password(
    any_app: Flask, any_session: Session
) -> None:
    user = make_user(any_session)
    client = any_app.test_client()
    for _ in range(5):
        assert sign_in(client, user.email, "wrong password!").status_code == 400
    locked = sign_in(client, user.email)
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.data
    # From another address too: the limit is on the account.
    elsewhere = client.post(
        "/sign-in",
        data={"email": user.email, "password": "correct horse battery"},
        **_from("10.9.9.9"),
    )
    assert elsewhere.status_code == 429


def test_failures_on_one_account_do_not_lock_another(app: Flask, session: Session) -> None:
    victim, other = make_user(session), make_user(session)
    client = app.test_client()
    for _ in range(5):
        sign_in(client, victim.email, "wrong password!")
    assert sign_in(client, other.email).status_code == 302


def test_a_success_clears_the_account_failures(app: Flask, session: Session) -> None:
    user = make_user(session)
    client = app.test_client()
    for _ in range(4):
        sign_in(client, user.email, "wrong password!")
    assert sign_in(client, user.email).status_code == 302
    client.post("/sign-out")
    for _ in range(4):
        assert sign_in(client, user.email, "wrong password!").status_code == 400
    assert sign_in(client, user.email).status_code == 302


def test_twenty_failures_from_one_address_block_that_address_only(
    any_app: Flask, any_session: Session
) -> None:
    user = make_user(any_session)
    client = any_app.test_client()
    for n in range(20):
        response = client.post(
            "/sign-in",
            data={"email": f"guess{n}@example.org", "password": "wrong password!"},
            **_from("10.0.0.7"),
        )
        assert response.status_code == 400
    blocked = client.post(
        "/sign-in",
        data={"email": user.email, "password": "correct horse battery"},
        **_from("10.0.0.7"),
    )
    assert blocked.status_code == 429
    other = client.post(
        "/sign-in",
        data={"email": user.email, "password": "correct horse battery"},
        **_from("10.0.0.8"),
    )
    assert other.status_code == 302


def test_the_count_is_shared_by_every_server_process(tmp_path: Path, database_url: str) -> None:
    # Two app instances on one database stand for two server processes.
    first = make_app(tmp_path, database_url)
    second = make_app(tmp_path, database_url)
    try:
        with Session(db.get_engine(first), expire_on_commit=False) as s:
            user = make_user(s)
        for n in range(5):
            app = first if n % 2 else second
            assert sign_in(app.test_client(), user.email, "wrong password!").status_code == 400
        assert sign_in(first.test_client(), user.email).status_code == 429
        assert sign_in(second.test_client(), user.email).status_code == 429
    finally:
        db.dispose(first)
        db.dispose(second)
