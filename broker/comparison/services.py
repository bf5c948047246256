"""What the comparison page shows: up to four public listings, their evidence and outcomes.

Only public listings are compared (broker.directory.services.listing_detail applies the one
public rule, broker.evidence.public_clause): an id that names no public listing is reported as
not in the directory, whoever asks, so the page says nothing about drafts or suspensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from broker.directory.services import ListingDetail, listing_detail
from broker.errors import InvalidInput
from broker.evidence import brokerage_outcomes
from broker.models import utcnow
from broker.routing import parse_id

#: The most listings one comparison shows: four columns still fit a laptop's screen.
MAX_LISTINGS = 4
#: Ids read from one request at most (a longer list is refused without looking any up).
MAX_IDS_READ = 20


@dataclass(frozen=True)
class Outcomes:
    """Brokered work with its impact recorded: how many, and the mean rating (1 to 4)."""

    count: int = 0
    mean: float = 0.0


@dataclass(frozen=True)
class Column:
    """One listing in the comparison."""

    detail: ListingDetail
    outcomes: Outcomes


@dataclass(frozen=True)
class Comparison:
    columns: list[Column] = field(default_factory=list)
    #: Ids asked for that name no public listing (as typed, for the message).
    missing: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [int(c.detail.listing.id or 0) for c in self.columns]


def chosen_ids(raw: Sequence[str]) -> list[str]:
    """Return the distinct non-empty values of the `id` parameter, in the order given."""
    out: list[str] = []
    for value in raw:
        value = value.strip()
        if value and value not in out:
            out.append(value)
    return out


def check_count(ids: Sequence[str]) -> None:
    """Refuse more listings than one comparison shows, saying how many to take away."""
    if len(ids) > MAX_LISTINGS:
        extra = len(ids) - MAX_LISTINGS
        raise InvalidInput(
            "id",
            f"You can compare up to {MAX_LISTINGS} listings at a time. You chose {len(ids)}: "
            f"remove {extra} {'listing' if extra == 1 else 'listings'} to compare the rest.",
        )


def compare(session: Session, ids: Sequence[str], now: datetime | None = None) -> Comparison:
    """Return the public listings named by `ids` (at most MAX_IDS_READ looked up), in order."""
    now = now or utcnow()
    details: list[ListingDetail] = []
    missing: list[str] = []
    for raw in list(ids)[:MAX_IDS_READ]:
        listing_id = parse_id(raw)
        detail = listing_detail(session, listing_id, now) if listing_id is not None else None
        if detail is None:
            missing.append(raw[:20])
        else:
            details.append(detail)
    outcomes = brokerage_outcomes(session, [int(d.listing.id or 0) for d in details])
    columns = [
        Column(d, Outcomes(*outcomes.get(int(d.listing.id or 0), (0, 0.0)))) for d in details
    ]
    return Comparison(columns=columns, missing=missing)
