"""Load the demo directory (or a synthetic one for scale work): LAs, schools, users, providers.

Idempotent: rows are matched on their natural keys (LA code, school URN, user email, provider
name and email or website) and only what differs is written, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from broker.interchange import services
from broker.models import LocalAuthority, Provider, School, SipAssignment, User, utcnow
from broker.taxonomy import (
    PHASES,
    REGIONS,
    ROLES,
    SCHOOL_TYPES,
    SEN_SPECIALISMS,
    SUPPORT_CATEGORIES,
    Vocabulary,
)


class SeedError(Exception):
    """The seed data itself is wrong or missing; the message says where."""


@dataclass
class SeedReport:
    las_created: int = 0
    las_updated: int = 0
    schools_created: int = 0
    schools_updated: int = 0
    users_created: int = 0
    users_updated: int = 0
    visits_created: int = 0
    directory: services.ImportReport | None = None

    def summary(self) -> list[str]:
        """Return the report as lines for people."""
        lines = [
            f"Local authorities created: {self.las_created}, updated: {self.las_updated}.",
            f"Schools created: {self.schools_created}, updated: {self.schools_updated}.",
            f"Users created: {self.users_created}, updated: {self.users_updated}.",
            f"Demo SIP visits created: {self.visits_created}.",
        ]
        if self.directory is not None:
            lines += self.directory.summary()
        return lines


def _slug(vocab: Vocabulary, value: Any, where: str) -> str:
    term = vocab.get(value) if isinstance(value, str) else None
    if term is None:
        raise SeedError(f"{where}: {value!r} is not a {vocab.label.lower()}")
    return term.slug


def seed_local_authorities(session: Session, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Add or update LAs by code; return (created, updated)."""
    existing = {la.code: la for la in session.exec(select(LocalAuthority))}
    created = updated = 0
    for row in rows:
        code = str(row["code"])
        values = {"name": row["name"], "region": _slug(REGIONS, row["region"], f"LA {code} region")}
        la = existing.get(code)
        if la is None:
            la = LocalAuthority(code=code, **values)
            session.add(la)
            existing[code] = la
            created += 1
        elif services.update_changed(la, values):
            updated += 1
    session.flush()
    return created, updated


def seed_schools(session: Session, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Add or update schools by URN (their LA by code); return (created, updated)."""
    las = dict(session.exec(select(LocalAuthority.code, LocalAuthority.id)).all())
    existing = {s.urn: s for s in session.exec(select(School))}
    created = updated = 0
    new: list[School] = []
    for row in rows:
        urn = str(row["urn"])
        where = f"school {urn}"
        la_id = las.get(str(row["la_code"]))
        if la_id is None:
            raise SeedError(f"{where}: LA code {row['la_code']!r} is not known")
        category = row.get("support_category")
        values = {
            "name": row["name"],
            "phase": _slug(PHASES, row["phase"], f"{where} phase"),
            "type": _slug(SCHOOL_TYPES, row["type"], f"{where} type"),
            "la_id": la_id,
            "sen_specialisms": [
                _slug(SEN_SPECIALISMS, s, f"{where} SEN specialism")
                for s in row.get("sen_specialisms") or []
            ],
            "support_category": _slug(SUPPORT_CATEGORIES, category, f"{where} support category")
            if category
            else None,
        }
        school = existing.get(urn)
        if school is None:
            school = School(urn=urn, **values)
            new.append(school)
            existing[urn] = school
            created += 1
        elif services.update_changed(school, values):
            updated += 1
    session.add_all(new)
    session.flush()
    return created, updated


def seed_users(session: Session, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Add or update demo users by email, passwords hashed; return (created, updated)."""
    las = dict(session.exec(select(LocalAuthority.code, LocalAuthority.id)).all())
    schools = {s.urn: s for s in session.exec(select(School))}
    providers: dict[str, int] = {}
    for pid, name in session.exec(select(Provider.id, Provider.name).order_by(Provider.id)):  # type: ignore[arg-type]
        providers.setdefault(name.casefold(), services.row_id(pid))
    users = {u.email.casefold(): u for u in session.exec(select(User))}
    now = utcnow()
    created = updated = 0
    for row in rows:
        email = str(row["email"]).strip().lower()
        where = f"user {email}"
        role = _slug(ROLES, row["role"], f"{where} role")
        urns = [
            str(u)
            for u in (
                [row["school_urn"]] if row.get("school_urn") else row.get("school_urns") or []
            )
        ]
        for urn in urns:
            if urn not in schools:
                raise SeedError(f"{where}: school {urn} is not known")
        la_id = None
        if row.get("la_code"):
            la_id = las.get(str(row["la_code"]))
            if la_id is None:
                raise SeedError(f"{where}: LA code {row['la_code']!r} is not known")
        elif urns:
            la_id = schools[urns[0]].la_id
        provider_id = None
        if row.get("provider_name"):
            provider_id = providers.get(str(row["provider_name"]).casefold())
            if provider_id is None:
                raise SeedError(
                    f"{where}: provider {row['provider_name']!r} is not in the directory"
                )
        values: dict[str, Any] = {
            "name": row["name"],
            "role": role,
            # A SIP works with several schools (SipAssignment); others belong to at most one.
            "school_id": schools[urns[0]].id if urns and role != "sip" else None,
            "la_id": la_id,
            "provider_id": provider_id,
            "active": True,
        }
        user = users.get(email)
        if user is None:
            user = User(
                email=email,
                password_hash=generate_password_hash(str(row["password"]), method="scrypt"),
                password_changed_at=now,
                email_confirmed_at=now,  # demo accounts need no confirmation email
                created_at=now,
                **values,
            )
            session.add(user)
            session.flush()
            users[email] = user
            created += 1
        else:
            changed = services.update_changed(user, values)
            if not check_password_hash(user.password_hash or "", str(row["password"])):
                user.password_hash = generate_password_hash(str(row["password"]), method="scrypt")
                user.password_changed_at = now
                changed = True
            if user.email_confirmed_at is None:
                user.email_confirmed_at = now
                changed = True
            updated += changed
        if role == "sip":
            assigned = set(
                session.exec(
                    select(SipAssignment.school_id).where(SipAssignment.user_id == user.id)
                ).all()
            )
            for urn in urns:
                school_id = schools[urn].id
                assert user.id is not None and school_id is not None
                if school_id not in assigned:
                    session.add(SipAssignment(user_id=user.id, school_id=school_id, created_at=now))
    session.flush()
    return created, updated


def seed_demo(session: Session, progress: services.Progress | None = None) -> SeedReport:
    """Load the demo directory from providers_seed/: LAs, schools, the directory, demo users."""
    try:
        from providers_seed import reader
    except ImportError as exc:
        raise SeedError(f"The demo data is not available ({exc}).") from None
    report = SeedReport()
    report.las_created, report.las_updated = seed_local_authorities(
        session, reader.load_local_authorities()
    )
    report.schools_created, report.schools_updated = seed_schools(session, reader.load_schools())
    session.commit()
    path = reader.directory_path()
    with open(path, "rb") as handle:
        report.directory = services.import_lines(
            session,
            handle,
            fresh_assurance=True,
            source=f"demo directory {path.name}",
            progress=progress,
        )
    report.users_created, report.users_updated = seed_users(session, reader.load_users())
    session.commit()
    from broker.schools.demo import seed_demo_visits

    report.visits_created = seed_demo_visits(session)
    session.commit()
    return report


def seed_synthetic(
    session: Session, n_listings: int, seed: int = 0, progress: services.Progress | None = None
) -> SeedReport:
    """Load synthetic LAs, schools and about `n_listings` listings (deterministic for a seed)."""
    try:
        from providers_seed import synthetic
    except ImportError as exc:
        raise SeedError(f"The synthetic generator is not available ({exc}).") from None
    report = SeedReport()
    report.las_created, report.las_updated = seed_local_authorities(
        session, synthetic.synthetic_local_authorities()
    )
    report.schools_created, report.schools_updated = seed_schools(
        session, synthetic.synthetic_schools(synthetic.school_pool_size(n_listings))
    )
    session.commit()
    records = enumerate(synthetic.generate(n_listings, seed=seed), start=1)
    report.directory = services.import_records(
        session, records, fresh_assurance=True, source=f"synthetic seed {seed}", progress=progress
    )
    return report
