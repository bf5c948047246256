"""The listing lifecycle: its states, who may move a listing between them, the guards, the effects.

Every change of a listing's status goes through this module: submission, QA's decisions, the
provider's withdrawal and renewal, the lapse of assurance and the two-school rule's removal.
The feature services (submissions, assurance, recommendations, the importer) check what is
theirs to check (a QA officer's local authority, a form's shape) and call a transition here.

A transition takes a Session, changes it and never commits. It takes the write lock first (the
provider's row on PostgreSQL, the database on SQLite), checks its guards on freshly read rows,
then changes the listing and records its side effects in the same transaction: an audit row
(broker.audit) (broker.lifecycle.notify); the index change is logged by the
search feature's flush listener (broker.search.capture) for any change to what documents read. A refused transition raises Conflict (wrong state),
Forbidden (wrong actor) or InvalidInput (a guard: the two-school rule) and changes nothing.

States (broker.taxonomy.LISTING_STATUSES), and a flag: an assured or lapsed listing may be
*under review* (`review_requested_at`) while it keeps its status, so an edit or a renewal of a
published listing is reviewed while the listing stays published.

    draft, changes-requested, rejected, withdrawn, lapsed, recommendations-needed
        --submit (provider)--> submitted
    assured --submit | renew (provider)--> assured, under review
    submitted | under review --approve (QA, two schools)--> assured (for ASSURANCE_MONTHS)
    submitted --request-changes | reject (QA)--> changes-requested | rejected
    under review --request-changes | reject (QA)--> unchanged, review ended
    assured | recommendations-needed --suspend (QA)--> suspended
    suspended | recommendations-needed --reinstate (QA)--> assured | lapsed | recommendations-needed
    assured --lapse (system, once expired)--> lapsed
    assured --below-two-schools (system)--> recommendations-needed
    any but withdrawn --withdraw (provider)--> withdrawn

Public is decided by `broker.models.is_public` and its SQL twin, not by the state alone: an
assured listing whose assurance has run out is never shown, whether or not the lapse has been
recorded yet (`lapse_expired`, run by `broker assurance lapse` and by the server's scheduler).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from broker import audit, db, taxonomy
from broker.errors import Conflict, Forbidden, InvalidInput, NotFound
from broker.evidence import recommendation_counts
from broker.lifecycle import notify
from broker.models import Listing, ListingRevision, Provider, User, utcnow
from broker.months import add_months

DRAFT = "draft"
SUBMITTED = "submitted"
CHANGES_REQUESTED = "changes-requested"
REJECTED = "rejected"
ASSURED = "assured"
SUSPENDED = "suspended"
LAPSED = "lapsed"
RECOMMENDATIONS_NEEDED = "recommendations-needed"
WITHDRAWN = "withdrawn"
STATES: tuple[str, ...] = tuple(term.slug for term in taxonomy.LISTING_STATUSES)

#: States in which a listing may be under review while keeping its status (and, assured, public).
REVIEWED_IN_PLACE = frozenset({ASSURED, LAPSED})
#: States a provider sends to QA as a new submission.
SUBMITTABLE = frozenset(
    {DRAFT, CHANGES_REQUESTED, REJECTED, WITHDRAWN, LAPSED, RECOMMENDATIONS_NEEDED}
)
#: States the provider edits in place: nobody outside the provider and QA sees them.
DIRECT_EDIT = frozenset({DRAFT, CHANGES_REQUESTED, REJECTED, WITHDRAWN})
#: States that were assured and could be published again: edits wait in a ListingRevision so the
#: published version stays as it was. (Suspended listings cannot be changed.)
REVISION_EDIT = frozenset({ASSURED, LAPSED, RECOMMENDATIONS_NEEDED})
#: States QA can suspend (the listing is, or was until lately, in the directory).
SUSPENDABLE = frozenset({ASSURED, RECOMMENDATIONS_NEEDED})
#: States QA can reinstate.
REINSTATABLE = frozenset({SUSPENDED, RECOMMENDATIONS_NEEDED})
#: States a provider can renew.
RENEWABLE = frozenset({ASSURED, LAPSED})
#: A ListingRevision's statuses while it is open (its `open_listing_id` is set).
OPEN_REVISION_STATUSES = ("draft", "submitted", "changes-requested")
#: Every listing field a provider edits; a revision's `proposed` holds exactly these.
EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "description",
    "categories",
    "ecm_outcomes",
    "phases",
    "sen_specialisms",
    "pupil_groups",
    "delivery",
    "national",
    "regions",
    "local_authorities",
    "cost",
    "price_note",
    "contact_name",
    "contact_email",
    "contact_phone",
)

PROVIDER, QA, SYSTEM = "provider", "qa", "system"


# --- the table ---------------------------------------------------------------------------------


def phase(listing: Listing) -> str:
    """Return the listing's state for the table: its status, "+review" when under review in place."""
    if listing.status in REVIEWED_IN_PLACE and listing.review_requested_at is not None:
        return f"{listing.status}+review"
    return listing.status


#: Every phase a listing can be in.
PHASES: tuple[str, ...] = STATES + tuple(f"{s}+review" for s in sorted(REVIEWED_IN_PLACE))
UNDER_REVIEW_PHASES = frozenset({SUBMITTED, *(f"{s}+review" for s in REVIEWED_IN_PLACE)})


@dataclass(frozen=True)
class Action:
    """A transition: who may make it, from which phases, and what a refusal says."""

    name: str
    by: str
    phases: frozenset[str]
    refusal: str


def _phases(*names: str) -> frozenset[str]:
    return frozenset(names)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        # submit from suspended is allowed only with a submitted revision (a guard, below).
        Action(
            "submit",
            PROVIDER,
            SUBMITTABLE | {ASSURED} | UNDER_REVIEW_PHASES,
            "A listing that is {label} cannot be submitted.",
        ),
        Action(
            "renew",
            PROVIDER,
            RENEWABLE | {f"{s}+review" for s in RENEWABLE},
            "Only an assured or lapsed listing can be renewed.",
        ),
        Action("withdraw", PROVIDER, frozenset(PHASES), "This listing cannot be withdrawn."),
        Action("approve", QA, UNDER_REVIEW_PHASES, "This listing is not waiting for review."),
        Action(
            "request-changes", QA, UNDER_REVIEW_PHASES, "This listing is not waiting for review."
        ),
        Action("reject", QA, UNDER_REVIEW_PHASES, "This listing is not waiting for review."),
        Action(
            "suspend",
            QA,
            SUSPENDABLE | {f"{ASSURED}+review"},
            "Only an assured listing can be suspended.",
        ),
        Action(
            "reinstate",
            QA,
            REINSTATABLE,
            "Only a suspended listing, or one waiting for recommendations, can be reinstated.",
        ),
        # lapse also needs the assurance to have run out (a guard, below).
        Action(
            "lapse",
            SYSTEM,
            _phases(ASSURED, f"{ASSURED}+review"),
            "Only an assured listing whose assurance has run out can lapse.",
        ),
        Action(
            "below-two-schools",
            SYSTEM,
            _phases(ASSURED, f"{ASSURED}+review"),
            "Only an assured listing can leave the directory for want of recommendations.",
        ),
    )
}


def allowed(listing: Listing, action: str) -> bool:
    """Say whether the table lets `action` happen to the listing in its present phase."""
    return phase(listing) in ACTIONS[action].phases


def _require(listing: Listing, action: str) -> None:
    if not allowed(listing, action):
        label = taxonomy.LISTING_STATUSES.label_of(listing.status).lower()
        raise Conflict(ACTIONS[action].refusal.format(label=label))


def _require_actor(actor: User | None, action: str, provider_id: int) -> None:
    by = ACTIONS[action].by
    if by == SYSTEM:
        return
    if actor is None:
        raise Forbidden("Only a signed-in user can do that.")
    if actor.role == "admin":
        return
    if by == PROVIDER and (actor.role != "provider" or actor.provider_id != provider_id):
        raise Forbidden("Only the provider's own users can do that.")
    if by == QA and actor.role != "qa_officer":
        raise Forbidden("Only QA officers can review listings.")


# --- "under review" and "open revision": one meaning each ---------------------------------------


def under_review(listing: Listing) -> bool:
    """Say whether QA has the listing to decide on: a submission, or an edit or renewal in place.

    A suspended listing is not under review, whatever its `review_requested_at` says: QA deals
    with it by reinstating (the twin of `under_review_clause`).
    """
    return phase(listing) in UNDER_REVIEW_PHASES


def under_review_clause() -> sa.ColumnElement[bool]:
    """SQL for `under_review`."""
    return sa.or_(
        col(Listing.status) == SUBMITTED,
        sa.and_(
            col(Listing.status).in_(sorted(REVIEWED_IN_PLACE)),
            col(Listing.review_requested_at).is_not(None),
        ),
    )


def open_revision(session: Session, listing_id: int) -> ListingRevision | None:
    """Return the listing's open revision (draft, submitted or changes requested), if any."""
    return session.exec(
        select(ListingRevision).where(ListingRevision.open_listing_id == listing_id)
    ).first()


def submitted_revision(session: Session, listing_id: int) -> ListingRevision | None:
    """Return the listing's open revision if it waits for QA (submitted), else None."""
    revision = open_revision(session, listing_id)
    return revision if revision is not None and revision.status == "submitted" else None


def _comparable(value: Any) -> Any:
    """Return a value as an edit is judged: facets in any order, nothing given as nothing."""
    if isinstance(value, list | tuple):
        return sorted(str(v) for v in value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def changed_fields(listing: Listing, proposed: dict[str, Any]) -> list[str]:
    """Return the editable fields whose proposed value differs from the listing's, in form order."""
    return [
        name
        for name in EDITABLE_FIELDS
        if name in proposed and _comparable(proposed[name]) != _comparable(getattr(listing, name))
    ]


def close_revision(revision: ListingRevision, status: str, session: Session) -> None:
    """Close an open revision with `status` (discarded, rejected...)."""
    revision.status, revision.open_listing_id, revision.updated_at = status, None, utcnow()
    session.add(revision)


def apply_revision(
    session: Session, target: Listing | ListingRevision, actor: User | None = None
) -> ListingRevision | None:
    """Copy a submitted edit onto its listing (QA approved it) and log the index change.

    `target` is the listing or its revision. Returns the revision applied, or None when there was
    no submitted edit. The caller's transition sets the status and assurance dates.
    """
    if isinstance(target, ListingRevision):
        revision: ListingRevision | None = target
        listing = session.get(Listing, target.listing_id)
    else:
        listing, revision = target, open_revision(session, target.id or 0)
    if revision is None or listing is None or revision.status != "submitted":
        return None
    now = utcnow()
    changed = changed_fields(listing, revision.proposed)
    for name in EDITABLE_FIELDS:
        if name in revision.proposed:
            setattr(listing, name, revision.proposed[name])
    listing.updated_at = now
    revision.status, revision.open_listing_id = "approved", None
    revision.decided_at, revision.updated_at = now, now
    if actor is not None:
        revision.decided_by_id = actor.id
    session.add_all([listing, revision])
    audit.record_state(
        session, actor, "listing", listing, "edit-applied", listing.status, changed_fields=changed
    )
    return revision


# --- locking and reading -----------------------------------------------------------------------


def lock_provider(session: Session, provider_id: int) -> Provider:
    """Lock the provider for the rest of this transaction and return it, freshly read.

    Every change that can move a provider across the two-school line takes this lock first: on
    PostgreSQL its row (SELECT ... FOR UPDATE), on SQLite the whole database for writing (BEGIN
    IMMEDIATE; SQLite has one writer at a time anyway). Whatever a locked transaction counts
    stays true until it commits, so a withdrawal racing an approval can never leave a listing
    published behind fewer than two valid recommendations.
    """
    db.begin_transaction(session, lock_for_writing=True)
    query = select(Provider).where(Provider.id == provider_id)
    if session.connection().dialect.name != "sqlite":
        query = query.with_for_update()
    provider = session.exec(query.execution_options(populate_existing=True)).first()
    if provider is None:
        raise NotFound("There is no such provider.")
    return provider


def fresh_listing(session: Session, listing_id: int) -> Listing:
    """Return the listing read again from the database (NotFound when there is none)."""
    listing = session.exec(
        select(Listing).where(Listing.id == listing_id).execution_options(populate_existing=True)
    ).first()
    if listing is None:
        raise NotFound("There is no such listing.")
    return listing


def valid_schools(session: Session, provider_id: int) -> int:
    """Return how many different schools validly recommend the provider now."""
    return recommendation_counts(session, [provider_id]).get(provider_id, 0)


def _locked(session: Session, listing: Listing | int) -> tuple[Listing, Provider]:
    listing_id = listing if isinstance(listing, int) else int(listing.id or 0)
    provider_id = (
        listing.provider_id
        if isinstance(listing, Listing)
        else fresh_listing(session, listing_id).provider_id
    )
    provider = lock_provider(session, provider_id)
    return fresh_listing(session, listing_id), provider


# --- side effects ------------------------------------------------------------------------------


def _audit(
    session: Session,
    actor: User | None,
    listing: Listing,
    action: str,
    from_state: str | None,
    reason: str | None = None,
    changed: list[str] | None = None,
) -> None:
    audit.record_state(
        session, actor, "listing", listing, action, from_state, reason, changed_fields=changed
    )


def _move(
    session: Session,
    actor: User | None,
    listing: Listing,
    status: str,
    action: str,
    reason: str | None = None,
    changed: list[str] | None = None,
) -> None:
    """Change the listing's status, audited (the index change is captured on flush)."""
    before = listing.status
    listing.status = status
    listing.updated_at = utcnow()
    if status not in REVIEWED_IN_PLACE:
        listing.review_requested_at = None  # only an assured or lapsed listing is reviewed in place
    session.add(listing)
    _audit(session, actor, listing, action, before, reason, changed)


def _note(
    session: Session,
    actor: User | None,
    listing: Listing,
    action: str,
    reason: str | None = None,
    changed: list[str] | None = None,
) -> None:
    """Record an action that leaves the status as it is (a review starts or ends in place)."""
    listing.updated_at = utcnow()
    session.add(listing)
    _audit(session, actor, listing, action, listing.status, reason, changed)


def _tell_provider(
    session: Session,
    provider: Provider,
    listing: Listing,
    subject: str,
    template: str,
    **kw: object,
) -> None:
    notify.send(
        session,
        notify.provider_addresses(session, provider),
        subject,
        template,
        provider=provider,
        listing=listing,
        **kw,
    )


# --- provider transitions ----------------------------------------------------------------------


def submit(session: Session, listing: Listing, actor: User) -> Listing:
    """Put a listing in the QA queue (an assured listing stays published meanwhile).

    Submitting again while it waits changes nothing; a suspended listing goes to QA only with an
    edit answering the concern (a submitted revision), and stays suspended.
    """
    _require_actor(actor, "submit", listing.provider_id)
    listing, _provider = _locked(session, listing)
    if under_review(listing):
        return listing
    edit = submitted_revision(session, int(listing.id or 0))
    changed = changed_fields(listing, edit.proposed) if edit is not None else None
    if listing.status == ASSURED:
        listing.review_requested_at = utcnow()
        _note(session, actor, listing, "review-requested", changed=changed)
        return listing
    if listing.status == SUSPENDED and edit is not None:
        # It waits in QA's "Suspended" view; reinstating applies the edit.
        _note(session, actor, listing, "review-requested", changed=changed)
        return listing
    _require(listing, "submit")
    listing.submitted_at = utcnow()
    _move(session, actor, listing, SUBMITTED, "submit", changed=changed)
    return listing


def renew(session: Session, listing: Listing, actor: User) -> Listing:
    """Ask QA for another period: reviewed while still published, until the assurance lapses."""
    _require_actor(actor, "renew", listing.provider_id)
    listing, _provider = _locked(session, listing)
    _require(listing, "renew")
    if listing.status == ASSURED:
        if listing.review_requested_at is None:
            listing.review_requested_at = utcnow()
            _note(session, actor, listing, "renew")
        return listing
    listing.submitted_at = utcnow()
    _move(session, actor, listing, SUBMITTED, "renew")
    return listing


def withdraw(session: Session, listing: Listing, actor: User, reason: str | None = None) -> Listing:
    """Take a listing out of the directory and the QA queue at the provider's request.

    An open revision is discarded with it.
    """
    _require_actor(actor, "withdraw", listing.provider_id)
    listing, _provider = _locked(session, listing)
    if listing.status == WITHDRAWN:
        return listing
    revision = open_revision(session, int(listing.id or 0))
    if revision is not None:
        close_revision(revision, "discarded", session)
    _move(session, actor, listing, WITHDRAWN, "withdraw", reason)
    return listing


# --- QA transitions ----------------------------------------------------------------------------


def approve(
    session: Session, listing: Listing | int, actor: User, note: str | None = None
) -> Listing:
    """Assure a listing for ASSURANCE_MONTHS and publish it at once (two valid schools needed)."""
    listing, provider = _locked(session, listing)
    _require_actor(actor, "approve", provider.id or 0)
    _require(listing, "approve")
    count = valid_schools(session, int(provider.id or 0))
    if count < taxonomy.SCHOOLS_NEEDED:
        raise InvalidInput(
            "decision",
            f"{provider.name} has valid recommendations from {count} "
            f"school{'s' if count != 1 else ''}: it needs {taxonomy.SCHOOLS_NEEDED} to be assured",
        )
    apply_revision(session, listing, actor)
    now = utcnow()
    listing.assured_at = now
    listing.assurance_expires_at = add_months(now, taxonomy.ASSURANCE_MONTHS)
    listing.review_requested_at = None
    listing.renewal_reminder_sent_at = None
    _move(session, actor, listing, ASSURED, "approve", note)
    _tell_provider(
        session, provider, listing, f"Assured: {listing.title}", "approved.txt", note=note
    )
    return listing


def _end_review(
    session: Session, listing: Listing, actor: User, outcome: str, action: str, text: str
) -> None:
    """End a review without approving: `outcome` is "changes-requested" or "rejected".

    A submission takes the outcome as its status; a listing under review in place keeps its
    status and only its review ends. An edit waiting as a revision records the outcome, and a
    rejected one is closed.
    """
    _require(listing, action)
    revision = submitted_revision(session, int(listing.id or 0))
    if revision is not None:
        revision.status = outcome
        if outcome == REJECTED:
            revision.open_listing_id = None
        revision.message = text
        revision.decided_at = utcnow()
        revision.decided_by_id = actor.id
        session.add(revision)
    if listing.status == SUBMITTED:
        _move(session, actor, listing, outcome, action, text)
    else:
        listing.review_requested_at = None
        session.add(listing)
        _audit(session, actor, listing, action, listing.status, text)


def request_changes(session: Session, listing: Listing | int, actor: User, message: str) -> Listing:
    """Send a listing back to its provider with a message (a published one stays published)."""
    listing, provider = _locked(session, listing)
    _require_actor(actor, "request-changes", provider.id or 0)
    _end_review(session, listing, actor, CHANGES_REQUESTED, "request-changes", message)
    _tell_provider(
        session,
        provider,
        listing,
        f"Changes needed: {listing.title}",
        "changes_requested.txt",
        message=message,
        link=notify.link(notify.path_of("submissions.dashboard")),
    )
    return listing


def reject(session: Session, listing: Listing | int, actor: User, reason: str) -> Listing:
    """Refuse a submission with a reason (a published listing under review stays until it lapses)."""
    listing, provider = _locked(session, listing)
    _require_actor(actor, "reject", provider.id or 0)
    _end_review(session, listing, actor, REJECTED, "reject", reason)
    _tell_provider(
        session, provider, listing, f"Not assured: {listing.title}", "rejected.txt", reason=reason
    )
    return listing


def suspend(session: Session, listing: Listing | int, actor: User, reason: str) -> Listing:
    """Hide a listing from search and its page at once (a complaint, a concern)."""
    listing, provider = _locked(session, listing)
    _require_actor(actor, "suspend", provider.id or 0)
    _require(listing, "suspend")
    _move(session, actor, listing, SUSPENDED, "suspend", reason)
    _tell_provider(
        session, provider, listing, f"Suspended: {listing.title}", "suspended.txt", reason=reason
    )
    return listing


def reinstate(session: Session, listing: Listing | int, actor: User, reason: str) -> Listing:
    """Return a suspended listing (or one that regained two schools) to the directory.

    It comes back lapsed if its assurance ran out meanwhile, and waiting for recommendations if
    its provider has fewer than two schools behind it; a submitted edit is applied.
    """
    listing, provider = _locked(session, listing)
    _require_actor(actor, "reinstate", provider.id or 0)
    _require(listing, "reinstate")
    count = valid_schools(session, int(provider.id or 0))
    expired = listing.assurance_expires_at is not None and listing.assurance_expires_at <= utcnow()
    if expired:
        status = LAPSED
    elif count < taxonomy.SCHOOLS_NEEDED:
        if listing.status == RECOMMENDATIONS_NEEDED:
            raise InvalidInput(
                "decision",
                f"{provider.name} still has valid recommendations from {count} "
                f"school{'s' if count != 1 else ''}: it needs {taxonomy.SCHOOLS_NEEDED}",
            )
        status = RECOMMENDATIONS_NEEDED
    else:
        status = ASSURED
    apply_revision(session, listing, actor)
    _move(session, actor, listing, status, "reinstate", reason)
    _tell_provider(
        session,
        provider,
        listing,
        f"Reinstated: {listing.title}",
        "reinstated.txt",
        reason=reason,
        status=taxonomy.LISTING_STATUSES.label_of(status),
    )
    return listing


# --- system transitions ------------------------------------------------------------------------

LAPSE_REASON = f"Assurance was not renewed within {taxonomy.ASSURANCE_MONTHS} months."


def expired(listing: Listing, now: datetime | None = None) -> bool:
    """Say whether the listing's assurance has run out."""
    expires = listing.assurance_expires_at
    return expires is not None and expires <= (now or utcnow())


def lapse(session: Session, listing: Listing | int, now: datetime | None = None) -> Listing:
    """Record that one assured listing's assurance ran out (it stopped being public already)."""
    listing, _provider = _locked(session, listing)
    _require(listing, "lapse")
    if not expired(listing, now):
        raise Conflict(ACTIONS["lapse"].refusal)
    _move(session, None, listing, LAPSED, "lapse", LAPSE_REASON)
    return listing


def expired_statement(session: Session, now: datetime) -> SelectOfScalar[Listing]:
    """Return the query for assured listings whose assurance ran out by `now`, in expiry order.

    This runs before every index sync, so it must not scan. In expiry order, PostgreSQL reads
    the index of assured listings' expiry dates (migration 0019) instead of scanning every
    listing in the hope of meeting an expired one early (72-111 ms at 100,000 listings).
    SQLite's planner would take the status index over the expiry one (52 ms of each sync at
    100,000 listings): say how likely the status test is, and it reads only the expired rows.
    """
    assured: sa.ColumnElement[bool] = col(Listing.status) == ASSURED
    if session.connection().dialect.name == "sqlite":
        assured = sa.func.likelihood(assured, sa.literal_column("0.9"), type_=sa.Boolean)
    return (
        select(Listing)
        .where(
            assured,
            col(Listing.assurance_expires_at).is_not(None),
            col(Listing.assurance_expires_at) <= now,
        )
        .order_by(col(Listing.assurance_expires_at))
    )


def lapse_expired(session: Session, now: datetime | None = None) -> int:
    """Record the lapse of every assured listing whose assurance has run out; return how many.

    Idempotent and safe to run at once in several processes: the rows are read under the write
    lock. Call it on a schedule (`broker assurance lapse`); the caller commits.
    """
    query = expired_statement(session, now or utcnow())
    # A plain read first: most runs find nothing, and must not queue for the write lock.
    if session.execute(query.with_only_columns(col(Listing.id)).limit(1)).first() is None:
        return 0
    db.begin_transaction(session, lock_for_writing=True)
    query = query.order_by(col(Listing.id))  # after the expiry: the same order everywhere
    if session.connection().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    listings = session.exec(query.execution_options(populate_existing=True)).all()
    for listing in listings:
        _move(session, None, listing, LAPSED, "lapse", LAPSE_REASON)
    return len(listings)


def below_two_schools(
    session: Session, listing: Listing | int, actor: User | None = None
) -> Listing:
    """Take one assured listing out of the directory: its provider has fewer than two schools."""
    listing, provider = _locked(session, listing)
    _require(listing, "below-two-schools")
    count = valid_schools(session, int(provider.id or 0))
    if count >= taxonomy.SCHOOLS_NEEDED:
        raise Conflict(f"{provider.name} still has recommendations from {count} schools.")
    _move(session, actor, listing, RECOMMENDATIONS_NEEDED, "below-two-schools", _too_few(count))
    return listing


def _too_few(count: int) -> str:
    return (
        f"Valid recommendations from {count} school{'s' if count != 1 else ''}: "
        f"the directory needs {taxonomy.SCHOOLS_NEEDED}."
    )


def enforce_two_schools(session: Session, provider: Provider, actor: User | None) -> list[Listing]:
    """Take a provider's assured listings out of the directory if fewer than two schools remain.

    Call with the provider locked (`lock_provider`). QA officers are told by email, and the
    listings wait in their queue as "recommendations-needed".
    """
    count = valid_schools(session, int(provider.id or 0))
    if count >= taxonomy.SCHOOLS_NEEDED:
        return []
    listings = list(
        session.exec(
            select(Listing)
            .where(Listing.provider_id == provider.id, Listing.status == ASSURED)
            .execution_options(populate_existing=True)
        ).all()
    )
    why = _too_few(count)
    for listing in listings:
        _move(session, actor, listing, RECOMMENDATIONS_NEEDED, "below-two-schools", why)
    if listings:
        notify.send(
            session,
            notify.qa_addresses(session, provider),
            f"{provider.name} has left the directory: fewer than two schools",
            "below_two_schools.txt",
            provider=provider,
            listings=listings,
            count=count,
            link=notify.link(notify.path_of("assurance.queue") + "?show=recommendations-needed"),
        )
        notify.send(
            session,
            notify.provider_addresses(session, provider),
            "Your listings have left the directory",
            "provider_below_two.txt",
            provider=provider,
            listings=listings,
            count=count,
        )
    return listings


def imported_status(wanted: str, expires_at: datetime | None, schools: int, now: datetime) -> str:
    """Return the status an imported listing is saved with when its file asks for `wanted`.

    The same guards as the transitions: "assured" needs two schools (else it waits for QA as
    submitted) and an assurance that has not run out (else it is saved lapsed).
    """
    if wanted == ASSURED and schools < taxonomy.SCHOOLS_NEEDED:
        return SUBMITTED
    if wanted == ASSURED and expires_at is not None and expires_at <= now:
        return LAPSED
    return wanted
