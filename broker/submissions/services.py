"""Provider submissions: drafts saved per section, referee schools, submission, edits, withdrawal.

A new listing is a `Listing` with status "draft", filled in page by page; `ListingSection` rows
record how far each page got (the task list's statuses). Referees are chosen per listing
(`ListingReferee`) and asked to recommend only when the listing is submitted.

Editing a listing that has been assured (assured, suspended, lapsed) never touches the published
row: the edit is a `ListingRevision` holding every editable field as proposed. QA's approval
copies it onto the listing (broker.lifecycle.services.apply_revision).

Every change of status (submit, renew, withdraw) is a transition of broker.lifecycle.services;
referee schools are asked through broker.assurance's `request_recommendations`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import audit, availability, taxonomy
from broker.assurance.recommendations import request_recommendations
from broker.assurance.rules import optional_reason
from broker.errors import Forbidden, InvalidInput, NotFound
from broker.evidence import recommendation_counts
from broker.lifecycle import services as lifecycle
from broker.lifecycle.services import (  # noqa: F401 (re-exported: one meaning each)
    DIRECT_EDIT,
    EDITABLE_FIELDS,
    REVISION_EDIT,
    apply_revision,
    open_revision,
    under_review,
)
from broker.models import (
    LISTING_CODE_ALPHABET,
    LISTING_CODE_LENGTH,
    LISTING_LIST_COLUMNS,
    AuditEvent,
    Listing,
    ListingReferee,
    ListingRevision,
    ListingSection,
    LocalAuthority,
    Provider,
    Recommendation,
    School,
    User,
    utcnow,
)
from broker.routing import MAX_ID

#: The listing pages of the task list, in order, and the Listing fields each one edits.
PAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "about": ("title", "summary", "description", "categories", "ecm_outcomes"),
    "audience": ("phases", "sen_specialisms", "pupil_groups"),
    "delivery": ("delivery", "national", "regions", "local_authorities"),
    "cost": ("cost", "price_note"),
    "contact": ("contact_name", "contact_email", "contact_phone"),
}
PAGES = tuple(PAGE_FIELDS)
PAGE_TITLES = {
    "about": "About the service",
    "audience": "Who it is for",
    "delivery": "How and where it is delivered",
    "cost": "Cost",
    "contact": "Contact details",
}

#: Listings a provider submits from the task list as they are (the others go through a revision).
SUBMITTABLE = DIRECT_EDIT

NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START = (
    "Not started",
    "In progress",
    "Completed",
    "Cannot start yet",
)
#: Renewal is highlighted this many days before assurance runs out.
RENEW_WINDOW_DAYS = 30

_WEB = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)
_PHONE = re.compile(r"^[0-9 +()\-]{6,40}$")


# --- finding things -----------------------------------------------------------------------


def provider_of(session: Session, user: User) -> Provider:
    """Return the provider organisation `user` acts for (Forbidden when there is none)."""
    provider = session.get(Provider, user.provider_id) if user.provider_id else None
    if user.role != "provider" or provider is None:
        raise Forbidden("Your account is not linked to a provider organisation.")
    return provider


def own_listing(session: Session, user: User, listing_id: int) -> Listing:
    """Return the provider's own listing; any other listing is NotFound (no hint that it exists)."""
    provider = provider_of(session, user)
    listing = session.get(Listing, listing_id) if 0 < listing_id <= MAX_ID else None
    if listing is None or listing.provider_id != provider.id:
        raise NotFound("There is no listing with that number in your account.")
    return listing


def local_authority_choices(session: Session) -> list[tuple[str, str]]:
    """Return (code, name) of every local authority, by name."""
    rows = session.exec(select(LocalAuthority).order_by(LocalAuthority.name)).all()
    return [(la.code, la.name) for la in rows]


def search_schools(session: Session, text: str, limit: int = 20) -> list[School]:
    """Return open schools whose URN is `text` or whose name contains it."""
    text = " ".join(text.split())[:100]
    if len(text) < 2:
        return []
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(School)
        .where(
            sa.or_(
                col(School.urn) == text,
                sa.func.lower(School.name).like(pattern, escape="\\"),
            ),
            col(School.closed_on).is_(None),  # a closed school has no head to recommend
        )
        .order_by(School.name, School.urn)
        .limit(limit)
    )
    return list(session.exec(query).all())


# --- working values -----------------------------------------------------------------------


def listing_values(listing: Listing) -> dict[str, Any]:
    """Return the editable fields of a listing as a plain dict."""
    values = {}
    for name in EDITABLE_FIELDS:
        value = getattr(listing, name)
        values[name] = list(value) if name in LISTING_LIST_COLUMNS else value
    return values


def working_values(session: Session, listing: Listing) -> dict[str, Any]:
    """Return what the provider is editing: the pending revision if there is one, else the listing."""
    revision = open_revision(session, listing.id or 0)
    if revision is not None:
        return {**listing_values(listing), **revision.proposed}
    return listing_values(listing)


def edits_through_revision(session: Session, listing: Listing) -> bool:
    """Say whether edits to this listing wait in a revision (it was assured, or one is open)."""
    return listing.status in REVISION_EDIT or open_revision(session, listing.id or 0) is not None


def can_edit(session: Session, listing: Listing) -> bool:
    """Say whether the provider may change the listing now (not while QA reviews it)."""
    if under_review(listing):
        return False
    if listing.status in DIRECT_EDIT:
        return True
    if listing.status in REVISION_EDIT:
        revision = open_revision(session, listing.id or 0)
        return revision is None or revision.status != "submitted"
    return False


def _require_editable(session: Session, listing: Listing) -> None:
    if not can_edit(session, listing):
        raise InvalidInput(
            "listing",
            "You cannot change this listing while it is being reviewed. "
            "You can change it again once QA has made a decision.",
        )


# --- rules per page -----------------------------------------------------------------------


def _clean_text(value: Any) -> str:
    return " ".join(str(value or "").split()) if value is not None else ""


def _clean_block(value: Any) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def _slugs(values: Any, vocabulary: taxonomy.Vocabulary) -> list[str]:
    out: list[str] = []
    for value in values or []:
        term = vocabulary.get(str(value))
        if term and term.slug not in out:
            out.append(term.slug)
    return out


def clean_page(
    session: Session, listing: Listing, page: str, data: Mapping[str, Any], complete: bool
) -> dict[str, Any]:
    """Return the page's fields normalised; when `complete`, raise InvalidInput for broken rules."""
    if page not in PAGE_FIELDS:
        raise NotFound("There is no such page.")
    v: dict[str, Any] = {}
    if page == "about":
        v["title"] = _clean_text(data.get("title"))
        v["summary"] = _clean_text(data.get("summary"))
        v["description"] = _clean_block(data.get("description"))
        v["categories"] = _slugs(data.get("categories"), taxonomy.CATEGORIES)
        v["ecm_outcomes"] = _slugs(data.get("ecm_outcomes"), taxonomy.ECM_OUTCOMES)
        if complete and v["title"]:
            _check_title_unique(session, listing, v["title"])
    elif page == "audience":
        v["phases"] = _slugs(data.get("phases"), taxonomy.PHASES)
        v["sen_specialisms"] = _slugs(data.get("sen_specialisms"), taxonomy.SEN_SPECIALISMS)
        v["pupil_groups"] = _slugs(data.get("pupil_groups"), taxonomy.PUPIL_GROUPS)
    elif page == "delivery":
        v["delivery"] = _slugs(data.get("delivery"), taxonomy.DELIVERY)
        v["national"] = bool(data.get("national"))
        v["regions"] = _slugs(data.get("regions"), taxonomy.REGIONS)
        known = {code for code, _ in local_authority_choices(session)}
        v["local_authorities"] = [
            c for c in dict.fromkeys(data.get("local_authorities") or []) if c in known
        ]
        if complete and not (v["national"] or v["regions"] or v["local_authorities"]):
            raise InvalidInput(
                "national",
                "Select where you provide the service: all of England, regions or local authorities",
            )
        if v["national"]:
            # National covers everything; narrower areas would only confuse the filters.
            v["regions"], v["local_authorities"] = [], []
    elif page == "cost":
        cost = taxonomy.COSTS.get(str(data.get("cost") or ""))
        v["cost"] = cost.slug if cost else ""
        v["price_note"] = _clean_text(data.get("price_note")) or None
        if complete and v["cost"] == "paid" and not v["price_note"]:
            raise InvalidInput("price_note", "Enter a price note, such as a day rate or course fee")
    elif page == "contact":
        v["contact_name"] = _clean_text(data.get("contact_name")) or None
        email = _clean_text(data.get("contact_email")).lower() or None
        phone = _clean_text(data.get("contact_phone")) or None
        if complete and email:
            email = _check_email("contact_email", email)
        if complete and phone and not _PHONE.match(phone):
            raise InvalidInput("contact_phone", "Enter a telephone number, like 01632 960 001")
        v["contact_email"], v["contact_phone"] = email, phone
    return v


def _check_email(field_name: str, email: str) -> str:
    from broker.auth.services import check_email

    return check_email(field_name, email)


def _check_title_unique(session: Session, listing: Listing, title: str) -> None:
    clash = session.exec(
        select(Listing.id).where(
            Listing.provider_id == listing.provider_id,
            Listing.id != listing.id,
            sa.func.lower(Listing.title) == title.lower(),
            Listing.status != "withdrawn",
        )
    ).first()
    if clash is not None:
        raise InvalidInput(
            "title", "You already have a listing with this title: give this one its own"
        )


def page_complete(values: Mapping[str, Any], page: str) -> bool:
    """Say whether a page's required answers are all given (shape only; rules ran on save)."""
    if page == "about":
        return bool(values.get("title") and values.get("summary") and values.get("categories"))
    if page == "audience":
        return bool(values.get("phases"))
    if page == "delivery":
        return bool(values.get("delivery")) and bool(
            values.get("national") or values.get("regions") or values.get("local_authorities")
        )
    if page == "cost":
        return bool(values.get("cost")) and (
            values.get("cost") != "paid" or bool(values.get("price_note"))
        )
    return True


# --- drafts -------------------------------------------------------------------------------


def new_code(session: Session) -> str:
    """Return a short code no listing has yet."""
    for _ in range(50):
        code = "".join(secrets.choice(LISTING_CODE_ALPHABET) for _ in range(LISTING_CODE_LENGTH))
        if session.exec(select(Listing.id).where(Listing.code == code)).first() is None:
            return code
    raise RuntimeError("Could not find a free listing code")  # pragma: no cover


def create_draft(session: Session, user: User) -> Listing:
    """Start a new draft listing for the user's provider."""
    provider = provider_of(session, user)
    now = utcnow()
    listing = Listing(
        provider_id=provider.id,  # type: ignore[arg-type]
        code=new_code(session),
        title="",
        summary="",
        cost="",
        national=False,
        status="draft",
        created_at=now,
        updated_at=now,
    )
    session.add(listing)
    session.flush()
    _audit(session, listing, user, "draft-started", None, "draft", None)
    return listing


def save_page(
    session: Session,
    listing: Listing,
    page: str,
    data: Mapping[str, Any],
    user: User,
    *,
    complete: bool = True,
) -> None:
    """Save one page of a listing (rules checked when `complete`; else kept as in progress)."""
    _require_editable(session, listing)
    via_revision = edits_through_revision(session, listing)
    if via_revision and not complete:
        complete = True  # a revision starts complete and must stay so: no half-saved pages
    values = clean_page(session, listing, page, data, complete)
    now = utcnow()
    if via_revision:
        revision = _revision_for_edit(session, listing, user)
        revision.proposed = {**revision.proposed, **values}
        revision.updated_at = now
        session.add(revision)
        return
    for name, value in values.items():
        setattr(listing, name, value)
    listing.updated_at = now
    session.add(listing)
    state = COMPLETED if complete and page_complete(values, page) else IN_PROGRESS
    _set_section(session, listing, page, "completed" if state == COMPLETED else "in-progress")


def _set_section(session: Session, listing: Listing, section: str, state: str) -> None:
    row = session.get(ListingSection, (listing.id, section))
    if row is None:
        row = ListingSection(listing_id=listing.id or 0, section=section, state=state)
    row.state = state
    row.updated_at = utcnow()
    session.add(row)


def _sections(session: Session, listing: Listing) -> dict[str, str]:
    rows = session.exec(select(ListingSection).where(ListingSection.listing_id == listing.id)).all()
    return {r.section: r.state for r in rows}


# --- organisation -------------------------------------------------------------------------


def provider_values(provider: Provider, school: School | None) -> dict[str, Any]:
    """Return the organisation details as form data."""
    la_code = provider.la.code if provider.la else ""
    return {
        "name": provider.name,
        "kind": provider.kind,
        "website": provider.website or "",
        "email": provider.email or "",
        "phone": provider.phone or "",
        "la": la_code,
        "school_urn": school.urn if school else "",
    }


def provider_complete(provider: Provider) -> bool:
    """Say whether the organisation details are complete enough to submit."""
    return bool(
        provider.name
        and provider.kind in taxonomy.PROVIDER_KINDS
        and provider.email
        and (provider.kind != "school-to-school" or provider.school_id)
    )


def save_organisation(session: Session, user: User, data: Mapping[str, Any]) -> Provider:
    """Change the provider's organisation details (name and kind go live in the index at once)."""
    provider = provider_of(session, user)
    name = _clean_text(data.get("name"))
    if not name:
        raise InvalidInput("name", "Enter your organisation's name")
    kind = taxonomy.PROVIDER_KINDS.get(str(data.get("kind") or ""))
    if kind is None:
        raise InvalidInput("kind", "Select the kind of organisation")
    email = _check_email("email", _clean_text(data.get("email")))
    website = _clean_text(data.get("website")) or None
    if website and not website.lower().startswith(("http://", "https://")):
        website = "https://" + website
    if website and not _WEB.match(website):
        raise InvalidInput("website", "Enter a web address, like https://www.example.org")
    phone = _clean_text(data.get("phone")) or None
    if phone and not _PHONE.match(phone):
        raise InvalidInput("phone", "Enter a telephone number, like 01632 960 001")
    la_code = _clean_text(data.get("la"))
    la = None
    if la_code:
        la = session.exec(select(LocalAuthority).where(LocalAuthority.code == la_code)).first()
        if la is None:
            raise InvalidInput("la", "Select a local authority from the list")
    school = None
    urn = _clean_text(data.get("school_urn"))
    if kind.slug == "school-to-school":
        if not urn:
            raise InvalidInput("school_urn", "Enter your school's URN (unique reference number)")
        school = session.exec(select(School).where(School.urn == urn)).first()
        if school is None:
            raise InvalidInput("school_urn", f"No school in the register has the URN {urn[:12]}")
    provider.name, provider.kind, provider.email = name, kind.slug, email
    provider.website, provider.phone = website, phone
    provider.la_id = la.id if la else None
    provider.school_id = school.id if school else None
    provider.updated_at = utcnow()
    session.add(provider)
    return provider


# --- referees -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Referee:
    """A school standing behind the provider: chosen for this listing, or already asked/recommending."""

    school: School
    #: chosen (to be asked on submission), requested, confirmed, declined
    state: str
    removable: bool


def referees(session: Session, listing: Listing) -> list[Referee]:
    """Return the listing's referee schools and the provider's standing recommendations."""
    provider = session.get(Provider, listing.provider_id)
    own = provider.school_id if provider else None
    recs = session.exec(
        select(Recommendation, School)
        .join(School, col(School.id) == Recommendation.school_id)
        .where(
            Recommendation.provider_id == listing.provider_id,
            col(Recommendation.status).in_(("requested", "confirmed")),
            col(Recommendation.withdrawn_at).is_(None),
        )
        .order_by(School.name)
    ).all()
    out: list[Referee] = []
    seen: set[int] = set()
    for rec, school in recs:
        if school.id == own or school.id in seen:
            continue
        seen.add(school.id or 0)
        out.append(Referee(school, rec.status, removable=False))
    chosen = session.exec(
        select(School)
        .join(ListingReferee, col(ListingReferee.school_id) == School.id)
        .where(ListingReferee.listing_id == listing.id)
        .order_by(School.name)
    ).all()
    for school in chosen:
        if school.id in seen:
            continue
        seen.add(school.id or 0)
        out.append(Referee(school, "chosen", removable=listing.status in SUBMITTABLE))
    return out


def add_referee(session: Session, listing: Listing, school_id: int, user: User) -> School:
    """Name a school as a referee for the listing (never the provider's own school)."""
    _require_editable(session, listing)
    school = session.get(School, school_id) if 0 < school_id <= MAX_ID else None
    if school is None:
        raise InvalidInput("q", "Choose a school from the register")
    provider = provider_of(session, user)
    if provider.school_id == school.id:
        raise InvalidInput(
            "q", "Your own school cannot be a referee: choose schools you have worked with"
        )
    if session.get(ListingReferee, (listing.id, school.id)) is None:
        session.add(ListingReferee(listing_id=listing.id or 0, school_id=school.id or 0))
    session.flush()
    _update_referee_section(session, listing)
    return school


def remove_referee(session: Session, listing: Listing, school_id: int) -> None:
    """Take a chosen school off the listing's referees (before it is submitted)."""
    _require_editable(session, listing)
    row = session.get(ListingReferee, (listing.id, school_id)) if 0 < school_id <= MAX_ID else None
    if row is not None:
        session.delete(row)
        session.flush()
    _update_referee_section(session, listing)


def confirm_referees(session: Session, listing: Listing) -> None:
    """Finish the referee task: at least two different schools are needed."""
    count = len(referees(session, listing))
    if count < taxonomy.SCHOOLS_NEEDED:
        need = taxonomy.SCHOOLS_NEEDED - count
        raise InvalidInput(
            "q",
            f"Choose at least {taxonomy.SCHOOLS_NEEDED} referee schools "
            f"({need} more): schools that have used your service",
        )
    _set_section(session, listing, "referees", "completed")


def _update_referee_section(session: Session, listing: Listing) -> None:
    """Reopen the referee task when removing a school leaves fewer than two."""
    row = session.get(ListingSection, (listing.id, "referees"))
    if row is not None and len(referees(session, listing)) < taxonomy.SCHOOLS_NEEDED:
        session.delete(row)
        session.flush()


# --- the task list ------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    status: str
    endpoint: str | None


@dataclass(frozen=True)
class TaskList:
    listing: Listing
    provider: Provider
    tasks: list[Task]
    revision: ListingRevision | None

    @property
    def ready(self) -> bool:
        return all(t.status == COMPLETED for t in self.tasks if t.key != "check")

    @property
    def completed(self) -> int:
        return sum(1 for t in self.tasks if t.status == COMPLETED)


def task_list(session: Session, listing: Listing) -> TaskList:
    """Return the tasks of a listing with their statuses."""
    provider = session.get(Provider, listing.provider_id)
    assert provider is not None
    revision = open_revision(session, listing.id or 0)
    tasks: list[Task] = []
    org = COMPLETED if provider_complete(provider) else IN_PROGRESS
    tasks.append(Task("organisation", "Organisation details", org, "submissions.organisation"))
    sections = _sections(session, listing)
    values = working_values(session, listing)
    via_revision = edits_through_revision(session, listing)
    for page in PAGES:
        if via_revision:
            status = COMPLETED if page_complete(values, page) else IN_PROGRESS
        else:
            state = sections.get(page)
            status = {"completed": COMPLETED, "in-progress": IN_PROGRESS}.get(
                state or "", NOT_STARTED
            )
            if status == COMPLETED and not page_complete(values, page):
                status = IN_PROGRESS
        tasks.append(Task(page, PAGE_TITLES[page], status, "submissions.page"))
    count = len(referees(session, listing))
    if via_revision or sections.get("referees") == "completed":
        ref = COMPLETED if count >= taxonomy.SCHOOLS_NEEDED else IN_PROGRESS
    else:
        ref = IN_PROGRESS if count else NOT_STARTED
    tasks.append(Task("referees", "Referee schools", ref, "submissions.referees"))
    ready = all(t.status == COMPLETED for t in tasks)
    tasks.append(
        Task("check", "Check answers and submit", NOT_STARTED if ready else CANNOT_START,
             "submissions.check" if ready else None)
    )  # fmt: skip
    return TaskList(listing, provider, tasks, revision)


# --- submission ---------------------------------------------------------------------------


def submit(session: Session, listing: Listing, user: User) -> str:
    """Submit the listing (or its pending edit) for assurance; return "listing" or "revision".

    Referee schools chosen for the listing and not yet asked are asked first (QA's
    request_recommendations), whichever way the listing goes to review.
    """
    tasks = task_list(session, listing)
    unfinished = [t for t in tasks.tasks if t.key != "check" and t.status != COMPLETED]
    if unfinished:
        first = unfinished[0]
        raise InvalidInput(first.key, f"Complete “{first.title}” before you submit")
    via_revision = edits_through_revision(session, listing)
    if not via_revision and listing.status not in SUBMITTABLE:
        raise InvalidInput("listing", "This listing has already been submitted")
    if under_review(listing):
        raise InvalidInput("listing", "This listing is already waiting for review")
    chosen = referees(session, listing)
    to_ask = [r.school.id or 0 for r in chosen if r.state == "chosen"]
    if to_ask:
        request_recommendations(session, tasks.provider, to_ask, user)
    if via_revision:
        return _submit_revision(session, listing, user)
    lifecycle.submit(session, listing, user)
    return "listing"


def _revision_for_edit(session: Session, listing: Listing, user: User) -> ListingRevision:
    revision = open_revision(session, listing.id or 0)
    if revision is None:
        revision = ListingRevision(
            listing_id=listing.id or 0,
            open_listing_id=listing.id,
            status="draft",
            proposed=listing_values(listing),
            created_by_id=user.id,
        )
        session.add(revision)
        session.flush()
    elif revision.status == "changes-requested":
        revision.status = "draft"
    return revision


def _submit_revision(session: Session, listing: Listing, user: User) -> str:
    revision = open_revision(session, listing.id or 0)
    changed = revision is not None and revision.proposed != listing_values(listing)
    if not changed:
        if listing.status == "assured":
            raise InvalidInput("listing", "You have not changed anything yet")
        # A hidden listing (lapsed, or short of recommendations) may go back as it is.
        if revision is not None:
            lifecycle.close_revision(revision, "discarded", session)
        lifecycle.submit(session, listing, user)
        return "listing"
    assert revision is not None
    now = utcnow()
    revision.status, revision.submitted_at, revision.updated_at = "submitted", now, now
    session.add(revision)
    # QA's rules: an assured listing stays published while reviewed; a hidden one is resubmitted.
    lifecycle.submit(session, listing, user)
    return "revision"


def discard_revision(session: Session, listing: Listing, user: User) -> None:
    """Drop the provider's unsubmitted edit of an assured listing."""
    revision = open_revision(session, listing.id or 0)
    if revision is None:
        return
    if revision.status == "submitted":
        raise InvalidInput("listing", "You cannot discard changes while they are being reviewed")
    lifecycle.close_revision(revision, "discarded", session)


# --- withdrawal and renewal ---------------------------------------------------------------


def withdraw(session: Session, listing: Listing, user: User, reason: str = "") -> None:
    """Withdraw the listing: it leaves the directory at once (an open edit is discarded)."""
    if listing.status == "withdrawn":
        raise InvalidInput("listing", "This listing is already withdrawn")
    why = optional_reason(_clean_block(reason) or None, "reason")
    lifecycle.withdraw(session, listing, user, why)


def renew(session: Session, listing: Listing, user: User) -> None:
    """Ask for the listing's assurance to be renewed (the lifecycle decides what follows)."""
    if not lifecycle.allowed(listing, "renew"):
        raise InvalidInput("listing", "Only an assured or lapsed listing can be renewed")
    if listing.status == "assured" and not renewal_due(listing):
        raise InvalidInput(
            "listing",
            f"This listing's assurance is not running out yet: you can renew it in the "
            f"{RENEW_WINDOW_DAYS} days before it ends",
        )
    lifecycle.renew(session, listing, user)


def renewal_due(listing: Listing, now: datetime | None = None) -> bool:
    """Say whether assurance runs out within the renewal window."""
    now = now or utcnow()
    expires = listing.assurance_expires_at
    return expires is not None and expires - now <= timedelta(days=RENEW_WINDOW_DAYS)


# --- the dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingState:
    """One listing on the provider's dashboard and what is needed next."""

    listing: Listing
    status_label: str
    next_step: str
    recommendations: int
    revision: ListingRevision | None
    message: str | None
    renewal_due: bool
    actions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    provider: Provider
    listings: list[ListingState]
    recommendations: int

    @property
    def capacity_note(self) -> str:
        """Return what the provider last said of its capacity, as of today ("" for nothing)."""
        return availability.of(self.provider).describe(availability.today())


def _latest_reason(session: Session, listing_id: int, to_state: str) -> str | None:
    return session.exec(
        select(AuditEvent.reason)
        .where(
            AuditEvent.entity_type == "listing",
            AuditEvent.entity_id == listing_id,
            AuditEvent.to_state == to_state,
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    ).first()


def dashboard(session: Session, user: User) -> Dashboard:
    """Return the provider's listings, each with its state and the next step."""
    provider = provider_of(session, user)
    counted = recommendation_counts(session, [provider.id or 0]).get(provider.id or 0, 0)
    rows = session.exec(
        select(Listing)
        .where(Listing.provider_id == provider.id)
        .order_by(col(Listing.updated_at).desc(), col(Listing.id).desc())
    ).all()
    needed = taxonomy.SCHOOLS_NEEDED
    states = []
    for listing in rows:
        revision = open_revision(session, listing.id or 0)
        message: str | None = None
        due = False
        status = listing.status
        actions: list[str] = []
        if status == "draft":
            done = task_list(session, listing).completed
            step = f"Continue your draft: {done} of {len(PAGES) + 2} tasks completed."
            actions = ["continue", "withdraw"]
        elif status == "submitted":
            if counted < needed:
                step = (
                    f"Awaiting recommendations: {counted} of {needed} received. "
                    "Your referee schools' headteachers have been asked."
                )
            else:
                step = (
                    f"Awaiting quality assurance: {counted} of {needed} recommendations received."
                )
            actions = ["view", "withdraw"]
        elif status == "changes-requested":
            message = _latest_reason(session, listing.id or 0, "changes-requested")
            step = "QA asked for changes. Edit the listing and submit it again."
            actions = ["continue", "withdraw"]
        elif status == "assured":
            due = renewal_due(listing)
            step = "Published in the directory."
            if listing.review_requested_at is not None:
                step += " QA is reviewing it; it stays published meanwhile."
                actions = ["view", "withdraw"]
            else:
                if due:
                    step += " Assurance runs out soon: renew it now."
                    actions = ["edit", "renew", "withdraw"]
                else:
                    # Renewing is offered only when assurance is about to run out.
                    step += f" You can renew its assurance in the {RENEW_WINDOW_DAYS} days before it ends."
                    actions = ["edit", "withdraw"]
        elif status == "suspended":
            message = _latest_reason(session, listing.id or 0, "suspended")
            step = "Hidden from the directory while QA looks into a concern. QA will contact you."
            actions = ["view", "withdraw"]
        elif status == "lapsed":
            step = "Assurance ran out, so the listing is hidden. Renew it to publish it again."
            actions = ["renew", "edit", "withdraw"]
        elif status == "recommendations-needed":
            step = (
                f"Hidden: {counted} of {needed} schools now recommend you. "
                "Ask another school to recommend you, then submit the listing again."
            )
            actions = ["edit", "withdraw"]
        elif status == "rejected":
            message = _latest_reason(session, listing.id or 0, "rejected")
            step = "Not accepted. You can change the listing and submit it again."
            actions = ["continue", "withdraw"]
        else:
            step = "Withdrawn: not in the directory. You can change it and submit it again."
            actions = ["continue"]
        if revision is not None:
            if revision.status == "submitted":
                step += " Your changes are awaiting review; the published version stays live until they are approved."
                actions = [a for a in actions if a != "edit"]
            elif revision.status == "changes-requested":
                message = revision.message
                step += " QA asked for changes to your edit: change it and submit it again."
            else:
                step += " You have changes you have not submitted yet."
        states.append(
            ListingState(
                listing=listing,
                status_label=taxonomy.LISTING_STATUSES.label_of(status),
                next_step=step,
                recommendations=counted,
                revision=revision,
                message=message,
                renewal_due=due,
                actions=actions,
            )
        )
    return Dashboard(provider, states, counted)


# --- check answers ------------------------------------------------------------------------


def summary(session: Session, listing: Listing) -> dict[str, Any]:
    """Return what the check-answers page shows: working values with labels."""
    values = working_values(session, listing)
    la_names = dict(local_authority_choices(session))
    return {
        "values": values,
        "la_names": [la_names.get(c, c) for c in values.get("local_authorities") or []],
        "referees": referees(session, listing),
    }


# --- audit --------------------------------------------------------------------------------


def _audit(
    session: Session,
    listing: Listing,
    user: User | None,
    action: str,
    from_state: str | None,
    to_state: str | None,
    reason: str | None,
) -> None:
    audit.record(
        session,
        user,
        entity_type="listing",
        entity_id=listing.id or 0,
        provider_id=listing.provider_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )


def changed_fields(session: Session, listing: Listing) -> Sequence[str]:
    """Return the names of fields a pending revision changes."""
    revision = open_revision(session, listing.id or 0)
    if revision is None:
        return []
    return lifecycle.changed_fields(listing, revision.proposed)
