"""Measure the matcher's quality on judged needs (`python -m benchmarks.matching`).

Loads the demo directory into a temporary SQLite database (`broker seed`), builds the index
(`broker index rebuild`), runs every need of tests/relevance/match_judgements.json through
broker.matching.services.suggest and prints nDCG@10 per need and the mean, with the time taken.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import Session, col, select

JUDGEMENTS = (
    Path(__file__).resolve().parent.parent / "tests" / "relevance" / "match_judgements.json"
)
K = 10


def load_judgements(path: Path = JUDGEMENTS) -> list[dict[str, Any]]:
    """Return the judged needs."""
    return list(json.loads(path.read_text(encoding="utf-8"))["needs"])


def school_of(raw: dict[str, Any]) -> Any:
    from broker.matching.services import SchoolContext

    return SchoolContext(
        phase=raw.get("phase"),
        la_code=raw.get("la_code"),
        region=raw.get("region"),
        type=raw.get("type"),
        sen_specialisms=tuple(raw.get("sen_specialisms", ())),
    )


def need_of(raw: dict[str, Any]) -> Any:
    from broker.matching.services import Need

    return Need(
        text=raw["text"],
        category=raw.get("category"),
        ecm_outcomes=tuple(raw.get("ecm_outcomes", ())),
        pupil_groups=tuple(raw.get("pupil_groups", ())),
    )


def listing_ids(session: Session, judged: Sequence[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Return {(title, provider name): listing id} for the judged listings (all must exist)."""
    from broker.models import Listing, Provider

    wanted = {(j["title"], j["provider"]) for j in judged}
    rows = session.exec(
        select(Listing.id, Listing.title, Provider.name)
        .join(Provider, col(Provider.id) == Listing.provider_id)
        .where(col(Listing.title).in_({t for t, _ in wanted}))
    ).all()
    found = {(title, name): int(lid or 0) for lid, title, name in rows if (title, name) in wanted}
    missing = wanted - set(found)
    if missing:
        raise LookupError(f"Judged listings not in the directory: {sorted(missing)}")
    return found


def ndcg(ranked: Sequence[int], grades: dict[int, int], k: int = K) -> float:
    """Return nDCG@k of `ranked` ids under graded judgements (gain 2^grade - 1)."""

    def dcg(gains: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    if ideal == 0:
        return 0.0
    return dcg([grades.get(i, 0) for i in ranked]) / ideal


def baseline(app: Flask, needs: Sequence[dict[str, Any]]) -> list[float]:
    """Return nDCG@10 of the plain directory search for each need: its words, same hard filters."""
    from broker import db
    from broker.matching.services import school_phases
    from broker.search.engine import get_engine
    from index.documents import Query

    backend = get_engine(app).backend
    out = []
    with app.app_context(), db.new_session(app) as session:
        for item in needs:
            ids = listing_ids(session, item["judgements"])
            grades = {ids[(j["title"], j["provider"])]: int(j["grade"]) for j in item["judgements"]}
            school = school_of(item["school"])
            filters = {"phase": school_phases(school), "la": frozenset({school.la_code})}
            results = backend.search(
                Query(text=item["need"]["text"], filters=tuple(filters.items()), per_page=K)
            )
            out.append(ndcg([hit.id for hit in results.hits], grades))
    return out


def evaluate(app: Flask, needs: Sequence[dict[str, Any]]) -> list[tuple[str, float, float]]:
    """Return (need id, nDCG@10, seconds) for every judged need."""
    from broker import db
    from broker.matching.services import suggest
    from broker.search.engine import get_engine

    engine = get_engine(app)
    out = []
    # The search engine may hold `current_app` (created by a CLI command): keep a context.
    with app.app_context(), db.new_session(app) as session:
        for item in needs:
            ids = listing_ids(session, item["judgements"])
            grades = {ids[(j["title"], j["provider"])]: int(j["grade"]) for j in item["judgements"]}
            started = time.perf_counter()
            found = suggest(session, engine, school_of(item["school"]), need_of(item["need"]), K)
            elapsed = time.perf_counter() - started
            out.append((item["id"], ndcg([int(s.listing.id or 0) for s in found], grades), elapsed))
    return out


@contextmanager
def seeded_app() -> Iterator[Flask]:
    """Yield an app on a temporary database holding the demo directory and its index."""
    from broker import create_app, db

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("BROKER_INSTANCE_PATH", str(Path(tmp) / "instance"))
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "benchmark",
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                "INDEX_DIR": str(Path(tmp) / "index"),
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        try:
            runner = app.test_cli_runner()
            with app.app_context():
                for args in (["init-db"], ["seed"], ["index", "rebuild"]):
                    result = runner.invoke(args=args)
                    if result.exit_code != 0:
                        raise RuntimeError(f"broker {' '.join(args)} failed: {result.output}")
            yield app
        finally:
            engine = app.extensions.pop("broker.search", None)
            if engine is not None:
                engine.close()
            db.dispose(app)


def main() -> int:
    needs = load_judgements()
    with seeded_app() as app:
        rows = evaluate(app, needs)
        plain = baseline(app, needs)
    width = max(len(name) for name, _, _ in rows)
    print(f"Matcher quality: nDCG@{K} on {len(rows)} judged needs (seed directory)")
    print(f"  {'need':<{width}}  matcher  plain search  time")
    for (name, score, seconds), base in zip(rows, plain, strict=True):
        print(f"  {name:<{width}}  {score:7.3f}  {base:12.3f}  {seconds * 1000:.0f} ms")
    mean = statistics.fmean(score for _, score, _ in rows)
    p50 = statistics.median(seconds for _, _, seconds in rows) * 1000
    print(
        f"  {'mean':<{width}}  {mean:7.3f}  {statistics.fmean(plain):12.3f}  "
        f"median {p50:.0f} ms per need"
    )
    print("  (plain search: the need's words as a directory search with the same hard filters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
