"""`make bench`: relevance, search through the application for each backend side by side, the
matcher's quality, the printed directory and the offline bundle (of an LA of 500 listings and of
the largest LA of the 10,000 or, with --large, 100,000 synthetic listings); then issue 8's
table, its goals, and the change since the previous run (benchmarks/results/last.json).

Default: 10,000 synthetic listings, tantivy and Whoosh (about 10-15 minutes on 2 cores, most of
it Whoosh's rebuild). `--large` (or BENCH_LARGE=1) adds 100,000 listings for tantivy; Whoosh at
100,000 is skipped unless `--whoosh-large` (its rebuild alone takes tens of minutes).
`--backend NAME` (repeatable) measures only those backends; `--search-only` skips relevance,
the matcher, the printed directory and the offline bundle. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import history, relevance, search_app
from benchmarks.instance import load_average, server_kind

SMALL, LARGE = 10_000, 100_000
ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def _git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also run 100,000 listings")
    parser.add_argument(
        "--whoosh-large", action="store_true", help="measure Whoosh at 100,000 listings too"
    )
    parser.add_argument("--backend", action="append", choices=search_app.BACKENDS)
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="skip relevance, the matcher and the printed directory",
    )
    args = parser.parse_args()
    large = args.large or _flag("BENCH_LARGE")
    whoosh_large = args.whoosh_large or _flag("BENCH_WHOOSH_LARGE")
    backends = tuple(args.backend or search_app.BACKENDS)

    started = datetime.now(UTC)
    load_before = load_average()
    print(
        f"make bench, {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"{load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} (1/5/15 min); "
        f"server: {server_kind()}",
        flush=True,
    )
    previous = history.load_all()

    quality = None if args.search_only else relevance.run(quiet=True)
    rows: list[search_app.Figures] = search_app.run(SMALL, backends)
    if large:
        skip = {}
        if "whoosh" in backends and not whoosh_large:
            skip["whoosh"] = _whoosh_large_reason(rows)
        rows += search_app.run(LARGE, backends, skip)

    if not args.search_only:
        print("\nPrinted directory (benchmarks/hardcopy.py):", flush=True)
        subprocess.run([sys.executable, "-m", "benchmarks.hardcopy"], check=False)
        print("\nOffline bundle (benchmarks/offline.py):", flush=True)
        size = str(LARGE if large else SMALL)
        subprocess.run(
            [sys.executable, "-m", "benchmarks.offline", "--synthetic", size], check=False
        )

    load_after = load_average()
    finished = datetime.now(UTC)
    run: dict[str, Any] = {
        "started": f"{started:%Y-%m-%d %H:%M} UTC",
        "minutes": round((finished - started).total_seconds() / 60, 1),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "commit": _git_commit(),
        "server": server_kind(),
        "load_average": {"before": list(load_before), "after": list(load_after)},
        "settings": {
            "queries": len(search_app.QUERIES),
            "rounds": search_app.ROUNDS,
            "changes": search_app.CHANGES,
            "cold_starts": search_app.COLD_STARTS,
            "workers": search_app.WORKERS,
            "threads": search_app.THREADS,
            "throughput_s": search_app.THROUGHPUT_S,
        },
        "relevance": quality,
        "rows": [r.summary() for r in rows],
    }

    print("\nSummary")
    if quality is not None:
        for name, figures in quality.items():
            print(
                f"  relevance, {name}: mean nDCG@10 {figures['mean_ndcg']:.3f} over "
                f"{figures['items']} (worst {figures['min_ndcg']:.3f}); must-not shown "
                f"{figures['violations']}; {figures['shown']:.1f} shown, "
                f"{figures['judged_share']:.0%} of them judged of use"
            )
    print(
        f"\nSearch, top 20 with every facet counted, {len(search_app.QUERIES)} queries "
        f"(server: {server_kind()}; {os.cpu_count()} cores; load average "
        f"{load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end; "
        f"{run['minutes']} minutes in all):"
    )
    print("\n".join(search_app.table(rows)))
    print("\nGoals (issue 8; printed, never asserted):")
    print("\n".join(search_app.goals(rows)))
    print("\nChange since the previous run:")
    print("\n".join(history.deltas(previous, run)))
    history.save(run)
    print(f"  (saved to {history.LAST.relative_to(ROOT)})")


def _whoosh_large_reason(rows: list[search_app.Figures]) -> str:
    small = next((r for r in rows if r.backend == "whoosh" and r.rate), None)
    if small is None:
        return "its rebuild is slow; run with --whoosh-large to measure it"
    minutes = LARGE / small.rate / 60
    return (
        f"its rebuild would take about {minutes:.0f} min at the 10,000 rate of "
        f"{small.rate:.0f} listings/s; run with --whoosh-large to measure it"
    )


if __name__ == "__main__":
    main()
