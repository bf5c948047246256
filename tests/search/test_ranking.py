"""Ranking on the real seed directory (`broker seed`, `broker index rebuild`): the domain's
synonyms and abbreviations, the phase filter, the title boost, and ranking with a limit."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from broker import db
from broker.models import Listing, Provider
from broker.search.engine import get_search
from broker.taxonomy import PHASES
from tests.conftest import close_app, make_app

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Seeded:
    app: Flask
    #: listing id -> "title summary description" of every listing (public or not).
    text: dict[int, str]
    #: listing id -> title
    titles: dict[int, str]
    #: listing id -> summary
    summaries: dict[int, str]


def load_seed_directory(tmp: Path, template: Path) -> Flask:
    """Return an app on a migrated SQLite copy with the seed directory loaded and indexed."""
    path = tmp / "broker.sqlite"
    shutil.copy(template, path)
    app = make_app(tmp, f"sqlite:///{path}")
    runner = app.test_cli_runner()
    for args in (["seed"], ["index", "rebuild"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Seeded]:
    app = load_seed_directory(tmp_path_factory.mktemp("seeded"), sqlite_template)
    with db.new_session(app) as session:
        rows = session.exec(select(Listing, Provider).join(Provider)).all()
        text = {int(x.id or 0): " ".join((x.title, x.summary, x.description)) for x, _p in rows}
        titles = {int(x.id or 0): x.title for x, _p in rows}
        summaries = {int(x.id or 0): x.summary for x, _p in rows}
    yield Seeded(app, text, titles, summaries)
    close_app(app)


@pytest.fixture
def client(seeded: Seeded) -> FlaskClient:
    return seeded.app.test_client()


@contextmanager
def words_alone(app: Flask) -> Iterator[None]:
    """Search without the related listings the best results' words find (SEARCH_FEEDBACK 0)."""
    engine = get_search(app)
    kept, engine.feedback = engine.feedback, 0
    try:
        yield
    finally:
        engine.feedback = kept


def search(client: FlaskClient, q: str = "", **params: Any) -> list[dict[str, Any]]:
    """Return every result of a search, best first (up to 100)."""
    response = client.get("/api/v1/listings", query_string={"q": q, "per_page": 100, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body.get("corrected") is not True, f"{q!r} was corrected to {body['suggestion']!r}"
    return body["results"]


def ids(client: FlaskClient, q: str = "", **params: Any) -> list[int]:
    return [r["id"] for r in search(client, q, **params)]


def all_ids(client: FlaskClient, **params: Any) -> set[int]:
    """Every listing the search finds, over all pages."""
    found: set[int] = set()
    page = 1
    while True:
        results = search(client, page=page, **params)
        found |= {r["id"] for r in results}
        if len(results) < 100:
            return found
        page += 1


def mentioning(seeded: Seeded, client: FlaskClient, pattern: str, flags: int = 0) -> set[int]:
    """Public listings whose own words match `pattern` (read from the database, not the index)."""
    public = all_ids(client)
    regex = re.compile(pattern, flags)
    return {i for i, text in seeded.text.items() if i in public and regex.search(text)}


# --- synonyms and abbreviations -----------------------------------------------------------

SYNONYMS = [
    # (the forms, a pattern each form must find, flags)
    (("SEN", "SEND", "special educational needs"), r"\bSEND?\b|special educational needs", 0),
    (("maths", "mathematics", "numeracy"), r"\b(maths|mathematics|numeracy)\b", re.I),
    (("KS2", "key stage 2"), r"\bKS2\b|key stage 2", re.I),
    (("EYFS", "early years foundation stage"), r"\bEYFS\b|early years foundation stage", re.I),
    (("ASD", "autism"), r"\bASD\b|\bautism\b", re.I),
]


@pytest.mark.parametrize(("forms", "pattern", "flags"), SYNONYMS, ids=[s[0][0] for s in SYNONYMS])
def test_each_form_finds_listings_written_with_the_others(
    seeded: Seeded, client: FlaskClient, forms: tuple[str, ...], pattern: str, flags: int
) -> None:
    expected = mentioning(seeded, client, pattern, flags)
    assert len(expected) >= 2, "the seed directory should use these words"
    for form in forms:
        missing = expected - set(ids(client, form))
        titles = sorted(seeded.titles[i] for i in missing)
        assert not missing, f"{form!r} misses {titles}"


@pytest.mark.parametrize(
    "forms",
    [
        ("SEN", "SEND", "special educational needs"),
        ("maths", "mathematics", "numeracy"),
        ("KS2", "key stage 2"),
        ("EYFS", "early years foundation stage"),
        ("ASD", "autism"),
    ],
    ids=lambda forms: forms[0],
)
def test_each_form_finds_the_same_kind_of_listings(
    client: FlaskClient, forms: tuple[str, ...]
) -> None:
    top = [set(ids(client, form)[:10]) for form in forms]
    first = top[0]
    for form, other in zip(forms[1:], top[1:], strict=True):
        overlap = len(first & other) / max(1, min(len(first), len(other)))
        assert overlap >= 0.6, (forms[0], form, overlap)


def test_autism_finds_asd_titles_near_the_top(seeded: Seeded, client: FlaskClient) -> None:
    top = [seeded.titles[i] for i in ids(client, "autism")[:10]]
    assert "ASD outreach and training" in top


def test_numeracy_finds_maths_titles_near_the_top(seeded: Seeded, client: FlaskClient) -> None:
    top = [seeded.titles[i] for i in ids(client, "numeracy")[:10]]
    assert any(re.search(r"\bmath", t, re.I) for t in top), top


# --- the phase filter ---------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["early-years", "secondary", "special", "pru"])
@pytest.mark.parametrize("q", ["", "phonics", "behaviour", "data"])
def test_phase_filter_keeps_only_that_phase(client: FlaskClient, phase: str, q: str) -> None:
    label = PHASES[phase].label
    found = search(client, q, phase=phase, per_page=100)
    assert all(label in r["phases"] for r in found)
    if q:
        # The listings with the word: each of that phase is found, and only those. (Related
        # listings, found by the words the best results share, differ with the best results.)
        with words_alone(client.application):
            found = search(client, q, phase=phase)
            unfiltered = search(client, q)
        assert len(unfiltered) < 100
        assert {r["id"] for r in found} == {r["id"] for r in unfiltered if label in r["phases"]}


def test_phonics_for_secondary_is_not_the_primary_phonics_offer(client: FlaskClient) -> None:
    primary = set(ids(client, "phonics", phase="primary"))
    secondary = set(ids(client, "phonics", phase="secondary"))
    assert len(primary) >= 3
    assert len(secondary) < len(primary)


# --- the title boost ----------------------------------------------------------------------


#: A word, and the pattern of the words (its forms and synonyms) that match it in a title.
TITLE_WORDS = {
    "nurture": r"\bnurtur",
    "dyslexia": r"\bdyslexi|\bSpLD\b|specific learning difficulties",
    "coaching": r"\bcoach",
    "transition": r"\btransition",
    "governors": r"\bgovern(ors?|ing (body|bodies|boards?)|ance)\b",  # with its synonyms
    "safeguarding": r"\bsafeguard",
    "moderation": r"\bmoderat(ion|ing|ed|ors?)\b",  # not "moderate learning difficulties"
}


@pytest.mark.parametrize("word", list(TITLE_WORDS))
def test_title_match_ranks_above_description_only_match(
    seeded: Seeded, client: FlaskClient, word: str
) -> None:
    in_title = re.compile(TITLE_WORDS[word], re.I)
    # The words alone (the field boosts): every title match above every other listing.
    with words_alone(seeded.app):
        listing_ids = ids(client, word)
    title_hits = [i for i in listing_ids if in_title.search(seeded.titles[i])]
    others = [i for i in listing_ids if i not in title_hits]
    assert title_hits, word
    if others:
        last_title = max(listing_ids.index(i) for i in title_hits)
        first_other = min(listing_ids.index(i) for i in others)
        assert last_title < first_other, (
            word,
            [seeded.titles[i] for i in listing_ids[: last_title + 1]],
        )
    # With the words the best results share (the default), a listing much like the best may
    # come up among them ("Assessing children in the EYFS", whose summary is the moderation of
    # EYFS profiles, among the EYFS profile moderation courses), but the first result still
    # names the word in its title, and the first three name it in their title or summary.
    first = ids(client, word)[: min(3, len(title_hits))]
    assert in_title.search(seeded.titles[first[0]]), (word, seeded.titles[first[0]])
    named = [i for i in first if in_title.search(f"{seeded.titles[i]} {seeded.summaries[i]}")]
    assert named == first, (word, [seeded.titles[i] for i in first])


# --- ranking with a limit -----------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "SEND",
        "maths KS2",
        "autism outreach",
        "phonics",
        "governor training",
        "special educational needs",
        "early years foundation stage",
        "behaviour BESD secondary",
        "data",
        "school",
    ],
)
def test_a_small_page_has_the_same_first_results_as_a_large_one(
    client: FlaskClient, q: str
) -> None:
    small = [r["id"] for r in search(client, q, per_page=5)]
    large = [r["id"] for r in search(client, q, per_page=50)]
    assert small == large[:5]
    second = [r["id"] for r in search(client, q, per_page=5, page=2)]
    assert second == large[5:10]


# --- known index limitations (reported to the lead) ---------------------------------------


@pytest.mark.parametrize(
    "q", ["behaviour BESD secondary", "maths KS2", "autism outreach special school"]
)
def test_natural_query_whose_words_never_all_meet_still_finds_listings(
    seeded: Seeded, client: FlaskClient, q: str
) -> None:
    """No listing has every word: the listings with most of them come back, flagged partial,
    unless the words no listing has were understood as context (KS2, secondary: a phase)."""
    body = client.get("/api/v1/listings", query_string={"q": q}).get_json()
    assert body["total"] > 0, f"{q!r} finds nothing"
    assert body["partial"] is True or "phase" in {u["facet"] for u in body["understood"]}


def test_query_whose_words_all_meet_is_not_partial(seeded: Seeded, client: FlaskClient) -> None:
    body = client.get("/api/v1/listings", query_string={"q": "phonics"}).get_json()
    assert body["total"] > 0 and body["partial"] is False
