"""The device's offline copy on the server: the directory bundle of an LA, the SIP's own schools,
drafts sent back (the forms' rules, once per key, only for the SIP's schools), and the headers
that keep it safe (service worker scope and caching, sign-out clearing). SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import threading
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from broker import db
from broker.errors import InvalidInput
from broker.models import AuditEvent, OfflineDraft, Priority, SchoolVisit, utcnow
from broker.offline import services
from tests import factories as f
from tests.schools import world as w


@pytest.fixture
def world(any_app: Flask, any_session: Session) -> w.World:
    return w.build(any_session)


def _key() -> str:
    return str(uuid.uuid4())


def _visit_draft(school_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "key": _key(),
        "kind": "visit",
        "school_id": school_id,
        "visited_on": date.today().isoformat(),
        "evidence": ["sef"],
        "evidence_notes": "Looked at the <b>SEF</b> with the head",
        "support_category": "targeted",
        **extra,
    }


def _priority_draft(school_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "key": _key(),
        "kind": "priority",
        "school_id": school_id,
        "description": "Raise attainment in KS2 writing for boys",
        "category": "curriculum-and-subject-support",
        "ecm_outcomes": ["enjoy-and-achieve"],
        "pupil_groups": [],
        "rag": "red",
        **extra,
    }


def _count(session: Session, model: type, **where: Any) -> int:
    session.expire_all()
    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return len(session.exec(query).all())


# --- the directory bundle -------------------------------------------------------------------


def test_an_las_bundle_holds_the_public_listings_serving_it_and_no_others(
    any_app: Flask, any_session: Session
) -> None:
    kent = f.local_authority(any_session, code="886", name="Kent", region="south-east")
    f.local_authority(any_session, code="330", name="Birmingham", region="west-midlands")
    provider = f.assured_provider(any_session, listings=0, name="Helen Marsh")
    f.listing(
        any_session, provider, title="Kent phonics", national=False, local_authorities=["886"]
    )
    f.listing(
        any_session, provider, title="South East maths", national=False, regions=["south-east"]
    )
    f.listing(any_session, provider, title="National governance", national=True)
    f.listing(
        any_session, provider, title="Birmingham only", national=False, local_authorities=["330"]
    )
    f.listing(any_session, provider, title="Suspended thing", status="suspended")
    lonely = f.provider(any_session, name="One recommendation only")
    f.recommendation(any_session, lonely)
    f.listing(any_session, lonely, title="Not yet two schools", national=True)
    any_session.commit()

    bundle = json.loads(services.directory_bundle(any_session, kent.code))

    titles = sorted(item["title"] for item in bundle["listings"])
    assert titles == ["Kent phonics", "National governance", "South East maths"]
    first = bundle["listings"][0]
    assert first["provider"] == "Helen Marsh"
    assert first["facets"]["kind"] and first["facets"]["cost"] == ["paid"]
    assert bundle["la"] == {"code": "886", "name": "Kent", "region": "south-east"}
    # Only what the device searches, filters on or shows (broker/static/js/offline.js).
    assert set(first) <= {
        *("id", "code", "title", "summary", "description", "provider", "facets", "contact"),
        *("recommendations", "price_note"),
    }
    assert set(first["facets"]) <= set(bundle["filters"])
    assert [f["name"] for f in bundle["facets"]] == bundle["filters"]


def test_the_bundle_carries_the_servers_synonyms_and_stems_not_a_copy_in_javascript(
    any_app: Flask, any_session: Session
) -> None:
    la = f.local_authority(any_session, code="886", name="Kent", region="south-east")
    f.listing(
        any_session,
        f.assured_provider(any_session, listings=0),
        title="Supporting special educational needs coordinators",
    )
    any_session.commit()

    vocabulary = json.loads(services.directory_bundle(any_session, la.code))["vocabulary"]

    groups = [[" ".join(form) for form in group] for group in vocabulary["synonyms"]]
    assert any({"sen", "send", "special educ need"} <= set(g) for g in groups)
    assert any({"ks2", "key stage 2"} <= set(g) for g in groups)
    assert vocabulary["stems"]["supporting"] == "support"
    assert vocabulary["stems"]["coordinators"] == "coordin"
    assert "the" in vocabulary["stop_words"]


def test_the_bundle_is_built_once_per_change_and_answered_304_when_the_device_has_it(
    any_app: Flask, any_session: Session
) -> None:
    w.build(any_session)
    client = any_app.test_client()
    first = client.get("/offline/directory/886.json")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, no-cache"
    etag = first.headers["ETag"]
    again = client.get("/offline/directory/886.json", headers={"If-None-Match": etag})
    assert again.status_code == 304

    # A new listing is logged for the index, and the bundle follows it.
    f.listing(any_session, f.assured_provider(any_session, listings=0), title="Brand new support")
    any_session.commit()
    changed = client.get("/offline/directory/886.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Brand new support" in changed.get_data(as_text=True)


def test_the_bundle_is_sent_gzipped_as_kept_to_a_client_that_accepts_gzip(
    any_app: Flask, any_session: Session
) -> None:
    w.build(any_session)
    client = any_app.test_client()
    response = client.get("/offline/directory/886.json", headers={"Accept-Encoding": "gzip, br"})

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.vary
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert response.data[:2] == b"\x1f\x8b"
    bundle = json.loads(gzip.decompress(response.data))
    assert bundle["la"]["code"] == "886" and bundle["listings"]
    assert int(response.headers["Content-Length"]) == len(response.data)

    etag = response.headers["ETag"]
    again = client.get(
        "/offline/directory/886.json",
        headers={"Accept-Encoding": "gzip", "If-None-Match": etag},
    )
    assert again.status_code == 304
    assert "Accept-Encoding" in again.vary


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0, identity", "br"])
def test_a_client_that_does_not_accept_gzip_gets_plain_json_with_its_own_etag(
    any_app: Flask, any_session: Session, accept: str | None
) -> None:
    w.build(any_session)
    client = any_app.test_client()
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    plain = client.get("/offline/directory/886.json", headers=headers)

    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.vary
    body = plain.get_data()
    assert int(plain.headers["Content-Length"]) == len(body)
    zipped = client.get("/offline/directory/886.json", headers={"Accept-Encoding": "gzip"})
    assert json.loads(body) == json.loads(gzip.decompress(zipped.data))

    # A validator of the gzipped copy does not stand for the plain one, nor the reverse.
    assert plain.headers["ETag"] != zipped.headers["ETag"]
    crossed = client.get(
        "/offline/directory/886.json",
        headers={**headers, "If-None-Match": zipped.headers["ETag"]},
    )
    assert crossed.status_code == 200 and json.loads(crossed.get_data()) == json.loads(body)
    same = client.get(
        "/offline/directory/886.json", headers={**headers, "If-None-Match": plain.headers["ETag"]}
    )
    assert same.status_code == 304


def test_the_cache_keeps_bundles_gzipped(any_app: Flask, any_session: Session) -> None:
    w.build(any_session)
    cache = services.BundleCache(size=1)
    now = utcnow()  # one moment for both: a bundle says when it was produced, to the second
    kept = cache.get(any_session, "886", now)
    assert kept is cache.get(any_session, "886", now)
    raw = services.directory_bundle(any_session, "886", now)
    assert kept.size == len(raw) and len(kept.gzipped) < len(raw)
    assert kept.json() == raw and b"".join(kept.chunks(piece=100)) == raw


def test_an_unknown_la_has_no_bundle(any_app: Flask) -> None:
    response = any_app.test_client().get("/offline/directory/nope.json")
    assert response.status_code == 404


# --- the SIP's own schools ------------------------------------------------------------------


def test_a_sip_gets_their_own_schools_and_never_another_sips(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    w.visit(any_session, world)
    secret = "Neighbour-only priority: attendance of Year 9"
    record, _ = w.visit(any_session, world, school=world.neighbour, sip=world.neighbour_sip)
    any_session.exec(
        select(Priority).where(Priority.visit_id == record.id)
    ).one().description = secret
    any_session.commit()

    response = w.client_for(any_app, world.sip).get("/offline/mine.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_json()
    assert [s["name"] for s in body["schools"]] == [world.school.name]
    assert body["schools"][0]["priorities"][0]["description"].startswith("Priority 1")
    assert body["schools"][0]["visit_pack"] == f"/schools/{world.school.id}/visit-pack"
    assert [la["code"] for la in body["las"]] == ["886"]
    assert secret not in response.get_data(as_text=True)
    assert world.neighbour.name not in response.get_data(as_text=True)


def test_a_sips_copy_says_when_each_school_was_last_visited_and_is_next_as_their_list_does(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    agreed, _ = w.visit(any_session, world, days_ago=40)
    # The latest visit agreed no priorities: the next visit is the one it planned all the same.
    latest, _ = w.visit(any_session, world, days_ago=3, priorities=0)
    latest.next_visit_on = date.today() + timedelta(days=30)
    any_session.commit()

    body = w.client_for(any_app, world.sip).get("/offline/mine.json").get_json()

    school = body["schools"][0]
    assert school["next_visit_on"] == latest.next_visit_on.isoformat()
    assert school["last_visit_on"] == latest.visited_on.isoformat()
    assert school["visit"]["id"] == agreed.id  # the current priorities' visit, as before


def test_a_school_never_visited_has_no_visit_dates_in_the_copy(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    body = w.client_for(any_app, world.sip).get("/offline/mine.json").get_json()
    assert body["schools"][0]["next_visit_on"] is None
    assert body["schools"][0]["last_visit_on"] is None


@pytest.mark.parametrize("actor", ["head", "qa", "admin", "provider"])
def test_only_sips_get_a_copy_of_schools(
    any_app: Flask, any_session: Session, world: w.World, actor: str
) -> None:
    w.visit(any_session, world)
    response = w.client_for(any_app, world.users()[actor]).get("/offline/mine.json")
    assert response.status_code == 403
    assert "Priority 1" not in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in_for_school_data(
    any_app: Flask, world: w.World
) -> None:
    response = any_app.test_client().get("/offline/mine.json")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_each_sip_gets_their_own_key_for_sealing_drafts(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    mine = w.client_for(any_app, world.sip).get("/offline/mine.json").get_json()
    again = w.client_for(any_app, world.sip).get("/offline/mine.json").get_json()
    other = w.client_for(any_app, world.neighbour_sip).get("/offline/mine.json").get_json()
    assert mine["draft_secret"] == again["draft_secret"]
    assert mine["draft_secret"] != other["draft_secret"]


# --- drafts sent back -----------------------------------------------------------------------


def test_a_visit_note_drafted_offline_is_saved_once_however_often_it_is_sent(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    client = w.client_for(any_app, world.sip)
    draft = _visit_draft(int(world.school.id or 0))

    first = client.post("/offline/drafts", json=draft)
    second = client.post("/offline/drafts", json=draft)

    assert first.status_code == 201, first.get_json()
    assert second.status_code == 200
    assert first.get_json()["id"] == second.get_json()["id"]
    assert second.get_json()["duplicate"] is True
    assert _count(any_session, SchoolVisit, school_id=world.school.id) == 1
    visit = any_session.get(SchoolVisit, first.get_json()["id"])
    assert visit is not None and visit.evidence_notes == "Looked at the <b>SEF</b> with the head"
    assert first.get_json()["url"] == f"/schools/{world.school.id}/visits/{visit.id}"
    audited = any_session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "school_visit", AuditEvent.entity_id == visit.id
        )
    ).all()
    assert len(audited) == 1


def test_a_priority_drafted_for_a_visit_drafted_offline_joins_that_visit(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    client = w.client_for(any_app, world.sip)
    visit = _visit_draft(int(world.school.id or 0))
    priority = _priority_draft(int(world.school.id or 0), visit_key=visit["key"])

    early = client.post("/offline/drafts", json=priority)
    assert early.status_code == 422
    assert early.get_json()["field"] == "visit"

    saved_visit = client.post("/offline/drafts", json=visit).get_json()
    saved = client.post("/offline/drafts", json=priority)

    assert saved.status_code == 201
    row = any_session.get(Priority, saved.get_json()["id"])
    assert row is not None and row.visit_id == saved_visit["id"]
    assert row.description == "Raise attainment in KS2 writing for boys"


def test_a_priority_for_the_schools_saved_visit(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    record, _ = w.visit(any_session, world)
    client = w.client_for(any_app, world.sip)
    response = client.post(
        "/offline/drafts", json=_priority_draft(int(world.school.id or 0), visit_id=record.id)
    )
    assert response.status_code == 201
    assert _count(any_session, Priority, visit_id=record.id) == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"rag": ""}, "rag", "Select a RAG rating: red, amber or green"),
        ({"description": "  "}, "description", "Describe the priority in your own words"),
        ({"category": "astrology"}, "category", "Select the area of support"),
        ({"description": "x" * 2001}, "description", "2000 characters or fewer"),
        ({"ecm_outcomes": "be-healthy"}, None, None),
        ({"pupil_groups": [1, 2]}, "pupil_groups", "Choose from the list"),
    ],
)
def test_a_priority_breaking_the_forms_rules_is_returned_with_the_reason_and_nothing_is_saved(
    any_app: Flask,
    any_session: Session,
    world: w.World,
    change: dict[str, Any],
    field: str | None,
    message: str | None,
) -> None:
    record, _ = w.visit(any_session, world)
    client = w.client_for(any_app, world.sip)
    draft = _priority_draft(int(world.school.id or 0), visit_id=record.id, **change)
    response = client.post("/offline/drafts", json=draft)
    if field is None:  # a single value where a list is expected is taken as a list of one
        assert response.status_code == 201
        return
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["status"] == "returned"
    assert answer["field"] == field
    assert message in answer["message"]
    assert _count(any_session, Priority, visit_id=record.id) == 1
    assert _count(any_session, OfflineDraft) == 0

    # Corrected, the same draft (the same key) is saved.
    fixed = {**_priority_draft(int(world.school.id or 0), visit_id=record.id), "key": draft["key"]}
    assert client.post("/offline/drafts", json=fixed).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"visited_on": "2026-02-30"}, "visited_on"),
        ({"visited_on": (date.today() + timedelta(days=2)).isoformat()}, "visited_on"),
        ({"visited_on": 20260101}, "visited_on"),
        ({"evidence": []}, "evidence"),
        ({"evidence": ["other"], "evidence_notes": ""}, "evidence_notes"),
        ({"support_category": "royal"}, "support_category"),
    ],
)
def test_a_visit_note_breaking_the_forms_rules_is_returned(
    any_app: Flask, any_session: Session, world: w.World, change: dict[str, Any], field: str
) -> None:
    client = w.client_for(any_app, world.sip)
    response = client.post(
        "/offline/drafts", json=_visit_draft(int(world.school.id or 0), **change)
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["field"] == field
    assert _count(any_session, SchoolVisit) == 0


#: The day the next-visit tests are sent on, so that "past" and "within a year" are fixed.
SENT_ON = date(2026, 3, 27)


@pytest.mark.parametrize(
    ("next_visit", "kept"),
    [
        ({}, None),  # a draft from before the device had the field
        ({"next_visit_on": ""}, None),  # three empty boxes
        ({"next_visit_on": None}, None),
        ({"next_visit_on": "2026-05-12"}, date(2026, 5, 12)),
        ({"next_visit_on": "2027-03-27"}, date(2027, 3, 27)),  # a year on, as online allows
    ],
)
def test_a_visit_note_drafted_offline_keeps_the_next_visit_agreed_if_any(
    any_session: Session, world: w.World, next_visit: dict[str, Any], kept: date | None
) -> None:
    draft = _visit_draft(int(world.school.id or 0), visited_on="2026-03-26", **next_visit)

    received = services.receive_draft(any_session, world.sip, draft, today=SENT_ON)

    visit = any_session.get(SchoolVisit, received.saved_id)
    assert visit is not None and visit.visited_on == date(2026, 3, 26)
    assert visit.next_visit_on == kept


@pytest.mark.parametrize(
    ("next_visit_on", "message"),
    [
        # The online form's rules (broker.schools.services), checked when the draft arrives.
        ("2026-03-26", "The date of the next visit must be after this visit and not past"),
        ("2026-03-27", None),  # the day it is sent: not past, and after the visit
        ("2026-03-20", "The date of the next visit must be after this visit and not past"),
        ("2027-03-28", "The date of the next visit must be within a year of this visit"),
        ("2026-02-30", "Enter the date of the next visit as a real date"),
        ("12 5 2026", "Enter the date of the next visit as a real date"),
        (20260512, "Enter the date of the next visit as a real date"),
        (["2026-05-12"], "Enter the date of the next visit as a real date"),
    ],
)
def test_a_next_visit_the_visit_form_would_refuse_is_returned_with_its_reason(
    any_session: Session, world: w.World, next_visit_on: Any, message: str | None
) -> None:
    draft = _visit_draft(
        int(world.school.id or 0), visited_on="2026-03-26", next_visit_on=next_visit_on
    )
    if message is None:
        services.receive_draft(any_session, world.sip, draft, today=SENT_ON)
        assert _count(any_session, SchoolVisit) == 1
        return
    with pytest.raises(InvalidInput) as refused:
        services.receive_draft(any_session, world.sip, draft, today=SENT_ON)
    assert (refused.value.field, refused.value.message) == ("next_visit_on", message)


def test_a_refused_next_visit_comes_back_to_the_device_with_its_field_and_nothing_is_saved(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    client = w.client_for(any_app, world.sip)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    draft = _visit_draft(int(world.school.id or 0), next_visit_on=yesterday)

    response = client.post("/offline/drafts", json=draft)

    assert response.status_code == 422
    assert response.get_json() == {
        "status": "returned",
        "field": "next_visit_on",
        "message": "The date of the next visit must be after this visit and not past",
    }
    assert _count(any_session, SchoolVisit) == 0
    assert _count(any_session, OfflineDraft) == 0
    # Corrected, the same draft (the same key) is saved, with its next visit.
    later = date.today() + timedelta(days=42)
    fixed = {**draft, "next_visit_on": later.isoformat()}
    saved = client.post("/offline/drafts", json=fixed)
    assert saved.status_code == 201, saved.get_json()
    visit = any_session.get(SchoolVisit, saved.get_json()["id"])
    assert visit is not None and visit.next_visit_on == later


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"kind": "visit"}, {"key": "short"}, {"key": "a" * 65}, {"key": "ø" * 20}],
)
def test_anything_that_is_not_a_draft_is_returned_not_a_500(
    any_app: Flask, world: w.World, body: Any
) -> None:
    client = w.client_for(any_app, world.sip)
    response = client.post(
        "/offline/drafts", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.get_json()["status"] == "returned"


def test_a_draft_for_another_sips_school_is_refused_and_nothing_saved(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    client = w.client_for(any_app, world.sip)
    response = client.post("/offline/drafts", json=_visit_draft(int(world.neighbour.id or 0)))
    assert response.status_code == 403
    assert response.get_json()["status"] == "returned"
    assert _count(any_session, SchoolVisit) == 0
    assert _count(any_session, OfflineDraft) == 0


def test_a_priority_cannot_join_another_schools_visit(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    neighbours, _ = w.visit(any_session, world, school=world.neighbour, sip=world.neighbour_sip)
    client = w.client_for(any_app, world.sip)
    draft = _priority_draft(int(world.school.id or 0), visit_id=neighbours.id)
    assert client.post("/offline/drafts", json=draft).status_code == 404
    assert _count(any_session, Priority, visit_id=neighbours.id) == 1


def test_another_sips_key_is_not_theirs_to_reuse(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    draft = _visit_draft(int(world.school.id or 0))
    assert w.client_for(any_app, world.sip).post("/offline/drafts", json=draft).status_code == 201
    other = {**_visit_draft(int(world.neighbour.id or 0)), "key": draft["key"]}
    response = w.client_for(any_app, world.neighbour_sip).post("/offline/drafts", json=other)
    assert response.status_code == 422
    assert response.get_json()["field"] == "key"
    assert "/visits/" not in response.get_data(as_text=True)
    assert _count(any_session, SchoolVisit, school_id=world.neighbour.id) == 0


def test_the_same_draft_sent_twice_at_once_is_saved_once(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    draft = _visit_draft(int(world.school.id or 0))
    clients = [w.client_for(any_app, world.sip) for _ in range(2)]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def send(client: Any) -> None:
        barrier.wait()
        statuses.append(client.post("/offline/drafts", json=draft).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) in ([200, 201], [201, 409]), statuses
    assert _count(any_session, SchoolVisit, school_id=world.school.id) == 1
    assert _count(any_session, OfflineDraft) == 1


# --- the pages and headers ------------------------------------------------------------------


def test_the_service_worker_is_served_at_the_root_never_cached_under_the_csp(
    any_app: Flask,
) -> None:
    response = any_app.test_client().get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert b'addEventListener("fetch"' in response.data


def test_the_offline_page_names_no_one_so_it_may_be_kept(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    response = w.client_for(any_app, world.sip).get("/offline")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    page = response.get_data(as_text=True)
    assert world.sip.name not in page
    assert 'content="offline-page"' in page
    assert "<script>" not in page


def test_signing_out_tells_the_browser_to_clear_the_sites_storage(
    any_app: Flask, world: w.World
) -> None:
    client = w.client_for(any_app, world.sip)
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_pages_say_whose_they_are_for_the_device_copy(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    page = w.client_for(any_app, world.sip).get("/schools").get_data(as_text=True)
    assert f'name="broker-device" content="sip:{world.sip.id}"' in page
    anonymous = any_app.test_client().get("/").get_data(as_text=True)
    assert 'name="broker-device" content="anonymous"' in anonymous


def test_db_rows_are_unchanged_by_a_refused_draft(
    any_app: Flask, any_session: Session, world: w.World
) -> None:
    before = _count(any_session, AuditEvent)
    client = w.client_for(any_app, world.head)
    response = client.post("/offline/drafts", json=_visit_draft(int(world.school.id or 0)))
    assert response.status_code == 403
    assert _count(any_session, AuditEvent) == before
    with db.new_session(any_app) as s:
        assert not s.exec(select(OfflineDraft).where(col(OfflineDraft.user_id) > 0)).all()
