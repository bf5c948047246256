"""Open Referral UK: the public directory as the standard's documents, and feeds of it imported.

Publishing shows public listings only (broker.evidence.public_clause: the one definition, with
its two schools).
Text search is a simple SQL filter (every word in the title, summary, description or provider
name, any case), so paging counts exactly what the filter finds; the search engine's ranking and
synonyms are for people and stay in the directory's own search.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from broker.errors import InvalidInput
from broker.evidence import public_clause
from broker.geography import json_has
from broker.interchange.importer import Importer, ImportReport
from broker.interchange.records import InvalidRecord, Problem
from broker.models import (
    Listing,
    LocalAuthority,
    Provider,
    School,
    utcnow,
)
from broker.openreferral import mapping, reading

#: Page size when none is asked for, and the most one page may hold.
PER_PAGE = 50
MAX_PER_PAGE = 500
#: The last page anyone may ask for (further pages would be empty; a huge offset is refused).
MAX_PAGE = 10_000

__all__ = [
    "ImportReport",
    "ServiceQuery",
    "export_feed",
    "find_service",
    "import_path",
    "parse_query",
    "root",
    "service_at_locations",
    "services",
    "taxonomies",
    "taxonomy",
    "taxonomy_term",
    "taxonomy_terms",
]


def root(openapi_url: str) -> dict[str, Any]:
    """Return what the feed's root says: the HSDS version, profile and OpenAPI document."""
    return {
        "version": mapping.HSDS_VERSION,
        "profile": mapping.PROFILE_URL,
        "openapi_url": openapi_url,
    }


# --- query parameters -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceQuery:
    """The /services (and /service_at_locations) query parameters, checked."""

    search: str = ""
    page: int = 1
    per_page: int = PER_PAGE
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    modified_after: datetime | None = None


def _number(args: dict[str, str], name: str, *, whole: bool, low: float) -> float | None:
    if name not in args:
        return None
    raw = args[name].strip()
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        raise InvalidInput(name, f"{name} must be a {'whole ' if whole else ''}number") from None
    if not math.isfinite(value) or value < low:
        raise InvalidInput(name, f"{name} must be at least {low:g}")
    return value


def parse_query(args: dict[str, str]) -> ServiceQuery:
    """Check the query parameters; raise InvalidInput naming the first bad one."""
    page = _number(args, "page", whole=True, low=1)
    if page is not None and page > MAX_PAGE:
        raise InvalidInput("page", f"page must be at most {MAX_PAGE:,}")
    per_page = _number(args, "per_page", whole=True, low=1)
    if per_page is not None and per_page > MAX_PER_PAGE:
        raise InvalidInput("per_page", f"per_page must be at most {MAX_PER_PAGE}")
    term = args.get("taxonomy_term_id", "").strip() or None
    if term is not None and term not in mapping.term_index():
        raise InvalidInput("taxonomy_term_id", "taxonomy_term_id is not a term of /taxonomy_terms")
    taxonomy_ = args.get("taxonomy_id", "").strip() or None
    if taxonomy_ is not None and taxonomy_ not in mapping.taxonomy_index():
        raise InvalidInput("taxonomy_id", "taxonomy_id is not a taxonomy of /taxonomies")
    modified = None
    raw = args.get("modified_after", "").strip()
    if raw:
        try:
            modified = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(
                "modified_after", "modified_after must be a date and time (2024-09-01T09:30:00Z)"
            ) from None
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=utcnow().tzinfo)
    return ServiceQuery(
        search=args.get("search", "").strip()[:200],
        page=int(page or 1),
        per_page=int(per_page or PER_PAGE),
        taxonomy_term_id=term,
        taxonomy_id=taxonomy_,
        minimum_age=_number(args, "minimum_age", whole=False, low=0),
        maximum_age=_number(args, "maximum_age", whole=False, low=0),
        modified_after=modified,
    )


# --- publishing -------------------------------------------------------------------------------


def _facet_clause(column: str, slugs: Iterable[str]) -> sa.ColumnElement[bool]:
    slugs = list(slugs)
    if column == "kind":
        return col(Provider.kind).in_(slugs)
    if column == "cost":
        return col(Listing.cost).in_(slugs)
    return sa.or_(*(json_has(getattr(Listing, column), slug) for slug in slugs))


def _filters(query: ServiceQuery) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = [public_clause()]
    for word in query.search.split():
        like = f"%{word.casefold()}%"
        clauses.append(
            sa.or_(
                *(
                    func.lower(column).like(like)
                    for column in (
                        col(Listing.title),
                        col(Listing.summary),
                        col(Listing.description),
                        col(Provider.name),
                    )
                )
            )
        )
    if query.taxonomy_term_id is not None:
        ref = mapping.term_index()[query.taxonomy_term_id]
        clauses.append(_facet_clause(ref.column, [ref.term.slug]))
    if query.taxonomy_id is not None:
        vocab, column = mapping.taxonomy_index()[query.taxonomy_id]
        clauses.append(_facet_clause(column, vocab.slugs))
    if query.minimum_age is not None or query.maximum_age is not None:
        lo = query.minimum_age if query.minimum_age is not None else 0
        hi = query.maximum_age if query.maximum_age is not None else 200
        phases = [p for p, (a, b) in mapping.PHASE_AGES.items() if a <= hi and b >= lo]
        clauses.append(_facet_clause("phases", phases) if phases else sa.false())
    if query.modified_after is not None:
        clauses.append(col(Listing.updated_at) >= query.modified_after)
    return clauses


def _la_names(session: Session) -> dict[str, str]:
    return {
        code: name for code, name in session.exec(select(LocalAuthority.code, LocalAuthority.name))
    }


def _page_rows(
    session: Session, query: ServiceQuery, *extra: Any
) -> tuple[list[tuple[Listing, Provider]], int]:
    """Return the page's listings with their providers (by title), and how many match in all."""
    clauses = [*_filters(query), *extra]
    joined = select(Listing, Provider).join(Provider, col(Provider.id) == col(Listing.provider_id))
    total = session.exec(
        select(func.count())
        .select_from(Listing)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(*clauses)
    ).one()
    rows = session.exec(
        joined.where(*clauses)
        .order_by(func.lower(col(Listing.title)), col(Listing.id))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    return [(listing, provider) for listing, provider in rows], int(total)


def services(
    session: Session, query: ServiceQuery, base_url: str | None, full: bool = False
) -> dict[str, Any]:
    """Return one page of public services (without nested lists unless `full`)."""
    rows, total = _page_rows(session, query)
    names = _la_names(session) if full else {}
    contents = [
        mapping.service_json(listing, provider, full=full, la_names=names, base_url=base_url)
        for listing, provider in rows
    ]
    return mapping.page_json(contents, total, query.page, query.per_page)


def find_service(session: Session, sid: str, base_url: str | None) -> dict[str, Any] | None:
    """Return the full public service with this id, or None."""
    row = _public_by_service_id(session, sid)
    if row is None:
        return None
    listing, provider = row
    return mapping.service_json(
        listing, provider, full=True, la_names=_la_names(session), base_url=base_url
    )


def _public_by_service_id(session: Session, sid: str) -> tuple[Listing, Provider] | None:
    # Ids are hashes of codes: look the code up among public listings' (one narrow column).
    codes = session.exec(select(Listing.code).where(public_clause())).all()
    code = next((c for c in codes if mapping.service_id(c) == sid), None)
    if code is None:
        return None
    row = session.exec(
        select(Listing, Provider)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(col(Listing.code) == code)
    ).first()
    return None if row is None else (row[0], row[1])


def service_at_locations(
    session: Session, query: ServiceQuery, base_url: str | None
) -> dict[str, Any]:
    """Return a page of the public services' locations (online services: a virtual location)."""
    online = sa.or_(*(json_has(Listing.delivery, d) for d in mapping.ONLINE_DELIVERY))
    rows, total = _page_rows(session, query, online)
    contents: list[dict[str, Any]] = []
    for listing, provider in rows:
        service = mapping.service_json(listing, provider, full=True, la_names={}, base_url=base_url)
        contents.extend(mapping.service_at_location_json(service))
    return mapping.page_json(contents, total, query.page, query.per_page)


def find_service_at_location(
    session: Session, sal_id: str, base_url: str | None
) -> dict[str, Any] | None:
    """Return the full service behind a service_at_location id, or None."""
    codes = session.exec(select(Listing.code).where(public_clause())).all()
    for code in codes:
        sid = mapping.service_id(code)
        if mapping.make_id("service_at_location", sid, "online") == sal_id:
            service = find_service(session, sid, base_url)
            if service and service["service_at_locations"]:
                return service
    return None


def taxonomies(page: int = 1, per_page: int = PER_PAGE) -> dict[str, Any]:
    """Return a page of the taxonomies (our facets)."""
    items = [mapping.taxonomy_json(vocab) for vocab, _ in mapping.TAXONOMIES]
    start = (page - 1) * per_page
    return mapping.page_json(items[start : start + per_page], len(items), page, per_page)


def taxonomy(tid: str) -> dict[str, Any] | None:
    """Return one taxonomy with its terms, or None."""
    found = mapping.taxonomy_index().get(tid)
    if found is None:
        return None
    vocab = found[0]
    return {
        **mapping.taxonomy_json(vocab),
        "taxonomy_terms": [mapping.term_json(vocab, term) for term in vocab],
    }


def taxonomy_terms(
    page: int = 1, per_page: int = PER_PAGE, taxonomy_id: str | None = None
) -> dict[str, Any]:
    """Return a page of the taxonomy terms (of one taxonomy when `taxonomy_id` is given)."""
    items = [t for t in mapping.all_terms() if taxonomy_id in (None, t["taxonomy_id"])]
    start = (page - 1) * per_page
    return mapping.page_json(items[start : start + per_page], len(items), page, per_page)


def taxonomy_term(tid: str) -> dict[str, Any] | None:
    ref = mapping.term_index().get(tid)
    return None if ref is None else mapping.term_json(ref.vocab, ref.term)


# --- export -----------------------------------------------------------------------------------


@dataclass
class ExportReport:
    services: int = 0

    def summary(self) -> list[str]:
        return [f"Exported {self.services} public services (Open Referral UK)."]


def export_feed(
    session: Session, out: IO[str], base_url: str | None = None, chunk: int = 500
) -> ExportReport:
    """Write every public service, full, as one page of the standard's service list."""
    report = ExportReport()
    names = _la_names(session)
    first = ServiceQuery(page=1, per_page=chunk)
    _rows, total = _page_rows(session, first)
    contents: list[dict[str, Any]] = []
    for number in range(1, max(1, math.ceil(total / chunk)) + 1):
        rows, _ = _page_rows(session, ServiceQuery(page=number, per_page=chunk))
        contents.extend(
            mapping.service_json(listing, provider, full=True, la_names=names, base_url=base_url)
            for listing, provider in rows
        )
        session.expunge_all()
    report.services = len(contents)
    out.write(
        json.dumps(
            mapping.page_json(contents, len(contents), 1, max(1, len(contents))),
            ensure_ascii=False,
            indent=1,
        )
    )
    out.write("\n")
    return report


# --- import -----------------------------------------------------------------------------------


@dataclass
class _Source:
    """Services read from files, each numbered, with the label a person can find it by."""

    items: list[tuple[int, Any]] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, label: str, item: Any) -> None:
        number = len(self.items) + 1
        self.items.append((number, item))
        self.labels[number] = label


def _read(path: Path, source: _Source) -> None:
    """Read one JSON file of services: a page (contents), a list, or one service."""
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        source.add(name, InvalidRecord([Problem("", "is not UTF-8 text")]))
        return
    except json.JSONDecodeError as exc:
        source.add(
            name,
            InvalidRecord(
                [
                    Problem(
                        "", f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
                    )
                ]
            ),
        )
        return
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        for i, item in enumerate(data["contents"]):
            source.add(f"{name} contents[{i}]", item)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            source.add(f"{name} [{i}]", item)
    elif isinstance(data, dict):
        source.add(name, data)
    else:
        source.add(
            name,
            InvalidRecord(
                [Problem("", "expected a service, a list of services or a page with contents")]
            ),
        )


def read_paths(path: Path) -> _Source:
    """Read a file, or every *.json file of a folder in name order."""
    source = _Source()
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    for file in files:
        _read(file, source)
    return source


def import_path(
    session: Session, path: Path, *, dry_run: bool = False, today: Any = None
) -> ImportReport:
    """Import the services of a file or folder as submitted listings of their organizations."""
    source = read_paths(path)
    return import_services(session, source, dry_run=dry_run, source_name=path.name, today=today)


def import_services(
    session: Session,
    source: _Source,
    *,
    dry_run: bool = False,
    source_name: str = "Open Referral UK",
    today: Any = None,
) -> ImportReport:
    """Map each service to an interchange record, then import them through the Importer."""
    las = {
        code: name for code, name in session.exec(select(LocalAuthority.code, LocalAuthority.name))
    }
    places = reading.Places(las)
    notes: dict[int, list[Problem]] = {}
    skipped: list[str] = []
    records: list[tuple[int, Any]] = []
    for number, item in source.items:
        if isinstance(item, InvalidRecord):
            records.append((number, item))
            continue
        try:
            record, unmapped = reading.service_record(item, places)
        except InvalidRecord as exc:
            records.append((number, exc))
            continue
        except reading.NotImported as exc:
            skipped.append(f"line {number}: {exc}")
            continue
        _keep_what_the_standard_cannot_say(session, record)
        notes[number] = unmapped
        records.append((number, record))
    importer = Importer(
        session, dry_run=dry_run, source=f"Open Referral UK {source_name}", today=today
    )
    report = importer.run(records)
    report.warnings.extend(skipped)
    for number, unmapped in notes.items():
        report.warnings.extend(
            f"line {number}: {p.path}: not imported: {p.message}" for p in unmapped
        )
    report.errors = list(_relabel(report.errors, source.labels))
    report.warnings = list(_relabel(report.warnings, source.labels))
    return report


_LINE = re.compile(r"^line (\d+): ")


def _relabel(lines: Iterable[str], labels: dict[int, str]) -> Iterator[str]:
    """Name each record by file and position, and each field by the standard's path."""
    for text in lines:
        match = _LINE.match(text)
        if match is None:
            yield text
            continue
        label = labels.get(int(match.group(1)), match.group(0))
        rest = text[match.end() :]
        for ours, theirs in reading.FIELD_PATHS:
            if rest.startswith(ours):
                rest = theirs + rest[len(ours) :]
                break
        yield f"{label}: {rest}"


def _keep_what_the_standard_cannot_say(session: Session, record: dict[str, Any]) -> None:
    """Keep, for a provider and listing already here, what a feed cannot carry.

    The standard has no phone, no listing status, no home LA and no school URN: a feed neither
    wipes them nor takes a published listing out of the directory (nor publishes one: new
    listings are submitted).
    """
    provider_data = record["provider"]
    keys = [k for k in (provider_data.get("email"), provider_data.get("website")) if k]
    if not keys:
        return
    candidates = session.exec(
        select(Provider).where(func.lower(col(Provider.name)) == provider_data["name"].casefold())
    ).all()
    provider = next(
        (
            p
            for p in candidates
            if (p.email and (provider_data.get("email") or "").casefold() == p.email.casefold())
            or (p.website and provider_data.get("website") == p.website)
        ),
        None,
    )
    if provider is None:
        return
    if provider.phone:
        provider_data["phone"] = provider.phone
    # Nor where the provider is based, nor the school it is (school-to-school support).
    if provider.la_id is not None:
        la = session.get(LocalAuthority, provider.la_id)
        provider_data["la_code"] = la.code if la else None
    if provider.school_id is not None:
        school = session.get(School, provider.school_id)
        provider_data["school_urn"] = school.urn if school else None
    titles = {lr["title"].casefold(): lr for lr in record["listings"]}
    for listing in session.exec(select(Listing).where(Listing.provider_id == provider.id)):
        lr = titles.get(listing.title.casefold())
        if lr is None:
            continue
        if listing.contact_phone:
            lr["contact_phone"] = listing.contact_phone
        if listing.contact_email is None and lr.get("contact_email") == provider.email:
            lr["contact_email"] = None  # published as the service's email: the provider's
        if listing.status not in ("draft", "changes-requested"):
            lr["status"] = listing.status
