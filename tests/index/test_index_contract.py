"""The contract every search backend must pass (run against each backend in conftest.BACKENDS)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import ordering, querying, schema, semantic, service, understanding
from index.backends.base import SearchBackend
from index.documents import Document

FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def ids(results) -> list[int]:  # type: ignore[no-untyped-def]
    return [h.id for h in results.hits]


def search(backend: SearchBackend, text: str = "", **kw) -> object:  # type: ignore[no-untyped-def]
    """Search as the application does: users' words analysed once by index.service."""
    return service.search(backend, service.Request(text=text, **kw))


# --- Writes -----------------------------------------------------------------------------------


def test_applied_document_is_found_and_deleted_one_is_not(backend, doc):
    backend.apply([doc(1, "Phonics for infants"), doc(2, "Governor training")], [], 1)
    assert ids(search(backend, "phonics")) == [1]
    backend.apply([], [1], 2)
    assert search(backend, "phonics").total == 0
    assert search(backend).total == 1


def test_replacing_a_document_does_not_duplicate_it_for_an_open_searcher(backend, doc):
    backend.apply([doc(1, "Phonics for infants")], [], 1)
    assert search(backend, "phonics").total == 1  # a searcher is now open
    backend.apply([doc(1, "Phonics for infants, revised")], [], 2)
    results = search(backend, "phonics")
    assert ids(results) == [1]
    assert results.hits[0].title == "Phonics for infants, revised"
    assert search(backend).total == 1


def test_a_deletion_in_the_same_batch_wins_over_an_upsert(backend, doc):
    backend.apply([doc(1, "Phonics"), doc(2, "Phonics too")], [2], 1)
    assert ids(search(backend, "phonics")) == [1]


def test_reapplying_the_same_change_is_harmless(backend, doc):
    batch = [doc(1, "Phonics"), doc(2, "Governance")]
    backend.apply(batch, [3], 5)
    before = backend.fingerprints()
    backend.apply(batch, [3], 5)
    backend.apply(batch, [3], 4)  # an older replay never moves the sequence back
    assert backend.fingerprints() == before
    assert search(backend).total == 2
    assert backend.last_seq() == 5


def test_last_seq_starts_at_zero_and_follows_applies(backend, doc):
    assert backend.last_seq() == 0
    backend.apply([doc(1)], [], 7)
    assert backend.last_seq() == 7
    backend.apply([], [], 9)
    assert backend.last_seq() == 9


def test_fingerprints_match_the_documents(backend, doc):
    docs = [doc(1, "A"), doc(2, "B", categories=["governance"])]
    backend.apply(docs, [], 1)
    assert backend.fingerprints() == {d.id: d.fingerprint() for d in docs}


def test_seq_and_documents_survive_reopening(make_persistent_backend, doc):
    make_backend = make_persistent_backend
    first = make_backend()
    first.apply([doc(1, "Phonics")], [], 11)
    first.close()
    again = make_backend()
    assert again.last_seq() == 11
    assert ids(search(again, "phonics")) == [1]


def test_a_second_backend_object_sees_a_commit_at_once(make_persistent_backend, doc):
    make_backend = make_persistent_backend
    writer, reader = make_backend(), make_backend()
    assert search(reader, "phonics").total == 0
    writer.apply([doc(1, "Phonics")], [], 1)
    assert ids(search(reader, "phonics")) == [1]
    assert reader.last_seq() == 1


def test_rebuild_swaps_in_new_documents_and_reports_progress(backend, doc):
    backend.apply([doc(1, "Old listing")], [], 3)
    seen: list[tuple[int, int | None]] = []
    count = backend.rebuild(
        [doc(i, f"Fresh listing {i}") for i in range(2, 1203)],
        40,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert count == 1201
    assert backend.last_seq() == 40
    assert search(backend, "old").total == 0
    assert search(backend, "fresh").total == 1201
    assert seen[-1] == (1201, 1201)
    assert len(seen) >= 3


def test_searches_keep_working_while_another_object_rebuilds(make_persistent_backend, doc):
    make_backend = make_persistent_backend
    builder, searcher = make_backend(), make_backend()
    builder.apply([doc(i, "Old listing") for i in range(1, 51)], [], 1)
    assert search(searcher, "old").total == 50
    started = threading.Event()

    def slow_documents():  # type: ignore[no-untyped-def]
        started.set()
        for i in range(100, 160):
            time.sleep(0.005)
            yield doc(i, "New listing")

    thread = threading.Thread(target=builder.rebuild, args=(slow_documents(), 2))
    thread.start()
    started.wait()
    during = [search(searcher, "old").total for _ in range(5)]
    thread.join()
    assert during == [50] * 5
    assert search(searcher, "new").total == 60
    assert search(searcher, "old").total == 0
    assert searcher.last_seq() == 2
    # Applies after the swap land in the new index.
    searcher.apply([doc(1, "Old listing back")], [], 3)
    assert search(builder, "old").total == 1


# --- Facets -----------------------------------------------------------------------------------

FACET_VALUES = {name: ("a", "b", "c") for name in schema.FACETS}
ATTR = {f.name: f.attr for f in schema.FIELDS if f.kind == "facet"}


@st.composite
def documents(draw):  # type: ignore[no-untyped-def]
    count = draw(st.integers(min_value=0, max_value=25))
    out = []
    for i in range(1, count + 1):
        fields = {
            ATTR[name]: tuple(
                sorted(draw(st.sets(st.sampled_from(FACET_VALUES[name]), max_size=3)))
            )
            for name in ("category", "phase", "region", "cost")
        }
        word = draw(st.sampled_from(["phonics", "governance", "numeracy"]))
        out.append(Document(i, f"Listing {i} {word}", "", "", i, "P", **fields))
    return out


@st.composite
def selections(draw):  # type: ignore[no-untyped-def]
    names = draw(st.sets(st.sampled_from(["category", "phase", "region", "cost"]), max_size=3))
    return {
        n: frozenset(draw(st.sets(st.sampled_from(FACET_VALUES[n] + ("zz",)), min_size=1)))
        for n in names
    }


def brute_force(docs: list[Document], text: str, filters: dict[str, frozenset[str]], facets):  # type: ignore[no-untyped-def]
    def keeps(d: Document, skip: str | None = None) -> bool:
        if text and text not in d.title:
            return False
        return all(set(getattr(d, ATTR[n])) & vals for n, vals in filters.items() if n != skip)

    total = sum(1 for d in docs if keeps(d))
    counts = {}
    for name in facets:
        tally: dict[str, int] = {}
        for d in docs:
            if keeps(d, skip=name):
                for v in getattr(d, ATTR[name]):
                    tally[v] = tally.get(v, 0) + 1
        for v in filters.get(name, ()):
            tally.setdefault(v, 0)
        counts[name] = tally
    return total, counts


@FAST
@given(docs=documents(), filters=selections(), text=st.sampled_from(["", "phonics", "numeracy"]))
def test_totals_and_facet_counts_equal_a_brute_force_count(backend, docs, filters, text):
    backend.rebuild(docs, 1)
    facets = ("category", "phase", "region", "cost")
    results = search(backend, text, filters=filters, facets=facets, per_page=100)
    total, counts = brute_force(docs, text, filters, facets)
    assert results.total == total
    assert len(results.hits) == total
    for name in facets:
        assert {fc.value: fc.count for fc in results.facets[name]} == counts[name]


@FAST
@given(docs=documents(), filters=selections(), text=st.sampled_from(["", "phonics", "numeracy"]))
def test_tantivys_two_ways_of_counting_facets_agree(docs, filters, text):
    # tantivy counts few matches' facets by aggregating their values and many by reading each
    # facet term's postings (index.backends.tantivy._facet_terms): each way, every time.
    from index.backends import tantivy as engine

    facets = ("category", "phase", "region", "cost")
    answers = []
    for share in (0.0, 2.0):  # never aggregate; always aggregate
        backend = engine.create(None)
        original = engine.AGGREGATE_SHARE, engine.AGGREGATE_FROM
        engine.AGGREGATE_SHARE, engine.AGGREGATE_FROM = share, 0
        try:
            backend.rebuild(docs, 1)
            results = search(backend, text, filters=filters, facets=facets)
        finally:
            engine.AGGREGATE_SHARE, engine.AGGREGATE_FROM = original
            backend.close()
        answers.append((results.total, results.facets))
    total, counts = brute_force(docs, text, filters, facets)
    for found_total, found in answers:
        assert found_total == total
        assert {n: {fc.value: fc.count for fc in found[n]} for n in facets} == counts


def test_values_within_a_facet_or_and_facets_and(backend, doc):
    backend.apply(
        [
            doc(1, phase=["primary"], cost=["free"]),
            doc(2, phase=["secondary"], cost=["free"]),
            doc(3, phase=["special"], cost=["free"]),
            doc(4, phase=["primary"], cost=["paid"]),
        ],
        [],
        1,
    )
    both = search(backend, filters={"phase": {"primary", "secondary"}}, facets=("phase", "cost"))
    assert sorted(ids(both)) == [1, 2, 4]
    narrowed = search(
        backend,
        filters={"phase": {"primary", "secondary"}, "cost": {"free"}},
        facets=("phase", "cost"),
    )
    assert sorted(ids(narrowed)) == [1, 2]
    # Phase counts ignore the phase selection but respect the cost one; and vice versa.
    phase_counts = {f.value: f.count for f in narrowed.facets["phase"]}
    assert phase_counts == {"primary": 1, "secondary": 1, "special": 1}
    cost_counts = {f.value: f.count for f in narrowed.facets["cost"]}
    assert cost_counts == {"free": 2, "paid": 1}


def test_region_and_la_facets_read_the_serves_relation(backend, doc):
    backend.apply(
        [
            doc(1, regions=["london"], local_authorities=["E09000001"]),
            doc(2, regions=["london", "north-west"], local_authorities=["E09000001", "E08000003"]),
        ],
        [],
        1,
    )
    results = search(backend, filters={"la": {"E08000003"}}, facets=("region", "la"))
    assert ids(results) == [2]
    assert {f.value: f.count for f in results.facets["region"]} == {"london": 1, "north-west": 1}
    assert {f.value: f.count for f in results.facets["la"]} == {"E09000001": 2, "E08000003": 1}


# --- Sorting and pagination -------------------------------------------------------------------


def test_sorts_by_title_recommendations_and_recency(backend, doc):
    base = datetime(2009, 6, 1)
    backend.apply(
        [
            doc(1, "Charlie", recommendations=2, assured_at=base),
            doc(2, "alpha", recommendations=9, assured_at=base - timedelta(days=30)),
            doc(3, "Bravo", recommendations=5, assured_at=None),
            doc(4, "Delta", recommendations=0, assured_at=base + timedelta(days=3)),
        ],
        [],
        1,
    )
    assert ids(search(backend, sort="title")) == [2, 3, 1, 4]
    assert ids(search(backend, sort="recommended")) == [2, 3, 1, 4]
    assert ids(search(backend, sort="recent")) == [4, 1, 2, 3]


def test_ties_are_broken_by_a_stable_seeded_shuffle_not_alphabetically(backend, doc):
    backend.apply([doc(i, f"Listing {chr(64 + i)} coaching") for i in range(1, 21)], [], 1)
    orders = {
        seed: ids(search(backend, "coaching", tie_seed=seed, per_page=20)) for seed in range(6)
    }
    assert orders[3] == ids(search(backend, "coaching", tie_seed=3, per_page=20))
    assert len({tuple(o) for o in orders.values()}) > 1
    assert all(sorted(o) == list(range(1, 21)) for o in orders.values())
    assert list(range(1, 21)) not in orders.values()
    # The same fairness for equal titles, equal recommendation counts and browsing.
    by_recs = {seed: ids(search(backend, sort="recommended", tie_seed=seed)) for seed in range(4)}
    assert len({tuple(o) for o in by_recs.values()}) > 1


def test_pages_partition_the_results_and_a_page_past_the_end_is_empty(backend, doc):
    backend.apply(
        [doc(i, f"Listing {i} coaching", recommendations=i % 4) for i in range(1, 24)], [], 1
    )
    pages = [
        search(backend, "coaching", sort="recommended", page=p, per_page=5) for p in range(1, 6)
    ]
    seen = [i for page in pages for i in ids(page)]
    assert seen == ids(search(backend, "coaching", sort="recommended", per_page=100))
    assert len(set(seen)) == 23
    assert [len(p.hits) for p in pages] == [5, 5, 5, 5, 3]
    beyond = search(backend, "coaching", page=9, per_page=5)
    assert beyond.hits == () and beyond.total == 23 and beyond.page == 9


# --- Words: analysis, ranking, snippets, spelling ---------------------------------------------


@pytest.mark.parametrize(
    ("indexed", "searched"),
    [
        ("Support for pupils with SEN", "special educational needs"),
        ("Special educational needs consultancy", "SEN"),
        ("Special educational needs consultancy", "SEND"),
        ("Numeracy catch-up", "maths"),
        ("Maths mastery", "numeracy"),
        ("Mathematics leadership", "maths"),
        ("KS2 writing moderation", "key stage 2"),
        ("Key stage 2 writing moderation", "KS2"),
        ("EYFS profile moderation", "early years foundation stage"),
        ("Every Child a Reader training", "ECaR"),
        ("Provision for CiC", "children in care"),
        ("Autism outreach", "ASD"),
        ("Support for G&T pupils", "gifted and talented"),
        ("Gifted and talented network", "G&T"),
        ("Assessing Pupils' Progress in writing", "APP"),
        ("Mentoring for new heads", "mentor"),
        ("Mentor training", "mentoring"),
    ],
)
def test_synonyms_and_stems_find_each_other(backend, doc, indexed, searched):
    backend.apply([doc(1, indexed), doc(2, "Governor clerking")], [], 1)
    assert ids(search(backend, searched)) == [1]


def test_title_beats_summary_beats_description_beats_provider_with_a_limit(backend, doc):
    filler = "support for schools across the authority " * 3
    docs = [
        doc(i, f"Listing {i} general", summary=filler, description=filler * 2)
        for i in range(10, 400)
    ]
    docs += [
        doc(
            1,
            "Governor clerking",
            summary=filler,
            description=filler * 2,
            provider_name="Phonics Trust",
        ),
        doc(2, "Governor clerking", summary=filler, description=filler + " phonics " + filler),
        doc(3, "Governor clerking", summary="Phonics " + filler, description=filler * 2),
        doc(4, "Phonics for infants", summary=filler, description=filler * 2),
    ]
    backend.apply(docs, [], 1)
    for place, expected in enumerate([4, 3, 2, 1], start=1):
        page = search(backend, "phonics", page=place, per_page=1)
        assert ids(page) == [expected], f"place {place}"


def test_snippets_escape_document_text_and_mark_matches(backend, doc):
    backend.apply(
        [doc(1, "Phonics", summary='<script>alert("x")</script> Phonics & reading for <b>all</b>')],
        [],
        1,
    )
    hit = search(backend, "phonics").hits[0]
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>Phonics</mark>" in hit.snippet
    assert "phonic" in hit.matched_terms


def test_words_matched_are_the_same_from_stored_terms_and_from_the_fields(backend, doc):
    # Each hit carries its analysed terms as indexed; an index written before they were stored
    # (terms None) reads them from the fields instead: both say the same, snippets or not.
    backend.apply(
        [
            doc(1, "Phonics for reception", summary="Reading with early readers"),
            doc(2, "Mathematics mastery", description="Phonics appears deep in the text " * 3),
            *(doc(n, f"Governance {n}", summary="Training for governors") for n in range(3, 9)),
        ],
        [],
        1,
    )
    found = search(backend, "phonics reading")
    assert all(h.terms is not None for h in found.hits)
    clauses = service.plan(querying.parse_text("phonics reading"), service.Request(), None)[0]
    for snippets in (True, False):
        stored = service.explain(found.hits, clauses.positive, snippets)
        legacy = service.explain(
            [replace(h, terms=None, snippet="") for h in found.hits], clauses.positive, snippets
        )
        assert [(h.matched_terms, h.missing) for h in stored] == [
            (h.matched_terms, h.missing) for h in legacy
        ]
        assert all(bool(h.snippet) == snippets for h in legacy)
    by_id = {h.id: h for h in found.hits}
    assert by_id[1].missing == () and by_id[2].missing == ("reading",)
    without = search(backend, "phonics reading", snippets=False)
    assert [h.missing for h in without.hits] == [h.missing for h in found.hits]
    assert all(h.snippet == "" for h in without.hits)


def test_a_misspelling_gets_a_suggestion_and_the_corrected_results(backend, doc):
    backend.apply([doc(1, "Governance review"), doc(2, "Phonics training")], [], 1)
    results = search(backend, "phonicks")
    assert results.suggestion == "phonics"
    assert results.corrected is True
    assert ids(results) == [2]
    plain = search(backend, "phonicks", autocorrect=False)
    assert plain.total == 0 and plain.suggestion == "phonics" and plain.corrected is False


def test_a_quoted_misspelling_is_searched_for_as_written_with_a_suggestion(backend, doc):
    backend.apply([doc(1, "Governance review"), doc(2, "Phonics training")], [], 1)
    results = search(backend, '"phonicks"')
    assert results.total == 0 and results.corrected is False
    assert results.suggestion == '"phonics"'  # the way to the corrected search keeps the quotes


def test_a_quoted_word_in_much_of_the_directory_is_still_required(backend, doc):
    backend.apply(
        [
            *(doc(i, f"School governance {i}") for i in range(1, 6)),
            doc(6, "Phonics training"),
            doc(7, "Phonics for the school"),
        ],
        [],
        1,
    )
    # Unquoted, "school" is in most listings: it only scores, and phonics alone finds.
    assert set(ids(search(backend, "school phonics", widen=False))) == {6, 7}
    assert ids(search(backend, '"school" phonics', widen=False)) == [7]


def test_correct_words_get_no_suggestion(backend, doc):
    backend.apply([doc(1, "Governance review")], [], 1)
    results = search(backend, "governance")
    assert results.suggestion is None and results.corrected is False


def test_prefer_raises_without_filtering_and_excluded_ids_are_left_out(backend, doc):
    backend.apply(
        [doc(i, "Coaching", phase=["primary" if i == 7 else "secondary"]) for i in range(1, 11)],
        [],
        1,
    )
    preferred = search(backend, "coaching", prefer={"phase": {"primary"}})
    assert preferred.total == 10
    assert ids(preferred)[0] == 7
    browsing = search(backend, prefer={"phase": {"primary"}})
    assert ids(browsing)[0] == 7
    excluded = search(backend, "coaching", exclude_ids=frozenset({7, 8}))
    assert excluded.total == 8 and not {7, 8} & set(ids(excluded))


def test_taking_new_work_compares_each_providers_date_with_the_moment_of_the_search(backend, doc):
    now = datetime(2027, 3, 3, 9, 0)
    backend.apply(
        [
            doc(1, "Coaching", phase=["primary"]),  # no date: taking new work now
            doc(2, "Coaching", phase=["primary"], not_taking_until=now + timedelta(days=1)),
            doc(3, "Coaching", phase=["secondary"], not_taking_until=now - timedelta(days=1)),
            doc(4, "Coaching", phase=["primary"], not_taking_until=now, capacity_days=0),
            doc(5, "Coaching", phase=["secondary"], public_until=now - timedelta(days=1)),
        ],
        [],
        1,
    )
    everyone = search(backend, "coaching", now=now, facets=("phase",))
    assert sorted(ids(everyone)) == [1, 2, 3, 4]
    taking = search(backend, "coaching", now=now, passed=("not_taking_until",), facets=("phase",))
    assert sorted(ids(taking)) == [1, 3, 4]
    assert {f.value: f.count for f in taking.facets["phase"]} == {"primary": 2, "secondary": 1}
    browsing = search(backend, now=now, passed=("not_taking_until",), sort="title")
    assert sorted(ids(browsing)) == [1, 3, 4]
    # The same index a day later: provider 2 takes new work again, with nothing re-indexed.
    later = search(backend, now=now + timedelta(days=2), passed=("not_taking_until",))
    assert sorted(ids(later)) == [1, 2, 3, 4]
    # What the results show of it is stored with each hit.
    shown = {h.id: h.fields for h in everyone.hits}
    assert shown[2]["not_taking_until"] == "2027-03-04T09:00:00+00:00"
    assert shown[1]["not_taking_until"] is None and shown[4]["capacity_days"] == 0


def test_excluded_words_and_phrases(backend, doc):
    backend.apply(
        [
            doc(1, "Phonics for reading"),
            doc(2, "Phonics and reading recovery"),
            doc(3, "Reading for pleasure"),
        ],
        [],
        1,
    )
    assert sorted(ids(search(backend, "reading -phonics"))) == [3]
    assert sorted(ids(search(backend, '"reading recovery"'))) == [2]
    assert sorted(ids(search(backend, "pleasure OR recovery"))) == [2, 3]


NASTY = [
    '"unclosed',
    "title:phonics",
    "(((",
    "a AND OR NOT",
    "*",
    "*phon",
    "ph*",
    "phon*",
    "\x00\x1b[31m",
    "😀🎉",
    "ü" * 2000,
    "phonics " * 300,
    "-",
    "NOT phonics",
    "'; DROP TABLE listings; --",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", NASTY)
def test_users_text_never_raises_and_stays_fast(backend, doc, text):
    backend.apply(
        [doc(i, f"Phonics listing {i}", summary="phonetics phone phonology") for i in range(1, 30)],
        [],
        1,
    )
    started = time.perf_counter()
    results = search(backend, text, facets=schema.FACETS)
    assert time.perf_counter() - started < 1.0
    assert results.total >= 0


@FAST
@given(text=st.text(max_size=300))
def test_fuzzed_text_never_raises(backend, text):
    if backend.last_seq() == 0:
        backend.apply([Document(1, "Phonics", "Reading", "Writing", 1, "P")], [], 1)
    results = search(backend, text, facets=("phase",))
    assert results.total in (0, 1)


def test_feedback_reorders_the_same_matches_and_its_pages_agree(backend, doc):
    # Pseudo-relevance feedback (the matcher's): the words the best hits share raise the hits
    # that have them too; the matches, the total and the facet counts stay the search's own.
    docs = [
        doc(1, "Reading", summary="Guided reading, fluency and phonics"),
        doc(2, "Reading", summary="Reading: phonics, fluency, guided groups"),
        doc(3, "Guided fluency and phonics", description="Comprehension and reading"),
        *(doc(n, f"Governance {n}", summary="Training for governors") for n in range(4, 12)),
        *(
            doc(n, f"Support {n}", summary=f"Reading and {topic}")
            for n, topic in zip(
                range(12, 16), ("writing", "spelling", "drama", "music"), strict=True
            )
        ),
    ]
    backend.apply(docs, [], 1)
    plain = search(backend, "reading", per_page=20, facets=("phase",))
    fed = search(backend, "reading", per_page=20, facets=("phase",), feedback=4)
    assert fed.total == plain.total and sorted(ids(fed)) == sorted(ids(plain))
    assert fed.facets == plain.facets
    # The listing sharing the best hits' words (guided, fluency, phonics) comes up.
    assert ids(plain).index(3) > 2 and ids(fed).index(3) == 2
    pages = [search(backend, "reading", per_page=3, page=n, feedback=4) for n in (1, 2, 3)]
    assert [i for p in pages for i in ids(p)] == ids(fed)[:9]
    assert all(p.total == fed.total and p.per_page == 3 for p in pages)


def test_expanded_feedback_finds_related_listings_and_counts_them_all(backend, doc):
    # The words the best hits share find listings that share none of the searched words
    # (as RM3 expands a query): each says it is related, and what it misses; the total and
    # the facet counts are of every listing found, whatever the sort; `worded` counts those
    # with the words.
    docs = [
        doc(
            1,
            "Anxious pupils",
            summary="Refusal, emotionally based avoidance, return plans",
            phase=("primary",),
        ),
        doc(
            2,
            "Anxious pupils at home",
            summary="Emotionally based avoidance and return plans",
            phase=("primary",),
        ),
        doc(
            3,
            "Avoidance",
            summary="Emotionally based school avoidance: return plans",
            phase=("primary",),
        ),
        *(doc(n, f"Governance {n}", summary="Training for governors") for n in range(4, 12)),
    ]
    backend.apply(docs, [], 1)
    plain = search(backend, "anxious", per_page=20, facets=("phase",), feedback=4)
    found = search(backend, "anxious", per_page=20, facets=("phase",), feedback=4, expand=True)
    assert sorted(ids(plain)) == [1, 2] and plain.worded is None
    assert ids(found)[:2] == ids(plain)[:2] and ids(found)[2:] == [3]
    assert found.total == 3 and found.worded == 2
    assert [(c.value, c.count) for c in plain.facets["phase"]] == [("primary", 2)]
    assert [(c.value, c.count) for c in found.facets["phase"]] == [("primary", 3)]
    hits = {h.id: h for h in found.hits}
    assert hits[3].related and hits[3].missing == ("anxious",)
    assert not hits[1].related and not hits[1].missing
    assert found.words == plain.words == ("anxious",)
    by_title = search(backend, "anxious", per_page=20, feedback=4, expand=True, sort="title")
    assert by_title.total == 3 and sorted(ids(by_title)) == [1, 2, 3]
    pages = [
        search(backend, "anxious", per_page=1, page=n, feedback=4, expand=True) for n in (1, 2, 3)
    ]
    assert [i for p in pages for i in ids(p)] == ids(found)


def test_prose_context_stretches_find_listings_as_light_phrases(backend, doc):
    # "Year 6" in a search implies a phase only; in a need's prose it may also find the
    # listing that names it, weighing less than the need's topic words.
    backend.apply(
        [
            doc(1, "Moving up: Year 6 into Year 7 projects"),
            doc(2, "Anxious pupils"),
            doc(3, "Year 5 and 6 booster"),  # "Year 6" is not a phrase here
        ],
        [],
        1,
    )
    text = "Year 6 pupils anxious"
    assert ids(search(backend, text, must_match=1)) == [2]
    assert ids(search(backend, text, must_match=1, prose=True)) == [2, 1]
    clauses = service.prose_clauses([("year", "6"), ("ks2",), ("year", "6"), ("the",)])
    assert [c.alternatives[0].terms for c in clauses] == [("year", "6"), ("ks2",)]
    assert all(c.weight == service.PROSE_CONTEXT_WEIGHT < 1 for c in clauses)


def test_feedback_takes_shared_telling_words_the_search_did_not_say() -> None:
    from index.documents import Hit

    facts = service._DirectoryFacts(
        {"guided": 3, "fluency": 3, "phonics": 4, "reading": 30, "the": 40, "lab": 1}, 40
    )

    def hit(n: int, score: float, *terms: str) -> Hit:
        return Hit(n, score, f"Listing {n}", terms=frozenset(terms))

    hits = [
        hit(1, 4.0, "read", "guid", "fluenci", "2024"),
        hit(2, 3.0, "read", "guid", "fluenci", "phonic"),
        hit(3, 2.0, "read", "lab", "phonic"),
    ]
    query = service.plan(querying.parse_text("reading"), service.Request(), None)[0]
    extra = service.feedback(hits, query, facts, 5)
    words = [c.words[0] for c in extra]
    # Shared by two or more of the best, not searched ("read"), not a number, not once only
    # ("lab"); the words of the better hits weigh more.
    assert words == ["guid", "fluenci", "phonic"]
    assert extra[0].weight == service.FEEDBACK_WEIGHT
    assert all(0 < c.weight <= service.FEEDBACK_WEIGHT for c in extra)
    assert service.feedback(hits[:1], query, facts, 5) == ()


def test_a_corrected_search_may_miss_a_word_as_any_search_may(backend, doc):
    # "dyslexsia" is corrected; "wombat" is English (never corrected) but in no listing: the
    # corrected search is widened like any other, and the listing says what it lacks.
    backend.apply([doc(1, "Dyslexia screening"), doc(2, "Governor training")], [], 1)
    found = search(backend, "dyslexsia wombat")
    assert found.corrected and found.suggestion == "dyslexia wombat"
    assert ids(found) == [1] and found.hits[0].missing == ("wombat",)


def test_a_word_added_since_the_vocabulary_was_counted_is_never_corrected(make_backend, doc):
    # Counting the vocabulary reads every word, so it is kept between commits for a while; the
    # words a search would correct are asked of the live index, which holds them at once.
    backend = make_backend(vocabulary_for=3600)
    backend.apply([doc(1, "Phonics training")], [], 1)
    assert search(backend, "phonicks").corrected is True  # the vocabulary is counted here
    kept = backend.vocabulary()
    backend.apply([doc(2, "Phonicks club for Year 1")], [], 2)  # a programme's own spelling
    assert backend.vocabulary() is kept and "phonicks" not in kept
    assert backend.holding(["phonicks", "phonics", "zebra"]) == {"phonicks", "phonics"}
    results = search(backend, "phonicks")
    assert results.corrected is False and ids(results)[0] == 2
    backend.apply([], [1], 3)
    assert backend.holding(["phonics", "phonicks"]) == {"phonicks"}  # deletions count at once


def test_the_vocabulary_is_counted_again_once_it_has_been_kept_long_enough(make_backend, doc):
    backend = make_backend(vocabulary_for=0)
    backend.apply([doc(1, "Phonics training")], [], 1)
    assert backend.vocabulary()["phonics"] == 1
    backend.apply([doc(2, "Phonics club"), doc(3, "Governance")], [], 2)
    backend.apply([], [1], 3)
    counted = backend.vocabulary()
    assert counted["phonics"] == 1 and counted["governance"] == 1 and "training" not in counted
    assert backend.vocabulary() is counted  # no commit since: the same counts


def test_words_that_only_score_find_when_the_telling_words_are_in_no_listing(backend, doc):
    # "number" is filler and "school" is in most listings: each only scores beside a telling
    # word. When that word is in no listing ("trios"), they find, rather than nothing.
    backend.apply(
        [
            doc(1, "Number sense in Reception"),
            doc(2, "Governor training for your school"),
            doc(3, "School council support"),
            doc(4, "Phonics for your school"),
        ],
        [],
        1,
    )
    found = search(backend, "number trios")
    assert ids(found) == [1] and found.hits[0].missing == ("trios",)
    found = search(backend, "school bonds")
    assert sorted(ids(found)) == [2, 3, 4] and found.partial
    assert search(backend, "wombats bonds").total == 0  # no word in any listing: nothing


def test_a_topic_word_in_no_listing_beside_a_common_word_shows_its_topic(backend, doc):
    # No listing says SEMH, and "support" alone tells nothing: the listings for its topic.
    backend.apply(
        [
            doc(
                1,
                "Nurture groups",
                summary="Support in small groups.",
                sen=["besd"],
                pupil_group=["sen-and-disabilities"],
            ),
            doc(2, "Governor support", summary="Support for boards."),
            doc(3, "Phonics support", summary="Support for reading."),
        ],
        [],
        1,
    )
    found = search(backend, "SEMH support")
    assert found.by_topic and ids(found) == [1]
    # No listing of the topic either: the common word finds after all.
    backend.apply([], [1], 2)
    found = search(backend, "SEMH support")
    assert not found.by_topic and sorted(ids(found)) == [2, 3]


def _closeness(cosines: dict[int, float]) -> semantic.Closeness:
    """A search whose meaning is as close to each listing as `cosines` says (a unit vector per
    listing, in a plane with the search's)."""
    neighbours = semantic.Neighbours()
    ids = sorted(cosines)
    vectors = np.zeros((len(ids), 384), dtype=np.float32)
    for row, i in enumerate(ids):
        vectors[row, 0] = cosines[i]
        vectors[row, 1] = math.sqrt(1 - cosines[i] ** 2)
    neighbours.update(ids, vectors)
    return semantic.Closeness(neighbours, np.eye(1, 384, dtype=np.float32)[0])


def test_listings_close_in_meaning_join_the_matches_pass_the_filters_and_are_marked(backend, doc):
    backend.apply(
        [
            doc(
                1, "Reading catch-up", summary="Phonics for the weakest readers", phase=["primary"]
            ),
            doc(2, "Pupils who fear coming to school", phase=["primary"]),
            doc(3, "Pupils who fear coming to school", phase=["secondary"]),
            doc(4, "Governor training", phase=["primary"]),
            doc(5, "Phonics for parents", phase=["primary"]),
        ],
        [],
        1,
    )
    meaning = _closeness({1: 0.2, 2: 0.8, 3: 0.8, 4: 0.1, 5: 0.25})
    found = search(
        backend, "phonics", filters={"phase": {"primary"}}, meaning=meaning, facets=("phase",)
    )
    # 2 has none of the words but is close in meaning; 3 is as close but of another phase; 4 and
    # 5 are not close enough to join (below NEAR_FLOOR), though 5 has the word.
    assert sorted(ids(found)) == [1, 2, 5]
    assert found.total == 3 and found.worded == 2
    assert {c.value: c.count for c in found.facets["phase"]}["primary"] == 3
    marked = {h.id: h.related for h in found.hits}
    assert marked == {1: False, 2: True, 5: False}
    # The order blends words (a share of the best) and meaning: the title with the word comes
    # first; the one found by meaning alone scores its cosine's share.
    assert ids(found)[0] == 5
    scores = {h.id: h.score for h in found.hits}
    assert scores[5] == pytest.approx(1 - service.MEANING_WEIGHT + service.MEANING_WEIGHT * 0.25)
    assert scores[2] == pytest.approx(service.MEANING_WEIGHT * 0.8)
    assert [h.score for h in found.hits] == sorted(scores.values(), reverse=True)
    assert ids(search(backend, "phonics", filters={"phase": {"primary"}})) in ([1, 5], [5, 1])


def test_by_meaning_words_count_as_much_as_the_search_words_a_hit_holds(backend, doc):
    # No listing says "trampolining", so "Reception" (context) finds; the Reception course holds
    # the lesser of the two words, and its words count for little: a course close in meaning,
    # with none of the words, comes before it.
    backend.apply(
        [
            doc(1, "Language groups in Reception", phase=["primary"]),
            doc(2, "Physical education: gymnastics and moving safely", phase=["primary"]),
        ],
        [],
        1,
    )
    meaning = _closeness({1: 0.4, 2: 0.7})
    found = search(backend, "trampolining in reception", meaning=meaning)
    assert ids(found) == [2, 1]
    scores = {h.id: h.score for h in found.hits}
    w = service.MEANING_WEIGHT
    assert scores[2] == pytest.approx(w * 0.7)
    # At most half the words' weight: at most a quarter of the words' share.
    assert 0 < scores[1] - w * 0.4 <= (1 - w) * 0.5**service.COVERAGE_POWER
    # Holding every word, the words' share is whole.
    assert search(backend, "reception", meaning=meaning).hits[0].score == pytest.approx(
        1 - w + w * 0.4
    )


def test_by_meaning_words_read_as_context_count_for_less_than_a_word(backend, doc):
    # "Reception" and "Year 1" say which pupils: in a hit's coverage each counts
    # CONTEXT_COVERAGE of a word. The course on play after Reception holds "play" and both,
    # as much of the search as the one holding "transition" and "play".
    # (Each for primary schools, where the words place the search: none counts PLACE_MISS.)
    primary = {"phase": ["primary"]}
    backend.apply(
        [
            doc(
                1, "Moving to secondary school: transition and play for autistic pupils", **primary
            ),
            doc(2, "Into Year 1: play after Reception", **primary),
            # (As many listings say "transition" as "play": the two words weigh the same.)
            doc(3, "Transition for new governors", **primary),
            *(doc(i, f"Governor training {i}", **primary) for i in range(4, 9)),
        ],
        [],
        1,
    )
    text = "Reception to Year 1 transition play"
    by_words = {h.id: h.score for h in search(backend, text).hits}
    assert set(by_words) == {1, 2, 3}  # widened: none but the first has both words
    meaning = _closeness({1: 0.3, 2: 0.3} | {i: 0.0 for i in range(3, 9)})
    scores = {h.id: h.score for h in search(backend, text, meaning=meaning).hits}
    w, best = service.MEANING_WEIGHT, max(by_words.values())
    context = 2 * service.CONTEXT_COVERAGE
    held = {1: 2 / (2 + context), 2: (1 + context) / (2 + context)}
    held[3] = 1 / (2 + context)
    for i in (1, 2, 3):
        # (Whoosh scores the words a little differently beside the listings found by meaning.)
        share = (scores[i] - w * 0.3) / (1 - w) if i < 3 else scores[i] / (1 - w)
        expected = by_words[i] / best * held[i] ** service.COVERAGE_POWER
        assert share == pytest.approx(expected, rel=0.05), i
    # Without context counting, the first would hold all, the second half of the words.
    assert held[1] ** 2 < 0.5 and held[2] ** 2 > 0.4


def test_by_meaning_a_hit_of_none_of_the_phases_the_words_imply_counts_less(
    backend, doc, monkeypatch
):
    # "Y4" places the search in primary school. The course for secondary teachers has the
    # same words and is closer in meaning: without PLACE_MISS it would come first; a listing
    # naming no phase is of none either.
    backend.apply(
        [
            doc(1, "Arithmetic fluency for secondary teachers", phase=["secondary"]),
            doc(2, "Arithmetic fluency for junior classes", phase=["primary"]),
            doc(3, "Arithmetic fluency for adults"),
            *(doc(i, f"Governor training {i}", phase=["primary"]) for i in range(4, 9)),
        ],
        [],
        1,
    )
    meaning = _closeness({1: 0.6, 2: 0.4, 3: 0.6} | {i: 0.0 for i in range(4, 9)})
    placed = {h.id: h.score for h in search(backend, "Y4 arithmetic fluency", meaning=meaning).hits}
    assert max(placed, key=placed.__getitem__) == 2
    miss = service.PLACE_MISS
    monkeypatch.setattr(service, "PLACE_MISS", 1.0)
    unplaced = {
        h.id: h.score for h in search(backend, "Y4 arithmetic fluency", meaning=meaning).hits
    }
    assert unplaced[1] > unplaced[2] and unplaced[3] > unplaced[2]
    assert placed[2] == pytest.approx(unplaced[2])
    for i in (1, 3):
        assert placed[i] == pytest.approx(unplaced[i] * miss, rel=1e-4), i
    # "Reception" is in primary school and in the early years: a listing for either is of it.
    monkeypatch.setattr(service, "PLACE_MISS", miss)
    backend.apply([doc(9, "Arithmetic fluency for the early years", phase=["early-years"])], [], 2)
    meaning = _closeness({1: 0.6, 2: 0.4, 3: 0.6, 9: 0.4} | {i: 0.0 for i in range(4, 9)})
    found = ids(search(backend, "Reception arithmetic fluency", meaning=meaning))
    assert set(found[:2]) == {2, 9}


def test_phases_one_stretch_implies_raise_a_listing_once_and_two_stretches_each():
    # "Reception" is in primary school and the early years: one preference of either value.
    # "Y6 to Y7" is two year groups: a listing for both phases is nearer than one for either.
    def phases(text: str) -> list[frozenset[str]]:
        query = service.plan(querying.parse_text(text), service.Request(), None)[0]
        return [p.values for p in query.prefer if p.facet == "phase"]

    assert phases("phonics in reception") == [frozenset({"primary", "early-years"})]
    assert sorted(phases("Y6 to Y7 transition"), key=sorted) == [
        frozenset({"primary"}),
        frozenset({"secondary"}),
    ]


def test_a_specific_topic_the_words_imply_finds_listings_without_the_words(backend, doc):
    # "cerebral palsy" implies physical disability: listings for it join with those close in
    # meaning, and hold the words for the order; a broad implied group finds nothing more.
    sen = {"sen": ["pd"], "pupil_group": ["sen-and-disabilities"]}
    others = [
        doc(i, f"Governor training {i}", pupil_group=["sen-and-disabilities"])
        for i in range(10, 22)
    ]
    backend.apply(
        [
            doc(1, "Cerebral palsy awareness for midday staff"),
            doc(2, "Access, moving and handling for pupils with physical needs", **sen),
            doc(3, "Reception class routines", phase=["primary"]),
            *others,
        ],
        [],
        1,
    )
    meaning = _closeness({1: 0.2, 2: 0.2, 3: 0.2} | {d.id: 0.0 for d in others})
    found = search(backend, "cerebral palsy", meaning=meaning)
    assert ids(found)[:2] == [1, 2]
    assert {h.id: h.related for h in found.hits}[2] is True
    # Listed under the topic, it has TOPIC_SCORE of the best score by words.
    w = service.MEANING_WEIGHT
    assert found.hits[1].score == pytest.approx((1 - w) * service.TOPIC_SCORE + w * 0.2)
    assert not {d.id for d in others} & set(ids(found))
    # Without meaning the words alone find.
    assert ids(search(backend, "cerebral palsy")) == [1]


def test_a_listing_for_the_pupil_group_the_words_imply_holds_those_words(backend, doc):
    # "disadvantaged" implies pupils on free school meals: the listing for them holds the word
    # in the order, whether it says so or not ("pupil premium"), however many are listed so.
    backend.apply(
        [
            doc(1, "Tutoring for pupils", summary="Small-group tutoring"),
            doc(
                2, "Tutoring for pupils", summary="Pupil premium", pupil_group=["free-school-meals"]
            ),
            *(
                doc(i, f"Governor training {i}", pupil_group=["free-school-meals"])
                for i in range(3, 9)
            ),
        ],
        [],
        1,
    )
    meaning = _closeness({1: 0.4, 2: 0.2} | {i: 0.0 for i in range(3, 9)})
    found = search(backend, "tutoring disadvantaged pupils", meaning=meaning)
    assert ids(found)[:2] == [2, 1]
    # It is still told as missing the word it does not hold.
    assert {h.id: h.missing for h in found.hits}[2] == ("disadvantaged",)


@pytest.mark.parametrize("seed", [0, 5])
def test_listings_found_without_the_words_fill_a_page_preferred_first_then_in_todays_order(
    backend, doc, seed
):
    # More listings join by meaning than the page holds: which fill it, and in what order, is
    # not the index's own (written here in reverse): those of a preferred value, then the day's.
    backend.apply([doc(i, f"Listing {i}") for i in range(19, 1, -1)], [], 1)
    backend.apply(
        [doc(1, "Phonics"), *(doc(i, f"Listing {i}", phase=["primary"]) for i in (20, 21))], [], 2
    )
    query = querying.build_query(
        "phonics", prefer={"phase": ["primary"]}, per_page=6, tie_seed=seed, facets=()
    )
    found = backend.search(replace(query, also_ids=frozenset(range(2, 22))))
    assert found.total == 21
    k = ordering.permutation(seed)
    todays = sorted(range(2, 20), key=lambda i: -ordering.tie_values(i)[k])
    assert ids(found)[0] == 1
    assert sorted(ids(found)[1:3]) == [20, 21]
    assert ids(found)[3:] == todays[:3]


def test_a_corrected_search_is_close_in_meaning_to_what_its_corrected_words_are(backend, doc):
    # The model splits "behavoiur" into pieces and finds the HR listing closer than the policy
    # review; once corrected, the search's meaning is that of "behaviour management".
    backend.apply(
        [
            doc(1, "Behaviour management for supply teachers"),
            doc(2, "Whole-school policy review and consistent routines"),
            doc(3, "HR advice on staff absence"),
        ],
        [],
        1,
    )
    # Each listing's vector: its cosine with the typed words' vector (the first axis) and with
    # the corrected words' (the second).
    cosines = {1: (0.5, 0.6), 2: (0.1, 0.7), 3: (0.6, 0.1)}
    neighbours = semantic.Neighbours()
    vectors = np.zeros((3, 384), dtype=np.float32)
    for row, (typed, fixed) in enumerate(cosines.values()):
        vectors[row, :3] = (typed, fixed, math.sqrt(1 - typed**2 - fixed**2))
    neighbours.update(list(cosines), vectors)
    axis = np.eye(2, 384, dtype=np.float32)
    encoded: list[str] = []

    def encode(text: str) -> object:
        encoded.append(text)
        return axis[1] if text == "behaviour management" else axis[0]

    meaning = semantic.Closeness(neighbours, axis[0], encode)
    found = search(backend, "behavoiur management", meaning=meaning)
    assert found.corrected and encoded == ["behaviour management"]
    assert ids(found) == [1, 2]
    # Not corrected (turned off), the words typed are what the model reads.
    plain = search(backend, "behavoiur management", meaning=meaning, autocorrect=False)
    assert not plain.corrected and encoded == ["behaviour management"]
    assert ids(plain) == [1, 3]
    # Without an encoder a closeness stays that of the text it was made for.
    unworded = semantic.Closeness(neighbours, axis[0])
    assert unworded.reworded("anything") is unworded


def _lexicon(words: dict[str, int]) -> semantic.Lexicon:
    """A lexicon whose each word lies on the axis `words` names (words on one axis are alike)."""
    lexicon = semantic.Lexicon()
    axis = np.eye(8, 384, dtype=np.float32)
    lexicon.update(list(words), lambda fresh: np.stack([axis[words[w]] for w in fresh]))
    return lexicon


def test_a_word_no_listing_uses_also_matches_the_directorys_words_close_to_it(backend, doc):
    backend.apply(
        [
            doc(1, "Anxiety groups for pupils", summary="Small groups for anxious children."),
            doc(2, "Phonics for pupils", summary="Reading aloud with nerve, for infants."),
            doc(3, "Governor training", summary="Budgets for governors."),
            doc(4, "Confident readers", summary="Pupils who read aloud."),
        ],
        [],
        1,
    )
    # "anxiety" and "anxious" lie on the axis "nervous" is read on; "nerve" too, but a form of
    # the word itself is not what was meant.
    lexicon = _lexicon(
        {"nerve": 0, "anxiety": 0, "anxious": 0, "governor": 1, "pupils": 2, "phonics": 3}
    )
    axis = np.eye(8, 384, dtype=np.float32)
    close = (axis[0] * 0.9 + axis[4] * math.sqrt(1 - 0.81)).astype(np.float32)
    meaning = semantic.Closeness(
        _closeness({1: 0.2, 2: 0.2, 3: 0.2, 4: 0.2}).neighbours,
        axis[5],
        lexicon=lexicon,
        word_vectors={"nervous": close},
    )
    found = search(backend, "nervous pupils", meaning=meaning)
    assert ids(found)[0] == 1
    assert found.close_words == (("nervous", ("anxiety", "anxious")),)
    assert not found.hits[0].missing  # "nervous" is held through the words close to it
    # A word the directory uses is searched as it is; so is a quoted phrase.
    assert not search(backend, "phonics pupils", meaning=meaning).close_words
    quoted = search(backend, '"nervous pupils"', meaning=meaning, widen=False)
    assert quoted.total == 0 and not quoted.close_words
    alone = search(backend, '"nervous" pupils', meaning=meaning, widen=False)
    assert alone.total == 0 and not alone.close_words
    assert service.unused_words(backend, '"nervous" pupils') == []
    # Words below the floor are not close enough.
    far = replace(meaning, word_vectors={"nervous": (axis[0] * 0.5 + axis[4] * 0.866)})
    assert not search(backend, "nervous pupils", meaning=far).close_words
    # Without meaning (sorted by title, or no model), the words are searched as typed.
    assert not search(backend, "nervous pupils").close_words
    # The words whose close words are looked for are those no listing uses, as the engine
    # asks before reading them; once a listing uses it, the word is searched as typed.
    assert service.unused_words(backend, "nervous pupils") == ["nervous"]
    backend.apply([doc(5, "Nervous pupils", summary="For nervous pupils.")], [], 2)
    assert service.unused_words(backend, "nervous pupils") == []
    found = search(backend, "nervous pupils", meaning=replace(meaning, word_vectors={}))
    assert not found.close_words and ids(found)[0] == 5


def _conjuring(backend: SearchBackend, doc, magic_too: int = 0) -> semantic.Closeness:  # type: ignore[no-untyped-def]
    """A directory with a magic club (and `magic_too` more listings saying "magic"), and the
    meaning of a search whose word "conjuring" the model finds nothing close to."""
    extra = [doc(10 + n, f"Magic for topic {n}") for n in range(magic_too)]
    backend.apply(
        [
            doc(1, "After-school magic club", summary="Tricks and sleight of hand."),
            doc(2, "Drama club", summary="Plays and performance."),
            doc(3, "Phonics for infants", summary="Daily phonics."),
            doc(4, "Governor training", summary="Budgets for governors."),
            doc(5, "Traveller pupils", summary="Support for their schools."),
            *extra,
        ],
        [],
        1,
    )
    axis = np.eye(8, 384, dtype=np.float32)
    return semantic.Closeness(
        _closeness({1: 0.2, 2: 0.2, 3: 0.2, 4: 0.2}).neighbours,
        axis[5],
        lexicon=_lexicon({"tricks": 0, "drama": 1, "phonics": 2, "governor": 3}),
        word_vectors={"conjuring": axis[6]},
    )


def test_a_word_the_model_finds_nothing_close_to_matches_what_wordnet_relates_to_it(backend, doc):
    meaning = _conjuring(backend, doc)
    # WordNet: conjuring is a kind of magic.
    found = search(backend, "conjuring club", meaning=meaning)
    assert found.close_words == (("conjuring", ("magic",)),)
    assert ids(found)[0] == 1 and not found.hits[0].missing
    # Words the model finds close come first, and WordNet's are then not asked for.
    near = replace(meaning, word_vectors={"conjuring": np.eye(8, 384, dtype=np.float32)[0]})
    assert search(backend, "conjuring club", meaning=near).close_words == (
        ("conjuring", ("tricks",)),
    )
    # Without meaning, the words are searched as typed.
    assert not search(backend, "conjuring club").close_words
    # A word of the field is read as the field reads it, not by WordNet (which has absentees
    # as travellers).
    absent = replace(meaning, word_vectors={"absentees": np.eye(8, 384, dtype=np.float32)[6]})
    assert not search(backend, "absentees club", meaning=absent).close_words


def test_a_word_wordnet_relates_that_much_of_the_directory_says_is_not_matched(backend, doc):
    # "magic" in 3 of 7 listings (more than 2, or 5% of them): it would tell little of what
    # was meant.
    meaning = _conjuring(backend, doc, magic_too=2)
    assert not search(backend, "conjuring club", meaning=meaning).close_words


@pytest.mark.parametrize(
    ("word", "other", "alike"),
    [
        ("abseiling", "ceiling", True),  # the same ending: word pieces, not meaning
        ("oxbridge", "ironbridge", True),
        ("barely", "rarely", True),  # one edit
        ("teens", "tens", True),
        ("nervous", "anxious", False),
        ("mums", "dads", False),
        ("grandson", "grandparents", False),  # a shared start is often shared meaning
        ("kayaks", "canoeing", False),
    ],
)
def test_words_spelt_like_the_word_typed_are_no_close_words(word, other, alike) -> None:
    assert service._looks_alike(word, other) is alike


def test_a_lexicon_keeps_the_vectors_it_has_and_works_out_only_new_words() -> None:
    lexicon = semantic.Lexicon()
    axis = np.eye(3, 384, dtype=np.float32)
    on = {"anxiety": 0, "phonics": 1, "governor": 2}
    asked: list[list[str]] = []

    def work_out(words: list[str]) -> object:
        asked.append(words)
        return np.stack([axis[on[w]] for w in words])

    first, second = {"anxiety": 1, "phonics": 1}, {"anxiety": 1, "phonics": 1, "governor": 1}
    assert lexicon.update(["anxiety", "phonics"], work_out, source=first) == 2
    assert lexicon.update(["phonics", "governor", "anxiety"], work_out, source=second) == 1
    assert asked == [["anxiety", "phonics"], ["governor"]]
    assert lexicon.words == ("phonics", "governor", "anxiety") and lexicon.source is second
    # Each word kept its own vector in the new order.
    for word, at in on.items():
        assert lexicon.nearest(axis[at], 1) == [(word, 1.0)]
    assert [w for w, _ in lexicon.nearest(axis[0] * 0.6 + axis[1] * 0.8, 3, floor=0.7)] == [
        "phonics"
    ]
    assert semantic.Lexicon().nearest(axis[0], 3) == []


def test_meaning_follows_the_sort_the_page_and_the_words(backend, doc):
    backend.apply([doc(i, f"Coaching {i}") for i in range(1, 8)] + [doc(9, "Mentors")], [], 1)
    meaning = _closeness({i: 0.1 for i in range(1, 8)} | {9: 0.9})
    # Sorted by title, a search is by its words alone.
    assert 9 not in ids(search(backend, "coaching", sort="title", meaning=meaning))
    first = search(backend, "coaching", meaning=meaning, per_page=3)
    second = search(backend, "coaching", meaning=meaning, per_page=3, page=2)
    third = search(backend, "coaching", meaning=meaning, per_page=3, page=3)
    assert first.total == 8
    seen = ids(first) + ids(second) + ids(third)
    assert sorted(seen) == [1, 2, 3, 4, 5, 6, 7, 9]
    # A browse without words lists every listing, as without meaning.
    assert search(backend, meaning=meaning).total == 8


def test_filters_never_change_a_hits_score(backend, doc):
    backend.apply(
        [doc(1, "Phonics for infants", phase=["primary"]), doc(2, "Phonics", phase=["primary"])],
        [],
        1,
    )
    plain = {h.id: h.score for h in search(backend, "phonics").hits}
    filtered = search(backend, "phonics", filters={"phase": {"primary"}}, now=datetime(2030, 1, 1))
    assert {h.id: h.score for h in filtered.hits} == pytest.approx(plain)


def test_the_words_of_an_everyday_wording_raise_a_listing_that_holds_them(
    backend, doc, monkeypatch
):
    # "governors understanding data" is an everyday wording whose meaning ("governance") every
    # governors' listing holds; the workshop that holds the words as typed comes first.
    backend.apply(
        [
            doc(
                1,
                "Professional clerking",
                summary="Minutes and agendas for governing boards, by clerks to governing boards.",
            ),
            doc(
                2,
                "Reading the data: an evening for governors",
                summary="What the governing board asks of the data.",
            ),
            *(doc(i, f"Phonics for infants {i}") for i in range(3, 9)),
        ],
        [],
        1,
    )
    assert ids(search(backend, "governors understanding data"))[:2] == [2, 1]
    monkeypatch.setattr(understanding, "WORDED_WEIGHT", 0.0)
    assert ids(search(backend, "governors understanding data"))[:2] == [1, 2]


def test_the_words_of_an_everyday_wording_count_less_in_a_need_than_in_a_search():
    def boosted(prose: bool) -> dict[tuple[str, ...], float]:
        parsed = querying.parse_text("governors don't understand the data")
        query = service.plan(parsed, service.Request(prose=prose), None)[0]
        return {c.words: c.weight for c in query.boosts}

    assert boosted(False)[("data",)] == understanding.WORDED_WEIGHT
    assert boosted(True)[("data",)] == service.PROSE_WORDED_WEIGHT < understanding.WORDED_WEIGHT
