"""What the server tests share: a QA officer with listings to act on, signed in over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from broker import db
from broker.models import User
from broker.search.engine import get_search
from tests import factories as f
from tests.auth.helpers import PASSWORD, current_code
from tests.conftest import close_app, make_app
from tests.schools.world import make_user
from tests.serving import live


def officer_with_listings(
    app_dir: Path, url: str, count: int, **config: Any
) -> tuple[User, list[int]]:
    """Add a QA officer and `count` assured listings of one provider in the officer's LA; index them."""
    app = make_app(app_dir, url, **config)
    try:
        with db.new_session(app) as s:
            la = f.local_authority(s, code="886", name="Kent")
            provider = f.assured_provider(s, listings=0, la_id=la.id)
            ids = [int(f.listing(s, provider).id or 0) for _ in range(count)]
            s.commit()
            qa = make_user(s, "qa_officer", la_id=la.id, enrolled=True)
        get_search(app).sync()
    finally:
        close_app(app)
    return qa, ids


def sign_in(port: int, qa: User) -> live.Browser:
    """Sign the QA officer in over HTTP, with the second factor."""
    browser = live.Browser(port)
    browser.get("/sign-in")
    status, _, body = browser.post("/sign-in", {"email": qa.email, "password": PASSWORD})
    assert status == 302, body[:500]
    browser.get("/two-factor")
    status, _, body = browser.post("/two-factor", {"code": current_code(qa)})
    assert status == 302, body[:500]
    return browser
