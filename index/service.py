"""Search with users' words on any backend: analyse once, run, correct, widen, explain.

Everything here is the same whatever the engine: the text is parsed into clauses
(index.querying), the backend runs the resulting Query, and then this module decides spelling
("did you mean", or corrected results when the words as typed find nothing), the partial
match when no listing has every word, and for each hit the snippet and which words matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from index import analysis, querying, spelling
from index.backends.base import SearchBackend
from index.documents import Hit, Results
from index.query import Clause, Preference

#: Text fields a snippet is taken from, in order.
SNIPPET_FIELDS = ("summary", "description")
#: Text fields searched for "which words matched".
MATCH_FIELDS = ("title", "summary", "description", "provider_name")


@dataclass(frozen=True)
class Request:
    """A search as a person asks it: their words, filters, sort and page."""

    text: str = ""
    filters: Mapping[str, Iterable[str]] = field(default_factory=dict)
    prefer: Mapping[str, Iterable[str]] | tuple[Preference, ...] = ()
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    exclude_ids: frozenset[int] = frozenset()
    tie_seed: int = 0
    now: datetime | None = None
    #: When the words find nothing and a correction does, return the correction's results.
    autocorrect: bool = True
    #: When no listing has every word, return those with most of them (marked `partial`).
    widen: bool = True


def search(backend: SearchBackend, request: Request) -> Results:
    """Run `request` on `backend`; never raise on users' text."""
    parsed = querying.parse_text(request.text)
    query = querying.query_of(
        parsed.clauses,
        request.filters,
        sort=request.sort,
        page=request.page,
        per_page=request.per_page,
        facets=request.facets,
        prefer=request.prefer,
        exclude_ids=request.exclude_ids,
        tie_seed=request.tie_seed,
        now=request.now,
    )
    results = backend.search(query)
    suggestion: str | None = None
    corrected = partial = False
    if parsed.positive and results.total < spelling.LITTLE:
        suggestion = spelling.suggest(request.text, parsed, backend.vocabulary())
        if suggestion is not None:
            better_parsed = querying.parse_text(suggestion)
            better = backend.search(replace(query, clauses=better_parsed.clauses))
            if better.total <= results.total:
                suggestion = None
            elif results.total == 0 and request.autocorrect:
                results, parsed, corrected = better, better_parsed, True
    if results.total == 0 and request.widen and not parsed.operators and len(parsed.positive) >= 2:
        # Nothing has every word: people type sentences ("behaviour BESD secondary"), so show
        # what has most of them, best first, and say so.
        wider = backend.search(replace(query, clauses=parsed.clauses, must_match=1))
        if wider.total:
            results, partial = wider, True
    hits = explain(results.hits, parsed.positive)
    return replace(
        results,
        hits=hits,
        suggestion=suggestion,
        corrected=corrected,
        partial=partial,
        notice=parsed.notice,
        clauses=len(parsed.positive),
    )


def explain(hits: Iterable[Hit], clauses: tuple[Clause, ...]) -> tuple[Hit, ...]:
    """Return `hits` with their snippets, matched words and matched clause counts filled in."""
    wanted = tuple(
        dict.fromkeys(
            term for c in clauses for alt in c.alternatives if not alt.prefix for term in alt.terms
        )
    )
    out = []
    for hit in hits:
        texts = [str(hit.fields.get(name) or "") for name in MATCH_FIELDS]
        body = " ".join(t for t in (str(hit.fields.get(n) or "") for n in SNIPPET_FIELDS) if t)
        if not clauses:
            out.append(replace(hit, snippet=analysis.highlight(body, ())))
            continue
        present = analysis.term_set(texts)
        out.append(
            replace(
                hit,
                snippet=analysis.highlight(body, wanted),
                matched_terms=tuple(t for t in wanted if t in present),
                matched_clauses=sum(1 for c in clauses if _holds(c, present)),
            )
        )
    return tuple(out)


def _holds(clause: Clause, present: set[str]) -> bool:
    for alt in clause.alternatives:
        if alt.prefix:
            if any(term.startswith(alt.terms[0]) for term in present):
                return True
        elif all(term in present for term in alt.terms):
            return True
    return False
