"""Build index Documents from the database: the one place a listing is flattened for search."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from broker.evidence import recommendation_counts
from broker.models import Listing, LocalAuthority, Provider, utcnow
from broker.taxonomy import REGIONS
from index.documents import Document

#: Delivery modes that work wherever the school is.
ANYWHERE_DELIVERY = frozenset({"online-remote", "downloadable-resource"})


@dataclass(frozen=True)
class Geography:
    """Every LA code with its region, to expand where a listing works into the "serves" relation."""

    la_regions: dict[str, str]

    @classmethod
    def load(cls, session: Session) -> Geography:
        rows = session.exec(select(LocalAuthority.code, LocalAuthority.region)).all()
        return cls({code: region for code, region in rows})

    def serves(self, listing: Listing) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return (regions, LA codes) where `listing` is available."""
        if listing.national or ANYWHERE_DELIVERY & set(listing.delivery):
            return REGIONS.slugs, tuple(sorted(self.la_regions))
        las = set(listing.local_authorities) & set(self.la_regions)
        regions = set(listing.regions)
        las |= {code for code, region in self.la_regions.items() if region in regions}
        regions |= {self.la_regions[code] for code in las}
        ordered_regions = tuple(r for r in REGIONS.slugs if r in regions)
        return ordered_regions, tuple(sorted(las))


def is_searchable(listing: Listing, recommendations: int, now: datetime | None = None) -> bool:
    """Say whether a listing belongs in the public index: assured, in date, two schools behind it."""
    from broker.taxonomy import SCHOOLS_NEEDED

    return listing.is_public(now) and recommendations >= SCHOOLS_NEEDED


def to_document(
    listing: Listing, provider: Provider, recommendations: int, geography: Geography
) -> Document:
    regions, las = geography.serves(listing)
    return Document(
        id=int(listing.id or 0),
        title=listing.title,
        summary=listing.summary,
        description=listing.description,
        provider_id=int(provider.id or 0),
        provider_name=provider.name,
        categories=tuple(listing.categories),
        ecm=tuple(listing.ecm_outcomes),
        phase=tuple(listing.phases),
        sen=tuple(listing.sen_specialisms),
        pupil_group=tuple(listing.pupil_groups),
        kind=(provider.kind,),
        delivery=tuple(listing.delivery),
        cost=(listing.cost,),
        regions=regions,
        local_authorities=las,
        recommendations=recommendations,
        assured_at=listing.assured_at,
    )


def documents_for(session: Session, listing_ids: Iterable[int]) -> tuple[list[Document], list[int]]:
    """Return (documents to upsert, ids to delete) for the given listing ids."""
    ids = sorted(set(listing_ids))
    if not ids:
        return [], []
    geography = Geography.load(session)
    now = utcnow()
    upserts: list[Document] = []
    found: set[int] = set()
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        rows = session.exec(
            select(Listing, Provider)
            .join(Provider, col(Provider.id) == Listing.provider_id)
            .where(col(Listing.id).in_(chunk))
        ).all()
        counts = recommendation_counts(session, {p.id for _, p in rows if p.id is not None})
        for listing, provider in rows:
            n = counts.get(int(provider.id or 0), 0)
            if is_searchable(listing, n, now):
                upserts.append(to_document(listing, provider, n, geography))
                found.add(int(listing.id or 0))
    return upserts, [i for i in ids if i not in found]


def all_documents(session: Session, batch: int = 2000) -> Iterator[Document]:
    """Yield a Document for every searchable listing (for rebuilds and checks)."""
    geography = Geography.load(session)
    now = utcnow()
    counts = recommendation_counts(session)
    last_id = 0
    while True:
        rows = session.exec(
            select(Listing, Provider)
            .join(Provider, col(Provider.id) == Listing.provider_id)
            .where(Listing.status == "assured", col(Listing.id) > last_id)
            .order_by(col(Listing.id))
            .limit(batch)
        ).all()
        if not rows:
            return
        for listing, provider in rows:
            n = counts.get(int(provider.id or 0), 0)
            if is_searchable(listing, n, now):
                yield to_document(listing, provider, n, geography)
        last_id = int(rows[-1][0].id or 0)
        session.expunge_all()
