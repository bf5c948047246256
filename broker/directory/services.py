"""The public directory's questions: what is published, one page of it, one listing in full.

Every function takes a Session and returns values; none reads the request. "Public" means
assured, in date and two schools behind the provider (broker.models.is_public); the queries here
use its SQL twin (broker.evidence.public_clause), so the listing page, the API and search agree;
the home page's figures, over the whole directory, use the same rule grouped by provider
(broker.evidence.well_recommended_providers), which tests/test_pages.py holds to the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import availability
from broker.evidence import public_clause, valid_recommendation_clause, well_recommended_providers
from broker.models import (
    Listing,
    LocalAuthority,
    Provider,
    Recommendation,
    School,
    assured_in_date_clause,
    utcnow,
)
from broker.search.sync import latest_seq


@dataclass(frozen=True)
class ValidRecommendation:
    """A recommendation that counts: confirmed, not withdrawn, within the validity period."""

    school_id: int
    school_name: str
    recommender_name: str
    service_title: str
    impact: str
    made_on: date


@dataclass(frozen=True)
class ListingDetail:
    """Everything the listing page shows."""

    listing: Listing
    provider: Provider
    recommendations: list[ValidRecommendation]
    local_authorities: list[LocalAuthority] = field(default_factory=list)

    @property
    def recommending_schools(self) -> int:
        return len({r.school_id for r in self.recommendations})

    @property
    def capacity(self) -> availability.Capacity:
        """What the provider last said of its capacity."""
        return availability.of(self.provider)

    @property
    def capacity_note(self) -> str:
        """Return the provider's capacity in words, as of today ("" when it said nothing)."""
        return self.capacity.describe(availability.today())


@dataclass(frozen=True)
class DirectoryFigures:
    listings: int
    providers: int


def figures(session: Session, now: datetime | None = None) -> DirectoryFigures:
    """Count the public listings and the providers that have at least one."""
    now = now or utcnow()
    # public_clause, with the two-school rule answered for every provider at once.
    listings, providers = session.exec(
        select(
            sa.func.count(col(Listing.id)), sa.func.count(sa.distinct(col(Listing.provider_id)))
        ).where(
            assured_in_date_clause(now),
            col(Listing.provider_id).in_(well_recommended_providers(now.date())),
        )
    ).one()
    return DirectoryFigures(listings=listings, providers=providers)


class FiguresCache:
    """The home page's figures, kept between requests and counted again only when they may have
    changed, and then at most every `fresh_for`.

    Counting reads every listing and recommendation (0.2 s at 100,000 listings, per server
    process). They may have changed when the index's change log moved on (it logs every change
    a listing's public state reads: broker.search.capture) or a minute turned (assurances and
    recommendations run out by themselves). Under many changes a second (the national case) the
    figures shown are at most `fresh_for` old: they say roughly how big the directory is.
    """

    def __init__(self, fresh_for: timedelta = timedelta(seconds=30)) -> None:
        self.fresh_for = fresh_for
        self._kept: tuple[datetime, tuple[int, datetime], DirectoryFigures] | None = None

    def get(self, session: Session, now: datetime | None = None) -> DirectoryFigures:
        now = now or utcnow()
        kept = self._kept
        if kept is not None and kept[0] <= now < kept[0] + self.fresh_for:
            return kept[2]
        key = (latest_seq(session), now.replace(second=0, microsecond=0))
        if kept is not None and kept[1] == key:
            return kept[2]
        found = figures(session, now)
        self._kept = (now, key, found)
        return found


def listing_detail(
    session: Session, listing_id: int, now: datetime | None = None
) -> ListingDetail | None:
    """Return a public listing with its provider and valid recommendations, or None."""
    row = session.exec(
        select(Listing, Provider)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(Listing.id == listing_id, public_clause(now or utcnow()))
    ).first()
    if row is None:
        return None
    item, provider = row
    recommendations = session.exec(
        select(Recommendation, School.name)
        .join(School, col(School.id) == col(Recommendation.school_id))
        .where(Recommendation.provider_id == provider.id, valid_recommendation_clause())
        .order_by(col(Recommendation.made_on).desc(), col(Recommendation.id).desc())
    ).all()
    las: list[LocalAuthority] = []
    if item.local_authorities:
        las = list(
            session.exec(
                select(LocalAuthority)
                .where(col(LocalAuthority.code).in_(item.local_authorities))
                .order_by(col(LocalAuthority.name))
            ).all()
        )
    return ListingDetail(
        listing=item,
        provider=provider,
        recommendations=[
            ValidRecommendation(
                school_id=rec.school_id,
                school_name=school_name,
                recommender_name=rec.recommender_name,
                service_title=rec.service_title,
                impact=rec.impact,
                made_on=rec.made_on,
            )
            for rec, school_name in recommendations
        ],
        local_authorities=las,
    )


def public_listing_id_for_code(
    session: Session, code: str, now: datetime | None = None
) -> int | None:
    """Return the id of the public listing with this short code (any case), or None."""
    code = code.strip()
    if not code or len(code) > 12:
        return None
    public = public_clause(now or utcnow())
    found = session.exec(select(Listing.id).where(Listing.code == code, public)).first()
    if found is None:
        found = session.exec(
            select(Listing.id).where(sa.func.upper(Listing.code) == code.upper(), public)
        ).first()
    return found
