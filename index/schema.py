"""The one declaration of what the index holds and what each field can do.

Backends build their engine schema from FIELDS; the query layer takes the allowed filters,
facets and sorts from here; the application builds its facet widgets and sort menu from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "text", "keyword", "facet", "numeric", "date"]


@dataclass(frozen=True)
class Field:
    """One field: where its value comes from on a Document, and what it can do."""

    name: str
    kind: Kind
    #: The Document attribute read (defaults to `name`).
    source: str = ""
    #: Kept in the index for display (titles, snippets) or checks (fingerprint).
    stored: bool = False
    #: Has a per-document column for sorting.
    sortable: bool = False
    #: Relative weight of a match in this field (text fields only).
    boost: float = 1.0
    #: Users' words are searched in this field (only public text fields are; no `field:` syntax).
    public: bool = False
    #: For facets: shown to users as a filter with counts.
    label: str = ""
    #: Dates only: compared with the moment of a search (Query.now), so kept as whole seconds.
    compared: bool = False
    #: For a compared date: a missing one is long past (True) or never comes (False).
    missing_past: bool = False

    @property
    def attr(self) -> str:
        return self.source or self.name


FIELDS: tuple[Field, ...] = (
    Field("id", "id", stored=True, sortable=True),
    Field("code", "keyword", stored=True),
    Field("title", "text", stored=True, sortable=True, boost=4.0, public=True),
    Field("summary", "text", stored=True, boost=2.0, public=True),
    Field("description", "text", stored=True, boost=1.0, public=True),
    Field("provider_name", "text", stored=True, boost=0.4, public=True),
    Field("provider_id", "keyword", stored=True),
    Field("category", "facet", source="categories", stored=True, label="Area of support"),
    Field("ecm", "facet", stored=True, label="Every Child Matters outcome"),
    Field("phase", "facet", stored=True, label="Phase"),
    Field("sen", "facet", stored=True, label="SEN specialism"),
    Field("pupil_group", "facet", stored=True, label="Pupil group"),
    Field("kind", "facet", stored=True, label="Provider kind"),
    Field("delivery", "facet", stored=True, label="Delivery"),
    Field("cost", "facet", stored=True, label="Cost"),
    Field("region", "facet", source="regions", label="Region"),
    Field("la", "facet", source="local_authorities", label="Local authority"),
    Field("recommendations", "numeric", stored=True, sortable=True),
    Field("assured_at", "date", sortable=True),
    #: When the listing stops being public by itself (assurance or recommendations run out).
    Field("public_until", "date", compared=True),
    #: From when the provider takes new work again (None: it does now).
    Field("not_taking_until", "date", stored=True, compared=True, missing_past=True),
    #: The days the provider says it has available this term (None: not said).
    Field("capacity_days", "numeric", stored=True),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}

#: Facet names in display order; each is also a filter.
FACETS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == "facet")

#: Fields kept in the index and returned with each hit, so results need no database read.
STORED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.stored)

#: Dates compared with the moment of a search, each kept as a column of whole seconds.
COMPARED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.compared)

#: Text fields searched with users' words, strongest first.
PUBLIC_TEXT: tuple[Field, ...] = tuple(
    sorted((f for f in FIELDS if f.kind == "text" and f.public), key=lambda f: -f.boost)
)


@dataclass(frozen=True)
class Passed:
    """A yes/no filter on a compared date: it keeps the documents whose date has passed by the
    moment of the search (Query.passed), or that have none when a missing one is long past."""

    name: str
    label: str
    field: str


#: The yes/no date filters users can tick, by parameter name.
PASSED: dict[str, Passed] = {
    f.name: f for f in (Passed("taking", "Taking new work", "not_taking_until"),)
}


@dataclass(frozen=True)
class Sort:
    """A sort option: the field ordered by (None = relevance) and whether highest comes first."""

    name: str
    label: str
    field: str | None
    descending: bool


SORTS: dict[str, Sort] = {
    s.name: s
    for s in (
        Sort("relevance", "Relevance", None, True),
        Sort("title", "Title (A to Z)", "title", False),
        Sort("recommended", "Most recommended", "recommendations", True),
        Sort("recent", "Recently assured", "assured_at", True),
    )
}
DEFAULT_SORT = "relevance"

#: The most facet values of one facet a query may filter on or prefer.
MAX_VALUES_PER_FACET = 200
#: The largest page size a backend will serve.
MAX_PER_PAGE = 100


def facet_label(name: str) -> str:
    """Return the display label of facet `name`."""
    return BY_NAME[name].label
