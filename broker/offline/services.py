"""What a SIP's device keeps for a visit with no network, and the drafts it sends back.

- `directory_bundle`: the public directory of one LA (every public listing serving it, with
  enough to choose and contact the provider) and the vocabulary to search it as the server
  does. Public, so the same for everyone; `BundleCache` keeps it per index change-log position.
- `personal_bundle`: the SIP's own schools, their current priorities and shortlists. As
  confidential as the school pages: only the schools the SIP is assigned to
  (`caseload.sip_schools`, whose rule `caseload.is_assigned_sip` the pages use).
- `receive_draft`: a visit note or a priority typed offline, checked by the forms' own rules
  (broker.schools.services) and saved once, by the key the device gave it.
"""

from __future__ import annotations

import gzip
import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session, col, select

from broker import caseload, local_authorities, taxonomy
from broker.brokerage import services as brokerage
from broker.errors import InvalidInput
from broker.evidence import public_clause, recommendation_counts
from broker.geography import may_serve_clause, serves_la
from broker.models import (
    Listing,
    LocalAuthority,
    OfflineDraft,
    Provider,
    School,
    SchoolVisit,
    User,
    utcnow,
)
from broker.schools import services as schools
from broker.search.sync import latest_seq
from index import analysis, schema

#: The shape of the bundles; a device drops what it kept under another version. 2: a listing
#: keeps only what the device shows or searches (no ECM, SEN, pupil group or assurance date).
BUNDLE_VERSION = 2
#: The facets a device can filter on, in display order (the main ones of the results page), and
#: the only ones a listing offline shows.
DEVICE_FACETS = ("category", "phase", "cost", "kind", "delivery")
#: A device-made key: a UUID, or anything as plain and as long.
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DRAFT_KINDS = ("visit", "priority")


# --- the directory of an LA -------------------------------------------------------------------


def generation(session: Session, la: LocalAuthority, now: datetime) -> str:
    """Return what a bundle of `la` depends on: the index change log's position and the day.

    Every change to anything a listing's public state reads is logged (broker.search.capture);
    the day covers assurances and recommendations that run out by themselves.
    """
    return f"{BUNDLE_VERSION}.{la.code}.{latest_seq(session)}.{now.date().isoformat()}"


#: What a bundle reads of each serving listing and its provider: columns, not ORM objects (at
#: 100,000 listings an LA is served by some 16,000, and making objects was most of the build).
_COLUMNS: tuple[Any, ...] = (
    col(Listing.id),
    col(Listing.code),
    col(Listing.title),
    col(Listing.summary),
    col(Listing.description),
    col(Listing.categories),
    col(Listing.phases),
    col(Listing.cost),
    col(Listing.delivery),
    col(Listing.price_note),
    col(Listing.contact_name),
    col(Listing.contact_phone),
    col(Listing.contact_email),
    col(Listing.national),
    col(Listing.regions),
    col(Listing.local_authorities),
    col(Listing.provider_id),
    col(Provider.name).label("provider_name"),
    col(Provider.kind).label("provider_kind"),
    col(Provider.phone).label("provider_phone"),
    col(Provider.email).label("provider_email"),
    col(Provider.website).label("provider_website"),
)


def _facets(row: Any) -> dict[str, list[str]]:
    values = {
        "category": row.categories,
        "phase": row.phases,
        "cost": [row.cost],
        "kind": [row.provider_kind],
        "delivery": row.delivery,
    }
    return {name: list(v) for name, v in values.items() if v}


def _listing(row: Any, recommendations: int) -> dict[str, Any]:
    contact = {
        "name": (row.contact_name or "").strip(),
        "phone": (row.contact_phone or row.provider_phone or "").strip(),
        "email": (row.contact_email or row.provider_email or "").strip(),
        "website": (row.provider_website or "").strip(),
    }
    out: dict[str, Any] = {
        "id": int(row.id),
        "code": row.code,
        "title": row.title,
        "summary": row.summary,
        "description": row.description,
        "provider": row.provider_name,
        "facets": _facets(row),
        "contact": {k: v for k, v in contact.items() if v},
        "recommendations": recommendations,
    }
    if row.price_note:
        out["price_note"] = row.price_note
    return out


def serving_rows(session: Session, la: LocalAuthority, now: datetime) -> list[Any]:
    """Return the bundle's columns of every public listing that serves `la`, by title."""
    # More columns than sqlmodel's select is typed for, so SQLAlchemy's own.
    rows = session.execute(
        sa.select(*_COLUMNS)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(public_clause(now), may_serve_clause(la))
        .order_by(col(Listing.title), col(Listing.id))
    ).all()
    return [r for r in rows if serves_la(r.national, r.regions, r.local_authorities, la)]


def facet_choices() -> list[dict[str, Any]]:
    """Return the device's filters: each facet's name, label and values (slug, label)."""
    return [
        {
            "name": name,
            "label": schema.facet_label(name),
            "values": [[t.slug, t.label] for t in taxonomy.LISTING_FACETS[name].terms],
        }
        for name in DEVICE_FACETS
    ]


def directory_bundle(session: Session, la_code: str, now: datetime | None = None) -> bytes:
    """Return the JSON bundle of LA `la_code`'s directory (NotFound for an unknown LA)."""
    now = now or utcnow()
    la = local_authorities.find(session, la_code)
    rows = serving_rows(session, la, now)
    counts = recommendation_counts(session, {int(r.provider_id) for r in rows})
    listings = [_listing(r, counts.get(int(r.provider_id), 0)) for r in rows]
    texts = (
        text
        for item in listings
        for text in (item["title"], item["summary"], item["description"], item["provider"])
    )
    bundle = {
        "version": BUNDLE_VERSION,
        "generation": generation(session, la, now),
        "produced_at": now.isoformat(timespec="seconds"),
        "la": {"code": la.code, "name": la.name, "region": la.region},
        "fields": [{"name": f.name, "boost": f.boost} for f in schema.PUBLIC_TEXT],
        "filters": list(DEVICE_FACETS),
        "facets": facet_choices(),
        "vocabulary": analysis.device_vocabulary(texts),
        "listings": listings,
    }
    return orjson.dumps(bundle)


@dataclass(frozen=True)
class Bundle:
    """A built directory bundle, kept gzip-compressed (a tenth of its size)."""

    generation: str
    gzipped: bytes
    #: The length of the JSON it decompresses to.
    size: int

    def json(self) -> bytes:
        """Return the bundle's JSON, decompressed."""
        return gzip.decompress(self.gzipped)

    def chunks(self, piece: int = 64 * 1024) -> Iterator[bytes]:
        """Yield the bundle's JSON in pieces, without holding all of it decompressed at once."""
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        for start in range(0, len(self.gzipped), piece):
            out = inflater.decompress(self.gzipped[start : start + piece])
            if out:
                yield out
        rest = inflater.flush()
        if rest:
            yield rest


def compressed(generation: str, body: bytes) -> Bundle:
    """Return `body` as a Bundle: gzip at level 6 (as web servers use), with no timestamp."""
    return Bundle(generation, gzip.compress(body, compresslevel=6, mtime=0), len(body))


class BundleCache:
    """The latest bundles, by generation: a bundle is built once per change and LA.

    In memory, per process, gzip-compressed: the largest LA of 100,000 synthetic listings is
    about 1.5 MB so (17.8 MB of JSON), and the bound is a few LAs' bundles.
    """

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[str, Bundle] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, la_code: str, now: datetime | None = None) -> Bundle:
        """Return LA `la_code`'s bundle, built only when the cache lacks it."""
        now = now or utcnow()
        la = local_authorities.find(session, la_code)
        key = generation(session, la, now)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        bundle = compressed(key, directory_bundle(session, la.code, now))
        with self._lock:
            self._items[key] = bundle
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return bundle


# --- the SIP's schools ------------------------------------------------------------------------


def device_las(session: Session, sip: User) -> list[LocalAuthority]:
    """Return the LAs whose directory a SIP's device keeps: their schools' LAs and their own."""
    ids = {s.la_id for s in caseload.sip_schools(session, sip)}
    if sip.la_id is not None:
        ids.add(sip.la_id)
    if not ids:
        return []
    return list(
        session.exec(
            select(LocalAuthority)
            .where(col(LocalAuthority.id).in_(sorted(ids)))
            .order_by(col(LocalAuthority.name))
        ).all()
    )


def _priority(number: int, priority: Any, session: Session) -> dict[str, Any]:
    shortlist = brokerage.for_priority(session, int(priority.id or 0))
    return {
        "id": int(priority.id or 0),
        "number": number,
        "description": priority.description,
        "area": taxonomy.CATEGORIES.label_of(priority.category),
        "ecm_outcomes": [taxonomy.ECM_OUTCOMES.label_of(s) for s in priority.ecm_outcomes],
        "pupil_groups": [taxonomy.PUPIL_GROUPS.label_of(s) for s in priority.pupil_groups],
        "rag": taxonomy.RAG_RATINGS.label_of(priority.rag),
        "shortlist": [
            {
                "listing_id": int(row.listing.id or 0),
                "title": row.listing.title,
                "provider": row.provider.name,
                "state": taxonomy.BROKERAGE_STATES.label_of(row.brokerage.state),
            }
            for row in shortlist
        ],
    }


def _school(
    session: Session, row: schools.CaseloadRow, la_codes: Mapping[int, str]
) -> dict[str, Any]:
    school = row.school
    school_id = int(school.id or 0)
    current = caseload.current_priorities(session, school_id)
    visit = session.get(SchoolVisit, current[0].visit_id) if current else None
    return {
        "id": school_id,
        "urn": school.urn,
        "name": school.name,
        "la": la_codes.get(school.la_id, ""),
        "phase": taxonomy.PHASES.label_of(school.phase) if school.phase else "",
        "support_category": school.support_category or "",
        # As the SIP's list of schools shows them: the latest visit, and the next one it agreed.
        "last_visit_on": row.last_visit.isoformat() if row.last_visit else None,
        "next_visit_on": row.next_visit.isoformat() if row.next_visit else None,
        "visit": (
            {"id": int(visit.id or 0), "visited_on": visit.visited_on.isoformat()}
            if visit is not None
            else None
        ),
        "priorities": [_priority(n, p, session) for n, p in enumerate(current, start=1)],
        "max_priorities": schools.MAX_PRIORITIES,
    }


def draft_choices() -> dict[str, list[list[str]]]:
    """Return the choices of the visit and priority forms, as the device's draft forms offer them
    (a support category with its meaning, as broker.schools.forms.VisitForm shows it)."""
    choices = {
        name: [[t.slug, t.label] for t in vocabulary.terms]
        for name, vocabulary in (
            ("evidence", taxonomy.EVIDENCE),
            ("support_category", taxonomy.SUPPORT_CATEGORIES),
            ("category", taxonomy.CATEGORIES),
            ("ecm_outcomes", taxonomy.ECM_OUTCOMES),
            ("pupil_groups", taxonomy.PUPIL_GROUPS),
            ("rag", taxonomy.RAG_RATINGS),
        )
    }
    choices["support_category"] = [
        [t.slug, f"{t.label}: {t.hint[0].lower()}{t.hint[1:]}"] for t in taxonomy.SUPPORT_CATEGORIES
    ]
    return choices


def personal_bundle(session: Session, sip: User, now: datetime | None = None) -> dict[str, Any]:
    """Return the SIP's own part of the device's copy: their LAs and their schools.

    Only the schools the SIP is assigned to, next visit first as their list online (the
    caseload); anyone else gets no schools.
    """
    now = now or utcnow()
    las = device_las(session, sip) if sip.role == "sip" and sip.active else []
    la_codes = {int(la.id or 0): la.code for la in las}
    mine = schools.caseload(session, sip) if sip.active else []
    return {
        "version": BUNDLE_VERSION,
        "produced_at": now.isoformat(timespec="seconds"),
        "user": {"id": int(sip.id or 0), "name": sip.name},
        "las": [{"code": la.code, "name": la.name} for la in las],
        "schools": [_school(session, s, la_codes) for s in mine],
        "choices": draft_choices(),
        "limits": {"description": schools.DESCRIPTION_MAX, "notes": schools.NOTES_MAX},
        "confidential": caseload.CONFIDENTIAL,
    }


# --- drafts sent back -------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """What became of a draft: saved now, or saved before (the same key sent again)."""

    key: str
    kind: str
    school_id: int
    saved_id: int
    #: The visit the draft is, or belongs to.
    visit_id: int
    duplicate: bool


def _text(payload: Mapping[str, Any], name: str, limit: int = 10_000) -> str:
    value = payload.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(name, "This must be text")
    return value[:limit]


def _choices(payload: Mapping[str, Any], name: str) -> list[str]:
    value = payload.get(name, [])
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(name, "Choose from the list")
    return [v[:100] for v in value[:50]]


def _date(payload: Mapping[str, Any], name: str, what: str) -> date | None:
    value = payload.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput(name, f"Enter {what} as a real date")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidInput(name, f"Enter {what} as a real date") from None


def _id(payload: Mapping[str, Any], name: str) -> int | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise InvalidInput(name, "This is not a record the service knows")
    return value


def draft_key(payload: Any) -> str:
    """Return the draft's key, or raise InvalidInput when the upload is not a draft at all."""
    if not isinstance(payload, Mapping):
        raise InvalidInput("draft", "Send the draft as a JSON object")
    key = payload.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise InvalidInput("key", "The draft has no key: it was not made by this service")
    return key


def saved_before(session: Session, user: User, key: str) -> Received | None:
    """Return the draft saved under `key` by `user`, if any (InvalidInput: someone else's key)."""
    row = session.get(OfflineDraft, key)
    if row is None:
        return None
    if row.user_id != user.id:
        raise InvalidInput("key", "That draft key is already used: make the draft again")
    visit_id = row.saved_id
    if row.kind == "priority":
        priority = caseload.get_priority(session, row.school_id, row.saved_id)
        visit_id = priority.visit_id
    return Received(key, row.kind, row.school_id, row.saved_id, visit_id, duplicate=True)


def _visit_of(session: Session, user: User, school: School, payload: Mapping[str, Any]) -> Any:
    """Return the visit a priority draft belongs to: a saved visit, or one drafted offline."""
    school_id = int(school.id or 0)
    visit_id = _id(payload, "visit_id")
    if visit_id is not None:
        return schools.get_visit(session, school_id, visit_id)
    visit_key = payload.get("visit_key")
    if not isinstance(visit_key, str) or not _KEY.match(visit_key):
        raise InvalidInput("visit", "Say which visit this priority was agreed at")
    row = session.get(OfflineDraft, visit_key)
    if row is None or row.kind != "visit" or row.user_id != user.id or row.school_id != school_id:
        raise InvalidInput(
            "visit", "The visit this priority was agreed at has not been saved: send it first"
        )
    return schools.get_visit(session, school_id, row.saved_id)


def receive_draft(
    session: Session, user: User, payload: Any, today: date | None = None
) -> Received:
    """Save a draft made offline, once: by the visit and priority forms' rules.

    Raises InvalidInput (returned with the reason: nothing is saved), Forbidden (not the
    school's SIP) or NotFound (no such school or visit). The key's row is added first, so a
    second upload of the same draft racing this one fails on the key, not after saving twice.
    """
    key = draft_key(payload)
    before = saved_before(session, user, key)
    if before is not None:
        return before
    kind = payload.get("kind")
    if kind not in DRAFT_KINDS:
        raise InvalidInput("kind", "A draft is a visit note or a priority")
    school_id = _id(payload, "school_id")
    if school_id is None:
        raise InvalidInput("school_id", "Say which school the draft is for")
    school = caseload.get_school(session, school_id)
    caseload.require_sip(session, user, school)
    row = OfflineDraft(
        key=key, user_id=int(user.id or 0), school_id=school_id, kind=kind, saved_id=0
    )
    session.add(row)
    session.flush()
    if kind == "visit":
        visit = schools.record_visit(
            session,
            user,
            school,
            today=today,
            visited_on=_date(payload, "visited_on", "the date of the visit"),
            evidence=_choices(payload, "evidence"),
            evidence_notes=_text(payload, "evidence_notes"),
            support_category=_text(payload, "support_category", 100) or None,
            next_visit_on=_date(payload, "next_visit_on", "the date of the next visit"),
        )
        row.saved_id = int(visit.id or 0)
        visit_id = row.saved_id
    else:
        visit = _visit_of(session, user, school, payload)
        priority = schools.add_priority(
            session,
            user,
            visit,
            description=_text(payload, "description"),
            category=_text(payload, "category", 100) or None,
            ecm_outcomes=_choices(payload, "ecm_outcomes"),
            pupil_groups=_choices(payload, "pupil_groups"),
            rag=_text(payload, "rag", 100) or None,
        )
        row.saved_id = int(priority.id or 0)
        visit_id = int(visit.id or 0)
    session.add(row)
    session.flush()
    return Received(key, kind, school_id, row.saved_id, visit_id, duplicate=False)
