"""The search plan every backend realises, built and tested without any engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from index import ordering, schema
from index.backends import plan as p
from index.documents import Document
from index.query import Preference
from index.querying import InvalidQuery, build_query


def test_every_word_is_required_in_the_catch_all_field_for_matching():
    query = build_query("phonics mentoring", facets=())
    assert query.required == 2
    assert p.match_node(query) == p.Bool(must=(p.Term(p.ALL, "phonic"), p.Term(p.ALL, "mentor")))


def test_must_match_lets_a_hit_miss_some_words():
    query = build_query("phonics mentoring infants", must_match=2, facets=())
    assert p.match_node(query) == p.Bool(
        should=(p.Term(p.ALL, "phonic"), p.Term(p.ALL, "mentor"), p.Term(p.ALL, "infant")),
        minimum=2,
    )
    assert build_query("phonics", must_match=5, facets=()).required == 1
    assert build_query("", must_match=5, facets=()).required == 0


def test_a_clause_scores_in_every_public_text_field_with_its_boost():
    query = build_query("phonics", facets=())
    node = p.clause_score(query.clauses[0])
    assert node == p.Bool(
        should=tuple(p.Term(f.name, "phonic", f.boost) for f in schema.PUBLIC_TEXT)
    )


def test_synonyms_phrases_and_prefixes_become_alternatives():
    sen = p.clause_match(build_query("SEN", facets=()).clauses[0])
    assert isinstance(sen, p.Bool) and p.Term(p.ALL, "sen") in sen.should
    assert p.Phrase(p.ALL, ("special", "educ", "need")) in sen.should
    assert p.clause_match(build_query("phon*", facets=()).clauses[0]) == p.Prefix(p.ALL, "phon")


def test_filters_restrict_without_scoring_and_each_facet_counts_without_its_own_filter():
    query = build_query(
        "phonics", {"phase": ["primary", "special"], "cost": ["free"]}, facets=("phase", "ecm")
    )
    plan = p.plan(query)
    phase, cost = p.Terms("phase", ("primary", "special")), p.Terms("cost", ("free",))
    assert plan.match == p.Bool(must=(p.Term(p.ALL, "phonic"), cost, phase))
    assert plan.facets["phase"] == p.Bool(must=(p.Term(p.ALL, "phonic"), cost))
    assert plan.facets["ecm"] == plan.match
    assert plan.scored is not None and isinstance(plan.scored, p.Bool)
    assert p.Constant(phase, 0.0) in plan.scored.must
    assert p.Constant(cost, 0.0) in plan.scored.must


def test_a_preference_multiplies_the_relevance_of_the_hits_it_covers():
    query = build_query("phonics", prefer=[Preference("phase", frozenset({"primary"}), 0.5)])
    scored = p.scored_node(query)
    assert isinstance(scored, p.Bool)
    relevance = scored.must[0]
    assert scored.should == (
        p.Boost(p.Bool(must=(relevance, p.Constant(p.Terms("phase", ("primary",)), 0.0))), 0.5),
    )
    browsing = p.scored_node(build_query("", prefer={"phase": ["primary"]}))
    assert isinstance(browsing, p.Bool) and browsing.must[0] == p.Constant(p.Every(), 1.0)


def test_exclusions_excluded_ids_and_expiry_are_restrictions():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    query = build_query("reading -phonics", exclude_ids=[7, 3], now=now, facets=())
    assert p.match_node(query) == p.Bool(
        must=(p.Term(p.ALL, "read"), p.After("public_until", int(now.timestamp()))),
        must_not=(p.Term(p.ALL, "phonic"), p.Terms("id", (3, 7))),
    )
    assert p.match_node(build_query("", facets=())) == p.Every()


def test_a_passed_date_filter_leaves_out_documents_whose_date_is_after_now():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    query = build_query("", now=now, passed=["not_taking_until"], facets=())
    assert p.match_node(query) == p.Bool(
        must=(p.After("public_until", int(now.timestamp())),),
        must_not=(p.After("not_taking_until", int(now.timestamp())),),
    )


def test_a_passed_date_filter_needs_a_known_date_and_the_moment():
    with pytest.raises(InvalidQuery):
        build_query("", passed=["not_taking_until"])
    with pytest.raises(InvalidQuery):
        build_query("", passed=["title"], now=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_order_follows_the_sort_and_the_days_tie_column():
    seed = 738_000
    tie = ordering.tie_column(seed)
    assert p.plan(build_query("phonics", tie_seed=seed)).order == p.Order("score", tie)
    assert p.plan(build_query("", tie_seed=seed)).order == p.Order("column", tie)
    assert p.plan(build_query("", sort="title", tie_seed=seed)).order == p.Order("title", tie)
    recommended = p.plan(build_query("phonics", sort="recommended", tie_seed=seed))
    assert recommended.scored is None and recommended.order.column.startswith("recommended_")
    assert ordering.tie_column(seed) != ordering.tie_column(seed + 1)
    assert p.plan(build_query("", page=3, per_page=10)).offset == 20


def test_sort_columns_order_by_the_value_then_the_tie_and_stay_in_range():
    doc = Document(5, "T", "", "", 1, "P", recommendations=4, assured_at=datetime(2009, 6, 1))
    columns = ordering.sort_columns(doc)
    assert set(columns) == set(ordering.all_columns())
    for k in range(ordering.PERMUTATIONS):
        assert 0 <= columns[f"tie_{k}"] < ordering.TIE_SPAN
        assert 4 <= columns[f"recommended_{k}"] < 5
    second = int(datetime(2009, 6, 1, tzinfo=UTC).timestamp())
    assert second <= columns["recent_0"] < second + 1
    assert ordering.tie_values(5) == ordering.tie_values(5) != ordering.tie_values(6)


def test_the_document_holds_exactly_what_the_schema_declares():
    import dataclasses

    declared = {f.attr for f in schema.FIELDS}
    assert {f.name for f in dataclasses.fields(Document)} == declared
    assert set(schema.STORED) <= {f.name for f in schema.FIELDS}


def test_whoosh_realises_a_plan_as_its_own_query_objects_without_an_index():
    from whoosh import query as wq

    from index.backends.whoosh import realise

    node = p.Bool(
        must=(p.Term(p.ALL, "phonic"), p.Constant(p.Terms("phase", ("primary",)), 0.0)),
        should=(p.Boost(p.Phrase("title", ("read", "recoveri")), 0.5),),
        must_not=(p.Prefix(p.ALL, "gov"),),
    )
    assert realise(node) == wq.AndNot(
        wq.AndMaybe(
            wq.And(
                [
                    wq.Term(p.ALL, "phonic"),
                    # A filter scores nothing (each of its terms boosted by 0).
                    wq.Or([wq.Term("phase", "primary", boost=0.0)]),
                ]
            ),
            wq.Or([wq.Phrase("title", ["read", "recoveri"], boost=0.5)]),
        ),
        wq.Prefix(p.ALL, "gov"),
    )


def test_listings_found_by_meaning_join_the_words_and_pass_the_same_filters():
    query = replace(
        build_query("phonics", filters={"phase": ["primary"]}, facets=()),
        also_ids=frozenset({9, 4}),
    )
    assert p.match_node(query) == p.Bool(
        must=(
            p.Bool(should=(p.Term(p.ALL, "phonic"), p.Terms("id", (4, 9))), minimum=1),
            p.Terms("phase", ("primary",)),
        ),
        must_not=(),
    )
    # They score nothing by words, so the words' best come first.
    scored = p.scored_node(query).must[0]
    assert scored == p.Bool(
        should=(p.clause_score(query.clauses[0]), p.Constant(p.Terms("id", (4, 9)), p.ALSO_SCORE)),
        minimum=1,
    )
    # Without words there is nothing to join: a browse already finds every listing.
    assert p.match_node(replace(build_query("", facets=()), also_ids=frozenset({4}))) == p.Every()


def test_listings_of_an_implied_topic_join_the_words_like_those_close_in_meaning():
    query = replace(
        build_query("cerebral palsy", facets=()),
        also_ids=frozenset({4}),
        also_topics=(("sen", frozenset({"pd"})),),
    )
    words = p._words(query, p.clause_match)
    assert p.match_node(query) == p.Bool(
        should=(words, p.Terms("sen", ("pd",)), p.Terms("id", (4,))), minimum=1
    )
    scored = p.scored_node(query)
    assert p.Constant(p.Terms("sen", ("pd",)), p.ALSO_SCORE) in scored.must[0].should
