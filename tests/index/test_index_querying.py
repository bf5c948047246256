"""Query parsing and building, tested without any engine."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import analysis, querying, schema
from index.documents import SORTS
from index.querying import Alternative, InvalidQuery, build_query, parse_text


def alternatives(text: str) -> list[set[tuple[str, ...]]]:
    return [{a.terms for a in c.alternatives} for c in parse_text(text).clauses]


def test_plain_words_are_stemmed_clauses_all_required():
    parsed = parse_text("Mentoring teachers")
    assert alternatives("Mentoring teachers") == [{("mentor",)}, {("teacher",)}]
    assert not parsed.negative and parsed.notice is None


def test_abbreviations_expand_to_every_form_both_ways():
    sen = {("sen",), ("send",), ("special", "educ", "need")}
    assert sen <= alternatives("SEN")[0]
    assert sen <= alternatives("special educational needs")[0]
    assert alternatives("special educational needs") == alternatives("SEND")
    assert {("ks2",), ("key", "stage", "2")} <= alternatives("key stage 2 maths")[0]
    assert {("math",), ("numeraci",), ("mathemat",)} <= alternatives("key stage 2 maths")[1]


def test_a_phrase_forms_only_where_typed_as_written():
    # "reception year" is a form of Reception; "Reception to Year 1" is two years, not it.
    assert [c.words for c in parse_text("Reception to Year 1 transition").clauses] == [
        ("reception",),
        ("year", "1"),
        ("transition",),
    ]
    assert ("recept", "year") in alternatives("reception year")[0]
    # A form written with its stop words forms where they are typed.
    assert [c.words for c in parse_text("speech and language therapy").clauses] == [
        ("speech", "language", "therapy")
    ]
    assert len(parse_text("children in care").clauses) == 1
    assert analysis.stop_pattern("Reception to Year 1") == ("", "to", "", "")


def test_no_phrase_runs_on_past_the_end_of_a_sentence():
    # "Reception. Year 1" is two sentences: no "reception year"; a colon ends one too.
    clauses = parse_text("Lessons are good in Reception. Year 1 is weaker: phonics").clauses
    assert [(c.words, c.ends) for c in clauses] == [
        (("lessons",), False),
        (("good",), False),
        (("reception",), True),
        (("year", "1"), False),
        (("weaker",), True),
        (("phonics",), False),
    ]
    # A full stop inside a word or a number, a comma, or none at all does not end one.
    assert not any(c.ends for c in parse_text("e.g 3.5, Reception year").clauses[:-1])
    assert parse_text("Reception year").clauses[0].words == ("reception", "year")
    # Quoted words and wildcards end one too.
    assert parse_text('"reading for pleasure": boys').clauses[0].ends
    assert parse_text("phon*; boys").clauses[0].ends


def test_synonyms_are_data_in_one_file():
    groups = analysis.parse_synonyms(["# comment", "foo, bar baz", "lonely"])
    assert [g.forms for g in groups.groups] == [(("foo",), ("bar", "baz"))]
    assert analysis.SYNONYMS_FILE.name == "synonyms.txt"
    assert len(analysis.synonyms().groups) >= 30


def test_field_syntax_is_just_words():
    assert alternatives("title:phonics") == [{("titl",)}, {("phonic",)}]


def test_quotes_make_phrases_and_minus_or_not_excludes():
    parsed = parse_text('"reading recovery" -phonics NOT governance')
    assert [c.negated for c in parsed.clauses] == [False, True, True]
    assert parsed.clauses[0].alternatives == (Alternative(("read", "recoveri")),)


def test_a_quoted_word_is_searched_for_as_written_like_a_quoted_phrase():
    parsed = parse_text('"reading" recovery')
    # Quoted alone, a word is its own clause: it joins no phrase with the words beside it.
    assert [(c.words, c.quoted) for c in parsed.clauses] == [
        (("reading",), True),
        (("recovery",), False),
    ]
    assert parsed.operators
    # Its synonyms, as a phrase's, are other ways of writing the same thing.
    ks2 = parse_text('"KS2"').clauses[0]
    assert ks2.quoted and Alternative(("key", "stage", "2")) in ks2.alternatives


def test_or_joins_two_words_into_one_clause():
    assert alternatives("phonics OR reading") == [{("phonic",), ("read",)}]


def test_prefix_needs_three_letters_and_leading_or_bare_wildcards_are_dropped():
    assert parse_text("phon*").clauses[0].alternatives == (Alternative(("phon",), prefix=True),)
    assert not any(a.prefix for c in parse_text("ph* *phonics *").clauses for a in c.alternatives)


def test_stop_words_only_and_symbols_only_give_a_notice():
    for text in ("the and of", "***", "() : ! -", "😀"):
        parsed = parse_text(text)
        assert parsed.is_empty and parsed.notice


def test_too_many_words_are_cut_with_a_notice():
    parsed = parse_text(" ".join(f"word{i}" for i in range(100)))
    assert len(parsed.clauses) == querying.MAX_CLAUSES
    assert "32" in (parsed.notice or "")


def test_prose_may_be_read_to_more_words_than_a_search():
    text = " ".join(f"word{i}" for i in range(querying.PROSE_MAX_CLAUSES + 10))
    assert len(parse_text(text, querying.MAX_CLAUSES).clauses) == querying.MAX_CLAUSES
    parsed = parse_text(text, querying.PROSE_MAX_CLAUSES)
    assert len(parsed.clauses) == querying.PROSE_MAX_CLAUSES
    assert str(querying.PROSE_MAX_CLAUSES) in (parsed.notice or "")
    assert (
        parse_text(" ".join(f"word{i}" for i in range(40)), querying.PROSE_MAX_CLAUSES).notice
        is None
    )


def test_very_long_text_is_cut_with_a_notice_and_stays_fast():
    started = time.perf_counter()
    parsed = parse_text("mathematics " * 1000)
    assert time.perf_counter() - started < 0.5
    assert parsed.notice and len(parsed.clauses) == 1


def test_control_characters_are_separators():
    assert alternatives("phonics\x00reading\u200b") == [{("phonic",)}, {("read",)}]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2500))
def test_any_text_parses_within_bounds(text):
    parsed = parse_text(text)
    assert len(parsed.clauses) <= querying.MAX_CLAUSES
    for clause in parsed.clauses:
        assert clause.alternatives
        for alt in clause.alternatives:
            assert alt.terms and all(t and len(t) <= analysis.MAX_TOKEN for t in alt.terms)
            assert not alt.prefix or len(alt.terms[0]) >= querying.MIN_PREFIX


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(['"', "(", ")", ":", "*", "-", "AND", "OR", "NOT", "SEN", "x", " "]),
        max_size=40,
    )
)
def test_operator_soup_parses(parts):
    parse_text(" ".join(parts))
    parse_text("".join(parts))


def test_build_query_checks_parameters_but_never_text():
    query = build_query(
        "title:(", {"phase": ["primary"], "la": ["E09000001"]}, sort="recent", page=2
    )
    assert query.filter_map() == {"la": frozenset({"E09000001"}), "phase": frozenset({"primary"})}
    assert query.facets == schema.FACETS
    with pytest.raises(InvalidQuery) as err:
        build_query("", {"colour": ["red"]})
    assert err.value.field == "colour"
    for bad in ({"sort": "price"}, {"page": 0}, {"per_page": 101}, {"facets": ["colour"]}):
        with pytest.raises(InvalidQuery):
            build_query("", **bad)


def test_schema_drives_facets_and_sorts():
    assert schema.FACETS == (
        "category",
        "ecm",
        "phase",
        "sen",
        "pupil_group",
        "kind",
        "delivery",
        "cost",
        "region",
        "la",
    )
    assert tuple(schema.SORTS) == SORTS
    assert schema.BY_NAME["la"].attr == "local_authorities"
    assert [f.name for f in schema.PUBLIC_TEXT] == [
        "title",
        "summary",
        "description",
        "provider_name",
    ]
