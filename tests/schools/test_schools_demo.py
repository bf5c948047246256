"""The demo seed shows the whole loop for the demo SIP's schools, on SQLite and PostgreSQL."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session, select

from broker import seeding
from broker.brokerage import services as brokerage
from broker.models import Brokerage, MailMessage, Notification, School, SchoolVisit, User
from broker.schools.demo import DEMO_SIP, seed_demo_visits


def test_demo_visits_cover_every_brokerage_state_and_are_added_once(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    report = seeding.seed_demo(s)  # the demo seed adds the visits itself
    assert report.visits_created == 4
    sip = s.exec(select(User).where(User.email == DEMO_SIP)).one()
    visits = s.exec(select(SchoolVisit)).all()
    assert {v.sip_id for v in visits} == {sip.id}
    states = {b.state for b in s.exec(select(Brokerage))}
    assert states == {"suggested", "agreed", "engaged", "completed", "evaluated", "declined"}
    st_aidans = s.exec(select(School).where(School.urn == "119616")).one()
    # The latest visit sets the category, and the head's positive impact counts as evidence.
    assert st_aidans.support_category == "universal"
    evaluated = s.exec(select(Brokerage).where(Brokerage.state == "evaluated")).one()
    assert brokerage.brokerage_outcomes(s, [evaluated.listing_id]) == {
        evaluated.listing_id: (1, 4.0)
    }
    trail = brokerage.audit_trail(s, int(evaluated.id or 0))
    assert [e.to_state for e in trail] == [
        "suggested",
        "agreed",
        "engaged",
        "completed",
        "evaluated",
    ]
    assert seed_demo_visits(s) == 0
    assert len(s.exec(select(SchoolVisit)).all()) == len(visits)


def test_demo_visits_without_the_demo_users_add_nothing(any_session: Session) -> None:
    assert seed_demo_visits(any_session) == 0


def test_the_demo_lists_notifications_for_its_head_and_sip_but_emails_nobody(
    any_app: Flask, any_session: Session
) -> None:
    s = any_session
    seeding.seed_demo(s)
    sip = s.exec(select(User).where(User.email == DEMO_SIP)).one()
    kinds = {n.kind: n.user_id for n in s.exec(select(Notification))}
    assert kinds.get("head-decision") == sip.id
    assert "shortlisted" in kinds
    assert s.exec(select(MailMessage)).all() == []
