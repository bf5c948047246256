"""`broker seed`: the demo directory and the synthetic one, loaded idempotently."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

from broker import caseload, seeding
from broker.models import (
    AuditEvent,
    IndexChange,
    Listing,
    LocalAuthority,
    Provider,
    Recommendation,
    School,
    SipAssignment,
    User,
)
from tests import factories

TABLES = (
    LocalAuthority,
    School,
    Provider,
    Listing,
    Recommendation,
    User,
    SipAssignment,
    IndexChange,
    AuditEvent,
)


def counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        model.__tablename__: session.exec(select(sa.func.count()).select_from(model)).one()  # type: ignore[arg-type]
        for model in TABLES
    }


def seed(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["seed", *args])
    assert result.exit_code == 0, result.output
    return result


# --- the demo directory -----------------------------------------------------------------------


def test_seed_loads_the_demo_directory(any_app: Flask, any_session: Session) -> None:
    from providers_seed import reader

    analysed = factories.times_analysed(any_session, "listing")
    result = seed(any_app)
    assert "0 failed" in result.stdout
    # A bulk load ends by refreshing the planner's statistics (broker.db.refresh_statistics).
    assert factories.times_analysed(any_session, "listing") > analysed
    found = counts(any_session)
    assert found["provider"] > 150
    assert found["listing"] > 300
    assert found["school"] >= 60
    listings = any_session.exec(select(Listing)).all()
    statuses = {item.status for item in listings}
    assert {"assured", "submitted", "suspended", "lapsed"} <= statuses
    # Demo data is in date today: every assured listing is public.
    assert all(item.is_public() for item in listings if item.status == "assured")
    assert not any(item.is_public() for item in listings if item.status == "lapsed")
    # Every listing is in the index log, and every status set is audited.
    assert found["index_change"] == found["listing"]
    listing_events = any_session.exec(
        select(AuditEvent.entity_id).where(AuditEvent.entity_type == "listing")
    ).all()
    assert len(listing_events) == found["listing"]

    users = {u.email: u for u in any_session.exec(select(User))}
    password = reader.demo_password()
    for row in reader.load_users():
        user = users[row["email"].lower()]
        assert user.role == row["role"]
        assert user.password_hash != password
        assert check_password_hash(user.password_hash or "", password)
        assert user.email_confirmed_at is not None
        if row.get("provider_name"):
            assert user.provider_id is not None
        if row.get("school_urns"):
            assigned = any_session.exec(
                select(SipAssignment).where(SipAssignment.user_id == user.id)
            ).all()
            assert len(assigned) == len(row["school_urns"])
    assert {u.role for u in users.values()} == {
        "provider",
        "headteacher",
        "school_leader",
        "sip",
        "qa_officer",
        "admin",
    }
    # The demo deputy acts for their school: its head authorised them.
    deputy = next(u for u in users.values() if u.role == "school_leader")
    assert caseload.speaks_for_school(any_session, deputy, deputy.school_id)


def test_seeding_twice_changes_and_duplicates_nothing(any_app: Flask, any_session: Session) -> None:
    seed(any_app)
    before = counts(any_session)
    hashes = {u.email: u.password_hash for u in any_session.exec(select(User))}
    result = seed(any_app)
    assert counts(any_session) == before
    assert {u.email: u.password_hash for u in any_session.exec(select(User))} == hashes
    assert "Providers were created: 0, updated: 0." in result.stdout
    assert "Listings were created: 0, updated: 0." in result.stdout
    assert "Providers already present, left as they are: 168." in result.stdout
    assert "Users created: 0, already present:" in result.stdout


def test_seeding_again_keeps_what_people_changed_since(
    any_app: Flask, any_session: Session
) -> None:
    seed(any_app)
    school = any_session.exec(select(School).where(School.support_category == "universal")).first()
    assert school is not None
    school.support_category = "intensive"  # the SIP's judgement on a visit
    listing = any_session.exec(select(Listing).where(Listing.status == "assured")).first()
    assert listing is not None
    listing.status = "suspended"  # QA's decision
    listing.title = "Renamed by its provider"
    la = any_session.exec(select(LocalAuthority).where(LocalAuthority.code == "886")).one()
    la.fatigue_threshold = 9
    user = any_session.exec(select(User).where(User.role == "headteacher")).first()
    assert user is not None
    user.name = "A New Head"
    user.password_hash = "changed"
    any_session.commit()
    before = counts(any_session)

    seed(any_app)  # what `make run` does on every start

    any_session.expire_all()
    assert counts(any_session) == before
    assert any_session.get(School, school.id).support_category == "intensive"  # type: ignore[union-attr]
    kept = any_session.get(Listing, listing.id)
    assert kept is not None and (kept.status, kept.title) == (
        "suspended",
        "Renamed by its provider",
    )
    assert any_session.get(LocalAuthority, la.id).fatigue_threshold == 9  # type: ignore[union-attr]
    again = any_session.get(User, user.id)
    assert again is not None and (again.name, again.password_hash) == ("A New Head", "changed")


# --- synthetic ------------------------------------------------------------------------------------


def test_seed_synthetic_loads_exactly_n_listings(any_app: Flask, any_session: Session) -> None:
    result = seed(any_app, "--synthetic", "300", "--seed", "7")
    assert "Listings were created: 300" in result.stdout
    assert counts(any_session)["listing"] == 300
    assert any_session.exec(select(sa.func.count()).select_from(LocalAuthority)).one() > 100


def test_seed_synthetic_is_deterministic_and_idempotent(
    any_app: Flask, any_session: Session
) -> None:
    seed(any_app, "--synthetic", "120", "--seed", "3")
    before = counts(any_session)
    codes = sorted(any_session.exec(select(Listing.code)).all())
    result = seed(any_app, "--synthetic", "120", "--seed", "3")
    assert "Listings were created: 0, updated: 0." in result.stdout
    assert counts(any_session) == before
    assert sorted(any_session.exec(select(Listing.code)).all()) == codes


def test_synthetic_count_must_be_positive(any_app: Flask) -> None:
    result = any_app.test_cli_runner().invoke(args=["seed", "--synthetic", "0"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# --- the pieces, on small data of our own -----------------------------------------------------------


def test_missing_las_and_schools_are_added_and_present_ones_left_alone(
    any_session: Session,
) -> None:
    las = [{"code": "123", "name": "Newtown", "region": "North West"}]
    schools = [
        {
            "urn": "900001",
            "name": "Newtown Special School",
            "phase": "Special",
            "type": "community-special-school",
            "la_code": "123",
            "sen_specialisms": ["ASD", "slcn"],
            "support_category": "Targeted",
        }
    ]
    assert seeding.seed_local_authorities(any_session, las) == (1, 0)
    assert seeding.seed_schools(any_session, schools) == (1, 0)
    school = any_session.exec(select(School).where(School.urn == "900001")).one()
    assert (school.phase, school.sen_specialisms, school.support_category) == (
        "special",
        ["asd", "slcn"],
        "targeted",
    )
    las[0]["name"] = "New Town"
    schools[0]["support_category"] = "universal"
    assert seeding.seed_local_authorities(any_session, las) == (0, 1)
    assert seeding.seed_schools(any_session, schools) == (0, 1)
    any_session.expire_all()
    la = any_session.exec(select(LocalAuthority).where(LocalAuthority.code == "123")).one()
    assert la.name == "Newtown"
    assert any_session.get(School, school.id).support_category == "targeted"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"urn": "1", "name": "X", "phase": "Primry", "type": "academy", "la_code": "123"},
            "school 1 phase: 'Primry' is not a phase",
        ),
        (
            {"urn": "1", "name": "X", "phase": "primary", "type": "academy", "la_code": "404"},
            "school 1: LA code '404' is not known",
        ),
    ],
)
def test_bad_seed_rows_are_named(any_session: Session, row: dict[str, Any], message: str) -> None:
    seeding.seed_local_authorities(
        any_session, [{"code": "123", "name": "Newtown", "region": "london"}]
    )
    with pytest.raises(seeding.SeedError) as caught:
        seeding.seed_schools(any_session, [row])
    assert message in str(caught.value)


def test_a_present_user_keeps_their_password_whatever_the_seed_says(
    any_session: Session,
) -> None:
    school = factories.school(any_session)
    row = {
        "email": "Head@Example.org",
        "name": "A Head",
        "role": "headteacher",
        "school_urn": school.urn,
        "password": "first-password-1",
    }
    assert seeding.seed_users(any_session, [row]) == (1, 0)
    user = any_session.exec(select(User).where(User.email == "head@example.org")).one()
    first = user.password_hash
    assert check_password_hash(first or "", "first-password-1")
    assert user.school_id == school.id and user.la_id == school.la_id
    assert seeding.seed_users(any_session, [row]) == (0, 1)
    assert seeding.seed_users(any_session, [{**row, "password": "second-password-2"}]) == (0, 1)
    assert user.password_hash == first


def test_a_sip_is_assigned_every_school_named(any_session: Session) -> None:
    la = factories.local_authority(any_session)
    one, two = factories.school(any_session, la), factories.school(any_session, la)
    row = {
        "email": "sip@example.org",
        "name": "A Sip",
        "role": "sip",
        "school_urns": [one.urn, two.urn],
        "password": "sip-password-1",
    }
    seeding.seed_users(any_session, [row])
    seeding.seed_users(any_session, [row])
    user = any_session.exec(select(User).where(User.email == "sip@example.org")).one()
    assigned = any_session.exec(
        select(SipAssignment.school_id).where(SipAssignment.user_id == user.id)
    ).all()
    assert sorted(assigned) == sorted([one.id, two.id])
    assert user.la_id == la.id and user.school_id is None


def test_a_user_naming_an_unknown_provider_is_a_seed_error(any_session: Session) -> None:
    row = {
        "email": "p@example.org",
        "name": "P",
        "role": "provider",
        "provider_name": "Nobody Ltd",
        "password": "x-password-1",
    }
    with pytest.raises(seeding.SeedError, match="provider 'Nobody Ltd' is not in the directory"):
        seeding.seed_users(any_session, [row])
