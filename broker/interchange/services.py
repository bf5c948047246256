"""Import and export the directory in its interchange format: JSON Lines, one provider per line.

Import checks every record (records.py), then writes it (importer.py): a bad record writes
nothing of itself while the good ones land, committed in batches. Every listing created or
changed is logged for the index in the same transaction (broker.search.capture), and every
status the import sets is recorded as an AuditEvent by the actor "import". Export writes what import reads, so
export -> import -> export gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from sqlmodel import Session, col, select

from broker import availability
from broker.interchange.importer import (
    Importer,
    ImportReport,
    Progress,
    listing_code,
    row_id,
    update_changed,
)
from broker.interchange.records import (
    LISTING_FACETS,
    InvalidRecord,
    Problem,
    parse_json,
    to_utc,
)
from broker.models import Listing, LocalAuthority, Provider, Recommendation, School
from broker.taxonomy import COSTS, PROVIDER_KINDS, REGIONS

__all__ = [
    "ExportReport",
    "ImportReport",
    "Progress",
    "export_directory",
    "import_lines",
    "import_records",
    "listing_code",
    "numbered_lines",
    "provider_status",
    "row_id",
    "update_changed",
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
    only_new: bool = False,
    source: str = "import",
    progress: Progress | None = None,
    batch_size: int = 500,
    today: date | None = None,
) -> ImportReport:
    """Import decoded records, each numbered by its line; see the module docstring.

    With `only_new`, a record whose provider is already in the database is skipped, not merged.
    """
    importer = Importer(
        session,
        dry_run=dry_run,
        fresh_assurance=fresh_assurance,
        only_new=only_new,
        source=source,
        today=today,
        batch_size=batch_size,
    )
    return importer.run(records, progress=progress)


def import_lines(session: Session, lines: Iterable[bytes | str], **options: Any) -> ImportReport:
    """Import JSON Lines text (a file opened in binary or text mode)."""
    return import_records(session, numbered_lines(lines), **options)


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
    la_codes: dict[int, str] = {
        row_id(la_id): code
        for la_id, code in session.exec(select(LocalAuthority.id, LocalAuthority.code))
    }
    schools: dict[int, tuple[str, str]] = {
        row_id(sid): (urn, name)
        for sid, urn, name in session.exec(select(School.id, School.urn, School.name))
    }
    order = sorted(
        session.exec(select(Provider.id, Provider.name)).all(),
        key=lambda row: (row[1].casefold(), row[1], row[0]),
    )
    ids = [row_id(pid) for pid, _ in order]
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
            **_capacity_record(provider),
        },
        "listings": [_listing_record(item, status) for item in listings],
        "recommendations": [_recommendation_record(rec, schools, titles) for rec in recs],
        "status": status,
    }


def _capacity_record(provider: Provider) -> dict[str, Any]:
    """Return {"capacity": what the provider last said} ({} when it said nothing)."""
    said = availability.of(provider)
    if not said.said:
        return {}
    return {
        "capacity": {
            "days_available": said.days,
            "not_taking_until": said.until.isoformat() if said.until else None,
            "updated_at": _when(said.updated_at),
        }
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
