"""The database tables. Small invariants only; business rules live in the feature services.

Multi-valued taxonomy facets are stored as JSON lists of slugs (see broker/taxonomy.py): the
database is the truth, the search index answers the faceted questions.
"""

# No `from __future__ import annotations` here: SQLModel reads relationship annotations such as
# list["School"] at class creation and cannot resolve them from a plain string.
# ruff: noqa: UP017, UP045

from datetime import date, datetime, timezone
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, Relationship, SQLModel

from broker.taxonomy import SCHOOLS_NEEDED


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC (SQLModel's UTCDateTime requires it)."""
    return datetime.now(timezone.utc)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class LocalAuthority(SQLModel, table=True):
    __tablename__ = "local_authority"

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True, index=True)
    name: str = Field(max_length=120)
    region: str = Field(max_length=40)
    #: More concurrent brokered engagements than this in one school is "initiative fatigue".
    fatigue_threshold: int = Field(default=5)

    schools: list["School"] = Relationship(back_populates="la")


class School(SQLModel, table=True):
    __tablename__ = "school"

    id: Optional[int] = Field(default=None, primary_key=True)
    urn: str = Field(max_length=12, unique=True, index=True)
    name: str = Field(max_length=200)
    phase: str = Field(max_length=40)
    type: str = Field(max_length=60)
    la_id: int = Field(foreign_key="local_authority.id", index=True)
    sen_specialisms: list[str] = _json_list()
    #: Confidential: visible only to the school's head, its SIP and its LA's QA officers.
    support_category: Optional[str] = Field(default=None, max_length=20)
    postcode: Optional[str] = Field(default=None, max_length=10)
    #: Set when the DfE register (Get Information about Schools) says the school has closed.
    closed_on: Optional[date] = None

    la: Optional[LocalAuthority] = Relationship(back_populates="schools")


class Provider(SQLModel, table=True):
    __tablename__ = "provider"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=40)
    website: Optional[str] = Field(default=None, max_length=300)
    email: Optional[str] = Field(default=None, max_length=254)
    phone: Optional[str] = Field(default=None, max_length=40)
    la_id: Optional[int] = Field(default=None, foreign_key="local_authority.id", index=True)
    #: Set when the provider is itself a school (school-to-school support).
    school_id: Optional[int] = Field(default=None, foreign_key="school.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    #: Capacity, as the provider last said (broker.capacity): the days it has available this
    #: term (None: not said), the date from which it takes new work again (None: it does now).
    capacity_days: Optional[int] = None
    not_taking_until: Optional[date] = None
    capacity_updated_at: Optional[datetime] = None

    la: Optional[LocalAuthority] = Relationship()
    school: Optional[School] = Relationship()
    listings: list["Listing"] = Relationship(back_populates="provider")
    recommendations: list["Recommendation"] = Relationship(back_populates="provider")


#: Listing codes: five of 32 symbols that cannot be misread in print (no 0/O, no 1/I).
LISTING_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LISTING_CODE_LENGTH = 5


class Listing(SQLModel, table=True):
    __tablename__ = "listing"
    __table_args__ = (
        # Every index sync looks for assurances that ran out (broker.lifecycle.services.
        # lapse_expired): few assured listings among many, found without reading the rest.
        sa.Index(
            "ix_listing_assured_expiry",
            "assurance_expires_at",
            postgresql_where=sa.text("status = 'assured'"),
            sqlite_where=sa.text("status = 'assured'"),
        ),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    #: Short code printed in the hardcopy directory; /l/CODE finds the listing.
    code: str = Field(max_length=12, unique=True, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(max_length=600)
    description: str = Field(default="", sa_column=Column(sa.Text, nullable=False))
    categories: list[str] = _json_list()
    ecm_outcomes: list[str] = _json_list()
    phases: list[str] = _json_list()
    sen_specialisms: list[str] = _json_list()
    pupil_groups: list[str] = _json_list()
    delivery: list[str] = _json_list()
    cost: str = Field(max_length=30)
    price_note: Optional[str] = Field(default=None, max_length=300)
    contact_name: Optional[str] = Field(default=None, max_length=200)
    contact_email: Optional[str] = Field(default=None, max_length=254)
    contact_phone: Optional[str] = Field(default=None, max_length=40)
    national: bool = Field(default=False)
    regions: list[str] = _json_list()
    #: LA codes of the local authorities served.
    local_authorities: list[str] = _json_list()
    status: str = Field(default="draft", max_length=30, index=True)
    submitted_at: Optional[datetime] = None
    assured_at: Optional[datetime] = None
    #: Indexed: every sync of the index looks for assurances that ran out (few, among many).
    assurance_expires_at: Optional[datetime] = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    #: Set while an assured listing (renewal or edit) waits for QA; it stays published meanwhile.
    review_requested_at: Optional[datetime] = None
    #: When the provider was reminded that this assurance period ends; cleared on approval.
    renewal_reminder_sent_at: Optional[datetime] = None

    provider: Optional[Provider] = Relationship(back_populates="listings")

    def is_public(
        self, now: Optional[datetime] = None, recommending_schools: Optional[int] = None
    ) -> bool:
        """Say whether anyone may see this listing (`is_public` with its own status and dates).

        Pass the provider's `recommending_schools` (broker.evidence) to apply the whole rule;
        without it only the listing's own part is checked (assured and in date).
        """
        return is_public(
            self.status,
            self.assurance_expires_at,
            SCHOOLS_NEEDED if recommending_schools is None else recommending_schools,
            now or utcnow(),
        )


#: The one status in which a listing can be public.
PUBLIC_STATUS = "assured"


#: The Listing columns that hold a JSON list of slugs or LA codes (the facets, regions, LAs).
LISTING_LIST_COLUMNS = frozenset(
    column.name
    for column in Listing.__table__.columns  # type: ignore[attr-defined]
    if isinstance(column.type, JSON)
)


def is_public(
    status: str, expires_at: Optional[datetime], recommending_schools: int, now: datetime
) -> bool:
    """Say whether a listing is public: assured, in date, and two schools behind its provider.

    The one definition; `public_listing_clause` is its SQL twin (a test keeps them equal).
    Nothing past its assurance is public, whether or not its lapse has been recorded yet.
    """
    in_date = expires_at is None or _aware(expires_at) > now
    return status == PUBLIC_STATUS and in_date and recommending_schools >= SCHOOLS_NEEDED


def public_listing_clause(
    now: datetime, recommending_schools: sa.ColumnElement[int]
) -> sa.ColumnElement[bool]:
    """SQL for `is_public`, given the provider's recommending schools as a SQL expression.

    broker.evidence.public_clause(now) passes its count of valid recommending schools.
    """
    return sa.and_(assured_in_date_clause(now), recommending_schools >= SCHOOLS_NEEDED)


def assured_in_date_clause(now: datetime) -> sa.ColumnElement[bool]:
    """SQL for the half of `is_public` that is the Listing's own: assured, and still in date."""
    table = sa.inspect(Listing).local_table
    expires = table.c.assurance_expires_at
    return sa.and_(table.c.status == PUBLIC_STATUS, sa.or_(expires.is_(None), expires > now))


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; every time the application writes is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Recommendation(SQLModel, table=True):
    """A school's recommendation of a provider: one per school per provider (a second replaces)."""

    __tablename__ = "recommendation"
    __table_args__ = (
        sa.UniqueConstraint("provider_id", "school_id", name="uq_recommendation_provider_school"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    listing_id: Optional[int] = Field(default=None, foreign_key="listing.id")
    recommender_user_id: Optional[int] = Field(default=None, foreign_key="user.id")
    recommender_name: str = Field(max_length=200)
    service_title: str = Field(max_length=200)
    impact: str = Field(sa_column=Column(sa.Text, nullable=False))
    made_on: date
    #: requested (awaiting the head), confirmed, declined, withdrawn
    status: str = Field(default="confirmed", max_length=20)
    withdrawn_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)
    #: The provider's user who asked this school for a recommendation, and when.
    requested_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    requested_at: Optional[datetime] = None
    #: When the head answered (confirmed, recommended unprompted, or declined).
    responded_at: Optional[datetime] = None

    provider: Optional[Provider] = Relationship(back_populates="recommendations")
    school: Optional[School] = Relationship()


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: Optional[str] = Field(default=None, max_length=300)
    role: str = Field(max_length=20)
    school_id: Optional[int] = Field(default=None, foreign_key="school.id")
    la_id: Optional[int] = Field(default=None, foreign_key="local_authority.id")
    provider_id: Optional[int] = Field(default=None, foreign_key="provider.id")
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    #: Set when the user proved they read mail at `email` (provider sign-up, invitation, reset).
    email_confirmed_at: Optional[datetime] = None
    password_changed_at: Optional[datetime] = None
    #: Base32 TOTP secret (RFC 6238); the second factor counts only once `totp_enrolled_at` is set.
    totp_secret: Optional[str] = Field(default=None, max_length=64)
    totp_enrolled_at: Optional[datetime] = None
    #: The last time step accepted, so a code cannot be replayed.
    totp_last_counter: Optional[int] = Field(default=None, sa_type=sa.BigInteger)

    # The Flask-Login user protocol, written out so models import nothing of Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def needs_second_factor(self) -> bool:
        """Say whether this role must pass TOTP: its actions publish to every school."""
        return self.role in ("qa_officer", "admin")


class AuditEvent(SQLModel, table=True):
    """Every change of state: who, when, what, why."""

    __tablename__ = "audit_event"
    #: One thing's history (a listing's submitter and decisions, a brokerage's steps), newest
    #: first, without reading the whole log, which only grows.
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity_type", "entity_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(max_length=200)
    entity_type: str = Field(max_length=40)
    entity_id: int
    provider_id: Optional[int] = Field(default=None, foreign_key="provider.id", index=True)
    action: str = Field(max_length=60)
    from_state: Optional[str] = Field(default=None, max_length=30)
    to_state: Optional[str] = Field(default=None, max_length=30)
    reason: Optional[str] = Field(default=None, sa_column=Column(sa.Text))
    #: The listing fields an edit changed (names of broker.lifecycle.services.EDITABLE_FIELDS).
    changed_fields: Optional[list[str]] = Field(default=None, sa_column=Column(JSON))


class IndexChange(SQLModel, table=True):
    """Append-only log of listings whose searchable state changed; indexes follow it by `seq`."""

    __tablename__ = "index_change"

    seq: Optional[int] = Field(default=None, primary_key=True)
    listing_id: int = Field(index=True)
    at: datetime = Field(default_factory=utcnow)


# --- accounts (issue 4) ------------------------------------------------------------------


class SipAssignment(SQLModel, table=True):
    """A school a School Improvement Partner is attached to."""

    __tablename__ = "sip_assignment"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    school_id: int = Field(foreign_key="school.id", primary_key=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A signed-in browser; the cookie holds only a random token whose hash is stored here."""

    __tablename__ = "user_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    #: Set when the second factor was passed in this session (QA officers and admins).
    second_factor_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    address: Optional[str] = Field(default=None, max_length=45)


class RecoveryCode(SQLModel, table=True):
    """A single-use second-factor recovery code, stored hashed."""

    __tablename__ = "recovery_code"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    used_at: Optional[datetime] = None


class OneTimeToken(SQLModel, table=True):
    """An emailed single-use link (invite, reset, confirm), stored hashed, with an expiry."""

    __tablename__ = "one_time_token"

    id: Optional[int] = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: Optional[datetime] = None


class ThrottleEvent(SQLModel, table=True):
    """A counted event (a failed sign-in, a reset request) in a sliding window, shared by all processes."""

    __tablename__ = "throttle_event"
    __table_args__ = (sa.Index("ix_throttle_event_scope_key_at", "scope", "key", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    scope: str = Field(max_length=30)
    key: str = Field(max_length=254)
    at: datetime = Field(default_factory=utcnow, index=True)


class MailMessage(SQLModel, table=True):
    """The email outbox: written in the same transaction as the action, sent after commit."""

    __tablename__ = "email_outbox"

    id: Optional[int] = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body_text: str = Field(sa_column=Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    #: Set while one sender works on the message, so two senders never both send it.
    claimed_at: Optional[datetime] = None
    sent_at: Optional[datetime] = Field(default=None, index=True)
    attempts: int = Field(default=0)
    last_error: Optional[str] = Field(default=None, sa_column=Column(sa.Text))


# --- provider submissions (issue 4) ------------------------------------------------------


class ListingSection(SQLModel, table=True):
    """How far a provider got with one section of a draft listing (the task list's statuses)."""

    __tablename__ = "listing_section"

    listing_id: int = Field(foreign_key="listing.id", primary_key=True)
    #: A page of the task list: about, audience, delivery, cost, referees.
    section: str = Field(max_length=30, primary_key=True)
    #: in-progress or completed
    state: str = Field(max_length=20)
    updated_at: datetime = Field(default_factory=utcnow)


class ListingReferee(SQLModel, table=True):
    """A school the provider names as a referee for a listing; asked to recommend on submission."""

    __tablename__ = "listing_referee"

    listing_id: int = Field(foreign_key="listing.id", primary_key=True)
    school_id: int = Field(foreign_key="school.id", primary_key=True, index=True)
    added_at: datetime = Field(default_factory=utcnow)


class ListingRevision(SQLModel, table=True):
    """A proposed edit of an assured (or suspended) listing, kept apart from the listing.

    The published listing stays live, unchanged, until QA approves the revision, which
    broker.submissions.services.apply_revision copies onto it. It holds every editable
    listing field in `proposed` (see broker.submissions.services.EDITABLE_FIELDS).
    """

    __tablename__ = "listing_revision"

    id: Optional[int] = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True)
    #: Equal to listing_id while the revision is open (draft, submitted, changes-requested) and
    #: NULL once closed: the unique constraint allows one open revision per listing.
    open_listing_id: Optional[int] = Field(default=None, unique=True)
    #: draft, submitted, changes-requested, approved, rejected, discarded
    status: str = Field(default="draft", max_length=20, index=True)
    proposed: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: Optional[datetime] = None
    decided_at: Optional[datetime] = None
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    #: QA's message (changes requested, rejection reason).
    message: Optional[str] = Field(default=None, sa_column=Column(sa.Text))


# --- printed directory (issue 5) ---------------------------------------------------------


class HardcopyEdition(SQLModel, table=True):
    """A published edition of an LA's printed directory: the baseline of "new" and "withdrawn"."""

    __tablename__ = "hardcopy_edition"
    __table_args__ = (
        sa.UniqueConstraint("la_code", "number", name="uq_hardcopy_edition_la_number"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    #: Looked up through the unique (la_code, number) index.
    la_code: str = Field(max_length=10)
    #: 1, 2, 3... per LA, in the order published.
    number: int
    produced_at: datetime = Field(default_factory=utcnow)
    listing_count: int = Field(default=0)


class HardcopyEditionListing(SQLModel, table=True):
    """A listing printed in an edition, as printed (it may since have changed or gone)."""

    __tablename__ = "hardcopy_edition_listing"

    edition_id: int = Field(foreign_key="hardcopy_edition.id", primary_key=True)
    #: No foreign key: the record of what was printed outlives the listing.
    listing_id: int = Field(primary_key=True)
    code: str = Field(max_length=12)
    title: str = Field(max_length=200)
    provider_name: str = Field(max_length=200)


# --- diagnosis and brokerage (issue 5) ---------------------------------------------------


class SchoolVisit(SQLModel, table=True):
    """A SIP's visit to a school: the evidence looked at and the support category given."""

    __tablename__ = "school_visit"

    id: Optional[int] = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    sip_id: Optional[int] = Field(default=None, foreign_key="user.id")
    visited_on: date
    #: Slugs of broker.taxonomy.EVIDENCE.
    evidence: list[str] = _json_list()
    evidence_notes: str = Field(default="", sa_column=Column(sa.Text, nullable=False))
    #: Confidential: the support category the LA gave the school at this visit.
    support_category: Optional[str] = Field(default=None, max_length=20)
    #: The next visit, when the SIP and the head agreed its date at this one.
    next_visit_on: Optional[date] = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Priority(SQLModel, table=True):
    """A need agreed on a visit, in the SIP's words. Confidential to the school's circle."""

    __tablename__ = "priority"

    id: Optional[int] = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="school_visit.id", index=True)
    #: Repeated from the visit so demand across an LA is one join away.
    school_id: int = Field(foreign_key="school.id", index=True)
    description: str = Field(sa_column=Column(sa.Text, nullable=False))
    category: str = Field(max_length=60)
    ecm_outcomes: list[str] = _json_list()
    pupil_groups: list[str] = _json_list()
    #: red, amber or green (broker.taxonomy.RAG_RATINGS).
    rag: str = Field(max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Brokerage(SQLModel, table=True):
    """A listing shortlisted against a priority, and what became of it (each step dated)."""

    __tablename__ = "brokerage"
    __table_args__ = (
        sa.UniqueConstraint("priority_id", "listing_id", name="uq_brokerage_priority_listing"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    priority_id: int = Field(foreign_key="priority.id", index=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    listing_id: int = Field(foreign_key="listing.id", index=True)
    provider_id: int = Field(foreign_key="provider.id")
    #: broker.taxonomy.BROKERAGE_STATES: suggested, agreed, engaged, completed, evaluated, declined.
    state: str = Field(default="suggested", max_length=20, index=True)
    shortlisted_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    #: Why the SIP shortlisted it (the matcher's reasons, or "From a directory search").
    note: str = Field(default="", sa_column=Column(sa.Text, nullable=False))
    suggested_at: datetime = Field(default_factory=utcnow)
    agreed_at: Optional[datetime] = None
    engaged_at: Optional[datetime] = None
    completed_at: Optional[datetime] = None
    evaluated_at: Optional[datetime] = None
    declined_at: Optional[datetime] = None
    declined_reason: Optional[str] = Field(default=None, sa_column=Column(sa.Text))
    #: 1-4 (broker.taxonomy.IMPACT_RATINGS), recorded by the head after completion.
    impact_rating: Optional[int] = None
    impact_text: Optional[str] = Field(default=None, sa_column=Column(sa.Text))
    #: The SIP's declaration of their interest in the provider, made when shortlisting.
    interest_declared: Optional[str] = Field(default=None, sa_column=Column(sa.Text))
    # The support plan's terms (broker.supportplan), set once the school has agreed the support.
    #: When the work is planned to start and to end.
    planned_start: Optional[date] = None
    planned_end: Optional[date] = None
    #: What the school agreed to pay, in pence (0: free to the school); None: not recorded yet.
    agreed_cost_pence: Optional[int] = None
    #: How the cost is met or reckoned ("3 days at £450", "funded by the LA").
    cost_note: Optional[str] = Field(default=None, max_length=200)
    #: How the head, the SIP and the governors will judge its impact on the priority.
    success_criteria: Optional[str] = Field(default=None, sa_column=Column(sa.Text))


# --- conflicts of interest (issue 16) ----------------------------------------------------


class Interest(SQLModel, table=True):
    """An interest a SIP or QA officer registered in a provider (broker.interests).

    It counts while it lasts and for broker.taxonomy.INTEREST_YEARS after it ends; a removed
    entry (a mistake) is kept, with when it was removed, for the audit trail.
    """

    __tablename__ = "interest"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    #: broker.taxonomy.INTEREST_KINDS: employment, ownership, family, paid-work.
    kind: str = Field(max_length=20)
    details: str = Field(default="", sa_column=Column(sa.Text, nullable=False))
    started_on: date
    ended_on: Optional[date] = None
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: Optional[datetime] = None


class SchoolAuthority(SQLModel, table=True):
    """A head's authority for a named leader of the school (a deputy, the business manager) to
    recommend providers and agree brokered support on the school's behalf, until withdrawn."""

    __tablename__ = "school_authority"

    id: Optional[int] = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    #: A user with role "school_leader" and this school_id.
    user_id: int = Field(foreign_key="user.id", index=True)
    #: What the leader is at the school: "Deputy headteacher", "School business manager".
    title: str = Field(max_length=100)
    granted_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    granted_at: datetime = Field(default_factory=utcnow)
    withdrawn_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    withdrawn_at: Optional[datetime] = None


# --- professional feedback (issue 16) ----------------------------------------------------


class Feedback(SQLModel, table=True):
    """Feedback on completed brokered work from someone who brokered it, and the provider's reply.

    Restricted (broker.feedback): the provider, the QA officers who assure the listing and the
    author see it; nobody else, and never the public. One per author per brokerage; final once
    given. The provider replies once: `replied_at` is set by a conditional update, so a second
    reply (even at the same moment) changes nothing.
    """

    __tablename__ = "feedback"
    __table_args__ = (
        sa.UniqueConstraint("brokerage_id", "author_id", name="uq_feedback_brokerage_author"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    brokerage_id: int = Field(foreign_key="brokerage.id")
    #: Repeated from the brokerage: QA reads feedback by listing, the provider by provider.
    listing_id: int = Field(foreign_key="listing.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    school_id: int = Field(foreign_key="school.id")
    author_id: int = Field(foreign_key="user.id")
    #: The author's role when they wrote it: headteacher, school_leader or sip.
    author_role: str = Field(max_length=20)
    text: str = Field(sa_column=Column(sa.Text, nullable=False))
    would_use_again: bool
    created_at: datetime = Field(default_factory=utcnow)
    reply: Optional[str] = Field(default=None, sa_column=Column(sa.Text))
    replied_at: Optional[datetime] = None
    replied_by_id: Optional[int] = Field(default=None, foreign_key="user.id")


# --- saved searches (issue 15) -----------------------------------------------------------


class SavedSearch(SQLModel, table=True):
    """A signed-in user's search of the directory, kept by name; optionally emailed about daily."""

    __tablename__ = "saved_search"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=100)
    #: The search's parameters as the results page reads them ({"q": [...], "phase": [...]}).
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Email the user when a new listing matches (at most daily: `broker saved-searches notify`).
    notify: bool = Field(default=False)
    #: Ids of the listings that matched when last looked at: anything else that matches is new.
    seen_listing_ids: list[int] = _json_list()
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    #: When the last email about it was sent (None: never).
    notified_at: Optional[datetime] = None


# --- notifications (issue 15) ------------------------------------------------------------


class Notification(SQLModel, table=True):
    """Something that needs a person, in their in-service list (and emailed if they want it)."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_created", "user_id", "created_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    #: broker.mail.notifications.KINDS
    kind: str = Field(max_length=40)
    subject: str = Field(max_length=200)
    #: The page it is about, as a path on this site.
    path: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: Optional[datetime] = None


class NotificationSetting(SQLModel, table=True):
    """A person's choice about the email of one kind of notification (no row: emailed)."""

    __tablename__ = "notification_setting"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    kind: str = Field(max_length=40, primary_key=True)
    email: bool = Field(default=True)


# --- offline drafts (issue 14) -----------------------------------------------------------


class OfflineDraft(SQLModel, table=True):
    """A draft typed offline and saved on upload, by the key the device gave it.

    The key is the upload's idempotency key: a second upload with the same key (a retry after a
    lost answer, two tabs syncing at once) finds this row and saves nothing again. Only saved
    drafts have a row; a draft returned with a reason left nothing behind and may be sent again.
    """

    __tablename__ = "offline_draft"

    #: Generated on the device (a UUID); unique across all users.
    key: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    school_id: int = Field(foreign_key="school.id")
    #: visit or priority
    kind: str = Field(max_length=20)
    #: The id of the visit or priority it was saved as.
    saved_id: int
    received_at: datetime = Field(default_factory=utcnow)
