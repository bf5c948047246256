"""The Whoosh backend's fast paths give what Whoosh itself gives: matches, BM25F scores, phrases, order."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from index import querying
from index.backends import create
from index.backends import whoosh as whoosh_backend
from index.backends.whoosh import (
    CATCH_ALL,
    RANKING_FIELDS,
    WhooshBackend,
    _smallest,
    bits_of,
    docnums_of,
)
from index.documents import Document, Query

WORDS = [
    "phonics",
    "reading",
    "writing",
    "whole",
    "school",
    "coaching",
    "maths",
    "numeracy",
    "governance",
    "review",
    "support",
    "special",
    "educational",
    "needs",
    "leaders",
    "pupils",
    "early",
    "years",
    "behaviour",
]
TEXTS = [
    "phonics",
    "reading writing",
    "SEN",
    '"whole school"',
    '"school whole"',
    "coach*",
    "maths -reading",
    "whole school support",
    "early years OR governance",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def listings(seed: int, count: int) -> list[Document]:
    rng = random.Random(seed)
    return [
        Document(
            id=i,
            title=sentence(rng, rng.randint(1, 4)).capitalize(),
            summary=sentence(rng, rng.randint(0, 12)),
            description=sentence(rng, rng.randint(0, 40)),
            provider_id=i % 7,
            provider_name=f"{rng.choice(WORDS).capitalize()} Trust",
            recommendations=rng.randint(0, 3),
        )
        for i in range(1, count + 1)
    ]


def build(tmp_path, seed: int) -> WhooshBackend:  # type: ignore[no-untyped-def]
    """Return an index of several segments, with replaced and deleted documents."""
    backend = create("whoosh", path=tmp_path / "index")
    assert isinstance(backend, WhooshBackend)
    docs = listings(seed, 420)
    backend.rebuild(docs[:300], 1)
    backend.apply(docs[300:360], [], 2)
    backend.apply(docs[360:], [5, 17, 301], 3)
    backend.apply(listings(seed + 1, 40)[20:40], [], 4)  # new versions of 21..40
    return backend


def reference(backend: WhooshBackend, text: str) -> dict[int, float]:
    """Return {id: score} from Whoosh's own matchers for the query the backend builds."""
    parsed = querying.parse_text(text)
    view = backend._current_view()
    searcher = view.searcher

    def clause_query(clause: querying.Clause) -> wq.Query:
        alternatives = []
        for alt in clause.alternatives:
            forms = [alt.terms]
            if alt.prefix:
                forms = [
                    (t.decode() if isinstance(t, bytes) else t,)
                    for t in searcher.reader().expand_prefix(CATCH_ALL, alt.terms[0])
                ]
            for terms in forms:
                fields = [(CATCH_ALL, 1.0), *RANKING_FIELDS.items()]
                if len(terms) == 1:
                    parts = [wq.Term(name, terms[0], boost=boost) for name, boost in fields]
                else:
                    parts = [wq.Phrase(name, list(terms), boost=boost) for name, boost in fields]
                alternatives.append(wq.Or(parts))
        return wq.Or(alternatives)

    def run(q: wq.Query) -> dict[int, float]:
        found = searcher.search(q.normalize(), limit=None)
        return {int(hit["id"]): hit.score for hit in found if hit["id"] != "__meta__"}

    out = run(wq.And([clause_query(c) for c in parsed.positive]))
    # Excluded separately: Whoosh's AndNot matcher itself misses exclusions in later segments.
    for clause in parsed.negative:
        for i in run(clause_query(clause)):
            out.pop(i, None)
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_matches_and_scores_equal_whooshs_own_bm25f(tmp_path, seed):
    backend = build(tmp_path, seed)
    assert len(backend._current_view().leaves) >= 2  # the offsets between segments are exercised
    for text in TEXTS:
        expected = reference(backend, text)
        results = backend.search(Query(text=text, per_page=100))
        assert results.total == len(expected), text
        got = {h.id: h.score for h in results.hits}
        best = sorted(expected.items(), key=lambda kv: -kv[1])[:100]
        assert set(got) >= {i for i, s in best if s > best[-1][1] + 1e-6}, text
        for i, score in got.items():
            assert score == pytest.approx(expected[i], rel=1e-6, abs=1e-6), (text, i)
        if expected:
            assert results.hits[0].score == pytest.approx(max(expected.values()), rel=1e-6)
    backend.close()


def test_scores_of_a_few_documents_equal_scores_of_all(tmp_path):
    """Other sorts score only the page (and its ties): the same scores as ranking all matches."""
    backend = build(tmp_path, 3)
    for text in ("reading writing", '"whole school"', "coach*", "SEN"):
        expected = reference(backend, text)
        for sort in ("title", "recommended", "recent"):
            fresh = create("whoosh", path=tmp_path / "index")  # nothing scored yet
            hits = fresh.search(Query(text=text, sort=sort, per_page=5)).hits
            assert hits, (text, sort)
            for hit in hits:
                assert hit.score == pytest.approx(expected[hit.id], rel=1e-6, abs=1e-6)
            fresh.close()
    backend.close()


def test_recommended_sort_breaks_equal_counts_by_relevance_then_the_seeded_order(tmp_path):
    backend = build(tmp_path, 4)
    expected = reference(backend, "reading")
    recs = {d.id: d.recommendations for d in listings(4, 420)}
    recs.update({d.id: d.recommendations for d in listings(5, 40)[20:40]})
    hits = backend.search(Query(text="reading", sort="recommended", per_page=100)).hits
    keys = [(-recs[h.id], -round(expected[h.id], 6)) for h in hits]
    assert keys == sorted(keys)
    backend.close()


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=5000)), st.integers(min_value=0, max_value=64))
def test_bitmaps_round_trip(docnums, extra):
    size = max(docnums, default=-1) + 1 + extra
    bits = bits_of(docnums, size)
    assert bits == sum(1 << d for d in docnums)
    assert docnums_of(bits) == sorted(docnums)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.floats(-2, 2, allow_nan=False)), max_size=80),
    st.integers(min_value=0, max_value=90),
)
def test_smallest_is_the_head_of_a_full_lexicographic_sort(keys, k):
    docs = list(range(len(keys)))
    levels = [
        lambda ds: [keys[d][0] for d in ds],
        lambda ds: [keys[d][1] for d in ds],
        lambda ds: [(d * 7919) % 101 for d in ds],  # unique, like the seeded tie order
    ]
    expected = sorted(docs, key=lambda d: (keys[d][0], keys[d][1], (d * 7919) % 101))[:k]
    assert _smallest(docs, levels, k) == expected


def test_the_postings_cache_stays_bounded_and_results_stay_right(tmp_path, monkeypatch):
    backend = build(tmp_path, 6)
    expected = {text: reference(backend, text) for text in TEXTS}
    monkeypatch.setattr(whoosh_backend, "POSTING_CACHE", 300)
    monkeypatch.setattr(whoosh_backend, "SCORE_CACHE", 200)
    for _ in range(2):
        for text in TEXTS:
            results = backend.search(Query(text=text, per_page=100))
            assert results.total == len(expected[text])
            for hit in results.hits:
                assert hit.score == pytest.approx(expected[text][hit.id], rel=1e-6, abs=1e-6)
            assert backend._posting_count <= 300 + max(
                p.weight for p in backend._posting_cache.values()
            )
            assert backend._posting_count == sum(p.weight for p in backend._posting_cache.values())
    backend.close()
