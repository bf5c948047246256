"""The fair order of equal results, and the sort columns every backend stores.

Equal results (the same score, the same number of recommendations, browsing with no words) are
shown in a shuffled order that is stable all day and changes from day to day, so no provider is
always first because of its name or its id. The order is decided here, once, for every engine:
each document carries PERMUTATIONS precomputed tie values (a hash of its id), the day's seed
picks one, and backends only sort by stored numeric columns.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from index import schema
from index.documents import Document

#: How many different tie orders exist; the day's seed chooses one.
PERMUTATIONS = 8
#: Tie values scaled into [0, TIE_SPAN) for relevance: a backend that can only weight scores
#: multiplies each score by at most (1 + ~TIE_SPAN), which reorders only near-exact ties.
TIE_SPAN = 1e-3

#: Column name stems; the full names end with the permutation number.
TIE, RECOMMENDED, RECENT = "tie_", "recommended_", "recent_"
#: The folded title column used by the "title" sort (ties then by the tie column).
TITLE = "title_sort"


def tie_values(doc_id: int) -> tuple[float, ...]:
    """Return the document's PERMUTATIONS tie values, each uniform in [0, 1)."""
    digest = hashlib.blake2b(str(doc_id).encode(), digest_size=4 * PERMUTATIONS).digest()
    return tuple(
        int.from_bytes(digest[4 * k : 4 * k + 4], "big") / 2**32 for k in range(PERMUTATIONS)
    )


def permutation(seed: int) -> int:
    """Return which tie order the seed (the day) uses: consecutive days never share one."""
    return seed % PERMUTATIONS


def _seconds(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def sort_columns(doc: Document) -> dict[str, float]:
    """Return every numeric sort column of `doc`: higher sorts first in each.

    tie_k: the tie value alone (in [0, TIE_SPAN)); recommended_k: recommendations plus the tie
    value; recent_k: the second assured plus the tie value (a float64 keeps 2^-22 of it).
    """
    out: dict[str, float] = {}
    recommended = int(getattr(doc, schema.BY_NAME["recommendations"].attr) or 0)
    assured = _seconds(doc.assured_at)
    for k, tie in enumerate(tie_values(doc.id)):
        out[f"{TIE}{k}"] = tie * TIE_SPAN
        out[f"{RECOMMENDED}{k}"] = recommended + tie
        out[f"{RECENT}{k}"] = assured + tie
    return out


def title_key(title: str) -> str:
    """Return the title as the A to Z sort compares it (case and accents ignored)."""
    from index.analysis import fold

    return " ".join(fold(title).split()) or "\uffff"


def column_for(sort: str, seed: int) -> str | None:
    """Return the numeric column (highest first) that orders `sort` today; None for title."""
    k = permutation(seed)
    if sort == "recommended":
        return f"{RECOMMENDED}{k}"
    if sort == "recent":
        return f"{RECENT}{k}"
    if sort == "title":
        return None
    return f"{TIE}{k}"


def tie_column(seed: int) -> str:
    """Return today's tie column (higher first), for relevance and for equal titles."""
    return f"{TIE}{permutation(seed)}"


def all_columns() -> tuple[str, ...]:
    """Return the names of every numeric sort column, for backends building their schema."""
    return tuple(f"{stem}{k}" for stem in (TIE, RECOMMENDED, RECENT) for k in range(PERMUTATIONS))
