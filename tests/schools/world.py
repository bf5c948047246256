"""A small world for the school and brokerage tests: two LAs, three schools, one of each role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from broker.auth import totp
from broker.brokerage import services as brokerage
from broker.models import (
    Brokerage,
    Listing,
    LocalAuthority,
    Priority,
    School,
    SchoolVisit,
    SipAssignment,
    User,
    utcnow,
)
from broker.schools import services as schools
from tests import factories as f
from tests.auth.helpers import PASSWORD, password_hash, sign_in_fully

#: Every actor a world can sign in as (plus "anonymous"), for access tests.
EVERYONE = (
    "anonymous",
    "head",
    "neighbour_head",
    "sip",
    "neighbour_sip",
    "qa",
    "far_qa",
    "admin",
    "provider",
)
#: Who sees the school's private pages (admins run the service and answer for it).
CIRCLE = frozenset({"head", "sip", "qa", "admin"})


def make_user(session: Session, role: str, **kw: object) -> User:
    """Add a confirmed user with the test password."""
    enrolled = bool(kw.pop("enrolled", False))
    user = f.user(
        session, role=role, password_hash=password_hash(PASSWORD), email_confirmed_at=utcnow(), **kw
    )
    if enrolled:
        user.totp_secret = totp.generate_secret()
        user.totp_enrolled_at = utcnow()
    session.add(user)
    session.commit()
    return user


@dataclass
class World:
    la: LocalAuthority
    other_la: LocalAuthority
    school: School
    neighbour: School  # same LA, different head and SIP
    far: School  # another LA
    head: User
    neighbour_head: User
    sip: User
    neighbour_sip: User
    qa: User
    far_qa: User
    admin: User
    provider: User
    listing: Listing
    other_listing: Listing

    def users(self) -> dict[str, User]:
        return {
            "head": self.head,
            "neighbour_head": self.neighbour_head,
            "sip": self.sip,
            "neighbour_sip": self.neighbour_sip,
            "qa": self.qa,
            "far_qa": self.far_qa,
            "admin": self.admin,
            "provider": self.provider,
        }


def build(session: Session) -> World:
    """Add the world's rows and commit."""
    la = f.local_authority(session, code="886", name="Kent", region="south-east")
    other_la = f.local_authority(session, code="330", name="Birmingham", region="west-midlands")
    school = f.school(session, la=la, name="St Aidan's CE Primary School", phase="primary")
    neighbour = f.school(session, la=la, name="Swale Marshes Primary School")
    far = f.school(session, la=other_la, name="Washwood Lane Primary School")
    p = f.assured_provider(session, listings=0, name="Helen Marsh Education Consultancy")
    listing = f.listing(
        session,
        p,
        title="Phonics leadership coaching",
        categories=["curriculum-and-subject-support"],
    )
    # Public as search shows it: a provider two schools recommend (shortlists hold public listings).
    governance = f.assured_provider(session, listings=0, name="Clerk to Governors Services")
    other_listing = f.listing(
        session, governance, title="Governance health check", categories=["governance"]
    )
    session.commit()
    sip = make_user(session, "sip", name="Margaret Holloway", la_id=la.id)
    neighbour_sip = make_user(session, "sip", name="Desmond Achterberg", la_id=la.id)
    session.add(SipAssignment(user_id=sip.id, school_id=school.id))
    session.add(SipAssignment(user_id=neighbour_sip.id, school_id=neighbour.id))
    world = World(
        la=la,
        other_la=other_la,
        school=school,
        neighbour=neighbour,
        far=far,
        head=make_user(session, "headteacher", name="John Carter", school_id=school.id),
        neighbour_head=make_user(session, "headteacher", school_id=neighbour.id),
        sip=sip,
        neighbour_sip=neighbour_sip,
        qa=make_user(session, "qa_officer", la_id=la.id, enrolled=True),
        far_qa=make_user(session, "qa_officer", la_id=other_la.id, enrolled=True),
        admin=make_user(session, "admin", enrolled=True),
        provider=make_user(session, "provider", provider_id=p.id),
        listing=listing,
        other_listing=other_listing,
    )
    session.commit()
    return world


def visit(
    session: Session,
    world: World,
    *,
    days_ago: int = 7,
    priorities: int = 1,
    category: str = "curriculum-and-subject-support",
    school: School | None = None,
    sip: User | None = None,
) -> tuple[SchoolVisit, list[Priority]]:
    """Record a visit with `priorities` priorities through the services, and commit."""
    school = school or world.school
    sip = sip or world.sip
    record = schools.record_visit(
        session,
        sip,
        school,
        visited_on=date.today() - timedelta(days=days_ago),
        evidence=["sef", "pupil-data"],
        support_category="targeted",
    )
    made = [
        schools.add_priority(
            session,
            sip,
            record,
            description=f"Priority {n + 1}: raise attainment in KS2 reading for boys",
            category=category,
            ecm_outcomes=["enjoy-and-achieve"],
            pupil_groups=["boys-achievement"],
            rag="amber",
        )
        for n in range(priorities)
    ]
    session.commit()
    return record, made


def shortlisted(
    session: Session, world: World, priority: Priority, listing: Listing | None = None
) -> Brokerage:
    row = brokerage.shortlist(session, world.sip, priority, int((listing or world.listing).id or 0))
    session.commit()
    return row


def client_for(app: Flask, user: User | None) -> FlaskClient:
    """A test client signed in as `user` (anonymous when None)."""
    client = app.test_client()
    if user is not None:
        sign_in_fully(client, user)
    return client
