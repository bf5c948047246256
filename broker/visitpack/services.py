"""The visit pack: one school's current priorities, each with its shortlist and the matcher's
suggestions, and how to reach every provider; for the SIP to print or save as a PDF.

The pack is as confidential as the school's page (its head, its SIPs, its LA's QA officers and
administrators): the views check who asks; this module only gathers what the pack shows.
A shortlisted listing that has since left the directory (suspended, lapsed) keeps its place
and state but is printed without contacts or web address: it must not be offered any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from broker import caseload, taxonomy
from broker.brokerage import services as brokerage
from broker.evidence import recommendation_counts
from broker.models import Listing, LocalAuthority, Priority, Provider, School, SchoolVisit, utcnow
from broker.schools import services as schools

#: Suggestions printed per priority besides what is already shortlisted (the issue asks for 3-5).
SUGGESTIONS_PER_PRIORITY = 4


@dataclass(frozen=True)
class Contact:
    """How to reach a listing's provider, as printed."""

    provider_name: str
    contact_name: str
    phone: str
    email: str
    website: str
    code: str
    #: The listing's short web address (BASE_URL/l/CODE).
    web_address: str


@dataclass(frozen=True)
class PackListing:
    """A listing in the pack: shortlisted (with its brokerage state) or suggested (with reasons)."""

    listing_id: int
    title: str
    summary: str
    cost: str
    #: None when the listing is no longer in the directory: no contact is printed.
    contact: Contact | None
    #: The brokerage state's label for a shortlisted listing ("Agreed"); "" for a suggestion.
    state: str = ""
    state_slug: str = ""
    reasons: tuple[str, ...] = ()
    #: The SIP's declaration of an interest in the provider, made when shortlisting.
    interest_declared: str = ""

    @property
    def in_directory(self) -> bool:
        return self.contact is not None


@dataclass(frozen=True)
class PackPriority:
    number: int
    priority: Priority
    area: str
    ecm_outcomes: tuple[str, ...]
    pupil_groups: tuple[str, ...]
    #: The RAG rating in words ("Amber"), and what it means: never colour alone.
    rag: str
    rag_meaning: str
    shortlisted: list[PackListing] = field(default_factory=list)
    suggested: list[PackListing] = field(default_factory=list)


def priority_labels(priority: Priority) -> dict[str, Any]:
    """Return a priority's area, outcomes and pupil groups as labels, and its RAG rating in
    words with what it means (never colour alone): the fields a printed priority shows."""
    rag = taxonomy.RAG_RATINGS.get(priority.rag)
    return {
        "area": taxonomy.CATEGORIES.label_of(priority.category),
        "ecm_outcomes": tuple(taxonomy.ECM_OUTCOMES.label_of(s) for s in priority.ecm_outcomes),
        "pupil_groups": tuple(taxonomy.PUPIL_GROUPS.label_of(s) for s in priority.pupil_groups),
        "rag": rag.label if rag else priority.rag,
        "rag_meaning": rag.hint if rag else "",
    }


@dataclass(frozen=True)
class VisitPack:
    school: School
    la_name: str
    la_code: str
    phase: str
    sip_names: tuple[str, ...]
    #: The visit that agreed the current priorities (None: no priorities yet).
    visited_on: date | None
    produced_at: datetime
    priorities: list[PackPriority]

    @property
    def listing_count(self) -> int:
        return sum(len(p.shortlisted) + len(p.suggested) for p in self.priorities)


def web_address(site_url: str, code: str) -> str:
    """Return the listing's short address: SITE/l/CODE (or /l/CODE without a site address)."""
    return f"{site_url.rstrip('/')}/l/{code}"


def _contact(listing: Listing, provider: Provider, site_url: str) -> Contact:
    return Contact(
        provider_name=provider.name,
        contact_name=(listing.contact_name or "").strip(),
        phone=(listing.contact_phone or provider.phone or "").strip(),
        email=(listing.contact_email or provider.email or "").strip(),
        website=(provider.website or "").strip(),
        code=listing.code,
        web_address=web_address(site_url, listing.code),
    )


def _item(
    listing: Listing,
    provider: Provider,
    site_url: str,
    public: bool,
    *,
    state: str = "",
    reasons: tuple[str, ...] = (),
    interest_declared: str | None = None,
) -> PackListing:
    return PackListing(
        listing_id=int(listing.id or 0),
        title=listing.title,
        summary=listing.summary,
        cost=taxonomy.COSTS.label_of(listing.cost),
        contact=_contact(listing, provider, site_url) if public else None,
        state=taxonomy.BROKERAGE_STATES.label_of(state) if state else "",
        state_slug=state,
        reasons=reasons,
        interest_declared=interest_declared or "",
    )


def prepare(
    session: Session,
    engine: Any,
    school: School,
    site_url: str,
    *,
    suggestions: int = SUGGESTIONS_PER_PRIORITY,
    now: datetime | None = None,
) -> VisitPack:
    """Gather the visit pack of `school` (the caller has checked the reader may see it)."""
    now = now or utcnow()
    school_id = int(school.id or 0)
    current = caseload.current_priorities(session, school_id)
    visit = session.get(SchoolVisit, current[0].visit_id) if current else None
    la = session.get(LocalAuthority, school.la_id)

    shortlists = {int(p.id or 0): brokerage.for_priority(session, int(p.id or 0)) for p in current}
    providers = {row.provider.id for rows in shortlists.values() for row in rows}
    counts = recommendation_counts(session, {int(i or 0) for i in providers})

    out: list[PackPriority] = []
    for number, priority in enumerate(current, start=1):
        rows = shortlists[int(priority.id or 0)]
        shortlisted = [
            _item(
                row.listing,
                row.provider,
                site_url,
                row.listing.is_public(now, counts.get(int(row.provider.id or 0), 0)),
                state=row.brokerage.state,
                interest_declared=row.brokerage.interest_declared,
            )
            for row in rows
        ]
        on_list = {item.listing_id for item in shortlisted}
        suggested: list[PackListing] = []
        if suggestions > 0:
            # Ask for enough that the shortlist's own listings can be left out.
            found = brokerage.suggestions(
                session, engine, school, priority, limit=suggestions + len(on_list)
            )
            for s in found:
                if int(s.listing.id or 0) in on_list:
                    continue
                suggested.append(
                    _item(s.listing, s.provider, site_url, True, reasons=tuple(s.reasons))
                )
                if len(suggested) >= suggestions:
                    break
        out.append(
            PackPriority(
                number=number,
                priority=priority,
                **priority_labels(priority),
                shortlisted=shortlisted,
                suggested=suggested,
            )
        )
    return VisitPack(
        school=school,
        la_name=la.name if la else "",
        la_code=la.code if la else "",
        phase=taxonomy.PHASES.label_of(school.phase) if school.phase else "",
        sip_names=tuple(u.name for u in schools.assigned_sips(session, school_id)),
        visited_on=visit.visited_on if visit else None,
        produced_at=now,
        priorities=out,
    )


def filename(pack: VisitPack, today: date) -> str:
    """Return the PDF's file name: visit-pack-URN-DATE.pdf (URNs are digits; anything else goes)."""
    urn = "".join(ch for ch in pack.school.urn if ch.isalnum())[:12] or "school"
    return f"visit-pack-{urn}-{today.isoformat()}.pdf"
