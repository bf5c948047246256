"""The interchange format: `broker import` and `broker export` against a real database."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, col, select

from broker.interchange import services
from broker.interchange.records import InvalidRecord, parse_record
from broker.models import (
    AuditEvent,
    IndexChange,
    Listing,
    Provider,
    Recommendation,
    School,
)
from tests import factories

TODAY = date.today()


def _utc_today() -> date:
    """The day an import dates assurances by (UTC), now: not TODAY, read when the tests were
    collected, which a run over midnight leaves behind."""
    return datetime.now(UTC).date()


RECENT = (TODAY - timedelta(days=60)).isoformat()
OLDER = (TODAY - timedelta(days=200)).isoformat()
STALE = (TODAY - timedelta(days=365 * 3 + 30)).isoformat()

DIRECTORY_TABLES = (AuditEvent, IndexChange, Recommendation, Listing, Provider, School)


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def places(any_session: Session) -> dict[str, Any]:
    """Two LAs in two regions and three known schools."""
    north = factories.local_authority(any_session, code="391", name="Tyneside", region="north-east")
    south = factories.local_authority(
        any_session, code="850", name="Hampshire", region="south-east"
    )
    schools = [
        factories.school(any_session, north, urn="100001", name="Riverside Primary School"),
        factories.school(any_session, north, urn="100002", name="Hilltop Primary School"),
        factories.school(any_session, south, urn="100003", name="Meadow Special School"),
    ]
    any_session.commit()
    return {"north": north, "south": south, "schools": schools}


def rec(urn: str, made_on: str = RECENT, **extra: Any) -> dict[str, Any]:
    return {
        "school_urn": urn,
        "school_name": f"School {urn}",
        "recommender_name": "Jo Head",
        "service_title": "Reading support",
        "impact": "Reading ages rose by a year in two terms; staff now lead it themselves.",
        "date": made_on,
        **extra,
    }


def listing(title: str = "Phonics for Key Stage 1", **extra: Any) -> dict[str, Any]:
    item = {
        "title": title,
        "summary": "Whole-school phonics training with in-class coaching.",
        "description": "Two training days and six coaching visits.",
        "categories": ["Curriculum and Subject Support"],
        "ecm_outcomes": ["Enjoy and achieve"],
        "phases": ["Primary"],
        "sen_specialisms": [],
        "pupil_groups": ["EAL"],
        "delivery": ["Training course/CPD", "Coaching or mentoring"],
        "cost": "Paid",
        "price_note": "£450 a day",
        "areas_served": {
            "national": False,
            "regions": ["North East"],
            "local_authorities": ["391"],
        },
    }
    item.update(extra)
    return item


def record(
    name: str = "Bright Start Literacy",
    status: str = "assured",
    recs: list[dict[str, Any]] | None = None,
    listings: list[dict[str, Any]] | None = None,
    **provider: Any,
) -> dict[str, Any]:
    return {
        "provider": {
            "name": name,
            "kind": "Company",
            "website": f"https://{name.lower().replace(' ', '')}.example.org",
            "email": f"hello@{name.lower().replace(' ', '')}.example.org",
            "phone": "0191 000 0000",
            "la_code": "391",
            "school_urn": None,
            **provider,
        },
        "listings": listings if listings is not None else [listing()],
        "recommendations": recs if recs is not None else [rec("100001"), rec("100002")],
        "status": status,
    }


def write_lines(path: Path, *items: Any) -> Path:
    lines = [item if isinstance(item, str) else json.dumps(item) for item in items]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args))


def counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        model.__tablename__: session.exec(select(sa.func.count()).select_from(model)).one()  # type: ignore[arg-type]
        for model in DIRECTORY_TABLES
    }


def providers_named(session: Session, name: str) -> list[Provider]:
    session.expire_all()
    return list(session.exec(select(Provider).where(Provider.name == name)))


def listings_of(session: Session, name: str) -> list[Listing]:
    (provider,) = providers_named(session, name)
    return list(
        session.exec(
            select(Listing).where(Listing.provider_id == provider.id).order_by(col(Listing.id))
        )
    )


# --- round trip -------------------------------------------------------------------------------


def varied_directory() -> list[dict[str, Any]]:
    """Records covering every status, per-listing statuses, optional fields and odd text."""
    mixed = record(
        "Northern Lights Maths Hub",
        listings=[
            listing("Mastery in maths", code="MTH22", contact_name="Sam Lee"),
            listing("Old maths course", status="Withdrawn"),
            listing("Draft idea", status="draft", price_note=None),
        ],
        recs=[
            rec("100001", listing_title="Mastery in maths"),
            rec("100002"),
            rec("100003", OLDER, status="withdrawn", withdrawn_at="2025-01-02T10:30:00+00:00"),
        ],
    )
    return [
        record(),
        mixed,
        record(
            "Zeta Behaviour Support",
            status="submitted",
            recs=[],
            capacity={"days_available": 12, "updated_at": "2026-11-02T09:00:00+00:00"},
        ),
        record("Lapsed Learning Ltd", status="lapsed"),
        record(
            "Suspended Services CIC",
            status="suspended",
            kind="Charity or voluntary body",
            website=None,
            listings=[
                listing(
                    "Attendance — a fresh start “now”",
                    areas_served={"national": True, "regions": [], "local_authorities": []},
                )
            ],
        ),
        record(
            "Hilltop Primary School",
            kind="School-to-school",
            school_urn="100002",
            recs=[rec("100001"), rec("100003"), rec("100002")],
            capacity={"not_taking_until": (TODAY + timedelta(days=40)).isoformat()},
        ),
    ]


def empty_directory(session: Session) -> None:
    for model in DIRECTORY_TABLES:
        session.exec(sa.delete(model))  # type: ignore[call-overload]
    session.commit()


def test_export_then_import_into_an_empty_directory_gives_identical_output(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    source = write_lines(tmp_path / "in.jsonl", *varied_directory())
    result = run(any_app, "import", str(source))
    assert result.exit_code == 0, result.output
    first = tmp_path / "first.jsonl"
    assert run(any_app, "export", str(first)).exit_code == 0

    empty_directory(any_session)
    # The schools the directory named come back from the file: the empty directory lacks them.
    assert counts(any_session)["school"] == 0
    result = run(any_app, "import", str(first))
    assert result.exit_code == 0, result.output
    second = tmp_path / "second.jsonl"
    assert run(any_app, "export", str(second)).exit_code == 0

    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    exported = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == 6
    by_name = {item["provider"]["name"]: item for item in exported}
    maths = by_name["Northern Lights Maths Hub"]
    assert maths["status"] == "assured"
    assert [item.get("status") for item in maths["listings"]] == [None, "withdrawn", "draft"]
    assert maths["listings"][0]["code"] == "MTH22"
    assert maths["listings"][0]["phases"] == ["Primary"]  # labels, not slugs
    assert maths["recommendations"][0]["listing_title"] == "Mastery in maths"
    assert maths["recommendations"][2]["withdrawn_at"] == "2025-01-02T10:30:00+00:00"
    assert by_name["Lapsed Learning Ltd"]["status"] == "lapsed"
    assert by_name["Suspended Services CIC"]["listings"][0]["title"].startswith("Attendance — ")
    # What a provider said of its capacity goes with it; one that said nothing has no capacity.
    assert by_name["Zeta Behaviour Support"]["provider"]["capacity"] == {
        "days_available": 12,
        "not_taking_until": None,
        "updated_at": "2026-11-02T09:00:00+00:00",
    }
    assert (
        by_name["Hilltop Primary School"]["provider"]["capacity"]["not_taking_until"]
        == (TODAY + timedelta(days=40)).isoformat()
    )
    assert "capacity" not in maths["provider"]


def test_export_to_standard_output(any_app: Flask, places: dict[str, Any], tmp_path: Path) -> None:
    run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", record())))
    result = run(any_app, "export", "-")
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert json.loads(line)["provider"]["name"] == "Bright Start Literacy"
    assert "Exported 1 providers, 1 listings, 2 recommendations." in result.stderr


# --- validation ---------------------------------------------------------------------------------


def test_bad_lines_are_reported_with_line_number_field_and_reason(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    bad_phase = record("Second Provider", listings=[listing(phases=["Primry"])])
    path = write_lines(
        tmp_path / "in.jsonl", record(), bad_phase, '{"provider": {"name": "Broken"', ""
    )
    result = run(any_app, "import", str(path))
    assert result.exit_code == 1
    assert (
        "line 2: listings[0].phases: 'Primry' is not a phase "
        "(choose from: Early years, Primary, Secondary, Special, Pupil referral unit, Post-16, All-through)"
    ) in result.stderr
    assert "line 3: not valid JSON" in result.stderr
    assert "Traceback" not in result.output
    assert "3 records read, 1 valid, 2 failed." in result.stdout
    assert [p.name for p in providers_named(any_session, "Bright Start Literacy")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r["provider"].pop("name"), "provider.name: is required"),
        (
            lambda r: r["provider"].update(kind="Wizard"),
            "provider.kind: 'Wizard' is not a provider kind",
        ),
        (lambda r: r.update(status="published"), "status: 'published' is not a provider status"),
        (
            lambda r: r["listings"][0].update(cost=3),
            "listings[0].cost: expected text, got a number",
        ),
        (lambda r: r["listings"][0].update(colour="red"), "listings[0].colour: is not a field"),
        (
            lambda r: r["recommendations"][1].update(date="01/02/2024"),
            "recommendations[1].date: '01/02/2024' is not a date",
        ),
        (
            lambda r: r["recommendations"][0].update(date=(TODAY + timedelta(days=3)).isoformat()),
            "is in the future",
        ),
        (
            lambda r: r["listings"][0]["areas_served"].update(regions=["Narnia"]),
            "listings[0].areas_served.regions: 'Narnia' is not an English region",
        ),
        (
            lambda r: r["provider"].update(email=None, website=None),
            "provider: give an email or a website",
        ),
        (
            lambda r: r["listings"].append(listing()),
            "listings[1].title: repeats the title of listings[0]",
        ),
        (
            lambda r: r["provider"].update(
                capacity={"days_available": 5, "not_taking_until": "2027-03-01"}
            ),
            "provider.capacity: give days_available (taking new work) or not_taking_until",
        ),
        (
            lambda r: r["provider"].update(capacity={"days_available": 0}),
            "provider.capacity.days_available: 0 is not between 1 and 200",
        ),
        (
            lambda r: r["provider"].update(capacity={"days_available": "twelve"}),
            "provider.capacity.days_available: expected a whole number of days",
        ),
        (
            lambda r: r["provider"].update(capacity={"not_taking_until": "after Easter"}),
            "provider.capacity.not_taking_until: 'after Easter' is not a date",
        ),
        (
            lambda r: r["provider"].update(capacity={"days": 3}),
            "provider.capacity.days: is not a field",
        ),
        (
            lambda r: r["provider"].update(
                capacity={"not_taking_until": (TODAY + timedelta(days=400)).isoformat()}
            ),
            "provider.capacity.not_taking_until: "
            f"{(TODAY + timedelta(days=400)).isoformat()} is after ",
        ),
    ],
)
def test_each_kind_of_mistake_names_its_field(change: Any, expected: str) -> None:
    data = record()
    change(data)
    with pytest.raises(InvalidRecord) as caught:
        parse_record(data)
    assert expected in str(caught.value)


def test_labels_and_slugs_are_accepted_in_any_case(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    shouting = listing(
        phases=["PRIMARY", "early-years", "pupil referral unit"],
        categories=["CURRICULUM-AND-SUBJECT-SUPPORT", "leadership and management"],
        delivery=["training-course-cpd", "ONLINE/REMOTE"],
        cost="paid",
        sen_specialisms=["asd", "SpLD"],
        areas_served={
            "national": False,
            "regions": ["north-east", "LONDON"],
            "local_authorities": ["391"],
        },
    )
    data = record(kind="la service", listings=[shouting], status="Assured")
    result = run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", data)))
    assert result.exit_code == 0, result.output
    (item,) = listings_of(any_session, "Bright Start Literacy")
    assert item.phases == ["primary", "early-years", "pru"]
    assert item.categories == ["curriculum-and-subject-support", "leadership-and-management"]
    assert item.delivery == ["training-course-cpd", "online-remote"]
    assert item.sen_specialisms == ["asd", "spld"]
    assert item.regions == ["north-east", "london"]
    assert item.status == "assured"
    assert providers_named(any_session, "Bright Start Literacy")[0].kind == "la-service"


def test_unknown_la_code_fails_the_record_clearly(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(la_code="999")
    result = run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", data)))
    assert result.exit_code == 1
    assert "line 1: provider.la_code: '999' is not a known LA code" in result.stderr
    assert providers_named(any_session, "Bright Start Literacy") == []


# --- dry run and failures -------------------------------------------------------------------------


def test_dry_run_checks_everything_and_writes_nothing(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    before = counts(any_session)
    data = record(recs=[rec("100001"), rec("777777", school_name="New Town Academy")])
    path = write_lines(tmp_path / "in.jsonl", data, record("Other Provider", la_code="999"))
    result = run(any_app, "import", "--dry-run", str(path))
    assert result.exit_code == 1
    assert "Dry run: nothing was written." in result.stdout
    assert "Providers would be created: 1" in result.stdout
    assert "Schools would be created: 1" in result.stdout
    assert "line 2: provider.la_code: '999' is not a known LA code" in result.stderr
    assert counts(any_session) == before


def test_a_failed_record_writes_nothing_of_itself_while_good_records_land(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    # The bad record names a new school (which would be created) before its unknown LA code.
    bad = record(
        "Broken Provider",
        recs=[rec("555555", school_name="Orphan Primary School"), rec("100002")],
        listings=[
            listing(
                areas_served={"national": False, "regions": [], "local_authorities": ["391", "ZZZ"]}
            )
        ],
    )
    path = write_lines(tmp_path / "in.jsonl", record(), bad, record("Third Provider"))
    result = run(any_app, "import", str(path))
    assert result.exit_code == 1
    assert (
        "line 2: listings[0].areas_served.local_authorities: 'ZZZ' is not a known LA code"
        in result.stderr
    )
    assert providers_named(any_session, "Broken Provider") == []
    assert any_session.exec(select(School).where(School.urn == "555555")).first() is None
    assert len(providers_named(any_session, "Bright Start Literacy")) == 1
    assert len(providers_named(any_session, "Third Provider")) == 1


def test_a_database_error_in_one_record_leaves_the_others(
    any_app: Flask, any_session: Session, places: dict[str, Any]
) -> None:
    # A code already taken by a listing the import has not cached (written after it started)
    # passes every check and then fails on the unique constraint inside the record's savepoint.
    holder = factories.provider(any_session)
    any_session.commit()

    with Session(any_session.get_bind(), expire_on_commit=False) as session:

        def records():  # type: ignore[no-untyped-def]
            yield 1, record()
            factories.listing(session, holder, code="TAKEN")
            yield 2, record("Clashing Provider", listings=[listing(code="TAKEN")])
            yield 3, record("Third Provider")

        report = services.import_records(session, records())
    assert report.failed == 1
    assert report.errors[0].startswith("line 2: could not be saved:")
    assert providers_named(any_session, "Clashing Provider") == []
    assert len(providers_named(any_session, "Bright Start Literacy")) == 1
    assert len(providers_named(any_session, "Third Provider")) == 1


def test_missing_file_is_a_message_not_a_traceback(any_app: Flask, tmp_path: Path) -> None:
    result = run(any_app, "import", str(tmp_path / "nowhere.jsonl"))
    assert result.exit_code == 1
    assert "is not a file" in result.output
    assert "Traceback" not in result.output


# --- re-import and matching -----------------------------------------------------------------------


def test_reimporting_the_same_file_duplicates_and_changes_nothing(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    path = write_lines(tmp_path / "in.jsonl", *varied_directory())
    assert run(any_app, "import", str(path)).exit_code == 0
    before = counts(any_session)
    result = run(any_app, "import", str(path))
    assert result.exit_code == 0, result.output
    assert counts(any_session) == before
    assert "Providers were created: 0, updated: 0." in result.stdout
    assert "Listings were created: 0, updated: 0." in result.stdout
    assert "Recommendations were created: 0, updated: 0." in result.stdout


def test_reimport_updates_the_matched_provider_case_insensitively(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    run(any_app, "import", str(write_lines(tmp_path / "a.jsonl", record())))
    changed = record()
    changed["provider"].update(
        name="BRIGHT START LITERACY",
        email="HELLO@brightstartliteracy.example.org",
        phone="0191 111 1111",
    )
    changed["listings"][0].update(title="phonics for key stage 1", summary="A new summary.")
    changed["recommendations"][0].update(impact="Even better results.")
    result = run(any_app, "import", str(write_lines(tmp_path / "b.jsonl", changed)))
    assert result.exit_code == 0, result.output
    assert "Providers were created: 0, updated: 1." in result.stdout
    assert "Listings were created: 0, updated: 1." in result.stdout
    assert "Recommendations were created: 0, updated: 1." in result.stdout
    (provider,) = providers_named(any_session, "BRIGHT START LITERACY")
    assert provider.phone == "0191 111 1111"
    (item,) = listings_of(any_session, "BRIGHT START LITERACY")
    assert item.summary == "A new summary."


def test_a_provider_twice_in_one_file_is_created_once_then_updated(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    later = record(listings=[listing(summary="The later summary wins.")])
    path = write_lines(tmp_path / "in.jsonl", record(), record("Someone Else"), later)
    result = run(any_app, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "Providers were created: 2, updated: 0." in result.stdout
    (item,) = listings_of(any_session, "Bright Start Literacy")
    assert item.summary == "The later summary wins."


def test_same_name_with_different_email_and_website_is_another_provider(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    other = record(email="office@elsewhere.example.org", website="https://elsewhere.example.org")
    path = write_lines(tmp_path / "in.jsonl", record(), other)
    assert run(any_app, "import", str(path)).exit_code == 0
    assert len(providers_named(any_session, "Bright Start Literacy")) == 2
    codes = any_session.exec(select(Listing.code)).all()
    assert len(set(codes)) == len(codes) == 2


# --- schools and the two-school rule -------------------------------------------------------------


def test_unknown_school_in_a_recommendation_is_created_in_the_providers_la(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(recs=[rec("100001"), rec("123456", school_name="Oakfield Primary School")])
    result = run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", data)))
    assert result.exit_code == 0, result.output
    school = any_session.exec(select(School).where(School.urn == "123456")).one()
    assert school.name == "Oakfield Primary School"
    assert school.la_id == places["north"].id
    assert school.phase == "primary"
    assert (
        "recommendations[1]: school 123456 is not in the register: added as "
        "'Oakfield Primary School' in LA 391"
    ) in result.stderr
    (item,) = listings_of(any_session, "Bright Start Literacy")
    assert item.status == "assured"


def test_unknown_school_without_a_name_fails_the_record(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(recs=[rec("100001"), rec("123456", school_name=None)])
    result = run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", data)))
    assert result.exit_code == 1
    assert "line 1: recommendations[1].school_name: school 123456 is not known" in result.stderr


def _imported_status(
    app: Flask, session: Session, tmp_path: Path, data: dict[str, Any]
) -> tuple[str, str]:
    result = run(app, "import", str(write_lines(tmp_path / "in.jsonl", data)))
    assert result.exit_code == 0, result.output
    (item,) = listings_of(session, data["provider"]["name"])
    return item.status, result.stderr


def test_assured_record_with_two_valid_schools_is_published(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    before = _utc_today()
    status, warnings = _imported_status(any_app, any_session, tmp_path, record())
    days = {before, _utc_today()}  # the import's day, should it run over midnight
    assert status == "assured"
    assert warnings == ""
    (item,) = listings_of(any_session, "Bright Start Literacy")
    assert item.is_public()
    # Marked assured without dates: assured from the day of import, for the usual 12 months.
    assert item.assured_at is not None and item.assured_at.date() in days
    assert item.assurance_expires_at is not None
    assert (item.assurance_expires_at - item.assured_at).days in (365, 366)


def test_assured_record_with_one_school_is_imported_as_submitted_with_a_warning(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    status, warnings = _imported_status(
        any_app, any_session, tmp_path, record(recs=[rec("100001")])
    )
    assert status == "submitted"
    assert (
        "Warning: line 1: 'Bright Start Literacy' is marked assured but has valid recommendations from 1"
        in warnings
    )
    assert "not published" in warnings
    (item,) = listings_of(any_session, "Bright Start Literacy")
    assert not item.is_public()
    assert item.submitted_at is not None and item.assured_at is None


def test_two_recommendations_from_the_same_school_do_not_count(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(recs=[rec("100001", OLDER), rec("100001")])
    status, warnings = _imported_status(any_app, any_session, tmp_path, data)
    assert status == "submitted"
    assert "a second recommendation from school 100001 replaces the first" in warnings
    assert len(any_session.exec(select(Recommendation)).all()) == 1


def test_a_recommendation_from_the_providers_own_school_does_not_count(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record("Hilltop Primary School", kind="School-to-school", school_urn="100002")
    status, warnings = _imported_status(any_app, any_session, tmp_path, data)
    assert status == "submitted"
    assert "'Hilltop Primary School' is marked assured" in warnings


def test_a_providers_own_school_unknown_to_the_register_is_named_as_its_recommendation_says(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    # A school's outreach team names its own school and is recommended by it too: the school
    # is added under the name, phase and type the recommendation gives, not the provider's.
    own = rec(
        "123457",
        school_name="Elm Bank Special School",
        school_phase="special",
        school_type="community-special-school",
    )
    data = record(
        "Elm Bank Outreach",
        kind="School-to-school",
        school_urn="123457",
        recs=[rec("100001"), own, rec("100002")],
    )
    result = run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", data)))
    assert result.exit_code == 0, result.output
    school = any_session.exec(select(School).where(School.urn == "123457")).one()
    assert (school.name, school.phase, school.type) == (
        "Elm Bank Special School",
        "special",
        "community-special-school",
    )
    assert "added as 'Elm Bank Special School' in LA 391" in result.stderr
    (item,) = listings_of(any_session, "Elm Bank Outreach")
    assert item.status == "assured"  # its own school's recommendation does not count; two others do


def test_a_recommendation_older_than_three_years_does_not_count(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(recs=[rec("100001"), rec("100002", STALE)])
    status, warnings = _imported_status(any_app, any_session, tmp_path, data)
    assert status == "submitted"
    assert "valid recommendations from 1 different school" in warnings


def test_a_withdrawn_recommendation_does_not_count(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(recs=[rec("100001"), rec("100002", status="withdrawn")])
    status, _warnings = _imported_status(any_app, any_session, tmp_path, data)
    assert status == "submitted"


# --- fidelity: an import does not silently change what it was given ------------------------------


def test_176_assured_listings_without_dates_all_come_out_assured_and_published(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    # The directory: 176 listings marked assured, each provider recommended by two
    # schools within the last three years (most of them more than a year ago), no dates given.
    # It came out as 112 assured and 64 lapsed, with "Warnings: 2".
    records = []
    for n in range(44):
        older = (TODAY - timedelta(days=40 + n * 24)).isoformat()  # 40 days to ~2.9 years
        newer = (TODAY - timedelta(days=20 + n * 20)).isoformat()
        records.append(
            record(
                f"Provider {n:02d}",
                recs=[rec("100001", older), rec("100002", newer)],
                listings=[listing(f"Service {n:02d}-{k}") for k in range(4)],
            )
        )
    before = _utc_today()
    result = run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", *records)))
    days = {before, _utc_today()}  # the import's day, should it run over midnight
    assert result.exit_code == 0, result.output
    assert "Warnings: 0." in result.stdout
    assert "Listings of the file that were published (searchable): 176 of 176." in result.stdout
    assert "Not published" not in result.stdout
    any_session.expire_all()
    items = any_session.exec(select(Listing)).all()
    assert len(items) == 176
    assert all(item.status == "assured" and item.is_public() for item in items)
    assert {item.assured_at.date() for item in items if item.assured_at} <= days
    # The lapse check that every index sync runs finds nothing to lapse.
    from broker.search.sync import lapse_expired

    assert lapse_expired(any_session) == 0


def test_an_assured_listing_whose_given_assurance_has_ended_is_imported_lapsed_with_a_warning(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    ended = listing(
        assured_at="2024-01-10T00:00:00+00:00", assurance_expires_at="2025-01-10T00:00:00+00:00"
    )
    status, warnings = _imported_status(any_app, any_session, tmp_path, record(listings=[ended]))
    assert status == "lapsed"
    assert (
        "Warning: line 1: listings[0] 'Phonics for Key Stage 1' is marked assured but its "
        "assurance ended on 2025-01-10 (assurance_expires_at): imported as lapsed and not "
        "published"
    ) in warnings
    (event,) = any_session.exec(select(AuditEvent)).all()
    assert event.to_state == "lapsed"
    assert event.reason is not None and "assurance ended on 2025-01-10" in event.reason


def test_the_summary_counts_what_became_searchable_and_names_the_rest(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    demoted = record("One School Only", recs=[rec("100001")])
    published = record(listings=[listing("First"), listing("Second")])
    result = run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", demoted, published)))
    assert result.exit_code == 0, result.output
    assert "Listings of the file that were published (searchable): 2 of 3." in result.stdout
    assert "Not published: 1 submitted for assurance." in result.stdout
    assert "Imported as submitted and not published: 'Phonics for Key Stage 1'." in result.stderr
    dry = run(any_app, "import", "--dry-run", str(write_lines(tmp_path / "again.jsonl", demoted)))
    assert "Listings of the file that would be published (searchable): 0 of 1." in dry.stdout


# --- schools from the register ---------------------------------------------------------------------


def national(**extra: Any) -> dict[str, Any]:
    return listing(areas_served={"national": True, "regions": [], "local_authorities": []}, **extra)


def test_a_national_providers_referee_schools_are_found_in_the_register_anywhere(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    # No provider LA and no LA served: the schools are placed by the register, not the record.
    data = record(
        "National Reading Trust",
        la_code=None,
        listings=[national()],
        recs=[rec("100001"), rec("100003")],  # two LAs, two regions
    )
    before = counts(any_session)["school"]
    status, warnings = _imported_status(any_app, any_session, tmp_path, data)
    assert (status, warnings) == ("assured", "")
    assert counts(any_session)["school"] == before


def test_a_school_missing_from_the_register_that_cannot_be_placed_leaves_out_only_its_recommendation(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(
        "National Reading Trust",
        la_code=None,
        listings=[national()],
        recs=[rec("100001"), rec("100003"), rec("654321", school_name="Lost Primary School")],
    )
    status, warnings = _imported_status(any_app, any_session, tmp_path, data)
    assert status == "assured"  # two schools from the register are enough
    assert (
        "Warning: line 1: recommendations[2]: school 654321 (Lost Primary School) is not in the "
        "register and the record names no LA to add it in, so this recommendation was not "
        "imported"
    ) in warnings
    assert len(any_session.exec(select(Recommendation)).all()) == 2


def test_school_la_code_places_a_school_the_register_does_not_know(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(
        "National Reading Trust",
        la_code=None,
        listings=[national()],
        recs=[rec("100001"), rec("654321", school_name="New Primary School", school_la_code="850")],
    )
    status, warnings = _imported_status(any_app, any_session, tmp_path, data)
    assert status == "assured"
    assert (
        "recommendations[1]: school 654321 is not in the register: added as "
        "'New Primary School' in LA 850"
    ) in warnings
    school = any_session.exec(select(School).where(School.urn == "654321")).one()
    assert school.la_id == places["south"].id
    bad = record(
        "Other Trust", la_code=None, listings=[national()], recs=[rec("1", school_la_code="999")]
    )
    result = run(any_app, "import", str(write_lines(tmp_path / "bad.jsonl", bad)))
    assert "recommendations[0].school_la_code: '999' is not a known LA code" in result.stderr


@pytest.mark.parametrize(
    ("given", "expected", "public"),
    [
        ("submitted", "submitted", False),
        ("suspended", "suspended", False),
        ("lapsed", "lapsed", False),
    ],
)
def test_provider_status_applies_to_every_listing(
    any_app: Flask,
    any_session: Session,
    places: dict[str, Any],
    tmp_path: Path,
    given: str,
    expected: str,
    public: bool,
) -> None:
    data = record(status=given, listings=[listing("One"), listing("Two")])
    run(any_app, "import", str(write_lines(tmp_path / "in.jsonl", data)))
    items = listings_of(any_session, "Bright Start Literacy")
    assert [item.status for item in items] == [expected, expected]
    assert [item.is_public() for item in items] == [public, public]
    if given == "lapsed":
        assert all(item.assurance_expires_at is not None for item in items)


# --- the index log and the audit trail ------------------------------------------------------------


def test_every_listing_created_or_changed_is_logged_for_the_index(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(listings=[listing("One"), listing("Two")])
    run(any_app, "import", str(write_lines(tmp_path / "a.jsonl", data)))
    items = listings_of(any_session, "Bright Start Literacy")
    logged = any_session.exec(select(IndexChange.listing_id)).all()
    assert sorted(logged) == sorted(item.id for item in items)

    data["listings"][1]["summary"] = "Changed."
    run(any_app, "import", str(write_lines(tmp_path / "b.jsonl", data)))
    any_session.rollback()  # end the read transaction: see what the second import wrote
    logged = any_session.exec(select(IndexChange.listing_id).order_by(col(IndexChange.seq))).all()
    assert logged[2:] == [items[1].id]


def test_capacity_is_kept_when_a_record_says_nothing_of_it_and_changed_when_it_does(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    """A record without `capacity` (an older file, another council's) keeps what the provider
    said in the directory; one with it replaces it, and the index hears of the change (the
    "Taking new work" filter reads it)."""
    said = record(capacity={"days_available": 8})
    run(any_app, "import", str(write_lines(tmp_path / "a.jsonl", said)))
    silent = record()
    result = run(any_app, "import", str(write_lines(tmp_path / "b.jsonl", silent)))
    assert "Providers were created: 0, updated: 0." in result.stdout
    (provider,) = providers_named(any_session, "Bright Start Literacy")
    assert (provider.capacity_days, provider.not_taking_until) == (8, None)
    logged = len(any_session.exec(select(IndexChange.seq)).all())

    until = TODAY + timedelta(days=30)
    busy = record(capacity={"not_taking_until": until.isoformat()})
    result = run(any_app, "import", str(write_lines(tmp_path / "c.jsonl", busy)))
    assert "Providers were created: 0, updated: 1." in result.stdout
    any_session.rollback()  # end the read transaction: see what the import wrote
    any_session.refresh(provider)
    assert (provider.capacity_days, provider.not_taking_until) == (None, until)
    (item,) = listings_of(any_session, "Bright Start Literacy")
    changed = any_session.exec(select(IndexChange.listing_id).order_by(col(IndexChange.seq))).all()
    assert changed[logged:] == [item.id]


def test_a_change_of_recommendations_logs_all_the_providers_listings(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record(listings=[listing("One"), listing("Two")])
    run(any_app, "import", str(write_lines(tmp_path / "a.jsonl", data)))
    data["recommendations"].append(rec("100003"))
    run(any_app, "import", str(write_lines(tmp_path / "b.jsonl", data)))
    logged = any_session.exec(select(IndexChange.listing_id).order_by(col(IndexChange.seq))).all()
    assert sorted(logged[2:]) == sorted(
        item.id for item in listings_of(any_session, "Bright Start Literacy")
    )


def test_each_status_the_import_sets_is_audited(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    data = record()
    run(any_app, "import", str(write_lines(tmp_path / "a.jsonl", data)))
    data["status"] = "suspended"
    run(any_app, "import", str(write_lines(tmp_path / "b.jsonl", data)))
    (item,) = listings_of(any_session, "Bright Start Literacy")
    events = any_session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert [(e.actor_label, e.entity_id, e.from_state, e.to_state) for e in events] == [
        ("import", item.id, None, "assured"),
        ("import", item.id, "assured", "suspended"),
    ]
    assert events[1].reason is not None and "b.jsonl, line 1" in events[1].reason


def test_demotion_is_audited_with_its_reason(
    any_app: Flask, any_session: Session, places: dict[str, Any], tmp_path: Path
) -> None:
    run(any_app, "import", str(write_lines(tmp_path / "a.jsonl", record(recs=[]))))
    (event,) = any_session.exec(select(AuditEvent)).all()
    assert event.to_state == "submitted"
    assert event.reason is not None and "two different schools" in event.reason


# --- codes ---------------------------------------------------------------------------------------


def test_listing_codes_are_short_deterministic_and_unambiguous() -> None:
    code = services.listing_code("Bright Start Literacy", "Phonics")
    assert code == services.listing_code("BRIGHT START LITERACY", "phonics")
    assert len(code) == 5
    assert not set(code) & set("01IO")
    assert services.listing_code("Bright Start Literacy", "Phonics", 1) != code


def test_records_are_not_changed_by_parsing() -> None:
    data = record()
    before = copy.deepcopy(data)
    parse_record(data)
    assert data == before


def test_every_mistake_in_a_record_is_reported_at_once() -> None:
    data = record()
    data["provider"]["kind"] = "Wizard"
    data["listings"][0].update(phases=["Primary", "Nope"], contact_email="nobody")
    data["recommendations"][1]["date"] = "soon"
    with pytest.raises(InvalidRecord) as caught:
        parse_record(data)
    assert [str(p).split(":")[0] for p in caught.value.problems] == [
        "provider.kind",
        "listings[0].phases",
        "listings[0].contact_email",
        "recommendations[1].date",
    ]


def test_a_record_that_is_not_an_object_says_what_it_is() -> None:
    with pytest.raises(InvalidRecord) as caught:
        parse_record([record()])
    assert str(caught.value) == "expected an object, got a list"
