"""The load of `deploy/scaleout.py`: what SIPs, heads, the public and QA officers do, at a ratio.

Read by Locust (headless). What each simulated person may act on comes from a JSON plan the
orchestrator writes (SCALEOUT_PLAN): listing ids, QA officers with their TOTP secrets, SIPs
who sign in. Every request is also written to SCALEOUT_REQUESTS as a CSV line (end time, kind,
milliseconds, status, error) so the orchestrator can cut the run into before, during and after
the kill; every acknowledged QA decision goes to SCALEOUT_WRITES (to check none was lost).
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

from broker.auth import totp

PLAN: dict[str, Any] = json.loads(Path(os.environ["SCALEOUT_PLAN"]).read_text(encoding="utf-8"))
_requests = open(os.environ["SCALEOUT_REQUESTS"], "w", newline="", encoding="utf-8")  # noqa: SIM115
_writes = open(os.environ["SCALEOUT_WRITES"], "w", newline="", encoding="utf-8")  # noqa: SIM115
_request_log = csv.writer(_requests)
_write_log = csv.writer(_writes)
_lock = threading.Lock()
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

WORDS = [
    "phonics", "maths", "numeracy", "autism", "behaviour", "attendance", "governance",
    "leadership", "early years", "EAL", "SEN", "safeguarding", "coaching", "science",
    "reading", "writing", "assessment", "data", "pupil premium", "ks2 maths",
    "middle leaders", "dyslexia", "speech and language", "wellbeing", "transition",
]  # fmt: skip
CATEGORIES = [
    "leadership-and-management", "teaching-and-learning", "curriculum-and-subject-support",
    "inclusion-sen-and-vulnerable-groups", "behaviour-attendance-and-safeguarding", "governance",
]  # fmt: skip
PHASES = ["primary", "secondary", "special", "early-years"]
COSTS = ["free", "funded", "traded-buy-back", "paid"]
REGIONS = ["north-west", "london", "south-east", "west-midlands", "yorkshire-and-the-humber"]
#: The filters a search adds: (parameter, how often, its values), for the page and the API.
PAGE_FILTERS = (("phase", 0.6, PHASES), ("category", 0.4, CATEGORIES), ("region", 0.3, REGIONS))
API_FILTERS = (("cost", 0.5, COSTS), ("phase", 0.5, PHASES))


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response: Any = None,
    exception: Any = None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    end = (start_time or time.time()) + response_time / 1000
    error = "" if exception is None else type(exception).__name__ + ": " + str(exception)[:80]
    with _lock:
        _request_log.writerow([f"{end:.3f}", name, f"{response_time:.1f}", status, error])


@events.quitting.add_listener
def _close(**_: Any) -> None:
    with _lock:
        _requests.flush()
        _writes.flush()


def _csrf(body: str | None) -> str:
    found = CSRF.search(body or "")
    return found.group(1) if found else ""


def _sign_in(client: Any, email: str, **options: Any) -> Any:
    """Post the sign-in form (the demo password) as a browser would; return the response."""
    page = client.get("/sign-in", name="sign-in form")
    return client.post(
        "/sign-in",
        data={"email": email, "password": PLAN["password"], "csrf_token": _csrf(page.text)},
        name="sign in",
        allow_redirects=False,
        **options,
    )


def _some_filters(filters: tuple[tuple[str, float, list[str]], ...]) -> dict[str, str]:
    """Return each filter's parameter with a random value, as often as the filter says."""
    return {
        name: random.choice(values) for name, chance, values in filters if random.random() < chance
    }


class Searcher(FastHttpUser):
    """SIPs, heads and the public: searching with filters, reading listings, asking the matcher."""

    weight = 20
    wait_time = between(0.5, 2.0)

    @task(5)
    def search_page(self) -> None:
        params = {"q": random.choice(WORDS), **_some_filters(PAGE_FILTERS)}
        self.client.get("/directory", params=params, name="search page")

    @task(2)
    def search_api(self) -> None:
        params = {"q": random.choice(WORDS), "per_page": "20", **_some_filters(API_FILTERS)}
        self.client.get("/api/v1/listings", params=params, name="search api")

    @task(4)
    def listing_page(self) -> None:
        listing = random.choice(PLAN["listings"])
        # A listing may have been suspended meanwhile: its page is then a 404, as it should be.
        with self.client.get(
            f"/directory/listings/{listing}", name="listing page", catch_response=True
        ) as response:
            if response.status_code in (200, 404):
                response.success()

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home page")

    @task(1)
    def match(self) -> None:
        body = {
            "school": {"phase": random.choice(["Primary", "Secondary"])},
            "needs": [{"text": f"{random.choice(WORDS)} across the school"}],
        }
        with self.client.post(
            "/api/v1/match", json=body, name="match api", catch_response=True
        ) as response:
            if response.status_code == 429:  # the shared limit at work, not a failure
                response.success()


class SipSigningIn(FastHttpUser):
    """A SIP arriving: sign in (a password hash checked), their pages, sign out."""

    weight = 2
    wait_time = between(2.0, 5.0)

    def on_start(self) -> None:
        self.account = PLAN["sips"][random.randrange(len(PLAN["sips"]))]

    @task
    def visit(self) -> None:
        with _sign_in(self.client, self.account["email"], catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
                return
        account = self.client.get("/schools", name="sip schools page")
        self.client.post(
            "/sign-out",
            data={"csrf_token": _csrf(account.text)},
            name="sign out",
            allow_redirects=False,
        )


class Officer(FastHttpUser):
    """A QA officer: the queue, suspending and reinstating listings, approving submissions."""

    weight = 1
    fixed_count = len(PLAN["officers"])
    wait_time = between(2.0, 4.0)
    _next = 0

    def on_start(self) -> None:
        index = Officer._next % len(PLAN["officers"])
        Officer._next += 1
        self.me = PLAN["officers"][index]
        self.assured = list(self.me["assured"])
        self.to_approve = list(self.me["submitted"])
        self.suspended: list[int] = []
        self.signed_in = False

    def _sign_in(self) -> bool:
        _sign_in(self.client, self.me["email"])
        # A code is accepted once per 30 s step: wait for a fresh step if this one was used.
        page = self.client.get("/two-factor", name="two-factor form")
        code = totp.code_at(self.me["totp_secret"], time.time())
        with self.client.post(
            "/two-factor",
            data={"code": code, "csrf_token": _csrf(page.text)},
            name="two-factor",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.signed_in = response.status_code == 302
            if not self.signed_in:
                response.failure(f"two-factor answered {response.status_code}")
        return self.signed_in

    def _decide(self, listing: int, action: str, field: str, text: str) -> bool:
        if not self.signed_in and not self._sign_in():
            return False
        page = self.client.get(f"/qa/listings/{listing}", name="qa review page")
        with self.client.post(
            f"/qa/listings/{listing}/{action}",
            data={field: text, "csrf_token": _csrf(page.text)},
            name=f"qa {action}",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            acknowledged = response.status_code == 302
            if not acknowledged:
                response.failure(f"{action} answered {response.status_code}")
        # Unacknowledged attempts are written too: one cut off by the kill may have committed.
        with _lock:
            _write_log.writerow([f"{time.time():.3f}", listing, action, int(acknowledged)])
        return acknowledged

    @task(1)
    def queue(self) -> None:
        if not self.signed_in and not self._sign_in():
            return
        self.client.get("/qa", name="qa queue")

    @task(3)
    def suspend_or_reinstate(self) -> None:
        if self.suspended and (random.random() < 0.5 or not self.assured):
            listing = self.suspended.pop(0)
            if self._decide(listing, "reinstate", "reinstate-reason", "Concern resolved."):
                self.assured.append(listing)
            else:
                self.suspended.append(listing)
        elif self.assured:
            listing = self.assured.pop(random.randrange(len(self.assured)))
            if self._decide(listing, "suspend", "suspend-reason", "A complaint to look into."):
                self.suspended.append(listing)
            else:
                self.assured.append(listing)

    @task(1)
    def approve(self) -> None:
        if self.to_approve:
            listing = self.to_approve.pop()
            self._decide(listing, "approve", "approve-note", "Two schools confirmed the impact.")
