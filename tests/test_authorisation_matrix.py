"""Who may reach what: every route of the app, GET and POST, for every role and for anonymous visitors.

One small world is built once (two LAs with a school each, two providers, a user of every role,
a visit with priorities and brokerages for school 1), every actor signs in once, and each row of the
table is then requested by each actor against that world. After any request that changed the
database, the database file and the search index are put back, so every row starts from the same
world and destructive POSTs (approve, withdraw, discard...) cannot upset later rows.

Outcomes: OK (2xx, or a redirect that is not to sign in; for a POST a 400 validation answer also
counts), SIGN_IN (302 to /sign-in?next=...), 403, and 404 where a feature deliberately hides that
something exists (a provider asking for another provider's listing; a listing not in the directory).
A refused request (403, 404, sign in, or a refused-as-invalid POST) must change nothing, and no
response to someone outside school 1's circle may contain school 1's confidential text.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from broker import db
from broker.assurance import services as assurance
from broker.auth import services as auth
from broker.brokerage import services as brokerage
from broker.feedback import services as feedback
from broker.interests import services as interests
from broker.models import Brokerage, Recommendation, SavedSearch, SipAssignment, User, utcnow
from broker.openreferral import mapping as openreferral
from broker.schools import leaders
from broker.schools import services as schools
from broker.submissions import services as submissions
from tests import factories as f
from tests.auth.helpers import sign_in, sign_in_fully
from tests.conftest import close_app, make_app
from tests.schools.world import make_user

#: Text only school 1's circle (its head, its SIP, its LA's QA officers, admins) may ever see.
SECRET = "Zanzibar-confidential"

ANON = "anonymous"
ACTORS = (
    ANON,
    "provider_a",
    "provider_b",
    "head_1",
    "head_2",
    "leader_1",
    "sip_1",
    "sip_x",
    "qa_1",
    "qa_2",
    "admin",
)
SIGNED_IN = tuple(a for a in ACTORS if a != ANON)
#: Who may see school 1's private records.
CIRCLE_1 = ("head_1", "leader_1", "sip_1", "qa_1", "admin")
#: Head 1's feedback on provider A's completed work: only its author, provider A and the QA
#: officers who assure the listing (LA 1's, and admins) may ever see it.
FEEDBACK = "Quokka-feedback-restricted"
FEEDBACK_READERS = ("head_1", "provider_a", "qa_1", "admin")

#: QA officer 1 signed in with a password but not yet through the second factor.
PENDING = "qa_1_second_factor_pending"
#: The only endpoints someone half signed in may reach (broker.auth.access._SECOND_FACTOR_OPEN).
OPEN_BEFORE_SECOND_FACTOR = {
    "auth.two_factor",
    "auth.two_factor_setup",
    "auth.sign_out",
    "auth.sign_in",
}

OK = "ok"
SIGN_IN = "sign-in"
SECOND_FACTOR = "second-factor"  # 302 to /two-factor
INVALID = "invalid"  # a POST answered 400 and refused (nothing changes)
Outcome = str | int

#: What a request may change without doing anything: when a session was last seen.
IGNORED = {"alembic_version": {"version_num"}, "user_session": {"last_seen_at"}}


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    """The built world: ids by name (for URLs and form bodies), and each actor's session cookie."""

    app: Flask
    db_path: Path
    index_dir: Path
    saved_db: Path
    saved_index: Path
    ids: dict[str, Any] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    digest: str = ""

    def restore(self) -> None:
        """Put the database and the index back as they were when the world was built."""
        engine = self.app.extensions.pop("broker.search", None)
        if engine is not None:
            engine.close()
        db.dispose(self.app)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.saved_db, self.db_path)
        shutil.rmtree(self.index_dir, ignore_errors=True)
        shutil.copytree(self.saved_index, self.index_dir)

    def database_digest(self) -> str:
        """Return a hash of every row of every table that a request must not change idly."""
        h = hashlib.sha256()
        with db.get_engine(self.app).connect() as conn:
            tables = [
                name
                for (name,) in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
                )
                if not name.startswith("sqlite_")
            ]
            for name in tables:
                skip = IGNORED.get(name, set())
                columns = [
                    f'"{c[1]}"'
                    for c in conn.exec_driver_sql(f'PRAGMA table_info("{name}")')
                    if c[1] not in skip
                ]
                if not columns:
                    continue
                h.update(name.encode())
                query = f'SELECT {", ".join(columns)} FROM "{name}" ORDER BY 1'
                for row in conn.exec_driver_sql(query):
                    h.update(repr(tuple(row)).encode())
        return h.hexdigest()

    def client_for(self, actor: str) -> Any:
        client = self.app.test_client()
        if actor != ANON:
            client.set_cookie("session", self.cookies[actor], domain="localhost")
        return client


def build_world(session: Any) -> dict[str, Any]:
    """Add the world's rows through the services (as the app would), commit, and return ids."""
    la_1 = f.local_authority(session, code="886", name="Kent", region="south-east")
    la_2 = f.local_authority(session, code="330", name="Birmingham", region="west-midlands")
    school_1 = f.school(session, la=la_1, name="St Aidan's CE Primary School")
    school_2 = f.school(session, la=la_2, name="Washwood Lane Primary School")
    elsewhere = f.school(session, name="Elsewhere Primary School")
    provider_a = f.provider(session, la_id=la_1.id, name="Helen Marsh Education Consultancy")
    provider_b = f.provider(session, la_id=la_2.id, name="Midlands Maths Hub")
    session.commit()

    users = {
        "provider_a": make_user(session, "provider", provider_id=provider_a.id),
        "provider_b": make_user(session, "provider", provider_id=provider_b.id),
        "head_1": make_user(session, "headteacher", school_id=school_1.id),
        "head_2": make_user(session, "headteacher", school_id=school_2.id),
        # The deputy head of school 1, authorised by its head (below) to act for the school.
        "leader_1": make_user(session, "school_leader", school_id=school_1.id),
        "sip_1": make_user(session, "sip", la_id=la_1.id),
        "sip_x": make_user(session, "sip", la_id=la_2.id),
        "qa_1": make_user(session, "qa_officer", la_id=la_1.id, enrolled=True),
        "qa_2": make_user(session, "qa_officer", la_id=la_2.id, enrolled=True),
        "admin": make_user(session, "admin", enrolled=True),
    }
    leader = leaders.authorise(
        session,
        users["head_1"],
        school_1,
        email=users["leader_1"].email,
        name=users["leader_1"].name,
        title="Deputy headteacher",
        link=lambda token: token,
        lifetime=timedelta(days=7),
    )
    session.add(SipAssignment(user_id=users["sip_1"].id, school_id=school_1.id))
    session.add(SipAssignment(user_id=users["sip_x"].id, school_id=school_2.id))

    # Two recommending schools each, so the assured listings are public (in the API too).
    f.recommendation(session, provider_a, school_1, service_title="Phonics coaching")
    f.recommendation(session, provider_a, school_2)
    f.recommendation(session, provider_b, school_2)
    f.recommendation(session, provider_b, elsewhere)
    curriculum = ["curriculum-and-subject-support"]
    assured_a = f.listing(
        session, provider_a, title="Phonics leadership coaching", categories=curriculum
    )
    assured_a2 = f.listing(session, provider_a, title="Reading for pleasure", categories=curriculum)
    assured_b = f.listing(
        session,
        provider_b,
        title="Boys' reading in Key Stage 2",
        summary="Raising attainment in reading for boys in Years 3 to 6.",
        categories=curriculum,
    )
    submitted_a = f.listing(session, provider_a, status="draft", title="Early years review")
    submitted_b = f.listing(session, provider_b, status="draft", title="Maths subject leadership")
    suspended_a = f.listing(session, provider_a, status="suspended", title="Writing moderation")
    session.commit()
    draft_a = submissions.create_draft(session, users["provider_a"])
    draft_b = submissions.create_draft(session, users["provider_b"])
    assurance.submit_for_review(session, submitted_a, users["provider_a"])
    # An administrator submits for provider B: they may not then approve it themselves.
    assurance.submit_for_review(session, submitted_b, users["admin"])
    # Provider B asks school 1's head for a recommendation.
    assurance.request_recommendations(session, provider_b, [school_1.id], users["provider_b"])
    session.commit()
    requested = session.exec(
        sa.select(Recommendation).where(
            Recommendation.provider_id == provider_b.id, Recommendation.school_id == school_1.id
        )
    ).scalar_one()
    confirmed = session.exec(
        sa.select(Recommendation).where(
            Recommendation.provider_id == provider_a.id, Recommendation.school_id == school_1.id
        )
    ).scalar_one()

    sip = users["sip_1"]
    visit = schools.record_visit(
        session,
        sip,
        school_1,
        visited_on=date.today() - timedelta(days=7),
        evidence=["sef", "pupil-data"],
        support_category="targeted",
    )
    p1, p2 = (
        schools.add_priority(
            session,
            sip,
            visit,
            description=f"{SECRET} priority {n}: raise attainment in KS2 reading for boys",
            category="curriculum-and-subject-support",
            ecm_outcomes=["enjoy-and-achieve"],
            pupil_groups=["boys-achievement"],
            rag="amber",
        )
        for n in (1, 2)
    )
    session.commit()

    def shortlisted(priority: Any, listing: Any, *steps: tuple[str, str]) -> int:
        row = brokerage.shortlist(session, sip, priority, int(listing.id), f"{SECRET} note")
        for to, who in steps:
            brokerage.move(session, users[who], row, to)
        session.commit()
        return int(row.id or 0)

    agreed = ("agreed", "head_1")
    engaged = ("engaged", "sip_1")
    completed = ("completed", "sip_1")

    # Someone invited, someone with a reset link, someone who has not confirmed their email.
    invited = f.user(session, role="headteacher", school_id=school_2.id)
    unconfirmed = f.user(session, role="provider", provider_id=provider_b.id)
    now, day = utcnow(), timedelta(days=1)
    tokens = {
        "invite_token": auth.issue_token(session, invited, "invite", day, now),
        "reset_token": auth.issue_token(session, users["provider_a"], "reset", day, now),
        "confirm_token": auth.issue_token(session, unconfirmed, "confirm", day, now),
    }
    saved = SavedSearch(user_id=users["head_1"].id, name="Phonics", params={"q": ["phonics"]})
    session.add(saved)
    session.commit()
    shortlists = {
        "suggested": shortlisted(p1, assured_a),
        "agreed": shortlisted(p1, assured_a2, agreed),
        "engaged": shortlisted(p2, assured_a, agreed, engaged),
        "completed": shortlisted(p2, assured_a2, agreed, engaged, completed),
    }
    # Head 1's feedback on the completed work (provider A's "Reading for pleasure").
    done = session.get(Brokerage, shortlists["completed"])
    given = feedback.give(
        session, users["head_1"], done, text=f"{FEEDBACK}: slow to start", would_use_again="yes"
    )
    session.commit()
    # SIP 1 registered an interest in provider A (after shortlisting its listings above).
    interest = interests.add(
        session,
        sip,
        provider_name=provider_a.name,
        kind="paid-work",
        started_on=date.today() - timedelta(days=90),
    )
    session.commit()

    return {
        "saved_1": saved.id,
        "la_1": la_1.code,
        "la_2": la_2.code,
        "school_1": school_1.id,
        "school_2": school_2.id,
        "draft_a": draft_a.id,
        "draft_b": draft_b.id,
        "assured_a": assured_a.id,
        "assured_a_code": assured_a.code,
        "draft_a_code": draft_a.code,
        "assured_a_service": openreferral.service_id(assured_a.code),
        "draft_a_service": openreferral.service_id(draft_a.code),
        "assured_a2": assured_a2.id,
        "assured_b": assured_b.id,
        "submitted_a": submitted_a.id,
        "submitted_b": submitted_b.id,
        "suspended_a": suspended_a.id,
        "requested": requested.id,
        "confirmed": confirmed.id,
        "visit": visit.id,
        "p1": p1.id,
        "p2": p2.id,
        **shortlists,
        "sip_1_id": sip.id,
        "interest": interest.id,
        "feedback": given.id,
        "leader_authority": leader.id,
        "sip_x_email": users["sip_x"].email,
        "users": {name: u.id for name, u in users.items()},
        **tokens,
    }


@pytest.fixture(scope="module")
def world(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Build the world once, sign every actor in once, and keep a copy to restore from."""
    root = tmp_path_factory.mktemp("matrix")
    db_path = root / "broker.sqlite"
    shutil.copy(sqlite_template, db_path)
    app = make_app(
        root,
        f"sqlite:///{db_path}",
        HARDCOPY_RATE_LIMIT="10000 per minute",
        VISIT_PACK_RATE_LIMIT="10000 per minute",
        MATCH_RATE_LIMIT="10000 per minute",
        SEARCH_CSV_RATE_LIMIT="10000 per minute",
    )
    built = World(
        app=app,
        db_path=db_path,
        index_dir=Path(app.config["INDEX_DIR"]),
        saved_db=root / "saved.sqlite",
        saved_index=root / "saved-index",
    )
    with app.app_context(), db.new_session(app) as session:
        built.ids = build_world(session)
        for actor, user_id in built.ids["users"].items():
            user = session.get(User, user_id)
            client = app.test_client()
            sign_in_fully(client, user)
            cookie = client.get_cookie("session")
            assert cookie is not None
            built.cookies[actor] = cookie.value
        client = app.test_client()
        assert (
            sign_in(client, session.get(User, built.ids["users"]["qa_1"]).email).status_code == 302
        )
        cookie = client.get_cookie("session")
        assert cookie is not None
        built.cookies[PENDING] = cookie.value
    # Let the index catch up with everything committed, then keep both as they are now.
    app.test_client().get("/directory")
    engine = app.extensions.pop("broker.search", None)
    if engine is not None:
        engine.close()
    db.dispose(app)
    shutil.copy(db_path, built.saved_db)
    shutil.copytree(built.index_dir, built.saved_index)
    built.digest = built.database_digest()
    yield built
    close_app(app)


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One request (endpoint + method + a world's values) and what each actor must get."""

    endpoint: str
    method: str
    url: str
    expect: dict[str, Outcome]
    data: dict[str, Any] | None = None
    json: Any = None
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.method} {self.url}" + (f" ({self.note})" if self.note else "")


def everyone(outcome: Outcome = OK) -> dict[str, Outcome]:
    return dict.fromkeys(ACTORS, outcome)


def signed_in() -> dict[str, Outcome]:
    return {**everyone(OK), ANON: SIGN_IN}


def only(*allowed: str, others: Outcome = 403, **special: Outcome) -> dict[str, Outcome]:
    """Allowed actors get OK, anonymous visitors are sent to sign in, the rest get `others`."""
    out: dict[str, Outcome] = {a: (OK if a in allowed else others) for a in ACTORS}
    out[ANON] = SIGN_IN
    out.update(special)
    return out


QA = ("qa_1", "qa_2", "admin")
HEADS = ("head_1", "head_2")
#: Who acts for school 1: its head and the leader the head authorised.
SCHOOL_1 = ("head_1", "leader_1")
SIPS = ("sip_1", "sip_x")
PROVIDERS = ("provider_a", "provider_b")
CIRCLE_ROLES = (*HEADS, "leader_1", *SIPS, *QA)
#: Provider A's own listing pages: provider B is told it does not exist.
OWN_A = only("provider_a", provider_b=404)

MATCH_BODY = {
    "needs": [{"text": "phonics in year 1", "category": "curriculum-and-subject-support"}]
}
VISIT_BODY = {
    "visited_on": ["3", "3", str(date.today().year - 1)],
    "evidence": "sef",
    "support_category": "targeted",
}
PRIORITY_BODY = {
    "description": "Improve attendance of disadvantaged pupils",
    "category": "curriculum-and-subject-support",
    "rag": "red",
}
INTEREST_BODY = {
    "provider": "Midlands Maths Hub",
    "kind": "family",
    "started_on": ["1", "9", str(date.today().year - 1)],
}
PLAN_DETAILS_BODY = {
    "planned_start": ["12", "1", str(date.today().year + 1)],
    "planned_end": ["26", "3", str(date.today().year + 1)],
    "agreed_cost": "1250",
    "success_criteria": "Reading ages up by a year for the boys concerned",
}
RECOMMEND_BODY = {
    "service_title": "Mastery maths",
    "impact": "Pupils' reasoning improved and staff now plan together every week.",
}

OFFLINE_VISIT_DRAFT = {
    "key": "matrix-visit-draft-0001",
    "kind": "visit",
    "school_id": "{school_1}",
    "visited_on": date.today().isoformat(),
    "evidence": ["sef"],
    "support_category": "targeted",
}
OFFLINE_PRIORITY_DRAFT = {
    "key": "matrix-priority-draft-0001",
    "kind": "priority",
    "school_id": "{school_1}",
    "visit_id": "{visit}",
    **PRIORITY_BODY,
}

ROWS: list[Row] = [
    # --- the public directory, API and printed directory ---------------------------------
    Row("directory.home", "GET", "/", everyone()),
    Row("directory.results", "GET", "/directory?q=phonics", everyone()),
    Row(
        "directory.results",
        "GET",
        "/directory?for={school_1}",
        # Anonymous visitors get the public results with a note; outsiders are refused.
        {**only(*CIRCLE_1), ANON: OK},
        note="searching for school 1",
    ),
    Row("directory.listing", "GET", "/directory/listings/{assured_a}", everyone()),
    Row(
        "directory.listing",
        "GET",
        "/directory/listings/{draft_a}",
        everyone(404),
        note="a draft is not in the directory, even for its provider",
    ),
    Row(
        "comparison.compare",
        "GET",
        "/directory/compare?id={assured_a}&id={assured_b}",
        everyone(),
    ),
    Row(
        "comparison.compare",
        "GET",
        "/directory/compare?id={draft_a}",
        everyone(404),
        note="a draft is never compared, even for its provider",
    ),
    Row("downloads.search_csv", "GET", "/directory/results.csv?q=reading", everyone()),
    Row(
        "downloads.search_csv",
        "GET",
        "/directory/results.csv?for={school_1}",
        # As the results page: the public gets the public results; outsiders are refused.
        {**only(*CIRCLE_1), ANON: OK},
        note="searching for school 1",
    ),
    Row("downloads.static", "GET", "/download-assets/shortlist-print.css", everyone()),
    Row("directory.accessibility", "GET", "/accessibility", everyone()),
    Row("directory.short_code", "GET", "/l/{assured_a_code}", everyone()),
    Row("directory.short_code", "GET", "/l/{draft_a_code}", everyone(404), note="draft"),
    Row("api.listings", "GET", "/api/v1/listings?q=maths", everyone()),
    Row("api.listing", "GET", "/api/v1/listings/{assured_a}", everyone()),
    Row("api.listing", "GET", "/api/v1/listings/{draft_a}", everyone(404), note="draft"),
    Row("api.openapi_document", "GET", "/api/v1/openapi.json", everyone()),
    Row("api.match", "POST", "/api/v1/match", everyone(), json=MATCH_BODY),
    Row("openreferral.root", "GET", "/openreferral/v3/", everyone()),
    Row("openreferral.service_list", "GET", "/openreferral/v3/services", everyone()),
    Row("openreferral.service", "GET", "/openreferral/v3/services/{assured_a_service}", everyone()),
    Row(
        "openreferral.service",
        "GET",
        "/openreferral/v3/services/{draft_a_service}",
        everyone(404),
        note="draft",
    ),
    Row(
        "openreferral.service_at_location_list",
        "GET",
        "/openreferral/v3/service_at_locations",
        everyone(),
    ),
    Row(
        "openreferral.service_at_location",
        "GET",
        "/openreferral/v3/service_at_locations/nope",
        everyone(404),
    ),
    Row("openreferral.taxonomy_list", "GET", "/openreferral/v3/taxonomies", everyone()),
    Row("openreferral.taxonomy", "GET", "/openreferral/v3/taxonomies/nope", everyone(404)),
    Row("openreferral.taxonomy_term_list", "GET", "/openreferral/v3/taxonomy_terms", everyone()),
    Row("openreferral.taxonomy_term", "GET", "/openreferral/v3/taxonomy_terms/nope", everyone(404)),
    Row("hardcopy.index", "GET", "/hardcopy/", everyone()),
    Row("hardcopy.page", "GET", "/hardcopy/{la_1}", everyone()),
    Row("hardcopy.pdf", "GET", "/hardcopy/{la_1}.pdf", everyone()),
    Row("visitpack.static", "GET", "/visit-pack-assets/visit-pack.css", everyone()),
    # --- offline on a visit: the service worker, the offline page, the public bundles ---
    Row("offline.service_worker", "GET", "/sw.js", everyone()),
    Row("offline.page", "GET", "/offline", everyone()),
    Row("offline.directory", "GET", "/offline/directory/{la_1}.json", everyone()),
    Row("offline.directory", "GET", "/offline/directory/nope.json", everyone(404), note="no LA"),
    Row("health.healthz", "GET", "/healthz", everyone()),
    # --- accounts ----------------------------------------------------------------------
    Row("auth.sign_in", "GET", "/sign-in", everyone()),
    Row("auth.sign_in", "POST", "/sign-in", everyone(), data={"email": "x@example.org"}),
    Row("auth.sign_out", "POST", "/sign-out", everyone()),
    Row("auth.register", "GET", "/register", everyone()),
    Row("auth.register", "POST", "/register", everyone(), data={"name": "A. Person"}),
    Row("auth.check_email", "GET", "/register/check-your-email", everyone()),
    Row("auth.confirm_email", "GET", "/confirm-email/{confirm_token}", everyone()),
    Row("auth.password_reset_request", "GET", "/password-reset", everyone()),
    Row(
        "auth.password_reset_request",
        "POST",
        "/password-reset",
        everyone(),
        data={"email": "nobody@example.org"},
    ),
    Row("auth.password_reset", "GET", "/password-reset/{reset_token}", everyone()),
    Row(
        "auth.password_reset",
        "POST",
        "/password-reset/{reset_token}",
        everyone(),
        data={"password": "short"},
    ),
    Row("auth.accept_invitation", "GET", "/invitation/{invite_token}", everyone()),
    Row(
        "auth.accept_invitation",
        "POST",
        "/invitation/{invite_token}",
        everyone(),
        data={"password": "short"},
    ),
    # Anonymous visitors are sent to the sign-in page itself (no `next`): OK here.
    Row("auth.two_factor", "GET", "/two-factor", everyone()),
    Row("auth.two_factor", "POST", "/two-factor", everyone(), data={"code": "000000"}),
    Row("auth.two_factor_setup", "GET", "/two-factor/set-up", everyone()),
    Row("auth.two_factor_setup", "POST", "/two-factor/set-up", everyone(), data={"code": "1"}),
    Row("auth.account", "GET", "/account", signed_in()),
    Row("auth.change_password", "GET", "/account/password", signed_in()),
    Row("auth.change_password", "POST", "/account/password", signed_in(), data={"current": "x"}),
    Row("auth.notifications_list", "GET", "/notifications", signed_in()),
    Row("auth.notifications_read", "POST", "/notifications/read", signed_in()),
    Row("auth.notification_settings", "GET", "/account/notifications", signed_in()),
    Row(
        "auth.notification_settings",
        "POST",
        "/account/notifications",
        signed_in(),
        data={"emailed": []},
        note="always the user's own choices",
    ),
    Row("auth.invite", "GET", "/invite", only(*QA)),
    # --- saved searches (head 1 has one) ---------------------------------------------------
    Row("savedsearches.index", "GET", "/saved-searches", signed_in()),
    Row("savedsearches.new", "GET", "/saved-searches/new?q=phonics&phase=primary", signed_in()),
    Row(
        "savedsearches.new",
        "POST",
        "/saved-searches/new",
        signed_in(),
        data={"query": "q=phonics", "name": "Phonics"},
    ),
    Row("savedsearches.edit", "GET", "/saved-searches/{saved_1}/edit", only("head_1", others=404)),
    Row(
        "savedsearches.edit",
        "POST",
        "/saved-searches/{saved_1}/edit",
        only("head_1", others=404),
        data={"name": "Renamed"},
    ),
    Row(
        "savedsearches.delete",
        "POST",
        "/saved-searches/{saved_1}/delete",
        only("head_1", others=404),
    ),
    Row("auth.invite", "POST", "/invite", only(*QA), data={"name": "New Head"}),
    # --- providers' submissions (provider A's draft) ----------------------------------
    Row("submissions.dashboard", "GET", "/provider", only(*PROVIDERS)),
    Row("submissions.new_listing", "GET", "/provider/listings/new", only(*PROVIDERS)),
    Row("submissions.new_listing", "POST", "/provider/listings/new", only(*PROVIDERS)),
    Row("submissions.task_list", "GET", "/provider/listings/{draft_a}", OWN_A),
    Row(
        "submissions.task_list",
        "GET",
        "/provider/listings/{draft_b}",
        only("provider_b", provider_a=404),
        note="provider B's draft",
    ),
    Row("submissions.organisation", "GET", "/provider/listings/{draft_a}/organisation", OWN_A),
    Row(
        "submissions.organisation",
        "POST",
        "/provider/listings/{draft_a}/organisation",
        OWN_A,
        data={"name": "Someone else's name"},
    ),
    Row("submissions.page", "GET", "/provider/listings/{draft_a}/about", OWN_A),
    Row(
        "submissions.page",
        "POST",
        "/provider/listings/{draft_a}/about",
        OWN_A,
        data={"title": "Hijacked title"},
    ),
    Row("submissions.page", "GET", "/provider/listings/{draft_a}/cost", OWN_A),
    Row("submissions.referees", "GET", "/provider/listings/{draft_a}/referees", OWN_A),
    Row(
        "submissions.add_referee",
        "POST",
        "/provider/listings/{draft_a}/referees/add",
        OWN_A,
        data={"school_id": "{school_1}"},
    ),
    Row(
        "submissions.remove_referee",
        "POST",
        "/provider/listings/{draft_a}/referees/remove",
        OWN_A,
        data={"school_id": "{school_1}"},
    ),
    Row("submissions.confirm_referees", "POST", "/provider/listings/{draft_a}/referees", OWN_A),
    Row("submissions.check", "GET", "/provider/listings/{draft_a}/check", OWN_A),
    Row("submissions.submit", "POST", "/provider/listings/{draft_a}/submit", OWN_A),
    Row("submissions.discard", "POST", "/provider/listings/{draft_a}/discard", OWN_A),
    Row("submissions.withdraw", "GET", "/provider/listings/{assured_a}/withdraw", OWN_A),
    Row(
        "submissions.withdraw",
        "POST",
        "/provider/listings/{assured_a}/withdraw",
        OWN_A,
        data={"reason": "Closing down"},
    ),
    Row("submissions.renew", "POST", "/provider/listings/{assured_a}/renew", OWN_A),
    # --- a provider's capacity (its own, and no one else's) ----------------------------
    Row("capacity.capacity", "GET", "/provider/capacity", only(*PROVIDERS)),
    Row(
        "capacity.capacity",
        "POST",
        "/provider/capacity",
        only(*PROVIDERS),
        data={"taking": "yes", "days": "12"},
    ),
    # --- the register of interests (SIPs and QA officers, each their own) ---------------
    Row("interests.register", "GET", "/account/interests", only(*SIPS, "qa_1", "qa_2")),
    Row(
        "interests.register",
        "POST",
        "/account/interests",
        only(*SIPS, "qa_1", "qa_2"),
        data=INTEREST_BODY,
    ),
    Row(
        "interests.remove",
        "POST",
        "/account/interests/{interest}/remove",
        only("sip_1", sip_x=404, qa_1=404, qa_2=404),
        note="SIP 1's interest: only SIP 1 removes it",
    ),
    # --- recommendations (heads) ------------------------------------------------------
    Row("recommendations.decisions", "GET", "/decisions", only(*HEADS, "leader_1")),
    Row("recommendations.dashboard", "GET", "/recommendations", only(*HEADS, "leader_1")),
    Row("recommendations.answer", "GET", "/recommendations/{requested}", only(*SCHOOL_1)),
    Row(
        "recommendations.confirm",
        "POST",
        "/recommendations/{requested}",
        only(*SCHOOL_1),
        data=RECOMMEND_BODY,
        note="school 1's request: only school 1's head (or its authorised leader) answers",
    ),
    Row(
        "recommendations.decline",
        "POST",
        "/recommendations/{requested}/decline",
        only(*SCHOOL_1),
        data={"decline-reason": "We did not use them"},
    ),
    Row(
        "recommendations.withdraw",
        "POST",
        "/recommendations/{confirmed}/withdraw",
        only(*SCHOOL_1),
        data={"withdraw-reason": ""},
    ),
    Row(
        "recommendations.recommend_form",
        "GET",
        "/directory/listings/{assured_b}/recommend",
        only(*HEADS, "leader_1"),
    ),
    Row(
        "recommendations.recommend",
        "POST",
        "/directory/listings/{assured_b}/recommend",
        only(*HEADS, "leader_1"),
        data=RECOMMEND_BODY,
        note="always for the head's own school",
    ),
    # --- quality assurance (provider A is based in LA 1) -------------------------------
    Row("assurance.queue", "GET", "/qa", only(*QA)),
    Row("assurance.audit", "GET", "/qa/audit", only(*QA)),
    Row("assurance.review", "GET", "/qa/listings/{submitted_a}", only("qa_1", "admin")),
    Row(
        "assurance.approve",
        "POST",
        "/qa/listings/{submitted_a}/approve",
        only("qa_1", "admin"),
        data={"approve-note": ""},
    ),
    Row(
        "assurance.approve",
        "POST",
        "/qa/listings/{submitted_b}/approve",
        only("qa_2"),
        data={"approve-note": ""},
        note="the admin submitted it, so may not approve it",
    ),
    Row(
        "assurance.request_changes",
        "POST",
        "/qa/listings/{submitted_a}/request-changes",
        only("qa_1", "admin"),
        data={"changes-message": "Say which year groups you work with."},
    ),
    Row(
        "assurance.reject",
        "POST",
        "/qa/listings/{submitted_a}/reject",
        only("qa_1", "admin"),
        data={"reject-reason": "This is not school improvement support."},
    ),
    Row(
        "assurance.suspend",
        "POST",
        "/qa/listings/{assured_a}/suspend",
        only("qa_1", "admin"),
        data={"suspend-reason": "A complaint is being looked into."},
    ),
    Row(
        "assurance.reinstate",
        "POST",
        "/qa/listings/{suspended_a}/reinstate",
        only("qa_1", "admin"),
        data={"reinstate-reason": "Resolved."},
    ),
    Row(
        "assurance.review",
        "GET",
        "/qa/listings/{assured_a2}",
        only("qa_1", "admin"),
        note="with head 1's feedback beside the evidence",
    ),
    Row("insight.supply_demand", "GET", "/qa/supply-and-demand", only(*QA)),
    Row(
        "insight.supply_demand",
        "GET",
        "/qa/supply-and-demand?la={la_1}",
        only("qa_1", "admin"),
        note="LA 1's figures",
    ),
    Row(
        "insight.supply_demand_csv",
        "GET",
        "/qa/supply-and-demand.csv?la={la_1}",
        only("qa_1", "admin"),
    ),
    Row("insight.brokering_spread", "GET", "/qa/brokering-spread", only(*QA)),
    Row(
        "insight.brokering_spread",
        "GET",
        "/qa/brokering-spread?la={la_1}&period=last-12-months",
        only("qa_1", "admin"),
        note="LA 1's brokering",
    ),
    Row(
        "insight.brokering_spread_csv",
        "GET",
        "/qa/brokering-spread.csv?la={la_1}",
        only("qa_1", "admin"),
    ),
    # --- schools (school 1), visits and priorities -----------------------------------------
    Row("schools.index", "GET", "/schools", only(*CIRCLE_ROLES)),
    Row("schools.school", "GET", "/schools/{school_1}", only(*CIRCLE_1)),
    Row("schools.visit", "GET", "/schools/{school_1}/visits/{visit}", only(*CIRCLE_1)),
    Row("schools.priority", "GET", "/schools/{school_1}/priorities/{p1}", only(*CIRCLE_1)),
    Row("schools.sips", "GET", "/schools/{school_1}/sips", only("qa_1", "admin")),
    Row(
        "schools.sips",
        "POST",
        "/schools/{school_1}/sips",
        only("qa_1", "admin"),
        data={"email": "{sip_x_email}"},
    ),
    Row(
        "schools.remove_sip",
        "POST",
        "/schools/{school_1}/sips/{sip_1_id}/remove",
        only("qa_1", "admin"),
    ),
    # Authorised leaders: school 1's head alone authorises and withdraws them.
    Row("schools.leaders_page", "GET", "/schools/{school_1}/leaders", only("head_1")),
    Row(
        "schools.leaders_page",
        "POST",
        "/schools/{school_1}/leaders",
        only("head_1"),
        data={"name": "Bea Bursar", "email": "bursar@example.org", "title": "Business manager"},
    ),
    Row(
        "schools.withdraw_leader",
        "POST",
        "/schools/{school_1}/leaders/{leader_authority}/withdraw",
        only("head_1"),
    ),
    Row("schools.new_visit", "GET", "/schools/{school_1}/visits/new", only("sip_1")),
    Row(
        "schools.new_visit",
        "POST",
        "/schools/{school_1}/visits/new",
        only("sip_1"),
        data=VISIT_BODY,
    ),
    Row("schools.edit_visit", "GET", "/schools/{school_1}/visits/{visit}/edit", only("sip_1")),
    Row(
        "schools.edit_visit",
        "POST",
        "/schools/{school_1}/visits/{visit}/edit",
        only("sip_1"),
        data=VISIT_BODY,
    ),
    Row(
        "schools.new_priority",
        "GET",
        "/schools/{school_1}/visits/{visit}/priorities/new",
        only("sip_1"),
    ),
    Row(
        "schools.new_priority",
        "POST",
        "/schools/{school_1}/visits/{visit}/priorities/new",
        only("sip_1"),
        data=PRIORITY_BODY,
    ),
    Row(
        "schools.edit_priority",
        "GET",
        "/schools/{school_1}/priorities/{p1}/edit",
        only("sip_1"),
    ),
    Row(
        "schools.edit_priority",
        "POST",
        "/schools/{school_1}/priorities/{p1}/edit",
        only("sip_1"),
        data=PRIORITY_BODY,
    ),
    Row(
        "downloads.shortlist_csv",
        "GET",
        "/schools/{school_1}/priorities/{p1}/shortlist.csv",
        only(*CIRCLE_1),
    ),
    Row(
        "downloads.shortlist_print",
        "GET",
        "/schools/{school_1}/priorities/{p1}/shortlist/print",
        only(*CIRCLE_1),
    ),
    Row("visitpack.page", "GET", "/schools/{school_1}/visit-pack", only(*CIRCLE_1)),
    # A SIP's own schools for the device: each SIP gets only theirs (sip_x none of school 1's).
    Row("offline.mine", "GET", "/offline/mine.json", only(*SIPS)),
    Row(
        "offline.drafts",
        "POST",
        "/offline/drafts",
        only("sip_1", sip_x=403),
        json=OFFLINE_VISIT_DRAFT,
        note="a visit note for school 1: another school's SIP is refused",
    ),
    Row(
        "offline.drafts",
        "POST",
        "/offline/drafts",
        only("sip_1", sip_x=403),
        json=OFFLINE_PRIORITY_DRAFT,
        note="a priority for school 1's visit",
    ),
    Row("visitpack.pdf", "GET", "/schools/{school_1}/visit-pack.pdf", only(*CIRCLE_1)),
    # The support plan: seen by the circle; its plan details set by the school or its SIP once
    # the support is agreed (before that the circle is told it cannot be yet: 409).
    Row("supportplan.page", "GET", "/schools/{school_1}/support-plan", only(*CIRCLE_1)),
    Row("supportplan.pdf", "GET", "/schools/{school_1}/support-plan.pdf", only(*CIRCLE_1)),
    Row(
        "supportplan.details",
        "GET",
        "/brokerage/{agreed}/plan-details",
        only(*SCHOOL_1, "sip_1"),
    ),
    Row(
        "supportplan.details",
        "POST",
        "/brokerage/{agreed}/plan-details",
        only(*SCHOOL_1, "sip_1"),
        data=PLAN_DETAILS_BODY,
    ),
    Row(
        "supportplan.details",
        "GET",
        "/brokerage/{suggested}/plan-details",
        only(**dict.fromkeys(CIRCLE_1, 409)),
        note="not agreed yet",
    ),
    Row(
        "supportplan.details",
        "POST",
        "/brokerage/{suggested}/plan-details",
        only(**dict.fromkeys(CIRCLE_1, 409)),
        data=PLAN_DETAILS_BODY,
        note="not agreed yet",
    ),
    # --- brokerage (school 1) ---------------------------------------------------------------
    Row(
        "brokerage.shortlist",
        "GET",
        "/brokerage/shortlist?listing_id={assured_b}",
        only(*SIPS),
    ),
    Row(
        "brokerage.shortlist",
        "POST",
        "/brokerage/shortlist",
        only("sip_1", sip_x=INVALID),
        data={"listing_id": "{assured_b}", "priority_id": "{p1}"},
        note="for school 1's priority: another school's SIP is refused",
    ),
    Row(
        "brokerage.shortlist_suggestion",
        "POST",
        "/schools/{school_1}/priorities/{p2}/shortlist",
        only("sip_1"),
        data={"listing_id": "{assured_b}"},
    ),
    Row("brokerage.detail", "GET", "/brokerage/{suggested}", only(*CIRCLE_1)),
    Row("brokerage.detail", "GET", "/brokerage/{completed}", only(*CIRCLE_1), note="completed"),
    # Deciding is the head's alone: the SIP, the LA and admins see the page but may not act.
    Row("brokerage.agree", "GET", "/brokerage/{suggested}/agree", only(*SCHOOL_1)),
    Row("brokerage.agree", "POST", "/brokerage/{suggested}/agree", only(*SCHOOL_1)),
    Row("brokerage.decline", "GET", "/brokerage/{suggested}/decline", only(*SCHOOL_1)),
    Row(
        "brokerage.decline",
        "POST",
        "/brokerage/{suggested}/decline",
        only(*SCHOOL_1),
        data={"reason": "We have this covered."},
    ),
    Row("brokerage.engage", "POST", "/brokerage/{agreed}/engage", only(*SCHOOL_1, "sip_1")),
    Row("brokerage.complete", "POST", "/brokerage/{engaged}/complete", only(*SCHOOL_1, "sip_1")),
    Row("brokerage.impact", "GET", "/brokerage/{completed}/impact", only(*SCHOOL_1)),
    Row(
        "brokerage.impact",
        "POST",
        "/brokerage/{completed}/impact",
        only(*SCHOOL_1),
        data={"rating": "4", "impact": "Reading ages rose by a year."},
    ),
    # --- professional feedback (school 1's completed work with provider A) --------------------
    Row(
        "feedback.give",
        "GET",
        "/brokerage/{completed}/feedback",
        only(*SCHOOL_1, "sip_1"),
        note="head 1 gave feedback already: sent to it on the brokerage page",
    ),
    Row(
        "feedback.give",
        "POST",
        "/brokerage/{completed}/feedback",
        only(*SCHOOL_1, "sip_1", head_1=INVALID),
        data={"text": "Good, practical work.", "would_use_again": "yes"},
        note="a second feedback from head 1 is refused",
    ),
    Row(
        "feedback.give",
        "GET",
        "/brokerage/{engaged}/feedback",
        only(head_1=409, leader_1=409, sip_1=409),
        note="the work is not complete yet",
    ),
    Row(
        "feedback.give",
        "POST",
        "/brokerage/{engaged}/feedback",
        only(head_1=409, leader_1=409, sip_1=409),
        data={"text": "Too early.", "would_use_again": "yes"},
        note="the work is not complete yet",
    ),
    Row("feedback.for_provider", "GET", "/provider/feedback", only(*PROVIDERS)),
    Row(
        "feedback.reply",
        "GET",
        "/provider/feedback/{feedback}/reply",
        only("provider_a", provider_b=404),
    ),
    Row(
        "feedback.reply",
        "POST",
        "/provider/feedback/{feedback}/reply",
        only("provider_a", provider_b=404),
        data={"reply": "Thank you: we have changed how we start."},
        note="provider A's feedback: provider B is told it does not exist",
    ),
]

#: Endpoints this table does not request (the app's own static files only).
NOT_IN_TABLE = {"static"}


# --- running a row -----------------------------------------------------------------------------


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _fill_json(value: Any, ids: dict[str, Any]) -> Any:
    """Fill a JSON body: a string that is only "{name}" becomes the id itself (a number)."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        name = value[1:-1]
        if name in ids:
            return ids[name]
    if isinstance(value, dict):
        return {k: _fill_json(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_json(v, ids) for v in value]
    return _fill(value, ids)


def outcome_of(row: Row, response: TestResponse) -> Outcome:
    """Name what happened: OK, SIGN_IN, SECOND_FACTOR, INVALID (a POST's 400) or the status."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response.headers["Location"])
        if target.path == "/sign-in" and "next" in parse_qs(target.query):
            return SIGN_IN
        if target.path in ("/two-factor", "/two-factor/set-up"):
            # Between the second factor's own pages this is just the next step.
            return OK if row.endpoint in OPEN_BEFORE_SECOND_FACTOR else SECOND_FACTOR
        return OK
    if 200 <= status < 300:
        return OK
    if status == 400 and row.method == "POST":
        return INVALID
    return status


def matches(expected: Outcome, got: Outcome) -> bool:
    """A POST allowed through may still fail validation (400): only refusals must be exact."""
    if expected == OK:
        return got in (OK, INVALID)
    return got == expected


REFUSED = (SIGN_IN, SECOND_FACTOR, INVALID, 403, 404, 409)


class _Fieldsets(HTMLParser):
    """Count the fieldsets of a page whose legend is missing or empty (a screen reader then
    reads a group of radios, boxes or date parts with no question)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str | None] = []  # per open fieldset: its legend's text so far
        self.in_legend = 0
        self.unnamed = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "fieldset":
            self.open.append(None)
        elif tag == "legend" and self.open:
            self.open[-1] = self.open[-1] or ""
            self.in_legend += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "legend" and self.in_legend:
            self.in_legend -= 1
        elif tag == "fieldset" and self.open and not (self.open.pop() or "").strip():
            self.unnamed += 1

    def handle_data(self, data: str) -> None:
        if self.in_legend and self.open:
            self.open[-1] = (self.open[-1] or "") + data


def unnamed_fieldsets(html: str) -> int:
    parser = _Fieldsets()
    parser.feed(html)
    return parser.unnamed


def run(world: World, row: Row, actor: str, expected: Outcome) -> list[str]:
    """Request `row` as `actor`; return what was wrong (empty when all is as the table says)."""
    ids = world.ids
    url = _fill(row.url, ids)
    client = world.client_for(actor)
    kwargs: dict[str, Any] = {}
    if row.json is not None:
        kwargs["json"] = _fill_json(row.json, ids)
    elif row.data is not None:
        kwargs["data"] = _fill(row.data, ids)
    response = client.open(url, method=row.method, **kwargs)
    body = response.get_data()
    response.close()
    got = outcome_of(row, response)
    problems = []
    if not matches(expected, got):
        problems.append(
            f"{actor}: {row.name} -> {got} (HTTP {response.status_code}), expected {expected}"
        )
    if (
        got == OK
        and response.mimetype == "text/html"
        and (unnamed := unnamed_fieldsets(body.decode()))
    ):
        problems.append(f"{actor}: {row.name} has {unnamed} fieldset(s) with no legend text")
    if actor not in CIRCLE_1 and SECRET.encode() in body:
        problems.append(f"{actor}: {row.name} shows school 1's confidential text")
    if actor not in FEEDBACK_READERS and FEEDBACK.encode() in body:
        problems.append(f"{actor}: {row.name} shows head 1's restricted feedback")
    digest = world.database_digest()
    if digest != world.digest:
        if got in REFUSED and expected != OK:
            problems.append(f"{actor}: {row.name} was refused ({got}) but changed the database")
        world.restore()
    return problems


def test_every_route_of_the_app_has_a_row_for_each_method(tmp_path: Path) -> None:
    app = make_app(tmp_path, "sqlite://")
    try:
        routes = {
            (rule.endpoint, method)
            for rule in app.url_map.iter_rules()
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
            if rule.endpoint not in NOT_IN_TABLE
        }
    finally:
        close_app(app)
    tabled = {(row.endpoint, row.method) for row in ROWS}
    missing = sorted(routes - tabled)
    assert not missing, f"routes with no row in the authorisation table: {missing}"
    stale = sorted(tabled - routes)
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_every_row_names_an_outcome_for_every_actor() -> None:
    for row in ROWS:
        assert set(row.expect) == set(ACTORS), row.name


@pytest.mark.parametrize("actor", ACTORS)
def test_each_actor_gets_what_the_table_says_on_every_route(world: World, actor: str) -> None:
    problems = [problem for row in ROWS for problem in run(world, row, actor, row.expect[actor])]
    assert not problems, "\n".join(problems)


def test_someone_half_signed_in_reaches_nothing_but_the_second_factor(world: World) -> None:
    """A QA officer who gave only their password is sent to the second factor from every page."""
    problems = [
        problem
        for row in ROWS
        for problem in run(
            world,
            row,
            PENDING,
            OK if row.endpoint in OPEN_BEFORE_SECOND_FACTOR else SECOND_FACTOR,
        )
    ]
    assert not problems, "\n".join(problems)


# --- what the allowed pages show -------------------------------------------------------------


def _page(world: World, actor: str, url: str) -> str:
    response = world.client_for(actor).get(_fill(url, world.ids))
    assert response.status_code == 200, (actor, url, response.status_code)
    return response.get_data(as_text=True)


def test_school_1s_confidential_text_is_on_its_pages_for_its_circle(world: World) -> None:
    """Else the check that outsiders never see it would prove nothing."""
    for actor in CIRCLE_1:
        assert SECRET in _page(world, actor, "/schools/{school_1}/priorities/{p1}"), actor
        assert SECRET in _page(world, actor, "/brokerage/{suggested}"), actor
        assert SECRET in _page(world, actor, "/schools/{school_1}/support-plan"), actor


def test_head_1s_feedback_is_on_the_pages_of_its_readers(world: World) -> None:
    """Else the check that nobody else ever sees it would prove nothing."""
    assert FEEDBACK in _page(world, "head_1", "/brokerage/{completed}")
    assert FEEDBACK in _page(world, "provider_a", "/provider/feedback")
    assert FEEDBACK in _page(world, "provider_a", "/provider/feedback/{feedback}/reply")
    for actor in ("qa_1", "admin"):
        assert FEEDBACK in _page(world, actor, "/qa/listings/{assured_a2}"), actor


def test_a_qa_officer_sees_only_their_own_local_authoritys_queue(world: World) -> None:
    assert "Early years review" in _page(world, "qa_1", "/qa")
    assert "Early years review" not in _page(world, "qa_2", "/qa")
    assert "Maths subject leadership" in _page(world, "qa_2", "/qa")
    assert "Maths subject leadership" not in _page(world, "qa_1", "/qa")
    assert "Helen Marsh" in _page(world, "qa_1", "/qa/audit")
    assert "Helen Marsh" not in _page(world, "qa_2", "/qa/audit")


def test_a_qa_officer_sees_only_their_own_local_authoritys_brokering(world: World) -> None:
    mine = _page(world, "qa_1", "/qa/brokering-spread")
    assert "Helen Marsh Education Consultancy" in mine and "Registered interest" in mine
    other = _page(world, "qa_2", "/qa/brokering-spread")
    assert "Helen Marsh" not in other and "Registered interest" not in other
    assert "Helen Marsh" in _page(world, "admin", "/qa/brokering-spread?la={la_1}")


def test_a_sip_lists_only_the_schools_they_are_assigned_to(world: World) -> None:
    assert "St Aidan" in _page(world, "sip_1", "/schools")
    listed = _page(world, "sip_x", "/schools")
    assert "St Aidan" not in listed
    assert "Washwood Lane" in listed


def test_a_provider_dashboard_lists_only_its_own_listings(world: World) -> None:
    own = _page(world, "provider_a", "/provider")
    assert "Early years review" in own
    assert "Maths subject leadership" not in own
    assert "Early years review" not in _page(world, "provider_b", "/provider")


def test_a_head_sees_only_their_own_schools_requests(world: World) -> None:
    link = "/recommendations/{requested}".format(**world.ids)
    assert link in _page(world, "head_1", "/recommendations")
    assert link not in _page(world, "head_2", "/recommendations")
