"""`broker init-db` loads England's current local authorities from the shipped reference list."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlmodel import Session, select

from broker import db
from broker.models import LocalAuthority
from broker.reference import services as reference
from broker.taxonomy import REGIONS
from tests import factories

REORGANISED = {
    "838": "Dorset",
    "839": "Bournemouth, Christchurch and Poole",
    "940": "North Northamptonshire",
    "941": "West Northamptonshire",
    "942": "Cumberland",
    "943": "Westmorland and Furness",
}
RETIRED = {"835", "836", "837", "909", "928"}


def init_db(app: Flask):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    return result


def las(session: Session) -> dict[str, LocalAuthority]:
    session.expire_all()
    return {la.code: la for la in session.exec(select(LocalAuthority))}


def test_the_reference_list_is_englands_current_las_in_nine_regions() -> None:
    rows = reference.reference_local_authorities()
    codes = {row.code: row for row in rows}
    assert len(rows) == len(codes) == 153
    assert {row.region for row in rows} == set(REGIONS.slugs)
    assert {code: codes[code].name for code in REORGANISED} == REORGANISED
    assert not RETIRED & set(codes)
    assert set(reference.retired_codes()) == RETIRED
    assert sum(row.region == "london" for row in rows) == 33
    assert all(len(code) == 3 and code.isdigit() for code in codes)


def test_init_db_loads_every_current_la_into_an_empty_database(
    any_app: Flask, any_session: Session
) -> None:
    result = init_db(any_app)
    assert "153 added, 0 updated, 0 unchanged" in result.output
    found = las(any_session)
    assert len(found) == 153
    assert found["942"].name == "Cumberland" and found["942"].region == "north-west"
    assert found["839"].region == "south-west"
    assert not RETIRED & set(found)


def test_init_db_twice_changes_nothing(any_app: Flask, any_session: Session) -> None:
    init_db(any_app)
    before = {code: (la.id, la.name, la.region) for code, la in las(any_session).items()}
    result = init_db(any_app)
    assert "0 added, 0 updated, 153 unchanged" in result.output
    assert {code: (la.id, la.name, la.region) for code, la in las(any_session).items()} == before


def test_init_db_updates_names_and_regions_by_code_and_keeps_the_las_own_settings(
    any_app: Flask, any_session: Session
) -> None:
    la = factories.local_authority(
        any_session, code="941", name="Northants West", region="london", fatigue_threshold=9
    )
    other = factories.local_authority(any_session, code="123", name="Not in the list")
    any_session.commit()
    result = init_db(any_app)
    assert "152 added, 1 updated" in result.output
    found = las(any_session)
    assert found["941"].id == la.id
    assert (found["941"].name, found["941"].region) == ("West Northamptonshire", "east-midlands")
    assert found["941"].fatigue_threshold == 9
    assert found["123"].id == other.id  # an LA the list does not know is the operator's own


def test_a_retired_la_is_removed_only_when_nothing_refers_to_it(
    any_app: Flask, any_session: Session
) -> None:
    unused = factories.local_authority(any_session, code="928", name="Northamptonshire")
    cumbria = factories.local_authority(any_session, code="909", name="Cumbria")
    factories.school(any_session, cumbria, urn="112233")
    poole = factories.local_authority(any_session, code="836", name="Poole")
    factories.listing(any_session, national=False, local_authorities=["836"])
    any_session.commit()
    assert unused.id and poole.id
    result = init_db(any_app)
    assert "Retired LAs removed (nothing referred to them): 928 Northamptonshire." in result.output
    assert "909 Cumbria (Cumbria (until 2023)): 1 school row(s)" in result.output
    assert "836 Poole (Poole (until 2019)): 1 listing row(s) naming its code" in result.output
    found = las(any_session)
    assert "928" not in found and {"909", "836"} <= set(found)


def test_init_db_on_an_unreachable_database_is_a_message_not_a_traceback(
    app: Flask, tmp_path: Path
) -> None:
    db.dispose(app)
    app.config["DATABASE_URL"] = f"sqlite:///{tmp_path}/no/such/dir/x.sqlite"
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1
    assert "The database could not be reached" in result.output
    assert "Traceback" not in result.output
