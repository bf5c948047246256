"""nDCG@10 of the judged queries (tests/relevance/judgements.json) over the seed directory.

Usage: python -m benchmarks.relevance. Builds a temporary instance (`broker seed`, `broker index
rebuild`), asks GET /api/v1/listings for each query, and prints nDCG@10 per query and the mean.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.instance import Instance, close_app, restore_environment, temporary_instance

JUDGEMENTS = Path(__file__).resolve().parent.parent / "tests" / "relevance" / "judgements.json"
K = 10

Key = tuple[str, str]  # (listing title, provider name)


@dataclass(frozen=True)
class JudgedQuery:
    query: str
    need: str
    grades: dict[Key, int]


def load_judgements(path: Path = JUDGEMENTS) -> list[JudgedQuery]:
    """Read the judged set: each query with {(title, provider): grade 0-3}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    queries = []
    for entry in data["queries"]:
        grades: dict[Key, int] = {}
        for item in entry["judgements"]:
            key = (item["title"], item["provider"])
            if key in grades:
                raise ValueError(f"{entry['query']!r} judges {key} twice")
            grade = int(item["grade"])
            if not 0 <= grade <= 3:
                raise ValueError(f"{entry['query']!r}: grade {grade} is not 0-3")
            grades[key] = grade
        queries.append(JudgedQuery(entry["query"], entry.get("need", ""), grades))
    return queries


def dcg(grades: Iterable[int], k: int = K) -> float:
    """Discounted cumulative gain with exponential gain (2^g - 1)."""
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(list(grades)[:k]))


def ndcg(ranked: list[int], ideal: Iterable[int], k: int = K) -> float:
    """Return nDCG@k of the grades in ranked order against the best possible order."""
    best = dcg(sorted(ideal, reverse=True), k)
    return dcg(ranked, k) / best if best > 0 else 0.0


def _results(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/listings", query_string=params)
    if response.status_code != 200:
        raise RuntimeError(f"{params}: HTTP {response.status_code}")
    return response.get_json()


def public_keys(client: Any) -> set[Key]:
    """Every (title, provider) the public search can return."""
    keys: set[Key] = set()
    page = 1
    while True:
        body = _results(client, per_page=100, page=page)
        keys |= {(r["title"], r["provider"]["name"]) for r in body["results"]}
        if page * 100 >= body["total"]:
            return keys
        page += 1


@dataclass(frozen=True)
class Score:
    query: str
    ndcg: float
    relevant_in_top: int
    relevant: int
    unreachable: int


def evaluate(client: Any, judged: list[JudgedQuery]) -> list[Score]:
    """Run every judged query through the API and score its first K results."""
    reachable = public_keys(client)
    scores = []
    for item in judged:
        body = _results(client, q=item.query, per_page=K)
        ranked = [item.grades.get((r["title"], r["provider"]["name"]), 0) for r in body["results"]]
        ideal = [g for key, g in item.grades.items() if key in reachable]
        scores.append(
            Score(
                query=item.query,
                ndcg=ndcg(ranked, ideal),
                relevant_in_top=sum(1 for g in ranked if g >= 2),
                relevant=sum(1 for g in ideal if g >= 2),
                unreachable=sum(1 for key in item.grades if key not in reachable),
            )
        )
    return scores


def seed_instance(instance: Instance) -> dict[str, float]:
    """Load and index the seed directory into `instance`; return timings."""
    seed_s, _ = instance.broker("seed")
    rebuild_s, _ = instance.broker("index", "rebuild")
    return {"seed_s": seed_s, "rebuild_s": rebuild_s}


def run() -> dict[str, float]:
    """Print nDCG@10 per judged query and the mean; return the summary figures."""
    from broker import create_app

    judged = load_judgements()
    with temporary_instance("broker-relevance-") as instance:
        seed_instance(instance)
        old = instance.apply_environment()
        try:
            app = create_app()
            scores = evaluate(app.test_client(), judged)
            close_app(app)
        finally:
            restore_environment(old)
    print(f"\nRelevance: nDCG@{K} over {len(scores)} judged queries (seed directory)")
    print(f"  {'query':40} {'nDCG':>6} {'good in top':>12} {'not public':>11}")
    for s in sorted(scores, key=lambda s: s.ndcg):
        print(
            f"  {s.query:40} {s.ndcg:6.3f} {s.relevant_in_top:>5} of {min(s.relevant, K):<4}"
            f" {s.unreachable:>9}"
        )
    mean = sum(s.ndcg for s in scores) / len(scores)
    print(f"  {'mean':40} {mean:6.3f}")
    return {"queries": len(scores), "mean_ndcg": mean, "min_ndcg": min(s.ndcg for s in scores)}


if __name__ == "__main__":
    run()
