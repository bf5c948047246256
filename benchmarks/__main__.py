"""`make bench`: relevance, search through the application at 10,000 and 100,000 listings, the
matcher's quality and the printed directory.

100,000 runs with --large or BENCH_LARGE=1, or by default when the 10,000 run suggests it fits
in about ten minutes. The index layer's own benchmarks/bare_backend.py is run separately.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from benchmarks import relevance, search_app

#: Seconds the 100,000 run may take by default (estimated from the 10,000 run).
LARGE_BUDGET_S = 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="always run 100,000 listings")
    parser.add_argument("--small-only", action="store_true", help="never run 100,000 listings")
    args = parser.parse_args()
    large = args.large or os.environ.get("BENCH_LARGE", "") not in ("", "0")

    quality = relevance.run()
    rows = [search_app.run(10_000)]
    small = rows[0]
    # Seeding and indexing grow about linearly; searches a little faster than linearly.
    estimate = 10 * (small.seed_s + small.rebuild_s) + 3 * (small.total_s - small.seed_s)
    if large or (not args.small_only and estimate <= LARGE_BUDGET_S):
        rows.append(search_app.run(100_000))
    else:
        print(
            f"\n100,000 listings skipped: estimated {estimate / 60:.0f} min "
            f"(over {LARGE_BUDGET_S // 60}); run with --large or BENCH_LARGE=1."
        )

    print("\nMatcher quality (benchmarks/matching.py):", flush=True)
    subprocess.run([sys.executable, "-m", "benchmarks.matching"], check=False)
    print("\nPrinted directory (benchmarks/hardcopy.py):", flush=True)
    subprocess.run([sys.executable, "-m", "benchmarks.hardcopy"], check=False)

    print("\nSummary")
    print(
        f"  relevance: mean nDCG@10 {quality['mean_ndcg']:.3f} over {quality['queries']} "
        f"judged queries (worst {quality['min_ndcg']:.3f})"
    )
    search_app.print_summary(rows)
    print(
        "  targets: p95 <= 50 ms at 10,000 and <= 250 ms at 100,000; app within 1.2x of its "
        "bare backend; a change visible within 1 s."
    )


if __name__ == "__main__":
    main()
