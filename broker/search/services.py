"""Search the directory: request parameters -> index Query -> results joined with the database."""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from broker import availability
from broker.errors import InvalidInput
from broker.geography import Geography
from broker.models import LocalAuthority, utcnow
from broker.paging import Page
from broker.search.engine import SearchEngine
from broker.taxonomy import LISTING_FACETS, Term, Vocabulary
from index import querying, schema, semantic, service
from index.documents import FacetCount, Hit, Results

SORTS = {name: sort.label for name, sort in schema.SORTS.items()}
MAX_PER_PAGE = schema.MAX_PER_PAGE
MAX_PAGE = 10_000
#: Longest search text (the index reads no more; the API refuses more).
MAX_TEXT = querying.MAX_CHARS
#: Parameters the directory and the API understand besides the facet filters.
PLAIN_PARAMS = ("q", "sort", "page", "per_page")
#: The school a signed-in user searches for (broker.directory.school_context): read by the web
#: page only; the public API accepts and ignores it.
CONTEXT_PARAM = "for"
#: `understand=0`: rank every listing alike, whatever phases or topics the words imply.
UNDERSTAND_PARAM = "understand"
#: The yes/no filters on a date (index.schema.PASSED: `taking=1`, taking new work), by name.
PASSED = schema.PASSED


class Vocabularies(dict[str, Vocabulary]):
    """Every filterable facet's vocabulary, and where each LA is (to read the LA facet)."""

    def __init__(self, items: Mapping[str, Vocabulary], geography: Geography) -> None:
        super().__init__(items)
        self.geography = geography


#: Seconds a process keeps the LAs it read for the facet vocabularies (every search needs them).
#: LAs change a few times a year (`broker reference load`): a change committed by this process
#: is seen at once (_forget_las), one committed by another process within this long.
LA_CACHE_SECONDS = 30.0
#: Session.info key: this transaction has written LAs (its reads bypass the cache).
_LAS_WRITTEN = "broker.las_written"
_la_cache: weakref.WeakKeyDictionary[sa.Engine, tuple[float, Vocabularies]] = (
    weakref.WeakKeyDictionary()
)


def facet_vocabularies(session: Session) -> Vocabularies:
    """Return every filterable facet's vocabulary, LAs included (read from the database, and
    kept for LA_CACHE_SECONDS)."""
    engine = _engine_of(session)
    now = time.monotonic()
    if not session.info.get(_LAS_WRITTEN):
        kept = _la_cache.get(engine)
        if kept is not None and now - kept[0] < LA_CACHE_SECONDS:
            return kept[1]
    # Three columns through the connection, no ORM, a statement built once.
    rows = session.connection().execute(_las_statement())
    found = _vocabularies(tuple((code, name, region) for code, name, region in rows))
    if not session.info.get(_LAS_WRITTEN):
        _la_cache[engine] = (now, found)
    return found


def _engine_of(session: Session) -> sa.Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, sa.Connection) else bind


def _note_las_written(session: Session, _context: Any) -> None:
    changed = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(item, LocalAuthority) for item in changed):
        session.info[_LAS_WRITTEN] = True


def _forget_las(session: Session) -> None:
    # After a commit (the change is everybody's now) or a rollback (it never was).
    if session.info.pop(_LAS_WRITTEN, False):
        _la_cache.pop(_engine_of(session), None)


def _forget_las_on_rollback(session: Session, previous: Any) -> None:
    if previous.parent is None:
        _forget_las(session)  # the whole transaction, not a savepoint


for _name, _listener in (
    ("after_flush", _note_las_written),
    ("after_commit", _forget_las),
    ("after_soft_rollback", _forget_las_on_rollback),
):
    if not event.contains(Session, _name, _listener):
        event.listen(Session, _name, _listener)


@lru_cache(maxsize=1)
def _las_statement() -> sa.Select[Any]:
    table = LocalAuthority.__table__.c  # type: ignore[attr-defined]
    return sa.select(table.code, table.name, table.region).order_by(table.name)


@lru_cache(maxsize=8)
def _vocabularies(las: tuple[tuple[str, str, str], ...]) -> Vocabularies:
    # The index schema says which facets exist, in which order, and what each is called; the
    # taxonomy (and, for LAs, the database) gives each facet's values and their labels.
    known = {
        **LISTING_FACETS,
        "la": Vocabulary("la", "", tuple(Term(c, n) for c, n, _ in las)),
    }
    return Vocabularies(
        {
            name: Vocabulary(name, schema.facet_label(name), known[name].terms)
            for name in schema.FACETS
        },
        Geography({code: region for code, _, region in las}),
    )


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    #: Values the user asked for that we did not recognise (the web page ignores them politely).
    ignored: tuple[str, ...] = ()
    autocorrect: bool = True
    #: Raise listings with the phases and topics the words imply (and say so).
    understand: bool = True
    #: Filters the user cannot remove (searching for a school); `filters` stay within them.
    locked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The yes/no date filters ticked (names in PASSED, e.g. "taking").
    passed: tuple[str, ...] = ()

    @property
    def query_filters(self) -> dict[str, tuple[str, ...]]:
        """Return the filters the index applies: the locked ones, narrowed by the user's."""
        return {**self.locked, **self.filters}


def parse(
    args: Mapping[str, Sequence[str]],
    vocabularies: dict[str, Vocabulary],
    *,
    strict: bool,
    default_per_page: int = 20,
) -> SearchRequest:
    """Read search parameters; `strict` (the API) raises InvalidInput on anything unknown."""
    ignored: list[str] = []

    def reject(name: str, message: str) -> None:
        if strict:
            raise InvalidInput(name, message)
        ignored.append(message)

    for name in args:
        if (
            name not in vocabularies
            and name not in PASSED
            and name
            not in (
                *PLAIN_PARAMS,
                "original",
                UNDERSTAND_PARAM,
                CONTEXT_PARAM,
            )
        ):
            reject(name, f"Unknown parameter '{name}'.")

    filters: dict[str, tuple[str, ...]] = {}
    for name, vocabulary in vocabularies.items():
        chosen: list[str] = []
        for raw in args.get(name, ()):
            if raw == "":
                continue
            term = vocabulary.get(raw)
            if term is None:
                reject(name, f"‘{raw[:60]}’ is not a known {vocabulary.label.lower()}.")
            elif term.slug not in chosen:
                chosen.append(term.slug)
        if chosen:
            filters[name] = tuple(chosen)

    passed: list[str] = []
    for name in PASSED:
        flag = _first(args, name)
        if flag == "1":
            passed.append(name)
        elif flag not in (None, ""):
            reject(name, f"'{name}' must be 1, or left out.")

    text = " ".join(v for v in args.get("q", ()) if v).strip()
    if len(text) > MAX_TEXT:
        # The page cuts a long search (and says so); the API says what to fix.
        reject("q", f"'q' must be {MAX_TEXT:,} characters or fewer.")
    sort = _first(args, "sort") or "relevance"
    if sort not in SORTS:
        reject("sort", f"Sort must be one of: {', '.join(SORTS)}.")
        sort = "relevance"
    for flag in ("original", UNDERSTAND_PARAM):
        if _first(args, flag) not in (None, "", "0", "1"):
            reject(flag, f"'{flag}' must be 0 or 1.")
    page = _integer(args, "page", 1, 1, MAX_PAGE, reject)
    per_page = _integer(args, "per_page", default_per_page, 1, MAX_PER_PAGE, reject)
    return SearchRequest(
        text=text,
        filters=filters,
        sort=sort,
        page=page,
        per_page=per_page,
        ignored=tuple(ignored),
        autocorrect=_first(args, "original") != "1",
        understand=_first(args, UNDERSTAND_PARAM) != "0",
        passed=tuple(passed),
    )


def lock_filters(
    request: SearchRequest,
    locked: Mapping[str, Sequence[str]],
    vocabularies: Mapping[str, Vocabulary],
) -> SearchRequest:
    """Return `request` narrowed by filters its user cannot remove (what can serve a school).

    Within a locked facet the user may still narrow (an all-through school's search to
    secondary only); a value outside it is left out and noted in `ignored`.
    """
    fixed = {name: tuple(values) for name, values in locked.items() if values}
    filters = dict(request.filters)
    ignored = list(request.ignored)
    for name, allowed in fixed.items():
        chosen = filters.pop(name, ())
        kept = tuple(v for v in chosen if v in allowed)
        vocabulary = vocabularies.get(name)
        for value in chosen:
            if value not in allowed:
                label = vocabulary.label_of(value) if vocabulary else value
                ignored.append(f"‘{label}’ cannot serve the school you are searching for.")
        if kept:
            filters[name] = kept
    return replace(request, filters=filters, locked=fixed, ignored=tuple(ignored))


def is_other_value(name: str, raw: str, slug: str) -> bool:
    """Say whether the raw parameter value `raw` names something other than `slug`."""
    vocabulary = LISTING_FACETS.get(name)
    term = vocabulary.get(raw) if vocabulary else None
    return (term.slug if term else raw) != slug


def _first(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = args.get(name) or ()
    return values[0] if values else None


def _integer(
    args: Mapping[str, Sequence[str]],
    name: str,
    default: int,
    low: int,
    high: int,
    reject: Callable[[str, str], None],
) -> int:
    raw = _first(args, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        reject(name, f"'{name}' must be a whole number.")
        return default
    if not low <= value <= high:
        reject(name, f"'{name}' must be between {low} and {high}.")
        return min(max(value, low), high)
    return value


def tie_seed(today: date | None = None) -> int:
    """Return today's seed for the fair order of equal results (stable all day, new each day)."""
    return (today or date.today()).toordinal()


def to_request(
    request: SearchRequest,
    geography: Geography,
    facets: Sequence[str],
    hidden: frozenset[int] = frozenset(),
    snippets: bool = True,
    feedback: int = 0,
    meaning: semantic.Closeness | None = None,
) -> service.Request:
    """Return the index's request for a directory search: public listings only, as of now.

    With `feedback` words (the config's SEARCH_FEEDBACK), the words the best few results share
    also find related listings (index.service.Request.expand): a search for "music" finds the
    instrumental tuition that never says "music". Measured on the judged queries, nDCG@10 with
    4 words: training 0.920 -> 0.945, the first exam 0.851 -> 0.881 (4 to 8 words: within
    0.003; 4 is the cheapest).
    """
    filters: dict[str, Iterable[str]] = dict(request.query_filters)
    if filters.get("la"):
        filters["la"] = geography.la_filter(filters["la"])  # the index keeps LAs compactly
    return service.Request(
        exclude_ids=hidden,
        text=request.text,
        filters=filters,
        facets=tuple(facets),
        sort=request.sort,
        page=request.page,
        per_page=request.per_page,
        tie_seed=tie_seed(),
        now=utcnow(),
        passed=tuple(PASSED[name].field for name in request.passed),
        autocorrect=request.autocorrect,
        understand=request.understand,
        snippets=snippets,
        feedback=feedback,
        expand=bool(feedback),
        meaning=meaning,
    )


@dataclass(frozen=True)
class ResultItem:
    listing: ListingCard
    provider: ProviderCard
    recommending_schools: int
    score: float
    snippet: str
    #: The searched words (as typed) this listing does not contain, when some may be missing.
    missing: tuple[str, ...] = ()
    #: What its provider last said of its capacity (as indexed).
    capacity: availability.Capacity = availability.Capacity()
    #: Found by the words the best results share, not by enough of the searched words.
    related: bool = False

    @property
    def capacity_note(self) -> str:
        """Return its provider's capacity in words, as of today ("" when it said nothing)."""
        return self.capacity.describe(availability.today())


@dataclass(frozen=True)
class FacetView:
    name: str
    label: str
    options: tuple[tuple[Term, int, bool], ...]  # (term, count, selected)


@dataclass(frozen=True)
class SearchPage:
    request: SearchRequest
    results: Results
    items: tuple[ResultItem, ...]
    facets: tuple[FacetView, ...]

    #: When nothing matched: each selected filter with the number of results without it.
    relaxations: tuple[tuple[str, Term, int], ...] = ()
    #: True when no listing had every word, so these results have some of them.
    partial: bool = False
    #: What the words were understood to imply: (facet view label, value label, words typed).
    understood: tuple[Understood, ...] = ()

    @property
    def total(self) -> int:
        return self.results.total

    @property
    def related(self) -> int:
        """Return how many of the total were found by the words the best results share
        rather than by the searched words (0 when the search was not expanded)."""
        worded = self.results.worded
        return 0 if worded is None else max(0, self.results.total - worded)

    @property
    def page(self) -> Page[ResultItem]:
        return Page(self.items, self.results.total, self.request.page, self.request.per_page)

    @property
    def selected(self) -> tuple[tuple[FacetView, Term], ...]:
        """Every selected filter value, in facet order (for the removable tags)."""
        return tuple(
            (view, term) for view in self.facets for term, _count, chosen in view.options if chosen
        )


def search(
    session: Session,
    engine: SearchEngine,
    request: SearchRequest,
    vocabularies: Vocabularies | None = None,
    snippets: bool = True,
) -> SearchPage:
    """Run a directory search; every hit is rendered from what the index stored for it.

    The index holds exactly the public listings (it follows the database's change log, and is
    caught up before answering), and hides any whose assurance or recommendations have run out
    since it was written; pass the `vocabularies` the request was parsed with to save a read,
    and `snippets=False` when the snippets will not be shown.
    """
    vocabularies = vocabularies or facet_vocabularies(session)
    hidden = engine.catch_up(session)
    geography = vocabularies.geography
    meaning = engine.closeness(session, request.text) if request.sort == "relevance" else None
    results = service.search(
        engine.backend,
        to_request(
            request, geography, tuple(vocabularies), hidden, snippets, engine.feedback, meaning
        ),
    )
    if "la" in results.facets:
        counts = geography.la_counts({c.value: c.count for c in results.facets["la"]})
        results = replace(
            results,
            facets={**results.facets, "la": tuple(FacetCount(v, n) for v, n in counts.items())},
        )
    items = tuple(result_item(hit) for hit in results.hits)
    facets = tuple(
        _facet_view(name, vocabularies[name], results.facets.get(name, ()), request)
        for name in vocabularies
    )
    relaxations: list[tuple[str, Term, int]] = []
    if results.total == 0 and request.passed:
        for name in request.passed:
            probe = replace(
                request,
                passed=tuple(n for n in request.passed if n != name),
                page=1,
                per_page=1,
            )
            total = service.search(
                engine.backend, to_request(probe, geography, (), hidden, False, engine.feedback)
            ).total
            if total:
                relaxations.append((name, passed_term(name), total))
    if results.total == 0 and request.filters:
        for name, values in request.filters.items():
            for value in values:
                rest = tuple(v for v in values if v != value)
                filters = {k: v for k, v in request.filters.items() if k != name}
                if rest:
                    filters[name] = rest
                probe = replace(request, filters=filters, page=1, per_page=1)
                total = service.search(
                    engine.backend, to_request(probe, geography, (), hidden, False, engine.feedback)
                ).total
                if total:
                    relaxations.append((name, vocabularies[name][value], total))
    return SearchPage(
        request=request,
        results=results,
        items=items,
        facets=facets,
        relaxations=tuple(relaxations),
        partial=results.partial,
        understood=understood(results, vocabularies),
    )


def passed_term(name: str) -> Term:
    """Return the yes/no date filter `name` as a term (its value "1"), for tags and relaxations."""
    return Term("1", PASSED[name].label)


@dataclass(frozen=True)
class Understood:
    """One thing the words implied, for the page and the API: "Phase: Primary", from "Year 4"."""

    facet: str
    value: str
    facet_label: str
    label: str
    because: str


def understood(results: Results, vocabularies: Mapping[str, Vocabulary]) -> tuple[Understood, ...]:
    """Return what the search's words were understood to imply, labelled."""
    out = []
    for item in results.understood:
        vocabulary = vocabularies.get(item.facet)
        if vocabulary is None or item.value not in vocabulary.slugs:
            continue
        out.append(
            Understood(
                item.facet,
                item.value,
                vocabulary.label,
                vocabulary.label_of(item.value),
                " ".join(item.words),
            )
        )
    return tuple(out)


def _facet_view(
    name: str, vocabulary: Vocabulary, counts: Sequence[FacetCount], request: SearchRequest
) -> FacetView:
    by_value = {c.value: c.count for c in counts}
    selected = set(request.filters.get(name, ()))
    allowed = set(request.locked.get(name, vocabulary.slugs))
    options = tuple(
        (term, by_value.get(term.slug, 0), term.slug in selected)
        for term in vocabulary.terms
        if (by_value.get(term.slug, 0) or term.slug in selected) and term.slug in allowed
    )
    return FacetView(name=name, label=vocabulary.label, options=options)


@dataclass(frozen=True)
class ListingCard:
    """What a result item shows of a listing (read as plain columns: no ORM objects per hit)."""

    id: int
    code: str
    title: str
    summary: str
    categories: list[str]
    phases: list[str]
    cost: str


@dataclass(frozen=True)
class ProviderCard:
    id: int
    name: str
    kind: str


def result_item(hit: Hit) -> ResultItem:
    """Return the result item of a hit, from the fields the index stored for it."""
    f = hit.fields
    return ResultItem(
        listing=ListingCard(
            id=hit.id,
            code=str(f.get("code") or ""),
            title=hit.title,
            summary=str(f.get("summary") or ""),
            categories=list(f.get("category") or ()),
            phases=list(f.get("phase") or ()),
            cost=next(iter(f.get("cost") or ()), ""),
        ),
        provider=ProviderCard(
            id=int(f.get("provider_id") or 0),
            name=str(f.get("provider_name") or ""),
            kind=next(iter(f.get("kind") or ()), ""),
        ),
        recommending_schools=int(f.get("recommendations") or 0),
        score=hit.score,
        snippet=hit.snippet,
        missing=hit.missing,
        capacity=availability.from_stored(f),
        related=hit.related,
    )
