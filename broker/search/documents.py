"""Build index Documents from the database: the one place a listing is flattened for search.

The index holds the public listings (broker.models.is_public) and, for each, when it stops being
public by itself (`public_until`), so a search as of now never shows one that has run out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from broker import availability
from broker.evidence import recommendation_evidence
from broker.geography import Geography
from broker.models import Listing, LocalAuthority, Provider, Recommendation, utcnow
from index.documents import Document

#: Every column a document reads, by table: a write to one changes documents (see capture.py).
#: A listing's own columns, its provider's, the two-school evidence (broker.evidence, which also
#: compares a provider's own school) and the LAs that place it (broker.geography).
SOURCES: dict[type, frozenset[str]] = {
    Listing: frozenset(
        {
            "id",
            "provider_id",
            "code",
            "title",
            "summary",
            "description",
            "categories",
            "ecm_outcomes",
            "phases",
            "sen_specialisms",
            "pupil_groups",
            "delivery",
            "cost",
            "national",
            "regions",
            "local_authorities",
            "status",
            "assured_at",
            "assurance_expires_at",
        }
    ),
    Provider: frozenset({"id", "name", "kind", "school_id", "capacity_days", "not_taking_until"}),
    Recommendation: frozenset({"provider_id", "school_id", "status", "withdrawn_at", "made_on"}),
    LocalAuthority: frozenset({"code", "region"}),
}

#: A provider's recommending schools and when the two-school rule stops holding by itself.
Evidence = tuple[int, datetime | None]
NO_EVIDENCE: Evidence = (0, None)


def public_until(listing: Listing, evidence: Evidence) -> datetime | None:
    """Return when a public listing stops being public by itself (None: not by itself)."""
    ends = [t for t in (listing.assurance_expires_at, evidence[1]) if t is not None]
    ends = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in ends]
    return min(ends) if ends else None


def to_document(
    listing: Listing, provider: Provider, evidence: Evidence, geography: Geography
) -> Document:
    regions, las = geography.index_values(listing)
    recommendations = evidence[0]
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
        code=listing.code or "",
        public_until=public_until(listing, evidence),
        not_taking_until=availability.moment_of(provider.not_taking_until),
        capacity_days=provider.capacity_days,
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
        evidence = recommendation_evidence(session, {p.id for _, p in rows if p.id is not None})
        for listing, provider in rows:
            proof = evidence.get(int(provider.id or 0), NO_EVIDENCE)
            if listing.is_public(now, proof[0]):
                upserts.append(to_document(listing, provider, proof, geography))
                found.add(int(listing.id or 0))
    return upserts, [i for i in ids if i not in found]


def all_documents(session: Session, batch: int = 2000) -> Iterator[Document]:
    """Yield a Document for every searchable listing (for rebuilds and checks)."""
    geography = Geography.load(session)
    now = utcnow()
    evidence = recommendation_evidence(session)
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
            found = evidence.get(int(provider.id or 0), NO_EVIDENCE)
            if listing.is_public(now, found[0]):
                yield to_document(listing, provider, found, geography)
        last_id = int(rows[-1][0].id or 0)
        session.expunge_all()
