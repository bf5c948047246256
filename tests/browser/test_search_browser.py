"""The directory search page in a real browser: keyboard-only filtering, shareable URLs, removable
tags, sort and pagination, visible focus, no JavaScript, narrow screens and axe on every state."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session

from broker.models import LocalAuthority, Provider
from tests import factories as f
from tests.browser.conftest import ARTIFACTS, Browsing

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

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
#: Listings about reading: 6 for secondary schools, 24 for primary (two pages of 20 either way).
READING = 30
SECONDARY = 6


def assured(session: Session, las: list[LocalAuthority], name: str, kind: str) -> Provider:
    """Add a provider recommended by two schools in our own LAs (a factory school would add an LA
    whose generated code could clash with ours)."""
    provider = f.provider(session, name=name, kind=kind)
    for la in las[:2]:
        f.recommendation(session, provider, f.school(session, la))
    return provider


@pytest.fixture
def directory(live_server: LiveServer) -> dict[str, Any]:
    """A directory shaped for the search page: many LAs, a long first facet, several pages."""
    with live_server.session() as session:
        las = [f.local_authority(session, code=c, name=n, region=r) for c, n, r in LAS]
        hub = assured(session, las, "Oakwood Teaching School Alliance", "school-to-school")
        consultant = assured(session, las, "Clare Hughes Education", "independent-consultant")
        council = assured(session, las, "Kent Governor Services", "la-service")
        for n in range(READING):
            served = las[n % len(las)]
            f.listing(
                session,
                hub if n % 2 else consultant,
                title=f"Reading for pleasure programme {n + 1}",
                summary="Whole-school reading culture: book corners, reading aloud, reading leads.",
                description="Phonics and early reading, fluency and comprehension for every pupil.",
                categories=["curriculum-and-subject-support", "teaching-and-learning"],
                phases=["secondary"] if n < SECONDARY else ["primary", "early-years"],
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


@pytest.fixture(params=["with JavaScript", "without JavaScript"])
def browse(
    request: pytest.FixtureRequest,
    browse_at: Callable[..., Browsing],
    browse_without_js: Callable[..., Browsing],
) -> Callable[..., Browsing]:
    """Open pages with JavaScript on, then again with it off: every journey must work both ways."""
    return browse_at if request.param == "with JavaScript" else browse_without_js


def query_of(url: str) -> dict[str, list[str]]:
    """Return the parameters of a URL's query string (the form always sends its sort)."""
    return parse_qs(urlsplit(url).query)


RELEVANCE = {"sort": ["relevance"]}


@pytest.fixture
def browse_without_js(browse_at: Callable[..., Browsing]) -> Callable[..., Browsing]:
    """Like `browse_at`, in a browser context with JavaScript disabled."""
    return functools.partial(browse_at, javascript=False)


# --- helpers ----------------------------------------------------------------------------------

#: Is the focused element's focus indicator visible? Compare its look focused and unfocused (the
#: element, and for GOV.UK's checkboxes, whose input is invisible, the box drawn by its label).
_FOCUS_LOOK = """e => {
    const look = () => {
        const parts = [];
        const add = s => parts.push([s.outlineStyle, s.outlineWidth, s.outlineColor,
                                     s.boxShadow, s.backgroundColor].join(' '));
        add(getComputedStyle(e));
        if (e.labels && e.labels.length) add(getComputedStyle(e.labels[0], '::before'));
        return parts.join(' / ');
    };
    const visible = s => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                          && s.outlineColor !== 'rgba(0, 0, 0, 0)')
                         || (s.boxShadow !== 'none');
    const focused = look();
    const ring = visible(getComputedStyle(e))
        || (e.labels && e.labels.length > 0 && visible(getComputedStyle(e.labels[0], '::before')));
    e.blur();
    const unfocused = look();
    e.focus();
    const box = (e.labels && e.labels.length ? e.labels[0] : e).getBoundingClientRect();
    return {focused, unfocused, ring, size: box.width * box.height,
            same: document.activeElement === e};
}"""


def assert_focus_visible(browsing: Browsing) -> None:
    """Fail unless the focused element shows a focus indicator its unfocused state lacks."""
    look = browsing.page.evaluate(f"({_FOCUS_LOOK})(document.activeElement)")
    where = {k: v[:60] for k, v in browsing.focused().items()}
    assert look["same"], f"focus moved while checking {where}"
    assert look["size"] > 0, f"the focused element is not on screen: {where}"
    assert look["ring"] and look["focused"] != look["unfocused"], (
        f"no visible focus indicator on {where}: {look}"
    )


def tab_to(browsing: Browsing, predicate_js: str, limit: int = 80) -> dict[str, str]:
    """Press Tab until `predicate_js` holds, checking the focus is visible at every stop."""
    for _ in range(limit):
        browsing.page.keyboard.press("Tab")
        assert_focus_visible(browsing)
        if browsing.page.evaluate(f"({predicate_js})(document.activeElement)"):
            return browsing.focused()
    raise AssertionError(f"Tab never reached an element matching {predicate_js}")


def press_and_load(browsing: Browsing, key: str) -> None:
    """Press `key` on the focused element, wait for the page it opens, and audit it."""
    with browsing.page.expect_navigation():
        browsing.page.keyboard.press(key)
    browsing.audit()


def count_text(browsing: Browsing) -> str:
    """Return the visible result count."""
    count = browsing.page.locator("#result-count")
    assert count.is_visible()
    return " ".join(count.inner_text().split())


def tags(browsing: Browsing) -> list[str]:
    """Return the removable filter tags as shown (each ends with its cross)."""
    return [
        " ".join(t.split()) for t in browsing.page.locator(".app-filter__tag").all_inner_texts()
    ]


def in_sight(browsing: Browsing, element_js: str) -> bool:
    """Say whether the element is on screen and not clipped or covered (its left middle is it)."""
    return browsing.page.evaluate(
        f"""() => {{ const e = {element_js};
                   const r = e.getBoundingClientRect();
                   const hit = document.elementFromPoint(r.left + 5, r.top + r.height / 2);
                   return hit !== null && (hit === e || e.contains(hit)); }}"""
    )


def is_id(element_id: str) -> str:
    return f"e => e.id === {element_id!r}"


APPLY = "e => e.classList.contains('app-filter__apply')"


# --- keyboard-only journeys, with and without JavaScript ----------------------------------------


def test_keyboard_user_filters_a_search_and_removes_the_filter_by_its_tag(
    browse: Callable[..., Browsing], directory: dict[str, Any]
) -> None:
    browsing = browse()
    browsing.visit("/directory")

    tab_to(browsing, is_id("q"))
    browsing.page.keyboard.type("reading")
    tab_to(browsing, is_id("f-phase-secondary"))
    browsing.page.keyboard.press("Space")
    assert browsing.page.is_checked("#f-phase-secondary")
    tab_to(browsing, APPLY)
    press_and_load(browsing, "Enter")

    assert query_of(browsing.page.url) == {"q": ["reading"], "phase": ["secondary"], **RELEVANCE}
    assert count_text(browsing) == f"{SECONDARY} results for ‘reading’"
    assert browsing.page.title().startswith(f"‘reading’: {SECONDARY} results – Find support")
    assert tags(browsing) == ["Remove this filter: Phase, Secondary"]
    assert browsing.page.is_checked("#f-phase-secondary")

    tab_to(browsing, "e => e.classList.contains('app-filter__tag')")
    press_and_load(browsing, "Enter")

    assert query_of(browsing.page.url) == {"q": ["reading"], **RELEVANCE}
    assert count_text(browsing) == f"{READING} results for ‘reading’, showing 1 to 20"
    assert tags(browsing) == []
    assert not browsing.page.is_checked("#f-phase-secondary")


def test_a_filtered_search_url_shows_the_same_search_to_someone_else(
    browse: Callable[..., Browsing], directory: dict[str, Any]
) -> None:
    browsing = browse()
    browsing.visit("/directory")
    tab_to(browsing, is_id("q"))
    browsing.page.keyboard.type("reading")
    tab_to(browsing, "e => e.tagName === 'SUMMARY' && e.textContent.trim() === 'Cost'")
    browsing.page.keyboard.press("Enter")  # opens the facet
    tab_to(browsing, is_id("f-cost-paid"))
    browsing.page.keyboard.press("Space")
    tab_to(browsing, APPLY)
    press_and_load(browsing, "Enter")
    shared = browsing.path()

    colleague = browse(width=768)
    colleague.visit(shared)

    assert count_text(colleague) == count_text(browsing) == "15 results for ‘reading’"
    assert tags(colleague) == ["Remove this filter: Cost, Paid"]
    assert colleague.page.is_checked("#f-cost-paid")
    assert colleague.page.input_value("#q") == "reading"


def test_clear_filters_by_keyboard_keeps_the_words_and_the_sort(
    browse: Callable[..., Browsing], directory: dict[str, Any]
) -> None:
    browsing = browse()
    browsing.visit("/directory?q=reading&phase=primary&cost=paid&la=886&la=202&sort=title")
    assert len(tags(browsing)) == 4

    tab_to(browsing, "e => e.classList.contains('app-filter__clear')")
    press_and_load(browsing, "Enter")

    assert query_of(browsing.page.url) == {"q": ["reading"], "sort": ["title"]}
    assert tags(browsing) == []
    assert browsing.page.locator(".govuk-checkboxes__input:checked").count() == 0
    assert count_text(browsing) == f"{READING} results for ‘reading’, showing 1 to 20"


def test_sort_is_changed_by_keyboard_and_keeps_the_filters(
    browse: Callable[..., Browsing], directory: dict[str, Any]
) -> None:
    browsing = browse()
    browsing.visit("/directory?q=reading&phase=primary")

    tab_to(browsing, is_id("sort"))
    browsing.page.keyboard.press("ArrowDown")
    assert browsing.page.input_value("#sort") == "title"
    tab_to(browsing, "e => e.classList.contains('app-sort__button')")
    press_and_load(browsing, "Enter")

    assert query_of(browsing.page.url) == {
        "q": ["reading"],
        "phase": ["primary"],
        "sort": ["title"],
    }
    assert browsing.page.input_value("#sort") == "title"
    titles = browsing.page.locator(".app-result__title a").all_inner_texts()
    assert len(titles) == 20
    assert titles == sorted(titles, key=title_order)


def title_order(title: str) -> tuple[str, int]:
    """Sort key for the fixture's titles: words, then the number (A to Z reads numbers as numbers)."""
    words, _, number = title.rpartition(" ")
    return (words.casefold(), int(number))


def test_pagination_by_keyboard_keeps_the_search_and_says_the_page_in_the_title(
    browse: Callable[..., Browsing], directory: dict[str, Any]
) -> None:
    primary = READING - SECONDARY
    browsing = browse()
    browsing.visit("/directory?q=reading&phase=primary&sort=title")
    assert browsing.page.title().startswith(f"‘reading’: {primary} results, page 1 of 2 – ")

    tab_to(browsing, "e => e.getAttribute('rel') === 'next'", limit=200)
    press_and_load(browsing, "Enter")

    assert query_of(browsing.page.url) == {
        "q": ["reading"],
        "phase": ["primary"],
        "sort": ["title"],
        "page": ["2"],
    }
    assert browsing.page.title().startswith(f"‘reading’: {primary} results, page 2 of 2 – ")
    assert count_text(browsing) == f"{primary} results for ‘reading’, showing 21 to {primary}"
    assert browsing.page.locator(".app-result").count() == primary - 20

    tab_to(browsing, "e => e.getAttribute('rel') === 'prev'", limit=200)
    press_and_load(browsing, "Enter")

    assert query_of(browsing.page.url)["page"] == ["1"]
    assert browsing.page.locator(".app-result").count() == 20


def test_no_results_names_the_filters_to_remove_with_counts_and_one_key_removes_one(
    browse: Callable[..., Browsing], directory: dict[str, Any]
) -> None:
    browsing = browse()
    browsing.visit("/directory?q=reading&phase=secondary&cost=free")

    assert count_text(browsing) == "0 results for ‘reading’"
    suggestions = browsing.page.locator("#relaxations li").all_inner_texts()
    assert suggestions == [f"Remove ‘Free’ ({SECONDARY} results)"]

    tab_to(browsing, "e => e.closest('#relaxations') !== null")
    press_and_load(browsing, "Enter")

    assert query_of(browsing.page.url) == {"q": ["reading"], "phase": ["secondary"]}
    assert count_text(browsing) == f"{SECONDARY} results for ‘reading’"


# --- small screens and zoom -------------------------------------------------------------------


@pytest.mark.parametrize(
    "viewport",
    [(320, 640), (320, 256)],
    ids=["phone", "desktop at 400 percent zoom"],
)
def test_on_a_narrow_screen_a_link_skips_the_filters_to_the_results(
    browse: Callable[..., Browsing], directory: dict[str, Any], viewport: tuple[int, int]
) -> None:
    width, height = viewport
    browsing = browse(width=width, height=height)
    browsing.visit("/directory?q=reading")
    skip = browsing.page.locator(".app-filter__skip")
    assert skip.is_visible() and skip.inner_text() == f"Skip to the {READING} results"

    tab_to(browsing, "e => e.classList.contains('app-filter__skip')")
    browsing.page.keyboard.press("Enter")
    after = tab_to(browsing, "e => true", limit=1)

    assert browsing.page.evaluate("document.activeElement.closest('#results') !== null"), after
    assert not browsing.has_horizontal_scroll()


@pytest.mark.parametrize(
    "viewport",
    [(320, 640), (320, 256)],
    ids=["phone", "desktop at 400 percent zoom"],
)
def test_on_a_narrow_screen_a_long_facet_is_usable_by_keyboard(
    browse: Callable[..., Browsing], directory: dict[str, Any], viewport: tuple[int, int]
) -> None:
    width, height = viewport
    browsing = browse(width=width, height=height)
    browsing.visit("/directory?q=reading")
    assert not browsing.page.is_visible("#f-la-886")

    tab_to(browsing, "e => e.tagName === 'SUMMARY' && e.textContent.includes('Local authority')")
    browsing.page.keyboard.press("Enter")  # opens the <details>, with or without JavaScript
    tab_to(browsing, is_id("f-la-886"))
    # Kent is far down the list: its box scrolled into view and is not hidden under anything.
    assert in_sight(browsing, "document.activeElement.labels[0]")
    browsing.page.keyboard.press("Space")
    tab_to(browsing, APPLY)
    press_and_load(browsing, "Enter")

    assert query_of(browsing.page.url) == {"q": ["reading"], "la": ["886"], **RELEVANCE}
    assert tags(browsing) == ["Remove this filter: Local authority, Kent"]
    assert not browsing.has_horizontal_scroll()


# --- every state: axe, the screen width, and a screenshot to look at -----------------------------

STATES = {
    "results": "/directory?q=reading",
    "filtered": "/directory?q=reading&phase=primary&la=886&la=202&cost=paid",
    "no-results": "/directory?q=reading&phase=secondary&cost=free",
    "corrected": "/directory?q=redaing",
    "original-words": "/directory?q=redaing&original=1",
}


def check_state(browsing: Browsing, state: str) -> None:
    """Check what each state must show, as visible text."""
    page = browsing.page
    if state == "results":
        assert count_text(browsing) == f"{READING} results for ‘reading’, showing 1 to 20"
        assert page.title().startswith(f"‘reading’: {READING} results, page 1 of 2 – Find support")
    elif state == "filtered":
        assert count_text(browsing) == "1 result for ‘reading’"
        assert tags(browsing) == [
            "Remove this filter: Phase, Primary",
            "Remove this filter: Cost, Paid",
            "Remove this filter: Local authority, Camden",
            "Remove this filter: Local authority, Kent",
        ]
        assert page.is_visible("text=Local authority (2 selected)")
        # The long LA list scrolls in its box, with the ticked ones first and in sight.
        ticked = page.locator(".app-facet__scroll .govuk-checkboxes__label")
        assert [t.split(" (")[0] for t in ticked.all_inner_texts()[:2]] == ["Camden", "Kent"]
        page.locator("#f-la-886").scroll_into_view_if_needed()
        assert in_sight(browsing, "document.querySelector('label[for=f-la-886]')")
    elif state == "no-results":
        assert page.is_visible("text=No assured support matches your search")
        assert page.locator("#relaxations").is_visible()
        assert page.title().startswith("‘reading’: 0 results – Find support")
    elif state == "corrected":
        assert page.locator("#corrected").is_visible()
        assert "these are the results for ‘reading’" in page.inner_text("#corrected")
        assert count_text(browsing).startswith(f"{READING} results for ‘reading’")
        assert page.title().startswith(f"‘reading’: {READING} results, page 1 of 2")
    elif state == "original-words":
        assert count_text(browsing) == "0 results for ‘redaing’"
        assert " ".join(page.inner_text("#suggestion").split()) == "Did you mean reading?"


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_every_search_state_is_accessible_and_fits_the_screen(
    browse_at: Callable[..., Browsing], directory: dict[str, Any], width: int
) -> None:
    browsing = browse_at(width=width, height=900)
    folder = ARTIFACTS / "search"
    folder.mkdir(parents=True, exist_ok=True)

    for state, path in STATES.items():
        browsing.visit(path)  # runs axe: no serious or critical violations
        browsing.page.screenshot(path=str(folder / f"{state}-{width}.png"), full_page=True)
        check_state(browsing, state)
        assert not browsing.has_horizontal_scroll(), f"{state} scrolls sideways at {width}px"
