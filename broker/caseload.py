"""A SIP's caseload: schools, which SIPs are assigned to them, and the priorities agreed on visits.

The lookups and the one rule (is this user the school's assigned SIP?) that the school pages,
brokerage and the visit pack all need. It sits below those features, so they depend on it rather
than on each other: brokerage works on a school's priorities, and the school pages show brokerage.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from broker.errors import Forbidden, NotFound
from broker.models import Priority, School, SchoolAuthority, SchoolVisit, SipAssignment, User

#: The roles that act for a school: its head, and leaders the head authorised.
SCHOOL_ROLES = ("headteacher", "school_leader")
#: Everyone who may see a school's confidential pages (each page still checks the school).
CIRCLE_ROLES = (*SCHOOL_ROLES, "sip", "qa_officer", "admin")
#: The mark on every page and download of a school's confidential data.
CONFIDENTIAL = "Confidential: for the school, its SIP and the LA"


def is_assigned_sip(session: Session, user: User, school_id: int) -> bool:
    """Say whether the user is an active SIP assigned to the school."""
    if user.role != "sip" or not user.active or user.id is None:
        return False
    return (
        session.exec(
            select(SipAssignment).where(
                SipAssignment.user_id == user.id, SipAssignment.school_id == school_id
            )
        ).first()
        is not None
    )


def current_authority(session: Session, user: User, school_id: int) -> SchoolAuthority | None:
    """Return the leader's authority for the school that is not withdrawn, if any."""
    if user.role != "school_leader" or user.id is None or user.school_id != school_id:
        return None
    return session.exec(
        select(SchoolAuthority).where(
            SchoolAuthority.user_id == user.id,
            SchoolAuthority.school_id == school_id,
            col(SchoolAuthority.withdrawn_at).is_(None),
        )
    ).first()


def speaks_for_school(session: Session, user: User, school_id: int | None) -> bool:
    """Say whether the user acts for the school: its head, or a leader with the head's authority.

    They recommend providers and decide on brokered support on the school's behalf.
    """
    if school_id is None or not user.active or user.role not in SCHOOL_ROLES:
        return False
    if user.role == "headteacher":
        return user.school_id == school_id
    return current_authority(session, user, school_id) is not None


def on_behalf_of(session: Session, user: User) -> str | None:
    """Return "on behalf of <school>" for an authorised leader's audit rows; None for anyone else."""
    if user.role != "school_leader" or user.school_id is None:
        return None
    school = session.get(School, user.school_id)
    return f"on behalf of {school.name}" if school is not None else None


def get_school(session: Session, school_id: int) -> School:
    """Return the school or raise NotFound."""
    school = session.get(School, school_id)
    if school is None:
        raise NotFound("There is no such school.")
    return school


def require_sip(session: Session, user: User, school: School) -> None:
    """Raise Forbidden unless the user is an assigned SIP of the school."""
    if not is_assigned_sip(session, user, int(school.id or 0)):
        raise Forbidden("Only the school's School Improvement Partner can do this.")


def get_priority(session: Session, school_id: int, priority_id: int) -> Priority:
    """Return the school's priority or raise NotFound."""
    priority = session.get(Priority, priority_id)
    if priority is None or priority.school_id != school_id:
        raise NotFound("There is no such priority.")
    return priority


def priorities_of(session: Session, visit_id: int) -> list[Priority]:
    """Return a visit's priorities in the order they were agreed."""
    return list(
        session.exec(
            select(Priority).where(Priority.visit_id == visit_id).order_by(col(Priority.id))
        ).all()
    )


def current_priorities(session: Session, school_id: int) -> list[Priority]:
    """Return the priorities of the school's most recent visit that agreed any (the visit pack's)."""
    visit_id = session.exec(
        select(SchoolVisit.id)
        .join(Priority, col(Priority.visit_id) == col(SchoolVisit.id))
        .where(SchoolVisit.school_id == school_id)
        .order_by(col(SchoolVisit.visited_on).desc(), col(SchoolVisit.id).desc())
        .limit(1)
    ).first()
    return priorities_of(session, visit_id) if visit_id is not None else []


def sip_schools(session: Session, sip: User) -> list[School]:
    """Return the schools a SIP is assigned to, by name (none for anyone but a SIP)."""
    if sip.role != "sip" or sip.id is None:
        return []
    return list(
        session.exec(
            select(School)
            .join(SipAssignment, col(SipAssignment.school_id) == col(School.id))
            .where(SipAssignment.user_id == sip.id)
            .order_by(col(School.name))
        ).all()
    )


def open_priorities_for_sip(
    session: Session, sip: User, within_days: int = 400
) -> list[tuple[School, Priority]]:
    """Return (school, priority) for the current priorities of each school the SIP is assigned to."""
    schools = sip_schools(session, sip)
    since = date.today() - timedelta(days=within_days)
    out: list[tuple[School, Priority]] = []
    for school in schools:
        for priority in current_priorities(session, int(school.id or 0)):
            visit = session.get(SchoolVisit, priority.visit_id)
            if visit is not None and visit.visited_on >= since:
                out.append((school, priority))
    return out
