"""The index change log: append a row in the same transaction as any change to a searchable listing.

The log is append-only and never consumed: each index remembers the last `seq` it applied, so
several indexes (one per server machine) can follow it at their own pace.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from broker.models import IndexChange, Listing

#: Key in Session.info marking that this transaction logged index changes.
PENDING = "broker.index_pending"


def listings_changed(session: Session, listing_ids: Iterable[int]) -> None:
    """Log that these listings' searchable state may have changed."""
    ids = sorted({int(i) for i in listing_ids})
    if not ids:
        return
    session.add_all([IndexChange(listing_id=i) for i in ids])
    session.info[PENDING] = True


def provider_changed(session: Session, provider_id: int) -> None:
    """Log every listing of a provider (its name, kind or recommendations changed)."""
    session.flush()
    ids = session.exec(select(Listing.id).where(Listing.provider_id == provider_id)).all()
    listings_changed(session, [i for i in ids if i is not None])
