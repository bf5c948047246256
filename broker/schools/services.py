"""Rules for schools' private records: who is whose SIP, visits, priorities, support categories.

Who may see a school's private records is decided in one place, broker.auth.services.can_see_school:
its head, its assigned SIPs, its LA's QA officers, and administrators (who run the service and
answer for it). Changing them is narrower: only an assigned SIP records visits and priorities;
only administrators and the LA's QA officers assign SIPs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NotRequired, TypedDict, Unpack

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import audit, taxonomy
from broker.auth import services as auth_services
from broker.caseload import get_school, is_assigned_sip, priorities_of, require_sip, sip_schools
from broker.errors import Forbidden, InvalidInput, NotFound
from broker.models import (
    LocalAuthority,
    Priority,
    School,
    SchoolVisit,
    SipAssignment,
    User,
    utcnow,
)

#: A visit agrees "a small number" of priorities.
MAX_PRIORITIES = 5
DESCRIPTION_MAX = 2000
NOTES_MAX = 4000
#: How far back a visit may be recorded (older records belong to another system).
EARLIEST_VISIT = date(2000, 1, 1)
#: How far ahead of a visit the next one may be planned.
NEXT_VISIT_WITHIN = timedelta(days=366)


@dataclass(frozen=True)
class SchoolRow:
    """A line of the schools list."""

    school: School
    la_name: str
    sips: list[str]


@dataclass(frozen=True)
class SchoolList:
    rows: list[SchoolRow]
    total: int


class VisitValues(TypedDict):
    """What a SIP records of a visit (the visit form's fields)."""

    visited_on: date | None
    evidence: Sequence[str]
    support_category: str | None
    evidence_notes: NotRequired[str]
    next_visit_on: NotRequired[date | None]


class PriorityValues(TypedDict):
    """What a SIP records of a priority (the priority form's fields)."""

    description: str
    category: str | None
    rag: str | None
    ecm_outcomes: NotRequired[Sequence[str]]
    pupil_groups: NotRequired[Sequence[str]]


@dataclass(frozen=True)
class VisitRecord:
    """A visit with its priorities, as the school's page shows it."""

    visit: SchoolVisit
    sip_name: str
    priorities: list[Priority] = field(default_factory=list)


# --- who may do what ----------------------------------------------------------------------


def may_assign_sips(user: User, school: School) -> bool:
    """Say whether the user may assign SIPs to the school: admins, and QA officers of its LA."""
    if not user.active:
        return False
    if user.role == "admin":
        return True
    return user.role == "qa_officer" and user.la_id is not None and user.la_id == school.la_id


# --- the schools list and SIP assignments ----------------------------------------------------


def schools_for(session: Session, user: User, words: str = "", limit: int = 50) -> SchoolList:
    """Return the schools the user may see privately, by name, optionally filtered by name or URN."""
    visible = auth_services.visible_school_ids(session, user)
    conditions: list[sa.ColumnElement[bool]] = []
    if visible is not None:
        if not visible:
            return SchoolList(rows=[], total=0)
        conditions.append(col(School.id).in_(sorted(visible)))
    text = words.strip()[:100]
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern += "%"
        conditions.append(
            sa.or_(
                sa.func.lower(col(School.name)).like(pattern, escape="\\"),
                col(School.urn) == text,
            )
        )
    total = session.exec(select(sa.func.count(col(School.id))).where(*conditions)).one()
    rows = session.exec(
        select(School, LocalAuthority.name)
        .join(LocalAuthority, col(LocalAuthority.id) == col(School.la_id))
        .where(*conditions)
        .order_by(col(School.name), col(School.id))
        .limit(limit)
    ).all()
    ids = [int(s.id or 0) for s, _ in rows]
    names: dict[int, list[str]] = {}
    if ids:
        for school_id, name in session.exec(
            select(SipAssignment.school_id, User.name)
            .join(User, col(User.id) == col(SipAssignment.user_id))
            .where(col(SipAssignment.school_id).in_(ids))
            .order_by(col(User.name))
        ):
            names.setdefault(school_id, []).append(name)
    return SchoolList(
        rows=[SchoolRow(s, la_name, names.get(int(s.id or 0), [])) for s, la_name in rows],
        total=total,
    )


@dataclass(frozen=True)
class CaseloadRow:
    """A school on a SIP's list: its last visit and the next one, if agreed."""

    school: School
    last_visit: date | None
    next_visit: date | None


def caseload(session: Session, sip: User) -> list[CaseloadRow]:
    """Return the SIP's schools, next visit first (agreed dates in order, then the least visited)."""
    rows = []
    for school in sip_schools(session, sip):
        latest = session.exec(
            select(SchoolVisit)
            .where(SchoolVisit.school_id == school.id)
            .order_by(col(SchoolVisit.visited_on).desc(), col(SchoolVisit.id).desc())
            .limit(1)
        ).first()
        rows.append(
            CaseloadRow(
                school=school,
                last_visit=latest.visited_on if latest else None,
                next_visit=latest.next_visit_on if latest else None,
            )
        )

    def order(row: CaseloadRow) -> tuple[int, date, str]:
        if row.next_visit is not None:
            return (0, row.next_visit, row.school.name)
        return (1, row.last_visit or date.min, row.school.name)

    return sorted(rows, key=order)


def assigned_sips(session: Session, school_id: int) -> list[User]:
    """Return the SIPs assigned to a school, by name."""
    return list(
        session.exec(
            select(User)
            .join(SipAssignment, col(SipAssignment.user_id) == col(User.id))
            .where(SipAssignment.school_id == school_id)
            .order_by(col(User.name), col(User.id))
        ).all()
    )


def assign_sip(session: Session, actor: User, school: School, email: str) -> User:
    """Attach the SIP with this email address to the school; audited."""
    if not may_assign_sips(actor, school):
        raise Forbidden("Only an administrator or a QA officer of the school's LA can do this.")
    address = email.strip().lower()
    if not address:
        raise InvalidInput("email", "Enter the SIP's email address")
    sip = session.exec(select(User).where(sa.func.lower(col(User.email)) == address)).first()
    if sip is None or sip.role != "sip":
        raise InvalidInput(
            "email",
            "There is no School Improvement Partner with that email address. "
            "Invite them first from your account page.",
        )
    if not sip.active:
        raise InvalidInput("email", "That SIP's account is switched off")
    assert sip.id is not None and school.id is not None
    if is_assigned_sip(session, sip, school.id):
        raise InvalidInput("email", f"{sip.name} is already this school's SIP")
    session.add(SipAssignment(user_id=sip.id, school_id=school.id))
    audit.record(
        session,
        actor,
        entity_type="school",
        entity_id=school.id,
        action="sip-assigned",
        reason=f"{sip.name} ({sip.email})",
    )
    session.flush()
    return sip


def unassign_sip(session: Session, actor: User, school: School, sip_id: int) -> User:
    """Detach a SIP from the school; audited. Their past visits stay on the record."""
    if not may_assign_sips(actor, school):
        raise Forbidden("Only an administrator or a QA officer of the school's LA can do this.")
    row = session.get(SipAssignment, (sip_id, school.id))
    sip = session.get(User, sip_id)
    if row is None or sip is None:
        raise NotFound("That SIP is not assigned to this school.")
    session.delete(row)
    audit.record(
        session,
        actor,
        entity_type="school",
        entity_id=int(school.id or 0),
        action="sip-unassigned",
        reason=f"{sip.name} ({sip.email})",
    )
    session.flush()
    return sip


# --- visits and priorities --------------------------------------------------------------------


def _check_slugs(
    values: Sequence[str], vocabulary: taxonomy.Vocabulary, field_name: str
) -> list[str]:
    slugs = []
    for value in values:
        term = vocabulary.get(value)
        if term is None:
            raise InvalidInput(
                field_name, f"Choose from the list: {value[:40]!r} is not one of them"
            )
        if term.slug not in slugs:
            slugs.append(term.slug)
    # Stored in the vocabulary's order, so two records of the same choice compare equal.
    return [s for s in vocabulary.slugs if s in slugs]


def _check_next_visit(values: VisitValues, visited_on: date, today: date) -> date | None:
    planned = values.get("next_visit_on")
    if planned is None:
        return None
    if planned <= visited_on or planned < today:
        raise InvalidInput(
            "next_visit_on", "The date of the next visit must be after this visit and not past"
        )
    if planned > visited_on + NEXT_VISIT_WITHIN:
        raise InvalidInput(
            "next_visit_on", "The date of the next visit must be within a year of this visit"
        )
    return planned


def _check_visit(values: VisitValues, today: date) -> tuple[date, list[str], str, str | None]:
    visited_on, support_category = values["visited_on"], values["support_category"]
    if visited_on is None:
        raise InvalidInput("visited_on", "Enter the date of the visit")
    if visited_on > today:
        raise InvalidInput("visited_on", "The date of the visit must be today or in the past")
    if visited_on < EARLIEST_VISIT:
        raise InvalidInput("visited_on", "The date of the visit must be in 2000 or later")
    slugs = _check_slugs(values["evidence"], taxonomy.EVIDENCE, "evidence")
    if not slugs:
        raise InvalidInput("evidence", "Select the evidence you looked at")
    notes = values.get("evidence_notes", "").strip()
    if len(notes) > NOTES_MAX:
        raise InvalidInput("evidence_notes", f"Notes must be {NOTES_MAX} characters or fewer")
    if "other" in slugs and not notes:
        raise InvalidInput("evidence_notes", "Say what other evidence you looked at")
    category = None
    if support_category:
        term = taxonomy.SUPPORT_CATEGORIES.get(support_category)
        if term is None:
            raise InvalidInput("support_category", "Choose universal, targeted or intensive")
        category = term.slug
    if category is None:
        raise InvalidInput("support_category", "Select the school's support category")
    return visited_on, slugs, notes, category


def _set_category(session: Session, actor: User, school: School, category: str | None) -> None:
    if category and category != school.support_category:
        audit.record(
            session,
            actor,
            entity_type="school",
            entity_id=int(school.id or 0),
            action="support-category",
            from_state=school.support_category,
            to_state=category,
        )
        school.support_category = category
        session.add(school)


def _latest_visit_id(session: Session, school_id: int) -> int | None:
    return session.exec(
        select(SchoolVisit.id)
        .where(SchoolVisit.school_id == school_id)
        .order_by(col(SchoolVisit.visited_on).desc(), col(SchoolVisit.id).desc())
        .limit(1)
    ).first()


def _save_visit(
    session: Session,
    sip: User,
    school: School,
    visit: SchoolVisit,
    action: str,
    reason: str | None = None,
) -> SchoolVisit:
    """Save the visit and audit it; it sets the school's category if it is now the latest."""
    audit.record_saved(
        session, sip, visit, entity_type="school_visit", action=action, reason=reason
    )
    # The school's category is the one given at its most recent visit.
    if _latest_visit_id(session, int(school.id or 0)) == visit.id:
        _set_category(session, sip, school, visit.support_category)
    session.flush()
    return visit


def record_visit(
    session: Session,
    sip: User,
    school: School,
    *,
    today: date | None = None,
    **values: Unpack[VisitValues],
) -> SchoolVisit:
    """Record a SIP's visit and the support category it gave; audited."""
    require_sip(session, sip, school)
    today = today or date.today()
    when, slugs, notes, category = _check_visit(values, today)
    visit = SchoolVisit(
        school_id=int(school.id or 0),
        sip_id=sip.id,
        visited_on=when,
        evidence=slugs,
        evidence_notes=notes,
        support_category=category,
        next_visit_on=_check_next_visit(values, when, today),
    )
    return _save_visit(session, sip, school, visit, "recorded", reason=when.isoformat())


def update_visit(
    session: Session,
    sip: User,
    visit: SchoolVisit,
    *,
    today: date | None = None,
    **values: Unpack[VisitValues],
) -> SchoolVisit:
    """Correct a visit's record; audited."""
    school = get_school(session, visit.school_id)
    require_sip(session, sip, school)
    today = today or date.today()
    when, slugs, notes, category = _check_visit(values, today)
    planned = _check_next_visit(values, when, today)
    visit.visited_on, visit.evidence, visit.evidence_notes = when, slugs, notes
    visit.support_category, visit.next_visit_on = category, planned
    visit.updated_at = utcnow()
    return _save_visit(session, sip, school, visit, "changed")


def get_visit(session: Session, school_id: int, visit_id: int) -> SchoolVisit:
    """Return the school's visit or raise NotFound."""
    visit = session.get(SchoolVisit, visit_id)
    if visit is None or visit.school_id != school_id:
        raise NotFound("There is no such visit.")
    return visit


def _check_priority(values: PriorityValues) -> tuple[str, str, list[str], list[str], str]:
    text = values["description"].strip()
    if not text:
        raise InvalidInput("description", "Describe the priority in your own words")
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput(
            "description", f"The description must be {DESCRIPTION_MAX} characters or fewer"
        )
    term = taxonomy.CATEGORIES.get(values["category"] or "")
    if term is None:
        raise InvalidInput("category", "Select the area of support")
    outcomes = _check_slugs(values.get("ecm_outcomes", ()), taxonomy.ECM_OUTCOMES, "ecm_outcomes")
    groups = _check_slugs(values.get("pupil_groups", ()), taxonomy.PUPIL_GROUPS, "pupil_groups")
    rating = taxonomy.RAG_RATINGS.get(values["rag"] or "")
    if rating is None:
        raise InvalidInput("rag", "Select a RAG rating: red, amber or green")
    return text, term.slug, outcomes, groups, rating.slug


def _save_priority(
    session: Session, sip: User, priority: Priority, action: str, before: str | None = None
) -> Priority:
    """Save the priority and audit it, with its RAG rating before (when changed) and now."""
    audit.record_saved(
        session,
        sip,
        priority,
        entity_type="priority",
        action=action,
        from_state=before,
        to_state=priority.rag,
    )
    session.flush()
    return priority


def add_priority(
    session: Session,
    sip: User,
    visit: SchoolVisit,
    **values: Unpack[PriorityValues],
) -> Priority:
    """Add a priority to a visit (at most MAX_PRIORITIES); audited."""
    school = get_school(session, visit.school_id)
    require_sip(session, sip, school)
    if len(priorities_of(session, int(visit.id or 0))) >= MAX_PRIORITIES:
        raise InvalidInput(
            "description",
            f"A visit has at most {MAX_PRIORITIES} priorities: change one of them instead",
        )
    text, slug, outcomes, groups, rating = _check_priority(values)
    priority = Priority(
        visit_id=int(visit.id or 0),
        school_id=visit.school_id,
        description=text,
        category=slug,
        ecm_outcomes=outcomes,
        pupil_groups=groups,
        rag=rating,
    )
    return _save_priority(session, sip, priority, "recorded")


def update_priority(
    session: Session,
    sip: User,
    priority: Priority,
    **values: Unpack[PriorityValues],
) -> Priority:
    """Change a priority (a RAG change is audited with its from and to)."""
    school = get_school(session, priority.school_id)
    require_sip(session, sip, school)
    text, slug, outcomes, groups, rating = _check_priority(values)
    before = priority.rag
    priority.description, priority.category = text, slug
    priority.ecm_outcomes, priority.pupil_groups, priority.rag = outcomes, groups, rating
    priority.updated_at = utcnow()
    return _save_priority(session, sip, priority, "changed", before=before)


def history(session: Session, school_id: int) -> list[VisitRecord]:
    """Return the school's visits, newest first, each with its priorities."""
    rows = session.exec(
        select(SchoolVisit, User.name)
        .join(User, col(User.id) == col(SchoolVisit.sip_id), isouter=True)
        .where(SchoolVisit.school_id == school_id)
        .order_by(col(SchoolVisit.visited_on).desc(), col(SchoolVisit.id).desc())
    ).all()
    by_visit: dict[int, list[Priority]] = {}
    ids = [int(v.id or 0) for v, _ in rows]
    if ids:
        for p in session.exec(
            select(Priority).where(col(Priority.visit_id).in_(ids)).order_by(col(Priority.id))
        ):
            by_visit.setdefault(p.visit_id, []).append(p)
    return [
        VisitRecord(
            visit=v, sip_name=name or "Unknown", priorities=by_visit.get(int(v.id or 0), [])
        )
        for v, name in rows
    ]
