"""The signed-in pages of every role in a real browser: each signs in through the real form (and
second factor), lands on its own work, then visits their main pages (the landing page first);
every page is axe-clean at 1024 and 320 px and fits a 320 px screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from broker import db
from broker.models import User
from tests.auth.helpers import PASSWORD, current_code
from tests.browser.conftest import Browsing, LiveServer, browse_at, chromium, live_server  # noqa: F401
from tests.test_authorisation_matrix import build_world

pytestmark = pytest.mark.browser

#: Each role's main pages (paths filled from the world's ids).
PAGES: dict[str, list[str]] = {
    "provider_a": [
        "/provider",
        "/provider/listings/{draft_a}",
        "/provider/listings/{submitted_a}",
        "/provider/listings/{assured_a}",
        "/provider/listings/{draft_a}/referees",
        "/account",
    ],
    "head_1": [
        "/decisions",
        "/recommendations",
        "/recommendations/{requested}",
        "/schools/{school_1}",
        "/schools/{school_1}/priorities/{p1}",
        "/brokerage/{suggested}",
        "/brokerage/{suggested}/agree",
        "/brokerage/{completed}/impact",
        "/notifications",
        "/account/notifications",
        "/schools/{school_1}/leaders",
        "/account",
    ],
    "leader_1": [
        "/schools/{school_1}",
        "/recommendations",
        "/brokerage/{suggested}/agree",
        "/directory/listings/{assured_b}/recommend",
    ],
    "sip_1": [
        "/schools",
        "/schools/{school_1}",
        "/schools/{school_1}/visits/{visit}",
        "/schools/{school_1}/priorities/{p1}",
        "/schools/{school_1}/visit-pack",
        "/schools/{school_1}/visits/new",
        "/brokerage/{engaged}",
        "/account",
    ],
    "qa_1": [
        "/qa",
        "/qa/listings/{submitted_a}",
        "/qa/audit",
        "/qa/supply-and-demand",
        "/qa/brokering-spread",
        "/schools/{school_1}/sips",
        "/invite",
        "/account/interests",
        "/account",
    ],
    "admin": [
        "/qa",
        "/qa/supply-and-demand?la={la_1}",
        "/qa/brokering-spread?la={la_1}",
        "/schools",
        "/account",
    ],
}


#: What some pages must show, so we know we audited the page with its content (role, page).
MUST_SHOW = {
    ("sip_1", "/schools/{school_1}/priorities/{p1}"): "Add to shortlist: Boys' reading",
    ("head_1", "/schools/{school_1}/priorities/{p1}"): "Boys' reading in Key Stage 2",
    ("qa_1", "/qa"): "Early years review",
    ("qa_1", "/qa/brokering-spread"): "Helen Marsh Education Consultancy",
    ("head_1", "/schools/{school_1}/leaders"): "Deputy headteacher",
    ("leader_1", "/recommendations"): "Phonics coaching",
    ("provider_a", "/provider"): "Early years review",
    ("head_1", "/decisions"): "Phonics leadership coaching",
    ("head_1", "/notifications"): "Support shortlisted for St Aidan",
    ("sip_1", "/schools"): "Waiting for the head (2)",
}

#: Where each role lands after signing in (its own work, broker.auth.views.LANDING).
LANDS_ON = {
    "provider_a": "/provider",
    "head_1": "/decisions",
    "leader_1": "/decisions",
    "sip_1": "/schools",
    "qa_1": "/qa",
    "admin": "/qa",
}


@pytest.fixture
def ids(live_server: LiveServer) -> dict[str, Any]:  # noqa: F811
    with live_server.app.app_context(), db.new_session(live_server.app) as session:
        return build_world(session)


def _sign_in(browsing: Browsing, user: User, lands_on: str | None = None) -> None:
    """Sign in through the real form, and the second factor when the role needs it; then be on
    `lands_on` (when given)."""
    browsing.visit("/sign-in")
    browsing.page.fill("#email", user.email)
    browsing.page.fill("#password", PASSWORD)
    browsing.page.click("button:has-text('Sign in')")
    browsing.page.wait_for_load_state("load")
    browsing.audit()
    if user.needs_second_factor:
        assert browsing.path().startswith("/two-factor"), browsing.path()
        browsing.page.fill("#code", current_code(user))
        browsing.page.click("main button[type=submit]")
        browsing.page.wait_for_load_state("load")
        browsing.audit()
    if lands_on is not None:
        assert browsing.path() == lands_on, browsing.path()


def _overflowing(browsing: Browsing) -> list[str]:
    """Name the innermost elements that stick out to the right of the screen."""
    return browsing.page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [];
            for (const e of document.querySelectorAll('body *')) {
                const box = e.getBoundingClientRect();
                if (box.right <= width + 1 || box.width === 0) continue;
                if ([...e.children].some(c => c.getBoundingClientRect().right > width + 1)) continue;
                const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (e.className && typeof e.className === 'string'
                       ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
                out.push(`${name} (${Math.round(box.right)} px): ${e.textContent.trim().slice(0, 40)}`);
            }
            return out.slice(0, 5);
        }"""
    )


@pytest.mark.parametrize("role", sorted(PAGES))
def test_each_roles_main_pages_are_accessible_and_fit_a_narrow_screen(
    browse_at: Callable[..., Browsing],  # noqa: F811
    live_server: LiveServer,  # noqa: F811
    ids: dict[str, Any],
    role: str,
) -> None:
    with db.new_session(live_server.app) as session:
        user = session.get(User, ids["users"][role])
        assert user is not None
    browsing = browse_at(width=1024)
    _sign_in(browsing, user, LANDS_ON[role])
    too_wide = []
    for template in PAGES[role]:
        path = template.format(**ids)
        browsing.page.set_viewport_size({"width": 1024, "height": 768})
        browsing.visit(path)
        if (role, template) in MUST_SHOW:
            assert MUST_SHOW[role, template] in browsing.page.text_content("main"), path
        browsing.page.set_viewport_size({"width": 320, "height": 640})
        browsing.audit()
        if browsing.has_horizontal_scroll():
            too_wide.append(f"{path}: {_overflowing(browsing)}")
    assert not too_wide, f"sideways scrolling at 320 px on {too_wide}"
