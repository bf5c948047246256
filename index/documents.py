"""Frozen values passed across the index protocol: Document, Hit, FacetCount, Results."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from index import schema
from index.query import SORTS, Query

__all__ = ["SORTS", "Document", "FacetCount", "Hit", "Query", "Results", "stored_values"]


@dataclass(frozen=True)
class Document:
    """One searchable listing, flattened by the application.

    Facet values are slugs or codes, as the application chooses to index them (the application
    keeps where a listing works compactly: broker.geography). A filter is a plain membership
    test on them. `public_until` is when the listing stops being public by itself (its
    assurance or its recommendations run out); searches hide it from then on.
    `not_taking_until` is when its provider takes new work again (None: it does now), and
    `capacity_days` the days the provider says it has available this term (None: not said).
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
    code: str = ""
    public_until: datetime | None = None
    not_taking_until: datetime | None = None
    capacity_days: int | None = None

    def fingerprint(self) -> str:
        """Return a digest of every field, so `index check` can compare database and index."""
        # A plain dict of the fields (asdict() deep-copies, and costs 5 times as much).
        data = {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
        blob = json.dumps(data, sort_keys=True, default=list).encode()
        return hashlib.sha256(blob).hexdigest()[:24]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _plain(value: Any) -> Any:
    """Return a datetime as its UTC ISO 8601 text; anything else as it is."""
    return _iso(value) if isinstance(value, datetime) else value


def stored_values(doc: Document) -> dict[str, Any]:
    """Return the fields a backend keeps for display (index.schema.STORED), as plain JSON values
    (a datetime as its UTC ISO 8601 text)."""
    out: dict[str, Any] = {}
    for name in schema.STORED:
        value = getattr(doc, schema.BY_NAME[name].attr)
        out[name] = list(value) if isinstance(value, tuple) else _plain(value)
    return out


#: Text fields whose words say "which words matched" a hit (the backends store their analysed
#: terms with each document, as Hit.terms).
MATCH_FIELDS = ("title", "summary", "description", "provider_name")


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    title: str
    #: The stored fields (index.schema.STORED) of the hit, as indexed.
    fields: Mapping[str, Any] = field(default_factory=dict)
    #: The analysed terms of its MATCH_FIELDS, as indexed (None: an index written before they
    #: were stored; they are then read from the fields).
    terms: frozenset[str] | None = None
    #: An HTML fragment: the matching passage with user text escaped and matches in <mark>.
    snippet: str = ""
    #: The query words that matched this hit (analysed forms), for "why it was proposed".
    matched_terms: tuple[str, ...] = ()
    #: How many of the query's positive clauses this hit matched (None: no words searched).
    matched_clauses: int | None = None
    #: The words (as typed) of the query's clauses this hit does not match.
    missing: tuple[str, ...] = ()
    #: Found by the words the best hits share (index.service.Request.expand), not by enough of
    #: the searched words to match on its own.
    related: bool = False


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


def facet_counts(counts: Mapping[str, int], selected: Iterable[str] = ()) -> tuple[FacetCount, ...]:
    """Return a facet's counts, most first then by value; a selected value is there even at 0."""
    shown = {**{value: 0 for value in selected}, **counts}
    return tuple(FacetCount(v, c) for v, c in sorted(shown.items(), key=lambda vc: (-vc[1], vc[0])))


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
    #: True when no listing had every word, so these hits have some of them.
    partial: bool = False
    #: How many positive clauses (concepts) the search had.
    clauses: int = 0
    #: What the words were understood to imply (index.understanding.Implication), for the page.
    understood: tuple[Any, ...] = ()
    #: Each word of the search no listing uses, with the directory's words close to it in
    #: meaning that were searched for with it ("nervous", ("anxious", "anxiety")).
    close_words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The words (as typed, joined) of each positive clause searched for.
    words: tuple[str, ...] = ()
    #: (typed, replacement) for each word replaced when `corrected`.
    corrections: tuple[tuple[str, str], ...] = ()
    #: True when no listing had any of the words, so these are the listings of the topics the
    #: words name (`understood`).
    by_topic: bool = False
    #: With feedback words finding listings too (index.service.Request.expand): how many of the
    #: `total` have the searched words; the others are related to the best of them.
    worded: int | None = None
