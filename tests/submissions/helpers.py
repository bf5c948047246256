"""Submission test helpers: a signed-in provider and the answers of a complete listing."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session

from broker.models import LocalAuthority, Provider, User
from tests import factories as f
from tests.auth.helpers import make_user, sign_in

ABOUT = {
    "title": "Phonics catch-up for Year 1",
    "summary": "Short daily phonics sessions for pupils who missed the screening check.",
    "description": "Six weeks of coaching for teaching assistants, with pupil tracking.",
    "categories": ["teaching-and-learning", "curriculum-and-subject-support"],
    "ecm_outcomes": ["enjoy-and-achieve"],
    "submit": "Save and continue",
}
AUDIENCE = {"phases": ["primary"], "pupil_groups": ["eal"], "submit": "Save and continue"}
COST = {"cost": "paid", "price_note": "£450 a day", "submit": "Save and continue"}
CONTACT = {"contact_name": "Ada Lovelace", "contact_email": "ada@example.org", "submit": "x"}


def delivery(la: LocalAuthority) -> dict[str, Any]:
    return {
        "delivery": ["on-site-consultancy", "coaching-or-mentoring"],
        "regions": ["london"],
        "local_authorities": [la.code],
        "submit": "Save and continue",
    }


def organisation(provider: Provider, la: LocalAuthority, **kw: Any) -> dict[str, Any]:
    data = {
        "name": provider.name,
        "kind": "company",
        "email": "office@example.org",
        "website": "www.example.org",
        "phone": "01632 960001",
        "la": la.code,
        "school_urn": "",
        "submit": "Save and continue",
    }
    data.update(kw)
    return data


def provider_user(session: Session, **kw: Any) -> User:
    """Add a provider organisation and a confirmed user acting for it."""
    provider = f.provider(session, **kw)
    session.commit()
    return make_user(session, "provider", provider_id=provider.id)


def signed_in(client: FlaskClient, user: User) -> FlaskClient:
    response = sign_in(client, user.email)
    assert response.status_code == 302, response.data
    return client


def new_draft(client: FlaskClient) -> int:
    response = client.post("/provider/listings/new")
    assert response.status_code == 302, response.data
    match = re.fullmatch(r"/provider/listings/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def text(response: Any) -> str:
    return response.get_data(as_text=True)
