"""The everyday searches and needs the query encoder learns from (benchmarks/everyday/) name
listings of the learnt-from directories only, one record for each listing, and read as written.

No engine: computed from the file, benchmarks.query_encoder.TRAINING and the directories.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from benchmarks import query_encoder, relevance


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    with query_encoder.EVERYDAY.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_every_listing_of_every_learnt_from_directory_has_one_search_and_one_need(
    records: list[dict[str, Any]],
) -> None:
    written = Counter((r["set"], r["title"], r["provider"]) for r in records)
    assert max(written.values()) == 1
    listings = {
        (name, title, provider)
        for name in query_encoder.TRAINING
        for title, provider in query_encoder.listing_texts(relevance.SETS[name].directory)
    }
    assert set(written) == listings


def test_no_set_that_measures_or_checks_is_written_for(records: list[dict[str, Any]]) -> None:
    # The sets that measure or check read directories of their own: nothing here may come
    # from them, or their figures would measure what was learnt.
    assert {r["set"] for r in records} <= set(query_encoder.TRAINING)
    measure = ("final", "sealed", "reserve", "untouched", "tenth")
    check = ("nineteenth", "twentieth", "twentyfirst")
    assert not set(measure + check) & set(query_encoder.TRAINING)


def test_searches_are_short_as_typed_and_needs_are_a_sentence(
    records: list[dict[str, Any]],
) -> None:
    for r in records:
        assert 2 <= len(r["search"].split()) <= 8, r["search"]
        assert 8 <= len(r["need"].split()) <= 35, r["need"]
    assert len({r["search"] for r in records}) > 0.98 * len(records)  # not a template
