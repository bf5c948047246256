"""The bare engine, on the same queries and the same index as the application's HTTP figures.

Each API request's parameters are translated exactly as `GET /api/v1/listings` translates them
(`broker.search.services.parse` with the database's facet vocabularies, then `to_request` with
every facet counted), and then timed two ways in this process, without Flask or HTTP:

- **neutral layer + engine**: `index.service.search(backend, request)`: parsing users' text,
  the engine's search, spelling and the partial match (which can search again), the feedback
  words' second search (SEARCH_FEEDBACK), snippets and matched words; what the application
  calls for each search.
- **engine only**: `backend.search(query)` with the query `index.querying.query_of` builds from
  the same request: the engine's own work for the first search of the request.

Used by benchmarks.search_app; prints nothing itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from index import querying, service
from index.backends.base import SearchBackend
from index.query import Query


@dataclass(frozen=True)
class Translated:
    """One API request as the index sees it."""

    params: dict[str, Any]
    request: service.Request
    query: Query


def translate(app: Any, params: list[dict[str, Any]]) -> list[Translated]:
    """Translate API parameters into index requests and queries, as the application does."""
    from broker import db
    from broker.search import services
    from broker.search.engine import feedback_words

    with db.new_session(app) as session:
        vocabularies = services.facet_vocabularies(session)
    out = []
    for p in params:
        args = {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in p.items()}
        parsed = services.parse(args, vocabularies, strict=True)
        request = services.to_request(
            parsed,
            vocabularies.geography,
            tuple(vocabularies),
            feedback=feedback_words(app.config["SEARCH_BACKEND"], app.config),
        )
        out.append(Translated(p, request, query_of(request)))
    return out


def query_of(request: service.Request) -> Query:
    """Return the first Query `index.service.search` sends to the backend for `request`."""
    parsed = querying.parse_text(request.text)
    return querying.query_of(
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


def neutral(backend: SearchBackend, item: Translated) -> Callable[[], object]:
    """Return a call of the neutral layer + engine for one request."""
    return lambda: service.search(backend, item.request)


def engine_only(backend: SearchBackend, item: Translated) -> Callable[[], object]:
    """Return a call of the engine alone for one request's first query."""
    return lambda: backend.search(item.query)


def timed(call: Callable[[], object]) -> float:
    """Run `call`; return its wall-clock milliseconds."""
    started = time.perf_counter()
    call()
    return 1000 * (time.perf_counter() - started)
