"""Analysis: tokens, stems and snippets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index import analysis


def test_words_are_folded_stemmed_and_stop_words_dropped():
    assert analysis.analyse("The Children's Café: mentoring G&T pupils") == [
        "children",
        "cafe",
        "mentor",
        "g&t",
        "pupil",
    ]


def test_snippet_escapes_text_and_marks_matches():
    text = 'Intro <script>alert("x")</script> then phonics & reading & more phonics'
    snippet = analysis.highlight(text, ["phonic"])
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert snippet.count("<mark>phonics</mark>") == 2
    assert "&amp;" in snippet


def test_snippet_picks_the_passage_with_matches():
    text = "filler words " * 60 + "the phonics passage is here " + "more filler " * 60
    snippet = analysis.highlight(text, ["phonic"])
    assert "<mark>phonics</mark>" in snippet
    assert snippet.startswith("\u2026") and len(snippet) < 300


@given(st.text(max_size=400), st.lists(st.text(max_size=8), max_size=4))
def test_snippets_only_ever_add_mark_tags(text, terms):
    snippet = analysis.highlight(text, terms)
    stripped = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


@pytest.mark.parametrize(
    "typed, spelled",
    [
        ("EBSA in Y8", "EBSA in Y8 (emotionally based school avoidance; year 8)"),
        ("SENCO network", "SENCO network (special educational needs co-ordinator)"),
        ("nle", "nle (National Leader of Education)"),
        # Nothing to spell out, or already spelled out: the text as typed.
        ("kids scared to come in", "kids scared to come in"),
        ("free school meals", "free school meals"),
        ("", ""),
    ],
)
def test_abbreviations_are_spelled_out_for_the_sentence_model(typed: str, spelled: str) -> None:
    assert analysis.spelled_out(typed) == spelled
