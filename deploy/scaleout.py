"""The national arrangement on one computer, under load, with a machine killed and restarted.

Starts three application "machines" (`broker serve`, each with its own instance folder and its
own index on local disk, bound to 127.0.0.2, .3 and .4), HAProxy in front on 127.0.0.1 checking
each machine's /healthz, and Locust (headless) driving a mix of searches, listing pages, the
match API, sign-ins, QA decisions, provider edits and SIP visits through the balancer;
PostgreSQL and Redis are the ones already running here. First, machine A alone behind the
balancer gets the same mix from the same users (each write of the plan is done once a run, so
the plan is split: the one machine gets its own share of providers' edits and QA decisions):
the search p95 that the three machines under the mix are compared with (goal: within 2x;
`--baseline-load searches` gives the one machine the searchers alone instead). Mid-run one
machine's process group gets SIGKILL; later it is restarted and catches up. Meanwhile a probe
makes a change through machine A every few seconds and times how long the other machines'
indexes take to apply it (read from their index folders: the listener, or a search's own
catch-up, whichever comes first). Prints throughput and latency on one machine, and with three
before, during and after the kill, the search p95 ratio, the errors clients saw, how long the
balancer took to notice, the freshness, the restart, whether any acknowledged write was lost
(per kind) and `broker index check` on every machine. Everything it started is
stopped, by process group id, when it ends: after a failure, Ctrl-C or SIGTERM too.

    make scaleout                                    # 100,000 listings, 75 s + 4 minutes of load
    .venv/bin/python deploy/scaleout.py --listings 10000 --duration 90 --users 30
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BROKER = str(BIN / "broker")
LOCUST = str(BIN / "locust")
PORT = 8000
MACHINES = {"A": "127.0.0.2", "B": "127.0.0.3", "C": "127.0.0.4"}
WRITER, VICTIM = "A", "B"
LB = ("127.0.0.1", 8088)
STATS = ("127.0.0.1", 8089)
PASSWORD = "scaleout-password-2026"  # noqa: S105 (accounts made here, for this run only)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: A write a client made: (time, listing or school id, action, acknowledged 0/1, its mark or "").
Write = tuple[float, int, str, int, str]

sys.path.insert(0, str(ROOT))


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- the database and the accounts ------------------------------------------------------


def database_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def prepare_database(name: str, listings: int, env: dict[str, str]) -> None:
    """Create the database if missing, migrate it, seed synthetic listings if it has fewer."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
            say(f"created database {name}")
    run([BROKER, "init-db"], env)
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}") as c:
        have = c.execute("SELECT count(*) FROM listing").fetchone()[0]
    if have < listings * 0.95:
        say(f"seeding {listings:,} synthetic listings (the database has {have:,})")
        started = time.monotonic()
        run([BROKER, "seed", "--synthetic", str(listings)], env)
        say(f"seeded in {time.monotonic() - started:.0f} s")
    else:
        say(f"the database already holds {have:,} listings")
    # Seeding ends with ANALYZE; a database seeded by an older version, or changed by earlier
    # runs on a server whose autovacuum is off (as on this machine kind), may lack statistics.
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}", autocommit=True) as c:
        c.execute("ANALYZE")


def make_plan(url: str, officers: int, providers: int, seed: int) -> dict[str, Any]:
    """Add (or refresh) the run's accounts; choose what each may act on.

    QA officers (with a second factor) get listings of their LA to suspend, reinstate and
    approve; SIPs get schools of an officer's LA, assigned by that officer (audited, as a QA
    officer would), to record visits at; provider accounts are each linked to a provider whose
    assured listings are ready to edit (no edit waiting for QA): each is edited once a run.
    The synthetic seed gives a submitted listing's provider at most one school's
    recommendation, so heads of the officer's LA (the run's accounts) recommend it, through the
    service a head uses, until two schools do: only then can QA approve it.
    """
    import sqlalchemy as sa
    from sqlmodel import Session, col, select

    from broker.assurance.recommendations import recommend
    from broker.assurance.rules import valid_schools
    from broker.auth import passwords, totp
    from broker.db import make_engine
    from broker.errors import Forbidden, InvalidInput
    from broker.lifecycle.services import open_revision, under_review
    from broker.models import Listing, Provider, School, SipAssignment, User, utcnow
    from broker.schools import services as schools
    from broker.submissions import services as submissions

    rng = random.Random(seed)
    engine = make_engine(url)
    hashed = passwords.hash_password(PASSWORD)
    try:
        with Session(engine) as s:
            las = s.exec(
                select(Provider.la_id, sa.func.count())
                .join(Listing, Listing.provider_id == Provider.id)
                .where(Listing.status == "assured", col(Provider.la_id).is_not(None))
                .group_by(Provider.la_id)
                .order_by(sa.func.count().desc())
                .limit(officers + 1)
            ).all()
            users: dict[str, User] = {}

            def account(
                email: str,
                role: str,
                la_id: int | None,
                enrolled: bool,
                provider_id: int | None = None,
                school_id: int | None = None,
            ) -> dict[str, Any]:
                user = s.exec(select(User).where(User.email == email)).first() or User(
                    email=email, name=email.split("@")[0], role=role
                )
                user.role, user.la_id, user.password_hash = role, la_id, hashed
                user.provider_id, user.school_id = provider_id, school_id
                user.email_confirmed_at, user.active = utcnow(), True
                user.totp_secret = totp.generate_secret() if enrolled else None
                user.totp_enrolled_at = utcnow() if enrolled else None
                user.totp_last_counter = None
                s.add(user)
                users[email] = user
                return {"email": email, "totp_secret": user.totp_secret}

            def in_la(la_id: int, status: str, limit: int) -> list[int]:
                ids = s.exec(
                    select(Listing.id)
                    .join(Provider, Listing.provider_id == Provider.id)
                    .where(Provider.la_id == la_id, Listing.status == status)
                ).all()
                return rng.sample(list(ids), min(limit, len(ids)))

            plan_officers = []
            for n, (la_id, _) in enumerate(las[:officers], start=1):
                me = account(f"qa{n}.scaleout@example.org", "qa_officer", la_id, True)
                me["assured"] = in_la(la_id, "assured", 200)
                heads = []
                for h, school in enumerate(
                    s.exec(
                        select(School)
                        .where(School.la_id == la_id, col(School.closed_on).is_(None))
                        .order_by(col(School.id))
                        .limit(3)
                    ),
                    start=1,
                ):
                    email = f"head{n}-{h}.scaleout@example.org"
                    account(email, "headteacher", None, False, school_id=school.id)
                    heads.append(users[email])
                s.flush()
                submitted = []
                for listing_id in in_la(la_id, "submitted", 200):
                    listing = s.get(Listing, listing_id)
                    if listing is None or len(submitted) == 40:
                        continue
                    for head in heads:
                        if valid_schools(s, listing.provider_id) >= 2:
                            break
                        with contextlib.suppress(Forbidden, InvalidInput):  # its own school
                            recommend(
                                s,
                                listing.provider_id,
                                head,
                                listing.title[:200],
                                "Our middle leaders planned and taught better as a result.",
                                listing_id,
                            )
                    if valid_schools(s, listing.provider_id) >= 2:
                        submitted.append(listing_id)
                me["submitted"] = submitted
                plan_officers.append(me)
            probe = account("probe.scaleout@example.org", "qa_officer", las[officers][0], True)
            probe["assured"] = in_la(las[officers][0], "assured", 200)

            # SIPs: each attached to a few schools of an officer's LA, by that officer.
            sips = []
            for n in range(1, 6):
                me = account(f"sip{n}.scaleout@example.org", "sip", None, False)
                sip, officer = users[me["email"]], users[plan_officers[(n - 1) % officers]["email"]]
                s.flush()
                open_schools = s.exec(
                    select(School).where(
                        School.la_id == officer.la_id, col(School.closed_on).is_(None)
                    )
                ).all()
                mine = set(
                    s.exec(select(SipAssignment.school_id).where(SipAssignment.user_id == sip.id))
                )
                others = [x for x in open_schools if x.id not in mine]
                for school in rng.sample(others, max(0, min(4 - len(mine), len(others)))):
                    schools.assign_sip(s, officer, school, sip.email)
                    mine.add(int(school.id or 0))
                me["schools"] = sorted(mine)
                sips.append(me)

            # Providers: outside the officers' and the probe's LAs, so nobody else acts on
            # their listings; only listings a provider can edit and submit as they are.
            busy = [la_id for la_id, _ in las]
            candidates = s.exec(
                select(Listing.provider_id)
                .join(Provider, Listing.provider_id == Provider.id)
                .where(
                    Listing.status == "assured",
                    col(Listing.review_requested_at).is_(None),
                    sa.or_(col(Provider.la_id).is_(None), col(Provider.la_id).not_in(busy)),
                )
                .group_by(Listing.provider_id)
                .having(sa.func.count() >= 2)
            ).all()
            plan_providers: list[dict[str, Any]] = []
            for provider_id in rng.sample(list(candidates), len(candidates)):
                if len(plan_providers) == providers:
                    break
                editable = []
                for listing in s.exec(
                    select(Listing).where(
                        Listing.provider_id == provider_id, Listing.status == "assured"
                    )
                ):
                    if (
                        not under_review(listing)
                        and open_revision(s, int(listing.id or 0)) is None
                        and submissions.task_list(s, listing).ready
                    ):
                        editable.append(int(listing.id or 0))
                if len(editable) >= 2:
                    n = len(plan_providers) + 1
                    me = account(
                        f"provider{n}.scaleout@example.org", "provider", None, False, provider_id
                    )
                    me["listings"] = sorted(editable)
                    plan_providers.append(me)
            s.commit()
            taken = {i for o in [*plan_officers, probe] for i in o["assured"]}
            public = s.exec(select(Listing.id).where(Listing.status == "assured")).all()
            public = [i for i in rng.sample(list(public), min(5000, len(public))) if i not in taken]
    finally:
        engine.dispose()
    return {
        "password": PASSWORD,
        "officers": plan_officers,
        "probe": probe,
        "sips": sips,
        "providers": plan_providers,
        "listings": public,
    }


def split_plan(plan: dict[str, Any], share: float) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split the plan's once-a-run writes: (the one machine's, the three machines').

    A provider edits each listing once and an officer approves a submission once, so the one
    machine's run gets its `share` of the provider accounts and of each officer's listings (to
    suspend, reinstate and approve), the three machines the rest; a listing is never in both.
    SIPs' visits can be repeated, so both runs have every SIP; the probe acts in the second
    only. The listings people read are the same in both.
    """

    def cut(items: list[Any]) -> int:
        return round(len(items) * share)

    first = {**plan, "probe": None}
    second = dict(plan)
    first["officers"], second["officers"] = [], []
    for officer in plan["officers"]:
        assured, submitted = officer["assured"], officer["submitted"]
        first["officers"].append(
            officer | {"assured": assured[: cut(assured)], "submitted": submitted[: cut(submitted)]}
        )
        second["officers"].append(
            officer | {"assured": assured[cut(assured) :], "submitted": submitted[cut(submitted) :]}
        )
    providers = plan["providers"]
    first["providers"], second["providers"] = (
        providers[: cut(providers)],
        providers[cut(providers) :],
    )
    return first, second


# --- processes ----------------------------------------------------------------------------


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Processes:
    """Every process the run starts, each in a process group of its own, to stop by its id."""

    def __init__(self, grace: float = 20) -> None:
        self.grace = grace
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], **options: Any) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(args, start_new_session=True, **options)
        self.started.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """SIGTERM the process's group; SIGKILL what is left of it after the grace period.

        The group is signalled even when its leader has gone: a server's workers outlive a
        killed master.
        """
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=self.grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        """Stop every process started, the last first."""
        for process in reversed(self.started):
            self.stop(process)


@contextlib.contextmanager
def stopped_at_exit(processes: Processes) -> Iterator[Processes]:
    """Stop everything `processes` started when the block ends, however it ends.

    A failure, Ctrl-C, and SIGTERM or SIGHUP too (turned into SystemExit, so this cleanup runs
    rather than the run dying with its machines, HAProxy and Locust left running).
    """

    def leave(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield processes
    finally:
        # Stopping must not be cut short by a second signal.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        try:
            processes.stop_all()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@dataclass
class Machine:
    name: str
    ip: str
    env: dict[str, str]
    logs: Path
    processes: Processes
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def index_dir(self) -> Path:
        return Path(self.env["BROKER_INDEX_DIR"])

    def applied(self) -> int:
        """The last change-log entry this machine's index applied, read from its folder."""
        from index.backends.storage import Folders

        folder = Folders(self.index_dir).current()
        return Folders.read_seq(folder) if folder else 0

    def start(self, wait: float = 60) -> float:
        """Start `broker serve` in its own process group; return seconds until /healthz is 200."""
        self.starts += 1
        out = (self.logs / f"{self.name}-{self.starts}.log").open("wb")
        started = time.monotonic()
        self.process = self.processes.start(
            [BROKER, "serve", "--bind", f"{self.ip}:{PORT}"],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        out.close()
        while time.monotonic() - started < wait:
            if self.process.poll() is not None:
                raise SystemExit(f"machine {self.name} exited; see {out.name}")
            with contextlib.suppress(OSError):
                if get(self.ip, PORT, "/healthz", timeout=2)[0] == 200:
                    return time.monotonic() - started
            time.sleep(0.05)
        raise SystemExit(f"machine {self.name} did not answer within {wait:.0f} s")

    def kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def get(host: str, port: int, path: str, timeout: float = 5) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


HAPROXY = """
global
    maxconn 4096

defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout queue 30s
    # A busy machine is not a dead one: on a saturated CPU /healthz waits its turn behind the
    # requests in hand, and the default (the check interval, 1 s) took live machines out, all
    # of them at times, so the balancer itself answered 503. A dead machine refuses the check's
    # connection at once, so this does not slow noticing a kill.
    timeout check 5s
    # A request that could not reach a machine (connection refused: it died) goes to another;
    # so does a GET or HEAD that its machine dropped unanswered (killed while serving it).
    # Nothing else is sent twice: a POST cut off may have been saved.
    retries 2
    option redispatch 1
    retry-on conn-failure empty-response
    option forwardfor

frontend directory
    bind {lb_host}:{lb_port}
    http-request set-header X-Forwarded-Proto http
    default_backend machines

backend machines
    balance leastconn
    http-request disable-l7-retry unless METH_GET
    option httpchk
    http-check send meth GET uri /healthz
    http-check expect status 200
    # Checked every second (every 250 ms while changing state): down after 2 failures, up after 2.
    # No more requests at once than a machine has threads: the rest wait here, not in its queue.
    default-server check inter 1s fastinter 250ms downinter 1s fall 2 rise 2 maxconn {maxconn}
{servers}

listen stats
    bind {stats_host}:{stats_port}
    stats enable
    stats uri /stats
"""


def haproxy_config(
    servers: dict[str, str],
    maxconn: int,
    bind: tuple[str, int] = LB,
    stats: tuple[str, int] = STATS,
) -> str:
    """Return HAProxy's configuration for the servers ({name: "host:port"})."""
    return HAPROXY.format(
        lb_host=bind[0],
        lb_port=bind[1],
        stats_host=stats[0],
        stats_port=stats[1],
        maxconn=maxconn,
        servers="\n".join(f"    server {name} {at}" for name, at in servers.items()),
    )


def start_haproxy(
    processes: Processes, work: Path, names: Iterable[str], maxconn: int
) -> subprocess.Popen[bytes]:
    """Start HAProxy in front of the machines named; return once it sees every one UP."""
    if not shutil.which("haproxy"):
        raise SystemExit("haproxy is missing: apt-get install haproxy (make scaleout does).")
    names = list(names)
    config = work / f"haproxy-{''.join(names)}.cfg"
    config.write_text(haproxy_config({n: f"{MACHINES[n]}:{PORT}" for n in names}, maxconn))
    run(["haproxy", "-c", "-f", str(config)], dict(os.environ))
    out = (work / f"haproxy-{''.join(names)}.log").open("wb")
    process = processes.start(
        ["haproxy", "-db", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT
    )
    out.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, KeyError):
            states = server_states()
            if get(*LB, "/healthz")[0] == 200 and all(states[n] == "UP" for n in names):
                return process
        time.sleep(0.2)
    raise SystemExit(f"HAProxy did not come up with {', '.join(names)} UP")


def server_states() -> dict[str, str]:
    """Return HAProxy's view of each machine: UP, DOWN, or a transition such as 'UP 1/2'."""
    status, body = get(*STATS, "/stats;csv", timeout=2)
    states = {}
    for row in csv.DictReader(body.decode().lstrip("# ").splitlines()):
        if row["pxname"] == "machines" and row["svname"] in MACHINES:
            states[row["svname"]] = row["status"]
    return states


class Watch(threading.Thread):
    """Record when HAProxy's view of the victim changes (polled every 50 ms)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.changes: list[tuple[float, str]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        last = None
        while not self.stop.is_set():
            with contextlib.suppress(OSError, KeyError):
                state = server_states().get(VICTIM)
                if state != last:
                    self.changes.append((time.time(), state or "?"))
                    last = state
            time.sleep(0.05)

    def first(self, state: str, after: float) -> float | None:
        return next((t for t, s in self.changes if t >= after and s == state), None)


# --- the freshness probe ------------------------------------------------------------------


class Browser:
    """Cookies and the last CSRF token, over plain HTTP to one machine."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port, self.cookies, self.csrf = host, port, {}, ""

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> int:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = None
            if data is not None:
                body = urlencode({**data, "csrf_token": self.csrf})
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            found = CSRF.search(text)
            if found:
                self.csrf = found.group(1)
            return response.status
        finally:
            connection.close()


class Probe(threading.Thread):
    """Every few seconds change a listing through machine A; time the others' indexes applying it."""

    def __init__(self, url: str, machines: dict[str, Machine], me: dict[str, Any], every: float):
        super().__init__(daemon=True)
        self.url, self.machines, self.me, self.every = url, machines, me, every
        self.stop = threading.Event()
        self.lags: dict[str, list[float]] = defaultdict(list)
        self.missed: Counter[str] = Counter()
        self.writes: list[Write] = []
        self.down: set[str] = set()

    def run(self) -> None:
        import psycopg

        from broker.auth import totp

        writer = self.machines[WRITER]
        browser = Browser(writer.ip, PORT)
        browser.request("GET", "/sign-in")
        browser.request("POST", "/sign-in", {"email": self.me["email"], "password": PASSWORD})
        browser.request("GET", "/two-factor")
        code = totp.code_at(self.me["totp_secret"], time.time())
        if browser.request("POST", "/two-factor", {"code": code}) != 302:
            say("probe: could not sign in; no freshness figures")
            return
        pool, suspended = list(self.me["assured"]), []
        sql = "SELECT max(seq) FROM index_change WHERE listing_id = %s"
        with psycopg.connect(self.url.replace("+psycopg", ""), autocommit=True) as conn:
            while not self.stop.wait(self.every * random.uniform(0.7, 1.3)):
                if suspended and random.random() < 0.5:
                    listing, action = suspended.pop(0), "reinstate"
                else:
                    listing, action = pool.pop(), "suspend"
                browser.request("GET", f"/qa/listings/{listing}")
                status = browser.request(
                    "POST", f"/qa/listings/{listing}/{action}", {f"{action}-reason": "Probe."}
                )
                acknowledged = time.monotonic()
                self.writes.append((time.time(), listing, action, int(status == 302), ""))
                if status != 302:
                    continue
                (suspended.append if action == "suspend" else pool.append)(listing)
                seq = conn.execute(sql, (listing,)).fetchone()[0]
                waiting = {n for n in self.machines if n != WRITER and n not in self.down}
                while waiting and time.monotonic() - acknowledged < 10:
                    for name in list(waiting):
                        if self.machines[name].applied() >= seq:
                            self.lags[name].append(time.monotonic() - acknowledged)
                            waiting.discard(name)
                    time.sleep(0.002)
                for name in waiting:
                    if name not in self.down:
                        self.missed[name] += 1


# --- figures ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Phase:
    name: str
    start: float
    end: float
    rows: list[tuple[float, str, float, int, str]] = field(default_factory=list)

    def errors(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for _, kind, _, status, error in self.rows:
            if error or status == 0 or status >= 500:
                found[f"{kind}: {status or error.split(':')[0]}"] += 1
        return found

    def line(self, kind: str | None = None) -> str:
        times = [ms for _, k, ms, _, _ in self.rows if kind is None or k == kind]
        seconds = max(self.end - self.start, 1e-9)
        return (
            f"{len(times) / seconds:7.1f} req/s  p50 {percentile(times, 50):6.0f} ms  "
            f"p95 {percentile(times, 95):6.0f} ms  p99 {percentile(times, 99):6.0f} ms  "
            f"({len(times):,} requests)"
        )


def read_requests(path: Path) -> list[tuple[float, str, float, int, str]]:
    rows = []
    with path.open(newline="") as handle:
        for end, kind, ms, status, error in csv.reader(handle):
            rows.append((float(end), kind, float(ms), int(status), error))
    return rows


def read_writes(path: Path) -> list[Write]:
    with path.open(newline="") as handle:
        return [
            (float(t), int(key), action, int(ack), mark)
            for t, key, action, ack, mark in csv.reader(handle)
        ]


#: What each kind of acknowledged write is called in the summary.
WRITE_KINDS = {
    "suspend": "QA decisions",
    "reinstate": "QA decisions",
    "approve": "QA decisions",
    "edit": "provider edits",
    "submit-edit": "edits submitted",
    "visit": "SIP visits",
    "priority": "SIP priorities",
}
#: The unique mark a Locust user writes into what it saves (deploy/locustfile.py's `mark`).
MARK = re.compile(r"sx-[0-9a-f]{12}")


@dataclass
class Checked:
    """Acknowledged writes of one kind compared with the database after the run."""

    checked: int = 0
    in_doubt: int = 0
    lost: list[str] = field(default_factory=list)


def lost_writes(url: str, writes: list[Write]) -> dict[str, Checked]:
    """Check every acknowledged write against the database; return the outcome per kind.

    QA decisions: each listing's last acknowledged decision must be its status (an attempt
    cut off after it leaves the listing in doubt). Provider edits, their submission, SIP visits
    and priorities each carry a unique mark (time, id, action, acknowledged, mark): the row
    holding it must exist (a revision of the listing not discarded; submitted or decided since;
    a visit or priority of the school). A write never acknowledged is in doubt, not checked.
    """
    import psycopg

    kinds: dict[str, Checked] = {kind: Checked() for kind in dict.fromkeys(WRITE_KINDS.values())}
    outcome = {"suspend": "suspended", "reinstate": "assured", "approve": "assured"}
    last: dict[int, tuple[str, bool]] = {}
    marked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for _, key, action, acknowledged, mark in sorted(writes):
        if action not in outcome:
            if acknowledged:
                marked[action].append((key, mark))
            else:
                kinds[WRITE_KINDS[action]].in_doubt += 1
        elif acknowledged:
            last[key] = (action, False)
        elif key in last:
            last[key] = (last[key][0], True)  # a later attempt may or may not have landed
        else:
            last[key] = (action, True)
    decisions = {k: a for k, (a, doubt) in last.items() if not doubt}
    ids = {action: [key for key, _ in rows] for action, rows in marked.items()}
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        status = dict(
            conn.execute(
                "SELECT id, status FROM listing WHERE id = ANY(%s)", (list(decisions),)
            ).fetchall()
        )
        revisions = conn.execute(
            "SELECT listing_id, proposed->>'contact_name', status FROM listing_revision"
            " WHERE listing_id = ANY(%s)",
            (ids.get("edit", []) + ids.get("submit-edit", []),),
        ).fetchall()
        visits = conn.execute(
            "SELECT school_id, evidence_notes FROM school_visit WHERE school_id = ANY(%s)",
            (ids.get("visit", []),),
        ).fetchall()
        priorities = conn.execute(
            "SELECT school_id, description FROM priority WHERE school_id = ANY(%s)",
            (ids.get("priority", []),),
        ).fetchall()

    def found(rows: list[tuple[Any, ...]], keep: set[str] | None = None) -> set[tuple[int, str]]:
        return {
            (key, mark)
            for key, text, *state in rows
            if keep is None or state[0] in keep
            for mark in MARK.findall(text or "")
        }

    present = {
        "edit": found(
            revisions, {"draft", "submitted", "changes-requested", "approved", "rejected"}
        ),
        "submit-edit": found(revisions, {"submitted", "changes-requested", "approved", "rejected"}),
        "visit": found(visits),
        "priority": found(priorities),
    }
    qa = kinds["QA decisions"]
    qa.checked, qa.in_doubt = len(decisions), len(last) - len(decisions)
    qa.lost = [
        str(k) for k, action in sorted(decisions.items()) if status.get(k) != outcome[action]
    ]
    for action, rows in marked.items():
        kind = kinds[WRITE_KINDS[action]]
        kind.checked += len(rows)
        kind.lost += [f"{key}:{mark}" for key, mark in rows if (key, mark) not in present[action]]
    return kinds


def total(kinds: Iterable[Checked]) -> Checked:
    """Add up the checks of several kinds."""
    out = Checked()
    for c in kinds:
        out.checked += c.checked
        out.in_doubt += c.in_doubt
        out.lost += c.lost
    return out


#: The request kinds that are searches (deploy/locustfile.py's names), held to the goal.
SEARCHES = ("search page", "search api")
#: The goal: search p95 with three machines under the mixed load within this of one machine's.
GOAL_RATIO = 2.0
#: Seconds at the start of each load left out of the figures (users arriving, caches warming).
WARM_UP = 15


def start_locust(
    processes: Processes,
    env: dict[str, str],
    log: Path,
    users: int,
    duration: int,
) -> subprocess.Popen[bytes]:
    """Start Locust, headless, through the balancer, for `duration` seconds."""
    with log.open("wb") as out:
        return processes.start(
            [
                LOCUST,
                "-f",
                str(ROOT / "deploy" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(max(1, users // 10)),
                "--run-time",
                f"{duration}s",
                "--host",
                f"http://{LB[0]}:{LB[1]}",
                "--only-summary",
                "--stop-timeout",
                "15",
                "--loglevel",
                "WARNING",
            ],  # fmt: skip
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def search_p95(rows: list[tuple[float, str, float, int, str]], kinds: Iterable[str]) -> float:
    """Return the 95th percentile of the searches' times among `rows` (ms)."""
    kinds = set(kinds)
    return percentile([ms for _, kind, ms, _, _ in rows if kind in kinds], 95)


def search_ratios(one: Phase, phases: list[Phase]) -> dict[str, dict[str, float]]:
    """Return {search kind or "searches": {phase: p95 / one machine's p95}} ("one machine": ms)."""
    out: dict[str, dict[str, float]] = {}
    for label, kinds in [("searches", SEARCHES), *((k, (k,)) for k in SEARCHES)]:
        base = search_p95(one.rows, kinds)
        out[label] = {"one machine": base} | {
            p.name: search_p95(p.rows, kinds) / base if base > 0 else float("nan") for p in phases
        }
    return out


def print_phase(phase: Phase) -> None:
    print(f"\n{phase.name} ({phase.end - phase.start:.0f} s)")
    print(f"  all           {phase.line()}")
    for kind in sorted({r[1] for r in phase.rows}):
        print(f"  {kind:<18.18}{phase.line(kind)}")
    for what, n in phase.errors().most_common():
        print(f"  error: {what} x{n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--database", default="scaleout_broker")
    parser.add_argument(
        "--work", default=str(ROOT / "instance" / "scaleout"), help="machines' folders, logs"
    )
    parser.add_argument("--duration", type=int, default=240, help="seconds of load")
    parser.add_argument(
        "--baseline",
        type=int,
        default=75,
        help="seconds of load on one machine first, the three machines' baseline (0: none)",
    )
    parser.add_argument(
        "--baseline-load",
        choices=("mix", "searches"),
        default="mix",
        help="the one machine's load: the same mix, or the mix's searchers alone",
    )
    parser.add_argument("--users", type=int, default=60, help="simulated people (Locust users)")
    parser.add_argument("--officers", type=int, default=3, help="QA officers among them")
    parser.add_argument(
        "--providers", type=int, default=60, help="provider accounts (each edits its listings once)"
    )
    parser.add_argument("--kill-at", type=float, default=0.35, help="fraction of the run")
    parser.add_argument("--down-for", type=int, default=45, help="seconds before the restart")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per machine")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--fresh-indexes", action="store_true", help="wipe and rebuild indexes")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.baseline and args.baseline <= WARM_UP:
        parser.error(f"--baseline must be over {WARM_UP} s (its first {WARM_UP} s are a warm-up)")

    work = Path(args.work)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    url = database_url(args.database)
    secret = secrets.token_hex(32)  # one key for every machine: a session works on any of them
    base = {k: v for k, v in os.environ.items() if not k.startswith(("BROKER_", "FLASK_"))} | {
        "BROKER_DATABASE_URL": url,
        "BROKER_SECRET_KEY": secret,
        "BROKER_INSTANCE_PATH": str(work / "admin"),
    }
    with stopped_at_exit(Processes()) as processes:
        say(f"machine load before the run: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
            f"{os.getloadavg()[2]:.2f} (1, 5, 15 minutes)")  # fmt: skip
        prepare_database(args.database, args.listings, base)
        say("making the run's QA officers, heads, SIPs and providers")
        # The one machine's share of the once-a-run writes, by its time under load (the mix).
        share = (
            args.baseline / (args.baseline + args.duration)
            if args.baseline and args.baseline_load == "mix"
            else 0.0
        )
        providers = round(args.providers / (1 - share))
        plan = make_plan(url, args.officers, providers, args.seed)
        one, three = split_plan(plan, share)
        (work / "one-machine-plan.json").write_text(json.dumps(one))
        (work / "plan.json").write_text(json.dumps(three))
        run_everything(processes, args, work, logs, url, base, three)


def run_everything(  # noqa: C901, PLR0915 (one story, told in order)
    processes: Processes,
    args: argparse.Namespace,
    work: Path,
    logs: Path,
    url: str,
    base: dict[str, str],
    plan: dict[str, Any],
) -> None:
    """Build the indexes, measure one machine, then three under the mixed load with a kill."""
    run_id = secrets.token_hex(4)
    machines: dict[str, Machine] = {}
    for name, ip in MACHINES.items():
        folder = work / f"machine-{name}"
        if args.fresh_indexes:
            shutil.rmtree(folder / "index", ignore_errors=True)
        machines[name] = Machine(
            name,
            ip,
            base
            | {
                "BROKER_INSTANCE_PATH": str(folder),
                "BROKER_INDEX_DIR": str(folder / "index"),
                "BROKER_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
                "BROKER_RATELIMIT_KEY_PREFIX": f"scaleout-{run_id}",
                "BROKER_MATCH_RATE_LIMIT": "120 per minute",
                "BROKER_TRUSTED_PROXIES": "1",
                "BROKER_WORKERS": str(args.workers),
                "BROKER_THREADS": str(args.threads),
                "BROKER_BASE_URL": f"http://{LB[0]}:{LB[1]}",
                "BROKER_MAIL_BACKEND": "log",
                "BROKER_LOG_LEVEL": "WARNING",
            },
            logs,
            processes,
        )

    report: dict[str, Any] = {
        "listings": args.listings,
        "run": time.strftime("%Y-%m-%d %H:%M"),
        "load_before": os.getloadavg(),
    }
    new = [m for m in machines.values() if not (m.index_dir / "CURRENT").exists()]
    if new:
        say(f"building the indexes of {', '.join(m.name for m in new)} from the database")
        t0 = time.monotonic()
        builds = [
            (
                m,
                processes.start(
                    [BROKER, "index", "rebuild"],
                    env=m.env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                ),
            )
            for m in new
        ]
        for m, process in builds:
            out, _ = process.communicate()
            if process.returncode:
                raise SystemExit(f"index rebuild of {m.name} failed")
            say(f"  {m.name}: {out.decode().strip()} ({time.monotonic() - t0:.0f} s)")
        report["index_build_s"] = round(time.monotonic() - t0)

    def load_env(label: str, **extra: str) -> dict[str, str]:
        """Locust's environment for one load: its plan, requests and writes files.

        `label` prefixes the files (the one machine's: "one-machine-"; the three's: "").
        """
        return base | {
            "SCALEOUT_PLAN": str(work / f"{label}plan.json"),
            "SCALEOUT_REQUESTS": str(work / f"{label}requests.csv"),
            "SCALEOUT_WRITES": str(work / f"{label}writes.csv"),
            "PYTHONPATH": str(ROOT),
            **extra,
        }

    # One machine first, alone behind the balancer, under the same users' mix (its own share
    # of the plan's writes) or their searchers alone: the search times the three are held to.
    first = machines[WRITER]
    say(f"machine {first.name} serving on {first.ip}:{PORT} after {first.start():.1f} s")
    one: Phase | None = None
    one_writes: list[Write] = []
    if args.baseline:
        balancer = start_haproxy(processes, work, [first.name], args.workers * args.threads)
        load = "the whole mix" if args.baseline_load == "mix" else "the searchers alone"
        say(f"one machine: {load} through HAProxy to {first.name} for {args.baseline} s")
        start = time.time()
        locust = start_locust(
            processes,
            load_env(
                "one-machine-",
                **({"SCALEOUT_SEARCHES_ONLY": "1"} if args.baseline_load == "searches" else {}),
            ),
            logs / "locust-one-machine.log",
            args.users,
            args.baseline,
        )
        locust.wait(timeout=args.baseline + 120)
        one = Phase(f"one machine ({first.name}), {load}", start + WARM_UP, time.time())
        one_writes = read_writes(work / "one-machine-writes.csv")
        one.rows = [
            r for r in read_requests(work / "one-machine-requests.csv") if r[0] >= one.start
        ]
        if not any(kind in SEARCHES for _, kind, _, _, _ in one.rows):
            raise SystemExit(f"no searches on one machine: see {logs / 'locust-one-machine.log'}")
        processes.stop(balancer)
        say(f"one machine: search p95 {search_p95(one.rows, SEARCHES):.0f} ms "
            f"({len(one.rows):,} requests)")  # fmt: skip

    for m in machines.values():
        if m is not first:
            say(f"machine {m.name} serving on {m.ip}:{PORT} after {m.start():.1f} s")
    start_haproxy(processes, work, MACHINES, args.workers * args.threads)
    say(f"HAProxy on {LB[0]}:{LB[1]} (stats {STATS[0]}:{STATS[1]}/stats), every machine UP")

    watch = Watch()
    watch.start()
    probe = Probe(url, machines, plan["probe"], every=3.0)
    files = {k: work / f"{k}.csv" for k in ("requests", "writes")}
    say(f"load: {args.users} users for {args.duration} s through the balancer")
    load_start = time.time()
    locust = start_locust(processes, load_env(""), logs / "locust.log", args.users, args.duration)
    probe.start()

    victim = machines[VICTIM]
    time.sleep(max(0.0, load_start + args.duration * args.kill_at - time.time()))
    probe.down.add(VICTIM)
    killed_at = time.time()
    victim.kill()
    say(f"killed machine {VICTIM} (SIGKILL to its process group)")
    time.sleep(max(0.0, killed_at + args.down_for - time.time()))
    behind_at_restart = latest_seq(url)
    restart_at = time.time()
    serving_after = victim.start()
    say(f"restarted machine {VICTIM}: serving after {serving_after:.1f} s")
    while victim.applied() < behind_at_restart and time.time() - restart_at < 120:
        time.sleep(0.01)
    caught_up_after = time.time() - restart_at
    say(f"machine {VICTIM}'s index caught up after {caught_up_after:.1f} s")
    probe.down.discard(VICTIM)

    locust.wait(timeout=args.duration + 120)
    load_end = time.time()
    probe.stop.set()
    probe.join(timeout=15)
    watch.stop.set()
    time.sleep(2)  # let the last changes reach every index

    noticed = watch.first("DOWN", killed_at)
    back = watch.first("UP", restart_at)
    rows = read_requests(files["requests"])
    if not rows:
        raise SystemExit(f"Locust made no requests: see {logs / 'locust.log'}")
    phases = [
        Phase("before the kill", load_start + WARM_UP, killed_at),
        Phase(f"machine {VICTIM} down", killed_at, back or restart_at + serving_after),
        Phase("after the restart", back or restart_at + serving_after, load_end),
    ]
    for row in rows:
        for phase in phases:
            if phase.start <= row[0] < phase.end:
                phase.rows.append(row)
    kill_window = (killed_at, noticed or killed_at)
    errors_in_window = sum(
        1
        for t, _, _, status, error in rows
        if kill_window[0] <= t <= kill_window[1] + 1 and (error or status == 0 or status >= 500)
    )
    errors_outside = sum(
        1
        for t, _, _, status, error in rows
        if not kill_window[0] <= t <= kill_window[1] + 1 and (error or status == 0 or status >= 500)
    )
    checked = lost_writes(url, one_writes + read_writes(files["writes"]) + probe.writes)
    say("broker index check on every machine")
    checking = {
        m.name: processes.start(
            [BROKER, "index", "check"], env=m.env, stdout=subprocess.PIPE, text=True
        )
        for m in machines.values()
    }
    checks = {}
    for name, process in checking.items():
        out, _ = process.communicate()
        checks[name] = (process.returncode, out.strip().splitlines()[-1:])
    report["load_after"] = os.getloadavg()

    print()
    print(f"=== {args.listings:,} listings, 3 machines x {args.workers} workers x "
          f"{args.threads} threads, {args.users} users, {args.duration} s "
          f"({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores; load average "
          f"{report['load_before'][0]:.1f} before, {report['load_after'][0]:.1f} after) ===")  # fmt: skip
    for phase in [*([one] if one else []), *phases]:
        print_phase(phase)
    if one is not None:
        ratios = search_ratios(one, phases)
        print(f"\nsearch p95 against one machine's (goal: three machines under the mixed load "
              f"within {GOAL_RATIO:g}x)")  # fmt: skip
        print(f"  {'':<12}{'one machine':>13}" + "".join(f"{p.name:>22}" for p in phases))
        for label, row in ratios.items():
            cells = "".join(
                f"{search_p95(p.rows, SEARCHES if label == 'searches' else (label,)):>13.0f} ms"
                f" {row[p.name]:4.1f}x"
                for p in phases
            )
            print(f"  {label:<12}{row['one machine']:>10.0f} ms{cells}")
        steady = ratios["searches"][phases[0].name]
        verdict = "met" if steady <= GOAL_RATIO else "MISSED"
        print(f"  goal, three machines {phases[0].name}: {steady:.1f}x, {verdict} "
              f"(machine {VICTIM} down: two machines; after the restart: {VICTIM} warming up)")  # fmt: skip
        report["one_machine"] = one.line()
        report["search_p95_ratio"] = ratios
    match = Counter(status for _, kind, _, status, _ in rows if kind == "match api")
    minutes = (load_end - load_start) / 60
    print(
        f"\nmatch API through Redis: {match[200]} answered, {match[429]} limited "
        f"({match[200] / minutes:.0f} a minute against a limit of 120 for this one client)"
    )
    print(f"\nkill: balancer marked {VICTIM} DOWN after "
          f"{(noticed - killed_at) if noticed else float('nan'):.1f} s; client errors from the "
          f"kill until then (+1 s): {errors_in_window}; errors at any other time: "
          f"{errors_outside}")  # fmt: skip
    print(f"restart: serving after {serving_after:.1f} s, index caught up after "
          f"{caught_up_after:.1f} s, balancer UP after "
          f"{(back - restart_at) if back else float('nan'):.1f} s")  # fmt: skip
    for name in sorted(probe.lags):
        lags = probe.lags[name]
        print(
            f"freshness {WRITER} -> {name}: {len(lags)} changes, median "
            f"{statistics.median(lags) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms, "
            f"over 1 s: {sum(lag > 1 for lag in lags)}, not applied within 10 s: "
            f"{probe.missed[name]}"
        )
    print("writes acknowledged and checked against the database, one machine's and three's "
          "(cut off mid-request: either outcome is right):")  # fmt: skip
    for kind, c in [*checked.items(), ("all", total(checked.values()))]:
        print(
            f"  {kind:<16}{c.checked:5} checked, {len(c.lost)} lost"
            f"{' ' + str(c.lost[:10]) if c.lost else ''}; {c.in_doubt} cut off mid-request"
        )
    for name, (code, last) in checks.items():
        print(f"broker index check on {name}: exit {code}: {' '.join(last)}")
    report.update(
        phases={p.name: p.line() for p in phases},
        noticed_s=(noticed - killed_at) if noticed else None,
        errors_in_kill_window=errors_in_window,
        errors_outside=errors_outside,
        restart={"serving_s": serving_after, "caught_up_s": caught_up_after},
        freshness_ms={n: sorted(round(x * 1000) for x in v) for n, v in probe.lags.items()},
        lost=total(checked.values()).lost,
        writes={
            kind: {"checked": c.checked, "in_doubt": c.in_doubt, "lost": c.lost}
            for kind, c in checked.items()
        },
        index_check={n: c for n, (c, _) in checks.items()},
    )
    (work / "report.json").write_text(json.dumps(report, indent=1))


def latest_seq(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return int(conn.execute("SELECT coalesce(max(seq), 0) FROM index_change").fetchone()[0])


if __name__ == "__main__":
    main()
