"""Demo visits, priorities and brokerages for the demo SIP's schools, so the demo shows the loop.

Call `seed_demo_visits(session)` after the demo directory and users are loaded (broker.seeding).
It runs through the same services as the pages, so every step is checked, dated and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import caseload
from broker.brokerage import services as brokerage
from broker.models import Brokerage, Listing, School, SchoolVisit, User, utcnow
from broker.schools import services as schools

DEMO_SIP = "margaret.holloway@example.org"


@dataclass(frozen=True)
class _Priority:
    description: str
    category: str
    rag: str
    ecm: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    #: States to take shortlisted listings to, in order ("evaluated:4:words", "declined:reason").
    brokered: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Visit:
    urn: str
    days_ago: int
    evidence: tuple[str, ...]
    category: str
    priorities: tuple[_Priority, ...]
    notes: str = ""


VISITS = (
    _Visit(
        "119616",
        210,
        ("sef", "pupil-data", "work-scrutiny"),
        "targeted",
        (
            _Priority(
                "Too few Year 1 pupils reach the expected standard in the phonics screening "
                "check; boys especially. Phonics teaching is not consistent across EYFS and KS1.",
                "curriculum-and-subject-support",
                "red",
                ("enjoy-and-achieve",),
                ("boys-achievement",),
                (
                    "evaluated:4:Screening pass rate rose from 58% to 81% in a year; every "
                    "teacher now follows the same daily sequence.",
                    "declined:We chose one phonics programme rather than two at once.",
                ),
            ),
            _Priority(
                "Governors do not yet challenge the school on pupil progress data.",
                "governance",
                "amber",
                ("achieve-economic-well-being",),
                (),
                ("engaged",),
            ),
        ),
    ),
    _Visit(
        "119616",
        20,
        ("sef", "pupil-data", "attendance", "lesson-observation"),
        "universal",
        (
            _Priority(
                "Writing at KS2: boys' progress lags girls' by a term; extended writing is rare.",
                "curriculum-and-subject-support",
                "amber",
                ("enjoy-and-achieve",),
                ("boys-achievement",),
                ("suggested", "suggested"),
            ),
            _Priority(
                "Persistent absence of pupils eligible for free school meals is above the LA average.",
                "behaviour-attendance-and-safeguarding",
                "amber",
                ("stay-safe", "enjoy-and-achieve"),
                ("free-school-meals",),
                ("agreed",),
            ),
        ),
    ),
    _Visit(
        "107316",
        30,
        ("sef", "pupil-data", "ofsted"),
        "intensive",
        (
            _Priority(
                "Mathematics at KS2: lower-attaining pupils make slow progress in number.",
                "curriculum-and-subject-support",
                "red",
                ("enjoy-and-achieve",),
                ("underachieving-groups",),
                ("agreed", "suggested"),
            ),
            _Priority(
                "Pupils new to English (EAL) in KS1 need faster language development.",
                "inclusion-sen-and-vulnerable-groups",
                "amber",
                ("enjoy-and-achieve", "make-a-positive-contribution"),
                ("eal",),
                ("suggested",),
            ),
        ),
    ),
    _Visit(
        "102816",
        45,
        ("sef", "pupil-data", "other"),
        "universal",
        (
            _Priority(
                "Staff want to extend outreach to mainstream schools supporting autistic pupils.",
                "partnerships-and-school-to-school-support",
                "green",
                ("make-a-positive-contribution",),
                ("sen-and-disabilities",),
                ("completed",),
            ),
        ),
        notes="Outreach log and feedback from three mainstream schools.",
    ),
)


def _listings(
    session: Session, category: str, phase: str, count: int, used: set[int]
) -> list[Listing]:
    """Return up to `count` public listings in the area that serve the phase (ids not in `used`)."""
    now = utcnow()
    expires = col(Listing.assurance_expires_at)
    rows = session.exec(
        select(Listing)
        .where(
            col(Listing.status) == "assured",
            sa.or_(expires.is_(None), expires > now),
            sa.cast(Listing.categories, sa.Text).like(f'%"{category}"%'),
            sa.cast(Listing.phases, sa.Text).like(f'%"{phase}"%'),
        )
        .order_by(col(Listing.id))
        .limit(count + len(used) + 5)
    ).all()
    return [r for r in rows if r.id not in used][:count]


def _head(session: Session, school: School) -> User | None:
    return session.exec(
        select(User).where(
            User.school_id == school.id, User.role == "headteacher", col(User.active)
        )
    ).first()


def _take(
    session: Session, row: Brokerage, target: str, head: User, sip: User, when: datetime
) -> None:
    """Move a shortlisted brokerage along to `target` ("declined:why", "evaluated:4:words")."""
    name, _, rest = target.partition(":")
    if name == "declined":
        brokerage.move(session, head, row, "declined", reason=rest, now=when, emails=False)
        return
    order = ["agreed", "engaged", "completed", "evaluated"]
    if name not in order:
        return
    for i, step in enumerate(order[: order.index(name) + 1]):
        at = when + timedelta(days=7 * (i + 1))
        if step == "evaluated":
            rating, _, words = rest.partition(":")
            brokerage.move(
                session, head, row, step, rating=rating, impact=words, now=at, emails=False
            )
        else:
            who = head if step == "agreed" else sip
            brokerage.move(session, who, row, step, now=at, emails=False)


def seed_demo_visits(session: Session) -> int:
    """Add the demo visits, priorities and brokerages (once); return the number of visits added."""
    sip = session.exec(select(User).where(User.email == DEMO_SIP)).first()
    if sip is None:
        return 0
    if session.exec(select(SchoolVisit.id).where(SchoolVisit.sip_id == sip.id)).first():
        return 0  # seeded already (or the SIP has real visits): leave them alone
    added = 0
    for spec in VISITS:
        school = session.exec(select(School).where(School.urn == spec.urn)).first()
        if school is None or not caseload.is_assigned_sip(session, sip, int(school.id or 0)):
            continue
        visited_on = date.today() - timedelta(days=spec.days_ago)
        visit = schools.record_visit(
            session,
            sip,
            school,
            visited_on=visited_on,
            evidence=spec.evidence,
            evidence_notes=spec.notes,
            support_category=spec.category,
        )
        added += 1
        head = _head(session, school)
        used: set[int] = set()
        for p in spec.priorities:
            priority = schools.add_priority(
                session,
                sip,
                visit,
                description=p.description,
                category=p.category,
                ecm_outcomes=p.ecm,
                pupil_groups=p.groups,
                rag=p.rag,
            )
            picks = _listings(session, p.category, school.phase, len(p.brokered), used)
            when = datetime.combine(visited_on, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
            for listing, target in zip(picks, p.brokered, strict=False):
                used.add(int(listing.id or 0))
                row = brokerage.shortlist(
                    session,
                    sip,
                    priority,
                    int(listing.id or 0),
                    "Shortlisted on the visit",
                    now=when,
                    emails=False,
                )
                if head is not None:
                    _take(session, row, target, head, sip, when)
    session.commit()
    return added
