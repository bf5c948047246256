"""An engine-neutral plan of a search: boolean nodes over index fields, built by pure functions.

A backend turns a `Query` into a `Plan` here, then realises the plan's nodes in its engine,
one node type at a time. Keeping the construction here makes it testable without any engine
(tests compare plans as plain values) and keeps every backend's semantics the same:

- `match`: the documents a search finds (words, exclusions, filters, what is no longer public),
  with no scoring: used for totals, facet counts and the sorts that do not need a score;
- `scored`: the same documents with relevance scores, when the sort is by relevance and there
  is something to score (words or preferences);
- `facets`: for each counted facet, the documents its counts are taken from: `match` without
  that facet's own filter (multi-select: ticking a phase never hides the other phases' counts);
- `order`: what the page is ordered by.

Scoring: a clause scores the sum of its alternatives' matches in each public text field,
weighted by the field's boost (index.schema); a preference multiplies the relevance of the
hits it covers by (1 + weight), as `scored` adds `weight * relevance` for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from index import analysis, ordering, schema
from index.query import Alternative, Clause, Query

#: The catch-all field every public text field is also indexed into, for matching only.
ALL = "all"
#: A token placed between fields in ALL, so that no phrase matches across two fields.
SEPARATOR = "\u00b6"
#: The field of distinct, unstemmed words offered as spelling corrections.
SPELL = "spell"
#: The value a compared date (index.schema.COMPARED) takes when it never comes, or is long past.
NEVER = 2**62
LONG_PAST = 0


# --- Nodes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    field: str
    value: str | int
    boost: float = 1.0


@dataclass(frozen=True)
class Terms:
    """Any of `values` in `field` (a facet filter, or ids to leave out)."""

    field: str
    values: tuple[str | int, ...]


@dataclass(frozen=True)
class Phrase:
    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    field: str
    prefix: str
    boost: float = 1.0


@dataclass(frozen=True)
class Every:
    """Every document."""


@dataclass(frozen=True)
class After:
    """Documents whose integer `field` is greater than `value`."""

    field: str
    value: int


@dataclass(frozen=True)
class Constant:
    """`node`'s documents, all scoring `score` (0.0: a filter that never changes the ranking)."""

    node: Node
    score: float


@dataclass(frozen=True)
class Boost:
    node: Node
    factor: float


@dataclass(frozen=True)
class Max:
    """Documents matching any of `nodes`, scoring the best of them (plus `tie` times the rest)."""

    nodes: tuple[Node, ...]
    tie: float = 0.0


@dataclass(frozen=True)
class Bool:
    """Documents matching every `must`, at least `minimum` of `should` (0: any or none) and no
    `must_not`; scores add up over the matched `must` and `should` nodes."""

    must: tuple[Node, ...] = ()
    should: tuple[Node, ...] = ()
    must_not: tuple[Node, ...] = ()
    minimum: int = 0


Node = Term | Terms | Phrase | Prefix | Every | After | Constant | Boost | Max | Bool


@dataclass(frozen=True)
class Order:
    """How a page is ordered: by `score` (then today's tie column), by a numeric `column`
    (highest first), or by title A to Z (then today's tie column)."""

    by: str  # "score" | "column" | "title"
    column: str


@dataclass(frozen=True)
class Plan:
    match: Node
    scored: Node | None
    facets: dict[str, Node]
    order: Order
    offset: int
    limit: int


# --- Building ----------------------------------------------------------------------------------


def timestamp(value: datetime | None, missing: int = NEVER) -> int:
    """Return `value` as whole seconds since the epoch (naive datetimes are UTC; None: `missing`)."""
    if value is None:
        return missing
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _alternative(alt: Alternative, field: str, boost: float = 1.0) -> Node:
    if alt.prefix:
        return Prefix(field, alt.terms[0], boost)
    if alt.is_phrase:
        return Phrase(field, alt.terms, boost)
    return Term(field, alt.terms[0], boost)


def _any(nodes: list[Node]) -> Node:
    unique = list(dict.fromkeys(nodes))
    return unique[0] if len(unique) == 1 else Bool(should=tuple(unique))


def clause_match(clause: Clause) -> Node:
    """Return the unscored node of documents matching `clause` (in the catch-all field)."""
    return _any([_alternative(alt, ALL) for alt in clause.alternatives])


#: How much the other forms of a clause add to its best form's score (synonyms are one concept).
FORM_TIE = 0.1
#: The weight of a synonym's form relative to the words as typed.
SYNONYM_WEIGHT = 0.9


def clause_score(clause: Clause) -> Node:
    """Return the scored node of `clause`: its best-scoring form, where a form scores its
    matches in every public text field, boosted (a synonym found too adds a little).

    A phrase's score is divided by its length, so that every clause (one concept) weighs about
    the same whatever the number of its words; synonyms weigh a little less than the words typed.
    """
    typed = tuple(analysis.analyse(" ".join(clause.words)))
    forms = []
    for alt in dict.fromkeys(clause.alternatives):
        weight = clause.weight / len(alt.terms)
        if clause.expanded and alt.terms != typed:
            weight *= SYNONYM_WEIGHT
        fields = [_alternative(alt, f.name, round(f.boost * weight, 6)) for f in schema.PUBLIC_TEXT]
        forms.append(_any(fields))
    return forms[0] if len(forms) == 1 else Max(tuple(forms), FORM_TIE)


def _words(query: Query, per_clause) -> Node | None:  # type: ignore[no-untyped-def]
    positive = [per_clause(c) for c in query.positive]
    if not positive:
        return None
    if query.required >= len(positive):
        return positive[0] if len(positive) == 1 else Bool(must=tuple(positive))
    return Bool(should=tuple(positive), minimum=query.required)


def _restrictions(query: Query, skip_facet: str | None = None) -> tuple[list[Node], list[Node]]:
    """Return (filters every hit must pass, nodes no hit may match)."""
    must: list[Node] = [
        Terms(name, tuple(sorted(values)))
        for name, values in query.filters
        if name != skip_facet and values
    ]
    if query.now is not None:
        must.append(After("public_until", timestamp(query.now)))
    must_not: list[Node] = [clause_match(c) for c in query.negative]
    # A date that has not passed yet is after now (query_of gives `now` with `passed`).
    must_not += [After(name, timestamp(query.now)) for name in query.passed]
    if query.exclude_ids:
        must_not.append(Terms("id", tuple(sorted(query.exclude_ids))))
    return must, must_not


#: What a listing found only by `also_ids` or `also_topics` scores: next to nothing, so any
#: word outscores it, but not nothing, so that among such listings those of the preferred
#: values come first, then today's tie order (a score of 0 stays 0 whatever multiplies it, and
#: which of many listings scoring 0 fill the page was the index's own order).
ALSO_SCORE = 1e-6


def _or_also(query: Query, words: Node | None, scored: bool = False) -> Node | None:
    """Return `words`, or else the listings of `query.also_ids` and `query.also_topics`
    (scoring ALSO_SCORE of their own)."""
    if words is None or not (query.also_ids or query.also_topics):
        return words
    also: list[Node] = [Terms(name, tuple(sorted(values))) for name, values in query.also_topics]
    if query.also_ids:
        also.append(Terms("id", tuple(sorted(query.also_ids))))
    return Bool(
        should=(words, *(Constant(node, ALSO_SCORE) if scored else node for node in also)),
        minimum=1,
    )


def match_node(query: Query, skip_facet: str | None = None) -> Node:
    """Return the unscored node of every document the query finds (optionally ignoring one
    facet's filter, for that facet's counts)."""
    must, must_not = _restrictions(query, skip_facet)
    words = _or_also(query, _words(query, clause_match))
    if words is not None:
        must.insert(0, words)
    if not must:
        must.append(Every())
    if len(must) == 1 and not must_not:
        return must[0]
    return Bool(must=tuple(must), must_not=tuple(must_not))


#: What each matched clause adds when a hit may miss some: enough that hits matching more of
#: the words come first, whatever their other scores.
COORDINATION = 20.0


def scored_node(query: Query) -> Node:
    """Return the scored node of the query (its documents are exactly match_node's)."""
    must, must_not = _restrictions(query)
    relevance = _words(query, clause_score)
    extra: list[Node] = [clause_score(c) for c in query.boosts]
    if relevance is not None and query.required < len(query.positive):
        extra += [Constant(clause_match(c), COORDINATION * c.weight) for c in query.positive]
    if relevance is not None and extra:
        relevance = Bool(must=(relevance,), should=tuple(extra))
    relevance = _or_also(query, relevance, scored=True)
    if relevance is None:
        relevance = Constant(Every(), 1.0)
    preferences = tuple(
        Boost(
            Bool(must=(relevance, Constant(Terms(p.facet, tuple(sorted(p.values))), 0.0))), p.weight
        )
        for p in query.prefer
    )
    return Bool(
        must=(relevance, *(Constant(node, 0.0) for node in must)),
        should=preferences,
        must_not=tuple(must_not),
    )


def plan(query: Query) -> Plan:
    """Return the plan of `query`: pure, the same for every backend."""
    selected = {name for name, values in query.filters if values}
    base = match_node(query)
    facets = {
        name: (match_node(query, skip_facet=name) if name in selected else base)
        for name in query.facets
    }
    sort = query.sort
    scored = scored_node(query) if sort == "relevance" and query.scored else None
    if scored is not None:
        order = Order("score", ordering.tie_column(query.tie_seed))
    elif sort == "title":
        order = Order("title", ordering.tie_column(query.tie_seed))
    else:
        column = ordering.column_for(sort, query.tie_seed)
        assert column is not None
        order = Order("column", column)
    return Plan(base, scored, facets, order, query.offset, query.per_page)
