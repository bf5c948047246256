"""Our directory in the words of Open Referral UK (HSDS 3.0, UK profile): ids, taxonomies, services.

Pure: no database and no Flask. The README's "Open Referral UK" section is the mapping in words.
Every id is a UUID 5 from one fixed namespace and a stable natural key (a listing's code, a
provider's name and address, a vocabulary's and a term's slug), so ids survive index rebuilds,
database moves, and an export followed by an import into an empty directory.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from broker.models import LISTING_LIST_COLUMNS, Listing, Provider
from broker.taxonomy import (
    CATEGORIES,
    COSTS,
    DELIVERY,
    ECM_OUTCOMES,
    PHASES,
    PROVIDER_KINDS,
    PUPIL_GROUPS,
    REGIONS,
    SEN_SPECIALISMS,
    Term,
    Vocabulary,
)

#: The namespace of every id we publish; never change it (every consumer's ids would change).
NAMESPACE = uuid.UUID("6f1c3a52-9a0e-5c1b-8f3e-2b7d4e0c9a11")
#: What the root endpoint says this feed is.
HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"

#: Our facets published as taxonomies: the listing column each is stored in (kind: the provider's).
TAXONOMIES: tuple[tuple[Vocabulary, str], ...] = (
    (CATEGORIES, "categories"),
    (ECM_OUTCOMES, "ecm_outcomes"),
    (PHASES, "phases"),
    (SEN_SPECIALISMS, "sen_specialisms"),
    (PUPIL_GROUPS, "pupil_groups"),
    (PROVIDER_KINDS, "kind"),
    (DELIVERY, "delivery"),
    (COSTS, "cost"),
)
#: Facets stored as a JSON list of slugs on the listing (the rest hold one slug).
LIST_FACETS = tuple(column for _, column in TAXONOMIES if column in LISTING_LIST_COLUMNS)

#: The ages of the pupils each phase teaches: a service's minimum_age and maximum_age.
PHASE_AGES: dict[str, tuple[int, int]] = {
    "early-years": (0, 5),
    "primary": (4, 11),
    "secondary": (11, 16),
    "special": (2, 19),
    "pru": (5, 16),
    "post-16": (16, 19),
    "all-through": (4, 19),
}

#: service_area.extent_type values we publish and read back.
EXTENT_COUNTRY = "country"
EXTENT_REGION = "english_region"
EXTENT_LA = "local_authority"
#: England's ONS code: a national listing's one service area.
ENGLAND = ("England", "E92000001")

#: Delivery modes that make a listing available online: a virtual location.
ONLINE_DELIVERY = ("online-remote", "downloadable-resource")


def make_id(*parts: str) -> str:
    """Return the stable UUID (as text) of the thing named by `parts`."""
    return str(uuid.uuid5(NAMESPACE, "\n".join(parts)))


@lru_cache(maxsize=65536)
def service_id(code: str) -> str:
    """Return a listing's service id: from its code, which is permanent (printed, /l/CODE)."""
    return make_id("listing", code.upper())


def organization_id(provider: Provider) -> str:
    """Return a provider's organization id: from what identifies it on import too."""
    return make_id("provider", provider.name.casefold(), _address_key(provider))


def _address_key(provider: Provider) -> str:
    if provider.email:
        return provider.email.casefold()
    website = (provider.website or "").strip().casefold()
    for prefix in ("https://", "http://"):
        website = website.removeprefix(prefix)
    return website.removeprefix("www.").rstrip("/")


def taxonomy_id(vocab: Vocabulary) -> str:
    return make_id("taxonomy", vocab.name)


def term_id(vocab: Vocabulary, slug: str) -> str:
    return make_id("taxonomy_term", vocab.name, slug)


@dataclass(frozen=True)
class TermRef:
    """A published taxonomy term, and where its value is kept on our side."""

    vocab: Vocabulary
    column: str
    term: Term


@lru_cache(maxsize=1)
def term_index() -> dict[str, TermRef]:
    """Return {term id: the term} for every term we publish."""
    return {
        term_id(vocab, term.slug): TermRef(vocab, column, term)
        for vocab, column in TAXONOMIES
        for term in vocab
    }


@lru_cache(maxsize=1)
def taxonomy_index() -> dict[str, tuple[Vocabulary, str]]:
    """Return {taxonomy id: (vocabulary, column)}."""
    return {taxonomy_id(vocab): (vocab, column) for vocab, column in TAXONOMIES}


def taxonomy_json(vocab: Vocabulary) -> dict[str, Any]:
    """Return one taxonomy as the standard's taxonomy object."""
    return {
        "id": taxonomy_id(vocab),
        "name": vocab.label,
        "description": f"The e-Directory's {vocab.label.lower()} facet ({vocab.name}).",
        "version": "1",
    }


def term_json(vocab: Vocabulary, term: Term) -> dict[str, Any]:
    """Return one term as the standard's taxonomy_term: name the label, term the slug."""
    return {
        "id": term_id(vocab, term.slug),
        "name": term.label,
        "description": term.hint or term.label,
        "taxonomy": vocab.label,
        "taxonomy_id": taxonomy_id(vocab),
        "term": term.slug,
    }


def all_terms() -> list[dict[str, Any]]:
    """Return every published term, taxonomy by taxonomy, in the vocabularies' order."""
    return [term_json(vocab, term) for vocab, _column in TAXONOMIES for term in vocab]


def ages(phases: Iterable[str]) -> tuple[int, int] | None:
    """Return (minimum, maximum) pupil age the phases cover, or None when none is known."""
    ranges = [PHASE_AGES[p] for p in phases if p in PHASE_AGES]
    if not ranges:
        return None
    return min(lo for lo, _ in ranges), max(hi for _, hi in ranges)


def phases_for_ages(minimum: float | None, maximum: float | None) -> list[str]:
    """Return the single-age-band phases whose pupils fall in [minimum, maximum]."""
    lo = 0.0 if minimum is None else minimum
    hi = 99.0 if maximum is None else maximum
    bands = ("early-years", "primary", "secondary", "post-16")
    return [p for p in bands if PHASE_AGES[p][0] < hi and PHASE_AGES[p][1] > lo]


def timestamp(value: datetime | None) -> str | None:
    """Return an aware datetime as RFC 3339 in UTC (the standard's date-time)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def organization_json(provider: Provider, full: bool) -> dict[str, Any]:
    """Return a provider as the standard's organization (with its kind as an attribute if full)."""
    org_id = organization_id(provider)
    kind = PROVIDER_KINDS.get(provider.kind)
    body: dict[str, Any] = {
        "id": org_id,
        "name": provider.name,
        "description": f"{provider.name}: {kind.label if kind else provider.kind}.",
    }
    if provider.email:
        body["email"] = provider.email
    if provider.website:
        body["website"] = provider.website
    if full and kind is not None:
        body["attributes"] = [_attribute(org_id, "organization", PROVIDER_KINDS, kind)]
    return body


def _attribute(link_id: str, link_type: str, vocab: Vocabulary, term: Term) -> dict[str, Any]:
    tid = term_id(vocab, term.slug)
    return {
        "id": make_id("attribute", link_id, tid),
        "link_id": link_id,
        "link_type": link_type,
        "taxonomy_term_id": tid,
        "taxonomy_term": term_json(vocab, term),
    }


def service_json(
    listing: Listing,
    provider: Provider,
    *,
    full: bool,
    la_names: Mapping[str, str],
    base_url: str | None = None,
) -> dict[str, Any]:
    """Return a public listing as the standard's service: full (with its nested objects) or not."""
    sid = service_id(listing.code)
    description = listing.summary
    if listing.description.strip():
        description = f"{listing.summary}\n\n{listing.description}"
    body: dict[str, Any] = {
        "id": sid,
        "organization_id": organization_id(provider),
        "name": listing.title,
        "description": description,
    }
    if base_url:
        body["url"] = f"{base_url.rstrip('/')}/l/{listing.code}"
    email = listing.contact_email or provider.email
    if email:
        body["email"] = email
    body["status"] = "active"
    age_range = ages(listing.phases)
    if age_range is not None:
        body["minimum_age"], body["maximum_age"] = age_range
    if listing.assured_at is not None:
        body["assured_date"] = listing.assured_at.date().isoformat()
    body["last_modified"] = timestamp(listing.updated_at)
    body["organization"] = organization_json(provider, full)
    if not full:
        return body
    body["service_areas"] = [
        {"id": make_id("service_area", sid, kind, value), "service_id": sid, **area}
        for kind, value, area in _areas(listing, la_names)
    ]
    body["cost_options"] = [_cost_option(sid, listing)]
    body["contacts"] = (
        [{"id": make_id("contact", sid), "service_id": sid, "name": listing.contact_name}]
        if listing.contact_name
        else []
    )
    body["service_at_locations"] = (
        [_virtual_location(sid)] if any(d in ONLINE_DELIVERY for d in listing.delivery) else []
    )
    body["attributes"] = [
        _attribute(sid, "service", vocab, term)
        for vocab, term in _terms(listing, provider.kind)
        if vocab is not PROVIDER_KINDS  # on the organization
    ]
    return body


def _terms(listing: Listing, kind: str) -> Iterable[tuple[Vocabulary, Term]]:
    for vocab, column in TAXONOMIES:
        if column == "kind":
            slugs = [kind]
        elif column == "cost":
            slugs = [listing.cost]
        else:
            slugs = list(getattr(listing, column))
        for slug in slugs:
            term = vocab.get(slug)
            if term is not None:
                yield vocab, term


def _areas(
    listing: Listing, la_names: Mapping[str, str]
) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """Yield where the listing works, as it names it: England, regions, then LAs."""
    if listing.national:
        name, code = ENGLAND
        yield (
            EXTENT_COUNTRY,
            code,
            {"name": name, "extent": code, "extent_type": EXTENT_COUNTRY, "service_area": name},
        )
    for slug in listing.regions:
        label = REGIONS.label_of(slug)
        yield (
            EXTENT_REGION,
            slug,
            {"name": label, "extent": slug, "extent_type": EXTENT_REGION, "service_area": label},
        )
    for code in listing.local_authorities:
        name = la_names.get(code, code)
        yield (
            EXTENT_LA,
            code,
            {"name": name, "extent": code, "extent_type": EXTENT_LA, "service_area": name},
        )


def _cost_option(sid: str, listing: Listing) -> dict[str, Any]:
    option: dict[str, Any] = {
        "id": make_id("cost_option", sid),
        "service_id": sid,
        "option": COSTS.label_of(listing.cost),
    }
    if listing.cost == "free":
        option["amount"] = 0
    if listing.price_note:
        option["amount_description"] = listing.price_note
    return option


def _virtual_location(sid: str) -> dict[str, Any]:
    location_id = make_id("location", sid, "online")
    return {
        "id": make_id("service_at_location", sid, "online"),
        "service_id": sid,
        "location_id": location_id,
        "location": {
            "id": location_id,
            "location_type": "virtual",
            "name": "Online",
            "description": "Delivered online or as a download.",
        },
    }


def service_at_location_json(service: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the service_at_location list items of one full service (with its service, not full)."""
    short = {key: value for key, value in service.items() if not isinstance(value, list)}
    return [
        {
            "id": sal["id"],
            "service_id": service["id"],
            "location_id": sal["location_id"],
            "location": sal["location"],
            "service": short,
        }
        for sal in service.get("service_at_locations", [])
    ]


def page_json(
    contents: list[dict[str, Any]], total: int, page: int, per_page: int
) -> dict[str, Any]:
    """Return the standard's page envelope around `contents`."""
    pages = (total + per_page - 1) // per_page
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }
