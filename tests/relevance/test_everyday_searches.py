"""The everyday searches and needs the query encoder learns from (benchmarks/everyday/) name
listings of the learnt-from directories only, one record for each listing of the sets a file
writes for, every such listing in some file, and read as written.

No engine: computed from the file, benchmarks.query_encoder.TRAINING and the directories.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from benchmarks import query_encoder, relevance


@pytest.fixture(scope="module", params=query_encoder.EVERYDAY, ids=lambda path: path.name)
def records(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    # As the encoder reads them (it refuses a record naming a set it does not learn from).
    return query_encoder.everyday_records(request.param)


def _listings(names: set[str] | tuple[str, ...]) -> set[tuple[str, str, str]]:
    """(set, title, provider) of every listing of the named sets' directories."""
    return {
        (name, title, provider)
        for name in names
        for title, provider in query_encoder.listing_texts(relevance.SETS[name].directory)
    }


def test_every_listing_of_a_files_sets_has_one_record_in_it(
    records: list[dict[str, Any]],
) -> None:
    written = Counter((r["set"], r["title"], r["provider"]) for r in records)
    assert max(written.values()) == 1
    assert set(written) == _listings({r["set"] for r in records})
    keys = {"set", "title", "provider", *query_encoder.EVERYDAY_WORDINGS}
    assert all({"search", "need"} <= set(r) <= keys for r in records)


def test_every_listing_of_every_learnt_from_directory_is_written_for() -> None:
    written = {
        (r["set"], r["title"], r["provider"])
        for path in query_encoder.EVERYDAY
        for r in query_encoder.everyday_records(path)
    }
    assert written == _listings(query_encoder.TRAINING)


def test_no_set_that_measures_or_checks_is_written_for(records: list[dict[str, Any]]) -> None:
    # The sets that measure or check read directories of their own: nothing here may come
    # from them, or their figures would measure what was learnt.
    assert {r["set"] for r in records} <= set(query_encoder.TRAINING)
    assert not {*relevance.MEASURING, *relevance.CHECKING} & set(query_encoder.TRAINING)


def test_searches_are_short_as_typed_and_needs_are_a_sentence(
    records: list[dict[str, Any]],
) -> None:
    for r in records:
        assert 2 <= len(r["search"].split()) <= 8, r["search"]
        for need in (r[key] for key in ("need", "head_need") if key in r):
            assert 8 <= len(need.split()) <= 35, need
    assert len({r["search"] for r in records}) > 0.98 * len(records)  # not a template
