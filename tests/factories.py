"""Small factory functions for test data: each adds one row with sensible defaults and returns it."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.evidence import recommendation_counts
from broker.models import (
    Listing,
    LocalAuthority,
    Provider,
    Recommendation,
    School,
    User,
    utcnow,
)
from broker.reference.services import reference_local_authorities, retired_codes
from broker.taxonomy import SCHOOLS_NEEDED

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


@cache
def _real_codes() -> frozenset[str]:
    """England's LA codes, current and retired: a test's made-up LA must never take one (a test
    that also loads the reference list, or the demo, would then meet it twice)."""
    current = {la.code for la in reference_local_authorities()}
    return frozenset(current | set(retired_codes()))


def _made_up_code() -> tuple[int, str]:
    while True:
        n = _n()
        code = f"9{n:02d}"[-3:] if n < 100 else str(n)
        if code not in _real_codes():
            return n, code


def local_authority(session: Session, **kw: Any) -> LocalAuthority:
    n, code = _made_up_code()
    la = LocalAuthority(
        code=kw.pop("code", code),
        name=kw.pop("name", f"Test Borough {n}"),
        region=kw.pop("region", "south-east"),
        **kw,
    )
    session.add(la)
    session.flush()
    return la


def school(session: Session, la: LocalAuthority | None = None, **kw: Any) -> School:
    n = _n()
    la = la or local_authority(session)
    s = School(
        urn=kw.pop("urn", str(100000 + n)),
        name=kw.pop("name", f"Test Primary School {n}"),
        phase=kw.pop("phase", "primary"),
        type=kw.pop("type", "community-school"),
        la_id=la.id,
        **kw,
    )
    session.add(s)
    session.flush()
    return s


def provider(session: Session, **kw: Any) -> Provider:
    n = _n()
    p = Provider(
        name=kw.pop("name", f"Test Provider {n}"),
        kind=kw.pop("kind", "company"),
        email=kw.pop("email", f"provider{n}@example.org"),
        **kw,
    )
    session.add(p)
    session.flush()
    return p


def _stand_in_evidence(session: Session, provider_: Provider) -> list[Any]:
    """Add what the database needs to accept an assured listing: two recommending schools.

    The database refuses an assured listing without them (migration 0008). Tests ask for
    assured listings with whatever evidence they set up themselves (often none, to test what
    happens when recommendations are gone), so the stand-ins are removed again once the listing
    is in: the same state a withdrawal or three years' passing leaves. Returns the rows to remove.
    """
    pid = int(provider_.id or 0)
    missing = SCHOOLS_NEEDED - recommendation_counts(session, [pid]).get(pid, 0)
    added: list[Any] = []
    if missing <= 0:
        return added
    la = session.exec(select(LocalAuthority).order_by(col(LocalAuthority.id))).first()
    if la is None:
        la = LocalAuthority(code="ZZ9", name="Stand-in LA", region="london")
        session.add(la)
        session.flush()
        added.append(la)
    for _ in range(missing):
        n = _n()
        stand_in = School(
            urn=f"9{n:08d}", name=f"Stand-in {n}", phase="primary", type="academy", la_id=la.id
        )
        session.add(stand_in)
        session.flush()
        rec = Recommendation(
            provider_id=pid,
            school_id=stand_in.id,
            recommender_name="Stand-in",
            service_title="Stand-in",
            impact="Stands in while the listing is added.",
            made_on=date.today(),
        )
        session.add(rec)
        added[:0] = [rec, stand_in]
    session.flush()
    return added


def listing(session: Session, provider_: Provider | None = None, **kw: Any) -> Listing:
    """Add a listing; assured and in date unless `status` says otherwise (see _stand_in_evidence)."""
    n = _n()
    provider_ = provider_ or provider(session)
    status = kw.pop("status", "assured")
    stand_ins = _stand_in_evidence(session, provider_) if status == "assured" else []
    now = utcnow()
    item = Listing(
        provider_id=provider_.id,
        code=kw.pop("code", f"T{n:05d}"),
        title=kw.pop("title", f"Support service {n}"),
        summary=kw.pop("summary", "Practical support for schools."),
        description=kw.pop("description", "A longer description of the support offered."),
        categories=kw.pop("categories", ["teaching-and-learning"]),
        ecm_outcomes=kw.pop("ecm_outcomes", ["enjoy-and-achieve"]),
        phases=kw.pop("phases", ["primary"]),
        delivery=kw.pop("delivery", ["on-site-consultancy"]),
        cost=kw.pop("cost", "paid"),
        national=kw.pop("national", True),
        status=status,
        assured_at=kw.pop("assured_at", now if status == "assured" else None),
        assurance_expires_at=kw.pop(
            "assurance_expires_at", now + timedelta(days=365) if status == "assured" else None
        ),
        **kw,
    )
    session.add(item)
    session.flush()
    # Recommendations first, then schools, then a stand-in LA: each refers to the next.
    for row in sorted(
        stand_ins, key=lambda r: (Recommendation, School, LocalAuthority).index(type(r))
    ):
        session.delete(row)
    session.flush()
    return item


def recommendation(
    session: Session, provider_: Provider, school_: School | None = None, **kw: Any
) -> Recommendation:
    school_ = school_ or school(session)
    rec = Recommendation(
        provider_id=provider_.id,
        school_id=school_.id,
        recommender_name=kw.pop("recommender_name", "A. Head"),
        service_title=kw.pop("service_title", "Support service"),
        impact=kw.pop("impact", "Attainment in reading rose and staff confidence grew."),
        made_on=kw.pop("made_on", date.today() - timedelta(days=30)),
        **kw,
    )
    session.add(rec)
    session.flush()
    return rec


def user(session: Session, role: str = "headteacher", **kw: Any) -> User:
    n = _n()
    u = User(
        email=kw.pop("email", f"user{n}@example.org"),
        name=kw.pop("name", f"Test User {n}"),
        role=role,
        **kw,
    )
    session.add(u)
    session.flush()
    return u


def assured_provider(session: Session, listings: int = 1, **kw: Any) -> Provider:
    """Add a provider with two recommending schools and `listings` assured listings."""
    p = provider(session, **kw)
    recommendation(session, p)
    recommendation(session, p)
    for _ in range(listings):
        listing(session, p)
    return p


def times_analysed(session: Session, table: str) -> int:
    """Return how many times `table`'s planner statistics were gathered (ANALYZE), as far as the
    database tells: PostgreSQL counts them; SQLite has them (1) or not (0)."""
    session.rollback()  # a new transaction: PostgreSQL's statistics views read as of now
    if session.get_bind().dialect.name == "sqlite":
        found = session.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        ).first()
        if found is None:
            return 0
        return int(
            session.execute(
                sa.text("SELECT count(*) > 0 FROM sqlite_stat1 WHERE tbl = :t"), {"t": table}
            ).scalar_one()
        )
    return int(
        session.execute(
            sa.text(
                "SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables"
                " WHERE relname = :t"
            ),
            {"t": table},
        ).scalar_one()
    )
