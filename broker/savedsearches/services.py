"""Saved searches: keeping a search's words and filters, and telling its owner what is new.

A saved search holds the parameters the results page reads, rebuilt from the parsed request (so
only known filters are kept, and never the school a search was for, or a page). What matched when
it was saved, or last looked at, is remembered; `notify_due` then emails each owner who asked, at
most once in NOTIFY_EVERY, the public listings that match now and did not before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from broker import mail, taxonomy
from broker.errors import InvalidInput, NotFound
from broker.evidence import public_clause
from broker.models import Listing, Provider, SavedSearch, User, utcnow
from broker.search import services as search
from broker.search.engine import SearchEngine

#: How many searches one person may keep.
MAX_PER_USER = 50
MAX_NAME = 100
#: "Daily at most", with slack for a daily job that runs a little early.
NOTIFY_EVERY = timedelta(hours=20)
#: Matches remembered per search: the most recently assured first, so anything new is among them.
MAX_REMEMBERED = 1000
#: New listings named in one email (the rest are "and N more").
MAX_IN_EMAIL = 20


def params_of(request: search.SearchRequest) -> dict[str, list[str]]:
    """Return the parameters that repeat `request` (words, filters, order, flags) on the page."""
    params: dict[str, list[str]] = {}
    if request.text:
        params["q"] = [request.text]
    for name, values in request.filters.items():
        params[name] = list(values)
    for name in request.passed:
        params[name] = ["1"]
    if request.sort != "relevance":
        params["sort"] = [request.sort]
    if not request.understand:
        params[search.UNDERSTAND_PARAM] = ["0"]
    if not request.autocorrect:
        params["original"] = ["1"]
    return params


def read_params(
    args: Mapping[str, Sequence[str]], vocabularies: search.Vocabularies
) -> dict[str, list[str]]:
    """Return the saved form of a results page's query (unknown values left out)."""
    return params_of(search.parse(args, vocabularies, strict=False))


def query_string(params: Mapping[str, Sequence[str]]) -> str:
    """Return the results page's query string for saved parameters."""
    return urlencode({k: list(v) for k, v in params.items()}, doseq=True)


def describe(params: Mapping[str, Sequence[str]], vocabularies: search.Vocabularies) -> str:
    """Say in words what a saved search looks for: ‘phonics’; Phase: Primary, Secondary."""
    parts = []
    words = " ".join(params.get("q", ()))
    if words:
        parts.append(f"‘{words}’")
    for name, vocabulary in vocabularies.items():
        values = params.get(name, ())
        if values:
            parts.append(f"{vocabulary.label}: {', '.join(vocabulary.label_of(v) for v in values)}")
    for name, passed in search.PASSED.items():
        if "1" in params.get(name, ()):
            parts.append(passed.label)
    sort = (params.get("sort") or ["relevance"])[0]
    if sort != "relevance":
        parts.append(f"sorted by {search.SORTS.get(sort, sort).lower()}")
    return "; ".join(parts) or "All assured support"


def default_name(params: Mapping[str, Sequence[str]], vocabularies: search.Vocabularies) -> str:
    """Suggest a name for a search: what it looks for, cut to fit."""
    text = describe(params, vocabularies)
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 1] + "…"


def matching_ids(
    session: Session,
    engine: SearchEngine,
    params: Mapping[str, Sequence[str]],
    vocabularies: search.Vocabularies,
) -> list[int]:
    """Return the ids of the public listings the search finds now, most recently assured first."""
    request = replace(
        search.parse(params, vocabularies, strict=False),
        sort="recent",
        per_page=search.MAX_PER_PAGE,
    )
    ids: list[int] = []
    page = 1
    while len(ids) < MAX_REMEMBERED:
        found = search.search(session, engine, replace(request, page=page), vocabularies)
        ids.extend(item.listing.id for item in found.items)
        if not found.items or page * request.per_page >= found.total:
            break
        page += 1
    return ids[:MAX_REMEMBERED]


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("name", "Enter a name for the search")
    if len(name) > MAX_NAME:
        raise InvalidInput("name", f"The name must be {MAX_NAME} characters or fewer")
    return name


def saved_by(session: Session, user: User) -> list[SavedSearch]:
    """Return the user's saved searches, by name."""
    return list(
        session.exec(
            select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(col(SavedSearch.name), col(SavedSearch.id))
        ).all()
    )


def get_own(session: Session, user: User, saved_id: int) -> SavedSearch:
    """Return one of the user's saved searches; anyone else's is not found."""
    row = session.get(SavedSearch, saved_id)
    if row is None or row.user_id != user.id:
        raise NotFound("You have no saved search with that number.")
    return row


def save(
    session: Session,
    engine: SearchEngine,
    user: User,
    name: str,
    params: Mapping[str, Sequence[str]],
    notify: bool,
    vocabularies: search.Vocabularies,
) -> SavedSearch:
    """Keep a search for the user; what matches now is not "new" in the first email."""
    name = _clean_name(name)
    if len(saved_by(session, user)) >= MAX_PER_USER:
        raise InvalidInput(
            "name",
            f"You can keep up to {MAX_PER_USER} searches: delete one you no longer need first",
        )
    kept = {k: list(v) for k, v in params.items()}
    row = SavedSearch(
        user_id=int(user.id or 0),
        name=name,
        params=kept,
        notify=notify,
        seen_listing_ids=matching_ids(session, engine, kept, vocabularies),
    )
    session.add(row)
    session.flush()
    return row


def update(
    session: Session,
    engine: SearchEngine,
    row: SavedSearch,
    name: str,
    notify: bool,
    vocabularies: search.Vocabularies,
) -> SavedSearch:
    """Rename a saved search, or turn its emails on or off (on again: news from now on)."""
    row.name = _clean_name(name)
    if notify and not row.notify:
        row.seen_listing_ids = matching_ids(session, engine, row.params, vocabularies)
    row.notify = notify
    row.updated_at = utcnow()
    session.add(row)
    return row


def delete(session: Session, row: SavedSearch) -> None:
    """Forget a saved search."""
    session.delete(row)


@dataclass(frozen=True)
class NewListing:
    id: int
    title: str
    provider: str
    cost: str


def _listings(session: Session, ids: Sequence[int], now: datetime) -> list[NewListing]:
    if not ids:
        return []
    rows = session.exec(
        select(Listing.id, Listing.title, Provider.name, Listing.cost)
        .join(Provider, col(Provider.id) == col(Listing.provider_id))
        .where(col(Listing.id).in_(list(ids)), public_clause(now))
    ).all()
    by_id = {
        int(i or 0): NewListing(int(i or 0), t, p, taxonomy.COSTS.label_of(c))
        for i, t, p, c in rows
    }
    return [by_id[i] for i in ids if i in by_id]


def due(session: Session, now: datetime) -> list[SavedSearch]:
    """Return the saved searches whose owners asked for email and were not written to lately."""
    return list(
        session.exec(
            select(SavedSearch)
            .join(User, col(User.id) == col(SavedSearch.user_id))
            .where(
                col(SavedSearch.notify),
                col(User.active),
                (col(SavedSearch.notified_at).is_(None))
                | (col(SavedSearch.notified_at) <= now - NOTIFY_EVERY),
            )
            .order_by(col(SavedSearch.id))
        ).all()
    )


def notify_due(
    session: Session,
    engine: SearchEngine,
    base_url: str,
    now: datetime | None = None,
) -> int:
    """Queue an email for each due saved search that new public listings match; return how many.

    The caller commits (the emails go from the outbox once it has).
    """
    now = now or utcnow()
    base = base_url.rstrip("/")
    vocabularies = search.facet_vocabularies(session)
    sent = 0
    for row in due(session, now):
        user = session.get(User, row.user_id)
        if user is None:
            continue
        ids = matching_ids(session, engine, row.params, vocabularies)
        seen = set(row.seen_listing_ids or [])
        new = _listings(session, [i for i in ids if i not in seen], now)
        row.seen_listing_ids = ids
        if new:
            noun = "listing matches" if len(new) == 1 else "listings match"
            mail.queue_template(
                session,
                user.email,
                f"New support: {len(new)} {noun} your saved search",
                "saved_search_new.txt",
                name=user.name,
                search_name=row.name,
                described=describe(row.params, vocabularies),
                listings=new[:MAX_IN_EMAIL],
                more=max(0, len(new) - MAX_IN_EMAIL),
                base=base,
                search_link=f"{base}/directory?{query_string(row.params)}".rstrip("?"),
                manage_link=f"{base}/saved-searches",
            )
            row.notified_at = now
            sent += 1
        session.add(row)
    return sent
