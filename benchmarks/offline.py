"""Time the offline bundle of one LA's directory (`python -m benchmarks.offline`).

Two cases, each printing the bundle's size (its JSON, and gzipped as the cache keeps and sends
it), its listing count, the size of its vocabulary, and the seconds to build it (the first build,
compression included, is cold; the cached answer after it is what every other device of the LA
gets until the next change):

- an LA of 500 serving listings (`--listings`), in a temporary SQLite database at the real schema
  (the printed directory benchmark's data: benchmarks/hardcopy.py);
- the LA served by the most listings of a synthetic directory of `--synthetic` listings
  (default 100,000: `broker seed --synthetic N`, which takes minutes; 0 skips it).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson
from sqlmodel import Session, col, select

from benchmarks import hardcopy
from benchmarks.instance import close_app, restore_environment, temporary_instance
from broker import create_app, db, migrate
from broker.evidence import public_clause
from broker.geography import Geography
from broker.models import Listing
from broker.offline import services

DEFAULT_LISTINGS = 500
DEFAULT_SYNTHETIC = 100_000


def measure(session: Session, la_code: str, label: str, runs: int = 2) -> None:
    """Build the LA's bundle `runs` times through the cache (cold, then cached) and print figures."""
    cache = services.BundleCache()
    timings = []
    kept = None
    started_cpu = time.process_time()
    cold_cpu = 0.0
    for run in range(runs):
        started = time.perf_counter()
        kept = cache.get(session, la_code)
        timings.append(time.perf_counter() - started)
        if run == 0:
            cold_cpu = time.process_time() - started_cpu
    # The same bundle built again without the cache: the warm build cost (caches of stems hot).
    started = time.perf_counter()
    services.directory_bundle(session, la_code)
    rebuilt = time.perf_counter() - started
    assert kept is not None
    body = kept.json()
    bundle = orjson.loads(body)
    vocabulary = bundle["vocabulary"]
    zipped = len(kept.gzipped)
    print(
        f"offline bundle, {label}: LA {la_code}, {len(bundle['listings']):,} listings, "
        f"{len(body) / 1024:,.0f} KiB ({zipped / 1024:,.0f} KiB gzipped, as kept and sent; "
        f"{len(body) / max(1, len(bundle['listings'])):,.0f} bytes a listing), "
        f"{len(vocabulary['stems']):,} stems and {len(vocabulary['synonyms'])} synonym groups; "
        f"built cold in {timings[0]:.2f} s wall ({cold_cpu:.2f} s CPU), "
        f"again without the cache in {rebuilt:.2f} s, "
        f"from the cache in {min(timings[1:] or timings) * 1000:.1f} ms",
        flush=True,
    )


def _temporary_app(folder: Path):  # type: ignore[no-untyped-def]
    os.environ["BROKER_INSTANCE_PATH"] = str(folder / "instance")
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
            "INDEX_DIR": str(folder / "index"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def one_la(listings: int) -> None:
    """An LA with `listings` serving listings (and some that are left out)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = _temporary_app(Path(tmp))
        try:
            migrate.upgrade(db.get_engine(app))
            with Session(db.get_engine(app), expire_on_commit=False) as session:
                # populate() makes one listing in four serve another LA: ask for enough.
                la = hardcopy.populate(session, -(-listings * 4 // 3))
            with app.app_context(), Session(db.get_engine(app)) as session:
                measure(session, la.code, f"an LA of {listings:,} listings")
        finally:
            db.dispose(app)


def largest_la(session: Session) -> tuple[str, int]:
    """Return (code, count) of the LA that the most public listings serve."""
    geography = Geography.load(session)
    counts: Counter[str] = Counter()
    last_id = 0
    while True:
        rows = session.exec(
            select(Listing)
            .where(public_clause(), col(Listing.id) > last_id)
            .order_by(col(Listing.id))
            .limit(5000)
        ).all()
        if not rows:
            break
        for listing in rows:
            counts.update(geography.serves(listing)[1])
        last_id = int(rows[-1].id or 0)
        session.expunge_all()
    code, count = counts.most_common(1)[0]
    return code, count


def synthetic(n: int) -> None:
    """The LA served by the most listings of a synthetic directory of `n` listings."""
    with temporary_instance(f"broker-bench-offline-{n}-") as instance:
        print(f"Seeding {n:,} synthetic listings (broker seed --synthetic {n})...", flush=True)
        seed_s, _out = instance.broker("seed", "--synthetic", str(n))
        print(f"  seeded in {seed_s:.0f} s", flush=True)
        old = instance.apply_environment()
        app = create_app()
        try:
            with app.app_context(), Session(db.get_engine(app)) as session:
                code, count = largest_la(session)
                measure(session, code, f"the largest LA of {n:,} synthetic listings ({count:,})")
        finally:
            close_app(app)
            restore_environment(old)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=DEFAULT_LISTINGS)
    parser.add_argument(
        "--synthetic",
        type=int,
        default=DEFAULT_SYNTHETIC,
        help="listings in the synthetic directory (0: skip)",
    )
    args = parser.parse_args()
    one_la(args.listings)
    if args.synthetic:
        synthetic(args.synthetic)


if __name__ == "__main__":
    main()
