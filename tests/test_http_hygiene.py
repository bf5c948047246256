"""What every response carries and what every request may not: health, request ids and logs,
body size, HTTPS headers, proxies, 405/429 headers, the secret key."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session

from broker import ConfigurationError, create_app, db
from broker.models import IndexChange
from broker.search.engine import DEFER
from tests import factories as f
from tests.auth.helpers import PASSWORD, make_user, sign_in
from tests.conftest import close_app, make_app

# --- /healthz --------------------------------------------------------------------------------


def test_healthz_reports_a_reachable_database_and_an_index_caught_up(
    any_app: Flask, any_session: Session
) -> None:
    f.listing(any_session)
    any_session.commit()
    response = any_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "index": {
            "status": "ok",
            "caught_up": True,
            "pending_changes": 0,
            "applied_change": 1,
            "listening": None,
        },
    }


def test_healthz_says_how_far_behind_the_index_is(any_app: Flask, any_session: Session) -> None:
    any_session.info[DEFER] = True  # committed, but not applied to the index (a crash between)
    listing = f.listing(any_session)
    any_session.add_all([IndexChange(listing_id=int(listing.id or 0)) for _ in range(2)])
    any_session.commit()
    body = any_app.test_client().get("/healthz").get_json()
    assert body["index"] == {
        "status": "ok",
        "caught_up": False,
        "pending_changes": 3,
        "applied_change": 0,
        "listening": None,
    }


def test_healthz_is_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path}/no/such/folder/broker.sqlite")
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json()["database"] == "unreachable"
        assert response.get_json()["status"] == "unavailable"
    finally:
        close_app(app)


# --- request ids and logs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abc-123", True),
        ("req_7f3a.9:2", True),
        ("", False),
        ("has space", False),
        ("x" * 200, False),
        ("<script>", False),
    ],
)
def test_a_plain_incoming_request_id_is_echoed_and_any_other_replaced(
    client, incoming: str, kept: bool
) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    echoed = response.headers["X-Request-ID"]
    if kept:
        assert echoed == incoming
    else:
        assert echoed != incoming and len(echoed) == 32


def test_log_lines_written_during_a_request_carry_its_id(
    app: Flask, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    user = make_user(session)
    app.test_client().post(
        "/password-reset", data={"email": user.email}, headers={"X-Request-ID": "trace-77"}
    )
    assert "[trace-77] broker: Email to" in capsys.readouterr().err


def test_the_json_log_format_writes_one_json_object_per_line(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(tmp_path, sqlite_url, LOG_FORMAT="json")
    try:
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            user = make_user(s)
        capsys.readouterr()
        app.test_client().post(
            "/password-reset", data={"email": user.email}, headers={"X-Request-ID": "trace-78"}
        )
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
        (entry,) = [e for e in lines if e["message"].startswith("Email to")]
        assert entry["request_id"] == "trace-78"
        assert entry["level"] == "INFO" and entry["logger"] == "broker"
        assert "/password-reset/" in entry["message"]
    finally:
        close_app(app)


def test_an_unknown_log_format_stops_the_app(tmp_path: Path, sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="BROKER_LOG_FORMAT"):
        make_app(tmp_path, sqlite_url, LOG_FORMAT="xml")


# --- request size ---------------------------------------------------------------------------


class _CountingStream(io.RawIOBase):
    """A request body of `size` bytes, made up as it is read, that counts what was read."""

    def __init__(self, size: int) -> None:
        self.size, self.position, self.read_bytes = size, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = base + offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


@pytest.mark.parametrize("path", ["/sign-in", "/register", "/api/v1/match"])
def test_a_50_mb_post_is_refused_with_413_without_being_read(client, path: str) -> None:  # type: ignore[no-untyped-def]
    size = 50 * 1024 * 1024
    stream = _CountingStream(size)
    response = client.post(
        path,
        input_stream=stream,
        content_length=size,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert stream.read_bytes < 1024 * 1024
    if path.startswith("/api/"):
        assert response.get_json()["error"]["status"] == 413
    else:
        assert b"That upload is too large" in response.data


def test_the_largest_body_is_a_setting(tmp_path: Path, sqlite_url: str) -> None:
    app = make_app(tmp_path, sqlite_url, MAX_CONTENT_LENGTH=1000)
    try:
        response = app.test_client().post("/password-reset", data={"email": "a" * 2000})
        assert response.status_code == 413
    finally:
        close_app(app)


# --- HTTPS, proxies -------------------------------------------------------------------------


def test_https_on_sends_hsts_and_marks_the_session_cookie_secure(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKER_BASE_URL", "https://directory.example.org")
    app = make_app(tmp_path, sqlite_url)
    try:
        assert app.config["HTTPS"] and app.config["SESSION_COOKIE_SECURE"]
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            user = make_user(s)
        client = app.test_client()
        response = sign_in(client, user.email, PASSWORD, base_url="https://localhost")
        assert response.status_code == 302
        assert "Secure" in response.headers["Set-Cookie"]
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        close_app(app)


def test_plain_http_development_sends_no_hsts(client) -> None:  # type: ignore[no-untyped-def]
    assert "Strict-Transport-Security" not in client.get("/").headers


def _from(forwarded_for: str) -> dict[str, object]:
    return {
        "environ_base": {"REMOTE_ADDR": "10.0.0.1"},
        "headers": {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
    }


def test_behind_a_trusted_proxy_sign_in_throttling_sees_each_clients_address(
    tmp_path: Path, sqlite_url: str
) -> None:
    app = make_app(tmp_path, sqlite_url, TRUSTED_PROXIES=1)
    try:
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            user = make_user(s)
        client = app.test_client()
        wrong = {"email": user.email, "password": "wrong password!"}
        right = {"email": user.email, "password": PASSWORD}
        for _ in range(5):
            assert client.post("/sign-in", data=wrong, **_from("203.0.113.5")).status_code == 400
        assert client.post("/sign-in", data=right, **_from("203.0.113.5")).status_code == 429
        # Another client behind the same proxy is another address.
        response = client.post("/sign-in", data=right, **_from("198.51.100.9"))
        assert response.status_code == 302
        assert response.headers["Strict-Transport-Security"]  # X-Forwarded-Proto believed
    finally:
        close_app(app)


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(
    app: Flask, session: Session
) -> None:
    user = make_user(session)
    client = app.test_client()
    wrong = {"email": user.email, "password": "wrong password!"}
    for n in range(5):
        client.post("/sign-in", data=wrong, **_from(f"203.0.113.{n}"))
    response = client.post("/sign-in", data=wrong, **_from("203.0.113.99"))
    assert response.status_code == 429
    assert "Strict-Transport-Security" not in response.headers


# --- 405 and 429 ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/directory", "/api/v1/listings"])
def test_a_405_says_which_methods_are_allowed(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.delete(path)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_rate_limited_request_says_when_to_retry(tmp_path: Path, sqlite_url: str) -> None:
    app = make_app(tmp_path, sqlite_url, MATCH_RATE_LIMIT="1 per minute")
    try:
        client = app.test_client()
        body = {"needs": [{"text": "phonics"}]}
        client.post("/api/v1/match", json=body)
        response = client.post("/api/v1/match", json=body)
        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 60
        assert response.get_json()["error"]["status"] == 429
    finally:
        close_app(app)


# --- the secret key -------------------------------------------------------------------------


def _production_app(tmp_path: Path, **config: object) -> Flask:
    return create_app({"DATABASE_URL": "sqlite://", "INDEX_DIR": str(tmp_path / "i"), **config})


def test_an_empty_secret_key_file_is_refused_at_start(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text("\n")
    with pytest.raises(ConfigurationError, match="is empty"):
        _production_app(tmp_path, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))


def test_a_short_secret_key_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="too short"):
        _production_app(tmp_path, SECRET_KEY="short-key")


def test_a_long_random_secret_key_starts_the_app(tmp_path: Path) -> None:
    app = _production_app(tmp_path, SECRET_KEY="k" * 64)
    close_app(app)
