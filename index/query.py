"""The engine-neutral query: a tree of analysed clauses, filters, preferences, facets, sort, page.

Users' text never crosses the backend protocol: `index.querying` analyses it once (tokens,
stems, the domain's synonyms) into `Clause`s, and each backend compiles a `Query` into its
engine's own query with a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: The sort names; index.schema.SORTS describes each.
SORTS = ("relevance", "title", "recommended", "recent")

#: How much a preference raises a matching hit's relevance: score * (1 + weight) per preference.
PREFER_WEIGHT = 0.5


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a clause: a term, a phrase (several terms in order) or a prefix."""

    terms: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.terms) > 1


@dataclass(frozen=True)
class Clause:
    """One concept of the search; a hit matches it by matching any one of its alternatives."""

    alternatives: tuple[Alternative, ...]
    #: The user's words behind this clause (folded), for spelling and display.
    words: tuple[str, ...] = ()
    #: A negated clause excludes every hit that matches it.
    negated: bool = False
    #: True when the alternatives came from the synonyms file.
    expanded: bool = False
    #: Relative weight of this clause in the score.
    weight: float = 1.0
    #: True when the user quoted these words: they are searched for as written.
    quoted: bool = False
    #: True when the words say which pupils or school ("Year 1", "KS3"), not what the support
    #: is about (index.understanding): they score, and count for less in a hit's coverage.
    context: bool = False
    #: True when a full stop, colon, semicolon, question or exclamation mark follows the words:
    #: no phrase or everyday wording runs on past them ("teaching is satisfactory: lessons").
    ends: bool = False
    #: The directory's words close in meaning to this clause's word, which no listing uses,
    #: added as alternatives ("nervous": "anxious", "anxiety"; index.service.close_words).
    close: tuple[str, ...] = ()
    #: True when a word of the clause was typed with two or more capitals, as an abbreviation
    #: is written: an abbreviation that is an everyday word in lower case reads as one only so
    #: ("SEND", not "send"; index.analysis.spelt).
    capitals: bool = False
    #: True when words that analysis drops (stop words) were typed between this clause's and
    #: the one before it: a year group or other context form written without them does not
    #: span the two ("this year and two of them" is not Year 2; index.understanding).
    spaced: bool = False


@dataclass(frozen=True)
class Preference:
    """Raise the relevance of hits with any of `values` in `facet`, without filtering."""

    facet: str
    values: frozenset[str]
    weight: float = PREFER_WEIGHT


class Signed:
    """Clauses split by sign: the query's words, and its exclusions (-word)."""

    clauses: tuple[Clause, ...]

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)


@dataclass(frozen=True)
class Query(Signed):
    """A search as every backend receives it.

    `filters` maps a facet name to the values wanted: values within a facet are OR, facets are
    AND, and filters never change the score. `facets` names the facets to count; each facet's
    counts ignore that facet's own filter (multi-select). `must_match` is how many positive
    clauses a hit must match (None: all of them). `now` hides documents whose `public_until`
    has passed, whether or not anything has re-indexed them. `passed` names compared dates
    (index.schema.COMPARED) that must have passed by `now`: a filter that never goes stale.
    """

    clauses: tuple[Clause, ...] = ()
    must_match: int | None = None
    filters: tuple[tuple[str, frozenset[str]], ...] = ()
    prefer: tuple[Preference, ...] = ()
    exclude_ids: frozenset[int] = frozenset()
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    #: Seed for the fair order of equal results (a stable shuffle, not alphabetical).
    tie_seed: int = 0
    now: datetime | None = None
    passed: tuple[str, ...] = ()
    #: Clauses counted in the score but not in matching (e.g. a query's implied context).
    boosts: tuple[Clause, ...] = field(default=())
    #: Listings found whatever their words (those close in meaning to the search): they pass
    #: the filters like every hit, and score only what their words and preferences give.
    also_ids: frozenset[int] = frozenset()
    #: Facet values whose listings are found whatever their words (a specific topic the
    #: search's words imply, such as "cerebral palsy": physical disability), likewise.
    also_topics: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def required(self) -> int:
        """Return how many positive clauses a hit must match (0 when there are none)."""
        positive = len(self.positive)
        if self.must_match is None:
            return positive
        return max(1, min(positive, self.must_match)) if positive else 0

    @property
    def scored(self) -> bool:
        """Say whether hits are ranked by a score (words or preferences) under a relevance sort."""
        return bool(self.positive or self.prefer or self.boosts)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def filter_map(self) -> dict[str, frozenset[str]]:
        return dict(self.filters)
