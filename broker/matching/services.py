"""The matcher: a school's need -> assured listings that can serve it, best first, with reasons.

How a need is matched (issue 5, "Matching"):

- Words. The need's text is parsed by the index's own query parser (so the domain's synonyms
  and abbreviations apply). Each concept is checked against the directory alone: a word that
  finds nothing is replaced by the index's spelling correction; a word found in more than
  GENERIC_SHARE of the directory ("pupils", "support") says little and is left out unless
  nothing else is left. The remaining concepts are searched together with OR, so a listing
  matching more of the need's concepts (rarer ones weigh more) ranks higher. The need is read
  as prose (index.service.Request.prose): "Year 6" may find a listing too, lightly, and so may
  the words that the best matches share (pseudo-relevance feedback).
- The need's area of support: its listings that share none of the words compete too, below
  the word matches (TOPIC_SHARE), and the reasons say so.
- Area, ECM outcomes, pupil groups and the school's SEN specialisms raise a listing's score
  (the index's `prefer`) without filtering.
- Hard rules, applied in the index query AND re-checked on the database rows:
  phase (see `school_phases`), where the listing works (the school's LA, else its region; or
  national: delivered online, a regional listing still serves only its area), public
  (assured, in date, two schools).
- Evidence re-ranks the pool: valid recommendations and, where brokerage exists, the impact
  of earlier brokered work (broker.evidence.brokerage_outcomes).
- Capacity: listings of providers that say they are not taking new work (as of today) are
  placed as if they scored NOT_TAKING_SHARE of their score, so after the others that match
  about as well, and the reasons say so when they were (broker.availability); a provider's
  days available this term are a reason too.
- Diversity: at most MAX_PER_PROVIDER suggestions from one provider in the first ten.
- When the words find nothing, listings are matched on area/outcomes/pupil groups/SEN only,
  and the reasons say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session, col, select

from broker import availability
from broker.errors import InvalidInput
from broker.evidence import brokerage_outcomes, recommendation_counts
from broker.geography import Geography, reach
from broker.models import Listing, LocalAuthority, Provider, utcnow
from broker.search.engine import SearchEngine, listing_cosines
from broker.taxonomy import (
    CATEGORIES,
    ECM_OUTCOMES,
    PHASES,
    PUPIL_GROUPS,
    REGIONS,
    SCHOOLS_NEEDED,
    SEN_SPECIALISMS,
)
from index import adapting, analysis, semantic, service
from index.documents import Hit, Results
from index.query import Preference

#: Candidates fetched from the index and re-ranked (evidence, diversity).
POOL = 50
#: How much each thing the SIP recorded raises a listing that has it: score * (1 + weight).
PREFERENCE_WEIGHTS = {"category": 0.5, "ecm": 0.5, "pupil_group": 0.5, "sen": 0.5}
#: Suggestions scoring less than this share of the best one are not shown (too weak): on the
#: judged needs this leaves 7 suggestions a need instead of 9, and loses almost no good one.
#: This is the floor for scores of words alone; MEANING_FLOOR is the one for blended scores.
SCORE_FLOOR = 0.15
#: How much the meaning of a listing (since 5 December the closer of its title and summary and
#: its title and description's start: engine.listing_texts) counts beside the words it shares with
#: the need (index.semantic; engine.meaning()): score = best * ((1 - w) * score / best
#: + w * cosine). Chosen on the training set and three earlier judged sets (w 0.3-0.7, the
#: listing's text with or without its description): nDCG@10 0.936 -> 0.946 training, 0.921 ->
#: 0.927 first exam, 0.960 -> 0.960 second, 0.931 -> 0.953 holdout; then on the blind set, run
#: only before and after, 0.952 -> 0.966 (benchmarks/matcher_experiments.md). Since the need's
#: vector is moved by index.adapting its meaning says more: 0.6 (with MEANING_FLOOR 0.3) did
#: better on four of the six sets used to choose and 0.001-0.002 worse on two
#: (benchmarks/search_meaning.md, 4 December, afternoon).
MEANING_WEIGHT = 0.6
#: The blended scores are closer together, so their floor is higher: 0.3 of the best shows
#: about as many suggestions a need as SCORE_FLOOR did on words alone (8-9).
MEANING_FLOOR = 0.3
#: A suggestion this close in meaning to the need (cosine, the need's vector moved by
#: index.adapting) says so in its reasons: of the suggestions shown for the first exam's,
#: second exam's and holdout's needs, 61-71% of those judged exactly the need, 27-31% of those
#: judged clearly useful and 4-8% of the unjudged (at 0.45 before the adapter: 52-57%, 21-30%
#: and 4-6%). Since a listing is as close as the closer of its two readings (5 December), 0.5
#: gave it to 84% of the exact, 39% of the clearly useful and 7% of the unjudged; 0.52 to 80%,
#: 34% and 4.5% (0.53: 76%, 31%, 3.5%; benchmarks/search_meaning.md).
MEANING_NOTE = 0.52
#: A listing of a provider not taking new work is placed as if it scored this share of its
#: score: after the listings of providers taking new work that match about as well, not after
#: ones that match much less (a timetabling expert booked until March still comes before a
#: lettings service that shares a word or two with the need). At 0.5 "about as well" reached
#: down to half: coaching for a new head taking on a school that requires improvement (the
#: best match by far) came after a pupil premium review scoring 0.54 of it. 0.7 on the ten sets
#: with such a provider that may be read or checked: matcher 0.9777 -> 0.9788, none lower
#: (benchmarks/search_meaning.md, 6 December, last).
NOT_TAKING_SHARE = 0.7
#: Suggestions one provider may have among the first DIVERSITY_WINDOW.
MAX_PER_PROVIDER = 2
DIVERSITY_WINDOW = 10
#: A concept found in more than this share of the directory is too common to say much.
GENERIC_SHARE = 0.3
#: Most results one call may ask for.
MAX_LIMIT = 50
#: Most of the need's words one suggestion's reasons name, in the need's order; the rest are
#: counted ("and 6 more"): a long need, read whole, may share twenty words with a listing.
REASON_WORDS = 12
#: Words the best listings share that re-rank the suggestions (index.service.feedback):
#: measured on the judged needs, nDCG@10 training 0.951 -> 0.954, exam 0.886 -> 0.897. (The
#: directory search gained as much, 0.916 -> 0.925 and 0.851 -> 0.860, but at 30-40% more CPU
#: a search: it does without.)
#: Since 3 December the feedback words also find listings (index.service.Request.prose), and
#: seven do better than six: see TOPIC_SHARE for the figures.
FEEDBACK_TERMS = 7
#: Listings of the need's area of support that share none of its words also compete, the best
#: TOPIC_POOL of them by the SIP's other choices (outcomes, groups, SEN), each scoring at most
#: TOPIC_SHARE of the best word match: a Year 6 to Year 7 listing for "anxious about moving
#: up", the careers programme for "leaving with no place in education, employment or training".
#: With the prose search, nDCG@10 on the judged needs: training 0.929 -> 0.936, the first exam
#: (since used to choose) 0.898 -> 0.921.
TOPIC_SHARE = 0.2
TOPIC_POOL = 20
#: Evidence weights: per valid recommending school beyond the two that let a provider in
#: (counted up to RECOMMENDATIONS_CAP), and per impact point above "some impact" (2 of 4)
#: for each brokered piece of work (counted up to BROKERAGE_CAP).
RECOMMENDATION_WEIGHT = 0.04
RECOMMENDATIONS_CAP = 6
IMPACT_WEIGHT = 0.05
BROKERAGE_CAP = 5

#: School types whose phase, for matching, is their type's (whatever phase they give).
_TYPE_PHASE = {
    "community-special-school": "special",
    "foundation-special-school": "special",
    "pru": "pru",
    "nursery-school": "early-years",
}
#: A school's phase -> the listing phases that serve it.
_PHASES_SERVING = {
    "all-through": ("all-through", "primary", "secondary"),
}


@dataclass(frozen=True)
class SchoolContext:
    """The school a need belongs to; every value a taxonomy slug (LA by its code)."""

    phase: str | None = None
    la_code: str | None = None
    region: str | None = None
    type: str | None = None
    sen_specialisms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Need:
    """One need (a SIP's priority): words, and optional area, ECM outcomes and pupil groups (slugs)."""

    text: str
    category: str | None = None
    ecm_outcomes: tuple[str, ...] = ()
    pupil_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    listing: Listing
    provider: Provider
    #: Relative to the best suggestion for the same need (1.0).
    score: float
    reasons: list[str] = field(default_factory=list)
    #: The provider's capacity in words as of today ("" when it said nothing).
    capacity_note: str = ""
    #: False when its provider says it is not taking new work (it is then placed lower).
    taking: bool = True


def school_phases(school: SchoolContext) -> frozenset[str]:
    """Return the listing phases that serve `school` (empty: phase unknown, no phase rule).

    A special school (by type) matches as "special", a pupil referral unit as "pru" and a
    nursery school as "early-years", whatever phase it gives; an all-through school is served
    by listings for all-through, primary or secondary schools; any other school by its phase.
    """
    phase = _TYPE_PHASE.get(school.type or "") or school.phase
    if not phase:
        return frozenset()
    return frozenset(_PHASES_SERVING.get(phase, (phase,)))


# --- the words of a need ---------------------------------------------------------------------

_STRIP = re.compile(r'["*]|(?<!\w)-')


def _as_written(text: str) -> dict[str, str]:
    """Return {folded word: the word as the user first wrote it}."""
    out: dict[str, str] = {}
    for match in re.finditer(r"\w+(?:&\w+)*", text):
        out.setdefault(analysis.fold(match.group()), match.group())
    return out


_OPERATORS = re.compile(r"\b(?:AND|OR|NOT)\b|&&|\|\||!")


def _plain(text: str) -> str:
    """Return a SIP's note as search words: quotes, stars, dashes and operators are plain text.

    The words keep their case, so that abbreviations ("HoDs", "EHCP") are never corrected
    into other words (index.spelling.abbreviations)."""
    return _OPERATORS.sub(
        lambda m: m.group().lower() if m.group().isalpha() else " ", _STRIP.sub(" ", text)
    )


def _words_matched(results: Results, hit: Hit | None, written: Mapping[str, str]) -> list[str]:
    """Return the need's words (as written) that the hit matched: never filler; a stretch read
    as context ("Year 6", "primary") only as the need's prose finds by it (service.prose_clauses)."""
    if hit is None:
        return []
    missing = set(hit.missing)
    return [
        " ".join(written.get(w, w) for w in words.split())
        for words in results.words
        if words not in missing
    ]


# --- where a listing works -------------------------------------------------------------------


def _serves(listing: Listing, school: SchoolContext) -> str | None:
    """Return how `listing` reaches the school ("la", "region", "national", "anywhere"), or None."""
    return reach(listing, school.la_code, school.region)


_SERVES_REASON = {
    "la": "serves your LA",
    "region": "serves your region",
    "national": "works nationally",
}


# --- evidence --------------------------------------------------------------------------------


def outcome_of(value: Any) -> tuple[int, float | None]:
    """Read one brokerage outcome as (times evaluated, mean impact 1-4 or None).

    Accepts a (count, mean) pair, a mapping or an object with count and average_impact/mean.
    """
    if value is None:
        return 0, None
    if isinstance(value, tuple | list) and len(value) == 2:
        count, mean = value
    elif isinstance(value, Mapping):
        count = value.get("count", 0)
        mean = value.get("average_impact", value.get("mean"))
    else:
        count = getattr(value, "count", 0)
        mean = getattr(value, "average_impact", getattr(value, "mean", None))
    try:
        n = int(count or 0)
        avg = float(mean) if mean is not None else None
    except (TypeError, ValueError):
        return 0, None
    return n, avg


def _evidence_factor(recommendations: int, brokered: tuple[int, float | None]) -> float:
    extra = min(max(recommendations - SCHOOLS_NEEDED, 0), RECOMMENDATIONS_CAP)
    factor = 1.0 + RECOMMENDATION_WEIGHT * extra
    count, mean = brokered
    if count and mean is not None:
        factor *= 1.0 + IMPACT_WEIGHT * (mean - 2.0) * min(count, BROKERAGE_CAP)
    return max(factor, 0.5)


# --- suggest ---------------------------------------------------------------------------------


@dataclass
class _Candidate:
    listing: Listing
    provider: Provider
    hit: Hit | None
    score: float
    reasons: list[str]
    capacity_note: str = ""
    taking: bool = True


def suggest(
    session: Session,
    engine: SearchEngine,
    school: SchoolContext,
    need: Need,
    limit: int = 10,
) -> list[Suggestion]:
    """Return up to `limit` public listings for `need` at `school`, best first, with reasons."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    hidden = engine.catch_up(session)
    backend = engine.backend
    now = utcnow()
    phases = school_phases(school)
    filters: dict[str, frozenset[str]] = {}
    if phases:
        filters["phase"] = phases
    if school.la_code:
        filters["la"] = Geography.load(session).la_filter({school.la_code})
    elif school.region:
        filters["region"] = frozenset({school.region})
    prefer = tuple(
        Preference(name, frozenset(values), PREFERENCE_WEIGHTS[name])
        for name, values in (
            ("category", (need.category,) if need.category else ()),
            ("ecm", need.ecm_outcomes),
            ("pupil_group", need.pupil_groups),
            ("sen", school.sen_specialisms),
        )
        if values
    )
    pool = max(POOL, limit * 2)

    written = _as_written(need.text)
    # Any of the need's meaningful words may match; listings matching more of them come first.
    results = service.search(
        backend,
        service.Request(
            text=_plain(need.text),
            filters=filters,
            prefer=prefer,
            per_page=pool,
            exclude_ids=hidden,
            now=now,
            must_match=1,
            feedback=FEEDBACK_TERMS,
            expand=True,
            prose=True,
        ),
    )
    corrections = {written.get(typed, typed): fixed for typed, fixed in results.corrections}
    by_words = bool(results.hits) and results.clauses > 0
    if not by_words:
        if not prefer:
            return []
        results = service.search(
            backend,
            service.Request(
                filters=filters, prefer=prefer, per_page=pool, exclude_ids=hidden, now=now
            ),
        )
    hits = results.hits
    by_topic: dict[int, float] = {}
    if by_words and need.category and TOPIC_SHARE:
        of_area = service.search(
            backend,
            service.Request(
                filters={**filters, "category": frozenset({need.category})},
                prefer=prefer,
                per_page=TOPIC_POOL,
                exclude_ids=hidden | {hit.id for hit in hits},
                now=now,
            ),
        )
        best = max((hit.score for hit in of_area.hits), default=0.0)
        if best > 0:
            by_topic = {hit.id: hit.score / best for hit in of_area.hits}
            hits = (*hits, *of_area.hits)

    candidates = _hydrate(session, hits)
    counts = recommendation_counts(session, {int(p.id or 0) for _, p, _ in candidates})
    outcomes: Mapping[int, Any] = brokerage_outcomes(
        session, [int(item.id or 0) for item, _, _ in candidates]
    )
    la_region = _la_region(session, school)
    region_label = (
        REGIONS.label_of(la_region or school.region or "") if (la_region or school.region) else ""
    )

    best_words = max((hit.score for hit in results.hits), default=1.0) if by_words else 1.0
    where = SchoolContext(school.phase, school.la_code, la_region or school.region, school.type)
    today = availability.today(now)
    kept: list[_Candidate] = []
    for listing, provider, hit in candidates:
        if phases and not phases & set(listing.phases):
            continue
        serves = _serves(listing, where)
        if serves is None:
            continue
        recs = counts.get(int(provider.id or 0), 0)
        if not listing.is_public(now, recs):
            continue
        matched_prefs = _matched_preferences(listing, need, school)
        if not by_words and not matched_prefs:
            continue
        brokered = outcome_of(outcomes.get(int(listing.id or 0)))
        # Found by the need's area alone: its share of the best word match's score, or None.
        topical = by_topic.get(hit.id) if hit is not None else None
        topical_only = topical is not None
        reasons = _reasons(
            listing,
            _words_matched(results, hit, written) if by_words and not topical_only else [],
            corrections,
            "topic" if topical_only else "words" if by_words else "",
            phases,
            serves,
            recs,
            brokered,
            need,
            school,
            region_label,
        )
        capacity = availability.of(provider)
        taking = capacity.taking(today)
        note = capacity.describe(today)
        if not taking:
            reasons.append(f"{note[:1].lower()}{note[1:]}")
        elif capacity.days is not None and capacity.until is None:
            reasons.append(note)
        base = hit.score if hit is not None and hit.score > 0 else 1.0
        if topical is not None:
            base = TOPIC_SHARE * best_words * topical
        kept.append(
            _Candidate(
                listing,
                provider,
                hit,
                base * _evidence_factor(recs, brokered),
                reasons,
                note,
                taking,
            )
        )

    # A need written only as choices (an area, outcomes, groups) has no meaning to compare.
    encoder = engine.meaning() if need.text.strip() else None
    if encoder is not None:
        # Corrected, the need's words are what the model reads ("attendence" in pieces says
        # little).
        said = results.suggestion if by_words and results.corrected and results.suggestion else None
        _by_meaning(kept, replace(need, text=said) if said else need, encoder, engine.vector_file())
    kept.sort(key=lambda c: -c.score)
    # Fewer, better suggestions: listings that share much less of the need than the best one
    # are left to a directory search.
    kept = _strong(kept, MEANING_FLOOR if encoder is not None else SCORE_FLOOR)
    ordered = _diversify(_taking_first(kept))[:limit]
    top = max((c.score for c in ordered), default=1.0)
    return [
        Suggestion(
            c.listing,
            c.provider,
            round(c.score / top, 4) if top else 0.0,
            c.reasons,
            c.capacity_note,
            c.taking,
        )
        for c in ordered
    ]


def _taking_first(ranked: list[_Candidate]) -> list[_Candidate]:
    """Return the candidates (best first) with those of providers not taking new work placed
    as if they scored NOT_TAKING_SHARE of their score: after the taking providers' that match
    about as well, each saying so when one that scored less was placed before it.

    Before diversity: one provider's listings beyond its share of the first ten still come
    after another's that is not taking new work, so the first ten stay varied."""
    placed = sorted(ranked, key=lambda c: -(c.score if c.taking else c.score * NOT_TAKING_SHARE))
    for i, candidate in enumerate(placed):
        if not candidate.taking and any(c.taking and c.score < candidate.score for c in placed[:i]):
            note = candidate.capacity_note
            moved = f"{note[:1].lower()}{note[1:]}"
            candidate.reasons = [
                f"{r}: placed after providers that are" if r == moved else r
                for r in candidate.reasons
            ]
    return placed


def _strong(ranked: list[_Candidate], floor: float) -> list[_Candidate]:
    """Return the candidates scoring at least `floor` of the best one (best first)."""
    top = ranked[0].score if ranked else 0.0
    return [c for c in ranked if c.score >= floor * top]


def _by_meaning(
    kept: list[_Candidate],
    need: Need,
    encoder: semantic.Encoder,
    store: semantic.VectorFile | None = None,
) -> None:
    """Blend each candidate's score with how close it is to the need (the closer of its
    readings, engine.listing_cosines: its title and summary, its title and description's start).

    The share of the best score a candidate had (by words, area, evidence) counts
    1 - MEANING_WEIGHT and its cosine with the need MEANING_WEIGHT: for a nursery whose "staff
    fire questions at children rather than commenting and modelling words", the course on
    communication and language comes before phonics books that share "words"."""
    if not kept:
        return
    alike = listing_cosines(
        encoder,
        adapting.meaning_of(encoder, need.text, share=adapting.NEEDS_TUNED_SHARE),
        [c.listing for c in kept],
        store,
    )
    best = max(c.score for c in kept) or 1.0
    for candidate, cosine in zip(kept, alike, strict=True):
        candidate.score = best * semantic.blend(candidate.score / best, cosine, MEANING_WEIGHT)
        if cosine >= MEANING_NOTE:
            candidate.reasons.insert(
                _after_words(candidate.reasons), "close in meaning to the need"
            )


def _after_words(reasons: Sequence[str]) -> int:
    """Where a reason about the match goes: after the area and the words, before the facets."""
    for i, reason in enumerate(reasons):
        if not reason.startswith(("area: ", "words: ", "none of the need's", "no listing used")):
            return i
    return len(reasons)


def _la_region(session: Session, school: SchoolContext) -> str | None:
    if not school.la_code:
        return None
    return session.exec(
        select(LocalAuthority.region).where(LocalAuthority.code == school.la_code)
    ).first()


def _hydrate(session: Session, hits: Sequence[Hit]) -> list[tuple[Listing, Provider, Hit | None]]:
    """Return (listing, provider, hit) in hit order for hits whose listing is public now."""
    ids = [hit.id for hit in hits]
    if not ids:
        return []
    rows = session.exec(
        select(Listing, Provider)
        .join(Provider, col(Provider.id) == Listing.provider_id)
        .where(col(Listing.id).in_(ids))
    ).all()
    by_id = {int(listing.id or 0): (listing, provider) for listing, provider in rows}
    now = utcnow()
    out: list[tuple[Listing, Provider, Hit | None]] = []
    for hit in hits:
        row = by_id.get(hit.id)
        if row is None or not row[0].is_public(now):
            continue
        out.append((row[0], row[1], hit))
    return out


def _matched_preferences(listing: Listing, need: Need, school: SchoolContext) -> list[str]:
    out = []
    if need.category and need.category in listing.categories:
        out.append("category")
    if set(need.ecm_outcomes) & set(listing.ecm_outcomes):
        out.append("ecm")
    if set(need.pupil_groups) & set(listing.pupil_groups):
        out.append("pupil_group")
    if set(school.sen_specialisms) & set(listing.sen_specialisms):
        out.append("sen")
    return out


def _labels(vocabulary: Any, wanted: Iterable[str], present: Iterable[str]) -> str:
    have = set(present)
    return ", ".join(vocabulary.label_of(s) for s in wanted if s in have)


def _reasons(
    listing: Listing,
    words: Sequence[str],
    corrections: Mapping[str, str],
    found_by: str,
    phases: frozenset[str],
    serves: str,
    recommendations: int,
    brokered: tuple[int, float | None],
    need: Need,
    school: SchoolContext,
    region_label: str,
) -> list[str]:
    reasons: list[str] = []
    if need.category and need.category in listing.categories:
        reasons.append(f"area: {CATEGORIES.label_of(need.category)}")
    if found_by == "topic":
        reasons.append("none of the need's words: suggested for its area of support")
    elif found_by and not words:
        reasons.append("none of the need's words: written like its best matches")
    elif found_by:
        reason = "words: " + ", ".join(words[:REASON_WORDS])
        if len(words) > REASON_WORDS:
            reason += f" and {len(words) - REASON_WORDS} more"
        fixed = [f"{typed} → {right}" for typed, right in corrections.items()]
        if fixed:
            reason += " (spelling corrected: " + "; ".join(fixed) + ")"
        reasons.append(reason)
    else:
        reasons.append("no listing used the need's words: matched on area, outcomes and groups")
    outcomes = _labels(ECM_OUTCOMES, need.ecm_outcomes, listing.ecm_outcomes)
    if outcomes:
        reasons.append(f"outcome: {outcomes}")
    groups = _labels(PUPIL_GROUPS, need.pupil_groups, listing.pupil_groups)
    if groups:
        reasons.append(f"pupil group: {groups}")
    sen = _labels(SEN_SPECIALISMS, school.sen_specialisms, listing.sen_specialisms)
    if sen:
        reasons.append(f"SEN: {sen}")
    if phases:
        served = [s for s in PHASES.slugs if s in phases and s in listing.phases]
        reasons.append("phase: " + ", ".join(PHASES.label_of(s) for s in served))
    if serves in _SERVES_REASON:
        reason = _SERVES_REASON[serves]
        if serves == "region" and region_label:
            reason += f" ({region_label})"
        reasons.append(reason)
    reasons.append(f"recommended by {recommendations} schools")
    count, mean = brokered
    if count:
        times = "once" if count == 1 else f"{count} times"
        reasons.append(
            f"brokered {times}, average impact {mean:.1f}/4" if mean is not None else times
        )
    return reasons


def _diversify(ranked: Sequence[_Candidate]) -> list[_Candidate]:
    """Keep at most MAX_PER_PROVIDER per provider in the first DIVERSITY_WINDOW; the rest after."""
    first: list[_Candidate] = []
    later: list[_Candidate] = []
    per_provider: dict[int, int] = {}
    for candidate in ranked:
        pid = int(candidate.provider.id or 0)
        if len(first) < DIVERSITY_WINDOW and per_provider.get(pid, 0) < MAX_PER_PROVIDER:
            first.append(candidate)
            per_provider[pid] = per_provider.get(pid, 0) + 1
        else:
            later.append(candidate)
    if len(first) < DIVERSITY_WINDOW:
        # Too few others to fill the first ten: what is left would break the rule there.
        return first
    return first + later


# --- for the diagnosis and brokerage features --------------------------------------------------


def context_of(school_row: Any) -> SchoolContext:
    """Return the SchoolContext of a School row (reads .phase, .type, .sen_specialisms, .la)."""
    la = getattr(school_row, "la", None)
    return SchoolContext(
        phase=getattr(school_row, "phase", None) or None,
        la_code=getattr(la, "code", None),
        region=getattr(la, "region", None),
        type=getattr(school_row, "type", None) or None,
        sen_specialisms=tuple(getattr(school_row, "sen_specialisms", None) or ()),
    )


def need_of(priority_row: Any) -> Need:
    """Return the Need of a Priority row (reads .description, .category, .ecm_outcomes, .pupil_groups)."""
    return Need(
        text=getattr(priority_row, "description", "") or "",
        category=getattr(priority_row, "category", None) or None,
        ecm_outcomes=tuple(getattr(priority_row, "ecm_outcomes", None) or ()),
        pupil_groups=tuple(getattr(priority_row, "pupil_groups", None) or ()),
    )


def suggest_for_priority(
    session: Session, engine: SearchEngine, school_row: Any, priority_row: Any, limit: int = 10
) -> list[Suggestion]:
    """Return suggestions for a recorded priority of a school (School and Priority rows, duck-typed).

    Reads .description, .category, .ecm_outcomes and .pupil_groups from the priority, and
    .phase, .type, .sen_specialisms and .la (.code, .region) from the school. Typical call
    from a view: ``suggest_for_priority(get_session(), get_search(), school, priority)``.
    """
    return suggest(session, engine, context_of(school_row), need_of(priority_row), limit)


# --- the public JSON request -------------------------------------------------------------------


def locate(session: Session, school: SchoolContext) -> SchoolContext:
    """Return `school` with its LA's region; raise InvalidInput if its la_code is not known.

    The request's shape is checked by broker.matching.forms; this is the rule that needs the
    database.
    """
    if school.la_code is None:
        return school
    la = session.exec(select(LocalAuthority).where(LocalAuthority.code == school.la_code)).first()
    if la is None:
        raise InvalidInput(
            "school.la_code", f"‘{school.la_code[:20]}’ is not a known local authority code."
        )
    return replace(school, la_code=la.code, region=la.region)
