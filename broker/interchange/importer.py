"""The import run: check each record against the database, then write it, batched where it can be.

New providers (the bulk of a first import) are planned in memory and written a batch at a time
with multi-row INSERTs inside one savepoint; should that fail, the batch is written again one
record at a time, each in its own savepoint, so only the bad record is lost. A record that
matches a provider already in the database is updated through the ORM, in its own savepoint.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import audit, db
from broker.evidence import valid_since
from broker.interchange.records import (
    LISTING_FACETS,
    InvalidRecord,
    ListingRecord,
    Problem,
    ProviderRecord,
    RecommendationRecord,
    parse_record,
    to_utc,
)
from broker.lifecycle import services as lifecycle
from broker.models import (
    LISTING_CODE_ALPHABET,
    LISTING_CODE_LENGTH,
    AuditEvent,
    Listing,
    LocalAuthority,
    Provider,
    Recommendation,
    School,
    is_public,
    utcnow,
)
from broker.months import add_months
from broker.search import outbox
from broker.taxonomy import (
    ASSURANCE_MONTHS,
    LISTING_STATUSES,
    RECOMMENDATION_VALID_YEARS,
    SCHOOLS_NEEDED,
)

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
    #: Records skipped because their provider is already there (`only_new`, as the seed runs).
    providers_present: int = 0
    demoted: int = 0
    #: The status each listing of the file was saved with, and how many of them are public now.
    listing_statuses: Counter[str] = field(default_factory=Counter)
    published: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def written(self) -> int:
        """How many rows of providers, listings, recommendations and schools were written."""
        return (
            self.providers_created
            + self.providers_updated
            + self.listings_created
            + self.listings_updated
            + self.recommendations_created
            + self.recommendations_updated
            + self.schools_created
        )

    def summary(self) -> list[str]:
        """Return the report as lines for people."""
        verb = "would be" if self.dry_run else "were"
        head = "Dry run: nothing was written. " if self.dry_run else ""
        return [
            f"{head}{self.records} records read, {self.records - self.failed} valid, "
            f"{self.failed} failed.",
            f"Providers {verb} created: {self.providers_created}, updated: {self.providers_updated}.",
            f"Listings {verb} created: {self.listings_created}, updated: {self.listings_updated}.",
            f"Recommendations {verb} created: {self.recommendations_created}, "
            f"updated: {self.recommendations_updated}.",
            f"Schools {verb} created: {self.schools_created}.",
            *(
                [f"Providers already present, left as they are: {self.providers_present}."]
                if self.providers_present
                else []
            ),
            *self._published_lines(verb),
            f"Warnings: {len(self.warnings)}.",
        ]

    def _published_lines(self, verb: str) -> list[str]:
        total = sum(self.listing_statuses.values())
        if not total:
            return []
        lines = [
            f"Listings of the file that {verb} published (searchable): {self.published} of {total}."
        ]
        hidden = {**self.listing_statuses}
        hidden["assured"] = hidden.get("assured", 0) - self.published
        rest = ", ".join(
            f"{n} {LISTING_STATUSES.label_of(status).lower()}"
            + (" (out of date)" if status == "assured" else "")
            for status, n in sorted(hidden.items())
            if n
        )
        if rest:
            lines.append(f"Not published: {rest}.")
        return lines

    def count_listing(self, status: str, expires_at: datetime | None, now: datetime) -> None:
        """Count one listing as saved: its status, and whether anyone can now find it."""
        self.listing_statuses[status] += 1
        # Saved only assured with two schools behind it (the importer demotes the others).
        self.published += is_public(status, expires_at, SCHOOLS_NEEDED, now)


def listing_code(provider_name: str, title: str, attempt: int = 0) -> str:
    """Return the deterministic short code for a listing (another on each further attempt)."""
    text = f"{provider_name.casefold()}\n{title.casefold()}\n{attempt}"
    number = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    chars = []
    for _ in range(LISTING_CODE_LENGTH):
        number, index = divmod(number, len(LISTING_CODE_ALPHABET))
        chars.append(LISTING_CODE_ALPHABET[index])
    return "".join(chars)


def _provider_values(
    record: ProviderRecord, la_id: int | None, school_id: int | None, *, new: bool
) -> dict[str, Any]:
    """Return the provider's columns as the record gives them.

    Its capacity only when the record says it (an existing provider keeps what it said in the
    directory otherwise; a new one has said nothing).
    """
    values = {
        "name": record.name,
        "kind": record.kind,
        "website": record.website,
        "email": record.email,
        "phone": record.phone,
        "la_id": la_id,
        "school_id": school_id,
    }
    capacity = record.capacity
    if capacity is not None or new:
        values |= {
            "capacity_days": capacity.days_available if capacity else None,
            "not_taking_until": capacity.not_taking_until if capacity else None,
            "capacity_updated_at": capacity.updated_at if capacity else None,
        }
    return values


def _recommendation_values(rr: RecommendationRecord) -> dict[str, Any]:
    """Return a recommendation's columns as the record gives them (not who or whom)."""
    return {
        "recommender_name": rr.recommender_name,
        "service_title": rr.service_title,
        "impact": rr.impact,
        "made_on": rr.made_on,
        "status": rr.status,
        "withdrawn_at": rr.withdrawn_at,
    }


def update_changed(obj: Any, values: dict[str, Any]) -> bool:
    """Set the attributes of `obj` that differ from `values`; say whether any did."""
    changed = False
    for name, value in values.items():
        if not _same(getattr(obj, name), value):
            setattr(obj, name, value)
            changed = True
    return changed


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return to_utc(a) == to_utc(b)
    return bool(a == b)


def _website_key(url: str | None) -> str:
    if not url:
        return ""
    key = url.strip().casefold()
    for prefix in ("https://", "http://"):
        key = key.removeprefix(prefix)
    return key.removeprefix("www.").rstrip("/")


def _day(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def row_id(value: int | None) -> int:
    """Return a stored row's id (never None once the row is in the database)."""
    assert value is not None
    return value


def _table(model: Any) -> sa.Table:
    return model.__table__  # type: ignore[no-any-return]


@dataclass
class _Known:
    id: int
    email: str
    website: str


@dataclass
class _Plan:
    """A new provider's rows, ready to insert with the rest of its batch."""

    number: int
    record: ProviderRecord
    provider: dict[str, Any]
    listings: list[dict[str, Any]]
    #: (school URN, listing title or None, column values)
    recommendations: list[tuple[str, str | None, dict[str, Any]]]
    warnings: list[str]
    demoted: bool
    #: Why each listing's status differs from the file's (None where it does not).
    reasons: list[str | None]


class Importer:
    """One import run: caches of LAs, schools, providers and codes, so new rows need no SELECTs."""

    def __init__(
        self,
        session: Session,
        *,
        dry_run: bool = False,
        fresh_assurance: bool = False,
        only_new: bool = False,
        source: str = "import",
        today: date | None = None,
        batch_size: int = 500,
    ) -> None:
        self.session = session
        self.dry_run = dry_run
        self.fresh_assurance = fresh_assurance
        self.only_new = only_new
        self.source = source
        self.today = today or date.today()
        self.batch_size = batch_size
        self.now = utcnow().replace(microsecond=0)
        self.since = valid_since(self.today)
        self.report = ImportReport(dry_run=dry_run)
        self.las: dict[str, int] = {
            code: row_id(la_id)
            for code, la_id in session.exec(select(LocalAuthority.code, LocalAuthority.id))
        }
        self.la_codes: dict[int, str] = {la_id: code for code, la_id in self.las.items()}
        self.schools: dict[str, int] = {}
        self.school_urns: dict[int, str] = {}
        for school_id, urn in session.exec(select(School.id, School.urn)):
            self.schools[urn] = row_id(school_id)
            self.school_urns[row_id(school_id)] = urn
        self.providers: dict[str, list[_Known]] = {}
        query = select(Provider.id, Provider.name, Provider.email, Provider.website)
        for pid, name, email, website in session.exec(query.order_by(col(Provider.id))):
            self._remember(self.providers, row_id(pid), name, email, website)
        self.codes: dict[str, int] = {
            code: row_id(listing_id)
            for code, listing_id in session.exec(select(Listing.code, Listing.id))
        }
        # What the batch not yet written will create.
        self.batch: list[_Plan] = []
        self.pending_schools: dict[str, dict[str, Any]] = {}
        self.pending_codes: set[str] = set()
        self.pending_providers: dict[str, list[_Known]] = {}
        self.since_commit = 0

    @staticmethod
    def _remember(
        into: dict[str, list[_Known]], pid: int, name: str, email: str | None, website: str | None
    ) -> None:
        known = _Known(pid, (email or "").casefold(), _website_key(website))
        entries = into.setdefault(name.casefold(), [])
        entries[:] = [k for k in entries if k.id != pid or pid < 0] + [known]

    # --- the run -----------------------------------------------------------------------------

    def run(
        self, records: Iterable[tuple[int, Any]], progress: Progress | None = None
    ) -> ImportReport:
        """Import numbered records (decoded JSON, or InvalidRecord for lines that were not)."""
        session = self.session
        session.info["broker.defer_index"] = True  # the index follows the log after the run
        db.begin_transaction(session)
        try:
            for number, data in records:
                self.report.records += 1
                self._one(number, data)
                self.since_commit += 1
                if self.since_commit >= self.batch_size:
                    self._flush_batch()
                    self._end_transaction(final=False)
                if progress is not None:
                    progress(self.report.records)
            self._flush_batch()
            self._end_transaction(final=True)
            if not self.dry_run and self.report.written >= db.BULK_ROWS:
                db.refresh_statistics(session.get_bind().engine)  # after the final commit
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info.pop("broker.defer_index", None)
        return self.report

    def _end_transaction(self, final: bool) -> None:
        self.since_commit = 0
        if self.dry_run:
            if final:
                self.session.rollback()
            return
        self.session.commit()
        self.session.expunge_all()
        if not final:
            db.begin_transaction(self.session)

    def _one(self, number: int, data: Any) -> None:
        """Import one record or report why not."""
        try:
            if isinstance(data, InvalidRecord):
                raise data
            record = parse_record(data, today=self.today)
            if self._matches_pending(record):
                self._flush_batch()
            if self.only_new and self._match(record) is not None:
                self.report.providers_present += 1
                return
            if self._match(record) is None:
                self.batch.append(self._plan_new(number, record))
                if len(self.batch) >= self.batch_size:
                    self._flush_batch()
            else:
                self._flush_batch()
                self._import_one(number, record)
        except (InvalidRecord, sa.exc.SQLAlchemyError) as exc:
            self._failed(number, exc)

    def _failed(self, number: int, exc: Exception) -> None:
        self.report.failed += 1
        if isinstance(exc, InvalidRecord):
            self.report.errors.extend(f"line {number}: {p}" for p in exc.problems)
        else:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            self.report.errors.append(f"line {number}: could not be saved: {reason}")

    # --- checks shared by both paths -----------------------------------------------------------

    def _match(self, record: ProviderRecord) -> _Known | None:
        return _find(self.providers, record)

    def _matches_pending(self, record: ProviderRecord) -> bool:
        return _find(self.pending_providers, record) is not None

    def _check_places(
        self, record: ProviderRecord, problems: list[Problem]
    ) -> tuple[int | None, int | None]:
        """Return (the provider's LA id, an LA for new schools), noting unknown LA codes."""
        la_id = None
        if record.la_code:
            la_id = self._la(record.la_code, "provider.la_code", problems)
        fallback = la_id
        for i, lr in enumerate(record.listings):
            for code in lr.local_authorities:
                served = self._la(code, f"listings[{i}].areas_served.local_authorities", problems)
                fallback = fallback or served
        return la_id, fallback

    def _la(self, code: str, path: str, problems: list[Problem]) -> int | None:
        la_id = self.las.get(code)
        if la_id is None:
            problems.append(Problem(path, f"{code!r} is not a known LA code"))
        return la_id

    def _plan_schools(
        self, record: ProviderRecord, la_id: int | None, problems: list[Problem]
    ) -> dict[str, dict[str, Any]]:
        """Return rows for the schools this record names that nobody knows yet.

        A school the register (`broker schools import`) does not know is added where the record
        says (the recommendation's school_la_code, else the provider's LA, else the first LA it
        serves), with a warning. A recommendation from an unknown school that cannot be placed
        anywhere is left out, with a warning, rather than failing the whole record.
        """
        wanted: list[tuple[str, str, str | None, str | None, str | None, str | None]] = []
        # Recommendations first: a school added for the provider's own school_urn takes the
        # name, phase, type and LA a recommendation from it gives, not the provider's name.
        for i, rec in enumerate(record.recommendations):
            wanted.append(
                (
                    f"recommendations[{i}]",
                    rec.school_urn,
                    rec.school_name,
                    rec.school_phase,
                    rec.school_type,
                    rec.school_la_code,
                )
            )
        if record.school_urn:
            wanted.append(("provider.school_urn", record.school_urn, record.name, None, None, None))
        new: dict[str, dict[str, Any]] = {}
        unplaced: set[str] = set()
        for path, urn, name, phase, school_type, school_la in wanted:
            if urn in self.schools or urn in self.pending_schools or urn in new:
                continue
            field_path = path if path.startswith("provider") else f"{path}.school_urn"
            place = la_id
            if school_la:
                place = self._la(school_la, f"{path}.school_la_code", problems)
                if place is None:
                    continue
            if not name:
                problems.append(
                    Problem(
                        f"{path}.school_name", f"school {urn} is not known: give its name to add it"
                    )
                )
            elif place is None and path.startswith("provider"):
                problems.append(
                    Problem(
                        field_path,
                        f"school {urn} is not known and this record names no LA to add it in "
                        "(give provider.la_code or an LA served)",
                    )
                )
            elif place is None:
                unplaced.add(urn)
                self._note(
                    record,
                    f"{path}: school {urn} ({name}) is not in the register and the record names "
                    "no LA to add it in, so this recommendation was not imported (load the "
                    "register with `broker schools import`, or give school_la_code)",
                )
            else:
                new[urn] = {
                    "urn": urn,
                    "name": name,
                    "phase": phase or guess_phase(name),
                    "type": school_type or guess_type(name),
                    "la_id": place,
                    "sen_specialisms": [],
                    "support_category": None,
                    "postcode": None,
                    "closed_on": None,
                }
                self._note(
                    record,
                    f"{path}: school {urn} is not in the register: added as {name!r} in LA "
                    f"{self.la_codes.get(place, '?')}",
                )
        if unplaced:
            record.recommendations = [
                rec for rec in record.recommendations if rec.school_urn not in unplaced
            ]
        return new

    @staticmethod
    def _note(record: ProviderRecord, text: str) -> None:
        if text not in record.notes:  # a batch that failed plans its records a second time
            record.notes.append(text)

    def _plan_codes(
        self, record: ProviderRecord, old: dict[str, Listing], problems: list[Problem]
    ) -> list[str]:
        """Choose each listing's code: the one given, the one it has, or a fresh one."""
        chosen: list[str] = []
        for i, lr in enumerate(record.listings):
            existing = old.get(lr.title.casefold())
            if lr.code:
                owner = self.codes.get(lr.code)
                taken = lr.code in self.pending_codes or (
                    owner is not None and (existing is None or owner != existing.id)
                )
                if taken or lr.code in chosen:
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
                while code in self.codes or code in self.pending_codes or code in chosen:
                    attempt += 1
                    code = listing_code(record.name, lr.title, attempt)
                chosen.append(code)
        return chosen

    def _counts(self, status: str, withdrawn_at: datetime | None, made_on: date) -> bool:
        return (
            status == "confirmed" and withdrawn_at is None and self.since <= made_on <= self.today
        )

    def _assess(
        self, number: int, record: ProviderRecord, old_recs: dict[int, Recommendation]
    ) -> tuple[bool, date | None, list[str]]:
        """Apply the two-school rule: return (demote, latest valid recommendation, warnings)."""
        given = {rec.school_urn for rec in record.recommendations}
        valid = {
            rec.school_urn: rec.made_on
            for rec in record.recommendations
            if self._counts(rec.status, rec.withdrawn_at, rec.made_on)
        }
        for school_id, rec in old_recs.items():
            urn = self.school_urns.get(school_id, "")
            if urn not in given and self._counts(rec.status, rec.withdrawn_at, rec.made_on):
                valid[urn] = rec.made_on
        valid.pop(record.school_urn or "", None)
        warnings = [f"line {number}: {note}" for note in record.notes]
        wants_assured = any((lr.status or record.status) == "assured" for lr in record.listings)
        demote = wants_assured and len(valid) < SCHOOLS_NEEDED
        if demote:
            titles = ", ".join(
                repr(lr.title)
                for lr in record.listings
                if (lr.status or record.status) == "assured"
            )
            warnings.append(
                f"line {number}: {record.name!r} is marked assured but has valid recommendations "
                f"from {len(valid)} different school(s); {SCHOOLS_NEEDED} are needed (confirmed, "
                f"within the last {RECOMMENDATION_VALID_YEARS} years, not the provider's own "
                f"school). Imported as submitted and not published: {titles}."
            )
        return demote, max(valid.values(), default=None), warnings

    def _listing_values(
        self,
        record: ProviderRecord,
        lr: ListingRecord,
        code: str,
        existing: Listing | None,
        demote: bool,
        latest: date | None,
    ) -> tuple[dict[str, Any], str | None]:
        """Return the listing's columns, and why its status differs from the file's (or None)."""
        status = lr.status or record.status
        why = None
        # The lifecycle's guards decide the status saved (demote: fewer than two schools).
        schools = 0 if demote else SCHOOLS_NEEDED
        saved = lifecycle.imported_status(status, None, schools, self.now)
        if saved != status:
            status = saved
            why = "marked assured without recommendations from two different schools"
        submitted_at, assured_at, expires_at = self._dates(
            status, lr, existing, latest, demote, code
        )
        saved = lifecycle.imported_status(status, expires_at, schools, self.now)
        if saved != status and expires_at is not None:
            status = saved
            why = (
                f"marked assured but its assurance ended on {expires_at.date().isoformat()} "
                "(assurance_expires_at): imported as lapsed and not published"
            )
        return {
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
        }, why

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
            # Dates given (an export): taken as they are.
            submitted_at, assured_at = lr.submitted_at, lr.assured_at
            expires_at = lr.assurance_expires_at
        elif existing is not None and existing.status == status:
            submitted_at, assured_at = existing.submitted_at, existing.assured_at
            expires_at = existing.assurance_expires_at
        else:
            submitted_at = existing.submitted_at if existing else None
            assured_at = existing.assured_at if existing else None
            expires_at = existing.assurance_expires_at if existing else None
            if status == "submitted":
                submitted_at = self.now
            elif status in ("assured", "lapsed"):
                assured_at = expires_at = None  # a fresh assurance (or a lapse) gets its own dates
        if status in _ASSURANCE_STATUSES and assured_at is None:
            # Marked assured without dates: assured from the day of import (the file says it is
            # assured now). Only demo data dates it from its latest recommendation, for variety.
            base = _day(latest) if latest and self.fresh_assurance else self.now
            if status == "lapsed" and add_months(base, ASSURANCE_MONTHS) > self.now:
                base = add_months(self.now, -ASSURANCE_MONTHS - 1)
            assured_at = base
        if assured_at is not None and expires_at is None:
            expires_at = add_months(assured_at, ASSURANCE_MONTHS)
        if status == "submitted" and submitted_at is None:
            submitted_at = self.now
        if self.fresh_assurance and status == "assured" and expires_at and expires_at <= self.now:
            # Demo data must be in date today: move the assurance into the last year.
            days = 1 + int.from_bytes(hashlib.sha256(code.encode()).digest()[:4], "big") % 300
            assured_at = self.now - timedelta(days=days)
            expires_at = add_months(assured_at, ASSURANCE_MONTHS)
        return submitted_at, assured_at, expires_at

    @staticmethod
    def _status_warning(
        warnings: list[str],
        number: int,
        index: int,
        lr: ListingRecord,
        why: str | None,
        demoted: bool,
    ) -> None:
        """Warn of a listing saved with another status than the file's (a demotion is warned of
        once for the whole record, by `_assess`)."""
        if why and not (demoted and why.startswith("marked assured without")):
            warnings.append(f"line {number}: listings[{index}] {lr.title!r} is {why}")

    def _reason(self, number: int, why: str | None) -> str:
        reason = f"Set by import ({self.source}, line {number})"
        if why:
            reason += f": {why}"
        return reason

    # --- new providers: planned, then written a batch at a time --------------------------------

    def _plan_new(self, number: int, record: ProviderRecord) -> _Plan:
        problems: list[Problem] = []
        la_id, fallback = self._check_places(record, problems)
        schools = self._plan_schools(record, fallback, problems)
        codes = self._plan_codes(record, {}, problems)
        if problems:
            raise InvalidRecord(problems)
        demote, latest, warnings = self._assess(number, record, {})
        listings: list[dict[str, Any]] = []
        reasons: list[str | None] = []
        for i, (lr, code) in enumerate(zip(record.listings, codes, strict=True)):
            values, why = self._listing_values(record, lr, code, None, demote, latest)
            listings.append({**values, "created_at": self.now, "updated_at": self.now})
            reasons.append(why)
            self._status_warning(warnings, number, i, lr, why, demote)
        recommendations = [
            (
                rr.school_urn,
                rr.listing_title,
                {**_recommendation_values(rr), "created_at": self.now},
            )
            for rr in record.recommendations
        ]
        provider = {
            **_provider_values(record, la_id, None, new=True),
            "created_at": self.now,
            "updated_at": self.now,
        }
        self.pending_schools.update(schools)
        self.pending_codes.update(codes)
        self._remember(self.pending_providers, -1, record.name, record.email, record.website)
        return _Plan(number, record, provider, listings, recommendations, warnings, demote, reasons)

    def _flush_batch(self) -> None:
        """Write the planned new providers; if that fails, write them one by one instead."""
        if not self.batch:
            return
        plans, self.batch = self.batch, []
        schools, self.pending_schools = self.pending_schools, {}
        self.pending_codes = set()
        self.pending_providers = {}
        try:
            with self.session.begin_nested():
                school_ids, provider_ids, listing_ids = self._insert_batch(plans, schools)
        except sa.exc.SQLAlchemyError:
            for plan in plans:
                try:
                    self._import_one(plan.number, plan.record)
                except (InvalidRecord, sa.exc.SQLAlchemyError) as exc:
                    self._failed(plan.number, exc)
            return
        report = self.report
        for urn, school_id in school_ids.items():
            self.schools[urn] = school_id
            self.school_urns[school_id] = urn
        report.schools_created += len(school_ids)
        for plan, pid, ids in zip(plans, provider_ids, listing_ids, strict=True):
            self._remember(
                self.providers, pid, plan.record.name, plan.record.email, plan.record.website
            )
            self.codes.update(zip((row["code"] for row in plan.listings), ids, strict=True))
            report.providers_created += 1
            report.listings_created += len(plan.listings)
            report.recommendations_created += len(plan.recommendations)
            report.demoted += plan.demoted
            report.warnings.extend(plan.warnings)
            for row in plan.listings:
                report.count_listing(row["status"], row["assurance_expires_at"], self.now)

    def _insert_batch(
        self, plans: list[_Plan], schools: dict[str, dict[str, Any]]
    ) -> tuple[dict[str, int], list[int], list[list[int]]]:
        session = self.session
        school_ids: dict[str, int] = {}
        if schools:
            rows = list(schools.values())
            ids = _insert(session, School, rows)
            school_ids = {row["urn"]: i for row, i in zip(rows, ids, strict=True)}

        def school_id(urn: str) -> int:
            return school_ids[urn] if urn in school_ids else self.schools[urn]

        for plan in plans:
            urn = plan.record.school_urn
            plan.provider["school_id"] = school_id(urn) if urn else None
        provider_ids = _insert(session, Provider, [plan.provider for plan in plans])

        # Recommendations go in before the listings they make assured: the database refuses an
        # assured listing without two schools behind it (migration 0008). Their listing is set
        # once the listings have ids.
        rec_rows: list[dict[str, Any]] = []
        rec_titles: list[tuple[int, str | None]] = []
        for index, (plan, pid) in enumerate(zip(plans, provider_ids, strict=True)):
            for urn, title, values in plan.recommendations:
                rec_rows.append(
                    {
                        **values,
                        "provider_id": pid,
                        "school_id": school_id(urn),
                        "listing_id": None,
                        "recommender_user_id": None,
                    }
                )
                rec_titles.append((index, title))
        rec_ids = _insert(session, Recommendation, rec_rows) if rec_rows else []

        listing_rows: list[dict[str, Any]] = []
        for plan, pid in zip(plans, provider_ids, strict=True):
            for row in plan.listings:
                row["provider_id"] = pid
                listing_rows.append(row)
        # A bulk INSERT of listings is the one write change capture cannot read (the database
        # gives the ids): log them here. The rest of the batch changes no other document.
        flat_ids = _insert(session, Listing, listing_rows, caller_logs=True) if listing_rows else []
        outbox.listings_changed(session, flat_ids)
        listing_ids: list[list[int]] = []
        audits: list[dict[str, Any]] = []
        by_title: list[dict[str, int]] = []
        position = 0
        for plan, pid in zip(plans, provider_ids, strict=True):
            ids = flat_ids[position : position + len(plan.listings)]
            position += len(plan.listings)
            listing_ids.append(ids)
            by_title.append({row["title"]: i for row, i in zip(plan.listings, ids, strict=True)})
            for row, listing_id, why in zip(plan.listings, ids, plan.reasons, strict=True):
                reason = self._reason(plan.number, why)
                audits.append(self._audit_row(listing_id, pid, None, row["status"], reason))
        links = [
            {"rid": rec_id, "lid": by_title[index][title]}
            for rec_id, (index, title) in zip(rec_ids, rec_titles, strict=True)
            if title
        ]
        if links:
            table = _table(Recommendation)
            session.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("rid"))
                .values(listing_id=sa.bindparam("lid")),
                links,
            )
        if audits:
            session.execute(sa.insert(_table(AuditEvent)), audits)
        return school_ids, provider_ids, listing_ids

    def _audit_row(
        self, listing_id: int, provider_id: int, from_state: str | None, to_state: str, reason: str
    ) -> dict[str, Any]:
        return audit.values(
            None,
            entity_type="listing",
            entity_id=listing_id,
            provider_id=provider_id,
            action="import",
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            at=self.now,
            system=ACTOR,
        )

    # --- one record through the ORM (updates, and the fallback for a failed batch) -------------

    def _import_one(self, number: int, record: ProviderRecord) -> None:
        problems: list[Problem] = []
        la_id, fallback = self._check_places(record, problems)
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
        new_schools = self._plan_schools(record, fallback, problems)
        codes = self._plan_codes(record, old_listings, problems)
        if problems:
            raise InvalidRecord(problems)
        demote, latest, warnings = self._assess(number, record, old_recs)
        with self.session.begin_nested():
            school_ids = self._write_one(
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
                warnings,
            )
        # Only now, with the record saved, may later records rely on what it created.
        for urn, school_id in school_ids.items():
            self.schools[urn] = school_id
            self.school_urns[school_id] = urn
        self.report.schools_created += len(school_ids)
        self.report.demoted += demote
        self.report.warnings.extend(warnings)

    def _write_one(
        self,
        number: int,
        record: ProviderRecord,
        provider: Provider | None,
        la_id: int | None,
        new_schools: dict[str, dict[str, Any]],
        codes: list[str],
        old_listings: dict[str, Listing],
        old_recs: dict[int, Recommendation],
        demote: bool,
        latest: date | None,
        warnings: list[str],
    ) -> dict[str, int]:
        session, report = self.session, self.report
        rows = list(new_schools.values())
        school_ids = (
            dict(zip(new_schools, _insert(session, School, rows), strict=True)) if rows else {}
        )

        def school_id(urn: str) -> int:
            return school_ids[urn] if urn in school_ids else self.schools[urn]

        values = _provider_values(
            record,
            la_id,
            school_id(record.school_urn) if record.school_urn else None,
            new=provider is None,
        )
        counts = dict.fromkeys(
            ("providers_c", "providers_u", "listings_c", "listings_u", "recs_c", "recs_u"), 0
        )
        if provider is None:
            provider = Provider(**values, created_at=self.now, updated_at=self.now)
            session.add(provider)
            session.flush()
            counts["providers_c"] = 1
        elif update_changed(provider, values):
            provider.updated_at = self.now
            counts["providers_u"] = 1
        assert provider.id is not None

        recs = []
        for rr in record.recommendations:
            sid = school_id(rr.school_urn)
            rec_values = _recommendation_values(rr)
            rec = old_recs.get(sid)
            if rec is None:
                rec = Recommendation(
                    provider_id=provider.id, school_id=sid, created_at=self.now, **rec_values
                )
                session.add(rec)
                counts["recs_c"] += 1
            elif update_changed(rec, rec_values):
                counts["recs_u"] += 1
            recs.append((rr, rec))
        # The recommendations first: the database refuses an assured listing without two schools.
        session.flush()

        statuses: list[tuple[Listing, str | None]] = []
        by_title: dict[str, Listing] = {}
        retired: list[str] = []
        reasons: dict[int, str | None] = {}
        for i, (lr, code) in enumerate(zip(record.listings, codes, strict=True)):
            existing = old_listings.get(lr.title.casefold())
            listing_values, why = self._listing_values(record, lr, code, existing, demote, latest)
            self._status_warning(warnings, number, i, lr, why, demote)
            if existing is None:
                item = Listing(
                    provider_id=provider.id,
                    created_at=self.now,
                    updated_at=self.now,
                    **listing_values,
                )
                session.add(item)
                counts["listings_c"] += 1
                statuses.append((item, None))
            else:
                item = existing
                old_status, old_code = item.status, item.code
                if update_changed(item, listing_values):
                    item.updated_at = self.now
                    counts["listings_u"] += 1
                if old_code != item.code:
                    retired.append(old_code)
                if old_status != item.status:
                    statuses.append((item, old_status))
            by_title[lr.title] = item
            reasons[id(item)] = why
        session.flush()

        for rr, rec in recs:
            if rr.listing_title is not None:
                listing_id = by_title[rr.listing_title].id
                if rec.listing_id != listing_id:
                    rec.listing_id = listing_id

        session.add_all(
            [
                AuditEvent(
                    **self._audit_row(
                        item.id,
                        provider.id,
                        old,
                        item.status,
                        self._reason(number, reasons.get(id(item))),
                    )
                )
                for item, old in statuses
                if item.id is not None
            ]
        )
        session.flush()
        for item in by_title.values():
            report.count_listing(item.status, item.assurance_expires_at, self.now)

        report.providers_created += counts["providers_c"]
        report.providers_updated += counts["providers_u"]
        report.listings_created += counts["listings_c"]
        report.listings_updated += counts["listings_u"]
        report.recommendations_created += counts["recs_c"]
        report.recommendations_updated += counts["recs_u"]
        self._remember(self.providers, provider.id, provider.name, provider.email, provider.website)
        for old_code in retired:
            self.codes.pop(old_code, None)
        for item in by_title.values():
            assert item.id is not None
            self.codes[item.code] = item.id
        return school_ids


def _find(index: dict[str, list[_Known]], record: ProviderRecord) -> _Known | None:
    """Find a provider with the record's name and its email or website (any case)."""
    email, website = (record.email or "").casefold(), _website_key(record.website)
    for known in index.get(record.name.casefold(), []):
        if (email and known.email == email) or (website and known.website == website):
            return known
    return None


def _insert(
    session: Session, model: Any, rows: list[dict[str, Any]], *, caller_logs: bool = False
) -> list[int]:
    """Insert rows in one multi-row statement; return their new ids in the same order.

    `caller_logs`: the caller logs the index changes itself (broker.search.capture cannot).
    """
    table = _table(model)
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    if caller_logs:
        statement = statement.execution_options(**outbox.CALLER_LOGS)
    return list(session.execute(statement, rows).scalars())


def guess_phase(name: str) -> str:
    """Guess a new school's phase from its name (a record may give school_phase instead)."""
    text = f" {name.casefold()}"
    for words, phase in (
        (("pupil referral", " pru"), "pru"),
        (("special",), "special"),
        (("nursery", "children's centre"), "early-years"),
        (("sixth form", "post-16"), "post-16"),
        (("all-through", "all through"), "all-through"),
        (("primary", "infant", "junior", "first school"), "primary"),
        (
            ("secondary", "high school", "academy", "college", "grammar", "upper school"),
            "secondary",
        ),
    ):
        if any(word in text for word in words):
            return phase
    return ""


def guess_type(name: str) -> str:
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
