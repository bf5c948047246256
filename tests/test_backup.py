"""`broker backup` and `broker restore`: a round trip loses nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, SQLModel, select

from broker import db
from broker.models import Listing, Provider, School, User
from tests import factories as f
from tests.conftest import PG_ADMIN_URL, close_app, make_app


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args))


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (and the schema revision), in primary-key order."""
    engine = db.get_engine(app)
    tables = [
        *SQLModel.metadata.sorted_tables,
        sa.Table("alembic_version", sa.MetaData(), sa.Column("version_num")),
    ]
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [
                tuple(row) for row in connection.execute(sa.select(table).order_by(*order))
            ]
    return out


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second database of the same kind with nothing in it at all (not even tables)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"broker_e_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_then_restore_loses_nothing_and_refuses_to_overwrite_data_unforced(
    any_app: Flask, any_session: Session, empty_url: str, tmp_path: Path
) -> None:
    assert run(any_app, "init-db").exit_code == 0
    assert run(any_app, "seed").exit_code == 0
    before = snapshot(any_app)
    assert len(before["listing"]) > 300 and len(before["user"]) > 5
    assert before["feedback"]  # the demo heads' feedback (broker.feedback.demo)
    out = tmp_path / "backups" / "directory.backup"
    out.parent.mkdir()
    backed = run(any_app, "backup", str(out))
    assert backed.exit_code == 0, backed.output
    assert out.stat().st_mode & 0o077 == 0  # it holds password hashes: the owner's alone

    # Into a database that has never been migrated: everything comes back, schema and rules too.
    other = make_app(tmp_path / "other", empty_url)
    try:
        restored = run(other, "restore", str(out))
        assert restored.exit_code == 0, restored.output
        assert "Now rebuild the search index" in restored.output
        assert snapshot(other) == before
        with db.new_session(other) as session:
            assert f.times_analysed(session, "listing")  # a dump carries no statistics
            provider = Provider(name="After the restore", kind="company", email="a@example.org")
            session.add(provider)
            session.commit()  # ids carry on after the restored ones
            assert provider.id is not None and provider.id > max(r[0] for r in before["provider"])
            draft = session.exec(select(Listing).where(Listing.status == "submitted")).first()
            assert draft is not None
            draft.provider_id = provider.id
            draft.status = "assured"
            with pytest.raises(sa.exc.IntegrityError, match="two different schools"):
                session.commit()  # the publishing rule's trigger came back with the schema
    finally:
        close_app(other)

    # Over a database that holds data: refused unless forced, then exactly the backup again.
    school = any_session.exec(select(School).where(School.support_category == "targeted")).first()
    assert school is not None
    school.support_category = "intensive"
    user = any_session.exec(select(User)).first()
    assert user is not None
    user.name = "Changed since the backup"
    any_session.add(Provider(name="Added since the backup", kind="company", email="n@example.org"))
    any_session.commit()
    changed = snapshot(any_app)
    refused = run(any_app, "restore", str(out))
    assert refused.exit_code == 1
    assert "The database is not empty" in refused.output and "--force" in refused.output
    assert "Traceback" not in refused.output
    assert snapshot(any_app) == changed
    any_session.close()
    forced = run(any_app, "restore", "--force", str(out))
    assert forced.exit_code == 0, forced.output
    assert snapshot(any_app) == before


def test_restore_refuses_what_is_not_a_backup_of_this_kind(any_app: Flask, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup\n")
    result = run(any_app, "restore", str(junk))
    assert result.exit_code == 1
    assert "is not a " in result.output and "backup" in result.output
    assert "Traceback" not in result.output
    missing = run(any_app, "restore", str(tmp_path / "absent.backup"))
    assert missing.exit_code == 1 and "is not a file" in missing.output


def test_a_backup_made_by_a_newer_version_is_refused(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "b.sqlite"
    assert run(app, "backup", str(out)).exit_code == 0
    connection = sqlite3.connect(out)
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()
    result = run(app, "restore", "--force", str(out))
    assert result.exit_code == 1
    assert "9999_from_the_future, which this version of the application does not know" in (
        result.output
    )


def test_a_backup_cannot_overwrite_the_database_itself(app: Flask) -> None:
    path = db.get_engine(app).url.database
    result = run(app, "backup", str(path))
    assert result.exit_code == 1
    assert "would overwrite the database itself" in result.output


def test_a_backup_from_an_older_version_is_migrated_to_this_schema(
    app: Flask, tmp_path: Path
) -> None:
    out = tmp_path / "b.sqlite"
    assert run(app, "backup", str(out)).exit_code == 0
    connection = sqlite3.connect(out)  # as a backup made before revision 0008 would be
    connection.execute("DROP INDEX ix_audit_event_entity")  # (0020_audit_entity_index's)
    connection.execute("DROP INDEX ix_listing_assured_expiry")  # (0019_assured_expiry_index's)
    connection.execute("DROP INDEX ix_provider_la_id")  # (revision 0018_provider_la_index's)
    connection.execute("DROP TABLE feedback")  # (revision 0017_feedback's)
    # (revision 0016_provider_capacity's: what a provider can take on)
    for column in ("capacity_days", "not_taking_until", "capacity_updated_at"):
        connection.execute(f"ALTER TABLE provider DROP COLUMN {column}")
    connection.execute("DROP TABLE offline_draft")  # (revision 0015_offline_drafts's)
    # (revision 0014_support_plan's: a brokerage's planned dates, cost and success criteria)
    for column in (
        "planned_start",
        "planned_end",
        "agreed_cost_pence",
        "cost_note",
        "success_criteria",
    ):
        connection.execute(f"ALTER TABLE brokerage DROP COLUMN {column}")
    # (revision 0013_assurance_depth's: interests, leaders, changed fields, declarations)
    connection.execute("DROP TRIGGER recommendation_rule_insert")  # (it names the next table;
    connection.execute("DROP TRIGGER recommendation_rule_update")  # 0013 makes both again)
    connection.execute("DROP TABLE school_authority")
    connection.execute("DROP TABLE interest")
    connection.execute("ALTER TABLE audit_event DROP COLUMN changed_fields")
    connection.execute("ALTER TABLE brokerage DROP COLUMN interest_declared")
    connection.execute("DROP TABLE saved_search")  # (revision 0011_saved_searches's)
    connection.execute("DROP INDEX ix_listing_assurance_expires_at")  # (revision 0009's)
    connection.execute("DROP TRIGGER listing_assured_rule_insert")
    connection.execute("DROP TRIGGER listing_assured_rule_update")
    # (and revision 0012_daily_work's: the notification tables and a visit's next visit)
    connection.execute("DROP TABLE notification_setting")
    connection.execute("DROP TABLE notification")
    connection.execute("ALTER TABLE school_visit DROP COLUMN next_visit_on")
    connection.execute("UPDATE alembic_version SET version_num = '0007_school_register'")
    connection.commit()
    connection.close()
    result = run(app, "restore", "--force", str(out))
    assert result.exit_code == 0, result.output
    assert "migrated to this version's schema" in result.output
    with db.get_engine(app).connect() as conn:
        names = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        assert {
            "listing_assured_rule_insert",
            "listing_assured_rule_update",
            "recommendation_rule_insert",
            "recommendation_rule_update",
        } <= set(names.scalars())
