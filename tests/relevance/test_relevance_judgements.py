"""The judged set for relevance (nDCG@10 in `make bench`) loads and names real seed listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.relevance import JUDGEMENTS, Score, _shown, dcg, load_judgements, ndcg

SEED = Path(__file__).resolve().parents[2] / "providers_seed" / "data" / "directory.jsonl"


def _seed_listings() -> set[tuple[str, str]]:
    keys = set()
    with SEED.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for listing in record["listings"]:
                keys.add((listing["title"], record["provider"]["name"]))
    return keys


def test_judged_set_loads_with_enough_realistic_queries() -> None:
    judged = load_judgements(JUDGEMENTS)
    assert len(judged) >= 25
    assert len({j.query.lower() for j in judged}) == len(judged)
    for item in judged:
        assert item.need, item.query
        assert any(g == 3 for g in item.grades.values()), f"{item.query!r} has no perfect answer"


def test_every_judgement_names_a_listing_of_the_seed_directory() -> None:
    existing = _seed_listings()
    for item in load_judgements(JUDGEMENTS):
        unknown = [key for key in item.grades if key not in existing]
        assert not unknown, (item.query, unknown)


def test_ndcg_is_one_for_the_ideal_order_and_less_otherwise() -> None:
    assert ndcg([3, 2, 1], [1, 2, 3]) == pytest.approx(1.0)
    assert ndcg([1, 2, 3], [1, 2, 3]) < 1.0
    assert ndcg([0, 0], [3]) == 0.0
    assert ndcg([], []) == 0.0
    assert dcg([3]) == pytest.approx(7.0)


def test_padding_does_not_lower_ndcg_but_lowers_the_share_judged_of_use() -> None:
    # Why the report prints what was shown: three unjudged results after the same two judged
    # ones leave nDCG as it was, and only the share judged of use says they are padding.
    def score(ranked: list[int]) -> Score:
        return Score(
            id="n",
            text="need",
            ndcg=ndcg(ranked, [3, 1]),
            relevant_in_top=1,
            relevant=1,
            violations=(),
            shown=len(ranked),
            judged=sum(1 for g in ranked if g >= 1),
        )

    short, padded = score([3, 1]), score([3, 1, 0, 0, 0])
    assert padded.ndcg == short.ndcg == pytest.approx(1.0)
    assert _shown([short]) == (2.0, 1.0)
    assert _shown([short, padded]) == (3.5, pytest.approx(4 / 7))
    assert _shown([]) == (0.0, 0.0)
