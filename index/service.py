"""Search with users' words on any backend: analyse once, understand, run, correct, explain.

Everything here is the same whatever the engine: the text is parsed into clauses
(index.querying) and understood (index.understanding: implied phases and topics, context and
filler words); the backend runs the resulting Query; then this module decides spelling
("did you mean", or corrected results when a word no dictionary knows was typed), and for each
hit the snippet, which words matched and which did not.

Matching: every meaningful word counts, but a listing that misses one word of a longer search
can still be found (`must_match`), and listings that match more of the words rank first. With
a sentence model (Request.meaning), a word no listing uses also matches the directory's words
closest to it in meaning (close_words), and listings close in meaning to the whole search join
the matches (_by_meaning).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple, cast

from rapidfuzz.distance import OSA

from index import analysis, querying, related, schema, semantic, spelling, understanding
from index.backends.base import SearchBackend
from index.documents import Hit, Results
from index.query import Alternative, Clause, Preference, Query

#: Text fields a snippet is taken from, in order.
SNIPPET_FIELDS = ("summary", "description")
TITLE_FIELDS = ("title", "provider_name")
#: A word in more than this share of the directory says little: it counts in the score only.
GENERIC_SHARE = 0.3
#: When fewer hits than this have the words needed, one more word may be missing (those with
#: more of the words still come first).
FEW = 10


def must_match(clauses: int) -> int:
    """Return how many of a search's meaningful words a hit must match: all of one or two
    words, then one fewer for every three ("times tables year 4 maths" needs three of four)."""
    return clauses if clauses <= 2 else clauses - clauses // 3


@dataclass(frozen=True)
class Request:
    """A search as a person asks it: their words, filters, sort and page."""

    text: str = ""
    filters: Mapping[str, Iterable[str]] = field(default_factory=dict)
    prefer: Mapping[str, Iterable[str]] | tuple[Preference, ...] = ()
    facets: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    exclude_ids: frozenset[int] = frozenset()
    tie_seed: int = 0
    now: datetime | None = None
    #: Compared dates (index.schema.COMPARED) that must have passed by `now` (schema.PASSED).
    passed: tuple[str, ...] = ()
    #: When a word no dictionary knows finds nothing and its correction does, search the
    #: correction (and say so); otherwise only suggest it.
    autocorrect: bool = True
    #: Let a hit miss some words of a longer search (those matching more rank first).
    widen: bool = True
    #: Raise hits with the phases and topics the words imply (and say so).
    understand: bool = True
    #: How many meaningful words a hit must match (None: the rule of must_match()).
    must_match: int | None = None
    #: Fill in each hit's snippet (a page shows them; the JSON API does not, and saves the work).
    snippets: bool = True
    #: Re-rank with this many words that the best hits share and the words did not say
    #: (pseudo-relevance feedback, feedback()); 0: none.
    feedback: int = 0
    #: The feedback words also find listings, not only re-rank the matches (as RM3 expands a
    #: query): those written in the best hits' words that share none of (or too few of) the
    #: search's, ranked among the matches by all the words; `Results.worded` says how many
    #: of the total have the search's own words.
    expand: bool = False
    #: The text is prose, a need as a SIP notes it (the matcher's): the stretches read as
    #: context ("Year 6") also find listings, lightly, not only imply a phase (prose_clauses),
    #: and it is read whole (querying.PROSE_MAX_CLAUSES), not only its first words.
    prose: bool = False
    #: How close in meaning each listing is to the text (a sentence model's, index.semantic):
    #: under a relevance sort the closest join the matches, and the order blends the words'
    #: score with meaning (_by_meaning). None: words alone.
    meaning: semantic.Closeness | None = None


@dataclass
class _DirectoryFacts:
    """What a search needs to know of the directory, cached until the index changes."""

    vocabulary: Mapping[str, int]
    size: int
    #: {analysed term: documents holding it (its most frequent word form's count)}, made when
    #: first needed (feedback()).
    term_counts: dict[str, int] | None = None
    #: {(facet, value): listings listed under it}, made when first needed (_topics()).
    value_counts: dict[tuple[str, str], int] | None = None

    def documents_with(self, term: str) -> int:
        counts = self.term_counts
        if counts is None:
            counts = {}
            for word, n in self.vocabulary.items():
                analysed = analysis.term_of(word)
                if analysed is not None and n > counts.get(analysed, 0):
                    counts[analysed] = n
            self.term_counts = counts
        return counts.get(term, 0)


def _value_counts(backend: SearchBackend, facts: _DirectoryFacts) -> dict[tuple[str, str], int]:
    """Return how many listings each facet value has: one search counting every facet, once
    until the index changes (a race only counts twice)."""
    counts = facts.value_counts
    if counts is None:
        found = backend.search(Query(per_page=1, facets=schema.FACETS))
        counts = {(name, c.value): c.count for name, values in found.facets.items() for c in values}
        facts.value_counts = counts
    return counts


_facts_lock = threading.Lock()
_facts: dict[int, _DirectoryFacts] = {}


def _directory(backend: SearchBackend) -> _DirectoryFacts:
    vocabulary = backend.vocabulary()
    found = _facts.get(id(backend))
    if found is not None and found.vocabulary is vocabulary:
        return found
    size = backend.search(Query(per_page=1)).total
    facts = _DirectoryFacts(vocabulary, size)
    with _facts_lock:
        _facts[id(backend)] = facts
    return facts


def _generic(clause: Clause, facts: _DirectoryFacts) -> bool:
    """Whether a clause is one word in much of the directory (it then only scores); never a
    quoted one: quotes ask for it."""
    if clause.expanded or clause.quoted or len(clause.words) != 1 or not facts.size:
        return False
    return facts.vocabulary.get(clause.words[0], 0) > GENERIC_SHARE * facts.size


def _rarity(clause: Clause, facts: _DirectoryFacts) -> float:
    """Return how telling a clause is: the inverse document frequency of its rarest word."""
    frequencies = [facts.vocabulary.get(w, 0) for w in clause.words if w.isalpha()]
    frequency = min(frequencies) if frequencies else 0
    return math.log(1 + facts.size / (frequency + 1))


def _weighted(positive: list[Clause], facts: _DirectoryFacts) -> dict[int, Clause]:
    """Return the clauses reweighted by how telling each is, around 1 (between 0.5 and 2):
    when a hit may miss a word, missing a rare one costs more than missing a common one."""
    rarities = [_rarity(c, facts) for c in positive]
    mean = sum(rarities) / len(rarities)
    if mean <= 0:
        return {}
    return {
        id(c): replace(c, weight=round(min(2.0, max(0.5, r / mean)), 3))
        for c, r in zip(positive, rarities, strict=True)
    }


#: In a need's prose, the words of an everyday wording score alone at this weight (a search's at
#: understanding.WORDED_WEIGHT): at 0.25 the matcher rose by 0.014 summed over the read sets,
#: none falling by more than 0.0024; at 0.5 or 1 the blind set fell by 0.006 and 0.012.
PROSE_WORDED_WEIGHT = 0.25


def plan(
    parsed: querying.ParsedText, request: Request, facts: _DirectoryFacts | None
) -> tuple[Query, tuple[understanding.Implication, ...]]:
    """Return the Query for a parsed search, and what its words were understood to imply."""
    implied: tuple[understanding.Implication, ...] = ()
    contexts: tuple[tuple[str, ...], ...] = ()
    clauses, boosts = list(parsed.clauses), []
    if request.understand and parsed.clauses:
        found = understanding.understand(
            parsed.clauses, skip_facets=request.filters, said=parsed.said
        )
        clauses, boosts, implied = list(found.clauses), list(found.boosts), found.implied
        # A need's prose has many words: its wordings' own words count less beside them.
        boosts += (
            [replace(c, weight=PROSE_WORDED_WEIGHT) for c in found.worded]
            if request.prose
            else found.worded
        )
        contexts = found.contexts
    positive = [c for c in clauses if not c.negated]
    if facts is not None and len(positive) > 1:
        generic = [c for c in positive if _generic(c, facts)]
        if 0 < len(generic) < len(positive):
            clauses = [c for c in clauses if c not in generic]
            boosts += generic
            positive = [c for c in positive if c not in generic]
    if facts is not None and len(positive) > 1:
        weighted = _weighted(positive, facts)
        clauses = [weighted.get(id(c), c) for c in clauses]
        positive = [weighted.get(id(c), c) for c in positive]
    if facts is not None and request.meaning is not None:
        clauses = close_words(clauses, facts, request.meaning)
    if request.prose:
        found_by = prose_clauses(contexts)
        clauses += found_by
        positive += found_by
    prefer: list[Preference] = list(querying.query_of((), prefer=request.prefer).prefer)
    preferred = {p.facet for p in prefer}
    # The values one stretch of the words implies of a facet raise a hit holding any of them
    # once: "Reception" is in early years and in primary school, and a listing for both is not
    # twice as near (while for "Y6 to Y7" one for both phases is nearer than one for either).
    by_words: dict[tuple[str, float, tuple[str, ...]], set[str]] = {}
    for item in implied:
        if item.facet not in preferred:
            by_words.setdefault((item.facet, item.weight, item.words), set()).add(item.value)
    prefer += [Preference(f, frozenset(v), w) for (f, w, _), v in by_words.items()]
    if request.must_match is not None:
        needed = request.must_match
    elif request.widen and not parsed.operators:
        needed = must_match(len(positive))
    else:
        needed = len(positive)
    query = querying.query_of(
        clauses,
        request.filters,
        sort=request.sort,
        page=request.page,
        per_page=request.per_page,
        facets=request.facets,
        prefer=prefer,
        exclude_ids=request.exclude_ids,
        tie_seed=request.tie_seed,
        now=request.now,
        passed=request.passed,
        must_match=needed,
        boosts=boosts,
    )
    return query, implied


#: A word of a search that no listing uses (by its stem) also matches up to this many of the
#: directory's words closest to it in meaning ("nervous": "anxious", "anxiety", "frightened";
#: "drank": "drink", "alcohol"), as the sentence model reads single words...
CLOSE_WORDS = 3
#: ...those at least this close (cosine; "nervous" and "anxious" 0.72, "burnt" and "fire" 0.58)...
CLOSE_FLOOR = 0.65
#: ...and the word then counts for this share of its weight: the words close to it are not it.
CLOSE_WEIGHT = 0.6
#: A word the model finds no close word for (it reads rare words poorly: "conjuring",
#: "whodunit") matches instead the words WordNet relates to it (index.related: "magic";
#: "mystery"), up to CLOSE_WORDS of them, as close words (same weight), but not a word in
#: more than this share of the listings (or RELATED_LEAST of them, in a small directory).
RELATED_SHARE = 0.05
RELATED_LEAST = 2
#: The directory's words a lexicon holds: at most this many, those in most listings first.
LEXICON_SIZE = 20_000
#: A word ending in the same this-many letters as the word typed, or one edit from it, is
#: read close by the model for its spelling, not its meaning ("abseiling": "ceiling";
#: "oxbridge": "ironbridge"; "barely": "rarely"): it is no close word.
LOOK_ALIKE_ENDING = 5


def _content_term(word: str) -> str | None:
    """The analysed term of a word that words close in meaning are looked for by or among: a
    word of three or more letters, not a stop word (None otherwise)."""
    return analysis.term_of(word) if len(word) >= 3 and word.isalpha() else None


def lexicon_words(
    vocabulary: Mapping[str, int], leave_out: AbstractSet[str] = frozenset()
) -> list[str]:
    """Return the directory's words that words close in meaning are looked for among: words of
    letters (three or more; not stop words, nor in `leave_out`: places' names, whose closest
    words are other places), those in most listings first, at most LEXICON_SIZE."""
    words = [w for w in vocabulary if w not in leave_out and _content_term(w) is not None]
    words.sort(key=lambda w: (-vocabulary[w], w))
    return words[:LEXICON_SIZE]


def unused_words(
    backend: SearchBackend, text: str, leave_out: AbstractSet[str] = frozenset()
) -> list[str]:
    """Return the words of `text` typed alone (not quoted, not excluded) that no listing uses
    (by their stems, and as written by the live index: the vocabulary may lag the latest
    commits), once each, but for those in `leave_out` (places' names: "Fulham" is not close to
    "Portsmouth" for a search): those whose close words a search looks for, given their
    vectors (semantic.Closeness.word_vectors)."""
    facts = _directory(backend)
    out = []
    typed = querying.parse_text(text).positive
    for word in dict.fromkeys(c.words[0] for c in typed if len(c.words) == 1 and not c.quoted):
        term = _content_term(word) if word not in leave_out else None
        if term is not None and not facts.documents_with(term):
            out.append(word)
    held = backend.holding(out) if out else frozenset()
    return [w for w in out if w not in held]


def close_words(
    clauses: list[Clause], facts: _DirectoryFacts, meaning: semantic.Closeness
) -> list[Clause]:
    """Return `clauses` with each word no listing uses (a single word as typed, not quoted,
    not a context, not spelled out by a synonym; one of unused_words(), whose vectors the
    search's meaning holds) also matching the directory's words closest to it in meaning, and
    counting for CLOSE_WEIGHT of its weight. A word's own forms
    ("taker": "take"; "unsafe": "safe") are left out: they are not what was meant. A word the
    model finds none close to, and not one of the field's own, matches the words WordNet
    relates to it instead (_related)."""
    out = []
    for clause in clauses:
        word = clause.words[0] if len(clause.words) == 1 else ""
        term = _content_term(word)
        if (
            term is None
            or clause.negated
            or clause.expanded
            or clause.context
            or clause.quoted
            or facts.documents_with(term)
        ):
            out.append(clause)
            continue
        have = {t for alt in clause.alternatives for t in alt.terms}
        close: list[str] = []
        alternatives = list(clause.alternatives)
        for other, _cosine in meaning.close_words(word, CLOSE_WORDS + 5, CLOSE_FLOOR):
            found = analysis.term_of(other)
            if (
                found is None
                or found in have
                or other in word
                or word in other
                or found in word
                or term in other
                or _looks_alike(word, other)
            ):
                continue
            have.add(found)
            close.append(other)
            alternatives.append(Alternative((found,)))
            if len(close) == CLOSE_WORDS:
                break
        if not close and word not in spelling.domain_words():
            for other, terms in _related(word, term, facts):
                if len(close) == CLOSE_WORDS:
                    break
                if Alternative(terms) in alternatives or (len(terms) == 1 and terms[0] in have):
                    continue
                close.append(other)
                alternatives.append(Alternative(terms))
        if close:
            clause = replace(
                clause,
                alternatives=tuple(alternatives),
                weight=clause.weight * CLOSE_WEIGHT,
                close=tuple(close),
            )
        out.append(clause)
    return out


def _related(word: str, term: str, facts: _DirectoryFacts) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Yield the words WordNet relates to `word` (index.related) that the directory holds, as
    written and as analysed (a phrase: each of its words), but for those in more than
    RELATED_SHARE of the listings (they would tell little of what was meant) and the word's
    own forms."""
    most = max(RELATED_LEAST, RELATED_SHARE * facts.size)
    for other in related.related(word):
        terms = tuple(dict.fromkeys(analysis.analyse(other)))
        if not terms or term in terms:
            continue
        if all(0 < facts.documents_with(t) <= most for t in terms):
            yield other, terms


def _looks_alike(word: str, other: str) -> bool:
    """Whether `other` is spelt like `word` rather than meaning the same: both end in the same
    LOOK_ALIKE_ENDING letters, or it is one edit away."""
    ending = LOOK_ALIKE_ENDING
    if len(word) >= ending and len(other) >= ending and word[-ending:] == other[-ending:]:
        return True
    return OSA.distance(word, other, score_cutoff=1) <= 1


def _unknown(positive: Sequence[Clause], facts: _DirectoryFacts) -> bool:
    """Whether no listing holds any of the words, leaving aside words in much of the directory
    ("SEMH support": no listing says SEMH, and "support" alone tells nothing)."""
    telling = [c for c in positive if not _generic(c, facts)]
    return bool(telling) and all(facts.vocabulary.get(w, 0) == 0 for c in telling for w in c.words)


def _widened(
    backend: SearchBackend, query: Query, results: Results, request: Request
) -> tuple[Query, Results]:
    """Return the query and results once widened: while few listings have the words needed,
    one more may be missing (those with more of the words still come first, and each says
    which it lacks)."""
    while results.total < FEW and request.widen and request.must_match is None:
        wider_query = replace(query, must_match=query.required - 1)
        if wider_query.required >= query.required or wider_query.required < 1:
            break
        wider = backend.search(wider_query)
        query = wider_query
        if wider.total > results.total:
            results = wider
    return query, results


def search(backend: SearchBackend, request: Request) -> Results:
    """Run `request` on `backend`; never raise on users' text."""
    most = querying.PROSE_MAX_CLAUSES if request.prose else querying.MAX_CLAUSES
    parsed = querying.parse_text(request.text, most)
    facts = _directory(backend) if parsed.positive else None
    wanted = request
    # Re-ranked by feedback: first the best few (with the total and facet counts), then the
    # page asked for, in the order the best few's shared words give.
    # Expanded, whatever the sort: the best few by relevance give the words, and the listings
    # they find are sorted as asked (so every sort has the same total).
    reranked = bool(
        request.feedback and (request.sort == "relevance" or request.expand) and facts is not None
    )
    if reranked:
        # Expanded, the facets are counted on the final search only.
        facets = () if request.expand else request.facets
        request = replace(request, page=1, per_page=FEEDBACK_DOCS, facets=facets, sort="relevance")
    checked = (
        spelling.check(parsed, facts.vocabulary, spelling.abbreviations(request.text))
        if facts
        else spelling.Check()
    )
    if checked.wrong:
        # The vocabulary may lag the latest commits: a word a listing holds now is not wrong.
        held = backend.holding(checked.wrong)
        if held:
            wrong = {w: fix for w, fix in checked.wrong.items() if w not in held}
            checked = replace(checked, wrong=wrong)
    suggestion: str | None = None
    corrected = False
    results: Results | None = None
    if checked.wrong and request.autocorrect:
        fixed = spelling.rewrite(request.text, checked.all)
        fixed_parsed = querying.parse_text(fixed, most)
        query, implied = plan(fixed_parsed, request, facts)
        # Searched as any words are: when none has every word, one may be missing.
        query, attempt = _widened(backend, query, backend.search(query), request)
        if attempt.total:
            results, parsed, suggestion, corrected = attempt, fixed_parsed, fixed, True
    if results is None:
        query, implied = plan(parsed, request, facts)
        results = backend.search(query)
        if results.total == 0 and parsed.operators and request.widen:
            # No listing has the exact phrase (or passes the exclusions): try the plain words.
            plain = querying.parse_text(querying.plain_words(request.text), most)
            if plain.positive:
                parsed = plain
                query, implied = plan(parsed, request, facts)
                results = backend.search(query)
        query, results = _widened(backend, query, results, request)
        if checked.all and results.total < spelling.LITTLE:
            fixed = spelling.rewrite(request.text, checked.all)
            better = backend.search(plan(querying.parse_text(fixed, most), request, facts)[0])
            if better.total > results.total:
                suggestion = fixed
    # No listing has any of the telling words (those in much of the directory say nothing).
    unknown = facts is not None and _unknown(parsed.positive, facts)
    if results.total == 0 and request.widen and implied and parsed.positive and unknown:
        # No listing has any of the words, but they name a topic ("wheelchair user": physical
        # disability): show the listings for it, and say why.
        topics: dict[str, set[str]] = {}
        for item in implied:
            if not item.context:
                topics.setdefault(item.facet, set()).add(item.value)
        if topics:
            filters = {k: list(v) for k, v in request.filters.items()}
            for facet, values in topics.items():
                filters[facet] = sorted(set(filters.get(facet, ())) | values)
            topical = replace(wanted, text="", filters=filters, understand=False)
            found = backend.search(plan(querying.parse_text(""), topical, facts)[0])
            if found.total:
                hits = explain(found.hits, (), request.snippets)
                return replace(
                    found,
                    hits=hits,
                    partial=True,
                    notice=parsed.notice,
                    understood=implied,
                    by_topic=True,
                )
    if results.total == 0 and request.widen and request.must_match is None and query.boosts:
        # The telling words are in no listing ("bonds" of "number bonds", "NLE" of "school
        # needs an NLE"): the words that only scored (common, filler, context) find too,
        # widened like any search, rather than nothing.
        every = query.clauses + query.boosts
        common = replace(
            query,
            clauses=every,
            boosts=(),
            must_match=must_match(sum(1 for c in every if not c.negated)),
        )
        common, found = _widened(backend, common, backend.search(common), request)
        if found.total:
            query, results = common, found
    worded: int | None = None
    needed = 0
    by_meaning = wanted.meaning is not None and wanted.sort == "relevance" and bool(query.positive)
    # The final search is _by_meaning's own (the best 50 and those close in meaning), not twice.
    deferred = False
    if reranked:
        assert facts is not None
        extra = feedback(results.hits, query, facts, request.feedback) if results.hits else ()
        said, needed = query.positive, query.required
        if request.expand:
            # The feedback words find listings too: the total and the facet counts are of
            # every listing found, `worded` of those with the search's words.
            query = replace(
                query,
                clauses=query.clauses + extra,
                page=wanted.page,
                per_page=wanted.per_page,
                facets=wanted.facets,
                sort=wanted.sort,
            )
            worded = results.total if extra else None
            if by_meaning:
                deferred = True
            else:
                results = backend.search(query)
        else:
            # The same matches in a new order: the total and facet counts stand.
            query = replace(
                query, boosts=query.boosts + extra, page=wanted.page, per_page=wanted.per_page
            )
            page = backend.search(replace(query, facets=())) if results.total else results
            results = replace(results, hits=page.hits, page=wanted.page, per_page=wanted.per_page)
        final = query
        # What each hit matched is told of the search's own words only.
        query = replace(query, clauses=said + query.negative)
    else:
        final, needed = query, query.required
    if by_meaning:
        assert wanted.meaning is not None
        specific = _topics(backend, facts, implied) if facts is not None else ()
        # A corrected search is close in meaning to what its corrected words are close to.
        meaning = (
            wanted.meaning.reworded(suggestion) if corrected and suggestion else wanted.meaning
        )
        # A hit's coverage counts the words read as context ("Reception", "Year 1") too, for less.
        own = query.positive + tuple(
            replace(c, weight=c.weight * CONTEXT_COVERAGE) for c in query.boosts if c.context
        )
        holding = tuple(i for i in implied if not i.context and i.facet in HOLDING_FACETS)
        placed = tuple(i for i in implied if i.context)
        close = _by_meaning(
            backend, final, results, wanted, meaning, own, specific, holding, placed
        )
        if close is not None:
            worded = results.total if worded is None else worded
            results = close
        elif deferred:
            results = backend.search(final)
    hits = explain(results.hits, query.positive, request.snippets)
    if worded is not None:
        hits = tuple(replace(h, related=(h.matched_clauses or 0) < needed) for h in hits)
    partial = bool(hits) and all(h.missing for h in hits)
    return replace(
        results,
        hits=hits,
        suggestion=suggestion,
        corrected=corrected,
        corrections=tuple(checked.all.items()) if corrected else (),
        partial=partial,
        notice=parsed.notice,
        clauses=len(query.positive),
        words=tuple(" ".join(c.words) for c in query.positive),
        understood=implied,
        close_words=tuple((" ".join(c.words), c.close) for c in query.positive if c.close),
        worded=worded,
    )


#: Listings closest in meaning to a search that may join its matches (when they pass its
#: filters)...
NEAREST = 50
#: ...and at least this close (cosine; unrelated texts score about 0-0.2).
NEAR_FLOOR = 0.3
#: How much meaning counts in the order: (1 - w) * words' share + w * cosine, the words' share
#: being the hit's score / the best's, times its coverage of the words (_coverage).
MEANING_WEIGHT = 0.5
#: The best hits by words re-ordered with those found by meaning.
MEANING_POOL = 50
#: A hit of none of the phases the words place the search in ("Y4": primary) counts this share
#: of its blend of words and meaning: the phase raises a hit's score by words (understanding),
#: and now also where the meaning of its text would place it first ("arithmetic fluency for
#: secondary non-specialists" for "ks2 arithmetic gaps"). A listing naming no phase is of none.
PLACE_MISS = 0.8


def _by_meaning(
    backend: SearchBackend,
    query: Query,
    results: Results,
    wanted: Request,
    meaning: semantic.Closeness,
    own: tuple[Clause, ...],
    topics: tuple[understanding.Implication, ...] = (),
    holding: tuple[understanding.Implication, ...] = (),
    placed: tuple[understanding.Implication, ...] = (),
) -> Results | None:
    """Return the results with the listings closest in meaning to the search among them, and
    the best re-ordered by words and meaning together; None when meaning adds nothing.

    The listings found by meaning alone, or by a specific topic the words imply (`topics`),
    pass the same filters (the index says which), count in the total and the facets, and are
    marked as related: none has enough of the words. The order blends each hit's score by
    words, as a share of the best and weighed by how much of the search's own words (`own`,
    not the feedback's) it holds, with its cosine; a hit of none of the phases the words place
    the search in (`placed`, the context implied) counts PLACE_MISS of it."""
    close = {i: c for i, c in meaning.nearest(NEAREST) if c >= NEAR_FLOOR}
    if not close and not topics and not results.hits:
        return None
    depth = max(MEANING_POOL, wanted.page * wanted.per_page)
    by_facet: dict[str, set[str]] = {}
    for item in topics:
        by_facet.setdefault(item.facet, set()).add(item.value)
    found = replace(
        query,
        also_ids=frozenset(close),
        also_topics=tuple((k, frozenset(v)) for k, v in sorted(by_facet.items())),
        page=1,
        per_page=depth,
    )
    pool = backend.search(replace(found, facets=wanted.facets))
    # Those found by meaning alone score by preferences only, so may lie beyond the depth:
    # those of them that pass the filters are looked for, when the depth cut any hit off.
    missing = frozenset(close) - {h.id for h in pool.hits}
    alone = (
        backend.search(
            replace(
                query,
                clauses=(),
                boosts=(),
                must_match=None,
                # Ids filter as exclude_ids do, as numbers (facet values are text).
                filters=query.filters + (("id", cast("frozenset[str]", missing)),),
                page=1,
                per_page=len(missing),
                facets=(),
                sort="relevance",
            )
        )
        if missing and pool.total > len(pool.hits)
        else None
    )
    hits = {h.id: h for h in pool.hits}
    for hit in alone.hits if alone else ():
        hits.setdefault(hit.id, replace(hit, score=0.0))
    ranked = list(hits.values())
    cosines = meaning.of([h.id for h in ranked])
    best = max((h.score for h in ranked), default=0.0)
    covered = _coverage(ranked, own, topics, holding)
    blended = {
        h.id: semantic.blend(
            max(h.score / best if best > 0 else 0.0, TOPIC_SCORE * covered[h.id].listed)
            * covered[h.id].share,
            cosine,
            MEANING_WEIGHT,
        )
        for h, cosine in zip(ranked, cosines, strict=True)
    }
    if placed:
        wanted_values: dict[str, set[str]] = {}
        for item in placed:
            wanted_values.setdefault(item.facet, set()).add(item.value)
        for h in ranked:
            if any(not values & set(h.fields.get(f) or ()) for f, values in wanted_values.items()):
                blended[h.id] *= PLACE_MISS
    ranked.sort(key=lambda h: -blended[h.id])
    start = (wanted.page - 1) * wanted.per_page
    page = tuple(
        replace(h, score=round(blended[h.id], 6)) for h in ranked[start : start + wanted.per_page]
    )
    return replace(pool, hits=page, page=wanted.page, per_page=wanted.per_page)


#: A stretch read as context counts for this much of a word in a hit's coverage: for "Reception
#: to Year 1 transition", the course on moving into Year 1 after Reception holds more of what was
#: asked than transition to secondary school does.
CONTEXT_COVERAGE = 0.5
#: A hit's share of the best score by words counts as much as the share of the search's telling
#: words it holds, squared: a hit holding only "reception" of "cerebral palsy in reception"
#: adds nothing by words, and its cosine alone places it.
COVERAGE_POWER = 2
#: A hit listed under a specific topic the words imply has at least this share of the best
#: score by words (times its coverage), whatever its words.
TOPIC_SCORE = 0.5
#: An implied topic finds listings (with those close in meaning) when at most this share of the
#: directory is listed under it: "cerebral palsy" finds those for physical disability, while
#: "SEN and disabilities", under which many are listed, only raises those that match.
TOPIC_SHARE = 0.1
#: The facets whose implied values a hit listed under them holds the words of in its coverage,
#: however many listings are listed so: a listing for disadvantaged pupils holds
#: "disadvantaged" of "closing the gap for disadvantaged kids" whether it says so or "pupil
#: premium" (the draught-proofing "Closing the gap" holds two of the three words, no more).
#: An area of support or an outcome is too broad for it ("CCE": every safeguarding listing).
HOLDING_FACETS = ("pupil_group", "sen")


def _topics(
    backend: SearchBackend,
    facts: _DirectoryFacts,
    implied: tuple[understanding.Implication, ...],
) -> tuple[understanding.Implication, ...]:
    """Return the implied topics specific enough to find listings by: listed under by at most
    TOPIC_SHARE of the directory (physical disability, children in care; not every SEN)."""
    topical = [i for i in implied if not i.context]
    if not topical or not facts.size:
        return ()
    counts = _value_counts(backend, facts)
    return tuple(
        i for i in topical if 0 < counts.get((i.facet, i.value), 0) <= TOPIC_SHARE * facts.size
    )


class _Coverage(NamedTuple):
    #: How much of the search's telling words (by weight) the hit holds, 0-1, ** COVERAGE_POWER.
    share: float
    #: Listed under one of the specific topics the words imply (whose words then count as held).
    listed: bool


def _coverage(
    hits: list[Hit],
    clauses: tuple[Clause, ...],
    topics: tuple[understanding.Implication, ...],
    holding: tuple[understanding.Implication, ...] = (),
) -> dict[int, _Coverage]:
    """Return each hit's coverage of the search's own words (`clauses`): a hit listed under a
    topic the words imply holds those words, whether a specific topic (`topics`) or a pupil
    group or SEN specialism (`holding`, HOLDING_FACETS)."""
    total = sum(c.weight for c in clauses)
    out: dict[int, _Coverage] = {}
    for hit in hits:
        present: AbstractSet[str] = (
            hit.terms
            if hit.terms is not None
            else analysis.term_set(
                str(hit.fields.get(n) or "") for n in TITLE_FIELDS + SNIPPET_FIELDS
            )
        )
        listed = [set(t.words) for t in topics if t.value in (hit.fields.get(t.facet) or ())]
        tagged = listed + [
            set(t.words) for t in holding if t.value in (hit.fields.get(t.facet) or ())
        ]
        held = 0.0
        for c in clauses:
            if _holds(c, present) or any(set(c.words) <= words for words in tagged):
                held += c.weight
        coverage = (held / total) ** COVERAGE_POWER if total > 0 else 1.0
        out[hit.id] = _Coverage(coverage, bool(listed))
    return out


#: Feedback reads the words of this many best hits...
FEEDBACK_DOCS = 5
#: ...and takes words that at least this many of them share.
FEEDBACK_SHARED = 2
#: The weight of the strongest feedback word relative to a word of the search.
FEEDBACK_WEIGHT = 0.3
#: The weight of a stretch read as context ("Year 6", "KS2") when it finds listings (prose).
PROSE_CONTEXT_WEIGHT = 0.3


def prose_clauses(contexts: Iterable[tuple[str, ...]]) -> list[Clause]:
    """Return a low-weight phrase clause for each stretch of a need read as context.

    In a search, "Year 6" only implies a phase; in a need's prose it is also what the support
    is for ("Year 6 pupils anxious about moving to secondary school" -> a Year 6 to Year 7
    listing), so a listing that names it may be found by it, weighing less than a topic word.
    """
    out: dict[tuple[str, ...], Clause] = {}
    for words in contexts:
        terms = tuple(t for t in (analysis.term_of(w) for w in words) if t)
        if terms and terms not in out:
            out[terms] = Clause((Alternative(terms),), tuple(words), weight=PROSE_CONTEXT_WEIGHT)
    return list(out.values())


def feedback(
    hits: Sequence[Hit], query: Query, facts: _DirectoryFacts, n: int
) -> tuple[Clause, ...]:
    """Return up to `n` clauses, to count in the score only, of words that the best `hits`
    share but the search did not say: the directory's own vocabulary for what was asked.

    Each word scores the sum, over the best hits holding it, of the hit's score relative to
    the best, times its rarity in the directory (as RM3's expansion weighs terms). Words in
    more than GENERIC_SHARE of the directory, numbers and words already searched are left out.
    Matching is unchanged: the hits are the same, only their order can change.
    """
    top = [h for h in hits[:FEEDBACK_DOCS] if h.terms is not None]
    if len(top) < FEEDBACK_SHARED or not facts.size or top[0].score <= 0:
        return ()
    said = {t for c in (*query.clauses, *query.boosts) for a in c.alternatives for t in a.terms}
    best = top[0].score
    weights: dict[str, float] = {}
    held: dict[str, int] = {}
    for hit in top:
        share = max(hit.score, 0.0) / best
        for term in hit.terms or ():
            held[term] = held.get(term, 0) + 1
            weights[term] = weights.get(term, 0.0) + share
    scored = []
    for term, weight in weights.items():
        if held[term] < FEEDBACK_SHARED or term in said or not term.isalpha() or len(term) < 3:
            continue
        documents = facts.documents_with(term)
        if not documents or documents > GENERIC_SHARE * facts.size:
            continue
        scored.append((weight * math.log(1 + facts.size / (documents + 1)), term))
    scored.sort(reverse=True)
    chosen = scored[:n]
    if not chosen:
        return ()
    strongest = chosen[0][0]
    return tuple(
        Clause(
            (Alternative((term,)),),
            words=(term,),
            weight=round(FEEDBACK_WEIGHT * value / strongest, 4),
        )
        for value, term in chosen
    )


def explain(
    hits: Iterable[Hit], clauses: tuple[Clause, ...], snippets: bool = True
) -> tuple[Hit, ...]:
    """Return `hits` with their matched words, the words they miss and (if `snippets`) their
    snippets filled in."""
    wanted = tuple(
        dict.fromkeys(
            term for c in clauses for alt in c.alternatives if not alt.prefix for term in alt.terms
        )
    )
    out = []
    for hit in hits:
        body = " ".join(t for t in (str(hit.fields.get(n) or "") for n in SNIPPET_FIELDS) if t)
        if not clauses:
            out.append(replace(hit, snippet=analysis.highlight(body, ())) if snippets else hit)
            continue
        present: AbstractSet[str]
        if hit.terms is not None:
            present = hit.terms
            snippet = analysis.highlight(body, wanted) if snippets else hit.snippet
        else:
            present = analysis.term_set(str(hit.fields.get(n) or "") for n in TITLE_FIELDS)
            if snippets:
                snippet = analysis.highlight(body, wanted, present=present)
            else:
                snippet = hit.snippet
                present |= analysis.term_set((body,))
        held = [c for c in clauses if _holds(c, present)]
        out.append(
            replace(
                hit,
                snippet=snippet,
                matched_terms=tuple(t for t in wanted if t in present),
                matched_clauses=len(held),
                missing=tuple(" ".join(c.words) for c in clauses if c not in held),
            )
        )
    return tuple(out)


def _holds(clause: Clause, present: AbstractSet[str]) -> bool:
    for alt in clause.alternatives:
        if alt.prefix:
            if any(term.startswith(alt.terms[0]) for term in present):
                return True
        elif all(term in present for term in alt.terms):
            return True
    return False
