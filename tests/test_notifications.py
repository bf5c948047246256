"""Notifications: each event that needs someone reaches them in the service and by email, through
a real SMTP server on loopback; every emailed link is absolute (BROKER_BASE_URL) and opens the
page for its reader; each person chooses which kinds they get by email."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlmodel import Session, select

from broker import mail
from broker.assurance import services as assurance
from broker.models import Listing, Notification, User, utcnow
from tests import factories as f
from tests.auth.helpers import Inbox, body, use_smtp
from tests.schools import world as w

BASE = "http://directory.example"


@pytest.fixture
def app(any_app: Flask) -> Flask:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_app


@pytest.fixture
def session(any_session: Session) -> Session:
    return any_session


@pytest.fixture
def world(app: Flask, session: Session, smtp: Inbox) -> w.World:
    use_smtp(app, smtp.port)
    app.config["BASE_URL"] = BASE
    return w.build(session)


def _one_to(smtp: Inbox, address: str, subject_has: str) -> Message:
    """Wait for the message to `address` whose subject has `subject_has`, and return it."""
    for _ in range(50):
        found = [m for m in smtp.to(address) if subject_has in m["Subject"]]
        if found:
            assert len(found) == 1, [m["Subject"] for m in found]
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no message to {address} about {subject_has!r}: {smtp.messages}")


def _links_work(message: Message, reader: FlaskClient) -> list[str]:
    """Check every link in the message is absolute on BASE and opens for its reader."""
    text = body(message)
    links = re.findall(r"https?://\S+", text)
    assert links, text
    paths = []
    for link in links:
        assert link.startswith(BASE + "/"), link
        path = link[len(BASE) :]
        response = reader.get(path)
        assert response.status_code == 200, (path, response.status_code)
        paths.append(path)
    assert "/account/notifications" in paths  # where to choose the emails
    return paths


def _listed(session: Session, user: User, kind: str) -> list[Notification]:
    session.expire_all()
    return list(
        session.exec(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        ).all()
    )


def _shortlist(app: Flask, session: Session, world: w.World) -> tuple[Any, int]:
    _, (priority,) = w.visit(session, world)
    sip = w.client_for(app, world.sip)
    response = sip.post(
        f"/schools/{world.school.id}/priorities/{priority.id}/shortlist",
        data={"listing_id": str(world.listing.id)},
    )
    assert response.status_code == 302
    session.expire_all()
    row = session.exec(select(Notification).where(Notification.kind == "shortlisted")).one()
    return priority, int(row.path.rsplit("/", 1)[1])


def test_a_head_is_told_when_support_is_shortlisted_for_their_school(
    app: Flask, session: Session, world: w.World, smtp: Inbox
) -> None:
    _shortlist(app, session, world)
    message = _one_to(smtp, world.head.email, "Support shortlisted for St Aidan")
    assert "Phonics leadership coaching" in body(message)
    head = w.client_for(app, world.head)
    paths = _links_work(message, head)
    assert any(p.startswith("/brokerage/") for p in paths)
    (listed,) = _listed(session, world.head, "shortlisted")
    page = head.get("/notifications").get_data(as_text=True)
    assert str(escape(listed.subject)) in page and "1 new notification" in page
    # Nobody outside the school hears of it.
    assert not smtp.to(world.neighbour_head.email)


def test_the_sip_is_told_of_the_heads_decision(
    app: Flask, session: Session, world: w.World, smtp: Inbox
) -> None:
    _, brokerage_id = _shortlist(app, session, world)
    head = w.client_for(app, world.head)
    assert head.post(f"/brokerage/{brokerage_id}/agree").status_code == 302
    message = _one_to(smtp, world.sip.email, "agreed to: Phonics leadership coaching")
    assert "John Carter, headteacher of St Aidan's CE Primary School" in body(message)
    _links_work(message, w.client_for(app, world.sip))
    assert len(_listed(session, world.sip, "head-decision")) == 1
    assert not smtp.to(world.neighbour_sip.email)


def test_a_head_is_told_when_a_provider_asks_for_a_recommendation(
    app: Flask, session: Session, world: w.World, smtp: Inbox
) -> None:
    asking = f.provider(session, name="Kent Maths Hub")
    asker = w.make_user(session, "provider", provider_id=asking.id)
    with app.test_request_context():
        assurance.request_recommendations(session, asking, [int(world.school.id or 0)], asker)
        session.commit()
        mail.deliver_committed(session, app)
    message = _one_to(smtp, world.head.email, "Kent Maths Hub asks")
    _links_work(message, w.client_for(app, world.head))
    assert len(_listed(session, world.head, "recommendation-requested")) == 1


def test_a_provider_is_told_of_a_qa_decision(
    app: Flask, session: Session, world: w.World, smtp: Inbox
) -> None:
    provider = session.get(Listing, world.listing.id).provider  # type: ignore[union-attr]
    waiting = f.listing(
        session,
        provider,
        status="submitted",
        title="Early reading audit",
        local_authorities=[world.la.code],
    )
    session.commit()
    qa = w.client_for(app, world.qa)
    response = qa.post(
        f"/qa/listings/{waiting.id}/request-changes",
        data={"changes-message": "Say which year groups you work with."},
    )
    assert response.status_code == 302
    message = _one_to(smtp, world.provider.email, "Changes needed: Early reading audit")
    _links_work(message, w.client_for(app, world.provider))
    assert len(_listed(session, world.provider, "qa-decision")) == 1


def test_a_provider_is_told_when_assurance_is_about_to_lapse(
    app: Flask, session: Session, world: w.World, smtp: Inbox
) -> None:
    listing = session.get(Listing, world.listing.id)
    assert listing is not None
    listing.assurance_expires_at = utcnow() + timedelta(days=10)
    session.add(listing)
    session.commit()
    result = app.test_cli_runner().invoke(args=["assurance", "remind"])
    assert "Sent 1 renewal reminder." in result.output, result.output
    message = _one_to(smtp, world.provider.email, "Renew your assurance")
    _links_work(message, w.client_for(app, world.provider))
    assert len(_listed(session, world.provider, "assurance-lapsing")) == 1


def test_a_head_who_opts_out_is_listed_but_not_emailed(
    app: Flask, session: Session, world: w.World, smtp: Inbox
) -> None:
    head = w.client_for(app, world.head)
    page = head.get("/account/notifications").get_data(as_text=True)
    assert "Support shortlisted for your school" in page
    assert "A provider asks your school for a recommendation" in page
    assert "Quality assurance decisions" not in page  # a provider's kind
    saved = head.post("/account/notifications", data={"emailed": ["recommendation-requested"]})
    assert saved.status_code == 302
    _shortlist(app, session, world)
    assert len(_listed(session, world.head, "shortlisted")) == 1
    assert not smtp.to(world.head.email)
    # A choice not on offer is refused, with a message.
    refused = head.post("/account/notifications", data={"emailed": ["qa-decision"]})
    assert refused.status_code == 400
    assert "Choose from the list" in refused.get_data(as_text=True)


def test_marking_notifications_read(app: Flask, session: Session, world: w.World) -> None:
    _shortlist(app, session, world)
    head = w.client_for(app, world.head)
    assert "1 new notification" in head.get("/notifications").get_data(as_text=True)
    assert head.post("/notifications/read").status_code == 302
    assert "Nothing new." in head.get("/notifications").get_data(as_text=True)
    # Someone else's list stays empty.
    other = w.client_for(app, world.neighbour_head).get("/notifications").get_data(as_text=True)
    assert "You have no notifications yet." in other


def test_the_navigation_says_how_many_notifications_are_new(
    app: Flask, session: Session, world: w.World
) -> None:
    head = w.client_for(app, world.head)
    assert "Notifications (" not in head.get("/decisions").get_data(as_text=True)
    _shortlist(app, session, world)
    assert "Notifications (1 new)" in head.get("/decisions").get_data(as_text=True)
    head.post("/notifications/read")
    assert "Notifications (" not in head.get("/decisions").get_data(as_text=True)


def test_qa_and_the_provider_are_told_when_a_withdrawal_drops_it_below_two_schools(
    app: Flask, session: Session, world: w.World, smtp: Inbox
) -> None:
    provider = f.provider(session, la_id=world.la.id, name="Falling Evidence Ltd")
    rec = f.recommendation(
        session, provider, world.school, recommender_user_id=world.head.id, status="confirmed"
    )
    f.recommendation(session, provider, world.neighbour)
    f.listing(session, provider, title="Soon hidden", local_authorities=[world.la.code])
    staff = w.make_user(session, "provider", provider_id=provider.id)
    session.commit()
    head = w.client_for(app, world.head)
    response = head.post(f"/recommendations/{rec.id}/withdraw", data={"withdraw-reason": ""})
    assert response.status_code == 302
    to_qa = _one_to(smtp, world.qa.email, "Falling Evidence Ltd has left the directory")
    _links_work(to_qa, w.client_for(app, world.qa))
    assert len(_listed(session, world.qa, "qa-alert")) == 1
    to_provider = _one_to(smtp, staff.email, "Your listings have left the directory")
    _links_work(to_provider, w.client_for(app, staff))
    assert len(_listed(session, staff, "qa-decision")) == 1
    assert not smtp.to(world.far_qa.email)  # another LA's officer
