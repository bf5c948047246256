"""The second factor for QA officers and admins: RFC 6238 codes, enrolment, recovery codes."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlmodel import Session, select

from broker.auth import totp
from broker.models import RecoveryCode, User
from tests.auth.helpers import current_code, make_user, sign_in

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"


@pytest.mark.parametrize(
    ("at", "expected"),
    [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
     (2000000000, "69279037"), (20000000000, "65353130")],
)  # fmt: skip
def test_codes_match_the_rfc_6238_test_vectors(at: int, expected: str) -> None:
    assert totp.hotp(totp._key(RFC_SECRET), totp.counter_at(at), digits=8) == expected


def test_a_code_is_accepted_one_step_either_side_and_not_further() -> None:
    secret = totp.generate_secret()
    now = 1_700_000_000
    for offset in (-30, 0, 30):
        assert totp.verify(secret, totp.code_at(secret, now + offset), at=now) is not None
    for offset in (-90, 90):
        assert totp.verify(secret, totp.code_at(secret, now + offset), at=now) is None
    assert totp.verify(secret, "12345", at=now) is None
    assert totp.verify(secret, "abcdef", at=now) is None


def test_the_provisioning_uri_is_an_otpauth_uri() -> None:
    uri = totp.provisioning_uri(
        "JBSWY3DPEHPK3PXP", "qa@la.example", "School Improvement e-Directory"
    )
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    query = parse_qs(parts.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"]
    assert query["issuer"] == ["School Improvement e-Directory"]


@pytest.mark.parametrize("role", ["qa_officer", "admin"])
def test_a_qa_officer_or_admin_must_enrol_before_anything_else(
    app: Flask, session: Session, role: str
) -> None:
    user = make_user(session, role)
    client = app.test_client()
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/two-factor/set-up"
    for path in ("/account", "/invite", "/account/password"):
        assert client.get(path).headers["Location"].startswith("/two-factor/set-up")
    page = client.get("/two-factor/set-up")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert b"otpauth://totp/" in page.data


def test_enrolment_shows_recovery_codes_once_then_opens_the_account(
    any_app: Flask, any_session: Session
) -> None:
    user = make_user(any_session, "qa_officer")
    client = any_app.test_client()
    sign_in(client, user.email)
    page = client.get("/two-factor/set-up").data.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")  # type: ignore[union-attr]
    right = totp.code_at(secret, time.time())
    wrong = client.post(
        "/two-factor/set-up", data={"code": "000000" if right != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    done = client.post("/two-factor/set-up", data={"code": totp.code_at(secret, time.time())})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.data.decode())
    assert len(codes) == 10
    assert client.get("/account").status_code == 200
    stored = any_session.exec(select(RecoveryCode)).all()
    assert len(stored) == 10 and all(c.code_hash not in codes for c in stored)
    # Enrolled: the set-up page now sends to the code page and shows no secret.
    assert client.get("/two-factor/set-up").status_code == 302


def test_signing_in_needs_a_valid_code_and_a_code_cannot_be_replayed(
    any_app: Flask, any_session: Session
) -> None:
    user = make_user(any_session, "admin", enrolled=True)
    client = any_app.test_client()
    assert sign_in(client, user.email).headers["Location"] == "/two-factor"
    assert client.get("/account").status_code == 302
    assert client.post("/two-factor", data={"code": "12345x"}).status_code == 400
    code = current_code(user)
    assert client.post("/two-factor", data={"code": code}).status_code == 302
    assert client.get("/account").status_code == 200
    other = any_app.test_client()
    sign_in(other, user.email)
    assert other.post("/two-factor", data={"code": code}).status_code == 400  # replayed


def test_a_recovery_code_works_once(any_app: Flask, any_session: Session) -> None:
    user = make_user(any_session, "qa_officer")
    client = any_app.test_client()
    sign_in(client, user.email)
    client.get("/two-factor/set-up")
    any_session.expire_all()
    secret = any_session.get(User, user.id).totp_secret  # type: ignore[union-attr]
    done = client.post("/two-factor/set-up", data={"code": totp.code_at(secret, time.time())})
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.data.decode())
    client.post("/sign-out")

    first = any_app.test_client()
    sign_in(first, user.email)
    response = first.post("/two-factor", data={"code": codes[0].upper()})
    assert response.status_code == 302
    assert first.get("/account").status_code == 200
    assert b"9 recovery codes left" in first.get("/account").data

    second = any_app.test_client()
    sign_in(second, user.email)
    assert second.post("/two-factor", data={"code": codes[0]}).status_code == 400
    assert second.post("/two-factor", data={"code": codes[1]}).status_code == 302


def test_wrong_codes_are_throttled(app: Flask, session: Session) -> None:
    user = make_user(session, "admin", enrolled=True)
    client = app.test_client()
    sign_in(client, user.email)
    for _ in range(5):
        client.post("/two-factor", data={"code": "aaaaa-bbbbb"})
    response = client.post("/two-factor", data={"code": current_code(user)})
    assert response.status_code == 400
    assert b"Too many wrong codes" in response.data
