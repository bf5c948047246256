"""One search backend per application, kept in step with the change log.

After a transaction commits with index changes logged, the changes are applied: after the
response has gone when the transaction was a request's (so a busy index never slows the page
that made the change), at once otherwise. Before every search a process also looks at the log (one indexed read): anything logged
beyond what its index has applied (a change committed by another process, or left behind by a
crash) is applied first; if the index is busy, those listings are left out of the results
until it is applied, so a listing that stopped being public is never shown.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from broker import db
from broker.models import Listing
from broker.reference.services import place_words
from broker.search import capture, outbox, sync
from index import (
    adapting,
    analysis,
    backends,
    related,
    semantic,
    service,
    spelling,
    understanding,
)
from index.backends.base import SearchBackend, SearchIndexError
from index.backends.storage import file_lock

log = logging.getLogger(__name__)
KEY = "broker.search"
#: Seconds a search waits for the index's writer before answering without the pending changes.
SEARCH_WAIT = 0.5
#: Seconds the update after a response waits for the index before leaving it to the next search.
AFTER_RESPONSE_WAIT = 1.0
#: Key in app.extensions: functions (Session -> count) each sync runs first (the lapse run).
BEFORE_SYNC = sync.BEFORE_SYNC
#: Set in Session.info by bulk jobs (imports) that sync once at the end instead of per commit.
DEFER = "broker.defer_index"


#: Feedback words a directory search finds related listings by, per backend, when the config
#: does not say (SEARCH_FEEDBACK): Whoosh scores in Python, and its second search took a
#: 10,000-listing search's p95 from 0.3 s to 2.2 s.
DEFAULT_FEEDBACK = {"tantivy": 4, "whoosh": 0}


#: Whether a directory search finds by meaning too, per backend, when the config does not say
#: (SEARCH_MEANING): Whoosh scores in Python, and meaning runs one or two more searches.
DEFAULT_MEANING = {"tantivy": True, "whoosh": False}


def feedback_words(backend: str, config: Mapping[str, Any]) -> int:
    """Return how many feedback words find related listings in a directory search."""
    chosen = config.get("SEARCH_FEEDBACK")
    if chosen is None:
        return DEFAULT_FEEDBACK.get(backend, 0)
    return max(0, int(chosen))


class SearchEngine:
    """The app's backend plus the bookkeeping that keeps it following the change log."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.directory: str | None = app.config["INDEX_DIR"]
        self.backend: SearchBackend = backends.create(
            app.config["SEARCH_BACKEND"], path=self.directory
        )
        #: Feedback words a directory search finds related listings by (SEARCH_FEEDBACK).
        self.feedback: int = feedback_words(app.config["SEARCH_BACKEND"], app.config)
        self._lock = threading.Lock()
        #: The assured listings' sentence vectors, kept up to the index's change log (closeness).
        self._neighbours = semantic.Neighbours(readings=READINGS)
        #: The directory's words as searches read them, kept up with the index likewise: the
        #: words close in meaning to a search's word no listing uses (index.service.close_words).
        self._lexicon = semantic.Lexicon()
        self._neighbours_lock = threading.Lock()
        #: The thread working out vectors a search should not wait for (refresh_meaning).
        self._filling: threading.Thread | None = None

    def meaning(self) -> semantic.Encoder | None:
        """The sentence encoder the matcher re-ranks by (MATCH_MEANING), or None: words alone.

        Loaded on first use, once a process (0.3 s, 90 MB of weights); None when turned off or
        when there is no readable model (then a warning, once)."""
        if not self.app.config.get("MATCH_MEANING", True):
            return None
        return self._model()

    def _model(self) -> semantic.Encoder | None:
        """The model of MATCH_MODEL_DIR (or the installed one), or None and a warning, once."""
        folder = self.app.config.get("MATCH_MODEL_DIR")
        encoder = semantic.encoder(folder)
        if encoder is None:
            _warn_no_model(folder)
        return encoder

    def vector_file(self) -> semantic.VectorFile | None:
        """Where listings' sentence vectors are kept beside the index (None: in memory only)."""
        if self.directory is None:
            return None
        return _vector_file(self.directory)

    def closeness(self, session: Session, text: str) -> semantic.Closeness | None:
        """How close in meaning each assured listing is to `text`, for a directory search
        (SEARCH_MEANING); None when turned off, without a model, or without words."""
        if not text.strip():
            return None
        encoder = self.meaning_encoder()
        if encoder is None:
            return None
        if not self.refresh_meaning(session, encoder, wait=False) and not len(self._neighbours):
            return None  # no vectors yet (being worked out): words alone
        # The model knows few of the field's abbreviations: "EBSA" is spelled out for it; and
        # little of how schools talk: a search is read by the model as tuned for searches
        # (index.adapting), and its vector moves towards what everyday wordings mean.

        def encode(said: str) -> Any:
            return adapting.meaning_of(encoder, analysis.spelled_out(said))

        # The words no listing uses are read with the search, in one pass of the model (a word
        # alone costs about as much as the whole search). Places are left out of the words and
        # of the lexicon: the places closest to "Fulham" are other places ("Portsmouth").
        lexicon = self._lexicon if len(self._lexicon) else None
        words = (
            service.unused_words(self.backend, text, place_words()) if lexicon is not None else []
        )
        vectors = adapting.meanings_of(encoder, [analysis.spelled_out(t) for t in (text, *words)])
        return semantic.Closeness(
            self._neighbours,
            vectors[0],
            encode,
            lexicon,
            dict(zip(words, vectors[1:], strict=True)),
        )

    def meaning_encoder(self) -> semantic.Encoder | None:
        """The sentence encoder a directory search uses (SEARCH_MEANING; unset: on with
        tantivy, off with Whoosh, which scores its two more searches in Python), or None."""
        chosen = self.app.config.get("SEARCH_MEANING")
        if chosen is None:
            chosen = DEFAULT_MEANING.get(self.app.config["SEARCH_BACKEND"], False)
        if not chosen:
            return None
        return self._model()

    def refresh_meaning(
        self,
        session: Session,
        encoder: semantic.Encoder,
        wait: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> bool:
        """Bring the listings' vectors up to the change log the index has applied: all of them
        the first time (from the vector file, or worked out and kept there), then those changed
        since. Without `wait`, more than FOREGROUND_TEXTS vectors to work out (a directory never
        rebuilt with meaning on) are worked out in a thread of their own, and searches use the
        vectors they have meanwhile. `progress` is told (done, total) of the listings' texts
        worked out. Return whether the vectors are up to date."""
        seq = self.backend.last_seq()
        neighbours = self._neighbours
        if neighbours.seq == seq and self._lexicon.source is self.backend.vocabulary():
            return True
        # A search never waits for another's refresh (a thread's may take minutes): it uses the
        # vectors there are.
        if not self._neighbours_lock.acquire(blocking=wait):
            return False
        try:
            if neighbours.seq == seq:
                return self._refresh_lexicon(encoder, wait)
            # (SQLAlchemy's select: SQLModel's takes at most four columns.)
            statement = sql_select(
                col(Listing.id),
                col(Listing.title),
                col(Listing.summary),
                col(Listing.description),
                col(Listing.status),
            )
            # The log's entries since (at most CHANGED_LIMIT are read), or all after a bulk job.
            changed = None
            if neighbours.seq >= 0 and seq - neighbours.seq < sync.CHANGED_LIMIT:
                changed = sync.changed_since(session, neighbours.seq)
                statement = statement.where(col(Listing.id).in_(sorted(changed)))
            else:
                statement = statement.where(col(Listing.status) == "assured")
            rows = session.execute(statement).all()
            kept = [row for row in rows if row[4] == "assured"]
            # Reading by reading (every listing's first, then every listing's second), as
            # the Neighbours keep them: the vectors are handed over without a copy.
            each = [listing_texts(t, s, d) for _, t, s, d, _ in kept]
            texts = [pair[reading] for reading in range(READINGS) for pair in each]
            store = self.vector_file()
            if not wait and encoder.unknown(texts, store) > FOREGROUND_TEXTS:
                self._fill_in_background(encoder)
                return False
            gone = [int(row[0] or 0) for row in rows if row[4] != "assured"]
            if gone:
                neighbours.remove(gone)
            vectors = encoder.encode(texts, store, progress)
            neighbours.update(
                [int(row[0] or 0) for row in kept], vectors, seq, every=changed is None
            )
            return self._refresh_lexicon(encoder, wait)
        finally:
            self._neighbours_lock.release()

    def _refresh_lexicon(self, encoder: semantic.Encoder, wait: bool) -> bool:
        """Bring the directory's words (index.service.lexicon_words) and their vectors up to
        the index's vocabulary (counted again at most every few seconds), working out those of
        new words (kept in the word vector file); without `wait`, more than FOREGROUND of them
        are worked out in a thread of their own. Called holding the refresh's lock; return
        whether the words are up to date."""
        lexicon = self._lexicon
        vocabulary = self.backend.vocabulary()
        if lexicon.source is vocabulary:
            return True
        words = service.lexicon_words(vocabulary, place_words())
        store = self.word_file(encoder)
        known = set(lexicon.words)
        new = [analysis.spelled_out(w) for w in words if w not in known]
        if not wait and adapting.for_searches(encoder).unknown(new, store) > FOREGROUND:
            self._fill_in_background(encoder)
            return False

        def work_out(fresh: list[str]) -> Any:
            texts = [analysis.spelled_out(w) for w in fresh]
            return adapting.meanings_of(encoder, texts, store=store)

        lexicon.update(words, work_out, source=vocabulary)
        return True

    def word_file(self, encoder: semantic.Encoder) -> semantic.VectorFile | None:
        """Where the directory's words' vectors are kept beside the index, as `encoder` reads
        searches (a file per reading: a new query encoder starts a new file); None: in memory."""
        if self.directory is None:
            return None
        name = WORD_VECTOR_FILE.format(adapting.reading_id(encoder))
        return _word_file(os.path.join(self.directory, name))

    def prepare_meaning(
        self,
        progress: Callable[[int, int], None] | None = None,
        waiting: Callable[[], None] | None = None,
    ) -> bool:
        """Work out every assured listing's vector now (after a rebuild), so that no search
        waits for them or goes without; False when searches do not use meaning. `progress` is
        told (done, total) of the texts worked out; `waiting` is called when another process
        of the index is working them out (this one waits, then reads them)."""
        encoder = self.meaning_encoder()
        if encoder is None:
            return False
        with self._one_process_at_a_time(waiting), db.new_session(self.app) as session:
            return self.refresh_meaning(session, encoder, progress=progress)

    @contextlib.contextmanager
    def _one_process_at_a_time(self, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """Held while many vectors are worked out (a rebuild's, a warm-up's, a thread's): the
        other processes of this index (a server's workers, a rebuild beside them) wait, then
        find the vectors in the vector files instead of working them all out too. `waiting`
        is called once if this one has to wait."""
        if self.directory is None:
            yield
            return
        Path(self.directory).mkdir(parents=True, exist_ok=True)
        with file_lock(os.path.join(self.directory, VECTOR_LOCK), VECTOR_LOCK_WAIT, waiting):
            yield

    def compact_meaning(self) -> int:
        """Leave in the vector file only the vectors of the assured listings' texts as they
        are now (after a rebuild: edits and withdrawals leave old vectors behind); return how
        many records were left out. The matcher keeps its listings' vectors there too, so this
        is done whether or not searches use meaning (without the file, nothing is done). The
        word vector file likewise keeps only the directory's words as they are now, and those
        of another reading (an earlier query encoder), or of searches without meaning, go."""
        left_out = self._compact_words()
        store = self.vector_file()
        if store is None or not store.path.exists():
            return left_out
        with db.new_session(self.app) as session:
            statement = select(Listing.title, Listing.summary, Listing.description).where(
                Listing.status == "assured"
            )
            rows = session.exec(statement).all()
        return left_out + store.compact(
            semantic.text_key(text) for t, s, d in rows for text in listing_texts(t, s, d)
        )

    def _compact_words(self) -> int:
        """Compact the word vector file (see compact_meaning); return the records left out."""
        if self.directory is None:
            return 0
        encoder = self.meaning_encoder()
        current = self.word_file(encoder) if encoder is not None else None
        left_out = 0
        for path in Path(self.directory).glob(WORD_VECTOR_FILE.format("*")):
            if current is None or path != current.path:
                left_out += path.stat().st_size // semantic.VectorFile.RECORD
                path.unlink(missing_ok=True)
        if current is None or not current.path.exists():
            return left_out
        words = service.lexicon_words(self.backend.vocabulary(), place_words())
        keep = (semantic.text_key(analysis.spelled_out(w)) for w in words)
        return left_out + current.compact(keep)

    def warm_up(self) -> None:
        """Read now what a process's first search would otherwise wait for (half a second at
        10,000 listings, 3 s at 100,000): the vocabulary, the spelling lists, WordNet's
        related words, the sentence model, the adapter, the model as tuned for searches and the
        listings' vectors."""
        understanding.rules()
        spelling.english()
        spelling.english_by_first()
        spelling.domain_words()
        related.table()
        adapting.adapter()
        encoder = self.meaning_encoder() or self.meaning()
        if encoder is not None:
            adapting.for_searches(encoder)
        self.prepare_meaning()

    def start_warm_up(self) -> threading.Thread:
        """Warm up in a thread of its own (a server's worker, as it starts): searches meanwhile
        read what they need themselves, as they would without it."""

        def warm() -> None:
            try:
                self.warm_up()
            except Exception:  # the first search reads what it needs, as without a warm-up
                log.exception("Warming up the search failed.")

        thread = threading.Thread(target=warm, name="search-warm-up", daemon=True)
        thread.start()
        return thread

    def _fill_in_background(self, encoder: semantic.Encoder) -> None:
        """Work the listings' vectors out in a thread (one at a time), with a session of its own."""
        with self._lock:
            if self._filling is not None and self._filling.is_alive():
                return

            def fill() -> None:
                try:
                    with self._one_process_at_a_time(), db.new_session(self.app) as session:
                        self.refresh_meaning(session, encoder)
                except Exception:  # the next search tries again; words serve meanwhile
                    log.exception("Working out the listings' sentence vectors failed.")

            log.info("Working out the listings' sentence vectors; words alone until then.")
            self._filling = threading.Thread(target=fill, name="sentence-vectors", daemon=True)
            self._filling.start()

    def sync(self, session: Session | None = None, timeout: float = 10.0) -> sync.SyncReport:
        """Apply whatever the change log holds beyond the index's last applied entry."""
        own = session is None
        session = session or Session(db.get_engine(self.app), expire_on_commit=False)
        session.info[DEFER] = True  # this session's own commits (lapsing) must not recurse
        try:
            hooks = self.app.extensions.get(BEFORE_SYNC, ())
            return sync.sync(session, self.backend, self.directory, timeout, hooks)
        finally:
            if own:
                session.close()

    def catch_up(self, session: Session) -> frozenset[int]:
        """Apply changes logged beyond the index; return the listings still waiting (to hide)."""
        waiting = sync.changed_since(session, self.backend.last_seq())
        if not waiting:
            return frozenset()
        with self._lock:
            try:
                self.sync(timeout=SEARCH_WAIT)
            except SearchIndexError:
                log.warning("Index busy: %d changed listings left out of results.", len(waiting))
                return waiting
        return sync.changed_since(session, self.backend.last_seq())

    def _safe_sync(self, session: Session | None = None, timeout: float = 10.0) -> None:
        try:
            self.sync(session, timeout)
        except SearchIndexError:
            # The log keeps the change: the next commit or catch-up applies it.
            log.warning("Index busy; logged changes will be applied on the next attempt.")

    def close(self) -> None:
        self.backend.close()


def listing_text(title: str, summary: str) -> str:
    """The text of a listing whose meaning is compared (its title and summary)."""
    return f"{title}. {summary}"


#: A listing's second reading is its title and this many first words of its description (about
#: 90 tokens; a whole description is about 125, and costs half as much again to read for no
#: better searches on the judged sets: benchmarks/search_meaning.md, 5 December, morning).
DESCRIPTION_WORDS = 60
#: The readings of a listing compared with a search or a need (listing_texts).
READINGS = 2


def listing_texts(title: str, summary: str, description: str | None) -> tuple[str, str]:
    """A listing's READINGS texts whose meaning is compared with a search's or a need's: its
    title and summary, and its title and the start of its description (the title and summary
    again when it has none). Its cosine is that of the closer: "too poorly to be in class for
    months" is far from "Hospital and home tuition: ..." but close to "we teach children who
    cannot attend school because of medical needs"."""
    first = listing_text(title, summary)
    words = (description or "").split()[:DESCRIPTION_WORDS]
    return first, (f"{title}. {' '.join(words)}" if words else first)


def listing_cosines(
    encoder: semantic.Encoder,
    vector: Any,
    listings: Sequence[Listing],
    store: semantic.VectorFile | None = None,
) -> list[float]:
    """Each listing's cosine with `vector` (a unit vector): that of the closer of its readings
    (listing_texts), as a directory search's Neighbours give it; their vectors are kept in
    `store` too, when given."""
    texts = [t for x in listings for t in listing_texts(x.title, x.summary, x.description)]
    readings = encoder.cosines(vector, texts, store)
    return [max(readings[i : i + READINGS]) for i in range(0, len(readings), READINGS)]


#: At most this many of the listings' texts (READINGS a listing: about 0.15 s of reading a listing
#: on 2 cores) are worked out while a search waits, about 2 s; more (a directory never rebuilt
#: with meaning on) are worked out in a thread of their own.
FOREGROUND_TEXTS = 30
#: At most this many of the directory's words' vectors (a few ms each) likewise.
FOREGROUND = 100

#: The file of listings' sentence vectors kept in an index folder (index.semantic.VectorFile).
VECTOR_FILE = "sentence-vectors.bin"
#: The file of the directory's words' vectors as searches read them, one per reading.
WORD_VECTOR_FILE = "word-vectors-{}.bin"
#: The file one process of an index at a time holds while it works out many vectors.
VECTOR_LOCK = ".vectors.lock"
#: Seconds a process waits for another's vectors (a first rebuild of 100,000 listings: about 23
#: minutes on 2 cores, longer on a busy machine); then it gives up (a thread) or fails (a
#: rebuild), and the next search tries again.
VECTOR_LOCK_WAIT = 4 * 3600.0


@functools.cache
def _vector_file(directory: str) -> semantic.VectorFile:
    return semantic.VectorFile(os.path.join(directory, VECTOR_FILE))


@functools.cache
def _word_file(path: str) -> semantic.VectorFile:
    return semantic.VectorFile(path)


@functools.cache
def _warn_no_model(folder: str | None) -> None:
    where = f"no readable model in {folder}" if folder else "the model is not installed"
    log.warning(
        "Meaning is on (MATCH_MEANING or SEARCH_MEANING) but %s: by words alone instead.", where
    )


#: Held while an app's engine is created: two first requests at once (a slow start, a health
#: check retried) must not both open, and so both create, a new index folder.
_CREATING = threading.Lock()


def get_search(app: Flask | None = None) -> SearchEngine:
    """Return the app's search engine, creating it on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine: SearchEngine | None = app.extensions.get(KEY)
    if engine is None:
        with _CREATING:
            engine = app.extensions.get(KEY)
            if engine is None:
                engine = SearchEngine(app)
                app.extensions[KEY] = engine
    return engine


#: Key in a request session's info: changes committed, to apply once the response has gone.
AFTER_RESPONSE = "broker.index_after_response"


def _after_commit(session: Any) -> None:
    if not session.info.pop(outbox.PENDING, False) or session.info.get(DEFER):
        return
    app = session.info.get("broker.app")
    if app is None:
        return
    if has_request_context() and g.get("db_session") is session:
        session.info[AFTER_RESPONSE] = True
        return
    get_search(app)._safe_sync()


def _after_request(response: Response) -> Response:
    session = g.get("db_session")
    if session is not None and session.info.pop(AFTER_RESPONSE, False):
        engine = get_search(current_app._get_current_object())  # type: ignore[attr-defined]
        response.call_on_close(lambda: engine._safe_sync(timeout=AFTER_RESPONSE_WAIT))
    return response


def _after_rollback(session: Any) -> None:
    # Nothing logged survives a rollback.
    session.info.pop(outbox.PENDING, None)


def init_app(app: Flask) -> None:
    capture.register()
    app.after_request(_after_request)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
