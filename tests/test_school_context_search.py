"""Searching the directory "for" a school: only its circle may, the search narrows to what can
serve the school (phase, where listings work), results are marked with what the school did with
them, and the public API and anonymous visitors ignore the parameter."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlmodel import Session

from broker.brokerage import services as brokerage
from broker.directory import school_context
from broker.models import Listing
from tests import factories as f
from tests.auth.helpers import PASSWORD
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.schools import world as w

EVERYONE, CIRCLE = w.EVERYONE, w.CIRCLE
SCHOOL_NAME = "St Aidan's <i>CE</i> Primary & Nursery"


@dataclass
class Scene:
    world: w.World
    secondary_only: Listing
    birmingham_only: Listing
    kent_only: Listing
    south_east: Listing
    used: Listing
    using: Listing
    shortlisted: Listing
    declined: Listing


@pytest.fixture
def scene(app: Flask, session: Session) -> Scene:
    world = w.build(session)
    world.school.name = SCHOOL_NAME
    session.add(world.school)
    provider = f.assured_provider(session, listings=0, name="Medway Learning Partnership")
    local = {"national": False}

    def listing(title: str, **kw: object) -> Listing:
        return f.listing(session, provider, title=title, **kw)

    scene = Scene(
        world=world,
        secondary_only=listing("Secondary science departments review", phases=["secondary"]),
        birmingham_only=listing("Birmingham reading recovery", local_authorities=["330"], **local),
        kent_only=listing("Kent early reading network", local_authorities=["886"], **local),
        south_east=listing("South East maths hubs", regions=["south-east"], **local),
        used=listing("Attendance officer days"),
        using=listing("Writing moderation coaching"),
        shortlisted=listing("Governor induction course"),
        declined=listing("Playground behaviour audit"),
    )
    session.commit()
    _, (priority,) = w.visit(session, world)
    rows = {
        key: w.shortlisted(session, world, priority, getattr(scene, key))
        for key in ("used", "using", "shortlisted", "declined")
    }
    for to, who in (("agreed", world.head), ("engaged", world.sip), ("completed", world.sip)):
        brokerage.move(session, who, rows["used"], to)
    brokerage.move(session, world.head, rows["using"], "agreed")
    brokerage.move(session, world.head, rows["declined"], "declined", reason="Too costly")
    session.commit()
    return scene


def _outcome(response) -> int | str:  # type: ignore[no-untyped-def]
    if response.status_code == 302 and response.headers["Location"].startswith("/sign-in"):
        return "sign-in"
    return response.status_code


def _items(html: str) -> dict[str, str]:
    """Return each result's title -> the result item's HTML."""
    out = {}
    for item in re.findall(
        r'<li class="app-result">(.*?)</li>\s*(?=<li class="app-result">|</ul>)', html, re.S
    ):
        title = re.search(r'<a class="govuk-link" href="/directory/listings/\d+">([^<]*)</a>', item)
        assert title is not None
        out[title.group(1).replace("&#39;", "'")] = item
    return out


def test_only_the_schools_circle_may_search_for_it(app: Flask, scene: Scene) -> None:
    users = scene.world.users()
    sid = scene.world.school.id
    for role in EVERYONE:
        response = w.client_for(app, users.get(role)).get(f"/directory?for={sid}")
        text = response.get_data(as_text=True)
        if role == "anonymous":
            # Ignored, with a message, and nothing about the school.
            assert response.status_code == 200
            assert "Sign in to search the directory for one of your schools" in text
            assert "St Aidan" not in text
            assert "Secondary science departments review" in text
            assert 'name="for"' not in text
        elif role in CIRCLE:
            assert response.status_code == 200, role
            assert (
                "Searching for St Aidan&#39;s &lt;i&gt;CE&lt;/i&gt; Primary &amp; Nursery (Primary, Kent)"
                in text
            ), role
            assert response.headers["Cache-Control"] == "private, no-store", role
        else:
            assert response.status_code == 403, role
            assert "headteacher, its School Improvement Partner or a QA officer" in text, role
            assert "St Aidan" not in text, role
            assert "Used before" not in text, role


def test_the_search_narrows_to_what_can_serve_the_school(app: Flask, scene: Scene) -> None:
    client = w.client_for(app, scene.world.sip)
    everything = _items(client.get("/directory").get_data(as_text=True))
    for_school = _items(
        client.get(f"/directory?for={scene.world.school.id}").get_data(as_text=True)
    )
    # Without the school every listing shows, so the absences below are the narrowing's doing.
    for listing in (scene.secondary_only, scene.birmingham_only, scene.kent_only, scene.south_east):
        assert listing.title in everything
    assert scene.secondary_only.title not in for_school  # another phase only
    assert scene.birmingham_only.title not in for_school  # another LA only
    for listing in (scene.kent_only, scene.south_east, scene.used, scene.world.listing):
        assert listing.title in for_school  # its LA, its region, national


def test_results_are_marked_with_what_the_school_did_with_them(app: Flask, scene: Scene) -> None:
    page = w.client_for(app, scene.world.head).get(f"/directory?for={scene.world.school.id}")
    items = _items(page.get_data(as_text=True))
    expected = {
        scene.used.title: "Used before",
        scene.using.title: "In use now",
        scene.shortlisted.title: "Shortlisted",
        scene.declined.title: "Declined",
        scene.kent_only.title: None,
    }
    for title, mark in expected.items():
        found = re.search(
            r'<strong class="govuk-tag govuk-tag--grey">([^<]*)</strong>', items[title]
        )
        assert (found.group(1) if found else None) == mark, title


def test_the_schools_filters_are_locked_not_removable(app: Flask, scene: Scene) -> None:
    sid = scene.world.school.id
    client = w.client_for(app, scene.world.qa)
    text = client.get(f"/directory?for={sid}&category=governance").get_data(as_text=True)
    assert "Phase: Primary" in text
    assert "Works in Kent, nationally or online" in text
    # The user's own filter is a removable tag that keeps the school; the locked ones are not tags.
    assert "Remove this filter: Area of support" in text
    assert "Remove this filter: Phase" not in text
    assert "Remove this filter: Local authority" not in text
    assert f'<input type="hidden" name="for" value="{sid}">' in text
    assert f'href="/directory?for={sid}"' in text  # clear filters keeps the school
    # The way out drops only the school.
    assert 'href="/directory?category=governance">Stop searching for this school' in text


def test_a_filter_outside_the_schools_phase_is_left_out_with_a_message(
    app: Flask, scene: Scene
) -> None:
    client = w.client_for(app, scene.world.sip)
    page = client.get(f"/directory?for={scene.world.school.id}&phase=secondary")
    text = page.get_data(as_text=True)
    assert "‘Secondary’ cannot serve the school you are searching for." in text
    assert scene.secondary_only.title not in _items(text)


def test_bad_school_ids_are_not_found_with_a_clear_message(app: Flask, scene: Scene) -> None:
    client = w.client_for(app, scene.world.admin)
    for raw in ("abc", "0", "-1", "99999999999", "10000", "１"):
        response = client.get("/directory", query_string={"for": raw})
        assert response.status_code == 404, raw
        assert "There is no such school to search for." in response.get_data(as_text=True)


def test_the_public_api_ignores_for(app: Flask, scene: Scene) -> None:
    sid = scene.world.school.id
    for user in (None, scene.world.sip):
        client = w.client_for(app, user)
        plain = client.get("/api/v1/listings?per_page=50").get_json()
        with_for = client.get(f"/api/v1/listings?per_page=50&for={sid}")
        assert with_for.status_code == 200
        body = with_for.get_json()
        assert body["total"] == plain["total"]
        titles = {r["title"] for r in body["results"]}
        assert scene.secondary_only.title in titles
        assert scene.birmingham_only.title in titles
        assert "St Aidan" not in with_for.get_data(as_text=True)


def test_a_special_school_is_searched_for_as_special(app: Flask, session: Session) -> None:
    world = w.build(session)
    special = f.school(
        session, la=world.la, phase="primary", type="community-special-school", name="Oak Special"
    )
    session.commit()
    context = school_context.for_school(session, int(special.id or 0))
    assert context.locked == {"phase": ("special",), "la": ("886",)}
    assert context.phase == "Special"


def test_the_school_page_links_to_a_search_for_the_school(app: Flask, scene: Scene) -> None:
    sid = scene.world.school.id
    text = w.client_for(app, scene.world.sip).get(f"/schools/{sid}").get_data(as_text=True)
    assert f'href="/directory?for={sid}">Search the directory for this school' in text


@pytest.mark.browser
def test_searching_for_a_school_passes_axe_and_fits_a_phone_in_a_real_browser(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
) -> None:
    with live_server.session() as session:
        world = w.build(session)
        _, (priority,) = w.visit(session, world)
        w.shortlisted(session, world, priority)
    for width in (1024, 320):
        browsing = browse_at(width=width)
        browsing.visit("/sign-in")
        browsing.page.fill("#email", world.sip.email)
        browsing.page.fill("#password", PASSWORD)
        browsing.page.click("button:has-text('Sign in')")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        browsing.visit(f"/schools/{world.school.id}")
        browsing.page.click("a:has-text('Search the directory for this school')")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        assert "Searching for St Aidan's CE Primary School" in browsing.page.inner_text("main")
        assert "Shortlisted" in browsing.page.inner_text(".app-results")
        # Applying a filter keeps the school.
        browsing.page.click("button.app-filter__apply >> nth=0")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
        assert f"for={world.school.id}" in browsing.page.url
        assert not browsing.has_horizontal_scroll(), width
