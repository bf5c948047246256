"""The public pages through the Flask test client: home, the directory list, listing details,
short codes, error pages and the headers every response carries."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session
from werkzeug.exceptions import BadRequest, Forbidden, TooManyRequests

from broker import assets, db
from broker.directory import services
from broker.models import utcnow
from broker.paging import Page
from tests import factories as f
from tests.conftest import unavailable


def titles(html: str) -> list[str]:
    """Return the listing titles linked from a results page, in order."""
    return re.findall(r'<a class="govuk-link" href="/directory/listings/\d+">([^<]*)</a>', html)


def page_title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, "page has no <title>"
    return " ".join(found.group(1).split())


# --- home ---------------------------------------------------------------------------------


def test_home_page_has_search_box_areas_of_support_and_counts(
    client: FlaskClient, session: Session
) -> None:
    f.assured_provider(session, listings=2)
    f.assured_provider(session, listings=1)
    f.listing(session, status="submitted")
    session.commit()

    html = client.get("/").get_data(as_text=True)

    assert page_title(html) == (
        "Find quality-assured school improvement support – School Improvement e-Directory"
    )
    assert re.search(r'<form[^>]*action="/directory"[^>]*method="get"', html)
    assert 'name="q"' in html
    assert '<span class="app-stats__number">3</span>' in html
    assert '<span class="app-stats__number">2</span>' in html
    assert 'href="/directory?category=governance">Governance</a>' in html
    assert 'href="/directory?category=early-years">Early Years</a>' in html


def test_home_page_figures_are_kept_then_follow_a_change_and_the_two_school_rule(
    client: FlaskClient, session: Session
) -> None:
    """The figures are kept between requests (broker.directory.services.FiguresCache) and
    counted again after a change, at most every 30 s; a provider's own school does not count."""
    f.assured_provider(session, listings=1)
    kept = f.assured_provider(session, listings=2)
    own = f.school(session)
    selfish = f.provider(session, school_id=own.id, kind="school")
    f.recommendation(session, selfish, own)
    f.recommendation(session, selfish)
    f.listing(session, selfish)
    session.commit()
    html = client.get("/").get_data(as_text=True)
    assert re.findall(r'app-stats__number">([\d,]+)<', html) == ["3", "2"]

    cache = services.FiguresCache()
    start = utcnow().replace(second=0, microsecond=0)
    counted = cache.get(session, start)
    assert (counted.listings, counted.providers) == (3, 2)
    kept.listings[0].status = "suspended"
    session.commit()
    seconds = timedelta(seconds=1)
    assert cache.get(session, start + 29 * seconds) is counted  # kept for 30 s
    assert cache.get(session, start + 30 * seconds).listings == 2  # the log moved on
    f.recommendation(session, selfish)  # a second school that is not its own
    session.commit()
    recounted = cache.get(session, start + 61 * seconds)
    assert (recounted.listings, recounted.providers) == (3, 3)
    # Nothing changed since, in the same minute: kept, past the 30 s too.
    assert cache.get(session, start + 119 * seconds) is recounted


def test_layout_has_service_name_skip_link_and_no_crown_or_inline_script(
    client: FlaskClient,
) -> None:
    html = client.get("/").get_data(as_text=True)

    assert 'class="govuk-skip-link"' in html
    assert "govuk-generic-header" in html and "School Improvement e-Directory" in html
    assert "crown" not in html.lower() and "GOV.UK" not in html
    assert '<script type="module" src="/assets/js/app.js"></script>' in html
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == [], "inline script"
    assert " style=" not in html


# --- the list -------------------------------------------------------------------------------


def test_directory_lists_only_public_listings(client: FlaskClient, session: Session) -> None:
    provider = f.assured_provider(session, listings=0)
    f.listing(session, provider, title="Shown: assured")
    f.listing(session, provider, title="Hidden: submitted", status="submitted")
    f.listing(session, provider, title="Hidden: suspended", status="suspended")
    f.listing(session, provider, title="Hidden: lapsed", status="lapsed")
    f.listing(session, provider, title="Hidden: draft", status="draft")
    f.listing(
        session,
        provider,
        title="Hidden: expired",
        assurance_expires_at=utcnow() - timedelta(days=1),
    )
    session.commit()

    html = client.get("/directory").get_data(as_text=True)

    assert titles(html) == ["Shown: assured"]
    assert page_title(html).startswith("1 result –")


def test_directory_sorted_by_recent_puts_most_recently_assured_first(
    client: FlaskClient, session: Session
) -> None:
    provider = f.assured_provider(session, listings=0)
    now = utcnow()
    f.listing(session, provider, title="Assured last year", assured_at=now - timedelta(days=300))
    f.listing(session, provider, title="Assured yesterday", assured_at=now - timedelta(days=1))
    f.listing(session, provider, title="Assured last month", assured_at=now - timedelta(days=30))
    session.commit()

    html = client.get("/directory?sort=recent").get_data(as_text=True)

    assert titles(html) == ["Assured yesterday", "Assured last month", "Assured last year"]


def test_result_item_shows_provider_facets_cost_and_recommending_schools(
    client: FlaskClient, session: Session
) -> None:
    provider = f.provider(session, name="Northfield Maths Hub", kind="school-to-school")
    for _ in range(3):
        f.recommendation(session, provider)
    f.recommendation(session, provider, status="withdrawn")
    f.listing(
        session,
        provider,
        title="Mastery in mathematics",
        categories=["curriculum-and-subject-support", "teaching-and-learning"],
        phases=["primary", "secondary"],
        cost="traded-buy-back",
    )
    session.commit()

    html = client.get("/directory").get_data(as_text=True)

    assert "Northfield Maths Hub (School-to-school)" in html
    assert "Curriculum and Subject Support, Teaching and Learning" in html
    assert "Primary, Secondary" in html
    assert "Traded/buy-back" in html
    assert "3 schools" in html


def test_recommending_schools_are_counted_in_one_query_for_the_page(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    for _ in range(12):
        f.assured_provider(session, listings=1)
    session.commit()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.get_engine(app)
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        html = client.get("/directory").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

    assert len(titles(html)) == 12
    assert html.count("2 schools") == 12
    # The vocabulary of LAs, the log position, the page's listings, their counts: never per row.
    assert len(statements) <= 8, statements  # not one per listing (12 of them)


def test_directory_shows_twenty_a_page_with_gov_uk_pagination(
    client: FlaskClient, session: Session
) -> None:
    provider = f.assured_provider(session, listings=0)
    now = utcnow()
    for n in range(45):
        f.listing(session, provider, title=f"Service {n:02d}", assured_at=now - timedelta(hours=n))
    session.commit()

    first = client.get("/directory?sort=recent").get_data(as_text=True)
    second = client.get("/directory?sort=recent&page=2").get_data(as_text=True)
    third = client.get("/directory?sort=recent&page=3").get_data(as_text=True)

    assert titles(first) == [f"Service {n:02d}" for n in range(20)]
    assert titles(second) == [f"Service {n:02d}" for n in range(20, 40)]
    assert titles(third) == [f"Service {n:02d}" for n in range(40, 45)]
    assert page_title(second).startswith("45 results, page 2 of 3 –")
    assert 'class="govuk-pagination"' in second
    assert 'href="/directory?sort=recent&amp;page=1"' in second
    assert 'href="/directory?sort=recent&amp;page=3"' in second
    assert 'aria-current="page"' in second
    assert "govuk-pagination__prev" not in first
    assert "govuk-pagination__next" not in third


def test_pagination_keeps_the_other_query_arguments(client: FlaskClient, session: Session) -> None:
    provider = f.assured_provider(session, listings=0)
    for n in range(21):
        f.listing(session, provider, title=f"Governor training {n}", categories=["governance"])
    session.commit()

    html = client.get("/directory?category=governance&q=governor").get_data(as_text=True)

    assert 'href="/directory?category=governance&amp;q=governor&amp;page=2"' in html


def test_one_page_of_results_has_no_pagination(client: FlaskClient, session: Session) -> None:
    f.assured_provider(session, listings=3)
    session.commit()

    html = client.get("/directory").get_data(as_text=True)

    assert len(titles(html)) == 3
    assert "govuk-pagination" not in html
    assert "page 1" not in page_title(html)


@pytest.mark.parametrize("page", ["abc", "0", "-3", "", "1.5"])
def test_page_that_is_not_a_positive_number_shows_page_one(
    client: FlaskClient, session: Session, page: str
) -> None:
    f.assured_provider(session, listings=2)
    session.commit()

    response = client.get(f"/directory?page={page}")

    assert response.status_code == 200
    assert len(titles(response.get_data(as_text=True))) == 2


def test_a_nul_in_the_page_number_is_refused_with_a_clear_message(client: FlaskClient) -> None:
    response = client.get("/directory?page=%00")
    assert response.status_code == 400
    assert b"control character" in response.data


@pytest.mark.parametrize("page", ["3", "99999999999999999999999999"])
def test_page_past_the_end_is_not_found_with_a_message(
    client: FlaskClient, session: Session, page: str
) -> None:
    provider = f.assured_provider(session, listings=0)
    for _ in range(25):
        f.listing(session, provider)
    session.commit()

    response = client.get(f"/directory?page={page}")

    assert response.status_code == 404
    assert "these results have 2 pages" in response.get_data(as_text=True)


def test_empty_directory_has_a_helpful_no_results_state(client: FlaskClient) -> None:
    response = client.get("/directory?q=phonics")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No assured support matches your search" in html
    assert page_title(html).startswith("‘phonics’: 0 results")


def test_area_of_support_link_shows_only_that_area(client: FlaskClient, session: Session) -> None:
    provider = f.assured_provider(session, listings=0)
    f.listing(session, provider, title="Governor training", categories=["governance"])
    f.listing(session, provider, title="Phonics", categories=["curriculum-and-subject-support"])
    session.commit()

    html = client.get("/directory?category=governance").get_data(as_text=True)

    assert titles(html) == ["Governor training"]
    assert re.search(r'<h1 class="govuk-heading-l">\s*Governance\s*</h1>', html)


def test_unknown_area_of_support_shows_everything_with_a_note(
    client: FlaskClient, session: Session
) -> None:
    f.assured_provider(session, listings=2)
    session.commit()

    html = client.get("/directory?category=%3Cb%3Ebogus").get_data(as_text=True)

    assert len(titles(html)) == 2
    assert "‘&lt;b&gt;bogus’ is not a known area of support" in html


def test_keywords_narrow_the_list(client: FlaskClient, session: Session) -> None:
    provider = f.assured_provider(session, listings=0)
    f.listing(session, provider, title="Phonics for reception", summary="Early reading.")
    f.listing(session, provider, title="Governor training", summary="Clerking and 100% focus.")
    session.commit()

    assert titles(client.get("/directory?q=PHONICS").get_data(as_text=True)) == [
        "Phonics for reception"
    ]
    assert titles(client.get("/directory?q=100%25").get_data(as_text=True)) == ["Governor training"]
    # Punctuation alone is no words at all: everything, not an error.
    assert len(titles(client.get("/directory?q=%25").get_data(as_text=True))) == 2


# --- the listing page -------------------------------------------------------------------------


def test_listing_page_shows_facets_with_labels_provider_and_contact(
    client: FlaskClient, session: Session
) -> None:
    la = f.local_authority(session, code="886", name="Kent")
    provider = f.provider(
        session,
        name="Inclusion Partners Ltd",
        kind="company",
        website="https://inclusion.example.org",
        email="hello@inclusion.example.org",
        phone="01632 960 123",
    )
    f.recommendation(session, provider)
    f.recommendation(session, provider)
    item = f.listing(
        session,
        provider,
        title="Autism-friendly classrooms",
        categories=["inclusion-sen-and-vulnerable-groups"],
        ecm_outcomes=["be-healthy", "stay-safe"],
        phases=["special", "pru"],
        sen_specialisms=["asd", "slcn"],
        pupil_groups=["sen-and-disabilities"],
        delivery=["training-course-cpd"],
        cost="paid",
        price_note="£450 a day",
        national=False,
        regions=["south-east"],
        local_authorities=[la.code],
        contact_name="Priya Shah",
        contact_email="priya@inclusion.example.org",
    )
    session.commit()

    html = client.get(f"/directory/listings/{item.id}").get_data(as_text=True)

    assert page_title(html) == (
        "Autism-friendly classrooms – Inclusion Partners Ltd – School Improvement e-Directory"
    )
    for text in [
        "Inclusion, SEN and Vulnerable Groups",
        "Be healthy, Stay safe",
        "Special, Pupil referral unit",
        "ASD, SLCN",
        "SEN and disabilities",
        "Training course/CPD",
        "Paid: £450 a day",
        "Region: South East",
        "Local authority: Kent",
        "Company",
        'href="https://inclusion.example.org"',
        'href="mailto:hello@inclusion.example.org"',
        "01632 960 123",
        "Priya Shah",
        'href="mailto:priya@inclusion.example.org"',
        item.code,
    ]:
        assert text in html, text
    assert 'class="govuk-summary-list"' in html


def test_national_listing_says_so(client: FlaskClient, session: Session) -> None:
    provider = f.assured_provider(session, listings=0)
    item = f.listing(session, provider, national=True)
    session.commit()

    html = client.get(f"/directory/listings/{item.id}").get_data(as_text=True)

    assert "National: schools anywhere in England" in html


def test_listing_page_shows_only_valid_recommendations_with_impact(
    client: FlaskClient, session: Session
) -> None:
    provider = f.provider(session)
    f.recommendation(
        session,
        provider,
        f.school(session, name="Oakfield Primary School"),
        recommender_name="Jane Smith",
        service_title="Phonics leadership programme",
        impact="Phonics screening rose from 62% to 88% in two years.",
        made_on=date(2026, 3, 4) if date.today() > date(2026, 3, 4) else date.today(),
    )
    f.recommendation(session, provider, impact="Behaviour improved.", made_on=date.today())
    f.recommendation(session, provider, impact="WITHDRAWN ONE", status="withdrawn")
    f.recommendation(session, provider, impact="AWAITING THE HEAD", status="requested")
    f.recommendation(
        session, provider, impact="TOO OLD", made_on=date.today() - timedelta(days=4 * 365)
    )
    f.recommendation(session, provider, impact="TAKEN BACK", withdrawn_at=utcnow())
    item = f.listing(session, provider)
    session.commit()

    html = client.get(f"/directory/listings/{item.id}").get_data(as_text=True)

    assert "Recommended by 2 schools" in html
    assert "Phonics screening rose from 62% to 88% in two years." in html
    assert "Jane Smith, Oakfield Primary School." in html
    assert "Phonics leadership programme" in html
    assert "Behaviour improved." in html
    for hidden in ["WITHDRAWN ONE", "AWAITING THE HEAD", "TOO OLD", "TAKEN BACK"]:
        assert hidden not in html


@pytest.mark.parametrize("status", ["submitted", "suspended", "lapsed", "draft", "withdrawn"])
def test_listing_that_is_not_public_is_not_found(
    client: FlaskClient, session: Session, status: str
) -> None:
    item = f.listing(session, status=status, title="Secret listing")
    session.commit()

    response = client.get(f"/directory/listings/{item.id}")

    assert response.status_code == 404
    assert "Secret listing" not in response.get_data(as_text=True)


def test_listing_whose_assurance_expired_is_not_found(
    client: FlaskClient, session: Session
) -> None:
    item = f.listing(session, assurance_expires_at=utcnow() - timedelta(minutes=1))
    session.commit()

    assert client.get(f"/directory/listings/{item.id}").status_code == 404


@pytest.mark.parametrize("path", ["/directory/listings/999", "/directory/listings/" + "9" * 30])
def test_unknown_listing_is_not_found(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


# --- short codes ----------------------------------------------------------------------------


def test_short_code_redirects_to_the_listing(client: FlaskClient, session: Session) -> None:
    provider = f.assured_provider(session, listings=0)
    item = f.listing(session, provider, code="KS2M7")
    session.commit()

    for code in ["KS2M7", "ks2m7", "Ks2M7"]:
        response = client.get(f"/l/{code}")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/directory/listings/{item.id}"


@pytest.mark.parametrize("code", ["NOPE1", "x" * 40, "%3Cscript%3E"])
def test_unknown_short_code_is_not_found(client: FlaskClient, code: str) -> None:
    response = client.get(f"/l/{code}")

    assert response.status_code == 404
    assert "<script>" not in response.get_data(as_text=True)


def test_short_code_of_a_suspended_listing_is_not_found(
    client: FlaskClient, session: Session
) -> None:
    f.listing(session, code="SUSP1", status="suspended")
    session.commit()

    assert client.get("/l/SUSP1").status_code == 404


# --- escaping and headers ---------------------------------------------------------------------


def test_user_text_is_escaped_everywhere(client: FlaskClient, session: Session) -> None:
    evil = "<script>alert(1)</script>"
    la = f.local_authority(session, name=f"LA {evil}")
    provider = f.provider(session, name=f"Provider {evil}", website="javascript:alert(1)")
    f.recommendation(session, provider, f.school(session, name=f"School {evil}"), impact=evil)
    f.recommendation(session, provider)
    item = f.listing(
        session,
        provider,
        title=f"Title {evil}",
        summary=f"Summary {evil}",
        description=f"Description {evil}",
        price_note=evil,
        contact_name=evil,
        national=False,
        local_authorities=[la.code],
    )
    session.commit()

    for path in ["/directory", f"/directory/listings/{item.id}", f"/directory?q={evil}"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    detail = client.get(f"/directory/listings/{item.id}").get_data(as_text=True)
    assert 'href="javascript:' not in detail


@pytest.mark.parametrize(
    "path", ["/", "/directory", "/directory?page=9", "/directory/listings/1", "/l/NONE", "/x"]
)
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


# --- error pages ------------------------------------------------------------------------------


def _raises(exc: Exception):  # type: ignore[no-untyped-def]
    def view() -> str:
        raise exc

    return view


@pytest.mark.parametrize(
    ("exc", "status", "title"),
    [
        (BadRequest("The form was not complete."), 400, "There is a problem with your request"),
        (Forbidden(), 403, "You do not have permission to see this page"),
        (TooManyRequests("Slow down."), 429, "Too many requests"),
        (RuntimeError("secret database password in traceback"), 500, "Sorry, there is a problem"),
    ],
)
def test_error_pages_are_styled_and_never_show_a_traceback(
    app: Flask, exc: Exception, status: int, title: str
) -> None:
    app.add_url_rule("/boom", "boom", _raises(exc))

    response = app.test_client().get("/boom")

    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert page_title(html).startswith(title)
    assert '<link rel="stylesheet" href="/assets/build/app.css">' in html
    assert 'class="govuk-heading-l"' in html and "govuk-footer" in html
    assert "Traceback" not in html and "secret database password" not in html
    assert "Content-Security-Policy" in response.headers


def test_not_found_and_method_not_allowed_pages(client: FlaskClient) -> None:
    missing = client.get("/no-such-page")
    wrong_method = client.post("/directory")

    assert missing.status_code == 404
    assert page_title(missing.get_data(as_text=True)).startswith("Page not found –")
    assert wrong_method.status_code == 405
    assert "That action is not allowed here" in wrong_method.get_data(as_text=True)


# --- services and the stylesheet --------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "pages", "window"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (2, 10, [1, 2, 3, None, 10]),
        (10, 10, [1, None, 9, 10]),
        (3, 10, [1, 2, 3, 4, None, 10]),
    ],
)
def test_page_window_links_first_last_and_neighbours(
    number: int, pages: int, window: list[int | None]
) -> None:
    page = Page(items=[], total=pages * 20, number=number, size=20)

    assert page.window() == window


def test_stylesheet_uses_our_font_and_brand_and_every_asset_it_needs(tmp_path: Path) -> None:
    if not assets.SASS.exists():
        unavailable("node_modules is not installed (run `make install`)")
    css_file = assets.compile_css(target=tmp_path / "app.css")
    copied = assets.copy_assets(css_file, build=tmp_path)

    css = css_file.read_text()
    assert 'font-family:"Helvetica Neue",Helvetica,Arial,sans-serif' in css
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "#106165" in css  # teal brand (header, borders)
    for relative in assets.referenced_assets(css):
        assert (tmp_path / relative).is_file(), relative
    assert tmp_path / "govuk-frontend.min.js" in copied


def test_directory_queries_give_the_same_answers_on_every_database(
    any_app: Flask, any_session: Session
) -> None:
    provider = f.assured_provider(any_session, listings=0, name="Hub")
    f.recommendation(any_session, provider, status="withdrawn")
    f.listing(any_session, provider, title="Phonics", categories=["curriculum-and-subject-support"])
    governance = f.listing(any_session, provider, title="Governors", categories=["governance"])
    f.listing(any_session, provider, title="Hidden", categories=["governance"], status="lapsed")
    f.listing(
        any_session,
        provider,
        title="Expired governance",
        categories=["governance"],
        assurance_expires_at=utcnow() - timedelta(days=1),
    )
    any_session.commit()
    client = any_app.test_client()

    assert titles(client.get("/directory?category=governance").get_data(as_text=True)) == [
        "Governors"
    ]
    assert titles(client.get("/directory?q=phonics").get_data(as_text=True)) == ["Phonics"]
    detail = client.get(f"/directory/listings/{governance.id}").get_data(as_text=True)
    assert "Recommended by 2 schools" in detail
    assert client.get(f"/l/{governance.code.lower()}").status_code == 302
    figures = services.figures(any_session)
    assert (figures.listings, figures.providers) == (2, 1)
