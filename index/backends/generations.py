"""What every engine does the same way around its own index: follow the live generation.

An index is one generation folder at a time (index.backends.storage): a rebuild fills a new
one and swaps it in, another process may swap or apply at any moment, and the last change
applied is recorded beside the engine's files. `GenerationalBackend` keeps the one open
generation in step with the folder, applies a batch of changes under the engine's one writer,
and rebuilds beside the live index; an engine supplies only how it opens, writes and re-reads
its own index (the hooks at the end).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from index.backends.base import SearchIndexError
from index.backends.fields import PROGRESS_EVERY
from index.backends.storage import Folders
from index.documents import Document

#: Longest a generation's spelling vocabulary is kept after a commit. Counting it reads every
#: word of the index (about 20 ms at 100,000 listings), in every server process, and a busy
#: directory commits several times a second on every machine; the words' exact presence, which
#: spelling correction depends on, is asked of the live index instead (`holding`).
VOCABULARY_FOR = 10.0

#: Called with (documents done, the total once known) while a rebuild runs.
Progress = Callable[[int, "int | None"], None]


@dataclass
class Generation:
    """One opened index, and what tells us that it changed on disk."""

    index: Any
    folder: Path | None
    #: The folder pointer's stamp when this generation was opened (a rebuild changes it).
    pointer: tuple[int, int] | None = None
    #: The stamp of the applied-changes record when last read (an apply changes it).
    seq_stamp: tuple[int, int] = (0, 0)
    seq: int = 0
    #: The spelling vocabulary, and when it was counted (monotonic time, commits seen then).
    vocabulary: dict[str, int] | None = None
    counted_at: float = 0.0
    counted: int = 0
    #: Commits seen since the generation was opened.
    commits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


G = TypeVar("G", bound=Generation)


class GenerationalBackend(Generic[G]):
    """An on-disk index (or an in-memory one, when there is no path) that follows its folder.

    Subclasses set what their hooks need (the schema) before calling this __init__.
    """

    #: The engine's folder layout, recorded in each generation: a folder of another engine or
    #: version is never read (a new, empty generation starts instead, until a rebuild).
    FORMAT = ""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        lock_timeout: float = 10.0,
        vocabulary_for: float = VOCABULARY_FOR,
    ) -> None:
        self.folders = Folders(path) if path is not None else None
        self.lock_timeout = lock_timeout
        self.vocabulary_for = vocabulary_for
        self._lock = threading.Lock()
        self._closed = False
        self._live: G = self._open()

    # -- following the folder

    def _open(self) -> G:
        """Open the live generation (creating the first one), or a new in-memory index."""
        if self.folders is None:
            generation = self._generation(self._new_index(None), None)
        else:
            folder = self.folders.current()
            if folder is None or Folders.read_format(folder) != self.FORMAT:
                folder = self._first_folder()
            generation = self._generation(self._open_index(folder), folder)
            generation.pointer = self.folders.stamp()
            generation.seq_stamp = Folders.seq_stamp(folder)
            generation.seq = Folders.read_seq(folder)
        self._reopen(generation)
        return generation

    def _first_folder(self) -> Path:
        """Create the first generation of this format, unless another process just did."""
        assert self.folders is not None
        with self.folders.creating(self.lock_timeout):
            folder = self.folders.current()
            if folder is not None and Folders.read_format(folder) == self.FORMAT:
                return folder
            folder = self.folders.new_folder(self.FORMAT)
            self._new_index(folder)
            self.folders.make_current(folder)
            return folder

    def _current(self) -> G:
        """Return the live generation, reopened or re-read if another process changed it."""
        if self._closed:
            raise SearchIndexError("The index is closed.")
        live = self._live
        if self.folders is None or live.folder is None:
            return live
        if self.folders.stamp() != live.pointer:
            with self._lock:
                if self.folders.stamp() != self._live.pointer:
                    self._live = self._open()
                return self._live
        stamp = Folders.seq_stamp(live.folder)
        if stamp != live.seq_stamp:
            self._refresh(live, stamp)
        return live

    def _refresh(self, live: G, stamp: tuple[int, int] | None = None) -> None:
        """See the generation's latest commit, and what it records as applied."""
        with live.lock:
            seq = live.seq
            if live.folder is not None:
                # Read before the engine re-reads: the recorded seq never runs ahead of the
                # documents a search sees (behind only means re-applying the same changes).
                stamp = stamp or Folders.seq_stamp(live.folder)
                seq = Folders.read_seq(live.folder)
            self._reopen(live)
            live.commits += 1
            live.seq = seq
            if stamp is not None:
                live.seq_stamp = stamp

    # -- the spelling vocabulary

    def vocabulary(self) -> dict[str, int]:
        """Return {word: live documents holding it} of the spelling field.

        Counted again after a commit at most every `vocabulary_for` seconds (a new generation,
        after a rebuild: at once), so the counts may lag the latest commits by that much;
        `holding` answers for particular words from the live index.
        """
        live = self._current()
        kept = live.vocabulary
        now = time.monotonic()
        if kept is None or (
            live.counted != live.commits and now - live.counted_at >= self.vocabulary_for
        ):
            commits = live.commits
            kept = self._count_vocabulary(live)
            live.vocabulary, live.counted, live.counted_at = kept, commits, now
        return kept

    # -- writes

    def apply(self, upserts: Iterable[Document], deletions: Iterable[int], seq: int) -> None:
        """Add or replace `upserts`, remove `deletions`, record `seq`; visible when it returns."""
        live = self._current()
        deleted = {int(i) for i in deletions}
        documents: dict[int, Document] = {}
        for doc in upserts:
            if doc.id not in deleted:
                documents.setdefault(doc.id, doc)
        writer = self._writer(live.index, bulk=False)
        try:
            for doc_id in sorted(deleted | set(documents)):
                self._delete(writer, doc_id)
            for doc in documents.values():
                self._add(writer, doc)
            self._commit(writer, bulk=False)
        except BaseException:
            self._discard(writer)
            raise
        if live.folder is not None:
            Folders.write_seq(live.folder, seq)
        else:
            live.seq = max(live.seq, seq)
        self._refresh(live)

    def last_seq(self) -> int:
        return self._current().seq

    def rebuild(
        self, documents: Iterable[Document], seq: int, progress: Progress | None = None
    ) -> int:
        """Build a fresh index beside the live one, then swap it in; return how many documents."""
        folder = self.folders.new_folder(self.FORMAT) if self.folders is not None else None
        fresh = self._generation(self._new_index(folder), folder)
        writer = self._writer(fresh.index, bulk=True)
        seen: set[int] = set()
        try:
            for doc in documents:
                if doc.id in seen:
                    continue
                seen.add(doc.id)
                self._add(writer, doc)
                if progress and len(seen) % PROGRESS_EVERY == 0:
                    progress(len(seen), None)
            self._commit(writer, bulk=True)
        except BaseException:
            self._discard(writer)
            raise
        if progress:
            progress(len(seen), len(seen))
        if fresh.folder is not None and self.folders is not None:
            Folders.write_seq(fresh.folder, seq)
            self.folders.make_current(fresh.folder)
            with self._lock:
                self._live = self._open()
        else:
            fresh.seq = seq
            self._reopen(fresh)
            with self._lock:
                self._live = fresh
        return len(seen)

    def close(self) -> None:
        self._closed = True

    # -- what each engine does its own way

    def _generation(self, index: Any, folder: Path | None) -> G:
        """Return a generation of this engine's kind holding `index`."""
        raise NotImplementedError

    def _new_index(self, folder: Path | None) -> Any:
        """Create an empty index in `folder` (in memory when None) and return it, writable."""
        raise NotImplementedError

    def _open_index(self, folder: Path) -> Any:
        """Open the index already in `folder`."""
        raise NotImplementedError

    def _reopen(self, generation: G) -> None:
        """Make searches of `generation` see its latest commit."""
        raise NotImplementedError

    def _count_vocabulary(self, generation: G) -> dict[str, int]:
        """Return {word: live documents holding it} of the spelling field of `generation`."""
        raise NotImplementedError

    def _writer(self, index: Any, *, bulk: bool) -> Any:
        """Return the index's one writer, waiting at most lock_timeout (else IndexLocked)."""
        raise NotImplementedError

    def _delete(self, writer: Any, doc_id: int) -> None:
        raise NotImplementedError

    def _add(self, writer: Any, doc: Document) -> None:
        raise NotImplementedError

    def _commit(self, writer: Any, *, bulk: bool) -> None:
        raise NotImplementedError

    def _discard(self, writer: Any) -> None:
        raise NotImplementedError
