"""Apply the index change log to the index, rebuild it, and compare it with the database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.models import IndexChange, Listing, utcnow
from broker.search.documents import all_documents, documents_for
from index.backends.base import SearchBackend
from index.backends.storage import file_lock
from index.documents import Document

#: A missing sequence number older than this is a rolled-back transaction, not a slow one.
GAP_TIMEOUT = timedelta(seconds=30)
BATCH = 2000
#: Most pending log entries read to hide their listings from a search (a bulk import's worth).
CHANGED_LIMIT = 20_000
#: Key in app.extensions: functions (Session -> count) run before each sync; features register.
BEFORE_SYNC = "broker.search.before_sync"


@contextmanager
def sync_lock(directory: str | None, timeout: float = 10.0) -> Iterator[None]:
    """Hold the one-syncer-per-index lock (across processes), waiting at most `timeout` seconds.

    Reading the database and writing the index under one lock means a slow syncer can never
    overwrite a newer state written by a faster one.
    """
    if directory is None:
        yield
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    with file_lock(os.path.join(directory, ".sync.lock"), timeout):
        yield


def before_sync(session: Session, hooks: Iterable[Callable[[Session], int]]) -> int:
    """Run the functions a feature registered to run before each sync; return their total count.

    The lifecycle registers its lapse run (broker.lifecycle): the rule lives there, the index
    only gives it a moment, so an assurance that ran out is recorded by the first sync after.
    """
    return sum(hook(session) for hook in hooks)


def lapse_expired(session: Session) -> int:
    """Run the before-sync functions of the session's app (recording lapses that are due)."""
    app = session.info.get("broker.app")
    return before_sync(session, app.extensions.get(BEFORE_SYNC, ()) if app is not None else ())


def _watermark(rows: list[tuple[int, object]], after: int) -> int:
    """Return the highest seq up to which the log is complete (gaps older than GAP_TIMEOUT skipped)."""
    now = utcnow()
    mark = after
    for seq, at in rows:
        if seq != mark + 1 and now - at < GAP_TIMEOUT:  # type: ignore[operator]
            break  # an earlier transaction may still commit this gap: come back for it
        mark = seq
    return mark


@dataclass
class SyncReport:
    applied: int = 0
    deleted: int = 0
    upserted: int = 0
    last_seq: int = 0
    lapsed: int = 0
    notes: list[str] = field(default_factory=list)


def sync(
    session: Session,
    backend: SearchBackend,
    directory: str | None,
    timeout: float = 10.0,
    hooks: Iterable[Callable[[Session], int]] = (),
) -> SyncReport:
    """Run the before-sync `hooks`, then apply every logged change after the index's last one."""
    report = SyncReport(lapsed=before_sync(session, hooks))
    with sync_lock(directory, timeout):
        after = backend.last_seq()
        while True:
            rows = session.exec(
                select(IndexChange.seq, IndexChange.listing_id, IndexChange.at)
                .where(col(IndexChange.seq) > after)
                .order_by(col(IndexChange.seq))
                .limit(BATCH)
            ).all()
            if not rows:
                break
            mark = _watermark([(int(s or 0), at) for s, _, at in rows], after)
            # Apply everything seen (re-applying is harmless), but only claim the complete prefix.
            ids = [lid for _, lid, _ in rows]
            upserts, deletions = documents_for(session, ids)
            backend.apply(upserts, deletions, mark)
            report.applied += len(rows)
            report.upserted += len(upserts)
            report.deleted += len(deletions)
            session.rollback()  # end the read transaction so the next batch sees fresh data
            if mark == after or len(rows) < BATCH:
                after = mark
                break
            after = mark
        report.last_seq = after
    return report


def pending(session: Session, backend: SearchBackend) -> int:
    """Return how many log entries the index has not applied yet."""
    latest = session.exec(select(sa.func.max(IndexChange.seq))).one()
    return max(0, int(latest or 0) - backend.last_seq())


def changed_since(session: Session, seq: int) -> frozenset[int]:
    """Return the listings the change log names after entry `seq` (usually none: one read)."""
    # Through the connection, no ORM, a statement built once: this runs before every search.
    rows = session.connection().execute(_changed_statement(), {"seq": seq})
    return frozenset(int(i) for (i,) in rows)


@lru_cache(maxsize=1)
def _changed_statement() -> sa.Select[Any]:
    table = IndexChange.__table__.c  # type: ignore[attr-defined]
    return (
        sa.select(table.listing_id)
        .where(table.seq > sa.bindparam("seq", type_=sa.Integer))
        .limit(CHANGED_LIMIT)
    )


def latest_seq(session: Session) -> int:
    return int(session.exec(select(sa.func.max(IndexChange.seq))).one() or 0)


def rebuild(
    session: Session,
    backend: SearchBackend,
    directory: str | None,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Build a fresh index of every searchable listing beside the live one, then swap it in."""
    seq = latest_seq(session)
    total = session.exec(
        select(sa.func.count()).select_from(Listing).where(Listing.status == "assured")
    ).one()

    def documents() -> Iterator[Document]:
        for n, document in enumerate(all_documents(session), start=1):
            if progress and n % 500 == 0:
                progress(n, int(total))
            yield document

    count = backend.rebuild(documents(), seq)
    if progress:
        progress(count, count)
    session.rollback()
    # Changes logged while we rebuilt are after `seq`: apply them now.
    sync(session, backend, directory)
    return count


@dataclass(frozen=True)
class Difference:
    listing_id: int
    problem: str


def check(session: Session, backend: SearchBackend) -> list[Difference]:
    """Compare the database with the index and return every difference."""
    expected = {d.id: d.fingerprint() for d in all_documents(session)}
    actual = backend.fingerprints()
    differences: list[Difference] = []
    for listing_id in sorted(set(expected) | set(actual)):
        want, have = expected.get(listing_id), actual.get(listing_id)
        if want == have:
            continue
        if have is None:
            problem = "missing from the index"
        elif want is None:
            problem = "in the index but should not be searchable"
        else:
            problem = "out of date in the index"
        differences.append(Difference(listing_id, problem))
    return differences
