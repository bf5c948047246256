"""The support plan: what a school agreed, gathered for print; and the plan details of a
brokerage (planned dates, agreed cost, how impact will be judged), their rules and their audit.

What is in the plan: the school's current priorities (those of its latest visit that agreed any),
and any earlier priority whose agreed support is still under way, each with the support the
school agreed (agreed, engaged, completed, impact evaluated) and its progress. Support still
only shortlisted is listed apart as awaiting the school's decision, with no dates or cost;
declined support is left out (its reason is for the SIP and the LA, not the governors).

The plan details may be set by the school's SIP and by whoever acts for the school (its head or
an authorised leader) from when the support is agreed until its impact is recorded: the way
impact will be judged must not change once it has been judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from broker import audit, caseload, taxonomy
from broker.brokerage import services as brokerage
from broker.errors import Conflict, Forbidden, InvalidInput
from broker.evidence import recommendation_counts
from broker.models import (
    Brokerage,
    LocalAuthority,
    Priority,
    School,
    SchoolVisit,
    User,
    utcnow,
)
from broker.schools import services as schools
from broker.visitpack.services import priority_labels

#: Support the school agreed, in the order the work moves: the plan's items.
PLANNED = ("agreed", "engaged", "completed", "evaluated")
#: Support whose plan details may change (not once its impact is recorded).
EDITABLE = ("agreed", "engaged", "completed")
#: Support still under way: an earlier priority with some stays in the plan.
UNDER_WAY = ("agreed", "engaged", "completed")
CRITERIA_MAX = 2000
COST_NOTE_MAX = 200
#: £10 million: no brokered support costs more; a larger figure is a typing slip.
COST_MAX_PENCE = 1_000_000_000
#: Planned dates from this year up to this many years ahead.
EARLIEST_YEAR = 2000
YEARS_AHEAD = 5

#: Dates on paper are the reader's dates.
LONDON = ZoneInfo("Europe/London")
_POUNDS = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")


# --- the plan details of one brokerage ----------------------------------------------------------


def may_set_details(session: Session, user: User, row: Brokerage) -> bool:
    """Say whether the user may set the brokerage's plan details now."""
    if row.state not in EDITABLE or not user.active:
        return False
    if user.role in caseload.SCHOOL_ROLES:
        return caseload.speaks_for_school(session, user, row.school_id)
    return caseload.is_assigned_sip(session, user, row.school_id)


def check_may_set_details(session: Session, user: User, row: Brokerage) -> None:
    """Raise Conflict (not agreed, or impact already recorded) or Forbidden (not this user)."""
    if row.state not in EDITABLE:
        state = taxonomy.BROKERAGE_STATES.label_of(row.state).lower()
        if row.state == "evaluated":
            raise Conflict(
                "The plan details cannot change once the impact is recorded: "
                "they are what the impact was judged against."
            )
        raise Conflict(
            f"This support is {state}: its plan details can be set once the school agrees to it."
        )
    if not may_set_details(session, user, row):
        raise Forbidden(
            "Only the school's headteacher, a leader they authorised, or the school's SIP "
            "can change the plan details of this support."
        )


def parse_cost(text: str | None) -> int | None:
    """Return pounds and pence written as "£1,250.50" in pence; None when empty.

    Raises InvalidInput("agreed_cost") for anything else.
    """
    raw = (text or "").strip().replace(",", "").replace(" ", "")
    raw = raw.removeprefix("£")
    if not raw:
        return None
    found = _POUNDS.match(raw)
    if found is None:
        raise InvalidInput(
            "agreed_cost",
            "Enter the agreed cost in pounds, like 1250 or 1250.50 (enter 0 if it is free)",
        )
    pence = int(found[1]) * 100 + int((found[2] or "0").ljust(2, "0"))
    if pence > COST_MAX_PENCE:
        raise InvalidInput("agreed_cost", "The agreed cost must be £10,000,000 or less")
    return pence


def money(pence: int | None) -> str:
    """Return pence as pounds the GOV.UK way: £1,250 or £1,250.50; "" for None."""
    if pence is None:
        return ""
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" + (f".{rest:02d}" if rest else "")


def _check_date(name: str, what: str, value: date | None, today: date) -> None:
    if value is None:
        return
    latest = today.year + YEARS_AHEAD
    if not EARLIEST_YEAR <= value.year <= latest:
        raise InvalidInput(name, f"{what} must be between {EARLIEST_YEAR} and {latest}")


def _text(name: str, what: str, value: str | None, limit: int) -> str | None:
    words = (value or "").strip()
    if len(words) > limit:
        raise InvalidInput(name, f"{what} must be {limit} characters or fewer")
    return words or None


#: Each plan detail's column, the field that sets it, and its name in the audit trail.
_COLUMNS = (
    ("planned_start", "planned_start"),
    ("planned_end", "planned_end"),
    ("agreed_cost_pence", "agreed_cost"),
    ("cost_note", "cost_note"),
    ("success_criteria", "success_criteria"),
)


def set_details(
    session: Session,
    user: User,
    row: Brokerage,
    *,
    planned_start: date | None,
    planned_end: date | None,
    agreed_cost: str | None,
    cost_note: str | None,
    success_criteria: str | None,
    today: date | None = None,
) -> list[str]:
    """Set the brokerage's plan details; return the fields that changed (audited when any did).

    Raises Conflict or Forbidden as `check_may_set_details`, InvalidInput for a bad value.
    """
    check_may_set_details(session, user, row)
    today = today or date.today()
    _check_date("planned_start", "The planned start", planned_start, today)
    _check_date("planned_end", "The planned end", planned_end, today)
    if planned_start and planned_end and planned_end < planned_start:
        raise InvalidInput(
            "planned_end", "The planned end must be the same as or after the planned start"
        )
    values: dict[str, Any] = {
        "planned_start": planned_start,
        "planned_end": planned_end,
        "agreed_cost_pence": parse_cost(agreed_cost),
        "cost_note": _text("cost_note", "The note on the cost", cost_note, COST_NOTE_MAX),
        "success_criteria": _text(
            "success_criteria", "How impact will be judged", success_criteria, CRITERIA_MAX
        ),
    }
    changed = [name for column, name in _COLUMNS if getattr(row, column) != values[column]]
    if not changed:
        return []
    for column, value in values.items():
        setattr(row, column, value)
    session.add(row)
    audit.record(
        session,
        user,
        entity_type="brokerage",
        entity_id=int(row.id or 0),
        provider_id=row.provider_id,
        action="plan-changed",
        reason=describe_details(row) or "Plan details cleared",
        changed_fields=changed,
        on_behalf_of=caseload.on_behalf_of(session, user),
    )
    session.flush()
    return changed


def long_date(value: date | datetime | None) -> str:
    """Return a date the GOV.UK way (4 June 2025); "" for None."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y')}"


def describe_details(row: Brokerage) -> str:
    """Return the plan details in one line, as the audit trail keeps them."""
    parts = []
    if row.planned_start or row.planned_end:
        parts.append(
            f"Planned {long_date(row.planned_start) or 'start not set'} "
            f"to {long_date(row.planned_end) or 'end not set'}"
        )
    if row.agreed_cost_pence is not None:
        parts.append(f"agreed cost {money(row.agreed_cost_pence)}")
    if row.cost_note:
        parts.append(f"cost note: {row.cost_note}")
    if row.success_criteria:
        parts.append(f"impact judged by: {row.success_criteria}")
    return "; ".join(parts)


# --- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    """Support the school agreed for a priority, with its plan details and progress."""

    brokerage: Brokerage
    title: str
    code: str
    provider_name: str
    #: The state in words ("Engaged"), and its slug.
    state: str
    state_slug: str
    #: False when the listing has since left the directory (suspended, lapsed).
    in_directory: bool
    #: The head's impact rating in words ("3 – Good impact"), "" until recorded.
    impact: str
    #: Each step so far, oldest first: ("Agreed", date).
    progress: tuple[tuple[str, date], ...]

    @property
    def cost(self) -> str:
        return money(self.brokerage.agreed_cost_pence)


@dataclass(frozen=True)
class AwaitingItem:
    """Support shortlisted for a priority that the school has not decided on yet."""

    priority_number: int
    title: str
    provider_name: str
    shortlisted_on: date


@dataclass(frozen=True)
class PlanPriority:
    number: int
    priority: Priority
    #: When the priority was agreed (its visit's date).
    agreed_on: date | None
    #: True for an earlier visit's priority kept in the plan for its support still under way.
    earlier: bool
    area: str
    ecm_outcomes: tuple[str, ...]
    pupil_groups: tuple[str, ...]
    rag: str
    rag_meaning: str
    items: list[PlanItem] = field(default_factory=list)


@dataclass(frozen=True)
class SupportPlan:
    school: School
    la_name: str
    la_code: str
    phase: str
    sip_names: tuple[str, ...]
    head_names: tuple[str, ...]
    #: The visit that agreed the current priorities, and the next visit if one is agreed.
    visited_on: date | None
    next_visit_on: date | None
    produced_at: datetime
    priorities: list[PlanPriority]
    awaiting: list[AwaitingItem]

    @property
    def items(self) -> list[PlanItem]:
        return [item for p in self.priorities for item in p.items]

    def count(self, *states: str) -> int:
        """Return how many items of the plan are in these states."""
        return sum(1 for item in self.items if item.state_slug in states)

    @property
    def total_cost(self) -> str:
        """The sum of the agreed costs recorded ("" when none is)."""
        costs = [i.brokerage.agreed_cost_pence for i in self.items]
        known = [c for c in costs if c is not None]
        return money(sum(known)) if known else ""

    @property
    def costs_missing(self) -> int:
        return sum(1 for i in self.items if i.brokerage.agreed_cost_pence is None)


_STEPS = (
    ("Agreed", "agreed_at"),
    ("Started", "engaged_at"),
    ("Completed", "completed_at"),
    ("Impact recorded", "evaluated_at"),
)


def _day(moment: datetime) -> date:
    # SQLite gives back naive datetimes; every time the application writes is UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LONDON).date()


def _progress(row: Brokerage) -> tuple[tuple[str, date], ...]:
    return tuple(
        (label, _day(moment))
        for label, stamp in _STEPS
        if (moment := getattr(row, stamp)) is not None
    )


def _earlier_priorities(session: Session, school_id: int, current: set[int]) -> list[Priority]:
    """Return earlier visits' priorities of the school with support still under way."""
    rows = session.exec(
        select(Priority)
        .join(Brokerage, col(Brokerage.priority_id) == col(Priority.id))
        .join(SchoolVisit, col(SchoolVisit.id) == col(Priority.visit_id))
        .where(Brokerage.school_id == school_id, col(Brokerage.state).in_(UNDER_WAY))
        .order_by(col(SchoolVisit.visited_on), col(Priority.id))
    ).all()
    out: dict[int, Priority] = {}
    for priority in rows:
        if priority.id not in current:
            out.setdefault(int(priority.id or 0), priority)
    return list(out.values())


def prepare(session: Session, school: School, now: datetime | None = None) -> SupportPlan:
    """Gather the support plan of `school` (the caller has checked the reader may see it)."""
    now = now or utcnow()
    school_id = int(school.id or 0)
    current = caseload.current_priorities(session, school_id)
    current_ids = {int(p.id or 0) for p in current}
    earlier = _earlier_priorities(session, school_id, current_ids)
    visit = session.get(SchoolVisit, current[0].visit_id) if current else None
    la = session.get(LocalAuthority, school.la_id)
    by_priority = brokerage.for_school(session, school_id)
    providers = {
        int(v.provider.id or 0) for views in by_priority.values() for v in views if v.provider.id
    }
    counts = recommendation_counts(session, providers)

    priorities: list[PlanPriority] = []
    awaiting: list[AwaitingItem] = []
    for number, priority in enumerate([*current, *earlier], start=1):
        views = by_priority.get(int(priority.id or 0), [])
        # In the order the support was shortlisted.
        agreed = sorted(
            (v for v in views if v.brokerage.state in PLANNED),
            key=lambda v: int(v.brokerage.id or 0),
        )
        items = [
            PlanItem(
                brokerage=v.brokerage,
                title=v.listing.title,
                code=v.listing.code,
                provider_name=v.provider.name,
                state=taxonomy.BROKERAGE_STATES.label_of(v.brokerage.state),
                state_slug=v.brokerage.state,
                in_directory=v.listing.is_public(now, counts.get(v.listing.provider_id, 0)),
                impact=(
                    taxonomy.IMPACT_RATINGS.label_of(str(v.brokerage.impact_rating))
                    if v.brokerage.impact_rating is not None
                    else ""
                ),
                progress=_progress(v.brokerage),
            )
            for v in agreed
        ]
        awaiting.extend(
            AwaitingItem(number, v.listing.title, v.provider.name, _day(v.brokerage.suggested_at))
            for v in reversed(views)
            if v.brokerage.state == "suggested"
        )
        is_current = priority.id in current_ids
        own_visit = visit if is_current else session.get(SchoolVisit, priority.visit_id)
        priorities.append(
            PlanPriority(
                number=number,
                priority=priority,
                agreed_on=own_visit.visited_on if own_visit else None,
                earlier=not is_current,
                **priority_labels(priority),
                items=items,
            )
        )
    return SupportPlan(
        school=school,
        la_name=la.name if la else "",
        la_code=la.code if la else "",
        phase=taxonomy.PHASES.label_of(school.phase) if school.phase else "",
        sip_names=tuple(u.name for u in schools.assigned_sips(session, school_id)),
        head_names=tuple(u.name for u in _heads(session, school_id)),
        visited_on=visit.visited_on if visit else None,
        next_visit_on=visit.next_visit_on if visit else None,
        produced_at=now,
        priorities=priorities,
        awaiting=awaiting,
    )


def _heads(session: Session, school_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .where(User.school_id == school_id, User.role == "headteacher", col(User.active))
            .order_by(col(User.id))
        ).all()
    )


def filename(plan: SupportPlan, today: date) -> str:
    """Return the PDF's file name: support-plan-URN-DATE.pdf."""
    urn = "".join(ch for ch in plan.school.urn if ch.isalnum())[:12] or "school"
    return f"support-plan-{urn}-{today.isoformat()}.pdf"
