"""The rows of the downloads: a search's results, and one priority's shortlist.

Every cell goes through broker.spreadsheet (formula-safe). A shortlist is confidential to the
school's circle (the views check who asks); of a shortlisted listing that is no longer public
(broker.models.is_public with its evidence) it gives the title and the school's own record only,
never its contact details, as the visit pack does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session

from broker import taxonomy
from broker.brokerage import services as brokerage
from broker.evidence import recommendation_counts
from broker.models import Priority, School, utcnow
from broker.search import services as search
from broker.search.engine import SearchEngine
from broker.spreadsheet import filename_part

#: The most results one CSV download holds (pages of the largest size the index answers).
MAX_SEARCH_ROWS = 1000

SEARCH_HEADER = [
    "Code",
    "Listing",
    "Provider",
    "Kind of provider",
    "Areas of support",
    "Phases",
    "Cost",
    "Schools recommending",
    "Summary",
    "Web address",
]

SHORTLIST_HEADER = [
    "Code",
    "Listing",
    "Provider",
    "In the directory",
    "Cost",
    "Price note",
    "Phases",
    "Areas of support",
    "Delivery",
    "Contact name",
    "Contact email",
    "Contact phone",
    "Website",
    "Web address",
    "Status",
    "Shortlisted on",
    "Why shortlisted",
    "Declined because",
    "Impact rating",
]


def _labels(slugs: list[str] | tuple[str, ...], vocabulary: taxonomy.Vocabulary) -> str:
    return ", ".join(vocabulary.label_of(s) for s in slugs)


def web_address(site_url: str, code: str) -> str:
    """Return a listing's short address, SITE/l/CODE."""
    return f"{site_url.rstrip('/')}/l/{code}"


def search_rows(
    session: Session,
    engine: SearchEngine,
    request: search.SearchRequest,
    vocabularies: search.Vocabularies,
    site_url: str,
    max_rows: int = MAX_SEARCH_ROWS,
) -> tuple[list[list[str]], int]:
    """Return the CSV rows (header first) of a search's results, in its order, and its total."""
    rows = [list(SEARCH_HEADER)]
    per_page = min(search.MAX_PER_PAGE, max_rows)
    page, total = 1, 0
    while len(rows) - 1 < max_rows:
        found = search.search(
            session, engine, replace(request, page=page, per_page=per_page), vocabularies
        )
        total = found.total
        for item in found.items:
            card = item.listing
            rows.append(
                [
                    card.code,
                    card.title,
                    item.provider.name,
                    taxonomy.PROVIDER_KINDS.label_of(item.provider.kind),
                    _labels(card.categories, taxonomy.CATEGORIES),
                    _labels(card.phases, taxonomy.PHASES),
                    taxonomy.COSTS.label_of(card.cost),
                    str(item.recommending_schools),
                    card.summary,
                    web_address(site_url, card.code),
                ]
            )
        if not found.items or page * per_page >= total:
            break
        page += 1
    return rows[: max_rows + 1], total


@dataclass(frozen=True)
class ShortlistEntry:
    """One shortlisted listing: what the school recorded, and its contacts while it is public."""

    view: brokerage.BrokerageView
    public: bool
    web_address: str

    @property
    def state(self) -> str:
        return taxonomy.BROKERAGE_STATES.label_of(self.view.brokerage.state)

    @property
    def contact_email(self) -> str:
        return (self.view.listing.contact_email or self.view.provider.email or "").strip()

    @property
    def contact_phone(self) -> str:
        return (self.view.listing.contact_phone or self.view.provider.phone or "").strip()


def shortlist(
    session: Session, priority: Priority, site_url: str, now: datetime | None = None
) -> list[ShortlistEntry]:
    """Return the priority's shortlist, each entry marked public or not as of `now`."""
    now = now or utcnow()
    views = brokerage.for_priority(session, int(priority.id or 0))
    counts = recommendation_counts(session, {int(v.provider.id or 0) for v in views}, now.date())
    return [
        ShortlistEntry(
            view=v,
            public=v.listing.is_public(now, counts.get(int(v.provider.id or 0), 0)),
            web_address=web_address(site_url, v.listing.code),
        )
        for v in views
    ]


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def shortlist_rows(entries: list[ShortlistEntry]) -> list[list[str]]:
    """Return the CSV rows (header first) of a shortlist."""
    rows = [list(SHORTLIST_HEADER)]
    for entry in entries:
        b, listing, provider = entry.view.brokerage, entry.view.listing, entry.view.provider
        public = entry.public
        rows.append(
            [
                listing.code,
                listing.title,
                provider.name,
                "Yes" if public else "No: lapsed, suspended or withdrawn",
                taxonomy.COSTS.label_of(listing.cost) if public else "",
                (listing.price_note or "") if public else "",
                _labels(listing.phases, taxonomy.PHASES) if public else "",
                _labels(listing.categories, taxonomy.CATEGORIES) if public else "",
                _labels(listing.delivery, taxonomy.DELIVERY) if public else "",
                (listing.contact_name or "") if public else "",
                entry.contact_email if public else "",
                entry.contact_phone if public else "",
                (provider.website or "") if public else "",
                entry.web_address if public else "",
                entry.state,
                _day(b.suggested_at),
                b.note,
                b.declined_reason or "",
                taxonomy.IMPACT_RATINGS.label_of(str(b.impact_rating)) if b.impact_rating else "",
            ]
        )
    return rows


def search_filename(request: search.SearchRequest, today: date) -> str:
    """Return the results download's name: directory-search-<words>-<date>.csv."""
    words = filename_part(request.text, "all")
    return f"directory-search-{words}-{today.isoformat()}.csv"


def shortlist_filename(school: School, priority: Priority, today: date) -> str:
    """Return the shortlist download's name: shortlist-<URN>-priority-<id>-<date>.csv."""
    urn = filename_part(school.urn, "school", 12)
    return f"shortlist-{urn}-priority-{priority.id}-{today.isoformat()}.csv"
