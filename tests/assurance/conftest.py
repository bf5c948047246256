"""Fixtures for the assurance tests: a real SMTP server, and a small world of people and places."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlmodel import Session

from broker.models import LocalAuthority, Provider, School, User
from tests import factories as f
from tests.auth.helpers import Inbox, use_smtp
from tests.auth.helpers import make_user as password_user


@dataclass
class World:
    la: LocalAuthority
    other_la: LocalAuthority
    schools: list[School]
    heads: list[User]
    provider: Provider
    provider_user: User
    qa: User
    other_qa: User
    admin: User
    sip: User


def build_world(session: Session, sign_in: bool = False) -> World:
    """One LA with three schools and their heads, a provider based there, and its QA officer.

    With `sign_in`, every user gets a password (and QA/admin a second factor): slower, for routes.
    """

    def make_user(session: Session, role: str, **kw: object) -> User:
        if sign_in:
            return password_user(session, role, **kw)
        kw.pop("enrolled", None)
        return f.user(session, role=role, **kw)

    la, other_la = f.local_authority(session), f.local_authority(session)
    schools = [f.school(session, la=la) for _ in range(3)]
    heads = [make_user(session, "headteacher", school_id=s.id) for s in schools]
    provider = f.provider(session, la_id=la.id, name="Bright Futures Consulting")
    provider_user = make_user(session, "provider", provider_id=provider.id)
    qa = make_user(session, "qa_officer", la_id=la.id, enrolled=True)
    other_qa = make_user(session, "qa_officer", la_id=other_la.id, enrolled=True)
    admin = make_user(session, "admin", enrolled=True)
    sip = make_user(session, "sip")
    session.commit()
    return World(la, other_la, schools, heads, provider, provider_user, qa, other_qa, admin, sip)


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def any_world(any_session: Session) -> World:
    return build_world(any_session)


@pytest.fixture
def people(session: Session) -> World:
    """The world, with passwords, for tests that sign in through the browser client."""
    return build_world(session, sign_in=True)


@pytest.fixture
def mail_app(app: Flask, smtp: Inbox) -> Flask:
    use_smtp(app, smtp.port)
    return app
