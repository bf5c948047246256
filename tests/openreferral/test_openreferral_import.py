"""`broker import --format openreferral`: feeds become submitted listings, never published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from broker import db
from broker.interchange.importer import ImportReport
from broker.models import Listing, LocalAuthority, Provider
from broker.openreferral import mapping, services
from broker.seeding import seed_local_authorities
from tests.openreferral.conftest import ORUK, load

EXAMPLES = ORUK / "examples"


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["import", "--format", "openreferral", *args])


def import_file(session: Session, path: Path, **options: Any) -> ImportReport:
    return services.import_path(session, path, **options)


def counts(session: Session) -> tuple[int, int]:
    providers = len(session.exec(select(Provider.id)).all())
    return providers, len(session.exec(select(Listing.id)).all())


@pytest.fixture
def places(session: Session) -> Session:
    """The reference list of LAs, as a new directory has after `broker seed` or a schools import."""
    from providers_seed import reader

    seed_local_authorities(session, reader.load_local_authorities())
    session.commit()
    return session


def test_the_standards_full_example_imports_as_a_submitted_listing(session: Session) -> None:
    report = import_file(session, EXAMPLES / "service_full.json")
    assert report.errors == [] and report.ok
    assert (report.providers_created, report.listings_created) == (1, 1)
    listing = session.exec(select(Listing)).one()
    assert listing.title == "Community Counselling"
    assert listing.status == "submitted" and not listing.is_public()
    assert listing.summary.startswith("Counselling Services provided by trained professionals")
    provider = session.get(Provider, listing.provider_id)
    assert provider is not None and provider.name == "Example Organization Inc."


def test_what_the_directory_cannot_keep_is_reported_per_record_and_field(session: Session) -> None:
    report = import_file(session, EXAMPLES / "service_full.json")
    text = "\n".join(report.warnings)
    assert "service_full.json: schedules: not imported: the directory has no place for it" in text
    assert "service_full.json: languages: not imported" in text
    assert "service_full.json: service_areas[0]: not imported:" in text
    assert "service_full.json: attributes[0]: not imported: taxonomy term" in text
    assert all(line.startswith("service_full.json") for line in report.warnings)


def test_the_standards_service_list_example_imports_without_error(session: Session) -> None:
    report = import_file(session, EXAMPLES / "service_list.json")
    assert report.ok and report.errors == []
    assert report.listings_created == 1
    assert all(w.startswith("service_list.json contents[0]: ") for w in report.warnings)


def test_reimporting_the_same_feed_duplicates_and_changes_nothing(session: Session) -> None:
    import_file(session, EXAMPLES / "service_full.json")
    again = import_file(session, EXAMPLES / "service_full.json")
    assert counts(session) == (1, 1)
    assert (again.providers_created, again.listings_created) == (0, 0)
    assert (again.providers_updated, again.listings_updated) == (0, 0)


def test_the_same_service_in_another_feed_updates_its_listing(session: Session) -> None:
    import_file(session, EXAMPLES / "service_full.json")
    shorter = import_file(session, EXAMPLES / "service_list.json")
    assert counts(session) == (1, 1)
    assert (shorter.listings_created, shorter.listings_updated) == (0, 1)


def test_a_dry_run_checks_everything_and_writes_nothing(app: Flask, session: Session) -> None:
    result = run(app, "--dry-run", str(EXAMPLES / "service_full.json"))
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written." in result.output
    assert "Listings would be created: 1" in result.output
    assert counts(session) == (0, 0)


def test_a_folder_imports_every_json_file_in_it(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    feed = load("examples/service_full.json")
    second = {**feed, "name": "Family Mediation", "id": "9b1f7a3e-5c2d-4e8f-a1b0-c3d4e5f60718"}
    (tmp_path / "a.json").write_text(json.dumps(feed))
    (tmp_path / "b.json").write_text(json.dumps([second]))
    (tmp_path / "notes.txt").write_text("not a feed")
    result = run(app, str(tmp_path))
    assert result.exit_code == 0, result.output
    assert counts(session) == (1, 2)


def test_bad_input_gives_a_message_per_record_never_a_traceback(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    good = load("examples/service_full.json")
    (tmp_path / "1-broken.json").write_text('{"contents": [')
    (tmp_path / "2-shapes.json").write_text(
        json.dumps(
            {
                "contents": [
                    "a string",
                    {"name": "No organization"},
                    {**good, "name": ""},
                    {**good, "organization": {"name": "Nobody", "description": "x"}, "email": None},
                    {**good, "attributes": "not a list", "cost_options": [7]},
                    good,
                ]
            }
        )
    )
    (tmp_path / "3-number.json").write_text("42")
    result = run(app, str(tmp_path))
    output = result.output
    assert result.exit_code == 1
    assert "Traceback" not in output
    assert "1-broken.json: is not valid JSON: Expecting value (line 1, column 15)" in output
    assert "2-shapes.json contents[0]: expected a service object, got text" in output
    assert "2-shapes.json contents[1]: organization: is required" in output
    assert "2-shapes.json contents[2]: name: is required" in output
    assert "2-shapes.json contents[3]: organization: give an email or a website" in output
    assert (
        "2-shapes.json contents[4]: attributes: not imported: expected a list, got text" in output
    )
    assert "2-shapes.json contents[4]: cost_options[0]: not imported: expected an object" in output
    assert "3-number.json: expected a service, a list of services or a page" in output
    assert "8 records read, 2 valid, 6 failed." in output
    assert counts(session) == (1, 1)


def test_a_service_that_is_not_active_is_skipped_with_a_warning(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "closed.json"
    path.write_text(json.dumps({**load("examples/service_full.json"), "status": "defunct"}))
    report = import_file(session, path)
    assert report.ok
    assert "closed.json: status: is 'defunct': only active services are imported" in report.warnings
    assert counts(session) == (0, 0)


def test_publish_import_into_an_empty_directory_publish_gives_the_same_services(
    seeded_app: Flask, places: Session, tmp_path: Path
) -> None:
    feed_path = tmp_path / "feed.json"
    result = seeded_app.test_cli_runner().invoke(
        args=["export", "--format", "openreferral", str(feed_path)]
    )
    assert result.exit_code == 0, result.output
    published = json.loads(feed_path.read_text())["contents"]

    report = import_file(places, feed_path)
    assert report.ok, report.errors[:5]
    assert report.warnings == []
    assert report.listings_created == len(published)
    # Imported listings wait for QA; publish each as the feed would once they are assured.
    las = dict(places.exec(select(LocalAuthority.code, LocalAuthority.name)).all())
    again = {}
    for listing in places.exec(select(Listing).order_by(col(Listing.id))):
        provider = places.get(Provider, listing.provider_id)
        assert provider is not None and listing.status == "submitted"
        service = mapping.service_json(listing, provider, full=True, la_names=las)
        again[service["id"]] = service

    def comparable(service: dict[str, Any]) -> dict[str, Any]:
        # Not the service: where and when this copy was published, and when it was assured.
        return {
            k: v for k, v in service.items() if k not in ("url", "last_modified", "assured_date")
        }

    assert set(again) == {s["id"] for s in published}
    for service in published:
        assert comparable(again[service["id"]]) == comparable(service)


def test_reimporting_the_directorys_own_feed_would_change_nothing(
    seeded_app: Flask, tmp_path: Path
) -> None:
    feed_path = tmp_path / "feed.json"
    runner = seeded_app.test_cli_runner()
    assert runner.invoke(args=["export", "--format", "openreferral", str(feed_path)]).exit_code == 0
    with db.new_session(seeded_app) as session:
        report = import_file(session, feed_path, dry_run=True)
    assert report.ok and report.warnings == []
    assert (report.providers_created, report.listings_created) == (0, 0)
    assert (report.providers_updated, report.listings_updated) == (0, 0)
    # Published listings stay published: a feed carries no status.
    assert report.published == report.records
