"""The engine-neutral protocol every search backend implements (and the contract tests check)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, runtime_checkable

from index.documents import Document, Results
from index.query import Query


@runtime_checkable
class SearchBackend(Protocol):
    """What an engine provides. Users' text never reaches it: `index.service` analyses the
    text into a Query, and decides spelling, snippets and which words matched."""

    def search(self, query: Query) -> Results:
        """Run `query`: the total, the page of hits with their stored fields, the facet counts."""
        ...

    def vocabulary(self) -> Mapping[str, int]:
        """Return {word: number of documents holding it} of the spelling field.

        May lag the latest commits by a few seconds (counting it reads every word); ask
        `holding` whether the live index holds a particular word.
        """
        ...

    def holding(self, words: Iterable[str]) -> frozenset[str]:
        """Return those of `words` (spelling-field words) that a live document holds now."""
        ...

    def apply(self, upserts: Iterable[Document], deletions: Iterable[int], seq: int) -> None:
        """Add or replace `upserts`, remove `deletions`, and record `seq` as applied, atomically.

        Waits a bounded time for the one writer lock; raises IndexLocked if it cannot get it.
        Visible to the next search once it returns.
        """
        ...

    def last_seq(self) -> int:
        """Return the sequence number of the last change-log entry applied (0 when new)."""
        ...

    def rebuild(
        self,
        documents: Iterable[Document],
        seq: int,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> int:
        """Build a fresh index of `documents` beside the live one, then swap it in.

        Searches keep working on the old index meanwhile; `progress(done, total or None)` is
        called now and then. A repeated id is indexed once (the first). Returns the number indexed.
        """
        ...

    def fingerprints(self) -> dict[int, str]:
        """Return {document id: fingerprint} of everything in the index (for `index check`)."""
        ...

    def close(self) -> None:
        """Release files and searchers."""
        ...


class SearchIndexError(Exception):
    """Base of the index layer's errors."""


class IndexLocked(SearchIndexError):
    """Another writer held the index for longer than the bounded wait."""
