"""The load of `deploy/scaleout.py`: what SIPs, heads, the public, providers and QA officers do.

Read by Locust (headless). What each simulated person may act on comes from a JSON plan the
orchestrator writes (SCALEOUT_PLAN): listing ids, QA officers with their TOTP secrets, SIPs
with their schools, providers with the listings they may edit. Every request is also written to
SCALEOUT_REQUESTS as a CSV line (end time, kind, milliseconds, status, error) so the orchestrator
can cut the run into before, during and after the kill; every write (a QA decision, a provider's
edit and its submission, a SIP's visit and priority) goes to SCALEOUT_WRITES as (time, listing or
school id, action, acknowledged, mark): what a person saves carries a unique mark, so the
orchestrator can find each acknowledged write in the database afterwards.

With SCALEOUT_SEARCHES_ONLY=1 (the orchestrator's one-machine baseline with `--baseline-load
searches`) the same users arrive but only the searchers act: the others stay idle, so the
search load is the mixed run's.
"""

from __future__ import annotations

import csv
import html
import json
import os
import random
import re
import secrets
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

from broker import taxonomy
from broker.auth import totp

PLAN: dict[str, Any] = json.loads(Path(os.environ["SCALEOUT_PLAN"]).read_text(encoding="utf-8"))
_requests = open(os.environ["SCALEOUT_REQUESTS"], "w", newline="", encoding="utf-8")  # noqa: SIM115
_writes = open(os.environ["SCALEOUT_WRITES"], "w", newline="", encoding="utf-8")  # noqa: SIM115
_request_log = csv.writer(_requests)
_write_log = csv.writer(_writes)
_lock = threading.Lock()
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INPUT = re.compile(r"<input\b[^>]*>")
VALUE = re.compile(r'\bvalue="([^"]*)"')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
#: Where recording a visit leads: its first priority's form (group 1: the visit's own path).
PRIORITY_FORM = re.compile(r"(/schools/\d+/visits/\d+)/priorities/new")

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


def _value(body: str | None, name: str) -> str:
    """Return the value of the page's text input called `name` ("" when it has none)."""
    for tag in INPUT.findall(body or ""):
        if f'name="{name}"' in tag:
            found = VALUE.search(tag)
            return html.unescape(found.group(1)) if found else ""
    return ""


def mark() -> str:
    """Return a unique mark to write into what is saved (scaleout.MARK finds it again)."""
    return "sx-" + secrets.token_hex(6)


def _write(key: int, action: str, acknowledged: bool, mark: str = "") -> None:
    """Note a write; unacknowledged ones too: one cut off by the kill may have committed."""
    with _lock:
        _write_log.writerow([f"{time.time():.3f}", key, action, int(acknowledged), mark])


def _post_form(client: Any, path: str, fields: list[tuple[str, str]], name: str) -> Any:
    """Post a form as a browser does (a field may repeat: checkboxes, the date's three boxes).

    Returns Locust's response context: the caller says whether the answer is a success.
    """
    return client.post(
        path,
        data=urlencode(fields).encode(),
        headers=FORM,
        name=name,
        allow_redirects=False,
        catch_response=True,
    )


def _location(response: Any) -> str:
    return str(response.headers.get("Location") or "")


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
    def compare(self) -> None:
        listings = random.sample(PLAN["listings"], random.randint(2, 4))
        # As for a listing page: one suspended meanwhile is left out (all of them: a 404).
        with self.client.get(
            "/directory/compare?" + urlencode([("id", listing) for listing in listings]),
            name="compare page",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 404):
                response.success()

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
    """A SIP arriving: sign in (a password hash checked), their schools, sign out.

    Every other time or so they record a visit at one of their schools: the evidence looked at,
    notes and the support category, then one or two priorities agreed with the head.
    """

    weight = 2
    wait_time = between(2.0, 5.0)
    #: How often a sign-in is to record a visit (the rest: looking at their schools).
    visit_chance = 0.5

    def on_start(self) -> None:
        self.account = PLAN["sips"][random.randrange(len(PLAN["sips"]))]

    @task
    def visit(self) -> None:
        with _sign_in(self.client, self.account["email"], catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
                return
        page = self.client.get("/schools", name="sip schools page")
        if self.account["schools"] and random.random() < self.visit_chance:
            last = self._record_visit(random.choice(self.account["schools"]))
            page = page if last is None else last
        self.client.post(
            "/sign-out",
            data={"csrf_token": _csrf(page.text)},
            name="sign out",
            allow_redirects=False,
        )

    def _record_visit(self, school: int) -> Any:
        """Record a visit and its priorities at the school; return the last page seen."""
        self.client.get(f"/schools/{school}", name="sip school page")
        page = self.client.get(f"/schools/{school}/visits/new", name="sip visit form")
        on = date.today() - timedelta(days=random.randint(1, 20))
        evidence = random.sample([e for e in taxonomy.EVIDENCE.slugs if e != "other"], 2)
        visit_mark = mark()
        fields = [
            ("visited_on", str(on.day)),
            ("visited_on", str(on.month)),
            ("visited_on", str(on.year)),
            *[("evidence", e) for e in evidence],
            (
                "evidence_notes",
                f"Visit {visit_mark}: SEF and data agree on {random.choice(WORDS)}.",
            ),
            ("support_category", random.choice(taxonomy.SUPPORT_CATEGORIES.slugs)),
            ("submit", "Save and continue"),
            ("csrf_token", _csrf(page.text)),
        ]
        path = f"/schools/{school}/visits/new"
        with _post_form(self.client, path, fields, "sip record visit") as response:
            found = PRIORITY_FORM.search(_location(response))
            if response.status_code != 302 or found is None:
                response.failure(f"recording a visit answered {response.status_code}")
        _write(school, "visit", found is not None, visit_mark)
        if found is None:
            return None
        for _ in range(random.randint(1, 2)):
            page = self.client.get(found.group(0), name="sip priority form")
            priority_mark = mark()
            fields = [
                ("description", f"Priority {priority_mark}: {random.choice(WORDS)} across KS2."),
                ("category", random.choice(taxonomy.CATEGORIES.slugs)),
                ("rag", random.choice(taxonomy.RAG_RATINGS.slugs)),
                ("submit", "Save priority"),
                ("csrf_token", _csrf(page.text)),
            ]
            with _post_form(self.client, found.group(0), fields, "sip add priority") as response:
                saved = response.status_code == 302 and found.group(1) in _location(response)
                if not saved:
                    response.failure(f"adding a priority answered {response.status_code}")
            _write(school, "priority", saved, priority_mark)
            if not saved:
                break
        return page


class ProviderEditing(FastHttpUser):
    """A provider keeping listings current: their dashboard, and an edit of a listing sent to QA.

    The edit changes the listing's contact details (the other fields as they were); as the
    listing is assured it becomes a revision waiting for QA while the listing stays published.
    A listing under review cannot be edited again, so each is edited once; a provider whose
    listings are all done hands over to the next account of the plan.
    """

    weight = 2
    wait_time = between(3.0, 8.0)
    _accounts: list[dict[str, Any]] = list(reversed(PLAN["providers"]))

    def on_start(self) -> None:
        self.me: dict[str, Any] | None = None
        self.to_edit: list[int] = []
        self.signed_in = False
        self.csrf = ""

    def _sign_in(self) -> bool:
        if self.me is None or not self.to_edit:
            if self.signed_in:
                self.client.post(
                    "/sign-out",
                    data={"csrf_token": self.csrf},
                    name="sign out",
                    allow_redirects=False,
                )
            if not ProviderEditing._accounts:
                self.me, self.signed_in = None, False
                return False
            self.me = ProviderEditing._accounts.pop()
            self.to_edit, self.signed_in = list(self.me["listings"]), False
        if not self.signed_in:
            assert self.me is not None
            with _sign_in(self.client, self.me["email"], catch_response=True) as response:
                self.signed_in = response.status_code == 302
                if not self.signed_in:
                    response.failure(f"sign-in answered {response.status_code}")
        return self.signed_in

    @task(1)
    def dashboard(self) -> None:
        if self.signed_in or self._sign_in():
            self.csrf = _csrf(self.client.get("/provider", name="provider dashboard").text)

    @task(2)
    def edit(self) -> None:
        if not self._sign_in():
            return
        listing = self.to_edit.pop(random.randrange(len(self.to_edit)))
        self.client.get(f"/provider/listings/{listing}", name="provider listing")
        page = self.client.get(f"/provider/listings/{listing}/contact", name="provider edit form")
        edit_mark = mark()
        fields = [
            ("contact_name", f"Enquiries desk {edit_mark}"),
            ("contact_email", _value(page.text, "contact_email")),
            ("contact_phone", _value(page.text, "contact_phone")),
            ("submit", "Save and continue"),
            ("csrf_token", _csrf(page.text)),
        ]
        path = f"/provider/listings/{listing}/contact"
        with _post_form(self.client, path, fields, "provider edit") as response:
            saved = response.status_code == 302
            if not saved:
                response.failure(f"saving the edit answered {response.status_code}")
        _write(listing, "edit", saved, edit_mark)
        if not saved:
            return
        page = self.client.get(f"/provider/listings/{listing}/check", name="provider check")
        path = f"/provider/listings/{listing}/submit"
        fields = [("submit", "Continue"), ("csrf_token", _csrf(page.text))]
        with _post_form(self.client, path, fields, "provider submit") as response:
            # Sent for review: back to the dashboard (a refusal shows the check page again).
            sent = response.status_code == 302 and _location(response).endswith("/provider")
            if not sent:
                response.failure(f"submitting the edit answered {response.status_code}")
        _write(listing, "submit-edit", sent, edit_mark)
        self.csrf = _csrf(page.text)


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
        _write(listing, action, acknowledged)
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


def _idle(user: Any) -> None:
    """Do nothing (a user of the baseline that is not searching)."""


def _searches_only() -> None:
    """Leave the non-searchers idle (in a function: Locust counts module-level classes as users)."""
    for user in (SipSigningIn, ProviderEditing, Officer):
        user.tasks = [_idle]


if os.environ.get("SCALEOUT_SEARCHES_ONLY") == "1":
    _searches_only()
