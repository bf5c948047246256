"""Benchmark the bare search backend: bulk index rate, size on disk, query latency with facets.

Usage: python benchmarks/bare_backend.py [--large] [--backend whoosh] [-n N]
Prints figures; asserts nothing. Targets: p95 <= 50 ms at 10,000 listings, 250 ms at 100,000.
Each latency is given as wall time and as the search thread's CPU time: on a shared machine the
CPU time is what the search itself costs, the wall time what it got.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import schema  # noqa: E402
from index.backends import create  # noqa: E402
from index.documents import Document, Query  # noqa: E402

SUBJECTS = [
    "phonics",
    "reading",
    "writing",
    "literacy",
    "mathematics",
    "numeracy",
    "maths",
    "science",
    "ICT",
    "history",
    "geography",
    "music",
    "languages",
    "PE",
    "art",
    "design",
    "technology",
    "citizenship",
    "PSHE",
    "assessment",
    "behaviour",
    "attendance",
    "safeguarding",
    "governance",
    "leadership",
    "coaching",
    "mentoring",
    "moderation",
    "curriculum",
    "inclusion",
    "autism",
    "dyslexia",
    "SEN",
    "EAL",
    "transition",
    "wellbeing",
    "attainment",
    "progress",
    "data",
    "tracking",
    "intervention",
]
NOUNS = [
    "programme",
    "course",
    "consultancy",
    "network",
    "partnership",
    "review",
    "audit",
    "training",
    "support",
    "toolkit",
    "workshop",
    "conference",
    "clinic",
    "service",
    "package",
    "project",
    "pathway",
]
FILLER = [
    "schools",
    "pupils",
    "teachers",
    "leaders",
    "staff",
    "children",
    "families",
    "outcomes",
    "standards",
    "classroom",
    "practice",
    "improvement",
    "evaluation",
    "planning",
    "learning",
    "teaching",
    "whole",
    "school",
    "approach",
    "evidence",
    "impact",
    "sustainable",
    "bespoke",
    "tailored",
    "experienced",
    "practical",
    "hands-on",
    "accredited",
    "national",
    "local",
    "primary",
    "secondary",
    "special",
    "early",
    "years",
    "key",
    "stage",
    "writing",
    "reading",
    "number",
    "confidence",
    "skills",
    "governors",
    "heads",
    "middle",
    "senior",
    "subject",
    "targets",
    "achievement",
    "progress",
    "quality",
    "provision",
]
FACET_VALUES = {
    "category": [f"cat-{i}" for i in range(10)],
    "ecm": [f"ecm-{i}" for i in range(5)],
    "phase": ["early-years", "primary", "secondary", "special", "pru", "post-16", "all-through"],
    "sen": ["pmld", "sld", "mld", "besd", "asd", "slcn", "hi", "vi", "msi", "pd", "spld"],
    "pupil_group": [f"group-{i}" for i in range(8)],
    "kind": [f"kind-{i}" for i in range(8)],
    "delivery": [f"delivery-{i}" for i in range(7)],
    "cost": ["free", "funded", "traded", "paid"],
}
REGIONS = [f"region-{i}" for i in range(9)]
LAS = {r: [f"E{i:02d}{j:03d}" for j in range(17)] for i, r in enumerate(REGIONS)}
ALL_LAS = [la for las in LAS.values() for la in las]


def sentence(rng: random.Random, words: int) -> str:
    picks = [rng.choice(FILLER if rng.random() < 0.7 else SUBJECTS) for _ in range(words)]
    return " ".join(picks).capitalize() + "."


def generate(n: int, seed: int = 1) -> list[Document]:
    """Return `n` synthetic listings with realistic words and facet spreads."""
    rng = random.Random(seed)
    start = datetime(2008, 1, 1)
    docs = []
    for i in range(1, n + 1):
        subject = rng.choice(SUBJECTS)
        title = f"{subject.capitalize()} {rng.choice(SUBJECTS)} {rng.choice(NOUNS)}"
        reach = rng.random()
        if reach < 0.15:  # national or online: serves everywhere
            regions, las = REGIONS, ALL_LAS
        elif reach < 0.45:
            regions = rng.sample(REGIONS, rng.randint(1, 2))
            las = [la for r in regions for la in LAS[r]]
        else:
            region = rng.choice(REGIONS)
            regions, las = [region], rng.sample(LAS[region], rng.randint(1, 3))
        facets = {
            f.attr: tuple(
                rng.sample(FACET_VALUES[f.name], rng.randint(1, 3 if f.name != "cost" else 1))
            )
            for f in schema.FIELDS
            if f.name in FACET_VALUES
        }
        docs.append(
            Document(
                id=i,
                title=title,
                summary=sentence(rng, rng.randint(12, 25)),
                description=" ".join(
                    sentence(rng, rng.randint(10, 20)) for _ in range(rng.randint(4, 10))
                ),
                provider_id=rng.randint(1, max(2, n // 5)),
                provider_name=f"{rng.choice(FILLER).capitalize()} {rng.choice(NOUNS).capitalize()} Ltd",
                regions=tuple(regions),
                local_authorities=tuple(las),
                recommendations=rng.randint(0, 12),
                assured_at=start + timedelta(days=rng.randint(0, 900)),
                **facets,
            )
        )
    return docs


def queries(rng: random.Random, count: int) -> list[Query]:
    """Return `count` queries: words, synonyms, filters, facets, sorts and pages."""
    texts = [
        "",
        "phonics",
        "maths",
        "numeracy coaching",
        "special educational needs",
        "SEN",
        "leadership programme",
        "key stage 2 writing",
        "autism",
        "behaviour attendance",
        "governance review",
        "reading intervention",
        "science",
        "early years",
        "ICT training",
        "assessment data tracking",
        "phonicks",
        "mathematics mentoring network",
        '"whole school"',
        "transition -secondary",
        "EAL",
        "safeguarding",
        "dyslexia support",
        "moderation",
        "wellbeing",
        "curriculum design",
        "middle leaders",
        "coach*",
        "title:(phonics",
        "quality provision evidence impact",
    ]
    out = []
    for i in range(count):
        text = texts[i % len(texts)]
        filters = {}
        for name in rng.sample(list(FACET_VALUES), rng.randint(0, 2)):
            filters[name] = frozenset(rng.sample(FACET_VALUES[name], rng.randint(1, 2)))
        if rng.random() < 0.5:
            filters["la"] = frozenset([rng.choice(ALL_LAS)])
        out.append(
            Query(
                text=text,
                filters=tuple(filters.items()),
                facets=schema.FACETS,
                sort=rng.choice(("relevance", "relevance", "title", "recommended", "recent")),
                page=rng.choice((1, 1, 1, 2, 5)),
                per_page=20,
                tie_seed=rng.randint(0, 1000),
            )
        )
    return out


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Timer:
    """Collect wall and thread-CPU milliseconds of timed calls."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def time(self, call):  # type: ignore[no-untyped-def]
        t0, c0 = time.perf_counter(), time.thread_time()
        out = call()
        self.cpu.append(1000 * (time.thread_time() - c0))
        self.wall.append(1000 * (time.perf_counter() - t0))
        return out

    def summary(self) -> str:
        return (
            f"p50 {statistics.median(self.wall):.1f} ms, p95 {percentile(self.wall, 95):.1f} ms, "
            f"max {max(self.wall):.1f} ms (CPU p50 {statistics.median(self.cpu):.1f}, "
            f"p95 {percentile(self.cpu, 95):.1f}, max {max(self.cpu):.1f})"
        )


def run(n: int, engine: str, rounds: int) -> None:
    docs = generate(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index"
        backend = create(engine, path=path)
        started, cpu = time.perf_counter(), time.process_time()
        backend.rebuild(docs, 1)
        build, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"\n== {engine}, {n:,} listings")
        print(
            f"bulk index: {build:.1f} s, {n / build:,.0f} listings/s "
            f"(CPU {cpu:.1f} s, {n / cpu:,.0f} listings per CPU second)"
        )
        print(f"index size on disk: {folder_size(path) / 1e6:.1f} MB")

        started = time.perf_counter()
        backend.search(Query(facets=schema.FACETS))
        print(
            f"first search (opens searcher, builds facet bitmaps): {1000 * (time.perf_counter() - started):.0f} ms"
        )

        rng = random.Random(7)
        qs = queries(rng, 40)
        cold = Timer()
        cold_of: dict[str, float] = {}
        for q in qs:  # the first use of each query's words in this process: the cold figures
            cold.time(lambda q=q: backend.search(q))
            cold_of.setdefault(q.text, cold.wall[-1])
        print(f"cold (first use of each query's words): {cold.summary()}")
        slowest = sorted(cold_of.items(), key=lambda kv: -kv[1])[:5]
        print("slowest cold texts (ms):", ", ".join(f"{t!r} {v:.1f}" for t, v in slowest))
        warm = Timer()
        for _ in range(rounds):
            for q in qs:
                warm.time(lambda q=q: backend.search(q))
        print(
            f"warm, {len(qs)} queries x {rounds} (filters, all {len(schema.FACETS)} facet counts, "
            f"sorts, pages): {warm.summary()}"
        )
        per_text: dict[str, list[float]] = {}
        for _ in range(3):
            for q in qs:
                t0 = time.perf_counter()
                backend.search(q)
                per_text.setdefault(q.text, []).append(1000 * (time.perf_counter() - t0))
        slowest = sorted(per_text.items(), key=lambda kv: -statistics.median(kv[1]))[:5]
        print(
            "slowest warm texts (median ms):",
            ", ".join(f"{t!r} {statistics.median(v):.1f}" for t, v in slowest),
        )

        # Update to visible: apply one change, then the next search sees it.
        changed = Document(**{**docs[0].__dict__, "title": "Zyxwvut benchmark listing"})
        t0 = time.perf_counter()
        backend.apply([changed], [], 2)
        applied = time.perf_counter() - t0
        found = backend.search(Query(text="zyxwvut", facets=schema.FACETS)).total
        visible = time.perf_counter() - t0
        print(
            f"apply one change: {1000 * applied:.0f} ms; visible to the next search after {1000 * visible:.0f} ms (found {found})"
        )
        after = Timer()
        for q in qs:
            after.time(lambda q=q: backend.search(q))
        print(f"after a commit (new searcher, postings cache kept): {after.summary()}")
        backend.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", action="store_true", help="also run at 100,000 listings")
    parser.add_argument("--backend", default="whoosh")
    parser.add_argument("-n", type=int, action="append", help="listing counts (default 10,000)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = args.n or [10_000]
    if args.large:
        sizes.append(100_000)
    for n in sizes:
        run(n, args.backend, args.rounds)


if __name__ == "__main__":
    main()
