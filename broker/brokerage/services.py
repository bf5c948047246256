"""Rules of brokerage: shortlisting, the head's decision, the work, its impact, initiative fatigue.

A brokerage moves: suggested -> agreed -> engaged -> completed -> evaluated (impact recorded),
or to declined (with a reason) before the work starts. Every step is dated on the row and
written to the audit log. The head decides and records impact; the SIP shortlists; either may
say the work has started or finished. QA officers and administrators see but do not act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from broker import audit, caseload, taxonomy
from broker.errors import Conflict, Forbidden, InvalidInput, NotFound
from broker.evidence import (
    brokerage_outcomes,  # noqa: F401  (part of this feature's API)
    recommendation_counts,
)
from broker.interests import services as interests
from broker.lifecycle.notify import heads_of
from broker.mail import notifications
from broker.matching.services import suggest_for_priority
from broker.models import (
    AuditEvent,
    Brokerage,
    Listing,
    LocalAuthority,
    Priority,
    Provider,
    School,
    SipAssignment,
    User,
    utcnow,
)

ACTIVE = ("agreed", "engaged")
#: Ratings at or above this are a positive impact that invites a recommendation.
POSITIVE_IMPACT = 3
REASON_MAX = 2000
DEFAULT_FATIGUE_THRESHOLD = 5


@dataclass(frozen=True)
class Step:
    """One allowed move: from which states, who may make it, and the verb for messages."""

    to: str
    sources: tuple[str, ...]
    roles: tuple[str, ...]
    verb: str
    stamp: str


#: Who decides for the school: its head, and leaders the head authorised (broker.caseload).
SCHOOL = caseload.SCHOOL_ROLES
#: How a refusal names who may act.
_WHO = {
    "headteacher": "the school's headteacher",
    "school_leader": "a leader the headteacher authorised",
    "sip": "the school's SIP",
}

STEPS: dict[str, Step] = {
    "agreed": Step("agreed", ("suggested",), SCHOOL, "agree to", "agreed_at"),
    "declined": Step("declined", ("suggested", "agreed"), SCHOOL, "decline", "declined_at"),
    "engaged": Step("engaged", ("agreed",), (*SCHOOL, "sip"), "start", "engaged_at"),
    "completed": Step("completed", ("engaged",), (*SCHOOL, "sip"), "complete", "completed_at"),
    "evaluated": Step("evaluated", ("completed",), SCHOOL, "record the impact of", "evaluated_at"),
}


@dataclass(frozen=True)
class BrokerageView:
    brokerage: Brokerage
    listing: Listing
    provider: Provider
    priority: Priority


@dataclass(frozen=True)
class Fatigue:
    """Signs of initiative fatigue in one school."""

    active: int
    threshold: int
    #: Areas of support (labels) with two or more active engagements.
    crowded_areas: list[str]

    @property
    def over_threshold(self) -> bool:
        return self.active > self.threshold

    @property
    def warn(self) -> bool:
        return self.over_threshold or bool(self.crowded_areas)


# --- reading -------------------------------------------------------------------------------


def public_listing(
    session: Session, listing_id: int, now: datetime | None = None
) -> Listing | None:
    """Return the listing if it is public now (the one rule: assured, in date, two schools
    behind its provider), else None: only what search shows may be shortlisted."""
    listing = session.get(Listing, listing_id)
    if listing is None:
        return None
    now = now or utcnow()
    schools = recommendation_counts(session, [listing.provider_id], now.date())
    return listing if listing.is_public(now, schools.get(listing.provider_id, 0)) else None


def get_brokerage(session: Session, brokerage_id: int) -> Brokerage:
    """Return the brokerage or raise NotFound."""
    row = session.get(Brokerage, brokerage_id)
    if row is None:
        raise NotFound("There is no such brokerage.")
    return row


def view_of(session: Session, brokerage: Brokerage) -> BrokerageView:
    """Return the brokerage with its listing, provider and priority."""
    listing = session.get(Listing, brokerage.listing_id)
    provider = session.get(Provider, brokerage.provider_id)
    priority = session.get(Priority, brokerage.priority_id)
    assert listing is not None and provider is not None and priority is not None
    return BrokerageView(brokerage, listing, provider, priority)


def for_school(session: Session, school_id: int) -> dict[int, list[BrokerageView]]:
    """Return the school's brokerages by priority id, newest first within each."""
    rows = session.exec(
        select(Brokerage, Listing, Provider, Priority)
        .join(Listing, col(Listing.id) == col(Brokerage.listing_id))
        .join(Provider, col(Provider.id) == col(Brokerage.provider_id))
        .join(Priority, col(Priority.id) == col(Brokerage.priority_id))
        .where(Brokerage.school_id == school_id)
        .order_by(col(Brokerage.suggested_at).desc(), col(Brokerage.id).desc())
    ).all()
    out: dict[int, list[BrokerageView]] = {}
    for b, listing, provider, priority in rows:
        out.setdefault(b.priority_id, []).append(BrokerageView(b, listing, provider, priority))
    return out


def for_priority(session: Session, priority_id: int) -> list[BrokerageView]:
    """Return the brokerages of one priority (its shortlist and what became of it)."""
    priority = session.get(Priority, priority_id)
    if priority is None:
        return []
    return for_school(session, priority.school_id).get(priority_id, [])


def audit_trail(session: Session, brokerage_id: int) -> list[AuditEvent]:
    """Return the brokerage's audited steps, oldest first."""
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "brokerage", AuditEvent.entity_id == brokerage_id)
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        ).all()
    )


def school_states(session: Session, school_id: int) -> dict[int, str]:
    """Return listing id -> the furthest state of the school's brokerages of it (search context)."""
    order = {slug: i for i, slug in enumerate(taxonomy.BROKERAGE_STATES.slugs)}
    out: dict[int, str] = {}
    for listing_id, state in session.exec(
        select(Brokerage.listing_id, Brokerage.state).where(Brokerage.school_id == school_id)
    ):
        if listing_id not in out or order.get(state, 0) > order.get(out[listing_id], 0):
            out[listing_id] = state
    return out


def fatigue(session: Session, school: School, extra: Brokerage | None = None) -> Fatigue:
    """Measure initiative fatigue: active engagements against the LA's threshold, and crowded areas.

    With `extra`, measure as if that brokerage were active too (the warning when agreeing it).
    """
    la = session.get(LocalAuthority, school.la_id)
    threshold = la.fatigue_threshold if la is not None else DEFAULT_FATIGUE_THRESHOLD
    rows = list(
        session.exec(
            select(Brokerage.id, Priority.category)
            .join(Priority, col(Priority.id) == col(Brokerage.priority_id))
            .where(Brokerage.school_id == school.id, col(Brokerage.state).in_(ACTIVE))
        ).all()
    )
    if extra is not None and extra.state not in ACTIVE:
        priority = session.get(Priority, extra.priority_id)
        rows.append((extra.id, priority.category if priority else ""))
    per_area: dict[str, int] = {}
    for _, category in rows:
        per_area[category] = per_area.get(category, 0) + 1
    crowded = [
        taxonomy.CATEGORIES.label_of(slug)
        for slug in taxonomy.CATEGORIES.slugs
        if per_area.get(slug, 0) >= 2
    ]
    return Fatigue(active=len(rows), threshold=threshold, crowded_areas=crowded)


# --- what is waiting on whom -----------------------------------------------------------------

#: For each open state: who the brokerage waits on (head, or either the head or the SIP) and
#: the next step in words. Declined and evaluated brokerages wait on nobody.
WAITING: dict[str, tuple[str, str]] = {
    "suggested": ("headteacher", "Agree or decline"),
    "agreed": ("either", "Say when the work starts"),
    "engaged": ("either", "Say when the work is complete"),
    "completed": ("headteacher", "Record the impact"),
}


@dataclass(frozen=True)
class Waiting:
    """An open brokerage and the step it waits for."""

    view: BrokerageView
    school: School
    #: "headteacher" or "either" (the head or the SIP).
    waits_on: str
    next_step: str
    #: When it reached its current state.
    since: datetime


def _since(brokerage: Brokerage) -> datetime:
    stamp = {
        "suggested": brokerage.suggested_at,
        "agreed": brokerage.agreed_at,
        "engaged": brokerage.engaged_at,
        "completed": brokerage.completed_at,
    }.get(brokerage.state)
    return stamp or brokerage.suggested_at


def waiting(
    session: Session, school_ids: list[int], states: tuple[str, ...] = tuple(WAITING)
) -> list[Waiting]:
    """Return the open brokerages of these schools in `states`, longest waiting first."""
    if not school_ids:
        return []
    rows = session.exec(
        select(Brokerage, Listing, Provider, Priority)
        .join(Listing, col(Listing.id) == col(Brokerage.listing_id))
        .join(Provider, col(Provider.id) == col(Brokerage.provider_id))
        .join(Priority, col(Priority.id) == col(Brokerage.priority_id))
        .where(col(Brokerage.school_id).in_(school_ids), col(Brokerage.state).in_(states))
    ).all()
    schools = {
        school.id: school
        for school in session.exec(select(School).where(col(School.id).in_(school_ids)))
    }
    out = [
        Waiting(
            view=BrokerageView(b, listing, provider, priority),
            school=schools[b.school_id],
            waits_on=WAITING[b.state][0],
            next_step=WAITING[b.state][1],
            since=_since(b),
        )
        for b, listing, provider, priority in rows
    ]
    return sorted(out, key=lambda w: (_aware(w.since), w.view.brokerage.id or 0))


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; every time the application writes is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def decisions_for_head(session: Session, school_id: int) -> dict[str, list[Waiting]]:
    """Return the head's decisions: shortlisted support to agree, and impact to record."""
    rows = waiting(session, [school_id], ("suggested", "completed"))
    return {
        "agree": [w for w in rows if w.view.brokerage.state == "suggested"],
        "impact": [w for w in rows if w.view.brokerage.state == "completed"],
    }


# --- suggestions -----------------------------------------------------------------------------


def suggestions(
    session: Session, engine: Any, school: School, priority: Priority, limit: int = 10
) -> list[Any]:
    """Return the matcher's suggestions for a priority.

    Each has .listing, .provider, .score and .reasons (broker.matching.services.Suggestion).
    """
    return list(suggest_for_priority(session, engine, school, priority, limit=limit))


# --- changing -------------------------------------------------------------------------------


def shortlist(
    session: Session,
    sip: User,
    priority: Priority,
    listing_id: int,
    note: str = "",
    now: datetime | None = None,
    emails: bool = True,
    declaration: str | None = None,
) -> Brokerage:
    """Put a public listing on a priority's shortlist (state: suggested); audited; the head told.

    `emails=False` tells the head in the service only (the demo data). A SIP with a registered
    interest in the listing's provider that counts now must declare it (`declaration`;
    InvalidInput "declaration" otherwise); any declaration is kept on the row for the head and
    the LA to see, and in the audit trail.
    """
    school = caseload.get_school(session, priority.school_id)
    caseload.require_sip(session, sip, school)
    listing = public_listing(session, listing_id, now)
    if listing is None:
        raise InvalidInput(
            "listing_id", "That listing is not in the directory now, so it cannot be shortlisted"
        )
    existing = session.exec(
        select(Brokerage).where(
            Brokerage.priority_id == priority.id, Brokerage.listing_id == listing_id
        )
    ).first()
    if existing is not None:
        raise InvalidInput("listing_id", "That listing is already on this priority's shortlist")
    declared = interests.declaration_needed(session, sip, listing.provider_id, declaration)
    brokerage = Brokerage(
        priority_id=int(priority.id or 0),
        school_id=priority.school_id,
        listing_id=listing_id,
        provider_id=listing.provider_id,
        shortlisted_by_id=sip.id,
        note=note.strip()[:REASON_MAX],
        suggested_at=now or utcnow(),
        interest_declared=declared,
    )
    audit.record_saved(
        session,
        sip,
        brokerage,
        entity_type="brokerage",
        action="shortlisted",
        to_state="suggested",
        provider_id=listing.provider_id,
        reason=f"Interest declared: {declared}" if declared else None,
    )
    session.flush()
    _tell_heads(session, sip, school, priority, listing, brokerage, emails)
    return brokerage


def _detail_path(brokerage: Brokerage) -> str:
    return notifications.path_for(
        "brokerage.detail", f"/brokerage/{brokerage.id}", brokerage_id=brokerage.id
    )


def _tell_heads(
    session: Session,
    sip: User,
    school: School,
    priority: Priority,
    listing: Listing,
    brokerage: Brokerage,
    emails: bool,
) -> None:
    """Tell the school's head that support waits for their decision."""
    provider = session.get(Provider, listing.provider_id)
    subject = f"Support shortlisted for {school.name}: {listing.title}"
    body = (
        "Hello,\n\n"
        f"{sip.name}, your School Improvement Partner, has shortlisted support for "
        f"{school.name}:\n\n"
        f"{listing.title}, from {provider.name if provider else 'a provider'}\n"
        f"For the priority: {_short(priority.description)}\n\n"
        "It is for the school to decide: agree to it, or decline it with a reason."
    )
    if brokerage.interest_declared:
        body += (
            f"\n\n{sip.name} declared an interest in this provider: {brokerage.interest_declared}"
        )
    heads = heads_of(session, int(school.id or 0))
    notifications.tell(
        session, heads, "shortlisted", subject, body, _detail_path(brokerage), emails
    )


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sips_of(session: Session, school_id: int) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(SipAssignment, col(SipAssignment.user_id) == col(User.id))
            .where(SipAssignment.school_id == school_id, User.role == "sip")
            .order_by(col(User.id))
        ).all()
    )


#: The head's decisions a SIP is told of, in words.
_DECIDED = {
    "agreed": "agreed to support you shortlisted",
    "declined": "declined support you shortlisted",
    "evaluated": "recorded the impact of support you shortlisted",
}


def _tell_sips(session: Session, head: User, brokerage: Brokerage, emails: bool) -> None:
    """Tell the school's SIPs what the head decided."""
    view = view_of(session, brokerage)
    school = caseload.get_school(session, brokerage.school_id)
    what = _DECIDED[brokerage.state]
    reason = ""
    if brokerage.state == "declined":
        reason = f"Their reason: {brokerage.declined_reason}"
    elif brokerage.state == "evaluated":
        reason = f"Impact {brokerage.impact_rating} of 4: {brokerage.impact_text}"
    subject = f"{school.name} {what.split(' support')[0]}: {view.listing.title}"
    for sip in _sips_of(session, brokerage.school_id):
        body = (
            f"Dear {sip.name},\n\n"
            f"{head.name}, headteacher of {school.name}, has {what}:\n\n"
            f"{view.listing.title}, from {view.provider.name}\n"
            f"For the priority: {_short(view.priority.description)}\n"
            + (f"\n{reason}\n" if reason else "")
        )
        notifications.tell(
            session, [sip], "head-decision", subject, body, _detail_path(brokerage), emails
        )


def allowed_steps(session: Session, user: User, brokerage: Brokerage) -> list[str]:
    """Return the states this user may move the brokerage to now."""
    out = []
    for step in STEPS.values():
        if brokerage.state in step.sources and _may_act(session, user, brokerage, step):
            out.append(step.to)
    return out


def _may_act(session: Session, user: User, brokerage: Brokerage, step: Step) -> bool:
    if not user.active or user.role not in step.roles:
        return False
    if user.role in SCHOOL:
        return caseload.speaks_for_school(session, user, brokerage.school_id)
    return caseload.is_assigned_sip(session, user, brokerage.school_id)


def check_step(session: Session, user: User, brokerage: Brokerage, to: str) -> Step:
    """Return the step to state `to`, or raise Conflict (not from this state) or Forbidden (not you)."""
    step = STEPS.get(to)
    label = taxonomy.BROKERAGE_STATES.label_of
    if step is None:
        raise Conflict(f"A brokerage cannot be moved to {to[:30]!r}.")
    if brokerage.state not in step.sources:
        raise Conflict(
            f"You cannot {step.verb} this support: it is {label(brokerage.state).lower()}, "
            f"and only {' or '.join(label(s).lower() for s in step.sources)} support can be."
        )
    if not _may_act(session, user, brokerage, step):
        who = " or ".join(_WHO[r] for r in step.roles)
        raise Forbidden(f"Only {who} can {step.verb} this support.")
    return step


def move(
    session: Session,
    user: User,
    brokerage: Brokerage,
    to: str,
    *,
    reason: str = "",
    rating: int | str | None = None,
    impact: str = "",
    now: datetime | None = None,
    emails: bool = True,
) -> Brokerage:
    """Move a brokerage to state `to`, checking the transition and who makes it; audited.

    Raises Conflict when the move is not possible from the current state, Forbidden when this
    user may not make it, InvalidInput when a reason or the impact is missing.
    """
    step = check_step(session, user, brokerage, to)
    text = ""
    if to == "declined":
        text = reason.strip()
        if not text:
            raise InvalidInput("reason", "Say why the school is declining this support")
        if len(text) > REASON_MAX:
            raise InvalidInput("reason", f"The reason must be {REASON_MAX} characters or fewer")
        brokerage.declined_reason = text
    if to == "evaluated":
        term = taxonomy.IMPACT_RATINGS.get(str(rating or "").strip())
        if term is None:
            raise InvalidInput("rating", "Select how much impact the support had, from 1 to 4")
        words = impact.strip()
        if not words:
            raise InvalidInput("impact", "Describe the impact on the priority")
        if len(words) > REASON_MAX:
            raise InvalidInput(
                "impact", f"The description must be {REASON_MAX} characters or fewer"
            )
        brokerage.impact_rating, brokerage.impact_text = int(term.slug), words
        text = f"{term.slug}/4: {words}"
    before = brokerage.state
    brokerage.state = to
    setattr(brokerage, step.stamp, now or utcnow())
    audit.record_saved(
        session,
        user,
        brokerage,
        entity_type="brokerage",
        action=to,
        from_state=before,
        to_state=to,
        reason=text or None,
        provider_id=brokerage.provider_id,
        on_behalf_of=caseload.on_behalf_of(session, user),
    )
    session.flush()
    if to in _DECIDED and user.role in caseload.SCHOOL_ROLES:
        _tell_sips(session, user, brokerage, emails)
    return brokerage


def is_positive(brokerage: Brokerage) -> bool:
    """Say whether the recorded impact was positive (3 or 4 out of 4)."""
    return brokerage.impact_rating is not None and brokerage.impact_rating >= POSITIVE_IMPACT


def shortlist_targets(session: Session, sip: User) -> list[tuple[School, Priority]]:
    """Return the priorities this SIP can shortlist against (current ones of assigned schools)."""
    return caseload.open_priorities_for_sip(session, sip)


def shortlisted_for(
    session: Session, sip: User, listing_id: int
) -> list[tuple[School, Priority, str]]:
    """Return (school, priority, state) where this SIP's schools' priorities have the listing."""
    targets = {int(p.id or 0): (school, p) for school, p in shortlist_targets(session, sip)}
    if not targets:
        return []
    rows = session.exec(
        select(Brokerage.priority_id, Brokerage.state).where(
            Brokerage.listing_id == listing_id, col(Brokerage.priority_id).in_(sorted(targets))
        )
    ).all()
    return [(*targets[pid], state) for pid, state in rows]
