"""The /directory search page: the same counts as the API, title, tags, escaping, no-results help
and spelling corrections (server-rendered HTML, no JavaScript)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session

from tests import factories as f


@pytest.fixture
def directory(session: Session) -> dict[str, int]:
    provider = f.assured_provider(session, listings=0, name="Bright Futures Ltd")
    other = f.assured_provider(session, listings=0, name="Kent Learning", kind="la-service")
    ids = {
        "phonics": f.listing(
            session, provider, title="Phonics for Key Stage 1", phases=["primary"], cost="free"
        ).id,
        "maths": f.listing(
            session, provider, title="Mathematics mastery", phases=["secondary"], cost="paid"
        ).id,
        "autism": f.listing(
            session,
            other,
            title="Autism outreach",
            phases=["special", "primary"],
            sen_specialisms=["asd"],
            cost="funded",
        ).id,
    }
    session.commit()
    return ids


def _page(client: FlaskClient, **params: object) -> str:
    response = client.get("/directory", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _checkbox_counts(page: str) -> dict[str, dict[str, int]]:
    """Read {facet: {value: count}} from the filter checkboxes."""
    counts: dict[str, dict[str, int]] = {}
    pattern = re.compile(
        r'name="(?P<name>[a-z_]+)" type="checkbox" value="(?P<value>[^"]+)"[^>]*>\s*'
        r'<label[^>]*>[^<]*<span class="app-count">\((?P<count>[\d,]+)'
    )
    for m in pattern.finditer(page):
        counts.setdefault(m["name"], {})[m["value"]] = int(m["count"].replace(",", ""))
    return counts


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found
    return html.unescape(" ".join(found.group(1).split()))


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "outreach"}, {"phase": "primary"}, {"cost": ["free", "funded"], "phase": "primary"}],
)
def test_page_shows_the_same_counts_as_the_api(
    client: FlaskClient, directory: dict[str, int], params: dict[str, object]
) -> None:
    api = client.get("/api/v1/listings", query_string=params).get_json()
    expected = {
        name: {c["value"]: c["count"] for c in values if c["count"]}
        for name, values in api["facets"].items()
        if any(c["count"] for c in values)
    }
    page = _page(client, **params)
    shown = {
        name: {v: n for v, n in values.items() if n}
        for name, values in _checkbox_counts(page).items()
        if any(values.values())
    }
    assert shown == expected
    assert re.search(rf'id="result-count">\s*{api["total"]} result', page)


def test_title_has_the_words_the_count_and_the_page(
    client: FlaskClient, directory: dict[str, int]
) -> None:
    assert _title(_page(client, q="outreach")).startswith("‘outreach’: 1 result")
    title = _title(_page(client, per_page=1, page=2))
    assert "3 results, page 2 of 3" in title


def test_selected_filter_is_a_tag_that_removes_only_itself(
    client: FlaskClient, directory: dict[str, int]
) -> None:
    page = _page(client, q="outreach", phase=["primary", "special"], cost="funded")
    tags = re.findall(r'<a class="app-filter__tag" href="([^"]+)"', page)
    assert len(tags) == 3
    removals = [parse_qs(urlsplit(html.unescape(t)).query) for t in tags]
    assert {"q": ["outreach"], "phase": ["special"], "cost": ["funded"]} in removals
    assert {"q": ["outreach"], "phase": ["primary", "special"]} in removals
    assert "Clear filters" in page


def test_users_words_are_escaped(client: FlaskClient, directory: dict[str, int]) -> None:
    words = '<script>alert("x")</script> "quoted" & <b>'
    page = _page(client, q=words)
    assert "<script>alert" not in page
    assert "&lt;b&gt;" in page
    assert "&lt;script&gt;" in page


def test_no_results_suggests_which_filter_to_remove_with_counts(
    client: FlaskClient, directory: dict[str, int]
) -> None:
    page = _page(client, phase="secondary", cost="free")
    assert "No assured support matches your search" in page
    relaxations = re.search(r'<ul[^>]*id="relaxations">(.*?)</ul>', page, re.S)
    assert relaxations
    text = " ".join(re.sub(r"<[^>]+>", " ", relaxations.group(1)).split())
    assert "Remove ‘Secondary’ (1 result)" in text
    assert "Remove ‘Free’ (1 result)" in text


def test_unknown_values_are_ignored_politely(
    client: FlaskClient, directory: dict[str, int]
) -> None:
    page = _page(client, phase="Nursery", colour="red")
    assert 'id="ignored"' in page
    assert re.search(r'id="result-count">\s*3 results', page)


def test_misspelt_words_show_corrected_results_with_a_way_back(
    client: FlaskClient, directory: dict[str, int]
) -> None:
    page = _page(client, q="phonnics")
    assert 'id="corrected"' in page
    assert "Phonics for Key Stage 1" in page
    back = re.search(r'<div class="govuk-inset-text" id="corrected">.*?href="([^"]+)"', page, re.S)
    assert back
    original = client.get(html.unescape(back.group(1)))
    assert original.status_code == 200
    text = original.get_data(as_text=True)
    assert 'id="corrected"' not in text
    assert "No assured support matches your search" in text


def test_the_form_is_a_get_form_without_javascript(client: FlaskClient, session: Session) -> None:
    f.assured_provider(session, listings=2)
    session.commit()
    page = _page(client)
    assert re.search(r'<form action="/directory" method="get"', page)
    assert "Apply filters" in page  # an explicit button: nothing submits on change


def test_the_page_says_what_the_words_implied_and_can_rank_all_alike(
    client: FlaskClient, directory: dict[str, int]
) -> None:
    page = client.get("/directory?q=phonics+Year+2").get_data(as_text=True)
    understood = re.search(r'<p class="govuk-body" id="understood">(.*?)</p>', page, re.S)
    assert understood is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", understood.group(1)).split())
    assert "‘year 2’ – Primary (Phase)" in text
    link = re.search(r'href="([^"]*understand=0[^"]*)"', understood.group(1))
    assert link is not None
    alike = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert "Showing all listings alike" in alike
    # Nothing is hidden by what was understood: it only ranks.
    assert "Mathematics mastery" not in page  # (it lacks the word "phonics", not the phase)
    both = client.get("/directory?q=Year+9+phonics").get_data(as_text=True)
    assert "Phonics for Key Stage 1" in both  # a primary listing, though Year 9 is secondary


def test_a_level_implies_post_16_where_it_is_said_and_level_alone_does_not(
    client: FlaskClient, directory: dict[str, int]
) -> None:
    # Stop words reduce "A level" to "level": it counts only where the search says "A level".
    def understood(q: str) -> str:
        page = client.get("/directory", query_string={"q": q}).get_data(as_text=True)
        found = re.search(r'<p class="govuk-body" id="understood">(.*?)</p>', page, re.S)
        return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""

    assert "‘a level’ – Post-16 (Phase)" in understood("A level chemistry")
    assert "Post-16" not in understood("low-level disruption")


def test_a_result_that_lacks_some_words_says_which(
    client: FlaskClient, session: Session, directory: dict[str, int]
) -> None:
    provider = f.assured_provider(session, listings=0, name="Reading Matters")
    f.listing(session, provider, title="Phonics and spelling clinic", phases=["primary"])
    session.commit()
    page = client.get("/directory?q=phonics+spelling+clinic+governors").get_data(as_text=True)
    # Three of the four words: the first result has all it can and says which word it lacks.
    missing = re.findall(r"Does not mention:(.*?)</p>", page, re.S)
    assert missing, page
    assert "governors" in re.sub(r"<[^>]+>", "", missing[0])
    assert "<s>" in missing[0]


def test_related_listings_are_counted_and_marked(client: FlaskClient, session: Session) -> None:
    # A listing that never says "refusal" but shares the best results' words is found too,
    # marked "Related", and the count says how many have the words.
    provider = f.assured_provider(session, listings=0, name="Pastoral Partners")
    for n, title in enumerate(("School refusal <support>", "Refusal and anxiety", "Refusal help")):
        f.listing(
            session,
            provider if n < 2 else f.assured_provider(session, listings=0),
            title=title,
            summary="Emotionally based school avoidance: return plans with families.",
        )
    f.listing(
        session,
        provider,
        title="Avoidance: return plans",
        summary="Emotionally based school avoidance: return plans with families.",
    )
    governance = f.assured_provider(session, listings=0, name="Governance Matters")
    for n in range(14):  # so that the shared words are telling (in under 30% of listings)
        f.listing(session, governance, title=f"Governor training {n}", summary="For boards.")
    session.commit()
    page = _page(client, q="refusal")
    count = re.search(r'id="result-count">(.*?)</p>', page, re.S)
    assert count and re.sub(r"\s+", " ", count[1]).strip().startswith("4 results")
    related = re.search(r'id="related-count">(.*?)</p>', page, re.S)
    assert related, page
    assert "3 mention your words; 1 more is marked ‘Related’" in html.unescape(related[1])
    items = re.findall(r"<li class=\"app-result\">(.*?)</li>", page, re.S)
    tagged = [i for i in items if "app-result__related" in i]
    assert len(tagged) == 1 and "Avoidance: return plans" in tagged[0]
    assert "&lt;support&gt;" in page and "<support>" not in page
    # With the words alone there is nothing related to count.
    assert 'id="related-count"' not in _page(client, q="governor")
