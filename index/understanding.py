"""Query understanding: what the words of a search imply, decided by data (understanding.txt).

A pure function of the parsed clauses, the same for every engine:

- "context" forms (year groups, key stages, "sixth form") imply a facet value (a phase) and
  stop being required words: a listing for primary schools need not say "Year 4";
- "topic" forms ("partially sighted", "times tables") imply facet values (an SEN specialism, an
  area of support) that raise matching hits, while the words are still searched for;
- "expand" forms (everyday wordings such as "won't come to school") also match the words
  listings use for the same thing ("attendance", "EBSA"), and a shorter wording within them
  as a phrase ("deep dive" of "deep dive prep"); the words of a wording of two or more words
  also count in the score alone (`worded`), so a listing holding them as typed comes first;
  where a wording starts within one already read and runs on past it ("governors don't
  challenge" + "challenge the head"), the words past the first ("head") also match it and
  what it means, rather than being searched for alone;
- filler words ("two", "join", "last", "help") and bare numbers count in the score at most:
  a listing need not contain them and they are never given as a reason;
- quoted words, one or several, are searched for as written: never expanded nor read as
  context or filler (they may still imply a topic);
- a form that stop words reduce to one term ("A level" -> level, "in the red" -> red) matches
  only where the search says its words as written, never at every "level" or "red".

The implied values are preferences, never filters, and the search page says what it understood.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from index import analysis, querying
from index.query import Alternative, Clause

UNDERSTANDING_FILE = Path(__file__).with_name("understanding.txt")
#: How much an implied value raises a hit: score * (1 + weight) (context, topic).
CONTEXT_WEIGHT = 0.6
TOPIC_WEIGHT = 0.3

Form = tuple[str, ...]
#: Forms that match only where a search says their words as written, with those words.
Said = tuple[tuple[tuple[str, ...], Form], ...]


@dataclass(frozen=True)
class Rule:
    kind: str  # "context" | "topic" | "expand"
    forms: tuple[Form, ...]
    implies: tuple[tuple[str, str], ...] = ()
    expansions: tuple[Form, ...] = ()
    #: Forms that stop words reduce to one term ("A level" -> level), each with the words it is
    #: written with: they match only where the search says those words, in that order.
    said: Said = ()


# Compared and hashed as the object itself: the caches below are keyed by the rules, and
# hashing 2,000 rules' tuples on every search cost more than a tantivy search does.
@dataclass(frozen=True, eq=False)
class Rules:
    rules: tuple[Rule, ...]
    filler: frozenset[str]
    #: How the words typed for a form must be written to read as it (index.analysis.Writing):
    #: by its labels here and in synonyms.txt ("sending" is not SEND, "raised" not RAISE; "this
    #: year and two of them" is not "year two").
    writings: Mapping[Form, analysis.Writing] = field(default_factory=dict)
    #: The spellings that read as their form only typed in capitals ("send": SEND).
    capitals: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Implication:
    """A facet value the search's words imply, and the words (as typed) that imply it."""

    facet: str
    value: str
    words: tuple[str, ...]
    context: bool
    weight: float


@dataclass(frozen=True)
class Understanding:
    #: Clauses a hit must match (subject to the query's minimum) and negated clauses.
    clauses: tuple[Clause, ...]
    #: Clauses that only add to the score (context words, filler).
    boosts: tuple[Clause, ...]
    implied: tuple[Implication, ...]
    #: The words of each stretch read as context ("Year 6"), whether or not its facet is implied.
    contexts: tuple[tuple[str, ...], ...] = ()
    #: Each word of the everyday wordings of two or more words matched, alone, to score by (at
    #: WORDED_WEIGHT).
    worded: tuple[Clause, ...] = ()


def _read(
    text: str, writings: dict[Form, analysis.Writing] | None = None
) -> tuple[list[Form], Said]:
    """Return the analysed forms of a comma-separated list, and apart from them those that
    match only where said as written.

    A form written as several words ("A level", "A-level", "in the red"; a hyphen parts words,
    an apostrophe does not) that analyses to one term would match that term wherever it
    stands ("low-level disruption", "red"): it goes with its words, to match where a search
    says them (`Rule.said`). A word a form repeats counts once ("one-to-one TA" -> one, ta), as
    in a parsed search, which keeps a repeated word once. How each form is written
    (analysis.label_writing) goes into `writings`, when given."""
    forms: list[Form] = []
    said: dict[tuple[tuple[str, ...], Form], None] = {}
    for raw in text.split(","):
        form = tuple(dict.fromkeys(analysis.analyse(raw.strip())))
        if writings is not None and form:
            writing = analysis.label_writing(raw.strip(), analysis.synonyms().listed)
            if len(writing.spelling) == len(form):  # (a repeated word counts once: no writing)
                writings[form] = writing.merged(writings.get(form))
        if len(form) == 1 and len(raw.replace("-", " ").split()) > 1:
            said[(querying.said_words(raw), form)] = None
        elif form and form not in forms:
            forms.append(form)
    return forms, tuple(said)


def _forms(text: str) -> list[Form]:
    """Return the analysed forms of a comma-separated list that match wherever they stand."""
    return _read(text)[0]


def _lines(lines: Iterable[str]) -> Iterator[tuple[int, str, list[str], str]]:
    """Yield each rule line of understanding.txt as (number, kind, its head's words, what
    follows '='); a line without '=' raises ValueError naming it."""
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        head, sep, tail = line.partition("=")
        if not sep:
            raise ValueError(f"understanding.txt line {number}: no '='")
        words = head.split(None, 1)
        yield number, words[0], words, tail


def wordings(lines: Iterable[str]) -> list[tuple[str, str]]:
    """Return each everyday wording of an expand line, as written, with what it means as
    written ("bunking off", "truancy, attendance"): what index.adapting learns from."""
    return [
        (form.strip(), ", ".join(w.strip() for w in tail.split(",") if w.strip()))
        for _, kind, words, tail in _lines(lines)
        if kind == "expand" and len(words) > 1
        for form in words[1].split(",")
        if form.strip()
    ]


def wordings_digest() -> bytes:
    """The everyday wordings of understanding.txt (`wordings`), as bytes: what the map is learnt
    from, so its fingerprint changes with these and not with the file's other lines (contexts,
    topics, filler). The query encoder learns from its own copy of them
    (benchmarks/query_encoder.py, VOCABULARY)."""
    import json

    lines = UNDERSTANDING_FILE.read_text(encoding="utf-8").splitlines()
    return json.dumps(wordings(lines), ensure_ascii=False).encode("utf-8")


def parse_rules(lines: Iterable[str]) -> Rules:
    """Parse understanding.txt; a malformed line raises ValueError naming it."""
    rules: list[Rule] = []
    filler: set[str] = set()
    writings: dict[Form, analysis.Writing] = {}
    for number, kind, words, tail in _lines(lines):
        if kind == "filler":
            filler.update(t for form in _forms(tail) for t in form)
        elif kind in ("context", "topic"):
            implies = []
            for part in words[1].split(","):
                facet, _, value = part.strip().partition(":")
                if not facet or not value:
                    raise ValueError(f"understanding.txt line {number}: bad {part!r}")
                implies.append((facet, value))
            forms, said = _read(tail, writings)
            rules.append(Rule(kind, _with_synonyms(forms), tuple(implies), said=said))
        elif kind == "expand":
            forms, said = _read(words[1] if len(words) > 1 else "", writings)
            rules.append(
                Rule(kind, tuple(forms), expansions=_with_synonyms(_forms(tail)), said=said)
            )
        else:
            raise ValueError(f"understanding.txt line {number}: unknown kind {kind!r}")
    syns = analysis.synonyms()
    for form, writing in syns.writings.items():
        writings[form] = writing.merged(writings.get(form))
    return Rules(tuple(rules), frozenset(filler), writings, syns.capitals)


def _with_synonyms(forms: Sequence[Form]) -> tuple[Form, ...]:
    """Return `forms` and every form of their synonyms lines."""
    out: dict[Form, None] = {}
    for form in forms:
        out.update(dict.fromkeys(analysis.synonyms().expand(form)))
        out[form] = None
    return tuple(out)


@lru_cache(maxsize=1)
def rules() -> Rules:
    """Return the understanding rules, read once from understanding.txt."""
    return parse_rules(UNDERSTANDING_FILE.read_text(encoding="utf-8").splitlines())


# --- Understanding a search ---------------------------------------------------------------------


def _own(clause: Clause) -> Form:
    """Return the analysed form of the words the user typed for `clause`."""
    return tuple(analysis.analyse(" ".join(clause.words)))


@lru_cache(maxsize=4)
def _by_first(the_rules: Rules) -> dict[str, tuple[tuple[Form, Rule], ...]]:
    """Return every (form, rule) by the form's first term, longest forms first."""
    out: dict[str, list[tuple[Form, Rule]]] = {}
    for rule in the_rules.rules:
        for form in rule.forms:
            out.setdefault(form[0], []).append((form, rule))
    return {k: tuple(sorted(v, key=lambda fr: -len(fr[0]))) for k, v in out.items()}


@lru_cache(maxsize=4)
def _positions(the_rules: Rules) -> dict[Rule, int]:
    """Return each rule's place in the file (the first, if a rule is written twice)."""
    out: dict[Rule, int] = {}
    for number, rule in enumerate(the_rules.rules):
        out.setdefault(rule, number)
    return out


def _match_at(
    clauses: Sequence[Clause],
    owns: Sequence[Form],
    start: int,
    form: Form,
    the_rules: Rules,
    context: bool = False,
) -> int:
    """Return how many clauses from `start` spell `form` (0 if they do not), typed as its
    labels write it: spelt so ("sending" does not spell SEND; index.analysis.spelt); and for a
    `context` form (a year group, a key stage), with no words between that its labels do not
    have ("this year and two of them" is not "year two"), where an everyday wording may have
    them ("reading it aloud", "posts were unfilled")."""
    writing = the_rules.writings.get(form)
    first = clauses[start]
    if any(alt.terms == form and not alt.prefix for alt in first.alternatives) and (
        # A synonyms line's clause was read as one of its forms as typed (index.querying).
        first.expanded or analysis.spelt(writing, _typed(first, owns[start]), the_rules.capitals)
    ):
        return 1
    terms: list[str] = []
    typed: list[tuple[str, bool] | None] = []
    for end in range(start, len(clauses)):
        if clauses[end].negated:
            return 0
        spaced = end > start and clauses[end].spaced and context
        if spaced and writing is not None and not writing.spaced(len(terms)):
            return 0
        terms.extend(owns[end])
        typed.extend(_typed(clauses[end], owns[end]))
        if len(terms) >= len(form):
            spelt = analysis.spelt(writing, typed, the_rules.capitals)
            return end - start + 1 if tuple(terms) == form and spelt else 0
        if tuple(terms) != form[: len(terms)] or clauses[end].ends:
            return 0  # (no form runs on past the end of a sentence)
    return 0


def _typed(clause: Clause, own: Form) -> list[tuple[str, bool] | None]:
    """The word as typed behind each term of a clause's own form, as (folded word, typed in
    capitals); None where a clause of several words leaves it unknown."""
    if len(clause.words) == 1:
        return [(clause.words[0], clause.capitals)] * len(own)
    return [None] * len(own)


def _said_here(
    the_rules: Rules, said: Sequence[str]
) -> dict[str, dict[tuple[Form, Rule], tuple[str, ...]]]:
    """Return the one-term forms whose words the search says (`said`), by their term, each
    with those words."""
    out: dict[str, dict[tuple[Form, Rule], tuple[str, ...]]] = {}
    if not said:
        return out
    text = f" {' '.join(said)} "
    for rule, words, form in _said_forms(the_rules):
        if f" {' '.join(words)} " in text:
            out.setdefault(form[0], {}).setdefault((form, rule), words)
    return out


@lru_cache(maxsize=4)
def _said_forms(the_rules: Rules) -> tuple[tuple[Rule, tuple[str, ...], Form], ...]:
    """Return every form that matches only where said as written, with its rule and words."""
    return tuple((rule, words, form) for rule in the_rules.rules for words, form in rule.said)


#: Each word of an everyday wording of two or more words also scores alone, at this weight: a
#: listing holding the words as typed comes before one holding only what the wording means
#: ("governors understanding data": the governors' data workshop before clerking, which only
#: "governance" finds). In a need's prose they count less (service.PROSE_WORDED_WEIGHT).
WORDED_WEIGHT = 0.5


def understand(
    clauses: Sequence[Clause],
    *,
    skip_facets: Iterable[str] = (),
    the_rules: Rules | None = None,
    said: Sequence[str] = (),
) -> Understanding:
    """Return what `clauses` (a parsed search, in order) imply, and the clauses to search with.

    Facets in `skip_facets` (already filtered by the user) are not implied. Read left to right:
    at each word the longest form that matches wins ("sixth form" before "form"). `said` is
    the search's words as typed (ParsedText.said): a form that stop words reduce to one term
    ("A level", "in the red") matches only where they say it, and before any one-word form.
    """
    the_rules = the_rules or rules()
    index = _by_first(the_rules)
    position = _positions(the_rules)
    said_here = _said_here(the_rules, said)
    skip = set(skip_facets)
    positive = [c for c in clauses if not c.negated]
    negative = [c for c in clauses if c.negated]
    owns = [_own(c) for c in positive]
    implied: dict[tuple[str, str], Implication] = {}
    consumed: dict[int, str] = {}  # clause index -> "context" | "expand"
    # "yr" after a count is a year of time or age ("last yr", "2nd yr in post", "16 yr old"),
    # not Reception: it starts no form and only scores, as "year" does.
    timed = _timed(positive, owns, said)
    contexts: list[tuple[str, ...]] = []
    replacements: dict[int, Clause] = {}
    worded_at: set[int] = set()  # the clauses of everyday wordings of two or more words

    def imply(rule: Rule, words: tuple[str, ...]) -> None:
        weight = CONTEXT_WEIGHT if rule.kind == "context" else TOPIC_WEIGHT
        for facet, value in rule.implies:
            if facet in skip or (facet, value) in implied:
                continue
            implied[(facet, value)] = Implication(
                facet, value, words, rule.kind == "context", weight
            )

    for i, clause in enumerate(positive):
        if i in timed:
            continue
        # The one spanning most words first ("KS4 options" before "key stage 4", which the
        # "KS4" clause matches alone through its synonyms); then the longest form; of those as
        # long, one the search says as written ("A level"), then the first in the file.
        spoken = said_here.get(owns[i][0], {}) if len(owns[i]) == 1 else {}
        spans = {
            fr: length
            for fr in _starting(clause, owns[i], index) | set(spoken)
            if (length := _match_at(positive, owns, i, fr[0], the_rules, fr[1].kind == "context"))
        }
        candidates = sorted(
            spans,
            key=lambda fr: (-spans[fr], -len(fr[0]), fr not in spoken, position[fr[1]]),
        )
        taken = False
        for form, rule in candidates:
            if rule.kind != "topic" and (taken or i in consumed):
                continue
            length = spans[(form, rule)]
            span = range(i, i + length)
            if rule.kind != "topic" and any(positive[j].quoted for j in span):
                continue  # quoted words are searched for as written; they may still imply a topic
            words = tuple(w for j in span for w in positive[j].words)
            # What the page says was understood: "A level", not the "level" left of it.
            shown = spoken.get((form, rule), words)
            if rule.kind == "topic":
                imply(rule, shown)
                continue
            if any(j in consumed for j in span):
                continue
            taken = True
            if rule.kind == "context":
                imply(rule, shown)
                contexts.append(words)
                consumed.update(dict.fromkeys(span, "context"))
            else:
                # The words as a phrase (one word: with its synonyms), or what they mean.
                if length > 1:
                    alternatives = {Alternative(form): None}
                else:
                    alternatives = dict.fromkeys(positive[i].alternatives)
                alternatives.update(dict.fromkeys(Alternative(e) for e in rule.expansions))
                # A wording that starts within this one and runs on past it ("governors don't
                # challenge" + "challenge the head"): the words past it ("head") are one clause
                # that also matches that wording and what it means, rather than alone.
                joined = _overlapping(positive, owns, i, length, index, position, the_rules)
                if joined is not None:
                    (inner, within), reach = joined
                    rest = range(i + length, reach)
                    if len(rest) > 1:
                        extra = {Alternative(tuple(x for k in rest for x in owns[k])): None}
                    else:
                        extra = dict.fromkeys(positive[rest[0]].alternatives)
                    extra[Alternative(inner)] = None
                    extra.update(dict.fromkeys(Alternative(e) for e in within.expansions))
                    more = tuple(w for k in rest for w in positive[k].words)
                    consumed.update(dict.fromkeys(rest, "expand"))
                    replacements[rest[0]] = Clause(tuple(extra), more, False, True)
                consumed.update(dict.fromkeys(span, "expand"))
                if len(words) > 1:  # "dinner ladies" is one clause (a synonym) of two words
                    worded_at.update(span)
                # Its words still say which pupils ("KS4 options": secondary), and a shorter
                # wording within them is still matched as a phrase: "deep dive prep" finds a
                # listing on "deep dives" (not what that wording means too: it would widen).
                for j in span:
                    for inner, within in index.get(owns[j][0], ()) if owns[j] else ():
                        spanned = _match_at(
                            positive, owns, j, inner, the_rules, within.kind == "context"
                        )
                        if not spanned or j + spanned > i + length:
                            continue
                        if within.kind == "context":
                            imply(
                                within,
                                tuple(w for k in range(j, j + spanned) for w in positive[k].words),
                            )
                        elif within.kind == "expand" and 1 < spanned < length:
                            alternatives.setdefault(Alternative(inner), None)
                replacements[i] = Clause(tuple(alternatives), words, False, True)
    required: list[Clause] = []
    boosts: list[Clause] = []
    numbers: list[Clause] = []
    worded: list[Clause] = []
    for i, clause in enumerate(positive):
        if (
            i in worded_at
            and not _is_filler(clause, the_rules.filler)
            and not all(w.isdigit() for w in clause.words)
        ):
            worded.append(replace(clause, weight=WORDED_WEIGHT))
        if consumed.get(i) == "context":
            boosts.append(replace(clause, context=True))
        elif i in replacements:
            required.append(replacements[i])
        elif consumed.get(i) == "expand":
            continue
        elif i in timed and not clause.quoted:
            boosts.append(clause)
        elif clause.quoted:
            required.append(clause)  # a quoted number or filler word is asked for on purpose
        elif all(w.isdigit() for w in clause.words):
            numbers.append(clause)  # a bare number says little beside other words
        elif _is_filler(clause, the_rules.filler):
            boosts.append(clause)
        else:
            required.append(clause)
    if not required:
        # Only context, filler or numbers: search for those words after all.
        required, boosts = (boosts or numbers), []
    return Understanding(
        tuple(required + negative),
        tuple(boosts),
        tuple(implied.values()),
        tuple(contexts),
        tuple(worded),
    )


def _starting(
    clause: Clause, own: Form, index: Mapping[str, tuple[tuple[Form, Rule], ...]]
) -> set[tuple[Form, Rule]]:
    """Return the forms (with their rules) that may start at `clause`: those whose first term
    is its own or the first of one of its alternatives (a synonym: "KS4", "key stage 4")."""
    firsts = {own[0]} if own else set()
    firsts.update(alt.terms[0] for alt in clause.alternatives if alt.terms)
    return {fr for first in firsts for fr in index.get(first, ())}


def _overlapping(
    positive: Sequence[Clause],
    owns: Sequence[Form],
    start: int,
    length: int,
    index: Mapping[str, tuple[tuple[Form, Rule], ...]],
    position: Mapping[Rule, int],
    the_rules: Rules,
) -> tuple[tuple[Form, Rule], int] | None:
    """Return the everyday wording (form, rule) that starts within the span of `length`
    clauses from `start` and runs on furthest past its end, with where it ends; None if none
    does (of those reaching as far, the longest form, then the first in the file). Quoted
    words are searched for as written: no wording runs into them."""
    end = start + length
    found: list[tuple[tuple[Form, Rule], int]] = []
    for j in range(start + 1, end):
        for form, rule in _starting(positive[j], owns[j], index):
            if rule.kind != "expand":
                continue
            spanned = _match_at(positive, owns, j, form, the_rules)
            reach = j + spanned
            if not spanned or reach <= end or any(positive[k].quoted for k in range(end, reach)):
                continue
            found.append(((form, rule), reach))
    if not found:
        return None
    return min(found, key=lambda f: (-f[1], -len(f[0][0]), position[f[0][1]]))


#: Words that say how many years, or which year of several, when "yr" follows them.
_COUNT_WORDS = frozenset(
    ("last", "this", "next", "first", "second", "third", "fourth", "fifth", "final", "each")
    + ("every", "per")
)


def _counts(word: str) -> bool:
    """Whether `word` counts years: a number, an ordinal ("2nd") or a word like "last"."""
    word = word.lower()
    return word in _COUNT_WORDS or bool(re.fullmatch(r"\d+(st|nd|rd|th)?", word))


def _timed(positive: Sequence[Clause], owns: Sequence[Form], said: Sequence[str]) -> set[int]:
    """Return the clauses that are a "yr" after a count. The words as typed (`said`) tell,
    stop words and all ("this yr"); without them, the clause before does ("2nd yr")."""
    yrs = [i for i, own in enumerate(owns) if own == ("yr",)]
    places = [k for k, word in enumerate(said) if word == "yr"]
    if said and len(places) == len(yrs):
        return {i for i, k in zip(yrs, places, strict=True) if k > 0 and _counts(said[k - 1])}
    return {
        i for i in yrs if i > 0 and positive[i - 1].words and _counts(positive[i - 1].words[-1])
    }


def _is_filler(clause: Clause, filler: frozenset[str]) -> bool:
    if clause.expanded or len(clause.alternatives) != 1:
        return False
    terms = clause.alternatives[0].terms
    return all(t in filler for t in terms)
