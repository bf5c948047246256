"""The directory search page in a real browser: keyboard-only filtering, shareable URLs, removable
tags, sort and pagination, visible focus, no JavaScript, narrow screens and axe on every state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories as f
from tests.browser.conftest import ARTIFACTS, Browsing, _watch

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

#: Codes never start with 9: the factories number their own LAs 9NN.
#: Enough local authorities that the LA facet is long (it must not swamp the filter column).
LAS = [
    ("886", "Kent", "south-east"),
    ("887", "Medway", "south-east"),
    ("836", "Surrey", "south-east"),
    ("838", "West Sussex", "south-east"),
    ("845", "East Sussex", "south-east"),
    ("850", "Hampshire", "south-east"),
    ("869", "West Berkshire", "south-east"),
    ("831", "Oxfordshire", "south-east"),
    ("825", "Buckinghamshire", "south-east"),
    ("821", "Isle of Wight", "south-east"),
    ("202", "Camden", "london"),
    ("203", "Greenwich", "london"),
    ("204", "Hackney", "london"),
    ("205", "Hammersmith and Fulham", "london"),
    ("206", "Islington", "london"),
    ("207", "Kensington and Chelsea", "london"),
    ("208", "Lambeth", "london"),
    ("209", "Lewisham", "london"),
    ("210", "Southwark", "london"),
    ("211", "Tower Hamlets", "london"),
    ("330", "Birmingham", "west-midlands"),
    ("331", "Coventry", "west-midlands"),
    ("332", "Dudley", "west-midlands"),
    ("333", "Sandwell", "west-midlands"),
    ("334", "Solihull", "west-midlands"),
    ("335", "Walsall", "west-midlands"),
    ("336", "Wolverhampton", "west-midlands"),
    ("390", "Gateshead", "north-east"),
    ("391", "Newcastle upon Tyne", "north-east"),
    ("392", "North Tyneside", "north-east"),
]
#: Listings about reading: more than one page of 20, so the filtered search paginates.
READING = 26


@pytest.fixture
def directory(live_server: LiveServer) -> dict[str, Any]:
    """A directory shaped for the search page: many LAs, a long first facet, several pages."""
    with live_server.session() as session:
        las = [f.local_authority(session, code=c, name=n, region=r) for c, n, r in LAS]
        hub = f.assured_provider(
            session, listings=0, name="Oakwood Teaching School Alliance", kind="school-to-school"
        )
        consultant = f.assured_provider(
            session, listings=0, name="Clare Hughes Education", kind="independent-consultant"
        )
        council = f.assured_provider(
            session, listings=0, name="Kent Governor Services", kind="la-service"
        )
        for n in range(READING):
            served = las[n % len(las)]
            f.listing(
                session,
                hub if n % 2 else consultant,
                title=f"Reading for pleasure programme {n + 1}",
                summary="Whole-school reading culture: book corners, reading aloud, reading leads.",
                description="Phonics and early reading, fluency and comprehension for every pupil.",
                categories=["curriculum-and-subject-support", "teaching-and-learning"],
                phases=["secondary"] if n < 6 else ["primary", "early-years"],
                delivery=["training-course-cpd"] if n % 3 else ["on-site-consultancy"],
                pupil_groups=["eal", "boys-achievement"] if n % 4 == 0 else [],
                sen_specialisms=["slcn"] if n % 5 == 0 else [],
                cost="paid" if n % 2 else "traded-buy-back",
                national=False,
                regions=[],
                local_authorities=[served.code, las[(n + 7) % len(las)].code],
            )
        for n in range(4):
            f.listing(
                session,
                council,
                title=f"Governor induction training {n + 1}",
                summary="Training for new governors on their statutory duties.",
                categories=["governance"],
                phases=["primary", "secondary"],
                cost="free",
                delivery=["network"],
                national=True,
            )
        session.commit()
    return {"reading": READING}


def query_of(url: str) -> dict[str, list[str]]:
    """Return the parameters of a URL's query string."""
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def browse_without_js(
    chromium: Any, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Browsing]]:
    """Like `browse_at`, with JavaScript disabled in the browser context."""
    opened: list[tuple[Any, Browsing]] = []

    def open_page(width: int = 1024, height: int = 768) -> Browsing:
        context = chromium.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=False
        )
        browsing = Browsing(page=context.new_page(), base_url=live_server.url)
        _watch(browsing.page, browsing)
        opened.append((context, browsing))
        return browsing

    yield open_page

    for _context, browsing in opened:
        unaudited = [u for u in dict.fromkeys(browsing.visited) if u not in browsing.audited]
        assert not unaudited, f"pages visited but not audited with axe: {unaudited}"
        assert not browsing.problems, "\n".join(browsing.problems)
        _context.close()


# --- screenshots for review -------------------------------------------------------------------

STATES = {
    "plain": "/directory?q=reading",
    "filtered": "/directory?q=reading&phase=primary&la=886&la=202&cost=paid",
    "none": "/directory?q=reading&phase=secondary&cost=free",
    "corrected": "/directory?q=redaing",
}


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_search_states_fit_the_screen_and_are_saved_for_review(
    browse_at: Callable[..., Browsing], directory: dict[str, Any], width: int
) -> None:
    browsing = browse_at(width=width, height=900)
    folder = ARTIFACTS / "search"
    folder.mkdir(parents=True, exist_ok=True)

    for state, path in STATES.items():
        browsing.visit(path)
        browsing.page.screenshot(path=str(folder / f"{state}-{width}.png"), full_page=True)
        assert not browsing.has_horizontal_scroll(), f"{state} scrolls sideways at {width}px"
