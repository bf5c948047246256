"""Import and export the directory in its interchange format: JSON Lines, one provider per line.

Import checks every record (records.py), then writes each in its own savepoint: a bad record
writes nothing of itself while the good ones land, committed in batches. Every listing created or
changed appends an IndexChange row in the same transaction, and every status the import sets is
recorded as an AuditEvent by the actor "import". Export writes what import reads, so
export -> import -> export gives the same bytes.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker.evidence import valid_since
from broker.interchange.records import (
    LISTING_FACETS,
    InvalidRecord,
    ListingRecord,
    Problem,
    ProviderRecord,
    RecommendationRecord,
    parse_json,
    parse_record,
    to_utc,
)
from broker.models import (
    AuditEvent,
    IndexChange,
    Listing,
    LocalAuthority,
    Provider,
    Recommendation,
    School,
    utcnow,
)
from broker.taxonomy import (
    ASSURANCE_MONTHS,
    COSTS,
    PROVIDER_KINDS,
    REGIONS,
    SCHOOLS_NEEDED,
)

#: Listing codes use 32 symbols that cannot be misread in print (no 0/O, no 1/I).
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 5
#: The actor named in audit events written by an import.
ACTOR = "import"
#: Statuses under which a listing has (or had) an assurance period.
_ASSURANCE_STATUSES = ("assured", "suspended", "lapsed")

Progress = Callable[[int], None]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool = False
    records: int = 0
    failed: int = 0
    providers_created: int = 0
    providers_updated: int = 0
    listings_created: int = 0
    listings_updated: int = 0
    recommendations_created: int = 0
    recommendations_updated: int = 0
    schools_created: int = 0
    demoted: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def summary(self) -> list[str]:
        """Return the report as lines for people."""
        verb = "would be" if self.dry_run else "were"
        head = "Dry run: nothing was written. " if self.dry_run else ""
        return [
            f"{head}{self.records} records read, {self.records - self.failed} valid, {self.failed} failed.",
            f"Providers {verb} created: {self.providers_created}, updated: {self.providers_updated}.",
            f"Listings {verb} created: {self.listings_created}, updated: {self.listings_updated}.",
            f"Recommendations {verb} created: {self.recommendations_created}, "
            f"updated: {self.recommendations_updated}.",
            f"Schools {verb} created: {self.schools_created}.",
            f"Warnings: {len(self.warnings)}.",
        ]


def numbered_lines(stream: Iterable[bytes | str]) -> Iterator[tuple[int, Any]]:
    """Yield (line number, decoded JSON or InvalidRecord) for each non-blank line."""
    for number, raw in enumerate(stream, start=1):
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, InvalidRecord([Problem("", "is not UTF-8 text")])
                continue
        else:
            text = raw
        if not text.strip():
            continue
        try:
            yield number, parse_json(text)
        except InvalidRecord as exc:
            yield number, exc


def import_records(
    session: Session,
    records: Iterable[tuple[int, Any]],
    *,
    dry_run: bool = False,
    fresh_assurance: bool = False,
    source: str = "import",
    progress: Progress | None = None,
    batch_size: int = 500,
    today: date | None = None,
) -> ImportReport:
    """Import decoded records, each numbered by its line; see the module docstring."""
    importer = _Importer(
        session,
        dry_run=dry_run,
        fresh_assurance=fresh_assurance,
        source=source,
        today=today or date.today(),
    )
    return importer.run(records, progress=progress, batch_size=batch_size)


def import_lines(session: Session, lines: Iterable[bytes | str], **options: Any) -> ImportReport:
    """Import JSON Lines text (a file opened in binary or text mode)."""
    return import_records(session, numbered_lines(lines), **options)


def listing_code(provider_name: str, title: str, attempt: int = 0) -> str:
    """Return the deterministic short code for a listing (another on each further attempt)."""
    text = f"{provider_name.casefold()}\n{title.casefold()}\n{attempt}"
    number = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def add_months(value: datetime, months: int) -> datetime:
    """Return `value` moved by whole calendar months (31 Jan + 1 month = 28/29 Feb)."""
    years, month0 = divmod(value.month - 1 + months, 12)
    year, month = value.year + years, month0 + 1
    return value.replace(
        year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1])
    )


def begin_transaction(session: Session) -> None:
    """Begin a real database transaction now, so savepoints nest inside it.

    Python's sqlite3 driver defers BEGIN until the first write; a SAVEPOINT issued before that
    starts the transaction itself and its RELEASE commits it, so a dry run would write.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")


def _website_key(url: str | None) -> str:
    if not url:
        return ""
    key = url.strip().casefold()
    for prefix in ("https://", "http://"):
        key = key.removeprefix(prefix)
    return key.removeprefix("www.").rstrip("/")


def _day(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return to_utc(a) == to_utc(b)
    return a == b


def update_changed(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; say whether any did."""
    changed = False
    for name, value in values.items():
        if not _same(getattr(obj, name), value):
            setattr(obj, name, value)
            changed = True
    return changed


@dataclass
class _KnownProvider:
    id: int
    email: str
    website: str


class _Importer:
    """One import run: caches of LAs, schools, providers and codes, so creating rows needs no SELECTs."""

    def __init__(
        self, session: Session, *, dry_run: bool, fresh_assurance: bool, source: str, today: date
    ) -> None:
        self.session = session
        self.dry_run = dry_run
        self.fresh_assurance = fresh_assurance
        self.source = source
        self.today = today
        self.now = utcnow().replace(microsecond=0)
        self.since = valid_since(today)
        self.report = ImportReport(dry_run=dry_run)
        self.las: dict[str, int] = {
            code: la_id
            for la_id, code in session.exec(select(LocalAuthority.id, LocalAuthority.code))
        }
        self.schools: dict[str, int] = {}
        self.school_urns: dict[int, str] = {}
        for school_id, urn in session.exec(select(School.id, School.urn)):
            self.schools[urn] = school_id
            self.school_urns[school_id] = urn
        self.providers: dict[str, list[_KnownProvider]] = {}
        for pid, name, email, website in session.exec(
            select(Provider.id, Provider.name, Provider.email, Provider.website).order_by(
                col(Provider.id)
            )
        ):
            self._remember(pid, name, email, website)
        self.codes: dict[str, int] = dict(session.exec(select(Listing.code, Listing.id)).all())

    def _remember(self, pid: int, name: str, email: str | None, website: str | None) -> None:
        known = _KnownProvider(pid, (email or "").casefold(), _website_key(website))
        entries = self.providers.setdefault(name.casefold(), [])
        entries[:] = [k for k in entries if k.id != pid] + [known]

    # --- the run ---------------------------------------------------------------------------

    def run(
        self, records: Iterable[tuple[int, Any]], *, progress: Progress | None, batch_size: int
    ) -> ImportReport:
        session = self.session
        session.info["broker.defer_index"] = True  # the index follows the log once, at the end
        begin_transaction(session)
        pending = 0
        try:
            for number, data in records:
                self.report.records += 1
                if self._one(number, data):
                    pending += 1
                if pending >= batch_size:
                    self._end_batch()
                    pending = 0
                if progress is not None:
                    progress(self.report.records)
            if self.dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info.pop("broker.defer_index", None)
        return self.report

    def _end_batch(self) -> None:
        if self.dry_run:
            self.session.flush()
        else:
            self.session.commit()
            self.session.expunge_all()
            begin_transaction(self.session)

    def _one(self, number: int, data: Any) -> bool:
        """Import one record; on failure report it and leave nothing of it behind."""
        try:
            if isinstance(data, InvalidRecord):
                raise data
            record = parse_record(data, today=self.today)
            self._import(number, record)
        except InvalidRecord as exc:
            self.report.failed += 1
            self.report.errors.extend(f"line {number}: {p}" for p in exc.problems)
            return False
        except sa.exc.SQLAlchemyError as exc:
            self.report.failed += 1
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            self.report.errors.append(f"line {number}: could not be saved: {reason}")
            return False
        return True

    # --- one record --------------------------------------------------------------------------

    def _import(self, number: int, record: ProviderRecord) -> None:
        problems: list[Problem] = []
        la_id = self._la(record.la_code, "provider.la_code", problems) if record.la_code else None
        fallback_la = la_id
        for i, listing in enumerate(record.listings):
            for code in listing.local_authorities:
                served = self._la(code, f"listings[{i}].areas_served.local_authorities", problems)
                fallback_la = fallback_la or served

        known = self._match(record)
        provider = self.session.get(Provider, known.id) if known else None
        old_listings: dict[str, Listing] = {}
        old_recs: dict[int, Recommendation] = {}
        if provider is not None:
            for item in self.session.exec(
                select(Listing).where(Listing.provider_id == provider.id)
            ):
                old_listings.setdefault(item.title.casefold(), item)
            for rec in self.session.exec(
                select(Recommendation).where(Recommendation.provider_id == provider.id)
            ):
                old_recs[rec.school_id] = rec

        new_schools = self._plan_schools(record, fallback_la, problems)
        codes = self._plan_codes(record, old_listings, problems)
        if problems:
            raise InvalidRecord(problems)

        valid_schools = self._valid_schools(record, old_recs)
        wants_assured = any((lr.status or record.status) == "assured" for lr in record.listings)
        demote = wants_assured and len(valid_schools) < SCHOOLS_NEEDED
        if demote:
            self.report.demoted += 1
            self.report.warnings.append(
                f"line {number}: {record.name!r} is marked assured but has valid recommendations "
                f"from {len(valid_schools)} different school(s); {SCHOOLS_NEEDED} are needed "
                f"(confirmed, within the last 3 years, not the provider's own school). "
                "Imported as submitted and not published."
            )
        self.report.warnings.extend(f"line {number}: {note}" for note in record.notes)

        latest = max(
            (r.made_on for r in record.recommendations if r.school_urn in valid_schools),
            default=None,
        )
        with self.session.begin_nested():
            self._write(
                number,
                record,
                provider,
                la_id,
                new_schools,
                codes,
                old_listings,
                old_recs,
                demote,
                latest,
            )
        # Only now, with the record saved, may later records rely on what it created.
        for urn, school in new_schools.items():
            assert school.id is not None
            self.schools[urn] = school.id
            self.school_urns[school.id] = urn

    def _la(self, code: str, path: str, problems: list[Problem]) -> int | None:
        la_id = self.las.get(code)
        if la_id is None:
            problems.append(Problem(path, f"{code!r} is not a known LA code"))
        return la_id

    def _match(self, record: ProviderRecord) -> _KnownProvider | None:
        email, website = (record.email or "").casefold(), _website_key(record.website)
        for known in self.providers.get(record.name.casefold(), []):
            if (email and known.email == email) or (website and known.website == website):
                return known
        return None

    def _plan_schools(
        self, record: ProviderRecord, la_id: int | None, problems: list[Problem]
    ) -> dict[str, School]:
        """Make (unsaved) the schools this record names that the database does not know."""
        wanted: list[tuple[str, str, str | None, str | None, str | None]] = []
        if record.school_urn:
            wanted.append(("provider.school_urn", record.school_urn, record.name, None, None))
        for i, rec in enumerate(record.recommendations):
            path = f"recommendations[{i}]"
            wanted.append(
                (path, rec.school_urn, rec.school_name, rec.school_phase, rec.school_type)
            )
        new: dict[str, School] = {}
        for path, urn, name, phase, school_type in wanted:
            if urn in self.schools or urn in new:
                continue
            if not name:
                problems.append(
                    Problem(
                        f"{path}.school_name", f"school {urn} is not known: give its name to add it"
                    )
                )
            elif la_id is None:
                problems.append(
                    Problem(
                        f"{path}.school_urn" if path.startswith("rec") else path,
                        f"school {urn} is not known and this record names no LA to add it in "
                        "(give provider.la_code or an LA served)",
                    )
                )
            else:
                new[urn] = School(
                    urn=urn,
                    name=name,
                    phase=phase or _guess_phase(name),
                    type=school_type or _guess_type(name),
                    la_id=la_id,
                )
        return new

    def _plan_codes(
        self, record: ProviderRecord, old: dict[str, Listing], problems: list[Problem]
    ) -> list[str]:
        """Choose each listing's code: the one given, the one it has, or a fresh one."""
        chosen: list[str] = []
        for i, lr in enumerate(record.listings):
            existing = old.get(lr.title.casefold())
            if lr.code:
                owner = self.codes.get(lr.code)
                if lr.code in chosen or (
                    owner is not None and (existing is None or owner != existing.id)
                ):
                    problems.append(
                        Problem(
                            f"listings[{i}].code",
                            f"{lr.code!r} is already the code of another listing",
                        )
                    )
                chosen.append(lr.code)
            elif existing is not None:
                chosen.append(existing.code)
            else:
                attempt = 0
                code = listing_code(record.name, lr.title)
                while code in self.codes or code in chosen:
                    attempt += 1
                    code = listing_code(record.name, lr.title, attempt)
                chosen.append(code)
        return chosen

    def _counts(self, status: str, withdrawn_at: datetime | None, made_on: date) -> bool:
        return (
            status == "confirmed" and withdrawn_at is None and self.since <= made_on <= self.today
        )

    def _valid_schools(
        self, record: ProviderRecord, old_recs: dict[int, Recommendation]
    ) -> set[str]:
        """Return the URNs of schools whose recommendation counts once this record is saved."""
        given = {rec.school_urn for rec in record.recommendations}
        urns = {
            rec.school_urn
            for rec in record.recommendations
            if self._counts(rec.status, rec.withdrawn_at, rec.made_on)
        }
        for school_id, rec in old_recs.items():
            urn = self.school_urns.get(school_id, "")
            if urn not in given and self._counts(rec.status, rec.withdrawn_at, rec.made_on):
                urns.add(urn)
        urns.discard(record.school_urn or "")
        return urns

    # --- writing -------------------------------------------------------------------------------

    def _write(
        self,
        number: int,
        record: ProviderRecord,
        provider: Provider | None,
        la_id: int | None,
        new_schools: dict[str, School],
        codes: list[str],
        old_listings: dict[str, Listing],
        old_recs: dict[int, Recommendation],
        demote: bool,
        latest: date | None,
    ) -> None:
        session = self.session
        report = self.report
        if new_schools:
            session.add_all(new_schools.values())
            session.flush()
            report.schools_created += len(new_schools)

        def school_id(urn: str) -> int:
            return self.schools[urn] if urn in self.schools else new_schools[urn].id  # type: ignore[return-value]

        values = {
            "name": record.name,
            "kind": record.kind,
            "website": record.website,
            "email": record.email,
            "phone": record.phone,
            "la_id": la_id,
            "school_id": school_id(record.school_urn) if record.school_urn else None,
        }
        provider_changed = False
        if provider is None:
            provider = Provider(**values, created_at=self.now, updated_at=self.now)
            session.add(provider)
            session.flush()
            report.providers_created += 1
            provider_changed = True
        elif update_changed(provider, values):
            provider.updated_at = self.now
            report.providers_updated += 1
            provider_changed = True
        assert provider.id is not None

        recs: list[tuple[RecommendationRecord, Recommendation]] = []
        for rr in record.recommendations:
            sid = school_id(rr.school_urn)
            rec_values: dict[str, Any] = {
                "recommender_name": rr.recommender_name,
                "service_title": rr.service_title,
                "impact": rr.impact,
                "made_on": rr.made_on,
                "status": rr.status,
                "withdrawn_at": rr.withdrawn_at,
            }
            rec = old_recs.get(sid)
            if rec is None:
                rec = Recommendation(
                    provider_id=provider.id, school_id=sid, created_at=self.now, **rec_values
                )
                session.add(rec)
                report.recommendations_created += 1
                provider_changed = True
            elif update_changed(rec, rec_values):
                report.recommendations_updated += 1
                provider_changed = True
            recs.append((rr, rec))

        changed: list[Listing] = []
        statuses: list[tuple[Listing, str | None]] = []
        by_title: dict[str, Listing] = {}
        retired: list[str] = []
        for lr, code in zip(record.listings, codes, strict=True):
            existing = old_listings.get(lr.title.casefold())
            if existing is not None and existing.code != code:
                retired.append(existing.code)
            status = lr.status or record.status
            if status == "assured" and demote:
                status = "submitted"
            submitted_at, assured_at, expires_at = self._dates(
                status, lr, existing, latest, demote, code
            )
            listing_values: dict[str, Any] = {
                "code": code,
                "title": lr.title,
                "summary": lr.summary,
                "description": lr.description,
                **{key: getattr(lr, key) for key in LISTING_FACETS},
                "cost": lr.cost,
                "price_note": lr.price_note,
                "national": lr.national,
                "regions": lr.regions,
                "local_authorities": lr.local_authorities,
                "contact_name": lr.contact_name,
                "contact_email": lr.contact_email,
                "contact_phone": lr.contact_phone,
                "status": status,
                "submitted_at": submitted_at,
                "assured_at": assured_at,
                "assurance_expires_at": expires_at,
            }
            if existing is None:
                item = Listing(
                    provider_id=provider.id,
                    created_at=self.now,
                    updated_at=self.now,
                    **listing_values,
                )
                session.add(item)
                report.listings_created += 1
                changed.append(item)
                statuses.append((item, None))
            else:
                item = existing
                old_status = item.status
                if update_changed(item, listing_values):
                    item.updated_at = self.now
                    report.listings_updated += 1
                    changed.append(item)
                if old_status != status:
                    statuses.append((item, old_status))
            by_title[lr.title] = item
        session.flush()

        for rr, rec in recs:
            if rr.listing_title is not None:
                listing_id = by_title[rr.listing_title].id
                if rec.listing_id != listing_id:
                    rec.listing_id = listing_id

        touched = {item.id for item in changed}
        if provider_changed:
            touched.update(item.id for item in old_listings.values())
            touched.update(item.id for item in by_title.values())
        session.add_all(
            [IndexChange(listing_id=i, at=self.now) for i in sorted(touched) if i is not None]
        )
        reason = f"Set by import ({self.source}, line {number})"
        if demote:
            reason += ": marked assured without recommendations from two different schools"
        session.add_all(
            [
                AuditEvent(
                    at=self.now,
                    actor_label=ACTOR,
                    entity_type="listing",
                    entity_id=item.id,
                    provider_id=provider.id,
                    action="import",
                    from_state=old_status,
                    to_state=item.status,
                    reason=reason,
                )
                for item, old_status in statuses
                if item.id is not None
            ]
        )
        session.flush()
        self._remember(provider.id, provider.name, provider.email, provider.website)
        for old_code in retired:
            self.codes.pop(old_code, None)
        for item in by_title.values():
            assert item.id is not None
            self.codes[item.code] = item.id

    def _dates(
        self,
        status: str,
        lr: ListingRecord,
        existing: Listing | None,
        latest: date | None,
        demoted: bool,
        code: str,
    ) -> tuple[datetime | None, datetime | None, datetime | None]:
        """Return (submitted_at, assured_at, assurance_expires_at) for a listing given `status`."""
        submitted_at: datetime | None
        assured_at: datetime | None
        expires_at: datetime | None
        if demoted and status == "submitted":
            submitted_at, assured_at, expires_at = lr.submitted_at or self.now, None, None
        elif lr.submitted_at or lr.assured_at or lr.assurance_expires_at:
            submitted_at, assured_at, expires_at = (
                lr.submitted_at,
                lr.assured_at,
                lr.assurance_expires_at,
            )
        elif existing is not None and existing.status == status:
            submitted_at = existing.submitted_at
            assured_at, expires_at = existing.assured_at, existing.assurance_expires_at
        else:
            submitted_at = existing.submitted_at if existing else None
            assured_at = existing.assured_at if existing else None
            expires_at = existing.assurance_expires_at if existing else None
            if status == "submitted":
                submitted_at = self.now
            elif status in ("assured", "lapsed"):
                assured_at = expires_at = None  # a fresh assurance (or a lapse) gets its own dates
        if status in _ASSURANCE_STATUSES and assured_at is None:
            base = _day(latest) if latest else self.now
            if status == "lapsed" and add_months(base, ASSURANCE_MONTHS) > self.now:
                base = add_months(self.now, -ASSURANCE_MONTHS - 1)
            assured_at = base
        if assured_at is not None and expires_at is None:
            expires_at = add_months(assured_at, ASSURANCE_MONTHS)
        if status == "submitted" and submitted_at is None:
            submitted_at = self.now
        if (
            self.fresh_assurance
            and status == "assured"
            and expires_at is not None
            and expires_at <= self.now
        ):
            # Demo data must be in date today: move the assurance into the last year.
            days = 1 + int.from_bytes(hashlib.sha256(code.encode()).digest()[:4], "big") % 300
            assured_at = self.now - timedelta(days=days)
            expires_at = add_months(assured_at, ASSURANCE_MONTHS)
        return submitted_at, assured_at, expires_at


def _guess_phase(name: str) -> str:
    """Guess a new school's phase from its name (a record may say school_phase instead)."""
    text = name.casefold()
    for words, phase in (
        (("pupil referral", " pru"), "pru"),
        (("special",), "special"),
        (("nursery", "children's centre"), "early-years"),
        (("sixth form", "post-16"), "post-16"),
        (("all-through", "all through"), "all-through"),
        (("primary", "infant", "junior", "first school", "c of e school", "ce school"), "primary"),
        (
            ("secondary", "high school", "academy", "college", "grammar", "upper school"),
            "secondary",
        ),
    ):
        if any(word in f" {text}" for word in words):
            return phase
    return ""


def _guess_type(name: str) -> str:
    """Guess a new school's type from its name; empty when the name does not say."""
    text = name.casefold()
    if "pupil referral" in text or text.endswith(" pru"):
        return "pru"
    if "special" in text:
        return "community-special-school"
    if "academy" in text:
        return "academy"
    if "nursery" in text:
        return "nursery-school"
    return ""


# --- export ------------------------------------------------------------------------------------


@dataclass
class ExportReport:
    providers: int = 0
    listings: int = 0
    recommendations: int = 0

    def summary(self) -> list[str]:
        return [
            f"Exported {self.providers} providers, {self.listings} listings, "
            f"{self.recommendations} recommendations."
        ]


def provider_status(statuses: Iterable[str]) -> str:
    """Return the one status written for a provider: its best listing's (see the README)."""
    found = set(statuses)
    if "assured" in found:
        return "assured"
    if found & {"submitted", "changes-requested", "draft"}:
        return "submitted"
    for status in ("suspended", "lapsed"):
        if status in found:
            return status
    return "submitted"


def _when(value: datetime | None) -> str | None:
    return None if value is None else to_utc(value).isoformat()


def export_directory(session: Session, out: IO[str], chunk: int = 500) -> ExportReport:
    """Write every provider, with its listings and recommendations, as JSON Lines to `out`."""
    report = ExportReport()
    la_codes = dict(session.exec(select(LocalAuthority.id, LocalAuthority.code)).all())
    schools = {
        sid: (urn, name)
        for sid, urn, name in session.exec(select(School.id, School.urn, School.name))
    }
    order = sorted(
        session.exec(select(Provider.id, Provider.name)).all(),
        key=lambda row: (row[1].casefold(), row[1], row[0]),
    )
    ids = [pid for pid, _ in order]
    for start in range(0, len(ids), chunk):
        batch = ids[start : start + chunk]
        providers = {
            p.id: p for p in session.exec(select(Provider).where(col(Provider.id).in_(batch)))
        }
        listings: dict[int, list[Listing]] = {}
        for item in session.exec(
            select(Listing).where(col(Listing.provider_id).in_(batch)).order_by(col(Listing.id))
        ):
            listings.setdefault(item.provider_id, []).append(item)
        recs: dict[int, list[Recommendation]] = {}
        for rec in session.exec(
            select(Recommendation)
            .where(col(Recommendation.provider_id).in_(batch))
            .order_by(col(Recommendation.id))
        ):
            recs.setdefault(rec.provider_id, []).append(rec)
        for pid in batch:
            provider = providers[pid]
            record = _provider_record(
                provider, listings.get(pid, []), recs.get(pid, []), la_codes, schools
            )
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            report.providers += 1
            report.listings += len(record["listings"])
            report.recommendations += len(record["recommendations"])
        session.expunge_all()
    return report


def _provider_record(
    provider: Provider,
    listings: list[Listing],
    recs: list[Recommendation],
    la_codes: dict[int, str],
    schools: dict[int, tuple[str, str]],
) -> dict[str, Any]:
    status = provider_status(item.status for item in listings)
    titles = {item.id: item.title for item in listings}
    return {
        "provider": {
            "name": provider.name,
            "kind": PROVIDER_KINDS.label_of(provider.kind),
            "website": provider.website,
            "email": provider.email,
            "phone": provider.phone,
            "la_code": la_codes.get(provider.la_id) if provider.la_id else None,
            "school_urn": schools[provider.school_id][0] if provider.school_id else None,
        },
        "listings": [_listing_record(item, status) for item in listings],
        "recommendations": [_recommendation_record(rec, schools, titles) for rec in recs],
        "status": status,
    }


def _listing_record(item: Listing, provider_status_: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "title": item.title,
        "summary": item.summary,
        "description": item.description,
    }
    for key, (vocab, _noun) in LISTING_FACETS.items():
        record[key] = [vocab.label_of(slug) for slug in getattr(item, key)]
    record["cost"] = COSTS.label_of(item.cost)
    record["price_note"] = item.price_note
    record["areas_served"] = {
        "national": item.national,
        "regions": [REGIONS.label_of(slug) for slug in item.regions],
        "local_authorities": list(item.local_authorities),
    }
    record["code"] = item.code
    extra = {
        "contact_name": item.contact_name,
        "contact_email": item.contact_email,
        "contact_phone": item.contact_phone,
        "status": item.status if item.status != provider_status_ else None,
        "submitted_at": _when(item.submitted_at),
        "assured_at": _when(item.assured_at),
        "assurance_expires_at": _when(item.assurance_expires_at),
    }
    record.update({key: value for key, value in extra.items() if value is not None})
    return record


def _recommendation_record(
    rec: Recommendation, schools: dict[int, tuple[str, str]], titles: dict[int | None, str]
) -> dict[str, Any]:
    urn, name = schools[rec.school_id]
    record: dict[str, Any] = {
        "school_urn": urn,
        "school_name": name,
        "recommender_name": rec.recommender_name,
        "service_title": rec.service_title,
        "impact": rec.impact,
        "date": rec.made_on.isoformat(),
    }
    if rec.status != "confirmed":
        record["status"] = rec.status
    if rec.withdrawn_at is not None:
        record["withdrawn_at"] = _when(rec.withdrawn_at)
    if rec.listing_id is not None and rec.listing_id in titles:
        record["listing_title"] = titles[rec.listing_id]
    return record
