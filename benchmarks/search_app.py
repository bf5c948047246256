"""Search through the application at scale: index build, query latency, overhead, freshness, memory.

Usage: python -m benchmarks.search_app [-n 10000]
For N synthetic listings in a temporary instance: `broker seed --synthetic N`, `broker index
rebuild` (timed: bulk index rate), index size on disk; then a real HTTP server (werkzeug, in its
own process) answers GET /api/v1/listings for 30+ queries with filters and facets, and the same
queries run against the bare backend, so the application's overhead is visible; then the time
from a committed change to seeing it in the server's results; then the server's peak memory.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from benchmarks.instance import (
    Instance,
    close_app,
    folder_size,
    indexed_count,
    restore_environment,
    temporary_instance,
)

#: Timed passes over the query set (after one warm-up pass).
ROUNDS = 5
#: Changes committed to measure update-to-visible latency.
CHANGES = 5

#: 36 searches a SIP or head might make: words, filters, facets, sorts, pages. "LA" and "LA2" are
#: replaced by the two LAs with most listings once the data is loaded.
QUERIES: list[dict[str, Any]] = [
    {},
    {"q": "phonics"},
    {"q": "phonics KS1", "phase": "primary"},
    {"q": "maths"},
    {"q": "numeracy", "phase": "primary", "cost": "free"},
    {"q": "autism outreach"},
    {"q": "ASD", "phase": "special"},
    {"q": "SEND", "category": "inclusion-sen-and-vulnerable-groups"},
    {"q": "special educational needs", "la": "LA"},
    {"q": "governor training"},
    {"q": "governors", "category": "governance", "region": "north-west"},
    {"q": "behaviour", "phase": ["secondary", "pru"]},
    {"q": "BESD"},
    {"q": "attendance", "la": "LA"},
    {"q": "persistent absence", "sort": "recommended"},
    {"q": "safeguarding", "delivery": "training-course-cpd"},
    {"q": "EYFS"},
    {"q": "early years outdoor", "phase": "early-years"},
    {"q": "data", "category": "assessment-data-and-target-setting"},
    {"q": "RAISEonline"},
    {"q": "coaching headteachers", "kind": "independent-consultant"},
    {"q": "leadership", "page": 3},
    {"q": "EAL new arrivals", "pupil_group": "eal"},
    {"q": "free school meals", "pupil_group": "free-school-meals"},
    {"q": "dyslexia", "sen": "spld"},
    {"q": "transition", "phase": ["primary", "secondary"]},
    {"q": "reading", "sort": "title"},
    {"q": "writing boys", "pupil_group": "boys-achievement"},
    {"q": "science"},
    {"q": "ICT", "region": "london"},
    {"phase": "secondary"},
    {"category": "governance", "cost": ["free", "funded"]},
    {"region": "south-east", "sort": "recent"},
    {"la": ["LA", "LA2"], "phase": "primary"},
    {"ecm": "stay-safe", "delivery": "online-remote"},
    {"kind": "school-to-school", "sen": ["asd", "besd"], "per_page": 50},
]


def _fill(params: dict[str, Any], las: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == "la":
            values = value if isinstance(value, list) else [value]
            out[key] = [las[0] if v == "LA" else las[1] for v in values]
        else:
            out[key] = value
    return out


# --- the server, in its own process ------------------------------------------------------


def serve() -> None:
    """Serve the app on a free port (printed as JSON), until standard input closes."""
    import logging

    from werkzeug.serving import make_server

    from broker import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(json.dumps({"port": server.server_port, "pid": os.getpid()}), flush=True)
    sys.stdin.read()  # the benchmark closes our stdin when it is done
    server.shutdown()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"maxrss_kb": peak_kb}), flush=True)


class Server:
    """The app in a child process behind werkzeug's threaded server."""

    def __init__(self, instance: Instance) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.search_app", "--serve"],
            env=instance.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        hello = json.loads(self.process.stdout.readline())
        self.port = int(hello["port"])

    def get(self, path: str, params: dict[str, Any] | None = None) -> tuple[float, dict[str, Any]]:
        """GET a JSON document; return (seconds, body)."""
        url = path + ("?" + urlencode(params, doseq=True) if params else "")
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", url)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"GET {url}: HTTP {response.status} {body[:300]!r}")
        return elapsed, json.loads(body)

    def rss_kb(self) -> int:
        """Return the server's resident memory now (Linux /proc)."""
        try:
            with open(f"/proc/{self.process.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def stop(self) -> int:
        """Stop the server; return its peak resident memory in kB (getrusage maxrss)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        line = self.process.stdout.readline()
        self.process.wait(timeout=30)
        return int(json.loads(line)["maxrss_kb"]) if line else 0


# --- measuring ---------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Figures:
    listings: int
    indexed: int = 0
    seed_s: float = 0.0
    rebuild_s: float = 0.0
    index_mb: float = 0.0
    cold_ms: float = 0.0
    app_ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)
    visible_ms: list[float] = field(default_factory=list)
    commit_ms: list[float] = field(default_factory=list)
    rss_mb: float = 0.0
    maxrss_mb: float = 0.0
    queries: int = 0
    total_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.indexed / self.rebuild_s if self.rebuild_s else 0.0

    def row(self) -> dict[str, str]:
        p50, p95 = percentile(self.app_ms, 50), percentile(self.app_ms, 95)
        b50, b95 = percentile(self.bare_ms, 50), percentile(self.bare_ms, 95)
        return {
            "listings": f"{self.listings:,}",
            "indexed": f"{self.indexed:,}",
            "seed s": f"{self.seed_s:.0f}",
            "rebuild s": f"{self.rebuild_s:.1f}",
            "index/s": f"{self.rate:.0f}",
            "index MB": f"{self.index_mb:.1f}",
            "cold ms": f"{self.cold_ms:.0f}",
            "app p50/p95 ms": f"{p50:.1f} / {p95:.1f}",
            "bare p50/p95 ms": f"{b50:.1f} / {b95:.1f}",
            "app/bare p50, p95": f"{p50 / b50:.2f}x, {p95 / b95:.2f}x" if b50 and b95 else "-",
            "visible ms med/max": (
                f"{statistics.median(self.visible_ms):.0f} / {max(self.visible_ms):.0f}"
                if self.visible_ms
                else "-"
            ),
            "server MB rss/peak": f"{self.rss_mb:.0f} / {self.maxrss_mb:.0f}",
        }


def _bare_queries(app: Any, params: list[dict[str, Any]]) -> list[Any]:
    """Translate the API parameters into index Queries exactly as the application does."""
    from broker import db
    from broker.search import services

    with db.new_session(app) as session:
        vocabularies = services.facet_vocabularies(session)
    queries = []
    for p in params:
        args = {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in p.items()}
        request = services.parse(args, vocabularies, strict=True)
        queries.append(services.to_query(request, tuple(vocabularies)))
    return queries


def _time_bare(backend: Any, queries: list[Any], rounds: int) -> list[float]:
    for query in queries:  # warm-up
        backend.search(query)
    timings = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            backend.search(query)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _update_to_visible(app: Any, server: Server, listing_id: int, changes: int) -> tuple:  # type: ignore[type-arg]
    """Commit title changes through a session with the outbox; poll the server until each shows."""
    from broker import db
    from broker.models import Listing, utcnow
    from broker.search import outbox

    visible, commits = [], []
    for n in range(changes):
        token = f"freshness{n}x{int(time.time())}"
        with db.new_session(app) as session:
            listing = session.get(Listing, listing_id)
            assert listing is not None
            listing.title = f"{listing.title.split(' freshness')[0]} {token}"
            listing.updated_at = utcnow()
            outbox.listings_changed(session, [listing_id])
            started = time.perf_counter()
            session.commit()  # after commit, this process applies the log to the shared index
            commits.append((time.perf_counter() - started) * 1000)
        deadline = started + 10
        while time.perf_counter() < deadline:
            _elapsed, body = server.get("/api/v1/listings", {"q": token, "per_page": 1})
            hits = [r["id"] for r in body["results"]]
            if not body.get("corrected") and hits == [listing_id]:
                visible.append((time.perf_counter() - started) * 1000)
                break
            time.sleep(0.01)
        else:
            visible.append(float("inf"))
    return visible, commits


def run(n: int, rounds: int = ROUNDS) -> Figures:
    """Build an instance of `n` synthetic listings and measure it; print and return the figures."""
    from broker import create_app
    from index import backends

    figures = Figures(listings=n)
    began = time.perf_counter()
    print(f"\nSearch through the application: {n:,} synthetic listings", flush=True)
    with temporary_instance(f"broker-bench-{n}-") as instance:
        figures.seed_s, _ = instance.broker("seed", "--synthetic", str(n))
        print(f"  seeded in {figures.seed_s:.1f} s", flush=True)
        figures.rebuild_s, output = instance.broker("index", "rebuild")
        figures.indexed = indexed_count(output)
        figures.index_mb = folder_size(instance.index_dir) / 1e6
        print(
            f"  index rebuilt: {figures.indexed:,} listings in {figures.rebuild_s:.1f} s "
            f"({figures.rate:.0f}/s, CLI start-up included), {figures.index_mb:.1f} MB",
            flush=True,
        )
        server = Server(instance)
        old = instance.apply_environment()
        app = create_app()
        bare = backends.create(app.config["SEARCH_BACKEND"], path=str(instance.index_dir))
        try:
            cold, first = server.get("/api/v1/listings", {"per_page": 1})
            figures.cold_ms = cold * 1000
            las = [c["value"] for c in sorted(first["facets"]["la"], key=lambda c: -c["count"])[:2]]
            params = [_fill(p, las) for p in QUERIES]
            figures.queries = len(params)
            for p in params:  # warm-up: every query once
                server.get("/api/v1/listings", p)
            for _ in range(rounds):
                for p in params:
                    elapsed, _body = server.get("/api/v1/listings", p)
                    figures.app_ms.append(elapsed * 1000)
            figures.bare_ms = _time_bare(bare, _bare_queries(app, params), rounds)
            _e, some = server.get("/api/v1/listings", {"q": "phonics", "per_page": 1})
            figures.visible_ms, figures.commit_ms = _update_to_visible(
                app, server, some["results"][0]["id"], CHANGES
            )
            figures.rss_mb = server.rss_kb() / 1024
        finally:
            bare.close()
            close_app(app)
            restore_environment(old)
            figures.maxrss_mb = server.stop() / 1024
    figures.total_s = time.perf_counter() - began
    _print(figures)
    return figures


def _print(f: Figures) -> None:
    print(f"  {f.queries} queries, {len(f.app_ms)} timed requests (after a warm-up round):")
    print(
        f"    through the app (HTTP): p50 {percentile(f.app_ms, 50):.1f} ms, "
        f"p95 {percentile(f.app_ms, 95):.1f} ms, max {max(f.app_ms):.1f} ms"
    )
    print(
        f"    bare backend:           p50 {percentile(f.bare_ms, 50):.1f} ms, "
        f"p95 {percentile(f.bare_ms, 95):.1f} ms, max {max(f.bare_ms):.1f} ms"
    )
    print(f"    first request after start (cold): {f.cold_ms:.0f} ms")
    print(
        "  update to visible in the server (ms): "
        + ", ".join(f"{v:.0f}" for v in f.visible_ms)
        + f" (commit incl. this process's index sync: median {statistics.median(f.commit_ms):.0f})"
    )
    print(f"  server memory: {f.rss_mb:.0f} MB resident after the run, peak {f.maxrss_mb:.0f} MB")
    print(f"  ({f.total_s:.0f} s for this size)")


def print_summary(rows: list[Figures]) -> None:
    """Print one table row per size."""
    if not rows:
        return
    table = [r.row() for r in rows]
    headers = list(table[0])
    widths = {h: max(len(h), *(len(t[h]) for t in table)) for h in headers}
    print("  " + "  ".join(h.rjust(widths[h]) for h in headers))
    for t in table:
        print("  " + "  ".join(t[h].rjust(widths[h]) for h in headers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--listings", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    print_summary([run(args.listings, args.rounds)])


if __name__ == "__main__":
    main()
