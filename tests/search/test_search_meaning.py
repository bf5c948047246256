"""A directory search finds listings close in meaning to the words (the sentence model of
index/semantic.py, on a real index on disk): they join the matches marked Related, follow the
listings' changes, and the vectors are kept beside the index for the next process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from broker import db
from broker.models import Listing
from broker.search import engine as search_engine
from index import semantic, service, spelling
from index.backends.storage import file_lock
from tests import factories as f
from tests.conftest import close_app, make_app

pytestmark = pytest.mark.skipif(not semantic.available(), reason="the sentence model is installed")


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str):  # type: ignore[no-untyped-def]
    application = make_app(tmp_path, sqlite_url, SEARCH_MEANING=True)
    yield application
    close_app(application)


@pytest.fixture
def directory(session: Session) -> dict[str, int]:
    provider = f.assured_provider(session, listings=0, name="Northern Inclusion Service")
    ids = {
        "avoidance": f.listing(
            session,
            provider,
            title="Emotionally based school avoidance",
            summary="Helping anxious pupils return to school, with their families.",
        ).id,
        "phonics": f.listing(
            session,
            provider,
            title="Phonics for Key Stage 1",
            summary="Systematic synthetic phonics training for teachers.",
        ).id,
        "budget": f.listing(
            session,
            provider,
            title="Budget forecasting for governors",
            summary="Three-year budget plans and deficit recovery.",
        ).id,
    }
    session.commit()
    return ids


def _results(client, q: str, **params: object) -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/listings", query_string={"q": q, **params})
    assert response.status_code == 200
    return response.get_json()


def test_a_search_sharing_no_word_finds_the_listing_close_in_meaning(
    app: Flask, client, directory: dict[str, int]
) -> None:
    found = _results(client, "will not come in every morning")
    assert [r["id"] for r in found["results"]][:1] == [directory["avoidance"]]
    assert directory["budget"] not in [r["id"] for r in found["results"]]
    assert found["close_words"] == []  # no word of the directory is close enough to any
    # "refuses" is read close to "avoidance" since the adapter learnt "refuses every request"
    # (demand avoidance): school refusal is avoidance's older name. Found either way.
    found = _results(client, "refuses to come in every morning")
    assert [r["id"] for r in found["results"]][:1] == [directory["avoidance"]]
    page = client.get("/directory", query_string={"q": "will not come in every morning"})
    text = page.get_data(as_text=True)
    assert "Emotionally based school avoidance" in text
    assert "app-result__related" in text and "close in meaning" in text
    # "frightened" is in no listing, but "anxious" is close to it in meaning.
    found = _results(client, "kids too frightened to come in")
    assert [r["id"] for r in found["results"]][:1] == [directory["avoidance"]]
    assert [c["word"] for c in found["close_words"]] == ["frightened"]
    # Turned off, the same words find nothing.
    app.config["SEARCH_MEANING"] = False
    assert _results(client, "will not come in every morning")["total"] == 0
    assert _results(client, "kids too frightened to come in")["total"] == 0


def test_a_word_no_listing_uses_finds_the_listings_with_words_close_to_it_and_says_so(
    app: Flask, client, session: Session, directory: dict[str, int]
) -> None:
    found = _results(client, "nervous pupils")
    assert found["results"][0]["id"] == directory["avoidance"]
    (close,) = found["close_words"]
    assert close["word"] == "nervous" and "anxious" in close["close"]
    assert not found["results"][0]["missing"]  # held through "anxious"
    page = client.get("/directory", query_string={"q": "nervous pupils"}).get_data(as_text=True)
    assert "No listing uses ‘nervous’, so listings with words close to it in meaning" in page
    # The words' vectors are kept beside the index, as searches read them.
    (words,) = Path(app.config["INDEX_DIR"]).glob(search_engine.WORD_VECTOR_FILE.format("*"))
    assert semantic.text_key("anxious") in semantic.VectorFile(words).read()
    # A word the directory uses is searched as typed; a listing using it at once counts.
    assert _results(client, "phonics")["close_words"] == []
    # A place is not searched for by the places close to it ("Fulham": "Portsmouth").
    provider = f.assured_provider(session, listings=0, name="Solent Phonics")
    f.listing(session, provider, title="Phonics in Portsmouth", summary="For Portsmouth schools.")
    session.commit()
    assert app.test_cli_runner().invoke(args=["index", "rebuild"]).exit_code == 0
    assert _results(client, "phonics fulham")["close_words"] == []
    assert _results(client, "phonics instructors")["close_words"] != []  # not every word
    provider = f.assured_provider(session, listings=0, name="Calm Classrooms")
    calm = f.listing(session, provider, title="Nervous pupils", summary="Settling them in.")
    session.commit()
    found = _results(client, "nervous pupils")
    assert found["close_words"] == [] and found["results"][0]["id"] == calm.id
    # Sorted by title, a search is by its words alone.
    assert _results(client, "worried pupils", sort="title")["close_words"] == []


def test_a_word_the_model_reads_poorly_finds_what_wordnet_relates_to_it_and_says_so(
    app: Flask, client, session: Session, directory: dict[str, int]
) -> None:
    provider = f.assured_provider(session, listings=0, name="The Pocket Conjuror")
    club = f.listing(
        session,
        provider,
        title="After-school magic club",
        summary="Sleight of hand, card tricks and performing for an audience.",
    )
    session.commit()
    # No listing says "conjuring", and the model finds no word of the directory close to it;
    # WordNet reads conjuring as a kind of magic.
    found = _results(client, "conjuring sessions for year 6")
    assert found["close_words"] == [{"word": "conjuring", "close": ["magic"]}]
    assert found["results"][0]["id"] == club.id
    page = client.get("/directory", query_string={"q": "conjuring sessions for year 6"})
    assert "No listing uses ‘conjuring’" in page.get_data(as_text=True)


def test_a_listing_is_as_close_in_meaning_as_its_title_and_summary_or_its_description(
    app: Flask, client, session: Session, directory: dict[str, int]
) -> None:
    provider = f.assured_provider(session, listings=0, name="County Medical Needs Service")
    medical = (
        "We teach children who cannot attend school for long periods because of illness or"
        " medical needs, keep them on track with their own school's work and plan their"
        " return with the school."
    )
    tuition, twin = (
        f.listing(
            session,
            provider,
            title="County tuition service",
            summary="Tutors at our centre, for schools across the county.",
            description=description,
        )
        for description in (medical, "Fees are invoiced to the school each term.")
    )
    session.commit()
    search = "child too ill to attend for long periods"
    assert tuition.id in [r["id"] for r in _results(client, search)["results"]]
    closeness = search_engine.get_search(app).closeness(session, search)
    assert closeness is not None
    # The title and summary are far from the search, and so is the twin's description (0.23 at
    # most); the description's start is not (0.44). (The title was "Hospital and home tuition"
    # until the encoder learnt from everyday searches written for each listing: it then read
    # "keep a long-absent child on track with her class work", the search here till then, as
    # close to that title and summary alone, 0.31, as an adviser would.)
    with_description, without = closeness.of([tuition.id, twin.id])
    assert with_description > service.NEAR_FLOOR > without
    assert tuition.id in [i for i, _ in closeness.nearest(2)]


def test_meaning_follows_a_listings_change_and_its_withdrawal(
    app: Flask, client, session: Session, directory: dict[str, int]
) -> None:
    assert _results(client, "financial planning")["results"][0]["id"] == (directory["budget"])
    listing = session.get(Listing, directory["budget"])
    assert listing is not None
    listing.title, listing.summary = "Gardening club", "Growing vegetables with pupils."
    session.add(listing)
    session.commit()
    ids = [r["id"] for r in _results(client, "financial planning")["results"]]
    assert directory["budget"] not in ids
    listing.status = "withdrawn"
    session.add(listing)
    session.commit()
    assert directory["budget"] not in [
        r["id"] for r in _results(client, "vegetable growing")["results"]
    ]


def test_the_vectors_are_kept_beside_the_index_for_the_next_process(
    app: Flask, client, directory: dict[str, int]
) -> None:
    _results(client, "kids too frightened to come in")
    kept = semantic.VectorFile(Path(app.config["INDEX_DIR"]) / search_engine.VECTOR_FILE).read()
    with db.new_session(app) as session:
        texts = [
            text
            for item in (session.get(Listing, i) for i in directory.values())
            if item is not None
            for text in search_engine.listing_texts(item.title, item.summary, item.description)
        ]
    assert {semantic.text_key(t) for t in texts} <= set(kept)


def test_a_rebuild_works_out_the_vectors_before_the_first_search(
    app: Flask, directory: dict[str, int]
) -> None:
    vectors = Path(app.config["INDEX_DIR"]) / search_engine.VECTOR_FILE
    vectors.unlink(missing_ok=True)
    encoder = search_engine.get_search(app).meaning()
    assert encoder is not None
    encoder._cache.clear()  # (a test before may have read these texts in this process)
    result = app.test_cli_runner().invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "sentence vectors are ready" in result.output
    count = len(semantic.VectorFile(vectors).read())
    assert count >= len(directory)
    # What it is doing is said as it goes (a first rebuild of 100,000 listings takes an hour).
    assert f"worked out {count} of {count} sentence vectors" in result.output


def test_a_rebuild_says_it_waits_while_another_process_works_the_vectors_out(
    app: Flask, directory: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    (Path(app.config["INDEX_DIR"]) / search_engine.VECTOR_FILE).unlink(missing_ok=True)
    lock = Path(app.config["INDEX_DIR"]) / search_engine.VECTOR_LOCK
    held, release = threading.Event(), threading.Event()

    def other_process() -> None:  # a flock is another's to each open of the file
        with file_lock(lock, 5.0):
            held.set()
            release.wait(10)

    real_lock = search_engine.file_lock

    def lock_telling_the_other(path: str, timeout: float, waiting: Any = None) -> Any:
        # The other lets go once the rebuild has said it waits (the real lock, held for real).
        def told() -> None:
            waiting()
            release.set()

        return real_lock(path, timeout, told if waiting is not None else None)

    monkeypatch.setattr(search_engine, "file_lock", lock_telling_the_other)
    holder = threading.Thread(target=other_process)
    holder.start()
    held.wait(5)
    try:
        result = app.test_cli_runner().invoke(args=["index", "rebuild"])
    finally:
        release.set()
        holder.join()
    assert result.exit_code == 0, result.output
    assert "another process of this index is working out" in result.output
    assert "sentence vectors are ready" in result.output


def test_a_rebuild_leaves_the_vectors_of_edited_and_withdrawn_texts_out_of_the_file(
    app: Flask, client, session: Session, directory: dict[str, int]
) -> None:
    vectors = Path(app.config["INDEX_DIR"]) / search_engine.VECTOR_FILE
    _results(client, "kids too frightened to come in")
    listing = session.get(Listing, directory["budget"])
    assert listing is not None
    old = {
        semantic.text_key(t)
        for t in search_engine.listing_texts(listing.title, listing.summary, listing.description)
    }
    listing.title = "Budget forecasting and deficit recovery for governors"
    session.add(listing)
    withdrawn = session.get(Listing, directory["phonics"])
    assert withdrawn is not None
    gone = {
        semantic.text_key(t)
        for t in search_engine.listing_texts(
            withdrawn.title, withdrawn.summary, withdrawn.description
        )
    }
    withdrawn.status = "withdrawn"
    session.add(withdrawn)
    session.commit()
    _results(client, "financial planning")  # the edited text's vector is added to the file
    before = semantic.VectorFile(vectors).read()
    assert len(old) == len(gone) == 2 and old | gone <= set(before)
    # The words' vectors too: "phonics" was the withdrawn listing's word alone.
    (words,) = Path(app.config["INDEX_DIR"]).glob(search_engine.WORD_VECTOR_FILE.format("*"))
    phonics = semantic.text_key("phonics")
    words_before = semantic.VectorFile(words).read()
    assert phonics in words_before
    result = app.test_cli_runner().invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    words_after = semantic.VectorFile(words).read()
    assert phonics not in words_after and semantic.text_key("budget") in words_after
    dropped = 4 + len(words_before) - len(words_after)
    assert f"Left {dropped} vectors of old or withdrawn texts out of the vector files." in (
        result.output
    )
    after = semantic.VectorFile(vectors).read()
    now = {
        semantic.text_key(t)
        for t in search_engine.listing_texts(listing.title, listing.summary, listing.description)
    }
    assert set(after) == set(before) - old - gone and now <= set(after)
    assert vectors.stat().st_size == len(after) * semantic.VectorFile.RECORD
    # Searches by meaning still work on the compacted file.
    assert _results(client, "financial planning")["results"][0]["id"] == directory["budget"]


def test_a_rebuild_compacts_the_matchers_vectors_when_searches_use_words_alone(
    tmp_path: Path, sqlite_url: str
) -> None:
    from broker.matching.services import Need, SchoolContext, suggest

    application = make_app(tmp_path, sqlite_url, SEARCH_MEANING=False)
    try:
        with db.new_session(application) as session:
            provider = f.assured_provider(session, listings=0, name="Budget Help")
            listing = f.listing(
                session,
                provider,
                title="Budget forecasting for governors",
                summary="Three-year budget plans and deficit recovery.",
            )
            session.commit()
            engine = search_engine.get_search(application)
            need = Need("The budget shows a deficit in year three")
            with application.app_context():
                assert suggest(session, engine, SchoolContext("primary"), need)
                listing.title = "Budget forecasting and deficit recovery"
                session.add(listing)
                session.commit()
                assert suggest(session, engine, SchoolContext("primary"), need)
        vectors = Path(application.config["INDEX_DIR"]) / search_engine.VECTOR_FILE
        # The old texts' and the new ones' (title and summary, title and description).
        assert len(semantic.VectorFile(vectors).read()) == 4
        result = application.test_cli_runner().invoke(args=["index", "rebuild"])
        assert result.exit_code == 0, result.output
        assert "sentence vectors are ready" not in result.output
        assert "Left 2 vectors of old or withdrawn texts out of the vector files." in result.output
        assert len(semantic.VectorFile(vectors).read()) == 2
    finally:
        close_app(application)


@pytest.mark.parametrize(
    ("backend", "configured", "on"),
    [
        ("tantivy", None, True),
        ("whoosh", None, False),
        ("whoosh", True, True),
        ("tantivy", False, False),
    ],
)
def test_meaning_is_on_with_tantivy_unless_the_config_says(
    tmp_path: Path, sqlite_url: str, backend: str, configured: bool | None, on: bool
) -> None:
    application = make_app(tmp_path, sqlite_url, SEARCH_BACKEND=backend, SEARCH_MEANING=configured)
    try:
        engine = search_engine.get_search(application)
        assert (engine.meaning_encoder() is not None) is on
    finally:
        close_app(application)


def test_the_environment_turns_it_on_or_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from broker.config import load

    monkeypatch.setenv("BROKER_SEARCH_MEANING", "false")
    assert load(str(tmp_path))["SEARCH_MEANING"] is False
    monkeypatch.delenv("BROKER_SEARCH_MEANING")
    assert load(str(tmp_path))["SEARCH_MEANING"] is None


def test_a_directory_never_rebuilt_with_meaning_searches_by_words_until_its_vectors_are_ready(
    app: Flask, client, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Texts this process has never seen (its memory keeps vectors by text), more than a search
    # waits for.
    monkeypatch.setattr(search_engine, "FOREGROUND", 1)
    monkeypatch.setattr(search_engine, "FOREGROUND_TEXTS", 1)
    provider = f.assured_provider(session, listings=0, name="Wolds Attendance Team")
    fresh = [
        f.listing(
            session,
            provider,
            title=f"Emotionally based school avoidance, cohort {n} of {uuid.uuid4().hex[:6]}",
            summary="Helping anxious pupils return to school, with their families.",
        ).id
        for n in range(3)
    ]
    session.commit()
    words_alone = _results(client, "kids too frightened to come in")
    assert words_alone["total"] == 0
    engine = search_engine.get_search(app)
    assert engine._filling is not None
    engine._filling.join(timeout=60)
    found = [r["id"] for r in _results(client, "kids too frightened to come in")["results"]]
    assert set(fresh) <= set(found)


def test_a_search_never_waits_for_a_refresh_under_way(
    app: Flask, client, directory: dict[str, int]
) -> None:
    engine = search_engine.get_search(app)
    # As a thread working a directory's vectors out holds it; a search that waited would
    # block here (so it is run in a thread with a deadline).
    engine._neighbours_lock.acquire()
    answers: list[dict] = []
    try:
        searching = threading.Thread(
            target=lambda: answers.append(_results(client, "kids too frightened to come in"))
        )
        searching.start()
        searching.join(timeout=20)
        assert not searching.is_alive(), "the search waited for the refresh"
        assert answers[0]["total"] == 0  # no vectors yet: words alone
    finally:
        engine._neighbours_lock.release()
    ids = [r["id"] for r in _results(client, "kids too frightened to come in")["results"]]
    assert directory["avoidance"] in ids


def test_a_warm_up_reads_the_model_the_lists_and_the_vectors_before_the_first_search(
    app: Flask, directory: dict[str, int]
) -> None:
    engine = search_engine.get_search(app)
    assert len(engine._neighbours) == 0
    engine.start_warm_up().join(timeout=120)
    assert len(engine._neighbours) == len(directory)
    assert spelling.english.cache_info().currsize == 1


#: Run by each process of the test below: the app on the test's database and index, waiting
#: for the go file, then working out the vectors as a server's worker does as it starts.
PREPARE = """
import json, sys, time
from pathlib import Path
from broker import create_app
from broker.search.engine import get_search
app = create_app(json.loads(sys.argv[1]))
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.01)
print(get_search(app).prepare_meaning())
"""


@pytest.mark.slow
def test_two_processes_starting_at_once_work_each_listings_vectors_out_once(
    tmp_path: Path, sqlite_url: str
) -> None:
    # The index is built with searches by words (so with no vectors), as before an upgrade
    # that reads listings anew; then two processes of that index (a server's workers) start.
    words = make_app(tmp_path, sqlite_url)
    try:
        with db.new_session(words) as session:
            provider = f.assured_provider(session, listings=0, name="Fenland Learning Trust")
            for n in range(20):
                f.listing(
                    session,
                    provider,
                    title=f"Support programme {n} {uuid.uuid4().hex[:8]}",
                    summary=f"Help for schools, strand {n}.",
                    description=f"Twelve sessions over a year, strand {n}, with a review.",
                )
            session.commit()
        search_engine.get_search(words).sync()
    finally:
        close_app(words)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": sqlite_url,
        "INDEX_DIR": str(tmp_path / "index"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "SEARCH_MEANING": True,
    }
    go = tmp_path / "go"
    env = {**os.environ, "BROKER_INSTANCE_PATH": str(tmp_path / "instance")}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PREPARE, json.dumps(config), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(1.0)  # both importing; the go file starts them within milliseconds
    go.touch()
    for process in processes:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0 and out.split() == ["True"], err
    store = semantic.VectorFile(tmp_path / "index" / search_engine.VECTOR_FILE)
    vectors = store.read()
    # 20 listings, two readings each; written once, by the first process: the other waited,
    # then read them from the file.
    assert len(vectors) == 40
    assert store.path.stat().st_size == 40 * semantic.VectorFile.RECORD


def test_a_failed_warm_up_is_logged_and_searches_go_on(
    app: Flask, client, directory: dict[str, int], monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    engine = search_engine.get_search(app)

    def broken() -> bool:
        raise OSError("disk full")

    monkeypatch.setattr(engine, "prepare_meaning", broken)
    engine.start_warm_up().join(timeout=120)
    assert "Warming up the search failed" in caplog.text
    found = _results(client, "kids too frightened to come in")
    assert found["results"][0]["id"] == directory["avoidance"]


def test_a_listings_two_readings() -> None:
    words = [f"word{n}" for n in range(80)]
    first, second = search_engine.listing_texts("Title", "The summary.", " ".join(words))
    assert first == "Title. The summary."
    assert second == "Title. " + " ".join(words[: search_engine.DESCRIPTION_WORDS])
    # Without a description the second reading is the first (one vector worked out, not two).
    assert search_engine.listing_texts("Title", "The summary.", "  ") == (first, first)
