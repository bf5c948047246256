"""Properties of search: totals and facet counts equal counts computed straight from the database,
and no input of any kind ever gives a server error (API and page)."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from broker.models import Listing, LocalAuthority, Provider, Recommendation, utcnow
from broker.search.engine import get_search
from broker.taxonomy import LISTING_FACETS, REGIONS, SCHOOLS_NEEDED
from index import service
from tests import factories as f

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Distinctive words that neither stem, nor expand as synonyms, nor look like each other.
MARKERS = ("quokka", "zephyr", "tamarind", "bergamot")
#: LAs by ONS-style code (the factories' own three-digit codes cannot clash with these).
LAS = {
    "E10000016": "south-east",
    "E06000035": "south-east",
    "E08000025": "west-midlands",
    "E08000026": "west-midlands",
    "E09000001": "london",
    "E06000001": "north-east",
}
FACETS = (*LISTING_FACETS, "la")


def _some(rng: random.Random, values: tuple[str, ...], most: int = 3) -> list[str]:
    return rng.sample(values, rng.randint(0, min(most, len(values))))


def build_directory(session: Session, seed: int) -> None:
    """Add LAs, providers (some without two valid schools) and ~60 listings with random facets."""
    rng = random.Random(seed)
    for code, region in LAS.items():
        f.local_authority(session, code=code, name=f"Borough {code}", region=region)
    kinds = LISTING_FACETS["kind"].slugs
    providers = []
    for n in range(10):
        # Some providers' names carry a marker word: the name is searched too.
        name = f"Provider {n}" + (f" {rng.choice(MARKERS)}" if n % 3 == 1 else "")
        provider = f.provider(session, name=name, kind=rng.choice(kinds))
        schools = 1 if n == 0 else 2 if n < 8 else 3
        for i in range(schools):
            rec = f.recommendation(session, provider)
            if n == 8 and i < 2:
                rec.withdrawn_at = utcnow()  # leaves one valid school
            if n == 9 and i == 0:
                rec.made_on = date.today() - timedelta(days=365 * 4)  # too old to count
            if n == 9 and i == 1:
                rec.status = "requested"  # not confirmed
        providers.append(provider)
    vocab = {name: LISTING_FACETS[name].slugs for name in LISTING_FACETS}
    codes = tuple(LAS)
    for n in range(60):
        words = rng.sample(MARKERS, rng.choice((0, 0, 1, 2)))
        where = rng.choice(("title", "summary", "description"))
        text = {
            "title": f"Support service {n}",
            "summary": "Practical support for schools.",
            "description": "A longer description of the support offered.",
        }
        if words:
            text[where] += " " + " ".join(words)
        status = rng.choices(("assured", "suspended", "lapsed"), (8, 1, 1))[0]
        delivery = _some(rng, vocab["delivery"], 2) or ["on-site-consultancy"]
        listing = f.listing(
            session,
            rng.choice(providers),
            status="assured" if status == "lapsed" else status,
            categories=_some(rng, vocab["category"]) or ["teaching-and-learning"],
            ecm_outcomes=_some(rng, vocab["ecm"]),
            phases=_some(rng, vocab["phase"]),
            sen_specialisms=_some(rng, vocab["sen"], 2),
            pupil_groups=_some(rng, vocab["pupil_group"], 2),
            delivery=delivery,
            cost=rng.choice(vocab["cost"]),
            national=rng.random() < 0.15,
            regions=_some(rng, REGIONS.slugs, 2) if rng.random() < 0.3 else [],
            local_authorities=_some(rng, codes, 2) + (["E99999999"] if rng.random() < 0.1 else []),
            **text,
        )
        if status == "lapsed":
            listing.assurance_expires_at = utcnow() - timedelta(days=1)
    session.commit()


@dataclass(frozen=True)
class Row:
    """One listing as the public sees it, computed from the database rows alone."""

    id: int
    text: str
    values: dict[str, frozenset[str]]


def expected_rows(session: Session) -> list[Row]:
    """Read the database and return every public listing with its facet values ("serves" sense)."""
    today = date.today()
    now = utcnow()
    regions_of = {la.code: la.region for la in session.exec(select(LocalAuthority)).all()}
    providers = {p.id: p for p in session.exec(select(Provider)).all()}
    schools: dict[int, set[int]] = {}
    for rec in session.exec(select(Recommendation)).all():
        provider = providers[rec.provider_id]
        recent = (today - rec.made_on).days <= 365 * 3
        if (
            rec.status == "confirmed"
            and rec.withdrawn_at is None
            and recent
            and rec.school_id != provider.school_id
        ):
            schools.setdefault(rec.provider_id, set()).add(rec.school_id)
    rows = []
    for listing in session.exec(select(Listing)).all():
        provider = providers[listing.provider_id]
        expires = listing.assurance_expires_at
        if listing.status != "assured" or (expires is not None and expires <= now):
            continue
        if len(schools.get(provider.id, ())) < SCHOOLS_NEEDED:
            continue
        if listing.national:  # online delivery does not widen where a listing works
            las, regions = set(regions_of), set(REGIONS.slugs)
        else:
            named = {code for code in listing.local_authorities if code in regions_of}
            las = named | {c for c, r in regions_of.items() if r in listing.regions}
            regions = set(listing.regions) | {regions_of[c] for c in named}
        values = {
            "category": frozenset(listing.categories),
            "ecm": frozenset(listing.ecm_outcomes),
            "phase": frozenset(listing.phases),
            "sen": frozenset(listing.sen_specialisms),
            "pupil_group": frozenset(listing.pupil_groups),
            "kind": frozenset({provider.kind}),
            "delivery": frozenset(listing.delivery),
            "cost": frozenset({listing.cost}),
            "region": frozenset(regions),
            "la": frozenset(las),
        }
        text = " ".join((listing.title, listing.summary, listing.description, provider.name))
        rows.append(Row(int(listing.id or 0), text.lower(), values))
    return rows


def expected_counts(
    rows: list[Row], words: list[str], filters: dict[str, list[str]], *, any_word: bool = False
) -> tuple[set[int], dict[str, dict[str, int]]]:
    """Return the ids matching, and every facet's counts ignoring that facet's own selection.

    Words must all match, or with `any_word` at least one (the fallback when none has them all).
    """
    have = any if any_word else all
    found = [r for r in rows if not words or have(w in r.text.split() for w in words)]

    def passes(row: Row, skip: str | None = None) -> bool:
        return all(
            row.values[name] & set(values) for name, values in filters.items() if name != skip
        )

    counts: dict[str, dict[str, int]] = {}
    for name in FACETS:
        tally: dict[str, int] = {}
        for row in found:
            if passes(row, skip=name):
                for value in row.values[name]:
                    tally[value] = tally.get(value, 0) + 1
        counts[name] = tally
    return {r.id for r in found if passes(r)}, counts


@st.composite
def searches(draw: st.DrawFn) -> tuple[list[str], dict[str, list[str]]]:
    words = draw(st.lists(st.sampled_from(MARKERS), max_size=2, unique=True))
    names = draw(st.lists(st.sampled_from(FACETS), max_size=3, unique=True))
    filters = {}
    for name in names:
        choices = tuple(LAS) if name == "la" else LISTING_FACETS[name].slugs
        filters[name] = draw(
            st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique=True)
        )
    return words, filters


@pytest.fixture
def directory(app: Flask, session: Session) -> list[Row]:
    build_directory(session, seed=20240601)
    return expected_rows(session)


def test_directory_has_what_the_property_needs(directory: list[Row]) -> None:
    """Guard the generator: public and hidden listings, remote ones, words, local ones."""
    assert 25 <= len(directory) < 60
    assert any("quokka" in r.text.split() for r in directory)
    assert any(r.values["la"] and len(r.values["region"]) < len(REGIONS) for r in directory)
    assert any(len(r.values["region"]) == len(REGIONS) for r in directory)
    assert any(not r.values["la"] for r in directory)  # serves only an LA we do not know


#: Every sort a search may ask for: totals and counts must not depend on it.
SORTS = st.sampled_from(("relevance", "title", "recommended", "recent"))


def listings(
    client: FlaskClient, feedback: int, filters: dict[str, list[str]], sort: str, q: str
) -> dict[str, Any]:
    """Return the API's answer (up to 100 results) with `feedback` words finding related ones."""
    get_search(client.application).feedback = feedback
    params: dict[str, Any] = {**filters, "per_page": 100, "sort": sort}
    if q:
        params["q"] = q
    response = client.get("/api/v1/listings", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@SETTINGS
@given(search=searches(), sort=SORTS)
def test_totals_and_facet_counts_equal_counts_from_the_database(
    client: FlaskClient,
    directory: list[Row],
    search: tuple[list[str], dict[str, list[str]]],
    sort: str,
) -> None:
    words, filters = search
    # The listings with the words, exactly: related listings (found by the words the best
    # results share) are checked by the next test.
    body = listings(client, 0, filters, sort, " ".join(words))
    # A word in most listings says little: when another word does not, it only scores.
    share = {w: sum(w in re.findall(r"\w+", r.text) for r in directory) for w in words}
    generic = [w for w in words if share[w] > service.GENERIC_SHARE * len(directory)]
    typed = words
    if 0 < len(generic) < len(words):
        words = [w for w in words if w not in generic]

    def found(words: list[str]) -> tuple[set[int], dict[str, dict[str, int]]]:
        ids, counts = expected_counts(directory, words, filters)
        if len(words) > 1 and len(ids) < service.FEW:
            # Few listings within the filters have every word: those with any of them come
            # too (those with every word first); flagged partial when none has every word.
            wider, wider_counts = expected_counts(directory, words, filters, any_word=True)
            if len(wider) > len(ids):
                assert body["partial"] is (not ids)
                return wider, wider_counts
        return ids, counts

    ids, counts = found(words)
    if not ids and words != typed:
        # The telling words are in no listing: the common ones find after all (if any does).
        common = found(typed)
        if common[0]:
            ids, counts = common
    if body.get("corrected"):
        # The words as typed found nothing, so the results are for other words.
        assert not ids
        return
    assert body["total"] == len(ids)
    assert {r["id"] for r in body["results"]} == ids
    for name in FACETS:
        got = {c["value"]: c["count"] for c in body["facets"][name] if c["count"]}
        assert got == counts[name], name


@SETTINGS
@given(search=searches(), sort=SORTS)
def test_related_listings_add_to_the_matches_and_every_count_is_of_what_is_found(
    client: FlaskClient,
    directory: list[Row],
    search: tuple[list[str], dict[str, list[str]]],
    sort: str,
) -> None:
    words, filters = search
    if not words:
        return
    q = " ".join(words)
    plain, expanded = (listings(client, n, filters, sort, q) for n in (0, 4))
    ids = {r["id"] for r in expanded["results"]}
    # Every listing with the words is still found; the related ones are public listings that
    # pass the filters; the total is of them all, whatever the sort.
    assert {r["id"] for r in plain["results"]} <= ids
    assert expanded["total"] == len(ids) == len(expanded["results"])
    rows = {r.id: r for r in directory}
    assert ids <= set(rows)
    for row in (rows[i] for i in ids):
        assert all(row.values[name] & set(values) for name, values in filters.items())
    if not filters:
        # Each facet counts exactly the listings found.
        for name in FACETS:
            tally: dict[str, int] = {}
            for i in ids:
                for value in rows[i].values[name]:
                    tally[value] = tally.get(value, 0) + 1
            got = {c["value"]: c["count"] for c in expanded["facets"][name] if c["count"]}
            assert got == tally, name


# --- fuzzing: no input gives a server error -----------------------------------------------

AWKWARD = st.sampled_from(
    [
        '"',
        '"unclosed phrase',
        "(",
        ")",
        "[a TO z]",
        "title:phonics",
        "*",
        "ph*",
        "a*",
        "AND",
        "OR",
        "NOT",
        "phonics AND OR NOT",
        "-",
        "--x",
        "\\",
        "%",
        "%00",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "😀",
        "Ünïcødé",
        "ሰላም",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "{{7*7}}",
        "~2",
        "^3",
        "phonics~",
        " ",
        "",
    ]
)
CHARS = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent in a URL
TEXT = st.one_of(
    st.text(CHARS, max_size=40),
    AWKWARD,
    st.lists(AWKWARD, max_size=8).map(" ".join),
    st.builds(
        lambda s, n: (s * n)[:2000], st.text(CHARS, min_size=1, max_size=9), st.integers(200, 2000)
    ),
    st.integers(-(2**70), 2**70).map(str),
)
PARAMS = st.sampled_from(
    (*FACETS, "q", "sort", "page", "per_page", "original", "colour", "q[]", "", "__proto__")
)
FUZZ = st.lists(st.tuples(PARAMS, TEXT), max_size=6)


#: What the app refuses with a 400 (broker.input_guard): any C0 or DEL in a path; in a value,
#: all but tab, newline and carriage return.
ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_server_error(client: FlaskClient, path: str, pairs: list[tuple[str, str]]) -> None:
    response = client.get(path, query_string=pairs)
    assert response.status_code < 500, (pairs, response.get_data(as_text=True)[:500])


@SETTINGS
@given(pairs=FUZZ)
def test_api_never_fails_on_any_parameters(
    client: FlaskClient, directory: list[Row], pairs: list[tuple[str, str]]
) -> None:
    _no_server_error(client, "/api/v1/listings", pairs)


@SETTINGS
@given(pairs=FUZZ)
def test_page_never_fails_on_any_parameters(
    client: FlaskClient, directory: list[Row], pairs: list[tuple[str, str]]
) -> None:
    _no_server_error(client, "/directory", pairs)


@SETTINGS
@given(q=TEXT, filters=searches())
def test_any_words_with_filters_give_results_or_a_clear_message(
    client: FlaskClient,
    directory: list[Row],
    q: str,
    filters: tuple[list[str], dict[str, list[str]]],
) -> None:
    response = client.get("/api/v1/listings", query_string={"q": q, **filters[1]})
    page = client.get("/directory", query_string={"q": q, **filters[1]})
    if CONTROL_IN_TEXT.search(q):  # refused before the search, saying why (broker.input_guard)
        assert response.status_code == page.status_code == 400
        assert "control character" in response.get_json()["error"]["message"]
        return
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json()["total"] >= 0
    assert page.status_code == 200


@SETTINGS
@given(listing_id=st.one_of(st.integers(-(2**70), 2**70).map(str), TEXT.map(lambda t: t[:50])))
def test_one_listing_never_fails(
    client: FlaskClient, directory: list[Row], listing_id: str
) -> None:
    from urllib.parse import quote

    response = client.get("/api/v1/listings/" + quote(listing_id, safe=""))
    expected = (400,) if ANY_CONTROL.search(listing_id) else (200, 404)
    assert response.status_code in expected, response.get_data(as_text=True)[:500]
    assert response.is_json
