"""The interchange record: parse one JSON Lines record into typed values, or say exactly what is wrong.

Pure: no database. Everything that needs the database (LA codes exist, schools are known) is
checked by the import service. Facet values arrive as DOMAIN.md labels or slugs, in any case,
and leave here as slugs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from broker.taxonomy import (
    CATEGORIES,
    COSTS,
    DELIVERY,
    ECM_OUTCOMES,
    LISTING_STATUSES,
    PHASES,
    PROVIDER_KINDS,
    PUPIL_GROUPS,
    REGIONS,
    SCHOOL_TYPES,
    SEN_SPECIALISMS,
    Term,
    Vocabulary,
)

#: The statuses a whole provider record may carry (the `status` key).
PROVIDER_STATUSES = ("submitted", "assured", "suspended", "lapsed")
#: The statuses a recommendation may carry (the optional `status` key on a recommendation).
RECOMMENDATION_STATUSES = ("requested", "confirmed", "declined", "withdrawn")

#: The listing facets of the format: key -> (vocabulary, what one value is called in messages).
LISTING_FACETS: dict[str, tuple[Vocabulary, str]] = {
    "categories": (CATEGORIES, "an area of support"),
    "ecm_outcomes": (ECM_OUTCOMES, "an Every Child Matters outcome"),
    "phases": (PHASES, "a phase"),
    "sen_specialisms": (SEN_SPECIALISMS, "an SEN specialism"),
    "pupil_groups": (PUPIL_GROUPS, "a pupil group"),
    "delivery": (DELIVERY, "a delivery mode"),
}

TOP_KEYS = ("provider", "listings", "recommendations", "status")
PROVIDER_KEYS = ("name", "kind", "website", "email", "phone", "la_code", "school_urn")
LISTING_KEYS = (
    "title",
    "summary",
    "description",
    *LISTING_FACETS,
    "cost",
    "price_note",
    "areas_served",
    # Optional extensions that make export lossless (see the README's interchange section).
    "code",
    "contact_name",
    "contact_email",
    "contact_phone",
    "status",
    "submitted_at",
    "assured_at",
    "assurance_expires_at",
)
AREAS_KEYS = ("national", "regions", "local_authorities")
RECOMMENDATION_KEYS = (
    "school_urn",
    "school_name",
    "recommender_name",
    "service_title",
    "impact",
    "date",
    # Optional extensions.
    "status",
    "withdrawn_at",
    "listing_title",
    "school_phase",
    "school_type",
    "school_la_code",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: where (a field path) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidRecord(Exception):
    """A record that cannot be imported; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ListingRecord:
    title: str
    summary: str
    description: str
    categories: list[str]
    ecm_outcomes: list[str]
    phases: list[str]
    sen_specialisms: list[str]
    pupil_groups: list[str]
    delivery: list[str]
    cost: str
    price_note: str | None
    national: bool
    regions: list[str]
    local_authorities: list[str]
    code: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    status: str | None = None
    submitted_at: datetime | None = None
    assured_at: datetime | None = None
    assurance_expires_at: datetime | None = None


@dataclass
class RecommendationRecord:
    school_urn: str
    school_name: str | None
    recommender_name: str
    service_title: str
    impact: str
    made_on: date
    status: str = "confirmed"
    withdrawn_at: datetime | None = None
    listing_title: str | None = None
    school_phase: str | None = None
    school_type: str | None = None
    #: Where to add the school when the register does not know it.
    school_la_code: str | None = None


@dataclass
class ProviderRecord:
    name: str
    kind: str
    website: str | None
    email: str | None
    phone: str | None
    la_code: str | None
    school_urn: str | None
    status: str
    listings: list[ListingRecord] = field(default_factory=list)
    recommendations: list[RecommendationRecord] = field(default_factory=list)
    #: Things worth saying that do not stop the import (e.g. a repeated school).
    notes: list[str] = field(default_factory=list)


def parse_json(text: str) -> Any:
    """Decode one line of JSON, raising InvalidRecord with the column of the mistake."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            [Problem("", f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None


def parse_record(data: Any, today: date | None = None) -> ProviderRecord:
    """Check one decoded record and return it typed, with facet values as slugs."""
    check = _Checker(today or date.today())
    record = check.record(data)
    if check.problems or record is None:
        raise InvalidRecord(check.problems)
    return record


def to_utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime (how the models store time); naive means UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_TERMS: dict[tuple[str, str], Term | None] = {}


def _term(vocab: Vocabulary, value: str) -> Term | None:
    """Look a value up in a vocabulary, remembering the answer (imports repeat the same few)."""
    key = (vocab.name, value)
    if key not in _TERMS:
        if len(_TERMS) > 10_000:
            _TERMS.clear()
        _TERMS[key] = vocab.get(value)
    return _TERMS[key]


def _choices(vocab: Vocabulary) -> str:
    return ", ".join(t.label for t in vocab)


class _Checker:
    """Collect every problem in a record rather than stopping at the first."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # --- shapes --------------------------------------------------------------------------

    def obj(self, value: Any, path: str, keys: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {_describe(value)}")
            return None
        for key in value:
            if key not in keys:
                where = f"{path}.{key}" if path else key
                self.fail(where, f"is not a field of this format (expected: {', '.join(keys)})")
        return value

    def text(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        required: bool = False,
        max_length: int | None = None,
        default: str | None = None,
    ) -> str | None:
        where = f"{path}.{key}" if path else key
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # URNs and LA codes written as numbers
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(where, "is required")
            return default
        if not isinstance(value, str):
            self.fail(where, f"expected text, got {_describe(value)}")
            return default
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            self.fail(where, f"is {len(value)} characters long (at most {max_length})")
        return value

    def term(
        self, data: dict[str, Any], key: str, path: str, vocab: Vocabulary, noun: str
    ) -> str | None:
        where = f"{path}.{key}" if path else key
        value = data.get(key)
        if value is None or value == "":
            self.fail(where, "is required")
            return None
        if not isinstance(value, str):
            self.fail(where, f"expected text, got {_describe(value)}")
            return None
        found = _term(vocab, value)
        if found is None:
            self.fail(where, f"{value!r} is not {noun} (choose from: {_choices(vocab)})")
            return None
        return found.slug

    def terms(
        self, data: dict[str, Any], key: str, path: str, vocab: Vocabulary, noun: str
    ) -> list[str]:
        where = f"{path}.{key}" if path else key
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]  # one value written without brackets
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_describe(value)}")
            return []
        slugs: list[str] = []
        for item in value:
            found = _term(vocab, item) if isinstance(item, str) else None
            if found is None:
                shown = repr(item) if isinstance(item, str) else _describe(item)
                self.fail(where, f"{shown} is not {noun} (choose from: {_choices(vocab)})")
            elif found.slug not in slugs:
                slugs.append(found.slug)
        return slugs

    def when(self, data: dict[str, Any], key: str, path: str) -> datetime | None:
        where = f"{path}.{key}" if path else key
        value = data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return to_utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
            except ValueError:
                pass
        self.fail(
            where, f"{value!r} is not a date and time (use 2024-09-01 or 2024-09-01T09:30:00)"
        )
        return None

    # --- the record ----------------------------------------------------------------------

    def record(self, data: Any) -> ProviderRecord | None:
        top = self.obj(data, "", TOP_KEYS)
        if top is None:
            return None
        provider = self.obj(top.get("provider"), "provider", PROVIDER_KEYS)
        status = self.provider_status(top.get("status"))
        listings = self.listings(top.get("listings"))
        recommendations = self.recommendations(top.get("recommendations"), listings)
        if provider is None:
            return None
        p = "provider"
        record = ProviderRecord(
            name=self.text(provider, "name", p, required=True, max_length=200) or "",
            kind=self.term(provider, "kind", p, PROVIDER_KINDS, "a provider kind") or "",
            website=self.text(provider, "website", p, max_length=300),
            email=self.text(provider, "email", p, max_length=254),
            phone=self.text(provider, "phone", p, max_length=40),
            la_code=self.text(provider, "la_code", p, max_length=10),
            school_urn=self.text(provider, "school_urn", p, max_length=12),
            status=status,
            listings=listings,
            recommendations=recommendations,
        )
        if record.email is not None and not _looks_like_email(record.email):
            self.fail("provider.email", f"{record.email!r} is not an email address")
        if record.name and not (record.email or record.website):
            self.fail(
                "provider",
                "give an email or a website: a provider is matched on name and email or website",
            )
        self.one_per_school(record)
        return record

    def provider_status(self, value: Any) -> str:
        if value is None:
            return "submitted"
        if isinstance(value, str) and value.strip().lower() in PROVIDER_STATUSES:
            return value.strip().lower()
        shown = repr(value) if isinstance(value, str) else _describe(value)
        self.fail(
            "status",
            f"{shown} is not a provider status (choose from: {', '.join(PROVIDER_STATUSES)})",
        )
        return "submitted"

    def listings(self, value: Any) -> list[ListingRecord]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail("listings", f"expected a list, got {_describe(value)}")
            return []
        out: list[ListingRecord] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            path = f"listings[{i}]"
            listing = self.listing(item, path)
            if listing is None:
                continue
            key = listing.title.casefold()
            if key and key in seen:
                self.fail(f"{path}.title", f"repeats the title of listings[{seen[key]}]")
            seen.setdefault(key, i)
            out.append(listing)
        return out

    def listing(self, value: Any, path: str) -> ListingRecord | None:
        data = self.obj(value, path, LISTING_KEYS)
        if data is None:
            return None
        facets = {
            key: self.terms(data, key, path, vocab, noun)
            for key, (vocab, noun) in LISTING_FACETS.items()
        }
        national, regions, las = self.areas(data.get("areas_served"), f"{path}.areas_served")
        status = None
        if data.get("status") is not None:
            status = self.term(data, "status", path, LISTING_STATUSES, "a listing status")
        code = self.text(data, "code", path, max_length=12)
        if code is not None:
            code = code.upper()
        contact_email = self.text(data, "contact_email", path, max_length=254)
        if contact_email is not None and not _looks_like_email(contact_email):
            self.fail(f"{path}.contact_email", f"{contact_email!r} is not an email address")
        return ListingRecord(
            title=self.text(data, "title", path, required=True, max_length=200) or "",
            summary=self.text(data, "summary", path, required=True, max_length=600) or "",
            description=self.text(data, "description", path, default="") or "",
            cost=self.term(data, "cost", path, COSTS, "a cost") or "",
            price_note=self.text(data, "price_note", path, max_length=300),
            national=national,
            regions=regions,
            local_authorities=las,
            code=code,
            contact_name=self.text(data, "contact_name", path, max_length=200),
            contact_email=contact_email,
            contact_phone=self.text(data, "contact_phone", path, max_length=40),
            status=status,
            submitted_at=self.when(data, "submitted_at", path),
            assured_at=self.when(data, "assured_at", path),
            assurance_expires_at=self.when(data, "assurance_expires_at", path),
            **facets,
        )

    def areas(self, value: Any, path: str) -> tuple[bool, list[str], list[str]]:
        if value is None:
            return False, [], []
        data = self.obj(value, path, AREAS_KEYS)
        if data is None:
            return False, [], []
        national = data.get("national", False)
        if not isinstance(national, bool):
            self.fail(f"{path}.national", f"expected true or false, got {_describe(national)}")
            national = False
        regions = self.terms(data, "regions", path, REGIONS, "an English region")
        codes: list[str] = []
        raw = data.get("local_authorities") or []
        if not isinstance(raw, list):
            self.fail(
                f"{path}.local_authorities", f"expected a list of LA codes, got {_describe(raw)}"
            )
            raw = []
        for item in raw:
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{path}.local_authorities", f"expected LA codes, got {_describe(item)}")
            elif item.strip() not in codes:
                codes.append(item.strip())
        return national, regions, codes

    def recommendations(
        self, value: Any, listings: list[ListingRecord]
    ) -> list[RecommendationRecord]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail("recommendations", f"expected a list, got {_describe(value)}")
            return []
        titles = {listing.title.casefold(): listing.title for listing in listings}
        out: list[RecommendationRecord] = []
        for i, item in enumerate(value):
            rec = self.recommendation(item, f"recommendations[{i}]", titles)
            if rec is not None:
                out.append(rec)
        return out

    def recommendation(
        self, value: Any, path: str, titles: dict[str, str]
    ) -> RecommendationRecord | None:
        data = self.obj(value, path, RECOMMENDATION_KEYS)
        if data is None:
            return None
        made_on = self.made_on(data.get("date"), f"{path}.date")
        status = "confirmed"
        raw_status = data.get("status")
        if raw_status is not None:
            if (
                isinstance(raw_status, str)
                and raw_status.strip().lower() in RECOMMENDATION_STATUSES
            ):
                status = raw_status.strip().lower()
            else:
                shown = repr(raw_status) if isinstance(raw_status, str) else _describe(raw_status)
                self.fail(
                    f"{path}.status",
                    f"{shown} is not a recommendation status (choose from: {', '.join(RECOMMENDATION_STATUSES)})",
                )
        listing_title = self.text(data, "listing_title", path)
        if listing_title is not None:
            if listing_title.casefold() not in titles:
                self.fail(
                    f"{path}.listing_title",
                    f"{listing_title!r} is not the title of a listing in this record",
                )
            else:
                listing_title = titles[listing_title.casefold()]
        phase = None
        if data.get("school_phase") is not None:
            phase = self.term(data, "school_phase", path, PHASES, "a phase")
        school_type = None
        if data.get("school_type") is not None:
            school_type = self.term(data, "school_type", path, SCHOOL_TYPES, "a school type")
        return RecommendationRecord(
            school_urn=self.text(data, "school_urn", path, required=True, max_length=12) or "",
            school_name=self.text(data, "school_name", path, max_length=200),
            recommender_name=self.text(
                data, "recommender_name", path, required=True, max_length=200
            )
            or "",
            service_title=self.text(data, "service_title", path, required=True, max_length=200)
            or "",
            impact=self.text(data, "impact", path, required=True) or "",
            made_on=made_on or self.today,
            status=status,
            withdrawn_at=self.when(data, "withdrawn_at", path),
            listing_title=listing_title,
            school_phase=phase,
            school_type=school_type,
            school_la_code=self.text(data, "school_la_code", path, max_length=10),
        )

    def made_on(self, value: Any, path: str) -> date | None:
        if value is None or value == "":
            self.fail(path, "is required")
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = date.fromisoformat(value.strip()[:10])
            except ValueError:
                parsed = None
        if parsed is None:
            self.fail(path, f"{value!r} is not a date (use YYYY-MM-DD, e.g. 2024-09-01)")
            return None
        if parsed > self.today:
            self.fail(path, f"{parsed.isoformat()} is in the future")
        return parsed

    def one_per_school(self, record: ProviderRecord) -> None:
        """Keep one recommendation per school: a later one replaces an earlier (DOMAIN.md)."""
        by_school: dict[str, RecommendationRecord] = {}
        for rec in record.recommendations:
            if rec.school_urn in by_school:
                record.notes.append(
                    f"a second recommendation from school {rec.school_urn} replaces the first "
                    "(one recommendation per school)"
                )
            by_school[rec.school_urn] = rec
        record.recommendations = list(by_school.values())


def _looks_like_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(local and at and "." in domain and " " not in value)
