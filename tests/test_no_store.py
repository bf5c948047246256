"""Nothing a signed-in user is shown may be kept by a browser or proxy cache: every GET route of
the authorisation matrix, for every signed-in actor, answers with Cache-Control: no-store."""

from __future__ import annotations

import pytest

import tests.test_authorisation_matrix as matrix

#: Responses that are the same for everyone and deliberately cacheable.
PUBLIC = {
    "hardcopy.pdf",  # the LA's printed directory: public, cached for five minutes
    "visitpack.static",  # a stylesheet
    "downloads.static",  # the printable shortlist's stylesheet
    # The read-only public API answers the same to everyone (it reads no cookie): 30 s caching.
    "api.listings",
    "api.listing",
    "api.openapi_document",
    # The Open Referral UK feed likewise (public listings in the standard's shape).
    "openreferral.root",
    "openreferral.service_list",
    "openreferral.service",
    "openreferral.service_at_location_list",
    "openreferral.service_at_location",
    "openreferral.taxonomy_list",
    "openreferral.taxonomy",
    "openreferral.taxonomy_term_list",
    "openreferral.taxonomy_term",
    # Offline on a visit: the service worker, the offline page (it names no one) and an LA's
    # public directory bundle are the same for everyone; `no-cache` makes a browser check them.
    "offline.service_worker",
    "offline.page",
    "offline.directory",
}

world = matrix.world


@pytest.mark.parametrize("actor", matrix.SIGNED_IN)
def test_every_page_a_signed_in_user_gets_is_marked_no_store(
    world: matrix.World, actor: str
) -> None:
    problems = []
    for row in matrix.ROWS:
        if row.method != "GET" or row.endpoint in PUBLIC:
            continue
        url = matrix._fill(row.url, world.ids)
        response = world.client_for(actor).get(url)
        if "no-store" not in response.headers.get("Cache-Control", ""):
            problems.append(
                f"{actor}: GET {url} -> {response.status_code}, "
                f"Cache-Control: {response.headers.get('Cache-Control')!r}"
            )
    assert not problems, "\n".join(problems)


def test_the_pages_named_in_the_issue_are_among_those_checked() -> None:
    checked = {row.endpoint for row in matrix.ROWS if row.method == "GET"} - PUBLIC
    assert {"schools.school", "recommendations.dashboard", "auth.account"} <= checked


def test_an_anonymous_visitor_gets_public_pages_without_no_store(world: matrix.World) -> None:
    response = world.client_for(matrix.ANON).get("/directory?q=phonics")
    assert "no-store" not in response.headers.get("Cache-Control", "")
