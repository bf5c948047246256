"""NUL and other control characters are refused in every input, on both databases, with a clear
400: a GOV.UK error page for pages, a JSON error for the API, and nothing stored."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from broker.models import User
from tests.auth.helpers import make_user, sign_in_fully
from tests.test_authorisation_matrix import ROWS, Row

MESSAGE = b"contains a control character"


class _AnyId(dict):  # type: ignore[type-arg]
    """Fill every {placeholder} of a row with 1: the check comes before any lookup."""

    def __missing__(self, key: str) -> str:
        return "1"


def _url(row: Row) -> str:
    return row.url.format_map(_AnyId())


def _refused(response: Any, path: str) -> None:
    assert response.status_code == 400, (path, response.status_code)
    if path.startswith(("/api/", "/openreferral/")):  # the JSON API and the feed answer in JSON
        error = response.get_json()["error"]
        assert error["status"] == 400 and "control character" in error["message"]
    else:
        assert MESSAGE in response.data and b"govuk-template" in response.data


def _with_nul_in_path(url: str) -> str:
    path, _, query = url.partition("?")
    path = path.rstrip("/") + "%00" if path != "/" else "/%00"
    return f"{path}?{query}" if query else path


def _with_nul_in_query(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "probe=a%00b"


def _nul_everywhere(value: Any) -> Any:
    if isinstance(value, str):
        return value + "\x00"
    if isinstance(value, dict):
        return {k: _nul_everywhere(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nul_everywhere(v) for v in value]
    return value


def _requests(row: Row) -> list[tuple[str, str, dict[str, Any]]]:
    """Return (what, url, request kwargs) for each place a NUL can hide in this row."""
    url = _url(row)
    made = [("path", _with_nul_in_path(url), {}), ("query", _with_nul_in_query(url), {})]
    if row.json is not None:
        made.append(("json", url, {"json": _nul_everywhere(row.json)}))
    elif row.method == "POST":
        data = {k: v for k, v in (row.data or {}).items() if isinstance(v, str)}
        data = {k: v.format_map(_AnyId()) for k, v in data.items()} or {"probe": "x"}
        made.append(("form", url, {"data": _nul_everywhere(data)}))
    return made


@pytest.fixture
def admin_client(any_app: Flask, any_session: Session) -> FlaskClient:
    client = any_app.test_client()
    sign_in_fully(client, make_user(any_session, "admin", enrolled=True))
    return client


def test_a_nul_anywhere_in_any_route_is_refused_with_a_clear_400(
    any_app: Flask, admin_client: FlaskClient
) -> None:
    problems = []
    anonymous = any_app.test_client()
    for row in ROWS:
        for what, url, kwargs in _requests(row):
            for who, client in (("anonymous", anonymous), ("admin", admin_client)):
                response = client.open(url, method=row.method, **kwargs)
                try:
                    _refused(response, url)
                except AssertionError:
                    problems.append(
                        f"{who}: {row.method} {url} (NUL in the {what}) -> {response.status_code}"
                    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "path", ["/l/%00", "/hardcopy/88%006", "/hardcopy/88%006.pdf", "/directory/listings/1%00"]
)
def test_the_public_routes_that_failed_on_postgresql_refuse_a_nul(
    any_app: Flask, path: str
) -> None:
    _refused(any_app.test_client().get(path), path)


@pytest.mark.parametrize("path", ["/sign-in", "/register", "/password-reset"])
def test_an_email_with_a_nul_is_refused_and_nothing_is_stored(
    any_app: Flask, any_session: Session, path: str
) -> None:
    data = {
        "email": "someone\x00@example.org",
        "password": "a long enough passphrase",
        "confirm": "a long enough passphrase",
        "name": "Some One",
        "organisation": "Some Org",
        "kind": "company",
    }
    _refused(any_app.test_client().post(path, data=data), path)
    assert any_session.exec(select(User)).all() == []


@pytest.mark.parametrize("char", ["\x01", "\x08", "\x0b", "\x1b", "\x7f"])
def test_other_control_characters_are_refused_too(client: FlaskClient, char: str) -> None:
    _refused(client.get("/directory?q=" + quote(f"maths{char}")), "/directory")
    _refused(client.post("/password-reset", data={"email": f"a{char}@example.org"}), "/x")
    _refused(client.post("/api/v1/match", json={"needs": [{"text": f"a{char}b"}]}), "/api/")


def test_a_control_character_in_a_json_key_is_refused(client: FlaskClient) -> None:
    _refused(client.post("/api/v1/match", json={"needs\x00": []}), "/api/")


def test_a_json_body_sent_as_plain_text_is_checked_too(client: FlaskClient) -> None:
    body = '{"needs": [{"text": "phonics\\u0000"}]}'
    _refused(client.post("/api/v1/match", data=body, content_type="text/plain"), "/api/")


def test_tabs_and_newlines_in_multi_line_text_are_accepted(client: FlaskClient) -> None:
    need = {"text": "Phonics in year 1:\r\n\tboys' reading\nand writing"}
    assert client.post("/api/v1/match", json={"needs": [need]}).status_code == 200


def test_a_tab_or_newline_in_the_web_address_path_is_refused(client: FlaskClient) -> None:
    _refused(client.get("/l/AB%0A12"), "/l/")
    _refused(client.get("/l/AB%0912"), "/l/")
