"""`json_has`: "this JSON list holds that string", the same answer on SQLite (a quoted LIKE)
and PostgreSQL (JSON containment, which a GIN index answers for a listing's LAs)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.geography import json_has
from broker.models import Listing
from tests import factories as f


def test_it_finds_exactly_the_listings_naming_a_value(any_session: Session) -> None:
    provider = f.provider(any_session)
    odd = ["E1_0%x", "E10"]  # LIKE's wildcards must be taken literally
    ids = {}
    for key, areas in {
        "a": ["E06000001", "E06000002"],
        "b": ["E06000002"],
        "c": odd,
        "d": [],
    }.items():
        ids[key] = f.listing(any_session, provider, local_authorities=areas).id
    any_session.commit()

    def having(value: str) -> set[str]:
        found = set(
            any_session.exec(
                select(Listing.id).where(json_has(Listing.local_authorities, value))
            ).all()
        )
        return {k for k, v in ids.items() if v in found}

    # The same statement, reused from SQLAlchemy's cache with each value in turn.
    assert having("E06000002") == {"a", "b"}
    assert having("E06000001") == {"a"}
    assert having("E1_0%x") == {"c"}
    assert having("E1a0ax") == set()
    assert having("E1") == set()  # a whole value, not a part
    assert having("E1_0") == set()
    assert having("E10") == {"c"}
    not_a = any_session.exec(
        select(sa.func.count())
        .select_from(Listing)
        .where(col(Listing.id).in_(ids.values()), ~json_has(Listing.local_authorities, "E10"))
    ).one()
    assert not_a == 3


def test_postgresql_answers_an_la_from_the_gin_index(any_session: Session) -> None:
    if any_session.get_bind().dialect.name != "postgresql":
        return  # SQLite has no such index: the LIKE reads every listing (one LA's few)
    query = select(Listing.id).where(json_has(Listing.local_authorities, "E06000002"))
    bind = any_session.get_bind()
    compiled = query.compile(bind, compile_kwargs={"literal_binds": True})
    connection = any_session.connection()
    connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: ask what it can use
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}").all())
    assert "ix_listing_local_authorities_gin" in plan
