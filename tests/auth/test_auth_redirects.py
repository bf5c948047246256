"""`next` only ever leads to a path on this site."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import Session

from broker.auth.access import safe_next
from tests.auth.helpers import make_user, sign_in

REFUSED = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:\\\\evil.example",
    "https:/\\evil.example",
    "http://evil.example",
    "https://evil.example/account",
    "HTTP://evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "account",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2fevil.example",
    "%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "%5C%5Cevil.example",
    "/%252F/evil.example",
    "/%25252F/evil.example",
    "https%3A%2F%2Fevil.example",
    "javascript%3Aalert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%0d%0a/evil.example",
    "/%00/evil.example",
    "\x00/account",
    "/ /evil.example",
    "/%20/evil.example",
    "/\u00a0/evil.example",
    "/\u3000/evil.example",
    "/\u200b/evil.example",
    "/%E2%80%8B/evil.example",
    " /account",
    "/account\x7f",
    "",
    None,
    "/" + "a" * 2001,
]

ALLOWED = [
    "/",
    "/account",
    "/account/password",
    "/search?q=phonics&phase=primary",
    "/l/ABC12#contact",
    "/search?q=maths%20KS2",
]


@pytest.mark.parametrize("target", REFUSED)
def test_next_refuses_anything_but_our_own_paths(target: str | None) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ALLOWED)
def test_next_allows_our_own_paths(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\\evil.example", "https:\\\\evil.example", "/%2F/evil.example"]
)
def test_signing_in_with_a_foreign_next_lands_on_the_roles_own_page(
    app: Flask, session: Session, target: str
) -> None:
    user = make_user(session)
    response = sign_in(app.test_client(), user.email, next=target)
    assert response.headers["Location"] == "/decisions"


def test_signing_in_returns_to_the_page_that_asked(app: Flask, session: Session) -> None:
    user = make_user(session)
    client = app.test_client()
    asked = client.get("/account/password")
    assert asked.headers["Location"] == "/sign-in?next=/account/password"
    page = client.get(asked.headers["Location"])
    assert b'value="/account/password"' in page.data
    response = sign_in(client, user.email, next="/account/password")
    assert response.headers["Location"] == "/account/password"
