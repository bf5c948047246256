"""Any write through the ORM to what a document reads reaches the index; any other write logs nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, select

from broker import db
from broker.models import (
    IndexChange,
    Listing,
    LocalAuthority,
    Provider,
    Recommendation,
    School,
    utcnow,
)
from broker.search import capture, sync
from broker.search.engine import get_search
from broker.taxonomy import (
    CATEGORIES,
    COSTS,
    DELIVERY,
    ECM_OUTCOMES,
    PHASES,
    PROVIDER_KINDS,
    PUPIL_GROUPS,
    REGIONS,
    SEN_SPECIALISMS,
)
from tests import factories as f

#: An LA the listing names before it is in the database (the LA facet leaves it out till then).
UNKNOWN_LA = "QQ1"


@dataclass
class Scene:
    """An assured listing named after an LA, its provider backed by three schools, and another
    assured provider; committed and indexed."""

    listing: Listing
    provider: Provider
    recs: list[Recommendation]
    la: LocalAuthority
    other: Provider


@pytest.fixture
def scene_session(any_app: Flask) -> Iterator[Session]:
    with db.new_session(any_app) as s:
        yield s


@pytest.fixture
def scene(scene_session: Session) -> Scene:
    s = scene_session
    la = f.local_authority(s, region="london")
    provider = f.assured_provider(s, listings=0)
    recs = [*provider.recommendations, f.recommendation(s, provider)]
    listing = f.listing(s, provider, national=False, local_authorities=[la.code, UNKNOWN_LA])
    other = f.assured_provider(s, listings=0)
    s.commit()
    return Scene(listing, provider, recs, la, other)


def _fingerprints(app: Flask) -> dict[int, str]:
    return get_search(app).backend.fingerprints()


def _other(vocabulary: tuple[str, ...], current: object) -> str:
    taken = current if isinstance(current, list | tuple) else [current]
    return next(slug for slug in vocabulary if slug not in taken)


Change = Callable[[Session, Scene], None]


def _set(model: str, name: str, value: Callable[[object], object]) -> Change:
    def change(s: Session, scene: Scene) -> None:
        row = {"listing": scene.listing, "provider": scene.provider, "la": scene.la}.get(
            model, scene.recs[0]
        )
        setattr(row, name, value(getattr(row, name)))
        s.add(row)

    return change


def _add_listing(s: Session, scene: Scene) -> None:
    s.add(
        Listing(
            provider_id=scene.provider.id,
            code="NEW01",
            title="Reading recovery",
            summary="One to one.",
            cost="free",
            national=True,
            status="assured",
            assured_at=utcnow(),
        )
    )


def _add_recommendation(s: Session, scene: Scene) -> None:
    s.add(
        Recommendation(
            provider_id=scene.provider.id,
            school_id=f.school(s).id,
            recommender_name="A. Head",
            service_title="Coaching",
            impact="Reading improved across the school.",
            made_on=date.today(),
        )
    )


def _add_named_la(s: Session, scene: Scene) -> None:
    s.add(LocalAuthority(code=UNKNOWN_LA, name="New Borough", region="north-west"))


def _delete_named_la(s: Session, scene: Scene) -> None:
    s.delete(scene.la)


#: Every column a document reads (broker.search.documents.SOURCES), and rows added and removed.
CHANGES: dict[str, Change] = {
    "listing.title": _set("listing", "title", lambda v: "Phonics catch-up"),
    "listing.summary": _set("listing", "summary", lambda v: "Small groups."),
    "listing.description": _set("listing", "description", lambda v: "Weekly sessions."),
    "listing.code": _set("listing", "code", lambda v: "ZZZ99"),
    "listing.categories": _set("listing", "categories", lambda v: [_other(CATEGORIES.slugs, v)]),
    "listing.ecm_outcomes": _set(
        "listing", "ecm_outcomes", lambda v: [_other(ECM_OUTCOMES.slugs, v)]
    ),
    "listing.phases": _set("listing", "phases", lambda v: [_other(PHASES.slugs, v)]),
    "listing.sen_specialisms": _set(
        "listing", "sen_specialisms", lambda v: [_other(SEN_SPECIALISMS.slugs, v)]
    ),
    "listing.pupil_groups": _set(
        "listing", "pupil_groups", lambda v: [_other(PUPIL_GROUPS.slugs, v)]
    ),
    "listing.delivery": _set("listing", "delivery", lambda v: [_other(DELIVERY.slugs, v)]),
    "listing.cost": _set("listing", "cost", lambda v: _other(COSTS.slugs, v)),
    "listing.national": _set("listing", "national", lambda v: not v),
    "listing.regions": _set("listing", "regions", lambda v: [_other(REGIONS.slugs, ["london"])]),
    "listing.local_authorities": _set("listing", "local_authorities", lambda v: []),
    "listing.status": _set("listing", "status", lambda v: "suspended"),
    "listing.assured_at": _set("listing", "assured_at", lambda v: utcnow() - timedelta(days=3)),
    "listing.assurance_expires_at": _set(
        "listing", "assurance_expires_at", lambda v: utcnow() + timedelta(days=100)
    ),
    "listing.provider_id": lambda s, scene: setattr(scene.listing, "provider_id", scene.other.id),
    "listing.provider (relationship)": lambda s, scene: setattr(
        scene.listing, "provider", scene.other
    ),
    "listing inserted": _add_listing,
    "listing deleted": lambda s, scene: s.delete(scene.listing),
    "provider.name": _set("provider", "name", lambda v: "Renamed Ltd"),
    "provider.kind": _set("provider", "kind", lambda v: _other(PROVIDER_KINDS.slugs, v)),
    # A recommendation from the provider's own school does not count.
    "provider.school_id": lambda s, scene: setattr(
        scene.provider, "school_id", scene.recs[0].school_id
    ),
    "provider.capacity_days": _set("provider", "capacity_days", lambda v: 12),
    "provider.not_taking_until": _set(
        "provider", "not_taking_until", lambda v: date.today() + timedelta(days=30)
    ),
    "recommendation.status": _set("rec", "status", lambda v: "withdrawn"),
    "recommendation.withdrawn_at": _set("rec", "withdrawn_at", lambda v: utcnow()),
    "recommendation.made_on": _set("rec", "made_on", lambda v: date.today() - timedelta(days=4000)),
    "recommendation inserted": _add_recommendation,
    "recommendation deleted": lambda s, scene: s.delete(scene.recs[0]),
    "local_authority.region": _set("la", "region", lambda v: "north-east"),
    "local_authority.code": _set("la", "code", lambda v: "QQ2"),
    "local_authority inserted": _add_named_la,
    "local_authority deleted": _delete_named_la,
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_change_through_the_orm_reaches_the_index_on_commit(
    any_app: Flask, scene_session: Session, scene: Scene, name: str
) -> None:
    s = scene_session
    before = _fingerprints(any_app)
    assert scene.listing.id in before
    CHANGES[name](s, scene)
    s.commit()  # no sync by hand: the commit applies what the flush logged
    after = _fingerprints(any_app)
    assert after != before
    assert sync.check(s, get_search(any_app).backend) == []


def test_every_column_a_document_reads_is_changed_by_a_test() -> None:
    from broker.search.documents import SOURCES

    tables = {Listing: "listing", Provider: "provider", Recommendation: "recommendation"}
    tables[LocalAuthority] = "local_authority"
    for model, columns in SOURCES.items():
        for column in columns - {"id"}:
            assert (
                f"{tables[model]}.{column}" in CHANGES
                or model is Recommendation
                and (
                    column in ("school_id", "provider_id")  # the database refuses moving one
                )
            ), column


def _remind(s: Session, scene: Scene) -> None:
    s.execute(
        sa.update(Listing)
        .where(Listing.id == scene.listing.id)
        .values(renewal_reminder_sent_at=utcnow())
    )


#: Columns no document reads, in the tables documents are built from and beside them.
QUIET: dict[str, Change] = {
    "listing.price_note": _set("listing", "price_note", lambda v: "£300 a day"),
    "listing.contact_email": _set("listing", "contact_email", lambda v: "new@example.org"),
    "listing.review_requested_at": _set("listing", "review_requested_at", lambda v: utcnow()),
    "listing.renewal_reminder_sent_at": _set(
        "listing", "renewal_reminder_sent_at", lambda v: utcnow()
    ),
    "listing.updated_at": _set("listing", "updated_at", lambda v: utcnow()),
    "listing.title (unchanged)": _set("listing", "title", lambda v: v),
    "provider.website": _set("provider", "website", lambda v: "https://example.org"),
    "provider.updated_at": _set("provider", "updated_at", lambda v: utcnow()),
    "recommendation.impact": _set("rec", "impact", lambda v: "Even better results."),
    "local_authority.name": _set("la", "name", lambda v: "Renamed Borough"),
    "school.name": lambda s, scene: setattr(
        s.get(School, scene.recs[0].school_id), "name", "Renamed School"
    ),
    "bulk update of a reminder": lambda s, scene: _remind(s, scene),
}


@pytest.mark.parametrize("name", list(QUIET))
def test_a_change_no_document_reads_writes_no_change_row(
    any_app: Flask, scene_session: Session, scene: Scene, name: str
) -> None:
    s = scene_session
    seq = sync.latest_seq(s)
    QUIET[name](s, scene)
    s.commit()
    assert sync.latest_seq(s) == seq


def test_a_bulk_update_of_a_searchable_column_reaches_the_index(
    any_app: Flask, scene_session: Session, scene: Scene
) -> None:
    s = scene_session
    seq = sync.latest_seq(s)
    s.execute(sa.update(Provider).where(Provider.id == scene.provider.id).values(name="Bulk Ltd"))
    s.commit()
    assert sync.check(s, get_search(any_app).backend) == []
    assert scene.listing.id in sync.changed_since(s, seq)


def test_a_bulk_insert_of_listings_must_say_who_logs_it(
    any_app: Flask, scene_session: Session, scene: Scene
) -> None:
    table = Listing.__table__  # type: ignore[attr-defined]
    row = {c.name: getattr(scene.listing, c.name) for c in table.columns if c.name != "id"}
    with pytest.raises(capture.UncapturedWrite):
        scene_session.execute(sa.insert(table).values({**row, "code": "BULK1"}))


def test_a_change_logged_in_a_rolled_back_savepoint_is_logged_again(
    any_app: Flask, scene_session: Session, scene: Scene
) -> None:
    s = scene_session
    savepoint = s.begin_nested()
    scene.listing.title = "Dropped"
    s.flush()
    savepoint.rollback()
    seq = sync.latest_seq(s)
    scene.listing.title = "Kept"
    s.flush()
    logged = s.exec(select(IndexChange.listing_id).where(IndexChange.seq > seq)).all()
    assert logged == [scene.listing.id]
    s.commit()
    assert sync.check(s, get_search(any_app).backend) == []


def test_each_listing_is_logged_once_per_transaction(
    any_app: Flask, scene_session: Session, scene: Scene
) -> None:
    s = scene_session
    seq = sync.latest_seq(s)
    scene.listing.title = "First"
    s.flush()
    scene.provider.name = "Second"
    s.flush()
    logged = s.exec(select(IndexChange.listing_id).where(IndexChange.seq > seq)).all()
    assert logged == [scene.listing.id]


def test_deleting_a_row_loaded_before_the_last_commit_is_logged(
    any_app: Flask, scene_session: Session, scene: Scene
) -> None:
    s = scene_session
    seq = sync.latest_seq(s)
    s.expire_all()  # as after a commit that expires what it loaded
    s.delete(scene.recs[0])
    s.commit()
    assert sync.check(s, get_search(any_app).backend) == []
    assert scene.listing.id in sync.changed_since(s, seq)
