"""Spelling suggestions from the directory's own vocabulary, decided once for every engine.

A backend only says which words its documents hold and how often (`vocabulary()`); this
module decides which typed words look misspelt and what to offer instead.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from index import analysis, querying

#: A word in fewer documents than this is rare enough to look for a likelier neighbour.
LITTLE = 3
#: Shortest word ever corrected.
MIN_LENGTH = 3


@dataclass(frozen=True)
class _Buckets:
    """The vocabulary grouped by first letter, for fast candidate search."""

    by_first: dict[str, list[str]]


_cache_lock = threading.Lock()
_cache: tuple[int, Mapping[str, int], _Buckets] | None = None


def _buckets(vocabulary: Mapping[str, int]) -> _Buckets:
    global _cache
    cached = _cache
    if cached is not None and cached[1] is vocabulary:
        return cached[2]
    by_first: dict[str, list[str]] = {}
    for word in vocabulary:
        by_first.setdefault(word[:1], []).append(word)
    buckets = _Buckets(by_first)
    with _cache_lock:
        _cache = (id(vocabulary), vocabulary, buckets)
    return buckets


def closest(word: str, vocabulary: Mapping[str, int], better_than: int = 0) -> str | None:
    """Return the most frequent vocabulary word nearest `word` (same first letter; one edit,
    or two for words of five letters or more) held by more than `better_than` documents."""
    candidates = _buckets(vocabulary).by_first.get(word[:1], [])
    for distance in (1, 2) if len(word) >= 5 else (1,):
        found = [
            choice
            for choice, _score, _index in process.extract(
                word, candidates, scorer=OSA.distance, score_cutoff=distance, limit=None
            )
            if choice != word and vocabulary.get(choice, 0) > better_than
        ]
        if found:
            return max(sorted(found), key=lambda w: vocabulary[w])
    return None


def suggest(text: str, parsed: querying.ParsedText, vocabulary: Mapping[str, int]) -> str | None:
    """Return `text` with its unknown or rare words replaced by likelier ones, or None."""
    replacements: dict[str, str] = {}
    for clause in parsed.positive:
        if clause.expanded:
            continue  # a known abbreviation or synonym, not a misspelling
        for word in clause.words:
            if len(word) < MIN_LENGTH or not word.isalpha() or word in replacements:
                continue
            known = vocabulary.get(word, 0)
            if known >= LITTLE:
                continue
            # Unknown, or so rare that a much more common neighbour is the likelier intent.
            best = closest(word, vocabulary, better_than=known * 3)
            if best:
                replacements[word] = best
    if not replacements:
        return None
    cleaned, _notice = querying.clean(text)
    out = []
    for token in cleaned.split():
        bare = analysis.fold(token.strip("\"'()[]{}*-,.;:!?"))
        out.append(
            token.lower().replace(bare, replacements[bare]) if bare in replacements else token
        )
    return " ".join(out)
