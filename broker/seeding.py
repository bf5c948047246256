"""Load the demo directory (or a synthetic one for scale work): LAs, schools, users, providers.

Seeds only what is missing: rows are matched on their natural keys (LA code, school URN, user
email, provider name and email or website) and a row that is already there is left exactly as
it is, whatever the seed file says. `make run` seeds on every start, so anything people changed
since (a school's support category, a password, a suspended listing) must survive it.
`broker seed` (at the end) is the command.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlmodel import Session, col, select
from werkzeug.security import generate_password_hash

from broker.commandline import cli_session, progress_reporter, show_problems
from broker.interchange import services
from broker.models import (
    LocalAuthority,
    Provider,
    School,
    SchoolAuthority,
    SipAssignment,
    User,
    utcnow,
)
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
    las_present: int = 0
    schools_created: int = 0
    schools_present: int = 0
    users_created: int = 0
    users_present: int = 0
    visits_created: int = 0
    directory: services.ImportReport | None = None

    def summary(self) -> list[str]:
        """Return the report as lines for people."""
        lines = [
            f"Local authorities created: {self.las_created}, already present: {self.las_present}.",
            f"Schools created: {self.schools_created}, already present: {self.schools_present}.",
            f"Users created: {self.users_created}, already present: {self.users_present}.",
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
    """Add the LAs whose code is missing; return (created, already present)."""
    existing = set(session.exec(select(LocalAuthority.code)).all())
    created = present = 0
    for row in rows:
        code = str(row["code"])
        region = _slug(REGIONS, row["region"], f"LA {code} region")
        if code in existing:
            present += 1
            continue
        session.add(LocalAuthority(code=code, name=row["name"], region=region))
        existing.add(code)
        created += 1
    session.flush()
    return created, present


def seed_schools(session: Session, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Add the schools whose URN is missing (their LA by code); return (created, already present)."""
    las = dict(session.exec(select(LocalAuthority.code, LocalAuthority.id)).all())
    existing = set(session.exec(select(School.urn)).all())
    created = present = 0
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
        if urn in existing:
            present += 1
            continue
        new.append(School(urn=urn, **values))
        existing.add(urn)
        created += 1
    session.add_all(new)
    session.flush()
    return created, present


def seed_users(session: Session, rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Add the demo users whose email is missing, passwords hashed; return (created, already present).

    A user who is already there keeps their password, details and SIP schools as they are now.
    """
    las = dict(session.exec(select(LocalAuthority.code, LocalAuthority.id)).all())
    rows = list(rows)
    wanted = {
        str(u)
        for row in rows
        for u in ([row["school_urn"]] if row.get("school_urn") else row.get("school_urns") or [])
    }
    schools: dict[str, tuple[int, int]] = {
        urn: (services.row_id(sid), la_id)
        for urn, sid, la_id in session.exec(
            select(School.urn, School.id, School.la_id).where(col(School.urn).in_(sorted(wanted)))
        )
    }
    providers: dict[str, int] = {}
    for pid, name in session.exec(select(Provider.id, Provider.name).order_by(Provider.id)):  # type: ignore[arg-type]
        providers.setdefault(name.casefold(), services.row_id(pid))
    existing = {email.casefold() for email in session.exec(select(User.email))}
    now = utcnow()
    created = present = 0
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
            la_id = schools[urns[0]][1]
        provider_id = None
        if row.get("provider_name"):
            provider_id = providers.get(str(row["provider_name"]).casefold())
            if provider_id is None:
                raise SeedError(
                    f"{where}: provider {row['provider_name']!r} is not in the directory"
                )
        if email in existing:
            present += 1
            continue
        user = User(
            email=email,
            name=row["name"],
            role=role,
            # A SIP works with several schools (SipAssignment); others belong to at most one.
            school_id=schools[urns[0]][0] if urns and role != "sip" else None,
            la_id=la_id,
            provider_id=provider_id,
            active=True,
            password_hash=generate_password_hash(str(row["password"]), method="scrypt"),
            password_changed_at=now,
            email_confirmed_at=now,  # demo accounts need no confirmation email
            created_at=now,
        )
        session.add(user)
        session.flush()
        existing.add(email)
        created += 1
        if role == "sip":
            assert user.id is not None
            for urn in dict.fromkeys(urns):
                session.add(
                    SipAssignment(user_id=user.id, school_id=schools[urn][0], created_at=now)
                )
        if role == "school_leader" and user.school_id is not None:
            # Authorised by the school's head (an earlier row), to act for the school.
            head = session.exec(
                select(User.id).where(User.role == "headteacher", User.school_id == user.school_id)
            ).first()
            session.add(
                SchoolAuthority(
                    school_id=user.school_id,
                    user_id=services.row_id(user.id),
                    title=str(row.get("title") or "Deputy headteacher")[:100],
                    granted_by_id=head,
                    granted_at=now,
                )
            )
    session.flush()
    return created, present


def _seed_places(
    session: Session, las: Iterable[dict[str, Any]], schools: Iterable[dict[str, Any]]
) -> SeedReport:
    """Add the missing LAs, then the missing schools, and commit; return the report begun."""
    report = SeedReport()
    report.las_created, report.las_present = seed_local_authorities(session, las)
    report.schools_created, report.schools_present = seed_schools(session, schools)
    session.commit()
    return report


def seed_demo(session: Session, progress: services.Progress | None = None) -> SeedReport:
    """Load the demo directory from providers_seed/: LAs, schools, the directory, demo users."""
    try:
        from providers_seed import reader
    except ImportError as exc:
        raise SeedError(f"The demo data is not available ({exc}).") from None
    report = _seed_places(session, reader.load_local_authorities(), reader.load_schools())
    path = reader.directory_path()
    with open(path, "rb") as handle:
        report.directory = services.import_lines(
            session,
            handle,
            fresh_assurance=True,
            only_new=True,
            source=f"demo directory {path.name}",
            progress=progress,
        )
    report.users_created, report.users_present = seed_users(session, reader.load_users())
    session.commit()
    from broker.schools.demo import seed_demo_visits

    report.visits_created = seed_demo_visits(session)
    session.commit()
    from broker.feedback.demo import seed_demo_feedback

    seed_demo_feedback(session)
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
    report = _seed_places(
        session,
        synthetic.synthetic_local_authorities(),
        synthetic.synthetic_schools(synthetic.school_pool_size(n_listings)),
    )
    records = enumerate(synthetic.generate(n_listings, seed=seed), start=1)
    report.directory = services.import_records(
        session,
        records,
        fresh_assurance=True,
        only_new=True,
        source=f"synthetic seed {seed}",
        progress=progress,
    )
    return report


# --- `broker seed` --------------------------------------------------------------------------


@click.command("seed")
@with_appcontext
@click.option(
    "--synthetic",
    type=click.IntRange(min=1, max=1_000_000),
    metavar="N",
    help="Load synthetic LAs, schools and N listings instead of the demo directory.",
)
@click.option(
    "--seed", "seed_value", type=int, default=0, show_default=True, help="Synthetic data seed."
)
def seed_command(synthetic: int | None, seed_value: int) -> None:
    """Load the demo directory (LAs, schools, demo users, providers); safe to run again."""
    with cli_session() as session, progress_reporter(None, "Seeding") as tick:
        try:
            if synthetic is None:
                report = seed_demo(session, progress=tick)
            else:
                report = seed_synthetic(session, synthetic, seed=seed_value, progress=tick)
        except SeedError as exc:
            raise click.ClickException(str(exc)) from None
    for text in report.summary():
        click.echo(text)
    if report.directory is not None:
        show_problems(report.directory.errors, "Error")
        show_problems(report.directory.warnings, "Warning")
        if not report.directory.ok:
            click.get_current_context().exit(1)


def init_app(app: Flask) -> None:
    """Add `broker seed`."""
    app.cli.add_command(seed_command)
