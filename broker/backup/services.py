"""Back up and restore the whole database: SQLite's online backup API, or pg_dump/pg_restore.

A backup is one file. From SQLite it is itself a SQLite database (consistent even while the
application writes: the backup API copies a snapshot); from PostgreSQL it is pg_dump's custom
format. Restore puts a backup of the same kind back, refusing to overwrite a database that
holds data unless told to (`force`), and refusing a backup made at a schema revision this
version does not know (a newer one). The search index is derived: rebuild it after a restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from broker import db

#: Tables whose rows are reference data, not what people entered: a database holding only
#: these (what `broker init-db` leaves) counts as empty.
REFERENCE_TABLES = frozenset({"local_authority", "alembic_version"})
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreReport:
    #: The schema revision the backup was made at (the caller migrates it if it is not the head).
    revision: str
    rows: int


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database).resolve()


def _pg_env(engine: Engine) -> dict[str, str]:
    """Return the environment that points libpq tools at the engine's database (password kept out of argv)."""
    url = engine.url
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
        ("PGSSLMODE", url.query.get("sslmode")),
    ):
        if value:
            env[key] = str(value)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) in the version of the server or newer."
        )
    return path


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        raise BackupError(f"{what} failed: {reason}")


def data_rows(engine: Engine) -> int:
    """Return how many rows people's data fills (every application table but the reference ones)."""
    present = set(sa.inspect(engine).get_table_names())
    total = 0
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in REFERENCE_TABLES or table.name not in present:
                continue
            total += connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return total


def backup(engine: Engine, out: Path) -> Path:
    """Write a consistent copy of the database to `out` (replaced atomically); return it."""
    out = out.resolve()
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a directory.")
    if _is_sqlite(engine) and out == _sqlite_path(engine):
        raise BackupError("The backup would overwrite the database itself: choose another file.")
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(handle)
    try:
        if _is_sqlite(engine):
            _sqlite_backup(engine, Path(temporary))
        else:
            _run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={temporary}"],
                _pg_env(engine),
                "pg_dump",
            )
        os.chmod(temporary, 0o600)  # it holds password hashes and confidential school data
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out


def _sqlite_backup(engine: Engine, target: Path) -> None:
    with engine.connect() as connection:
        source = connection.connection.driver_connection
        assert isinstance(source, sqlite3.Connection)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()


def _backup_revision(engine: Engine, source: Path) -> str | None:
    """Read the Alembic revision a backup was made at (None: no application tables)."""
    with source.open("rb") as handle:
        magic = handle.read(16)
    if _is_sqlite(engine):
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError(
                f"{source} is not a SQLite backup; this database is SQLite, so restore a file "
                "that `broker backup` made from a SQLite database."
            )
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            row = None
        finally:
            connection.close()
        return str(row[0]) if row else None
    if not magic.startswith(PGDUMP_MAGIC):
        raise BackupError(
            f"{source} is not a pg_dump custom-format backup; this database is PostgreSQL, so "
            "restore a file that `broker backup` made from a PostgreSQL database."
        )
    done = subprocess.run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    # The script holds "COPY public.alembic_version (version_num) FROM stdin;", the row, "\\.".
    lines = iter(done.stdout.splitlines())
    for line in lines:
        if line.startswith("COPY ") and "alembic_version" in line:
            row = next(lines, "\\.").strip()
            return None if row == "\\." else row
    return None


def restore(
    engine: Engine, source: Path, *, known_revisions: Collection[str], force: bool = False
) -> RestoreReport:
    """Replace the database with a backup made at one of `known_revisions`."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file.")
    revision = _backup_revision(engine, source)
    if revision is None:
        raise BackupError(f"{source} holds no migrated database of this application.")
    if revision not in known_revisions:
        raise BackupError(
            f"{source} was made at revision {revision}, which this version of the application "
            "does not know (a newer version made it): restore it with that version."
        )
    rows = data_rows(engine)
    if rows and not force:
        raise BackupError(
            f"The database is not empty ({rows} rows of data): restoring would replace them. "
            "Back it up first, then run the restore again with --force."
        )
    if _is_sqlite(engine):
        _sqlite_restore(engine, source)
    else:
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={engine.url.database}",
                str(source),
            ],
            _pg_env(engine),
            "pg_restore",
        )
    engine.dispose()  # connections opened before the restore may have cached the old schema
    db.refresh_statistics(engine)  # a dump carries no planner statistics
    return RestoreReport(revision=revision, rows=data_rows(engine))


def _sqlite_restore(engine: Engine, source: Path) -> None:
    engine.dispose()
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        with engine.connect() as connection:
            target = connection.connection.driver_connection
            assert isinstance(target, sqlite3.Connection)
            backup_file.backup(target)
    except sqlite3.OperationalError as exc:
        raise BackupError(
            f"The database is in use ({exc}): stop the application, then restore."
        ) from None
    finally:
        backup_file.close()


def describe(engine: Engine) -> str:
    """Name the database for messages, without its password."""
    return make_url(engine.url).render_as_string(hide_password=True)
