"""The Whoosh backend: the engine the design names, on Whoosh's public API only.

It answers the same plans as every backend (index.backends.plan) and passes the same contract
suite, but is not built for speed: matching and facet counts are sets of document numbers
(`Searcher.docs_for_query`), and Whoosh scores and sorts only the page asked for. Use it for
an LA-sized directory, or where a pure-Python engine is required; tantivy is the default.

Text arrives analysed (index.analysis.index_text) and Whoosh splits it on spaces, so both
engines hold the same terms. Searchers are per thread (Whoosh's are not shared between
threads); one writer at a time per index (Whoosh's lock, waited on for a bounded time).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import fields as wf
from whoosh import index as wi
from whoosh import query as wq
from whoosh import scoring, sorting
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import RamStorage
from whoosh.index import LockError

from index import ordering, schema
from index.backends import plan as p
from index.backends import register
from index.backends.base import IndexLocked
from index.backends.fields import FINGERPRINT, STORED, hit_of, to_fields
from index.backends.generations import VOCABULARY_FOR, Generation, GenerationalBackend
from index.documents import Document, FacetCount, Hit, Results, facet_counts
from index.query import Query

#: How often, and how far apart, opening a folder is tried when its newest TOC vanishes.
OPEN_TRIES, OPEN_PAUSE = 10, 0.05

#: Sort columns are floats; Whoosh keeps them as whole numbers of this many parts per unit.
COLUMN_SCALE = 2**32


def whoosh_schema() -> wf.Schema:
    """Return the Whoosh schema for index.schema.FIELDS (the same fields as tantivy's)."""
    spaces = SpaceSeparatedTokenizer()
    spec: dict[str, wf.FieldType] = {
        "id": wf.ID(unique=True),
        p.ALL: wf.TEXT(analyzer=spaces, phrase=True),
        p.SPELL: wf.KEYWORD(lowercase=False, scorable=False),
        ordering.TITLE: wf.ID(sortable=True),
        STORED: wf.STORED(),
    }
    for name in schema.COMPARED:
        spec[name] = wf.NUMERIC(numtype=int, bits=64, signed=True)
    for f in schema.FIELDS:
        if f.kind == "text" and f.public:
            spec[f.name] = wf.TEXT(analyzer=spaces, phrase=True)
        elif f.kind == "facet":
            spec[f.name] = wf.KEYWORD(lowercase=False, commas=True, scorable=False)
    for column in ordering.all_columns():
        # Column only (never searched), whole numbers: Whoosh 2.7.5 cannot keep a column of
        # floats, and an indexed NUMERIC would write 16 terms a value.
        spec[column] = wf.COLUMN(NumericColumn("Q"))
    return wf.Schema(**spec)


def whoosh_fields(doc: Document) -> dict[str, Any]:
    """Return the Whoosh field values of one Document (from the same values tantivy indexes)."""
    values = to_fields(doc)
    out: dict[str, Any] = {"id": str(doc.id), STORED: values[STORED].decode()}
    columns = set(ordering.all_columns())
    for name, value in values.items():
        if name in ("id", STORED):
            continue
        if name in columns:
            out[name] = int(value * COLUMN_SCALE)
        elif isinstance(value, list):
            out[name] = ",".join(value)
        else:
            out[name] = value
    return out


# --- Realising a plan as Whoosh queries (pure: Whoosh queries need no index) -------------------


def _constant(score: float) -> Any:
    """A weighting model that scores every matched term `score`."""
    return scoring.FunctionWeighting(lambda searcher, fieldname, text, matcher: score)


def realise(node: p.Node) -> wq.Query:
    """Return the Whoosh query of a plan node; a `minimum` of should-nodes is left to `docs`."""
    if isinstance(node, p.Term):
        return wq.Term(node.field, str(node.value), boost=node.boost)
    if isinstance(node, p.Terms):
        return wq.Or([wq.Term(node.field, str(v)) for v in node.values])
    if isinstance(node, p.Phrase):
        return wq.Phrase(node.field, list(node.terms), boost=node.boost)
    if isinstance(node, p.Prefix):
        return wq.Prefix(node.field, node.prefix, boost=node.boost)
    if isinstance(node, p.Every):
        return wq.Every()
    if isinstance(node, p.After):
        return wq.NumericRange(node.field, node.value, None, startexcl=True)
    if isinstance(node, p.Constant):
        # Not wq.ConstantScoreQuery: Whoosh reads a score of 0 as "none given" and scores 1, and
        # a sorted search scores its child as if unwrapped (so a filter added 1 to every hit's
        # score, and shares of the best were wrong). A score of 0 is a boost of 0 (unscorable
        # fields, such as ids, score 1 whatever the weighting); others weight every term.
        if node.score == 0 and isinstance(node.node, p.Terms):
            # (An Or of one term drops its own boost: each term carries it.)
            return wq.Or([wq.Term(node.node.field, str(v), boost=0.0) for v in node.node.values])
        inner = realise(node.node)
        if node.score == 0:
            return inner.with_boost(0.0)
        return wq.WeightingQuery(inner, _constant(node.score))
    if isinstance(node, p.Boost):
        inner = realise(node.node)
        return inner.with_boost(inner.boost * node.factor)
    if isinstance(node, p.Max):
        return wq.DisjunctionMax([realise(n) for n in node.nodes], tiebreak=node.tie)
    if isinstance(node, p.Bool):
        positive: wq.Query
        must = [realise(n) for n in node.must]
        should = [realise(n) for n in node.should]
        if must:
            positive = must[0] if len(must) == 1 else wq.And(must)
            if should:
                positive = wq.AndMaybe(positive, wq.Or(should))
        elif should:
            positive = wq.Or(should)
        else:
            positive = wq.Every()
        for negative in node.must_not:
            positive = wq.AndNot(positive, realise(negative))
        return positive
    raise TypeError(f"Unknown plan node {node!r}")


# --- The backend -------------------------------------------------------------------------------


def _ram_index(whoosh: wf.Schema) -> Any:
    # A name of its own: Whoosh spills segments to "<tmp>/<index name>.tmp", which two
    # processes using the default name would share (and delete from under each other).
    return RamStorage().create_index(whoosh, indexname=f"ram{uuid.uuid4().hex}")


@dataclass
class _Generation(Generation):
    """One opened index; `version` counts its commits (each thread opens its own searcher)."""

    version: int = 0


class _Run:
    """One search's view: a searcher and the document sets it has worked out."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.sets: dict[p.Node, frozenset[int]] = {}

    def docs(self, node: p.Node) -> frozenset[int]:
        """Return the live document numbers matching `node` (minimums included)."""
        found = self.sets.get(node)
        if found is not None:
            return found
        if isinstance(node, p.Every):
            found = frozenset(self.reader.all_doc_ids())
        elif isinstance(node, p.Constant | p.Boost):
            found = self.docs(node.node)
        elif isinstance(node, p.Max):
            found = frozenset().union(*(self.docs(n) for n in node.nodes))
        elif isinstance(node, p.Bool):
            found = self._bool(node)
        else:
            found = frozenset(self.searcher.docs_for_query(realise(node)))
        self.sets[node] = found
        return found

    def _bool(self, node: p.Bool) -> frozenset[int]:
        result: frozenset[int] | None = None
        for sub in node.must:
            docs = self.docs(sub)
            result = docs if result is None else result & docs
        if node.should:
            sets = [self.docs(sub) for sub in node.should]
            if node.minimum > 1:
                tally: dict[int, int] = {}
                for docs in sets:
                    for d in docs:
                        tally[d] = tally.get(d, 0) + 1
                wanted = frozenset(d for d, n in tally.items() if n >= node.minimum)
            elif result is None or node.minimum == 1:
                wanted = frozenset().union(*sets)
            else:
                wanted = None  # optional: scores only
            if wanted is not None:
                result = wanted if result is None else result & wanted
        if result is None:
            result = self.docs(p.Every())
        for sub in node.must_not:
            result = result - self.docs(sub)
        return result


class WhooshBackend(GenerationalBackend[_Generation]):
    """An on-disk (or in-memory) Whoosh index."""

    #: The layout of this backend's index folders: bump it whenever whoosh_schema() changes.
    FORMAT = "whoosh-6"

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        lock_timeout: float = 10.0,
        vocabulary_for: float = VOCABULARY_FOR,
    ) -> None:
        self.schema = whoosh_schema()
        self._local = threading.local()
        super().__init__(path, lock_timeout, vocabulary_for)

    # -- the generation hooks (index.backends.generations)

    def _generation(self, index: Any, folder: Path | None) -> _Generation:
        return _Generation(index, folder)

    def _new_index(self, folder: Path | None) -> Any:
        if folder is None:
            return _ram_index(self.schema)
        return wi.create_in(str(folder), self.schema)

    def _open_index(self, folder: Path) -> Any:
        # Whoosh's FileIndex reads the newest TOC once, with no retry: another process's commit
        # can delete it between being found and being opened (FileNotFoundError). Whoosh's own
        # reader() retries that case the same way (10 tries, 50 ms apart).
        for _ in range(OPEN_TRIES - 1):
            try:
                return wi.open_dir(str(folder))
            except FileNotFoundError:
                time.sleep(OPEN_PAUSE)
        return wi.open_dir(str(folder))

    def _reopen(self, generation: _Generation) -> None:
        generation.version += 1

    def _searcher(self, live: _Generation) -> Any:
        # Whoosh searchers are not shared between threads: one per thread per index version
        # (a searcher opened before a commit keeps seeing the old documents).
        key = (id(live), live.version)
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == key:
            return held[1]
        if held is not None:
            held[1].close()
        searcher = live.index.searcher()
        self._local.held = (key, searcher)
        return searcher

    def _writer(self, index: Any, *, bulk: bool) -> Any:
        try:
            return index.writer(timeout=self.lock_timeout, delay=0.05)
        except LockError:
            raise IndexLocked(
                f"another writer held the index for {self.lock_timeout:.0f} s"
            ) from None

    def _delete(self, writer: Any, doc_id: int) -> None:
        writer.delete_by_term("id", str(doc_id))

    def _add(self, writer: Any, doc: Document) -> None:
        writer.add_document(**whoosh_fields(doc))

    def _commit(self, writer: Any, *, bulk: bool) -> None:
        if bulk:
            writer.commit(optimize=True)  # one segment: a rebuild is searched for a long time
        else:
            writer.commit()

    def _discard(self, writer: Any) -> None:
        writer.cancel()

    # -- reading

    def fingerprints(self) -> dict[int, str]:
        searcher = self._searcher(self._current())
        out = {}
        for stored in searcher.all_stored_fields():
            values = json.loads(stored[STORED])
            out[int(values["id"])] = values[FINGERPRINT]
        return out

    def _count_vocabulary(self, generation: _Generation) -> dict[str, int]:
        searcher = self._searcher(generation)
        reader = searcher.reader()
        words = [w.decode() if isinstance(w, bytes) else w for w in reader.lexicon(p.SPELL)]
        if reader.has_deletions():
            counts = {
                w: sum(1 for _ in searcher.docs_for_query(wq.Term(p.SPELL, w))) for w in words
            }
        else:
            counts = {w: reader.doc_frequency(p.SPELL, w) for w in words}
        return {w: n for w, n in counts.items() if n}

    def holding(self, words: Iterable[str]) -> frozenset[str]:
        """Return those of `words` (spelling-field words) that a live document holds."""
        searcher = self._searcher(self._current())
        return frozenset(
            word
            for word in set(words)
            if next(iter(searcher.docs_for_query(wq.Term(p.SPELL, word))), None) is not None
        )

    def close(self) -> None:
        super().close()
        held = getattr(self._local, "held", None)
        if held is not None:
            held[1].close()
            self._local.held = None

    # -- searching

    def search(self, query: Query) -> Results:
        searcher = self._searcher(self._current())
        plan = p.plan(query)
        run = _Run(searcher)
        matched = run.docs(plan.match)
        facets = self._facets(run, plan, query)
        end = plan.offset + plan.limit
        page: list[tuple[int, float]] = []
        if matched and plan.offset < len(matched):
            order = plan.order
            if order.by == "score":
                assert plan.scored is not None
                tie = sorting.FieldFacet(order.column, reverse=True)
                found = searcher.search(
                    realise(plan.scored),
                    filter=set(matched),
                    limit=end,
                    sortedby=sorting.MultiFacet([sorting.ScoreFacet(), tie]),
                )
                # The sort key is (negated score, tie): Whoosh sorts ascending.
                page = [(hit.docnum, -hit.score[0]) for hit in found][plan.offset : end]
            else:
                if order.by == "title":
                    facet: Any = sorting.MultiFacet(
                        [
                            sorting.FieldFacet(ordering.TITLE),
                            sorting.FieldFacet(order.column, reverse=True),
                        ]
                    )
                else:
                    facet = sorting.FieldFacet(order.column, reverse=True)
                found = searcher.search(
                    wq.Every(), filter=set(matched), limit=end, sortedby=facet, scored=False
                )
                page = [(hit.docnum, 0.0) for hit in found][plan.offset : end]
        hits = tuple(self._hit(searcher, docnum, score) for docnum, score in page)
        return Results(
            total=len(matched),
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
            clauses=len(query.positive),
        )

    def _hit(self, searcher: Any, docnum: int, score: float) -> Hit:
        return hit_of(searcher.stored_fields(docnum)[STORED], score)

    def _facets(self, run: _Run, plan: p.Plan, query: Query) -> dict[str, tuple[FacetCount, ...]]:
        filters = query.filter_map()
        out: dict[str, tuple[FacetCount, ...]] = {}
        for name, node in plan.facets.items():
            within = run.docs(node)
            counts: dict[str, int] = {}
            if within:
                for raw in run.reader.lexicon(name):
                    value = raw.decode() if isinstance(raw, bytes) else raw
                    n = len(within & run.docs(p.Term(name, value)))
                    if n:
                        counts[value] = n
            out[name] = facet_counts(counts, filters.get(name, ()))
        return out


def create(path: str | os.PathLike[str] | None = None, **options: Any) -> WhooshBackend:
    """Return a Whoosh backend at `path` (None: in memory, for tests)."""
    return WhooshBackend(path, **options)


register("whoosh", create)
