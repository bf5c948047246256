"""Confidentiality: a school's priorities, support category and brokerage are seen only by its
head, its assigned SIP, its LA's QA officers and administrators; tested for every role on every route."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import Session

from broker.brokerage import services as brokerage
from tests.schools import world as w

EVERYONE, CIRCLE = w.EVERYONE, w.CIRCLE


def _expected(role: str, allowed: set[str]) -> int | str:
    if role == "anonymous":
        return "sign-in"
    return 200 if role in allowed else 403


def _outcome(response) -> int | str:  # type: ignore[no-untyped-def]
    if response.status_code == 302 and response.headers["Location"].startswith("/sign-in"):
        return "sign-in"
    return response.status_code


@pytest.fixture
def scene(app: Flask, session: Session):  # type: ignore[no-untyped-def]
    world = w.build(session)
    record, (priority,) = w.visit(session, world)
    pending = w.shortlisted(session, world, priority)
    done = w.shortlisted(session, world, priority, world.other_listing)
    for to, who in (("agreed", world.head), ("engaged", world.sip), ("completed", world.sip)):
        brokerage.move(session, who, done, to)
    session.commit()
    sid = world.school.id
    gets = {
        "/schools/{sid}": CIRCLE,
        f"/schools/{sid}/visits/{record.id}": CIRCLE,
        f"/schools/{sid}/priorities/{priority.id}": CIRCLE,
        f"/brokerage/{pending.id}": CIRCLE,
        f"/brokerage/{done.id}": CIRCLE,
        f"/schools/{sid}/visits/new": {"sip"},
        f"/schools/{sid}/visits/{record.id}/edit": {"sip"},
        f"/schools/{sid}/visits/{record.id}/priorities/new": {"sip"},
        f"/schools/{sid}/priorities/{priority.id}/edit": {"sip"},
        f"/schools/{sid}/sips": {"qa", "admin"},
        f"/brokerage/{pending.id}/agree": {"head"},
        f"/brokerage/{pending.id}/decline": {"head"},
        f"/brokerage/{done.id}/impact": {"head"},
        f"/brokerage/shortlist?listing_id={world.listing.id}": {"sip", "neighbour_sip"},
    }
    gets[f"/schools/{sid}"] = gets.pop("/schools/{sid}")
    return world, priority, gets


def test_every_private_page_answers_each_role_as_the_rules_say(app: Flask, scene) -> None:  # type: ignore[no-untyped-def]
    world, priority, gets = scene
    users = world.users()
    for role in EVERYONE:
        client = w.client_for(app, users.get(role))
        for path, allowed in gets.items():
            response = client.get(path)
            assert _outcome(response) == _expected(role, allowed), (role, path)
            if _outcome(response) != 200:
                # Nothing private leaks onto a refusal.
                assert b"raise attainment" not in response.data, (role, path)
                assert b"Targeted" not in response.data, (role, path)


def test_the_schools_list_shows_each_role_only_the_schools_it_may_see(app: Flask, scene) -> None:  # type: ignore[no-untyped-def]
    world, _, _ = scene
    users = world.users()
    expect = {
        "sip": {world.school.name},
        "neighbour_sip": {world.neighbour.name},
        "qa": {world.school.name, world.neighbour.name},
        "far_qa": {world.far.name},
        "admin": {world.school.name, world.neighbour.name, world.far.name},
    }
    names = {world.school.name, world.neighbour.name, world.far.name}
    for role, visible in expect.items():
        page = w.client_for(app, users[role]).get("/schools")
        assert page.status_code == 200, role
        text = page.get_data(as_text=True).replace("&#39;", "'")
        for name in names:
            assert (name in text) is (name in visible), (role, name)
    head = w.client_for(app, world.head).get("/schools")
    assert head.headers["Location"] == f"/schools/{world.school.id}"
    assert w.client_for(app, world.provider).get("/schools").status_code == 403
    assert _outcome(w.client_for(app, None).get("/schools")) == "sign-in"


def test_changes_are_refused_to_everyone_outside_the_rules(
    app: Flask, scene, session: Session
) -> None:  # type: ignore[no-untyped-def]
    world, priority, _ = scene
    sid = world.school.id
    visit_form = {
        "visited_on": ["1", "2", "2026"],
        "evidence": ["sef"],
        "support_category": "intensive",
    }
    users = world.users()
    for role in EVERYONE:
        if role == "sip":
            continue
        client = w.client_for(app, users.get(role))
        assert _outcome(client.post(f"/schools/{sid}/visits/new", data=visit_form)) in (
            "sign-in",
            403,
        ), role
        assert _outcome(
            client.post(
                f"/schools/{sid}/priorities/{priority.id}/shortlist",
                data={"listing_id": world.other_listing.id},
            )
        ) in ("sign-in", 403), role
    session.expire_all()
    assert world.school.support_category != "intensive"


def test_ids_too_large_for_the_database_are_not_found(app: Flask, scene) -> None:  # type: ignore[no-untyped-def]
    world, _, _ = scene
    client = w.client_for(app, world.admin)
    for path in (
        "/schools/99999999999",
        "/brokerage/99999999999",
        f"/schools/{world.school.id}/priorities/99999999999",
    ):
        assert client.get(path).status_code == 404, path
