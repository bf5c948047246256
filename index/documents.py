"""Frozen values passed across the index protocol: Document, Query, Hit, FacetCount, Results."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Document:
    """One searchable listing, flattened by the application.

    Facet values are slugs. `regions` and `local_authorities` are already expanded to the
    "serves" relation: every region / LA code where the listing is available (a national or
    online listing lists them all), so a filter on one is a plain membership test.
    """

    id: int
    title: str
    summary: str
    description: str
    provider_id: int
    provider_name: str
    categories: tuple[str, ...] = ()
    ecm: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    sen: tuple[str, ...] = ()
    pupil_group: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    delivery: tuple[str, ...] = ()
    cost: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    local_authorities: tuple[str, ...] = ()
    recommendations: int = 0
    assured_at: datetime | None = None

    def fingerprint(self) -> str:
        """Return a digest of every field, so `index check` can compare database and index."""
        data = asdict(self)
        data["assured_at"] = self.assured_at.isoformat() if self.assured_at else None
        blob = json.dumps(data, sort_keys=True, default=list).encode()
        return hashlib.sha256(blob).hexdigest()[:24]


#: The sort names; index.schema.SORTS describes each.
SORTS = ("relevance", "title", "recommended", "recent")


@dataclass(frozen=True)
class Query:
    """A parsed search: user words, facet filters, preferences, sort and page.

    `filters` maps a facet name to the values wanted: values within a facet are OR, facets are
    AND. `prefer` maps a facet name to values that raise a hit's score without filtering (the
    matcher uses it). `facets` names the facets to count; each facet's counts ignore that
    facet's own filter (multi-select).
    """

    text: str = ""
    filters: tuple[tuple[str, frozenset[str]], ...] = ()
    prefer: tuple[tuple[str, frozenset[str]], ...] = ()
    exclude_ids: frozenset[int] = frozenset()
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    #: Seed for the fair tie-break order (a stable shuffle, not alphabetical).
    tie_seed: int = 0
    #: Spell-correct: when the words find nothing and a correction does, return its results.
    autocorrect: bool = True

    def filter_map(self) -> dict[str, frozenset[str]]:
        return dict(self.filters)

    def prefer_map(self) -> dict[str, frozenset[str]]:
        return dict(self.prefer)


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    title: str
    #: An HTML fragment: the matching passage with user text escaped and matches in <mark>.
    snippet: str = ""
    #: The query words that matched this hit (analysed forms), for "why it was proposed".
    matched_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class Results:
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    #: A "did you mean" from the directory's own vocabulary, or None.
    suggestion: str | None = None
    #: True when the hits are for `suggestion` because the words as typed found nothing.
    corrected: bool = False
    #: A message for the user when their words could not all be used (too long, too many terms).
    notice: str | None = None
