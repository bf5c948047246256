"""One Open Referral UK service read into an interchange record (broker.interchange.records).

Pure: no database. What the directory cannot keep is returned as problems (field path, reason)
for the import report; a service that cannot become a listing at all raises InvalidRecord.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from broker.interchange.records import InvalidRecord, Problem
from broker.openreferral import mapping
from broker.taxonomy import COSTS, PROVIDER_KINDS, REGIONS, Vocabulary
from broker.validation import describe

#: Our record's field paths as the standard names them, longest first (for the import report).
FIELD_PATHS: tuple[tuple[str, str], ...] = (
    ("listings[0].areas_served.local_authorities", "service_areas"),
    ("listings[0].areas_served", "service_areas"),
    ("listings[0].contact_email", "email"),
    ("listings[0].contact_name", "contacts[0].name"),
    ("listings[0].price_note", "cost_options[0].amount_description"),
    ("listings[0].summary", "description"),
    ("listings[0].title", "name"),
    ("listings[0].code", "id"),
    ("listings[0].", "attributes: "),
    ("provider.website", "organization.website"),
    ("provider.email", "organization.email"),
    ("provider.name", "organization.name"),
    ("provider.kind", "organization.attributes"),
    ("provider:", "organization:"),
)

#: When nothing says what a provider is: most services in councils' feeds are voluntary bodies.
DEFAULT_KIND = "charity-or-voluntary-body"
#: When nothing says what a service costs (QA sees the warning before anything is published).
DEFAULT_COST = "paid"
#: Fields that describe the publisher's copy, not the service: read silently, not kept.
IGNORED = {
    "id",
    "organization_id",
    "status",
    "url",
    "last_modified",
    "assured_date",
    "minimum_age",
    "maximum_age",
    "name",
    "description",
    "email",
    "organization",
    "service_areas",
    "cost_options",
    "contacts",
    "attributes",
    "service_at_locations",
}
TITLE_MAX, SUMMARY_MAX, NOTE_MAX, NAME_MAX = 200, 600, 300, 200


class NotImported(Exception):
    """A service the directory does not take (not active): skipped with a warning."""


@dataclass(frozen=True)
class Places:
    """The LAs an import can name: code -> name."""

    las: Mapping[str, str]

    def la(self, value: str) -> str | None:
        value = value.strip()
        if value in self.las:
            return value
        folded = value.casefold()
        return next((code for code, name in self.las.items() if name.casefold() == folded), None)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def _objects(data: Mapping[str, Any], key: str, problems: list[Problem]) -> list[dict[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(key, f"expected a list, got {describe(value)}"))
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append(item)
        else:
            problems.append(Problem(f"{key}[{i}]", f"expected an object, got {describe(item)}"))
    return out


def _resolve_term(attribute: Mapping[str, Any]) -> tuple[Vocabulary, str, str] | None:
    """Return (vocabulary, column, slug) of an attribute's term when it is one of ours."""
    term = attribute.get("taxonomy_term")
    term = term if isinstance(term, dict) else {}
    for tid in (attribute.get("taxonomy_term_id"), term.get("id")):
        if isinstance(tid, str) and tid in mapping.term_index():
            ref = mapping.term_index()[tid]
            return ref.vocab, ref.column, ref.term.slug
    taxonomy_ = term.get("taxonomy_id")
    found = mapping.taxonomy_index().get(taxonomy_) if isinstance(taxonomy_, str) else None
    if found is None:
        name = _text(term.get("taxonomy")).casefold()
        found = next(
            (
                (vocab, column)
                for vocab, column in mapping.TAXONOMIES
                if name in (vocab.label.casefold(), vocab.name)
            ),
            None,
        )
    if found is None:
        return None
    vocab, column = found
    for key in ("term", "name"):
        hit = vocab.get(_text(term.get(key)))
        if hit is not None:
            return vocab, column, hit.slug
    return None


def service_record(data: Any, places: Places) -> tuple[dict[str, Any], list[Problem]]:
    """Return (an interchange record of one provider with one listing, what was not kept)."""
    if not isinstance(data, dict):
        raise InvalidRecord([Problem("", f"expected a service object, got {describe(data)}")])
    notes: list[Problem] = []
    fatal: list[Problem] = []
    status = data.get("status")
    if status is not None and status != "active":
        raise NotImported(f"status: is {status!r}: only active services are imported")
    title = _text(data.get("name"))
    if not title:
        fatal.append(Problem("name", "is required"))
    elif len(title) > TITLE_MAX:
        notes.append(Problem("name", f"cut to {TITLE_MAX} characters"))
        title = _cut(title, TITLE_MAX)
    org = data.get("organization")
    if not isinstance(org, dict) or not _text(org.get("name")):
        fatal.append(
            Problem(
                "organization",
                "is required, with a name: a service is imported as a listing of its organization",
            )
        )
    if fatal:
        raise InvalidRecord(fatal)
    assert isinstance(org, dict)

    summary, description = _summary(data, title, notes)
    facets: dict[str, list[str]] = {column: [] for column in mapping.LIST_FACETS}
    kind: str | None = None
    cost_from_terms: str | None = None
    for where, attributes in (
        ("attributes", _objects(data, "attributes", notes)),
        ("organization.attributes", _objects(org, "attributes", notes)),
    ):
        for i, attribute in enumerate(attributes):
            resolved = _resolve_term(attribute)
            if resolved is None:
                term = attribute.get("taxonomy_term")
                shown = _text(term.get("name")) if isinstance(term, dict) else ""
                notes.append(
                    Problem(
                        f"{where}[{i}]",
                        f"taxonomy term {shown or attribute.get('taxonomy_term_id')!r} is not "
                        "a term of the directory's taxonomies (see /openreferral/v3/taxonomy_terms)",
                    )
                )
                continue
            _vocab, column, slug = resolved
            if column == "kind":
                kind = kind or slug
            elif column == "cost":
                cost_from_terms = cost_from_terms or slug
            elif slug not in facets[column]:
                facets[column].append(slug)
    if not facets["phases"] and (data.get("minimum_age") or data.get("maximum_age")):
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if isinstance(low, int | float | None) and isinstance(high, int | float | None):
            facets["phases"] = mapping.phases_for_ages(low, high)
    if not facets["delivery"] and _is_virtual(data):
        facets["delivery"] = ["online-remote"]
    if kind is None:
        kind = DEFAULT_KIND
        notes.append(
            Problem(
                "organization.attributes",
                "no provider kind among its terms: imported as "
                f"{PROVIDER_KINDS.label_of(DEFAULT_KIND)!r} (check it before assurance)",
            )
        )
    cost, price_note = _cost(data, cost_from_terms, notes)
    national, regions, las = _areas(data, places, notes)
    contacts = _objects(data, "contacts", notes)
    contact_name = _text(contacts[0].get("name")) if contacts else ""
    if len(contacts) > 1:
        notes.append(Problem("contacts[1]", "the directory keeps one contact per listing"))
    email = _text(data.get("email"))
    org_email = _text(org.get("email"))
    website = _text(org.get("website")) or _text(org.get("uri"))
    if not org_email and not website and email:
        org_email = email  # the importer matches providers on name and email or website
    for key, value in data.items():
        if key not in IGNORED and value not in (None, "", [], {}):
            notes.append(Problem(key, "the directory has no place for it"))
    listing: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "description": description,
        **facets,
        "cost": cost,
        "price_note": price_note,
        "areas_served": {"national": national, "regions": regions, "local_authorities": las},
        "contact_name": _cut(contact_name, NAME_MAX) or None,
        "contact_email": email or None,
    }
    record = {
        "provider": {
            "name": _cut(_text(org.get("name")), NAME_MAX),
            "kind": kind,
            "website": website or None,
            "email": org_email or None,
        },
        "listings": [listing],
        "status": "submitted",
    }
    return record, notes


def _summary(data: Mapping[str, Any], title: str, notes: list[Problem]) -> tuple[str, str]:
    """Split a description: its first paragraph is the summary, the rest the description."""
    text = data.get("description")
    if text is not None and not isinstance(text, str):
        notes.append(Problem("description", f"expected text, got {describe(text)}"))
    text = _text(text)
    if not text:
        return title, ""
    first, _sep, rest = text.partition("\n\n")
    first = first.strip()
    if len(first) > SUMMARY_MAX:
        return _cut(first, SUMMARY_MAX), text
    return first, rest.strip()


def _is_virtual(data: Mapping[str, Any]) -> bool:
    for sal in data.get("service_at_locations") or []:
        location = sal.get("location") if isinstance(sal, dict) else None
        if isinstance(location, dict) and location.get("location_type") == "virtual":
            return True
    return False


def _cost(
    data: Mapping[str, Any], from_terms: str | None, notes: list[Problem]
) -> tuple[str, str | None]:
    options = _objects(data, "cost_options", notes)
    cost, note = from_terms, None
    if options:
        option = options[0]
        label = _text(option.get("option"))
        amount = option.get("amount")
        amount = (
            amount if isinstance(amount, int | float) and not isinstance(amount, bool) else None
        )
        term = COSTS.get(label) if label else None
        if cost is None:
            if term is not None:
                cost = term.slug
            elif amount == 0 or "free" in label.casefold():
                cost = "free"
            else:
                cost = "paid"
        note = _text(option.get("amount_description")) or None
        if note is None and (amount or (label and term is None)):
            parts = [label if term is None else "", f"£{amount:,.2f}" if amount else ""]
            note = " ".join(p for p in parts if p) or None
        if len(options) > 1:
            notes.append(Problem("cost_options[1]", "the directory keeps one cost per listing"))
    elif cost is None and _text(data.get("fees")):
        cost, note = "paid", _text(data.get("fees"))
    if cost is None:
        cost = DEFAULT_COST
        notes.append(
            Problem("cost_options", f"no cost given: imported as {COSTS.label_of(cost)!r}")
        )
    if note and len(note) > NOTE_MAX:
        notes.append(Problem("cost_options[0].amount_description", f"cut to {NOTE_MAX} characters"))
        note = _cut(note, NOTE_MAX)
    return cost, note


def _areas(
    data: Mapping[str, Any], places: Places, notes: list[Problem]
) -> tuple[bool, list[str], list[str]]:
    national, regions, las = False, [], []
    areas = _objects(data, "service_areas", notes)
    for i, area in enumerate(areas):
        kind = _text(area.get("extent_type")).casefold()
        extent = _text(area.get("extent"))
        names = [n for n in (_text(area.get("name")), _text(area.get("service_area"))) if n]
        if (kind == mapping.EXTENT_COUNTRY and extent == mapping.ENGLAND[1]) or any(
            n.casefold() in ("england", "national") for n in names
        ):
            national = True
            continue
        region = REGIONS.get(extent) if kind == mapping.EXTENT_REGION else None
        region = region or next((REGIONS.get(n) for n in names if REGIONS.get(n)), None)
        if region is not None:
            if region.slug not in regions:
                regions.append(region.slug)
            continue
        code = places.la(extent) if kind == mapping.EXTENT_LA else None
        code = code or next((places.la(n) for n in names if places.la(n)), None)
        if code is not None:
            if code not in las:
                las.append(code)
            continue
        shown = names[0] if names else extent
        notes.append(
            Problem(
                f"service_areas[{i}]",
                f"{shown[:80]!r} is not England, an English region or a local authority "
                "the directory knows",
            )
        )
    if not (national or regions or las):
        notes.append(
            Problem(
                "service_areas",
                "no area the directory knows: the listing serves nowhere until one is added",
            )
        )
    return national, regions, las
