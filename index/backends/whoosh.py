"""The Whoosh backend: an on-disk (or in-memory) index behind the SearchBackend protocol.

Layout on disk: `<path>/CURRENT` names the live index folder `<path>/ix-<time>`; a rebuild
writes a new folder and renames a new CURRENT into place, so searchers on the old folder keep
working (the previous folder is kept until the next rebuild).

Speed (STACK-NOTES traps 14-18): one catch-all text field for matching, small boost fields
for ranking; per-value document sets of every facet kept as integer bitmaps per index segment
(segments never change, so a commit only costs the new segment), combined per searcher;
facet counts are bitmap intersections with the matched set from the one scored pass.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import fields as wf
from whoosh import index as wi
from whoosh import query as wq
from whoosh.analysis import Analyzer
from whoosh.analysis import Token as WToken
from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import LockError

from index import analysis, querying, schema
from index.backends import register
from index.backends.base import IndexLocked, SearchIndexError
from index.documents import Document, FacetCount, Hit, Query, Results

META_ID = "__meta__"
CATCH_ALL = "all"
SPELL = "spell"
FINGERPRINT = "fp"
META_SEQ = "meta_seq"
POINTER = "CURRENT"
#: Fewer hits than this is "little": look for a spelling suggestion.
LITTLE = 3
#: Score multiplier per preferred facet a hit matches.
PREFER_BOOST = 0.5
#: Most (document, score) pairs of scored clauses kept per searcher (~100 bytes each).
CLAUSE_CACHE = 1_000_000

Progress = Callable[[int, "int | None"], None]


# --- Analysis and schema ----------------------------------------------------------------------


class DomainAnalyzer(Analyzer):
    """Whoosh adapter for index.analysis.tokens, so index and queries analyse alike."""

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[WToken]:
        token = WToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.text, token.boost, token.stopped = value, 1.0, False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for tok in analysis.tokens(value):
            token.text, token.boost, token.stopped = tok.term, 1.0, False
            if keeporiginal:
                token.original = tok.word
            if positions:
                token.pos = start_pos + tok.position
            if chars:
                token.startchar, token.endchar = start_char + tok.start, start_char + tok.end
            yield token


def _text_plan() -> tuple[tuple[str, ...], dict[str, float]]:
    """Return (fields folded into the catch-all, {own ranking field: weight}) from the schema."""
    in_all = tuple(f.name for f in schema.PUBLIC_TEXT if f.boost >= 1.0)
    own = {
        f.name: (f.boost - 1.0 if f.boost > 1.0 else f.boost)
        for f in schema.PUBLIC_TEXT
        if f.boost != 1.0
    }
    return in_all, own


IN_CATCH_ALL, RANKING_FIELDS = _text_plan()


def whoosh_schema() -> wf.Schema:
    """Build the Whoosh schema from index.schema.FIELDS."""
    analyzer = DomainAnalyzer()
    spec: dict[str, wf.FieldType] = {
        CATCH_ALL: wf.TEXT(analyzer=analyzer, stored=False),
        SPELL: wf.KEYWORD(lowercase=False, scorable=False),
        FINGERPRINT: wf.STORED(),
        META_SEQ: wf.STORED(),
    }
    for f in schema.FIELDS:
        if f.kind == "id":
            spec[f.name] = wf.ID(stored=True, unique=True, sortable=True)
        elif f.kind == "text":
            if f.name in RANKING_FIELDS:
                spec[f.name] = wf.TEXT(analyzer=analyzer, stored=f.stored)
            else:
                spec[f.name] = wf.STORED()
            if f.sortable:
                spec[f"{f.name}_sort"] = wf.ID(sortable=True)
        elif f.kind == "keyword":
            spec[f.name] = wf.ID(stored=f.stored)
        elif f.kind == "facet":
            # A column, not postings: a listing serving every LA would write ~150 postings.
            spec[f.name] = wf.COLUMN(VarBytesColumn())
        elif f.kind in ("numeric", "date"):
            spec[f.name] = wf.NUMERIC(numtype=int, bits=64, stored=f.stored, sortable=True)
    return wf.Schema(**spec)


def _timestamp(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def to_fields(doc: Document) -> dict[str, Any]:
    """Return the Whoosh fields of one Document."""
    out: dict[str, Any] = {"id": str(doc.id), FINGERPRINT: doc.fingerprint()}
    texts = []
    for f in schema.FIELDS:
        value = getattr(doc, f.attr)
        if f.kind == "text":
            value = value or ""
            out[f.name] = value
            if f.name in IN_CATCH_ALL:
                texts.append(value)
            if f.sortable:
                out[f"{f.name}_sort"] = analysis.fold(value).strip() or "\uffff"
        elif f.kind == "keyword":
            out[f.name] = str(value)
        elif f.kind == "facet":
            values = sorted({str(v).replace("\n", " ").strip() for v in value or ()} - {""})
            out[f.name] = "\n".join(values).encode("utf-8")
        elif f.kind == "numeric":
            out[f.name] = int(value or 0)
        elif f.kind == "date":
            out[f.name] = _timestamp(value)
    out[CATCH_ALL] = "\n".join(texts)
    # The spelling vocabulary: words of the short fields only (descriptions would double the
    # indexing time for little gain: a word that only descriptions use is rarely searched).
    spell_text = " ".join(
        getattr(doc, f.attr) or "" for f in schema.PUBLIC_TEXT if f.name != "description"
    )
    out[SPELL] = " ".join(dict.fromkeys(w for w in analysis.words(spell_text) if len(w) > 2))
    return out


# --- Per-segment and per-searcher caches ------------------------------------------------------

_BIT_POSITIONS = tuple(tuple(i for i in range(8) if b >> i & 1) for b in range(256))


def bits_of(docnums: Iterable[int], size: int) -> int:
    """Return an integer bitmap with the bits of `docnums` set."""
    buf = bytearray((size >> 3) + 1)
    for d in docnums:
        buf[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buf, "little")


def docnums_of(bitmap: int) -> list[int]:
    """Return the set bits of `bitmap`, in increasing order."""
    out: list[int] = []
    data = bitmap.to_bytes((bitmap.bit_length() >> 3) + 1, "little")
    positions = _BIT_POSITIONS
    for i, byte in enumerate(data):
        if byte:
            base = i << 3
            out.extend(base + p for p in positions[byte])
    return out


@dataclass
class _Segment:
    """What never changes about one Whoosh segment: ids, sort columns, facet postings."""

    size: int
    ids: list[int]
    columns: dict[str, list[Any]]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    key: str = ""


def _load_segment(reader: Any) -> _Segment:
    size = reader.doc_count_all()
    raw_ids = list(reader.column_reader("id"))
    ids = [int(i) if i and i.isdigit() else -1 for i in raw_ids]
    columns: dict[str, list[Any]] = {}
    for f in schema.FIELDS:
        if f.sortable and f.kind != "id":
            name = f"{f.name}_sort" if f.kind == "text" else f.name
            columns[f.name] = list(reader.column_reader(name))
    segment = _Segment(size, ids, columns)
    for name in schema.FACETS:
        # Group documents with the same value list (every national listing has the same one),
        # then OR each group's bitmap into each of its values: big-integer work, not per posting.
        groups: dict[bytes, list[int]] = {}
        for d, packed in enumerate(reader.column_reader(name)):
            if packed:
                groups.setdefault(packed, []).append(d)
        values: dict[str, int] = {}
        for packed, docs in groups.items():
            bits = bits_of(docs, size)
            for value in packed.decode("utf-8").split("\n"):
                values[value] = values.get(value, 0) | bits
        segment.facets[name] = values
    return segment


class _View:
    """One open searcher and everything cached for it; replaced after every commit."""

    def __init__(self, ix: Any, segments: dict[str, _Segment]) -> None:
        self.ix = ix
        self.searcher = ix.searcher()
        self.generation = self.searcher.reader().generation()
        self.leaves: list[tuple[Any, int, _Segment]] = []
        live = 0
        size = 0
        used: dict[str, _Segment] = {}
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            # Segment ids come from `random`, which tests may reseed: add the size to the key.
            segid = f"{reader.segment().segment_id()}:{reader.doc_count_all()}"
            seg = segments.get(segid) or _load_segment(reader)
            used[segid] = seg
            seg.key = segid
            self.leaves.append((sub, offset, seg))
            seg_live = (1 << seg.size) - 1
            if reader.has_deletions():
                for d in reader.deleted_docs_set:
                    seg_live &= ~(1 << d)
            live |= seg_live << offset
            size = max(size, offset + seg.size)
        self.segments = used
        self.size = size
        self.ids: list[int] = []
        for _sub, _offset, seg in self.leaves:
            self.ids.extend(seg.ids)
        self.doc_of: dict[int, int] = {}
        for d in docnums_of(live):
            if self.ids[d] >= 0:
                self.doc_of[self.ids[d]] = d
            else:
                live &= ~(1 << d)  # the meta document is never a hit
        self.live = live
        self._facets: dict[str, dict[str, int]] = {}
        self._columns: dict[str, list[Any]] = {}
        self._title_rank: list[int] | None = None
        #: Scored clauses of recent searches: {alternatives: (bitmap, {docnum: score})}.
        self.clauses: dict[Any, tuple[int, dict[int, float]]] = {}

    def facet(self, name: str) -> dict[str, int]:
        """Return {value: bitmap of live documents having it} for facet `name`."""
        cached = self._facets.get(name)
        if cached is None:
            cached = {}
            for _sub, offset, seg in self.leaves:
                for value, bits in seg.facets[name].items():
                    cached[value] = cached.get(value, 0) | (bits << offset)
            cached = {v: b & self.live for v, b in cached.items()}
            self._facets[name] = cached
        return cached

    def column(self, name: str) -> list[Any]:
        cached = self._columns.get(name)
        if cached is None:
            cached = []
            for _sub, _offset, seg in self.leaves:
                cached.extend(seg.columns[name])
            self._columns[name] = cached
        return cached

    def title_rank(self) -> list[int]:
        if self._title_rank is None:
            keys = self.column("title")
            order = {k: i for i, k in enumerate(sorted(set(keys)))}
            self._title_rank = [order[k] for k in keys]
        return self._title_rank

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.searcher.close()


def _tie(doc_id: int, seed: int) -> int:
    """Return a stable pseudo-random key for `doc_id` under `seed` (splitmix64)."""
    x = (doc_id * 0x9E3779B97F4A7C15 + (seed + 1) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


# --- The backend ------------------------------------------------------------------------------


class WhooshBackend:
    """A Whoosh index at `path` (a folder, created if missing), or in memory when `path` is None."""

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, lock_timeout: float = 10.0
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.lock_timeout = lock_timeout
        self.schema = whoosh_schema()
        self._lock = threading.RLock()
        self._view: _View | None = None
        self._segments: dict[str, _Segment] = {}
        #: {(segment key, clause alternatives): (local bitmap, {local docnum: score})}
        self._seg_clauses: dict[tuple[str, Any], tuple[int, dict[int, float]]] = {}
        self._seg_cached = 0
        self._pointer: str | None = None
        self._closed = False
        if self.path is None:
            self._ix = RamStorage().create_index(self.schema)
            self._init_meta(self._ix)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._root = FileStorage(str(self.path))
            with self._root_lock():
                if not (self.path / POINTER).exists():
                    name = self._new_folder()
                    ix = wi.create_in(str(self.path / name), self.schema)
                    self._init_meta(ix)
                    self._write_pointer(name)
            self._ix = self._open_current()

    # -- files and locks

    def _new_folder(self) -> str:
        assert self.path is not None
        name = f"ix-{time.time_ns()}-{os.getpid()}"
        (self.path / name).mkdir()
        return name

    def _read_pointer(self) -> str:
        assert self.path is not None
        return (self.path / POINTER).read_text(encoding="utf-8").strip()

    def _write_pointer(self, name: str) -> None:
        assert self.path is not None
        tmp = self.path / f"{POINTER}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / POINTER)
        with contextlib.suppress(OSError):
            dirfd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(dirfd)
            finally:
                os.close(dirfd)

    def _pointer_stamp(self) -> str | None:
        # The name itself, not inode/mtime: both can repeat across a quick rename.
        return None if self.path is None else self._read_pointer()

    def _open_current(self) -> Any:
        assert self.path is not None
        self._pointer = self._read_pointer()
        return wi.open_dir(str(self.path / self._pointer), schema=self.schema)

    @contextlib.contextmanager
    def _root_lock(self) -> Iterator[None]:
        lock = self._root.lock("ROOTLOCK")
        if not self._acquire(lock.acquire):
            raise IndexLocked(
                f"Another process holds {self.path} for longer than {self.lock_timeout}s"
            )
        try:
            yield
        finally:
            lock.release()

    def _acquire(self, attempt: Callable[[bool], Any]) -> bool:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            if attempt(False):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def _writer(self, ix: Any) -> Any:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return ix.writer(timeout=0.0)
            except LockError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"The index writer lock was held for longer than {self.lock_timeout}s"
                    ) from None
                time.sleep(0.02)

    def _init_meta(self, ix: Any) -> None:
        writer = self._writer(ix)
        writer.add_document(id=META_ID, **{META_SEQ: 0})
        writer.commit()

    def _current_ix(self) -> Any:
        """Return the live index, following CURRENT if a rebuild (here or elsewhere) swapped it."""
        if self.path is not None and self._pointer_stamp() != self._pointer:
            self._ix = self._open_current()
        return self._ix

    def _current_view(self) -> _View:
        with self._lock:
            if self._closed:
                raise SearchIndexError("The index is closed")
            ix = self._current_ix()
            view = self._view
            if view is None or view.ix is not ix or view.generation != ix.latest_generation():
                # A new searcher after every commit (trap 14): never Searcher.refresh().
                cache = self._segments if view is not None and view.ix is ix else {}
                if not cache:
                    self._seg_clauses, self._seg_cached = {}, 0
                fresh = _View(ix, cache)
                self._segments = fresh.segments
                self._view = fresh
                if view is not None:
                    view.close()
                view = fresh
            return view

    # -- writes

    def apply(self, upserts: Iterable[Document], deletions: Iterable[int], seq: int) -> None:
        """Add or replace `upserts`, remove `deletions` (a deletion wins), record `seq`; one commit."""
        docs = {d.id: d for d in upserts}
        gone = {int(i) for i in deletions}
        for i in gone:
            docs.pop(i, None)
        while True:
            with self._lock:
                ix = self._current_ix()
            writer = self._writer(ix)
            try:
                if self.path is not None and self._pointer_stamp() != self._pointer:
                    writer.cancel()  # a rebuild swapped the index while we waited: write there
                    with self._lock:
                        self._current_ix()
                    continue
                with writer.searcher() as searcher:
                    stored = searcher.document(id=META_ID) or {}
                current = int(stored.get(META_SEQ, 0))
                for doc in docs.values():
                    writer.update_document(**to_fields(doc))
                for i in gone:
                    writer.delete_by_term("id", str(i))
                writer.update_document(id=META_ID, **{META_SEQ: max(current, int(seq))})
                writer.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.cancel()
                raise
            return

    def rebuild(
        self, documents: Iterable[Document], seq: int, progress: Progress | None = None
    ) -> int:
        """Index `documents` into a fresh index beside the live one, then swap it in; return the count."""
        total: int | None = len(documents) if hasattr(documents, "__len__") else None  # type: ignore[arg-type]
        if self.path is None:
            ix = RamStorage().create_index(self.schema)
            count = self._fill(ix, documents, seq, progress, total)
            with self._lock:
                self._ix = ix
            return count
        with self._root_lock():
            name = self._new_folder()
            ix = wi.create_in(str(self.path / name), self.schema)
            count = self._fill(ix, documents, seq, progress, total)
            # Hold the old index's writer lock while swapping, so no apply lands on it after.
            with self._lock:
                old = self._current_ix()
            writer = self._writer(old)
            try:
                previous = self._read_pointer()
                self._write_pointer(name)
            finally:
                writer.cancel()
            self._remove_old_folders(keep={name, previous})
        with self._lock:
            self._current_ix()
        return count

    def _fill(
        self,
        ix: Any,
        documents: Iterable[Document],
        seq: int,
        progress: Progress | None,
        total: int | None,
    ) -> int:
        writer = ix.writer(limitmb=256)
        seen: set[int] = set()
        try:
            for doc in documents:
                if doc.id in seen:
                    continue
                seen.add(doc.id)
                writer.add_document(**to_fields(doc))
                if progress is not None and len(seen) % 500 == 0:
                    progress(len(seen), total)
            writer.add_document(id=META_ID, **{META_SEQ: int(seq)})
            writer.commit(optimize=True)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        if progress is not None:
            progress(len(seen), total)
        return len(seen)

    def _remove_old_folders(self, keep: set[str]) -> None:
        assert self.path is not None
        for child in self.path.iterdir():
            if child.is_dir() and child.name.startswith("ix-") and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    # -- reads

    def last_seq(self) -> int:
        """Return the last change-log sequence applied to the live index."""
        with self._lock:
            stored = self._current_view().searcher.document(id=META_ID) or {}
        return int(stored.get(META_SEQ, 0))

    def fingerprints(self) -> dict[int, str]:
        """Return {document id: fingerprint} of every live document."""
        with self._lock:
            out = {}
            for stored in self._current_view().searcher.reader().all_stored_fields():
                if stored.get("id") != META_ID:
                    out[int(stored["id"])] = stored[FINGERPRINT]
            return out

    def close(self) -> None:
        """Close the searcher; the object is unusable afterwards."""
        with self._lock:
            if self._view is not None:
                self._view.close()
            self._view = None
            self._closed = True

    def search(self, query: Query) -> Results:
        """Run `query`; never raise on its text."""
        querying.check_query(query)
        parsed = querying.parse_text(query.text)
        with self._lock:
            # One lock for fetching and using the view: another thread may replace and close it.
            return self._search(self._current_view(), query, parsed)

    # -- the search itself

    def _search(
        self, view: _View, query: Query, parsed: querying.ParsedText, spell: bool = True
    ) -> Results:
        filters = query.filter_map()
        allowed = view.live
        if query.exclude_ids:
            excluded = [view.doc_of[i] for i in query.exclude_ids if i in view.doc_of]
            allowed &= ~bits_of(excluded, view.size)
        selected: dict[str, int] = {}
        for name, values in filters.items():
            facet = view.facet(name)
            bits = 0
            for value in values:
                bits |= facet.get(value, 0)
            selected[name] = bits

        scores: list[dict[int, float]] | None = None
        matched = allowed
        if parsed.positive:
            scores = []
            for clause in parsed.positive:
                bits, clause_scores = self._clause_entry(view, clause)
                matched &= bits
                scores.append(clause_scores)
        if parsed.negative:
            matched &= ~self._boolean(view, parsed.negative)

        result = matched
        for bits in selected.values():
            result &= bits
        total = result.bit_count()

        suggestion = None
        if spell and parsed.positive and total < LITTLE:
            suggestion = self._suggest(view, query.text, parsed)
            if suggestion is not None:
                better = self._search(
                    view, replace(query, text=suggestion), querying.parse_text(suggestion), False
                )
                if better.total > total:
                    if total == 0 and query.autocorrect:
                        return replace(
                            better, suggestion=suggestion, corrected=True, notice=parsed.notice
                        )
                else:
                    suggestion = None

        facets: dict[str, tuple[FacetCount, ...]] = {}
        for name in query.facets:
            base = matched
            for other, bits in selected.items():
                if other != name:
                    base &= bits
            counts = [(v, (base & b).bit_count()) for v, b in view.facet(name).items()]
            chosen = filters.get(name, frozenset())
            counts = [(v, c) for v, c in counts if c or v in chosen]
            counts += [(v, 0) for v in chosen if v not in view.facet(name)]
            counts.sort(key=lambda vc: (-vc[1], vc[0]))
            facets[name] = tuple(FacetCount(v, c) for v, c in counts)

        hits = self._page(view, query, result, scores, total, parsed)
        return Results(
            total=total,
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
            suggestion=suggestion,
            corrected=False,
            notice=parsed.notice,
        )

    def _alternative(self, view: _View, alt: querying.Alternative) -> wq.Query | None:
        if alt.prefix:
            reader = view.searcher.reader()
            expanded = []
            for term in reader.expand_prefix(CATCH_ALL, alt.terms[0]):
                expanded.append(term.decode("utf-8") if isinstance(term, bytes) else term)
                if len(expanded) >= querying.MAX_PREFIX_TERMS:
                    break
            if not expanded:
                return None
            return wq.Or([self._terms(view, (t,)) for t in expanded])
        return self._terms(view, alt.terms)

    def _terms(self, view: _View, terms: tuple[str, ...]) -> wq.Query:
        def one(fieldname: str, boost: float) -> wq.Query:
            if len(terms) == 1:
                return wq.Term(fieldname, terms[0], boost=boost)
            return wq.Phrase(fieldname, list(terms), boost=boost)

        parts = [one(CATCH_ALL, 1.0)]
        parts += [one(name, weight) for name, weight in RANKING_FIELDS.items()]
        return wq.Or(parts)

    def _clause(self, view: _View, clause: querying.Clause) -> wq.Query:
        alts = [
            q for q in (self._alternative(view, a) for a in clause.alternatives) if q is not None
        ]
        if not alts:
            return wq.NullQuery
        return alts[0] if len(alts) == 1 else wq.Or(alts)

    def _clause_entry(self, view: _View, clause: querying.Clause) -> tuple[int, dict[int, float]]:
        """Return (bitmap, {docnum: score}) of one clause over the live documents.

        Scored once per segment and cached by segment: segments never change, so after a
        commit only the new segment is scored. Scores of older segments keep the collection
        statistics of when they were scored (a small drift, gone at the next merge).
        """
        key = clause.alternatives
        entry = view.clauses.get(key)
        if entry is not None:
            return entry
        q: wq.Query | None = None
        bits = 0
        scores: dict[int, float] = {}
        for sub, offset, seg in view.leaves:
            local = self._seg_clauses.get((seg.key, key))
            if local is None:
                if q is None:
                    q = self._clause(view, clause).normalize()  # flattened: trap 16
                local = self._score_segment(view, sub, q, seg.size)
                self._seg_clauses[(seg.key, key)] = local
                self._seg_cached += len(local[1])
            bits |= local[0] << offset
            if offset:
                scores.update({d + offset: v for d, v in local[1].items()})
            else:
                scores.update(local[1])
        self._evict(view)
        entry = (bits & view.live, scores)
        view.clauses[key] = entry
        return entry

    def _score_segment(
        self, view: _View, sub: Any, q: wq.Query, size: int
    ) -> tuple[int, dict[int, float]]:
        scores: dict[int, float] = {}
        if q is not wq.NullQuery:
            matcher = q.matcher(sub, view.searcher.context())
            while matcher.is_active():
                scores[matcher.id()] = matcher.score()
                matcher.next()
        return bits_of(scores, size), scores

    def _evict(self, view: _View) -> None:
        """Drop cached clause scores of segments no longer live, then the oldest beyond the bound."""
        for seg_key, clause_key in list(self._seg_clauses):
            if seg_key not in view.segments:
                self._seg_cached -= len(self._seg_clauses.pop((seg_key, clause_key))[1])
        while self._seg_clauses and self._seg_cached > CLAUSE_CACHE:
            self._seg_cached -= len(self._seg_clauses.pop(next(iter(self._seg_clauses)))[1])
        while view.clauses and len(view.clauses) > 64:
            del view.clauses[next(iter(view.clauses))]

    def _boolean(self, view: _View, clauses: tuple[querying.Clause, ...]) -> int:
        bits = 0
        for clause in clauses:
            bits |= self._clause_entry(view, clause)[0]
        return bits

    def _page(
        self,
        view: _View,
        query: Query,
        result: int,
        scores: list[dict[int, float]] | None,
        total: int,
        parsed: querying.ParsedText,
    ) -> tuple[Hit, ...]:
        start = (query.page - 1) * query.per_page
        if start >= total:
            return ()
        docs = docnums_of(result)
        ids, seed = view.ids, query.tie_seed
        if scores:
            score_of = {d: sum(c[d] for c in scores) for d in docs}
        else:
            score_of = dict.fromkeys(docs, 0.0)
        prefer = query.prefer_map()
        if prefer:
            preferred = []
            for name, values in prefer.items():
                facet = view.facet(name)
                bits = 0
                for value in values:
                    bits |= facet.get(value, 0)
                preferred.append(bits)
            for d in docs:
                k = sum(1 for bits in preferred if bits >> d & 1)
                if k:
                    base = score_of[d] if scores else 1.0
                    score_of[d] = base * (1.0 + PREFER_BOOST * k)
        sort = schema.SORTS[query.sort]

        def relevance(d: int) -> float:
            return -round(score_of[d], 9)

        key: Callable[[int], tuple[Any, ...]]
        if sort.field is None:
            key = lambda d: (relevance(d), _tie(ids[d], seed))  # noqa: E731
        elif sort.field == "title":
            rank = view.title_rank()
            key = lambda d: (rank[d], relevance(d), _tie(ids[d], seed))  # noqa: E731
        else:
            column = view.column(sort.field)
            sign = -1 if sort.descending else 1
            key = lambda d: (sign * column[d], relevance(d), _tie(ids[d], seed))  # noqa: E731
        ordered = heapq.nsmallest(start + query.per_page, docs, key=key)[start:]

        terms = parsed.highlight_terms()
        hits = []
        for d in ordered:
            stored = view.searcher.stored_fields(d)
            title = stored.get("title", "")
            body = " ".join(
                x for x in (stored.get("summary", ""), stored.get("description", "")) if x
            )
            texts = [stored.get(f.name, "") for f in schema.PUBLIC_TEXT]
            hits.append(
                Hit(
                    id=ids[d],
                    score=round(score_of[d], 6),
                    title=title,
                    snippet=analysis.highlight(body, terms),
                    matched_terms=analysis.matched_terms(texts, terms) if terms else (),
                )
            )
        return tuple(hits)

    # -- spelling

    def _suggest(self, view: _View, text: str, parsed: querying.ParsedText) -> str | None:
        """Return `text` with unknown words replaced by the closest frequent indexed words, or None."""
        searcher = view.searcher
        replacements: dict[str, str] = {}
        for clause in parsed.positive:
            if clause.expanded:
                continue  # a known abbreviation or synonym, not a misspelling
            for word in clause.words:
                if len(word) < 3 or not word.isalpha() or word in replacements:
                    continue
                known = searcher.doc_frequency(SPELL, word)
                if known >= LITTLE:
                    continue
                # Unknown, or so rare that a much more common neighbour is the likelier intent.
                best = self._closest(view, word, better_than=known * 3)
                if best:
                    replacements[word] = best
        if not replacements:
            return None
        cleaned, _notice = querying.clean(text)
        out = []
        for token in cleaned.split():
            bare = analysis.fold(token.strip("\"'()[]{}*-,.;:!?"))
            out.append(
                token.lower().replace(bare, replacements[bare]) if bare in replacements else token
            )
        return " ".join(out)

    def _closest(self, view: _View, word: str, better_than: int = 0) -> str | None:
        searcher = view.searcher
        for maxdist in (1, 2) if len(word) >= 5 else (1,):
            found: set[str] = set()
            for sub, _offset, _seg in view.leaves:
                for term in sub.reader().terms_within(SPELL, word, maxdist, prefix=1):
                    found.add(term.decode("utf-8") if isinstance(term, bytes) else term)
            found.discard(word)
            freq = {t: searcher.doc_frequency(SPELL, t) for t in found}
            found = {t for t in found if freq[t] > better_than}
            if found:
                return max(sorted(found), key=lambda t: freq[t])
        return None


def create(path: str | os.PathLike[str] | None = None, **options: Any) -> WhooshBackend:
    """Return a Whoosh backend at `path` (None: in memory, for tests)."""
    return WhooshBackend(path, **options)


register("whoosh", create)
