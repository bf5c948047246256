"""The tantivy backend (the default): a Rust engine behind the SearchBackend protocol.

Text arrives analysed (index.analysis.index_text) and is split on whitespace, so tantivy stores
exactly the terms our analysis made. Matching, scoring (BM25 per field, boosted), facet counts
(`terms_with_prefix` over each facet's postings, restricted to the matching documents) and
sorting (fast columns) all run in the engine, outside the GIL; searchers are shared by threads
with no lock. One writer at a time per index, across processes: tantivy's own lock file, waited
on for a bounded time.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from index import ordering, schema
from index.backends import plan as p
from index.backends import register
from index.backends.base import IndexLocked, SearchIndexError
from index.backends.fields import FINGERPRINT, STORED, hit_of, to_fields
from index.backends.generations import VOCABULARY_FOR, Generation, GenerationalBackend
from index.documents import Document, FacetCount, Hit, Results, facet_counts
from index.query import Query

#: Bytes of memory the writer may use per thread when applying changes / rebuilding.
APPLY_HEAP = 50_000_000
REBUILD_HEAP = 200_000_000
_PREFIXABLE = re.compile(r"^\w+$")
#: One field holding every facet value as "facet:value" (one pass counts them all).
FACETS = "facets"
FACET_SEPARATOR = ":"
#: When more facets than this are counted against the same matches, one pass counts them all.
ONE_PASS = 2
#: Facet counts aggregate the matching documents' values when they are fewer than this share
#: of an index of at least AGGREGATE_FROM documents, and read each facet term's postings
#: otherwise (_facet_terms). Measured over the benchmark's searches, CPU per search for the
#: facets: at 88,000 listings 5.2 ms reading postings, 4.3 ms with this share, 4.6 ms with 0.15;
#: at 8,800 listings aggregating never paid (1.65 ms against 1.76 ms).
AGGREGATE_SHARE = 0.05
AGGREGATE_FROM = 30_000
#: Most facet terms an aggregation returns: more than every facet's values together (LAs, regions,
#: the taxonomy: about 250), so its counts are exact.
AGGREGATE_TERMS = 10_000


def build_schema() -> tantivy.Schema:
    """Return the tantivy schema for index.schema.FIELDS."""
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True, fast=True)
    builder.add_text_field(p.ALL, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field(p.SPELL, tokenizer_name="whitespace", index_option="basic")
    for f in schema.FIELDS:
        if f.kind == "text" and f.public:
            builder.add_text_field(f.name, tokenizer_name="whitespace", index_option="position")
        elif f.kind == "facet":
            builder.add_text_field(f.name, tokenizer_name="raw", index_option="basic")
    # Fast too: counting few matches' facets aggregates their values (_facet_terms).
    builder.add_text_field(FACETS, tokenizer_name="raw", index_option="basic", fast=True)
    for name in schema.COMPARED:
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_text_field(ordering.TITLE, tokenizer_name="raw", index_option="basic", fast=True)
    for column in ordering.all_columns():
        builder.add_float_field(column, fast=True)
    builder.add_bytes_field(STORED, stored=True)
    return builder.build()


def tantivy_fields(doc: Document) -> dict[str, Any]:
    """Return the field values tantivy indexes: the shared ones, and every facet value again as
    "facet:value" in one field, so one pass counts all facets."""
    values = to_fields(doc)
    values[FACETS] = [
        f"{f.name}{FACET_SEPARATOR}{v}"
        for f in schema.FIELDS
        if f.kind == "facet"
        for v in values.get(f.name, ())
    ]
    return values


# --- Realising a plan --------------------------------------------------------------------------


def realise(node: p.Node, ts: tantivy.Schema) -> tantivy.Query:
    """Return the tantivy query of a plan node (index.backends.plan)."""
    Q, Occur = tantivy.Query, tantivy.Occur
    if isinstance(node, p.Term):
        query = Q.term_query(ts, node.field, node.value)
        return query if node.boost == 1.0 else Q.boost_query(query, node.boost)
    if isinstance(node, p.Terms):
        return Q.term_set_query(ts, node.field, list(node.values))
    if isinstance(node, p.Phrase):
        query = Q.phrase_query(ts, node.field, list(node.terms))
        return query if node.boost == 1.0 else Q.boost_query(query, node.boost)
    if isinstance(node, p.Prefix):
        if not _PREFIXABLE.match(node.prefix):
            return realise(p.Term(node.field, node.prefix, node.boost), ts)
        query = Q.regex_query(ts, node.field, f"{node.prefix}.*")
        return query if node.boost == 1.0 else Q.boost_query(query, node.boost)
    if isinstance(node, p.Every):
        return Q.all_query()
    if isinstance(node, p.After):
        return Q.range_query(
            ts, node.field, tantivy.FieldType.Integer, lower_bound=node.value, include_lower=False
        )
    if isinstance(node, p.Constant):
        return Q.const_score_query(realise(node.node, ts), node.score)
    if isinstance(node, p.Boost):
        return Q.boost_query(realise(node.node, ts), node.factor)
    if isinstance(node, p.Max):
        return Q.disjunction_max_query([realise(n, ts) for n in node.nodes], node.tie)
    if isinstance(node, p.Bool):
        subs = [(Occur.Must, realise(n, ts)) for n in node.must]
        subs += [(Occur.Should, realise(n, ts)) for n in node.should]
        subs += [(Occur.MustNot, realise(n, ts)) for n in node.must_not]
        if node.must_not and not node.must and not node.should:
            subs.append((Occur.Must, Q.all_query()))
        if node.minimum:
            return Q.boolean_query(subs, minimum_number_should_match=node.minimum)
        return Q.boolean_query(subs)
    raise TypeError(f"Unknown plan node {node!r}")


# --- The backend -------------------------------------------------------------------------------


@dataclass
class _Generation(Generation):
    """One opened index and its searcher (one shared by every thread until the next commit)."""

    searcher: Any = None


class TantivyBackend(GenerationalBackend[_Generation]):
    """An on-disk (or in-memory) tantivy index."""

    #: The layout of this backend's index folders: bump it whenever build_schema() changes, so
    #: an index written by another version is never read (it starts empty: `broker index
    #: rebuild`).
    FORMAT = "tantivy-6"

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        lock_timeout: float = 10.0,
        vocabulary_for: float = VOCABULARY_FOR,
    ) -> None:
        self.schema = build_schema()
        super().__init__(path, lock_timeout, vocabulary_for)

    # -- the generation hooks (index.backends.generations)

    def _generation(self, index: Any, folder: Path | None) -> _Generation:
        return _Generation(index, folder)

    def _new_index(self, folder: Path | None) -> tantivy.Index:
        if folder is None:
            return tantivy.Index(self.schema)
        return self._open_index(folder)

    def _open_index(self, folder: Path) -> tantivy.Index:
        # Created when missing; reloaded by hand (_reopen), after the seq it records is read.
        index = tantivy.Index(self.schema, path=str(folder))
        index.config_reader("manual")
        return index

    def _reopen(self, generation: _Generation) -> None:
        generation.index.reload()
        generation.searcher = generation.index.searcher()

    def _writer(self, index: Any, *, bulk: bool) -> Any:
        heap, threads = (REBUILD_HEAP, 2) if bulk else (APPLY_HEAP, 1)
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return index.writer(heap_size=heap, num_threads=threads)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise SearchIndexError(str(error)) from error
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"another writer held the index for {self.lock_timeout:.0f} s"
                    ) from None
                time.sleep(0.02)

    def _delete(self, writer: Any, doc_id: int) -> None:
        writer.delete_documents_by_term("id", doc_id)

    def _add(self, writer: Any, doc: Document) -> None:
        writer.add_document(tantivy.Document.from_dict(tantivy_fields(doc), self.schema))

    def _commit(self, writer: Any, *, bulk: bool) -> None:
        writer.commit()
        writer.wait_merging_threads()

    def _discard(self, writer: Any) -> None:
        writer.rollback()

    # -- reading

    def fingerprints(self) -> dict[int, str]:
        searcher = self._current().searcher
        total = searcher.num_docs
        if not total:
            return {}
        out = {}
        for _score, address in searcher.search(tantivy.Query.all_query(), total).hits:
            stored = json.loads(searcher.doc(address).get_first(STORED))
            out[int(stored["id"])] = stored[FINGERPRINT]
        return out

    def _count_vocabulary(self, generation: _Generation) -> dict[str, int]:
        # Filtered by every live document: the term dictionary still counts deleted ones.
        pairs = generation.searcher.terms_with_prefix(
            p.SPELL, "", filter_query=tantivy.Query.all_query()
        )
        return dict(pairs)

    def holding(self, words: Iterable[str]) -> frozenset[str]:
        """Return those of `words` (spelling-field words) that a live document holds."""
        searcher = self._current().searcher
        return frozenset(
            word
            for word in set(words)
            if searcher.search(tantivy.Query.term_query(self.schema, p.SPELL, word), 1).hits
        )

    # -- searching

    def search(self, query: Query) -> Results:
        """Run `query` (already analysed and checked) and return a page of hits with facets."""
        searcher = self._current().searcher
        plan = p.plan(query)
        ts = self.schema
        match = realise(plan.match, ts)
        end = plan.offset + plan.limit
        order = plan.order
        if order.by == "score":
            assert plan.scored is not None
            found = searcher.search(
                realise(plan.scored, ts),
                plan.limit,
                count=True,
                offset=plan.offset,
                weight_by_field=order.column,
            )
            page = found.hits
            total = found.count
        elif order.by == "column":
            found = searcher.search(
                match, plan.limit, count=True, order_by_field=order.column, offset=plan.offset
            )
            page = found.hits
            total = found.count
        else:
            page, total = self._by_title(searcher, match, order.column, plan.offset, end)
        facets = self._facets(searcher, plan, match, query, total)
        hits = tuple(
            self._hit(searcher, key, address, order.by == "score") for key, address in page
        )
        return Results(
            total=total,
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
            clauses=len(query.positive),
        )

    def _by_title(
        self, searcher: Any, match: tantivy.Query, tie: str, start: int, end: int
    ) -> tuple[list[tuple[Any, Any]], int]:
        # tantivy orders by one column: fetch past the page until the title changes, then put
        # equal titles in today's tie order.
        limit = end + 1
        while True:
            found = searcher.search(
                match, limit, count=True, order_by_field=ordering.TITLE, order=tantivy.Order.Asc
            )
            hits = found.hits
            # Enough when the last one fetched has a later title than the page's last one.
            if len(hits) < limit or hits[-1][0] != hits[end - 1][0]:
                break
            limit *= 2
        ties = searcher.fast_field_values(tie, [address for _key, address in hits])
        ranked = sorted(zip(hits, ties, strict=True), key=lambda item: (item[0][0], -item[1]))
        return [hit for hit, _tie in ranked[start:end]], found.count

    def _hit(self, searcher: Any, key: Any, address: Any, scored: bool) -> Hit:
        return hit_of(searcher.doc(address).get_first(STORED), float(key) if scored else 0.0)

    def _facets(
        self, searcher: Any, plan: p.Plan, match: tantivy.Query, query: Query, total: int
    ) -> dict[str, tuple[FacetCount, ...]]:
        filters = query.filter_map()
        realised: dict[p.Node, tantivy.Query] = {plan.match: match}
        together = [name for name, node in plan.facets.items() if node == plan.match]
        size = searcher.num_docs
        few = size * AGGREGATE_SHARE if size >= AGGREGATE_FROM else 0
        found: dict[str, dict[str, int]] = {}
        if len(together) > ONE_PASS:
            # The facets counted against the matches themselves: all of them in one pass.
            wanted = set(together)
            for term, count in _facet_terms(searcher, match, "", total < few):
                name, _, value = term.partition(FACET_SEPARATOR)
                if name in wanted:
                    found.setdefault(name, {})[value] = count
            for name in together:
                found.setdefault(name, {})
        out: dict[str, tuple[FacetCount, ...]] = {}
        for name, node in plan.facets.items():
            counts = found.get(name)
            if counts is None:
                within = realised.get(node)
                if within is None:
                    within = realised[node] = realise(node, self.schema)
                # Its own selection left out, a facet counts at least the matches: only when
                # those are few is counting what it does count worth a search.
                small = total < few and searcher.search(within, 1, count=True).count < few
                prefix = f"{name}{FACET_SEPARATOR}"
                counts = {
                    term[len(prefix) :]: count
                    for term, count in _facet_terms(searcher, within, prefix, small)
                }
            out[name] = facet_counts(counts, filters.get(name, ()))
        return out


def _facet_terms(
    searcher: Any, within: tantivy.Query, prefix: str, few: bool
) -> list[tuple[str, int]]:
    """Return [("facet:value", documents)] for the facet terms starting with `prefix` that the
    documents matching `within` hold.

    Two ways, one cost each: reading every facet term's postings against the matches costs
    about the same whatever they are (3 ms at 100,000 listings); aggregating the matching
    documents' own facet values costs in proportion to them (0.4 ms for 1,500 of 100,000,
    16 ms for all). `few` (fewer matches than AGGREGATE_SHARE of the index) picks the second.
    """
    if not few:
        return list(searcher.terms_with_prefix(FACETS, prefix, filter_query=within))
    answer = searcher.aggregate(
        within, {"f": {"terms": {"field": FACETS, "size": AGGREGATE_TERMS, "min_doc_count": 1}}}
    )
    return [
        (bucket["key"], int(bucket["doc_count"]))
        for bucket in answer["f"]["buckets"]
        if bucket["key"].startswith(prefix)
    ]


def create(path: str | os.PathLike[str] | None = None, **options: Any) -> TantivyBackend:
    """Return a tantivy backend at `path` (None: in memory, for tests)."""
    return TantivyBackend(path, **options)


register("tantivy", create)
