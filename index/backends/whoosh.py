"""The Whoosh backend: an on-disk (or in-memory) index behind the SearchBackend protocol.

Layout on disk: `<path>/CURRENT` names the live index folder `<path>/ix-<time>`; a rebuild
writes a new folder and renames a new CURRENT into place, so searchers on the old folder keep
working (the previous folder is kept until the next rebuild).

Speed (STACK-NOTES traps 14-18): one catch-all text field for matching, small boost fields
for ranking; per-value document sets of every facet kept as integer bitmaps per index segment
(segments never change, so a commit only costs the new segment), combined per searcher.
Whoosh's matchers cost ~20 us per document in Python, so searches do not iterate them: each
term's posting list is read once per segment as arrays (cached), matching and facet counts are
bitmap work, and BM25F scores (Whoosh's formula and statistics) are computed with C-speed
`map` pipelines only when the sort needs them; only the requested page is ordered fully.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import shutil
import threading
import time
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import accumulate, compress, repeat
from operator import add, and_, ge, getitem, mul, neg, truediv, xor
from operator import sub as minus
from pathlib import Path
from pickle import loads
from typing import Any

from whoosh import fields as wf
from whoosh import index as wi
from whoosh.analysis import Analyzer
from whoosh.analysis import Token as WToken
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.index import LockError
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

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
#: Most postings kept in memory across segments (8 bytes each, a term's bitmap counted in).
POSTING_CACHE = 4_000_000
#: Most (document, score) pairs of scored clauses kept per searcher (~100 bytes each).
SCORE_CACHE = 600_000

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
        if keeporiginal:
            for tok in analysis.tokens(value):
                token.text, token.boost, token.stopped = tok.term, 1.0, False
                token.original = tok.word
                if positions:
                    token.pos = start_pos + tok.position
                if chars:
                    token.startchar, token.endchar = start_char + tok.start, start_char + tok.end
                yield token
            return
        # The same terms and positions as analysis.tokens, without a Token object per word.
        token.boost, token.stopped = 1.0, False
        for position, (term, start, end) in enumerate(analysis.term_spans(value), start_pos):
            token.text = term
            if positions:
                token.pos = position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
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
#: The fields whose postings, together, hold every public text word.
MATCH_FIELDS = (CATCH_ALL, *(f.name for f in schema.PUBLIC_TEXT if f.name not in IN_CATCH_ALL))


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


# --- Bitmaps, postings and per-segment / per-searcher caches ---------------------------------

_ZERO, _ONE = ord("0"), ord("1")
_TO_FLAGS = bytes.maketrans(b"01", b"\x00\x01")
_MASK64 = (1 << 64) - 1
#: How a Whoosh Positions value starts: a 4-byte big-endian count, then a protocol-2 pickle.
_PICKLE_HEAD = b"\x80\x02"


def bits_of(docnums: Iterable[int], size: int) -> int:
    """Return an integer bitmap with the bits of `docnums` (each below `size`) set."""
    if size <= 0:
        return 0
    # One character per document, set at C speed, then parsed as a base-2 number.
    buf = bytearray(b"0") * size
    any(map(buf.__setitem__, docnums, repeat(_ONE)))
    buf.reverse()
    return int(buf, 2)


def docnums_of(bitmap: int) -> list[int]:
    """Return the set bits of `bitmap`, in increasing order."""
    if not bitmap:
        return []
    flags = bin(bitmap)[:1:-1].encode("ascii").translate(_TO_FLAGS)
    return list(compress(range(len(flags)), flags))


def _mix(x: int) -> int:
    """Return splitmix64's finaliser of `x`: a well-spread 64-bit hash."""
    x = (x * 0x9E3779B97F4A7C15 + 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _seed_keys(seed: int) -> tuple[int, int]:
    """Return (xor mask, odd multiplier) of the fair tie order for `seed`."""
    return _mix(seed * 2 + 1), _mix(seed * 2 + 2) | 1


def _ties(hashes: Iterable[int], seed: int) -> list[int]:
    """Return the tie-break keys of documents with these id hashes under `seed` (C-speed maps).

    ((hash ^ a) * odd b) mod 2**64 is a different bijection for every seed: a stable seeded
    shuffle that no provider can steer (the hash is of the listing id).
    """
    a, b = _seed_keys(seed)
    return list(map(and_, map(mul, map(xor, hashes, repeat(a)), repeat(b)), repeat(_MASK64)))


@dataclass
class _Postings:
    """One term's (or phrase's) postings in one segment: local docnums, weights and bitmap."""

    ids: array[int]
    tfs: array[float]
    bits: int

    @property
    def weight(self) -> int:
        """Memory held, in postings (8 bytes each): the arrays and the bitmap."""
        return len(self.ids) + self.bits.bit_length() // 64 + 1


_NO_POSTINGS = _Postings(array("I"), array("f"), 0)


def _read_postings(reader: Any, fieldname: str, text: str, size: int) -> _Postings:
    """Read a term's whole posting list (deleted documents included) block by block."""
    try:
        m = reader.postings(fieldname, text)
    except TermNotFound:
        return _NO_POSTINGS
    if isinstance(m, FilterMatcher):  # the deletion filter: the view masks deletions itself
        m = m.child
    ids: array[int] = array("I")
    tfs: array[float] = array("f")
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        # Whoosh's own block format: delta-coded ids and weights per block (whoosh-reloaded
        # 2.7.5 is pinned); decoded with C-speed builtins instead of one Python call per posting.
        while m.is_active():
            if m._data is None:
                m._read_data()
            count = m._blocklength
            ids.extend(accumulate(m._data[0]))
            weights = m._data[1]
            if weights is None:
                tfs.extend(repeat(1.0, count))
            elif isinstance(weights, float):
                tfs.extend(repeat(weights, count))
            else:
                tfs.extend(weights)
            m._next_block()
    else:
        while m.is_active():
            ids.append(m.id())
            tfs.append(m.weight())
            m.next()
    return _Postings(ids, tfs, bits_of(ids, size))


def _values(reader: Any, fieldname: str, text: str, wanted: set[int]) -> dict[int, Any]:
    """Return {docnum: posting value} of a term, for the `wanted` documents only."""
    m = reader.postings(fieldname, text)
    if isinstance(m, FilterMatcher):
        m = m.child
    out: dict[int, Any] = {}
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        while m.is_active():
            if m._data is None:
                m._read_data()
            ids = list(accumulate(m._data[0]))
            hit = list(map(wanted.__contains__, ids))
            if any(hit):
                m._read_values()
                out.update(compress(zip(ids, m._values, strict=True), hit))
            m._next_block()
    else:
        while m.is_active():
            if m.id() in wanted:
                out[m.id()] = m.value()
            m.next()
    return out


def _deltas(values: list[bytes]) -> list[list[int]]:
    """Return the position deltas of Whoosh Positions values, or [] if they are not as expected.

    Each value is a 4-byte count and a protocol-2 pickle of a list of deltas; the pickles'
    bodies are joined into one pickled list of lists: one unpickling instead of one per value.
    """
    if not all(map(bytes.startswith, values, repeat(_PICKLE_HEAD), repeat(4))):
        return []
    if not all(map(bytes.endswith, values, repeat(b"."))):
        return []
    body = b"".join(map(getitem, values, repeat(slice(4 + len(_PICKLE_HEAD), -1))))
    try:
        out = loads(b"\x80\x02(" + body + b"l.")  # noqa: S301  (our own index, as Whoosh reads it)
    except Exception:  # noqa: BLE001
        return []
    return out if isinstance(out, list) and len(out) == len(values) else []


def _phrase_docs(reader: Any, fieldname: str, terms: tuple[str, ...], candidates: int) -> list[int]:
    """Return the documents among `candidates` (a bitmap) with `terms` at consecutive positions.

    What Whoosh's Phrase (slop 1) matches, checked on the positions of the candidates only
    (the documents holding every term) instead of through its span matchers.
    """
    docs = docnums_of(candidates)
    wanted = set(docs)
    decode = reader.schema[fieldname].format.decode_positions
    positions = []
    for term in terms:
        values = list(map(_values(reader, fieldname, term, wanted).__getitem__, docs))
        positions.append(list(map(accumulate, _deltas(values))) if values else [])
        if len(positions[-1]) != len(docs):  # not the layout _deltas expects
            positions[-1] = list(map(decode, values))
    out = []
    for i, d in enumerate(docs):
        starts = set(positions[0][i])
        for shift, term_positions in enumerate(positions[1:], start=1):
            starts.intersection_update(map(minus, term_positions[i], repeat(shift)))
            if not starts:
                break
        if starts:
            out.append(d)
    return out


def _column_bytes(reader: Any, fieldname: str, size: int) -> bytes:
    """Return the one-byte length column of `fieldname` (byte 0 = empty) for every document."""
    # Whoosh keeps lengths in a per-document column of its own (private API of the pinned 2.7.5).
    col = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if col is None:
        return bytes(size)
    try:  # a fixed one-byte column: read it in one go
        data = col._dbfile.get(col._basepos, col._count) if col._fixedlen == 1 else None
    except AttributeError:
        data = None
    if data is None:
        data = bytes(col)
    return bytes(data[:size]) + bytes(max(0, size - len(data)))


@dataclass
class _Segment:
    """What never changes about one Whoosh segment: ids, columns, facet bitmaps, postings."""

    size: int
    ids: list[int]
    columns: dict[str, list[Any]]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    key: str = ""
    #: A seed-independent hash of each listing id, for the fair tie order.
    hashes: list[int] = field(default_factory=list)
    #: {text field: length byte per document}, read when first scored.
    lengths: dict[str, bytes] = field(default_factory=dict)


def _var_bytes(reader: Any, name: str) -> list[bytes]:
    """Return the raw values of a variable-bytes column, read in one go and sliced at C speed."""
    col = reader.column_reader(name, translate=False)
    try:  # VarBytesColumn's reader (private API of the pinned whoosh-reloaded 2.7.5)
        offsets, lengths = col._offsets, col._lengths
        data = col._dbfile.get(col._basepos, (offsets[-1] + lengths[-1]) if len(lengths) else 0)
        return list(map(data.__getitem__, map(slice, offsets, map(add, offsets, lengths))))
    except AttributeError:
        return list(col)


def _load_segment(reader: Any) -> _Segment:
    size = reader.doc_count_all()
    raw_ids = _var_bytes(reader, "id")
    ids = [int(i) if i and i.isdigit() else -1 for i in raw_ids]
    columns: dict[str, list[Any]] = {}
    for f in schema.FIELDS:
        if f.sortable and f.kind == "text":
            # Only the order matters: UTF-8 bytes sort as their code points do.
            columns[f.name] = _var_bytes(reader, f"{f.name}_sort")
        elif f.sortable and f.kind != "id":
            columns[f.name] = list(reader.column_reader(f.name))
    segment = _Segment(size, ids, columns, hashes=list(map(_mix, ids)))
    dense = max(1, size >> 6)
    for name in schema.FACETS:
        # Group documents with the same value list (every national listing has the same one).
        # A big group's bitmap is ORed into each of its values (big-integer work); small groups'
        # documents are listed per value, then each value's list becomes one bitmap.
        groups: dict[bytes, list[int]] = {}
        for d, packed in enumerate(_var_bytes(reader, name)):
            if packed:
                groups.setdefault(packed, []).append(d)
        listed: dict[str, list[int]] = {}
        ored: dict[str, int] = {}
        for packed, docs in groups.items():
            split = packed.decode("utf-8").split("\n")
            if len(docs) >= dense:
                bits = bits_of(docs, size)
                for value in split:
                    ored[value] = ored.get(value, 0) | bits
            else:
                for value in split:
                    listed.setdefault(value, []).extend(docs)
        values = {v: bits_of(docs, size) for v, docs in listed.items()}
        for value, bits in ored.items():
            values[value] = values.get(value, 0) | bits
        segment.facets[name] = values
    return segment


@dataclass
class _Part:
    """One scored piece of a clause: a term or phrase in one field, with the field's weight."""

    fieldname: str
    terms: tuple[str, ...]
    boost: float


@dataclass
class _Clause:
    """One clause over the current searcher: its match bitmap, and its scores once needed."""

    parts: list[_Part]
    bits: int
    size: int
    scores: dict[int, float] | None = None


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
                seg_live &= ~bits_of(reader.deleted_docs_set, seg.size)
            live |= seg_live << offset
            size = max(size, offset + seg.size)
        self.segments = used
        self.size = size
        self.ids: list[int] = []
        self.hashes: list[int] = []
        for _sub, _offset, seg in self.leaves:
            self.ids.extend(seg.ids)
            self.hashes.extend(seg.hashes)
        meta = [d for d, i in enumerate(self.ids) if i < 0]
        self.live = live & ~bits_of(meta, size)  # the meta document is never a hit
        self._doc_of: dict[int, int] | None = None
        self._facets: dict[str, dict[str, int]] = {}
        self._columns: dict[str, list[Any]] = {}
        self._title_rank: list[int] | None = None
        self._norms: dict[str, list[float]] = {}
        self._idf: dict[tuple[str, str], float] = {}
        #: Clauses of recent searches: {alternatives: _Clause}, least recently used first.
        self.clauses: OrderedDict[Any, _Clause] = OrderedDict()
        self.cached_scores = 0

    def doc_of(self) -> dict[int, int]:
        """Return {listing id: docnum} of the live documents."""
        if self._doc_of is None:
            ids = self.ids
            self._doc_of = {ids[d]: d for d in docnums_of(self.live)}
        return self._doc_of

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

    def norms(self, fieldname: str) -> list[float]:
        """Return BM25F's length normalisation K1 * (1 - B + B * length / average) per length byte."""
        cached = self._norms.get(fieldname)
        if cached is None:
            weighting = self.searcher.weighting
            b = weighting._field_B.get(fieldname, weighting.B)
            k1 = weighting.K1
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            cached = [k1 * ((1 - b) + b * byte_to_length(i) / avgfl) for i in range(256)]
            self._norms[fieldname] = cached
        return cached

    def idf(self, fieldname: str, text: str) -> float:
        key = (fieldname, text)
        cached = self._idf.get(key)
        if cached is None:
            cached = self._idf[key] = self.searcher.idf(fieldname, text)
        return cached

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.searcher.close()


def _smallest(docs: list[int], levels: list[Callable[[list[int]], list[Any]]], k: int) -> list[int]:
    """Return the `k` first of `docs` ordered by the keys of `levels` in turn (lexicographic).

    Each level's keys are computed only for the documents still tied after the levels before
    it, and only the `k` smallest keys are kept at each level: no full sort of all matches.
    """
    if k <= 0 or not docs:
        return []
    if not levels:
        return docs[:k]
    keys = levels[0](docs)
    if len(docs) > k:
        kth = heapq.nsmallest(k, keys)[-1]
        keep = list(map(ge, repeat(kth), keys))
        docs, keys = list(compress(docs, keep)), list(compress(keys, keep))
    groups: dict[Any, list[int]] = {}
    for d, key in zip(docs, keys, strict=True):
        groups.setdefault(key, []).append(d)
    out: list[int] = []
    for key in sorted(groups):
        group = groups[key]
        out.extend(group if len(group) == 1 else _smallest(group, levels[1:], k - len(out)))
        if len(out) >= k:
            break
    return out[:k]


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
        #: {(segment key, field, term or phrase): postings}, least recently used first.
        self._posting_cache: OrderedDict[tuple[str, str, Any], _Postings] = OrderedDict()
        self._posting_count = 0
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
                fresh = _View(ix, cache)
                self._segments = fresh.segments
                # Postings of segments merged away (or of another index) are of no more use.
                for key in [
                    k for k in self._posting_cache if k[0] not in fresh.segments or not cache
                ]:
                    self._posting_count -= self._posting_cache.pop(key).weight
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
            doc_of = view.doc_of()
            excluded = [doc_of[i] for i in query.exclude_ids if i in doc_of]
            allowed &= ~bits_of(excluded, view.size)
        selected: dict[str, int] = {}
        for name, values in filters.items():
            facet = view.facet(name)
            bits = 0
            for value in values:
                bits |= facet.get(value, 0)
            selected[name] = bits

        # Matching is bitmap work only; scores are computed later, and only if the sort needs them.
        clauses = [self._clause_entry(view, clause) for clause in parsed.positive]
        matched = allowed
        for entry in clauses:
            matched &= entry.bits
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

        hits = self._page(view, query, result, clauses, total, parsed)
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

    def _parts(self, view: _View, clause: querying.Clause) -> list[_Part]:
        """Return the scored pieces of `clause`: each alternative in the catch-all and boost fields."""
        alternatives: list[tuple[str, ...]] = []
        for alt in clause.alternatives:
            if alt.prefix:
                reader = view.searcher.reader()
                for term in reader.expand_prefix(CATCH_ALL, alt.terms[0]):
                    alternatives.append(
                        (term.decode("utf-8") if isinstance(term, bytes) else term,)
                    )
                    if len(alternatives) >= querying.MAX_PREFIX_TERMS:
                        break
            else:
                alternatives.append(alt.terms)
        fields = [(CATCH_ALL, 1.0), *RANKING_FIELDS.items()]
        unique = dict.fromkeys(alternatives)  # the same form twice scores once, as normalize() did
        return [_Part(name, terms, boost) for terms in unique for name, boost in fields]

    def _postings(self, seg: _Segment, sub: Any, fieldname: str, text: str) -> _Postings:
        """Return a term's postings in one segment (cached: segments never change)."""
        key = (seg.key, fieldname, text)
        found = self._posting_cache.get(key)
        if found is None:
            found = _read_postings(sub.reader(), fieldname, text, seg.size)
            self._posting_cache[key] = found
            self._posting_count += found.weight
        else:
            self._posting_cache.move_to_end(key)
        return found

    def _phrase(self, seg: _Segment, sub: Any, part: _Part) -> _Postings:
        """Return the documents of one segment with `part`'s terms in order (cached per segment)."""
        key = (seg.key, part.fieldname, part.terms)
        found = self._posting_cache.get(key)
        if found is None:
            candidates = -1
            for term in part.terms:
                candidates &= self._postings(seg, sub, part.fieldname, term).bits
            ids: array[int] = array("I")
            if candidates > 0:
                ids.extend(_phrase_docs(sub.reader(), part.fieldname, part.terms, candidates))
            found = _Postings(ids, array("f"), bits_of(ids, seg.size))
            self._posting_cache[key] = found
            self._posting_count += found.weight
        else:
            self._posting_cache.move_to_end(key)
        return found

    def _part_postings(self, seg: _Segment, sub: Any, part: _Part) -> _Postings:
        if len(part.terms) == 1:
            return self._postings(seg, sub, part.fieldname, part.terms[0])
        return self._phrase(seg, sub, part)

    def _clause_entry(self, view: _View, clause: querying.Clause) -> _Clause:
        """Return the clause's bitmap over the live documents (its scores come later, if needed)."""
        key = clause.alternatives
        entry = view.clauses.get(key)
        if entry is not None:
            view.clauses.move_to_end(key)
            return entry
        parts = self._parts(view, clause)
        bits = 0
        size = 0
        for sub, offset, seg in view.leaves:
            local = 0
            for part in parts:
                if part.fieldname in IN_CATCH_ALL:
                    continue  # its matches are the catch-all's too: read it only to score
                found = self._part_postings(seg, sub, part)
                local |= found.bits
                size += len(found.ids)
            bits |= local << offset
        entry = _Clause(parts, bits & view.live, size)
        view.clauses[key] = entry
        self._evict(view)
        return entry

    def _term_scores(
        self, view: _View, seg: _Segment, sub: Any, part: _Part, term: str, docs: Any = None
    ) -> tuple[Iterable[int], list[float]]:
        """Return (local docnums, BM25F scores) of `term` in one segment: all postings or `docs`.

        The same arithmetic as Whoosh's BM25FScorer (global idf and average length), mapped over
        whole posting arrays with C-speed builtins instead of one matcher call per document.
        """
        postings = self._postings(seg, sub, part.fieldname, term)
        ids: Any = postings.ids
        tfs: Any = postings.tfs
        if docs is not None:
            # Only these documents (sorted, all in this segment and all matching the term).
            at = list(map(bisect_left, repeat(ids), docs))
            ids = docs
            tfs = list(map(tfs.__getitem__, at))
        lengths = seg.lengths.get(part.fieldname)
        if lengths is None:
            lengths = seg.lengths[part.fieldname] = _column_bytes(
                sub.reader(), part.fieldname, seg.size
            )
        norms = view.norms(part.fieldname)
        k1 = view.searcher.weighting.K1
        idf = view.idf(part.fieldname, term)
        denominators = map(add, tfs, map(norms.__getitem__, map(lengths.__getitem__, ids)))
        ratios = map(truediv, map(mul, tfs, repeat(k1 + 1)), denominators)
        return ids, list(map(mul, repeat(idf), ratios))

    def _part_scores(
        self, view: _View, seg: _Segment, sub: Any, part: _Part
    ) -> tuple[Iterable[int], Iterable[float]]:
        """Return (local docnums, weighted scores) of one clause part in one segment."""
        if len(part.terms) == 1:
            ids, scores = self._term_scores(view, seg, sub, part, part.terms[0])
        else:
            # A phrase scores the sum of its terms' scores where it occurs (as Whoosh's does).
            ids = list(self._phrase(seg, sub, part).ids)
            scores = [0.0] * len(ids)
            for term in part.terms:
                scores = list(
                    map(add, scores, self._term_scores(view, seg, sub, part, term, ids)[1])
                )
        if part.boost != 1.0:
            return ids, map(mul, scores, repeat(part.boost))
        return ids, scores

    def _clause_scores(self, view: _View, entry: _Clause) -> dict[int, float]:
        """Return {docnum: score} of every document matching the clause (cached per searcher)."""
        if entry.scores is not None:
            return entry.scores
        scores: dict[int, float] = {}
        for part in entry.parts:
            for sub, offset, seg in view.leaves:
                ids, values = self._part_scores(view, seg, sub, part)
                docs = list(map(add, ids, repeat(offset))) if offset else ids
                if scores:
                    values = list(map(add, map(scores.get, docs, repeat(0.0)), values))
                scores.update(zip(docs, values, strict=True))
        entry.scores = scores
        view.cached_scores += len(scores)
        self._evict(view)
        return scores

    def _clause_scores_of(self, view: _View, entry: _Clause, docs: list[int]) -> list[float]:
        """Return the clause's score of each of `docs` (sorted docnums that match it)."""
        if entry.scores is not None or len(docs) * len(view.leaves) * 16 > entry.size:
            return list(map(self._clause_scores(view, entry).__getitem__, docs))
        # A few documents: look each one up in the postings instead of scoring them all.
        total = [0.0] * len(docs)
        position = {d: i for i, d in enumerate(docs)}
        for sub, offset, seg in view.leaves:
            lo, hi = bisect_left(docs, offset), bisect_left(docs, offset + seg.size)
            if lo == hi:
                continue
            local = [d - offset for d in docs[lo:hi]]
            for part in entry.parts:
                ids = self._part_postings(seg, sub, part).ids
                at = map(bisect_left, repeat(ids), local)
                present = [
                    d for d, i in zip(local, at, strict=True) if i < len(ids) and ids[i] == d
                ]
                if not present:
                    continue
                if len(part.terms) == 1:
                    values = self._term_scores(view, seg, sub, part, part.terms[0], present)[1]
                else:
                    values = [0.0] * len(present)
                    for term in part.terms:
                        term_values = self._term_scores(view, seg, sub, part, term, present)[1]
                        values = list(map(add, values, term_values))
                for d, v in zip(present, values, strict=True):
                    total[position[d + offset]] += v * part.boost
        return total

    def _evict(self, view: _View) -> None:
        """Keep the caches bounded: postings of live segments, and scores of recent clauses."""
        cache = self._posting_cache
        while cache and self._posting_count > POSTING_CACHE:
            self._posting_count -= cache.popitem(last=False)[1].weight
        while view.clauses and (len(view.clauses) > 256 or view.cached_scores > SCORE_CACHE):
            old = view.clauses.popitem(last=False)[1]
            if old.scores is not None:
                view.cached_scores -= len(old.scores)

    def _boolean(self, view: _View, clauses: tuple[querying.Clause, ...]) -> int:
        bits = 0
        for clause in clauses:
            bits |= self._clause_entry(view, clause).bits
        return bits

    def _scores(
        self, view: _View, clauses: list[_Clause], docs: list[int], prefer: list[int]
    ) -> list[float]:
        """Return the relevance of each of `docs`: the clauses' summed scores, times preferences."""
        if clauses:
            scores = self._clause_scores_of(view, clauses[0], docs)
            for entry in clauses[1:]:
                scores = list(map(add, scores, self._clause_scores_of(view, entry, docs)))
        else:
            scores = [0.0] * len(docs)
        if prefer:
            counts = [0] * len(docs)
            for bits in prefer:
                members = set(docnums_of(bits))
                counts = list(map(add, counts, map(members.__contains__, docs)))
            for i, k in enumerate(counts):
                if k:
                    scores[i] = (scores[i] if clauses else 1.0) * (1.0 + PREFER_BOOST * k)
        return scores

    def _page(
        self,
        view: _View,
        query: Query,
        result: int,
        clauses: list[_Clause],
        total: int,
        parsed: querying.ParsedText,
    ) -> tuple[Hit, ...]:
        start = (query.page - 1) * query.per_page
        end = start + query.per_page
        if start >= total:
            return ()
        prefer: list[int] = []
        for name, values in query.prefer_map().items():
            facet = view.facet(name)
            bits = 0
            for value in values:
                bits |= facet.get(value, 0)
            if bits & result:
                prefer.append(bits & result)
        sort = schema.SORTS[query.sort]
        scored = bool(clauses or prefer)

        def relevance(docs: list[int]) -> list[float]:
            # Negated and rounded, so that equal scores tie exactly and the seeded order decides.
            return list(map(neg, map(round, self._scores(view, clauses, docs, prefer), repeat(9))))

        def ties(docs: list[int]) -> list[int]:
            return _ties(map(view.hashes.__getitem__, docs), query.tie_seed)

        levels: list[Callable[[list[int]], list[Any]]] = []
        if sort.field == "title":
            rank = view.title_rank()
            levels.append(lambda docs: list(map(rank.__getitem__, docs)))
        elif sort.field is not None:
            column = view.column(sort.field)
            if sort.descending:
                levels.append(lambda docs: list(map(neg, map(column.__getitem__, docs))))
            else:
                levels.append(lambda docs: list(map(column.__getitem__, docs)))
        if scored:
            levels.append(relevance)
        levels.append(ties)
        ordered = _smallest(docnums_of(result), levels, end)[start:]

        scores = self._scores(view, clauses, sorted(ordered), prefer) if scored else []
        score_of = dict(zip(sorted(ordered), scores, strict=False))
        terms = parsed.highlight_terms()
        hits = []
        for d in ordered:
            stored = view.searcher.stored_fields(d)
            title = stored.get("title", "")
            body = " ".join(
                x for x in (stored.get("summary", ""), stored.get("description", "")) if x
            )
            hits.append(
                Hit(
                    id=view.ids[d],
                    score=round(score_of.get(d, 0.0), 6),
                    title=title,
                    snippet=analysis.highlight(body, terms),
                    matched_terms=self._matched_terms(view, d, terms) if terms else (),
                )
            )
        return tuple(hits)

    def _matched_terms(self, view: _View, d: int, terms: tuple[str, ...]) -> tuple[str, ...]:
        """Return the `terms` document `d` holds in any public text field (from the postings)."""
        sub, offset, seg = next(
            leaf for leaf in view.leaves if leaf[1] <= d < leaf[1] + leaf[2].size
        )
        local = d - offset
        out = []
        for term in terms:
            for fieldname in MATCH_FIELDS:
                ids = self._postings(seg, sub, fieldname, term).ids
                i = bisect_left(ids, local)
                if i < len(ids) and ids[i] == local:
                    out.append(term)
                    break
        self._evict(view)
        return tuple(out)

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
