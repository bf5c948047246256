"""Every search needs the LAs' names (the LA facet): a process keeps them for a while, and
forgets them as soon as it commits a change to them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session

from broker import db
from broker.search import services
from tests import factories as f


def names(session: Session) -> dict[str, str]:
    return {t.slug: t.label for t in services.facet_vocabularies(session)["la"].terms}


def test_a_committed_change_is_seen_at_once_and_a_rolled_back_one_never(
    app: Flask, session: Session
) -> None:
    la = f.local_authority(session, name="Northshire")
    session.commit()
    assert names(session)[la.code] == "Northshire"  # now kept
    la.name = "North Shire"
    session.add(la)
    session.flush()
    # This transaction reads its own change, and does not keep it for others...
    assert names(session)[la.code] == "North Shire"
    with db.new_session(app) as other:
        assert names(other)[la.code] == "Northshire"
    session.rollback()
    # ...which is as well: it never happened.
    assert names(session)[la.code] == "Northshire"
    la = session.get(type(la), la.code) or la
    la.name = "Northern Shire"
    session.add(la)
    session.commit()
    with db.new_session(app) as other:
        assert names(other)[la.code] == "Northern Shire"


def test_a_change_made_elsewhere_is_seen_within_the_cache_time(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    la = f.local_authority(session, name="Eastshire")
    session.commit()
    assert names(session)[la.code] == "Eastshire"
    # Another process (here: SQL with no ORM session of this process) renames it.
    with db.get_engine(app).begin() as connection:
        connection.execute(
            sa.text("UPDATE local_authority SET name = 'East Shire' WHERE code = :code"),
            {"code": la.code},
        )
    assert names(session)[la.code] == "Eastshire"  # kept...
    monkeypatch.setattr(services, "LA_CACHE_SECONDS", 0.0)
    assert names(session)[la.code] == "East Shire"  # ...for LA_CACHE_SECONDS at most
