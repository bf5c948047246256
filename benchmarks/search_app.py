"""Search through the application at scale, each backend side by side (issue 8's table).

Usage: python -m benchmarks.search_app [-n 10000] [--backend tantivy --backend whoosh]

For N synthetic listings (`broker seed --synthetic N`, seeded once and shared by the backends),
for each backend (BROKER_SEARCH_BACKEND), in its own index folder:

1. `broker index rebuild`: wall and CPU time, listings per second, peak memory; size on disk.
2. The server is started COLD_STARTS times: the time until it serves a static file, then the
   first search (top 20, every facet counted), then the same search again.
3. Latency, one client, one request at a time (a new connection each, as the issue measured):
   the 36 QUERIES through `GET /api/v1/listings`; a tiny static file through the same client
   and server (the web floor); the same requests in this process through the neutral layer +
   engine and through the engine only (benchmarks.bare_backend). One warm-up round, then
   rounds of each tier in turn (so a busy machine weighs on every tier alike). The
   application's own cost is API p95 minus static p95. The server's CPU time per request is
   read from /proc: it depends much less on other work on the machine than wall time does.
4. A change visible to search: a title committed through the ORM with the change log (this
   process applies it to the index after the commit, as a web request does), then the API is
   polled until the new title is found; CHANGES times.
5. Server memory (resident and peak) after all of the above.
6. Throughput: a production-like server (WORKERS processes x THREADS threads, see
   benchmarks.instance.start_server) and 1, 2 and 4 client processes, each sending the 36
   queries in turn for THROUGHPUT_S seconds after a warm-up.

Prints figures; asserts nothing. Times are wall-clock unless called CPU.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import statistics
import string
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any
from urllib.parse import urlencode

from benchmarks import bare_backend
from benchmarks.instance import (
    STATIC_PATH,
    Instance,
    Server,
    close_app,
    folder_size,
    indexed_count,
    load_average,
    restore_environment,
    server_kind,
    start_server,
    temporary_instance,
)

BACKENDS = ("tantivy", "whoosh")
#: Timed rounds over the query set (after one warm-up round), at most and at least; fewer
#: than ROUNDS when a round is slow (ROUND_BUDGET_S).
ROUNDS = 10
MIN_ROUNDS = 2
ROUND_BUDGET_S = 60.0
#: Changes committed to measure update-to-visible latency.
CHANGES = 20
#: Server starts to measure the first search after a start.
COLD_STARTS = 3
#: The production-like server for throughput (2 cores: 2 processes of 4 threads).
WORKERS = 2
THREADS = 4
CLIENTS = (1, 2, 4)
THROUGHPUT_S = 6.0
THROUGHPUT_WARMUP_S = 2.0

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
#: The first search after a server start.
COLD_QUERY: dict[str, Any] = {"q": "phonics"}
API_PATH = "/api/v1/listings"


def _fill(params: dict[str, Any], las: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == "la":
            values = value if isinstance(value, list) else [value]
            out[key] = [las[0] if v == "LA" else las[1] for v in values]
        else:
            out[key] = value
    return out


def url_of(params: dict[str, Any] | None) -> str:
    return API_PATH + ("?" + urlencode(params, doseq=True) if params else "")


# --- The HTTP client ---------------------------------------------------------------------------


def fetch(port: int, url: str) -> tuple[float, bytes]:
    """GET `url` on a new connection (closed after the answer); return (ms, body)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", url, headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    elapsed = 1000 * (time.perf_counter() - started)
    if response.status != 200:
        raise RuntimeError(f"GET {url}: HTTP {response.status} {body[:300]!r}")
    return elapsed, body


def get_json(port: int, url: str) -> tuple[float, dict[str, Any]]:
    elapsed, body = fetch(port, url)
    return elapsed, json.loads(body)


def _client(port: int, urls: list[str], first: int, start_at: float, stop_at: float) -> list[float]:
    """One throughput client (its own process): send `urls` in turn from `start_at` (a
    time.time()) until `stop_at`; return the milliseconds of each answered request."""
    while time.time() < start_at:
        time.sleep(0.001)
    out: list[float] = []
    n = first
    while time.time() < stop_at:
        elapsed, _body = fetch(port, urls[n % len(urls)])
        out.append(elapsed)
        n += 1
    return out


# --- Figures -----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Return the `p`th percentile (nearest rank) of `values`; NaN when there are none."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


@dataclass
class Throughput:
    clients: int
    seconds: float
    requests: int
    p50_ms: float
    p95_ms: float
    server_cpu_s: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Figures:
    """Everything measured for one backend at one size."""

    backend: str
    listings: int
    server: str = ""
    seed_s: float = 0.0
    indexed: int = 0
    rebuild_s: float = 0.0
    rebuild_cpu_s: float = 0.0
    rebuild_peak_mb: float = 0.0
    index_mb: float = 0.0
    start_s: list[float] = field(default_factory=list)
    cold_ms: list[float] = field(default_factory=list)
    again_ms: list[float] = field(default_factory=list)
    queries: int = 0
    rounds: int = 0
    found: int = 0
    api_ms: list[float] = field(default_factory=list)
    static_ms: list[float] = field(default_factory=list)
    neutral_ms: list[float] = field(default_factory=list)
    engine_ms: list[float] = field(default_factory=list)
    api_cpu_ms: float = 0.0
    static_cpu_ms: float = 0.0
    neutral_cpu_ms: float = 0.0
    engine_cpu_ms: float = 0.0
    visible_ms: list[float] = field(default_factory=list)
    commit_ms: list[float] = field(default_factory=list)
    rss_mb: float = 0.0
    peak_mb: float = 0.0
    throughput: list[Throughput] = field(default_factory=list)
    workers_peak_mb: list[float] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    total_s: float = 0.0
    skipped: str = ""

    @property
    def rate(self) -> float:
        return self.indexed / self.rebuild_s if self.rebuild_s else 0.0

    def p(self, name: str, pct: float) -> float:
        return percentile(getattr(self, name), pct)

    @property
    def own_p95(self) -> float:
        """The application's own cost: API p95 minus the static file's p95."""
        return self.p("api_ms", 95) - self.p("static_ms", 95)

    def summary(self) -> dict[str, Any]:
        """Return the scalar figures (kept as JSON and compared between runs)."""
        own = self.own_p95
        neutral95, engine95 = self.p("neutral_ms", 95), self.p("engine_ms", 95)
        out: dict[str, Any] = {
            "backend": self.backend,
            "listings": self.listings,
            "server": self.server,
            "skipped": self.skipped,
            "indexed": self.indexed,
            "seed_s": self.seed_s,
            "rebuild_s": self.rebuild_s,
            "rebuild_cpu_s": self.rebuild_cpu_s,
            "rebuild_rate": self.rate,
            "rebuild_peak_mb": self.rebuild_peak_mb,
            "index_mb": self.index_mb,
            "queries": self.queries,
            "rounds": self.rounds,
            "requests": len(self.api_ms),
            "cold_ms": _median(self.cold_ms),
            "cold_max_ms": max(self.cold_ms, default=math.nan),
            "start_s": _median(self.start_s),
            "again_ms": _median(self.again_ms),
            "own_p95_ms": own,
            "own_over_neutral": own / neutral95 if neutral95 else math.nan,
            "own_over_engine": own / engine95 if engine95 else math.nan,
            "api_cpu_ms": self.api_cpu_ms,
            "static_cpu_ms": self.static_cpu_ms,
            "neutral_cpu_ms": self.neutral_cpu_ms,
            "engine_cpu_ms": self.engine_cpu_ms,
            "own_cpu_over_neutral_cpu": (
                (self.api_cpu_ms - self.static_cpu_ms) / self.neutral_cpu_ms
                if self.neutral_cpu_ms
                else math.nan
            ),
            "visible_median_ms": _median(self.visible_ms),
            "visible_max_ms": max(self.visible_ms, default=math.nan),
            "commit_median_ms": _median(self.commit_ms),
            "changes": len(self.visible_ms),
            "rss_mb": self.rss_mb,
            "peak_mb": self.peak_mb,
            "workers_peak_mb": self.workers_peak_mb,
            "load_before": list(self.load_before),
            "load_after": list(self.load_after),
            "total_s": self.total_s,
        }
        for tier in ("api", "static", "neutral", "engine"):
            for pct in (50, 95, 99):
                out[f"{tier}_p{pct}_ms"] = self.p(f"{tier}_ms", pct)
        for t in self.throughput:
            out[f"rps_{t.clients}"] = t.rps
            out[f"rps_{t.clients}_p95_ms"] = t.p95_ms
            out[f"rps_{t.clients}_cpu_cores"] = t.server_cpu_s / t.seconds if t.seconds else 0.0
        return out


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


# --- Measuring ---------------------------------------------------------------------------------


@contextmanager
def seeded(n: int) -> Iterator[tuple[Instance, float]]:
    """Yield a temporary instance holding `n` synthetic listings, and the seconds seeding took."""
    with temporary_instance(f"broker-bench-{n}-") as instance:
        print(f"\nSeeding {n:,} synthetic listings (broker seed --synthetic {n})...", flush=True)
        seed_s, _out = instance.broker("seed", "--synthetic", str(n))
        print(f"  seeded in {seed_s:.0f} s", flush=True)
        yield instance, seed_s


@contextmanager
def _app_for(instance: Instance) -> Iterator[Any]:
    """Yield an app in this process pointed at `instance` (for the ORM and the translation)."""
    from broker import create_app

    old = instance.apply_environment()
    app = create_app()
    try:
        yield app
    finally:
        close_app(app)
        restore_environment(old)


def run_backend(
    base: Instance, backend: str, n: int, seed_s: float, rounds: int = ROUNDS
) -> Figures:
    """Measure one backend over the seeded instance `base`; print as it goes; return figures."""
    from index import backends

    instance = base.with_backend(backend)
    figures = Figures(backend=backend, listings=n, server=server_kind(), seed_s=seed_s)
    figures.load_before = load_average()
    began = time.perf_counter()
    print(f"\n== {backend}, {n:,} synthetic listings", flush=True)
    _rebuild(instance, figures)

    server = _cold_starts(instance, figures)
    try:
        with _app_for(instance) as app:
            bare = backends.create(backend, path=str(instance.index_dir))
            try:
                _latency(server, app, bare, figures, rounds)
            finally:
                bare.close()
            _freshness(server, app, figures)
        figures.rss_mb, figures.peak_mb = server.memory_mb()[0]
    finally:
        server.stop()
    print(
        f"  server memory (one process, after all of the above): {figures.rss_mb:.0f} MB "
        f"resident, peak {figures.peak_mb:.0f} MB",
        flush=True,
    )
    _throughput(instance, figures)
    figures.load_after = load_average()
    figures.total_s = time.perf_counter() - began
    print(
        f"  ({figures.total_s:.0f} s for {backend} at {n:,}; load average "
        f"{figures.load_before[0]:.1f} before, {figures.load_after[0]:.1f} after)",
        flush=True,
    )
    return figures


def _rebuild(instance: Instance, figures: Figures) -> None:
    done = instance.run_broker("index", "rebuild")
    figures.rebuild_s, figures.rebuild_cpu_s = done.wall_s, done.cpu_s
    figures.rebuild_peak_mb = done.maxrss_mb
    figures.indexed = indexed_count(done.stdout)
    figures.index_mb = folder_size(instance.index_dir) / 1e6
    print(
        f"  broker index rebuild: {figures.indexed:,} searchable listings in "
        f"{figures.rebuild_s:.1f} s wall ({figures.rebuild_cpu_s:.1f} s CPU; "
        f"{figures.rate:,.0f} listings/s, CLI start-up and database reads included), "
        f"peak memory {figures.rebuild_peak_mb:.0f} MB; index {figures.index_mb:.1f} MB on disk",
        flush=True,
    )


def _cold_starts(instance: Instance, figures: Figures) -> Server:
    """Start the one-process server COLD_STARTS times; return the last one, still running."""
    cold_url = url_of(COLD_QUERY)
    server: Server | None = None
    for _start in range(COLD_STARTS):
        if server is not None:
            server.stop()
        began = time.perf_counter()
        server = start_server(instance, workers=1, threads=THREADS)
        figures.start_s.append(time.perf_counter() - began)
        try:
            cold, _body = fetch(server.port, cold_url)
            again, _body = fetch(server.port, cold_url)
        except BaseException:
            server.stop()
            raise
        figures.cold_ms.append(cold)
        figures.again_ms.append(again)
    assert server is not None
    print(
        f"  {COLD_STARTS} server starts ({server.kind}, 1 process): ready (static file served) "
        f"after {_list(figures.start_s, 's', 1)}; first search {cold_url} "
        f"{_list(figures.cold_ms, 'ms')}, the same again {_list(figures.again_ms, 'ms', 1)}",
        flush=True,
    )
    return server


def _list(values: list[float], unit: str, digits: int = 0) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values) + f" {unit}"


def _latency(server: Server, app: Any, bare: Any, figures: Figures, rounds: int) -> None:
    port = server.port
    _e, first = get_json(port, url_of({"per_page": 1}))
    las = [c["value"] for c in sorted(first["facets"]["la"], key=lambda c: -c["count"])[:2]]
    params = [_fill(p, las) for p in QUERIES]
    urls = [url_of(p) for p in params]
    translated = bare_backend.translate(app, params)
    figures.queries = len(params)

    # Warm-up: every query once through each tier; check the answers while at it.
    began = time.perf_counter()
    facets_counted: set[int] = set()
    for url in urls:
        _e, body = get_json(port, url)
        figures.found += 1 if body["total"] else 0
        facets_counted.add(len(body["facets"]))
        fetch(port, STATIC_PATH)
    for item in translated:
        bare_backend.neutral(bare, item)()
        bare_backend.engine_only(bare, item)()
    warm_s = time.perf_counter() - began
    figures.rounds = max(MIN_ROUNDS, min(rounds, int(ROUND_BUDGET_S / max(warm_s, 1e-3))))
    print(
        f"  latency: {len(urls)} queries ({figures.found} find something; every facet counted: "
        f"{'/'.join(str(n) for n in sorted(facets_counted))} facets in each answer), 1 client, "
        f"a new connection per request; warm-up round {warm_s:.1f} s, then "
        f"{figures.rounds} timed rounds of each tier in turn...",
        flush=True,
    )
    api_cpu = static_cpu = neutral_cpu = engine_cpu = 0.0
    for _round in range(figures.rounds):
        cpu = server.cpu_seconds()
        for url in urls:
            figures.api_ms.append(fetch(port, url)[0])
        api_cpu += server.cpu_seconds() - cpu
        cpu = server.cpu_seconds()
        for _url in urls:
            figures.static_ms.append(fetch(port, STATIC_PATH)[0])
        static_cpu += server.cpu_seconds() - cpu
        cpu = time.process_time()
        for item in translated:
            figures.neutral_ms.append(bare_backend.timed(bare_backend.neutral(bare, item)))
        neutral_cpu += time.process_time() - cpu
        cpu = time.process_time()
        for item in translated:
            figures.engine_ms.append(bare_backend.timed(bare_backend.engine_only(bare, item)))
        engine_cpu += time.process_time() - cpu
    count = len(urls) * figures.rounds
    figures.api_cpu_ms = 1000 * api_cpu / count
    figures.static_cpu_ms = 1000 * static_cpu / count
    figures.neutral_cpu_ms = 1000 * neutral_cpu / count
    figures.engine_cpu_ms = 1000 * engine_cpu / count
    f = figures
    print(
        f"    API (HTTP):            {_pcts(f.api_ms)}; server CPU {f.api_cpu_ms:.2f} ms/request\n"
        f"    static file (HTTP):    {_pcts(f.static_ms)}; server CPU {f.static_cpu_ms:.2f} ms/request\n"
        f"    neutral layer+engine:  {_pcts(f.neutral_ms)}; CPU {f.neutral_cpu_ms:.2f} ms/search\n"
        f"    engine only:           {_pcts(f.engine_ms)}; CPU {f.engine_cpu_ms:.2f} ms/search\n"
        f"    application's own cost (API p95 - static p95): {f.own_p95:.2f} ms = "
        f"{_ratio(f.own_p95, f.p('neutral_ms', 95))} the neutral layer + engine p95, "
        f"{_ratio(f.own_p95, f.p('engine_ms', 95))} the engine-only p95",
        flush=True,
    )
    q = len(params)  # each tier's timings are in query order, round after round

    def med(values: list[float], i: int) -> float:
        return statistics.median(values[i::q])

    slowest = sorted(range(q), key=lambda i: -med(f.api_ms, i))[:3]
    print(
        "    slowest queries (median ms through API / neutral+engine / engine): "
        + "; ".join(
            f"{urlencode(params[i], doseq=True) or '(everything)'} {med(f.api_ms, i):.1f} / "
            f"{med(f.neutral_ms, i):.1f} / {med(f.engine_ms, i):.1f}"
            for i in slowest
        ),
        flush=True,
    )


def _pcts(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 50):6.2f}  p95 {percentile(values, 95):6.2f}  "
        f"p99 {percentile(values, 99):6.2f}  max {max(values):6.1f} ms (n={len(values)})"
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b and math.isfinite(a) and math.isfinite(b) else "-"


def _token(rng: random.Random) -> str:
    return "zq" + "".join(rng.choice(string.ascii_lowercase) for _ in range(10))


def _freshness(server: Server, app: Any, figures: Figures) -> None:
    """Commit title changes through the ORM with the change log; poll until each is found."""
    from broker import db
    from broker.models import Listing, utcnow
    from broker.search import outbox

    _e, some = get_json(server.port, url_of({"q": "phonics", "per_page": 1}))
    listing_id = some["results"][0]["id"]
    rng = random.Random()
    for _n in range(CHANGES):
        token = _token(rng)
        with db.new_session(app) as session:
            listing = session.get(Listing, listing_id)
            assert listing is not None
            listing.title = f"{listing.title.split(' zq')[0]} {token}"
            listing.updated_at = utcnow()
            outbox.listings_changed(session, [listing_id])
            started = time.perf_counter()
            session.commit()  # after the commit, this process applies the log to the index
            figures.commit_ms.append(1000 * (time.perf_counter() - started))
        url = url_of({"q": token, "per_page": 1})
        deadline = started + 30
        while time.perf_counter() < deadline:
            _elapsed, body = get_json(server.port, url)
            hits = [r["id"] for r in body["results"]]
            if not body.get("corrected") and hits == [listing_id]:
                figures.visible_ms.append(1000 * (time.perf_counter() - started))
                break
            time.sleep(0.002)
        else:
            figures.visible_ms.append(math.inf)
    print(
        f"  change visible to search ({CHANGES} title changes committed through the ORM with the "
        f"change log, API polled): median {_median(figures.visible_ms):.0f} ms, max "
        f"{max(figures.visible_ms):.0f} ms (the commit, which applies the change to the index: "
        f"median {_median(figures.commit_ms):.0f} ms)",
        flush=True,
    )


def _throughput(instance: Instance, figures: Figures) -> None:
    server = start_server(instance, workers=WORKERS, threads=THREADS)
    try:
        _e, first = get_json(server.port, url_of({"per_page": 1}))
        las = [c["value"] for c in sorted(first["facets"]["la"], key=lambda c: -c["count"])[:2]]
        urls = [url_of(_fill(p, las)) for p in QUERIES]
        with ProcessPoolExecutor(max(CLIENTS), mp_context=get_context("spawn")) as pool:
            # Start the client processes, then warm every server process up.
            list(pool.map(time.sleep, [0.0] * max(CLIENTS)))
            _drive(pool, server, urls, max(CLIENTS), THROUGHPUT_WARMUP_S)
            for clients in CLIENTS:
                figures.throughput.append(_drive(pool, server, urls, clients, THROUGHPUT_S))
        figures.workers_peak_mb = [peak for _rss, peak in server.memory_mb()]
    finally:
        server.stop()
    print(
        f"  throughput ({server.kind}, {WORKERS} processes x {THREADS} threads; client processes "
        f"sending the {len(urls)} queries in turn for {THROUGHPUT_S:.0f} s per level after a "
        f"{THROUGHPUT_WARMUP_S:.0f} s warm-up):"
    )
    for t in figures.throughput:
        print(
            f"    {t.clients} client{'s' if t.clients > 1 else ' '}: {t.rps:6.1f} requests/s, "
            f"p50 {t.p50_ms:.1f} ms, p95 {t.p95_ms:.1f} ms, server CPU "
            f"{t.server_cpu_s / t.seconds:.2f} cores ({t.requests} requests)"
        )
    print(
        "    server processes' peak memory: "
        + ", ".join(f"{mb:.0f}" for mb in figures.workers_peak_mb)
        + " MB",
        flush=True,
    )


def _drive(pool: Any, server: Server, urls: list[str], clients: int, seconds: float) -> Throughput:
    start_at = time.time() + 0.3
    stop_at = start_at + seconds
    cpu = server.cpu_seconds()
    futures = [
        pool.submit(_client, server.port, urls, i * len(urls) // clients, start_at, stop_at)
        for i in range(clients)
    ]
    latencies = [ms for future in futures for ms in future.result()]
    cpu = server.cpu_seconds() - cpu
    elapsed = max(seconds, time.time() - start_at)
    return Throughput(
        clients=clients,
        seconds=elapsed,
        requests=len(latencies),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        server_cpu_s=cpu,
    )


def run(
    n: int, backends: tuple[str, ...] = BACKENDS, skip: dict[str, str] | None = None
) -> list[Figures]:
    """Seed `n` listings once and measure each backend; return one Figures per backend."""
    skip = skip or {}
    out = []
    with seeded(n) as (instance, seed_s):
        for backend in backends:
            if backend in skip:
                print(f"\n== {backend}, {n:,} listings: skipped ({skip[backend]})", flush=True)
                out.append(
                    Figures(backend=backend, listings=n, seed_s=seed_s, skipped=skip[backend])
                )
                continue
            out.append(run_backend(instance, backend, n, seed_s))
    return out


# --- The table ---------------------------------------------------------------------------------


def _fmt(value: float, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.{digits}f}"


def table(rows: list[Figures]) -> list[str]:
    """Return the side-by-side table: one column per backend and size, one line per figure."""
    shown = [r for r in rows if not r.skipped]
    if not shown:
        return []
    lines: list[tuple[str, list[str]]] = []

    def line(label: str, cell: Any) -> None:
        lines.append((label, [cell(r, r.summary()) for r in shown]))

    line("searchable listings (of seeded)", lambda r, s: f"{r.indexed:,} of {r.listings:,}")
    line("rebuild s wall (CPU)", lambda r, s: f"{_fmt(r.rebuild_s)} ({_fmt(r.rebuild_cpu_s)})")
    line("rebuild listings/s", lambda r, s: _fmt(r.rate, 0))
    line("rebuild peak memory MB", lambda r, s: _fmt(r.rebuild_peak_mb, 0))
    line("index size on disk MB", lambda r, s: _fmt(r.index_mb))
    line("API p50 / p95 / p99 ms", lambda r, s: _trio(s, "api"))
    line("static file p50 / p95 ms", lambda r, s: _duo(s, "static"))
    line("app's own cost p95 ms (API-static)", lambda r, s: _fmt(s["own_p95_ms"], 2))
    line("neutral layer+engine p50 / p95 ms", lambda r, s: _duo(s, "neutral"))
    line("engine only p50 / p95 ms", lambda r, s: _duo(s, "engine"))
    line("own cost / neutral+engine p95", lambda r, s: _x(s["own_over_neutral"]))
    line("own cost / engine only p95", lambda r, s: _x(s["own_over_engine"]))
    line(
        "own CPU / neutral+engine CPU (load-proof)",
        lambda r, s: _x(s["own_cpu_over_neutral_cpu"]),
    )
    line(
        "CPU ms/request: server API / static",
        lambda r, s: _slashed(r.api_cpu_ms, r.static_cpu_ms, digits=2),
    )
    line(
        "CPU ms/search: neutral+engine / engine",
        lambda r, s: _slashed(r.neutral_cpu_ms, r.engine_cpu_ms, digits=2),
    )
    line(
        "requests timed (queries x rounds)",
        lambda r, s: f"{len(r.api_ms)} ({r.queries}x{r.rounds})",
    )
    line("server ready after start s (median)", lambda r, s: _fmt(s["start_s"], 2))
    line(
        "first search after start ms med/max",
        lambda r, s: _slashed(s["cold_ms"], s["cold_max_ms"], digits=0),
    )
    line(
        "server memory MB resident / peak",
        lambda r, s: _slashed(r.rss_mb, r.peak_mb, digits=0),
    )
    line(
        "change visible ms median / max",
        lambda r, s: _slashed(s["visible_median_ms"], s["visible_max_ms"], digits=0),
    )
    line("  of which the commit+apply, median", lambda r, s: _fmt(s["commit_median_ms"], 0))
    for clients in CLIENTS:
        line(
            f"{clients} client{'s' if clients > 1 else ''}: req/s, p95 ms",
            lambda r, s, c=clients: (
                f"{_fmt(s.get(f'rps_{c}', math.nan), 0)}, "
                f"{_fmt(s.get(f'rps_{c}_p95_ms', math.nan))}"
            ),
        )
    line(
        "server CPU at 1 / 2 / 4 clients (cores)",
        lambda r, s: _slashed(*(s.get(f"rps_{c}_cpu_cores", math.nan) for c in CLIENTS), digits=2),
    )
    line(
        "throughput workers' peak memory MB",
        lambda r, s: _slashed(*r.workers_peak_mb, digits=0) or "-",
    )
    line(
        "load average before / after",
        lambda r, s: f"{r.load_before[0]:.1f} / {r.load_after[0]:.1f}",
    )
    headers = [f"{r.backend} {r.listings:,}" for r in shown]
    label_width = max(len(label) for label, _cells in lines)
    widths = [max(len(h), *(len(cells[i]) for _l, cells in lines)) for i, h in enumerate(headers)]
    out = [
        "  "
        + " " * label_width
        + "  "
        + "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    ]
    for label, cells in lines:
        out.append(
            "  "
            + label.ljust(label_width)
            + "  "
            + "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
        )
    for r in rows:
        if r.skipped:
            out.append(f"  {r.backend} {r.listings:,}: skipped ({r.skipped})")
    return out


def _slashed(*values: float, digits: int = 1) -> str:
    """Return figures that belong together as one cell: "1.0 / 2.5"."""
    return " / ".join(_fmt(value, digits) for value in values)


def _trio(s: dict[str, Any], tier: str) -> str:
    return _slashed(*(s[f"{tier}_p{p}_ms"] for p in (50, 95, 99)), digits=1)


def _duo(s: dict[str, Any], tier: str) -> str:
    return _slashed(*(s[f"{tier}_p{p}_ms"] for p in (50, 95)), digits=2)


def _x(value: float) -> str:
    return f"{value:.1f}x" if math.isfinite(value) else "-"


# --- The goals (issue 8): printed, never asserted -----------------------------------------------


@dataclass(frozen=True)
class Goal:
    label: str
    key: str
    limit: float
    unit: str
    #: The size the issue sets the goal for; at other sizes the line is for reference.
    size: int


GOALS = (
    Goal("app's own cost / bare engine p95", "own_over_neutral", 4.0, "x", 10_000),
    Goal("API p95", "api_p95_ms", 5.0, "ms", 10_000),
    Goal("API p95", "api_p95_ms", 15.0, "ms", 100_000),
    Goal("first search after a start", "cold_max_ms", 300.0, "ms", 100_000),
    Goal("broker index rebuild", "rebuild_s", 60.0, "s", 100_000),
    Goal("change visible, median", "visible_median_ms", 100.0, "ms", 100_000),
    Goal("change visible, max", "visible_max_ms", 500.0, "ms", 100_000),
    Goal("server memory (peak, one process)", "peak_mb", 300.0, "MB", 100_000),
)


def goals(rows: list[Figures]) -> list[str]:
    """Return one line per goal and measured row: the figure, and met or missed by how much."""
    out = []
    for r in rows:
        if r.skipped:
            continue
        s = r.summary()
        out.append(f"  {r.backend} at {r.listings:,} listings:")
        for goal in GOALS:
            value = s.get(goal.key, math.nan)
            if goal.size != r.listings and goal.size != 10_000:
                where = f" (the goal is for {goal.size:,}; for reference)"
            elif goal.size != r.listings:
                continue
            else:
                where = ""
            if not math.isfinite(value):
                verdict = "not measured"
            elif value <= goal.limit:
                verdict = "met"
            else:
                verdict = f"MISSED by {_fmt(value - goal.limit, 1)} {goal.unit} ({value / goal.limit:.1f}x the goal)"
            out.append(
                f"    {goal.label} {_fmt(value, 2)} {goal.unit} (goal <= {goal.limit:g} {goal.unit}): "
                f"{verdict}{where}"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--listings", type=int, default=10_000)
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    args = parser.parse_args()
    rows = run(args.listings, tuple(args.backend or BACKENDS))
    print("\n" + "\n".join(table(rows)))
    print("\n".join(goals(rows)))


if __name__ == "__main__":
    main()
