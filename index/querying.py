"""Pure query building: users' text and filters -> the engine-neutral Query (index.query).

Nothing here raises on users' text. Quotes make phrases, a leading "-" or NOT excludes a
word, OR joins two words, "word*" is a bounded prefix; everything else (brackets, colons,
"field:value", stray operators, control characters, emoji) is just separators or words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict, Unpack

from index import analysis, schema
from index.query import Alternative, Clause, Preference, Query, Signed

#: Most clauses (words, phrases, synonym groups) used from one search; the rest are dropped.
MAX_CLAUSES = 32
#: Most clauses used from prose (a need as a SIP notes it, index.service.Request.prose): a
#: need is read whole (MAX_CHARS bounds it), as its priority is often its last sentence.
PROSE_MAX_CLAUSES = 160
#: Most characters of users' text read; the rest is dropped with a notice.
MAX_CHARS = 2_000
#: Shortest prefix allowed before "*" (shorter ones are searched as plain words).
MIN_PREFIX = 3
#: Most terms a prefix may expand to in a backend.
MAX_PREFIX_TERMS = 64
#: Most words in a quoted phrase.
MAX_PHRASE = 8


class InvalidQuery(ValueError):
    """A parameter other than the text is not allowed: unknown facet, sort or page."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ParsedText(Signed):
    clauses: tuple[Clause, ...] = ()
    notice: str | None = None
    #: True when the text used quotes, exclusions, OR or a prefix: written on purpose.
    operators: bool = False
    #: Every word of the text as typed (folded, stop words kept), in order.
    said: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def highlight_terms(self) -> tuple[str, ...]:
        """Return the analysed terms worth marking in a snippet (all positive alternatives)."""
        out: dict[str, None] = {}
        for clause in self.positive:
            for alt in clause.alternatives:
                if not alt.prefix:
                    out.update(dict.fromkeys(alt.terms))
        return tuple(out)


# A token of the user's text: a quoted phrase, or a run of non-space characters.
_LEXER = re.compile(r'"([^"]*)"?|(\S+)')
_OPERATORS = {"AND", "OR", "NOT", "&&", "||", "!"}
_WORD_CHARS = re.compile(r"\w+(?:&\w+)*")


def clean(text: str) -> tuple[str, str | None]:
    """Return `text` normalised (NFKC, control characters removed, bounded length) and any notice."""
    notice = None
    if not isinstance(text, str):
        text = ""
    if len(text) > MAX_CHARS:
        cut = text[:MAX_CHARS]
        # Cut at a space so the last word is not a fragment.
        text = cut[: cut.rfind(" ")] if " " in cut[MAX_CHARS // 2 :] else cut
        notice = f"Your search was too long: only the first {MAX_CHARS:,} characters were used."
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else c for c in text
    )
    # Smart quotes typed on tablets are quotes too.
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return text, notice


@dataclass(frozen=True)
class _Piece:
    words: tuple[str, ...]  # folded words
    #: Typed in quotes: searched for as written, one word or a phrase (Clause.quoted).
    quoted: bool = False
    negated: bool = False
    prefix: bool = False
    or_before: bool = False
    #: A sentence, or a clause of one, ends after it (Clause.ends).
    ends: bool = False
    #: Whether each word was typed with two or more capitals (analysis.in_capitals).
    capitals: tuple[bool, ...] = ()


#: What ends a sentence or a clause of one, after a word (a wildcard, closing brackets and
#: quotes aside).
_ENDS = re.compile(r"\w[*)\]}'\"’]*[.;:!?]")
#: The same after a closing quote ('"reading for pleasure": boys').
_AFTER_QUOTE_ENDS = re.compile(r"[)\]}]*[.;:!?]")


def _lex(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    negate_next = False
    or_next = False
    for match in _LEXER.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        negated = negate_next
        negate_next = False
        if quoted is not None:
            raw = _WORD_CHARS.findall(quoted)[:MAX_PHRASE]
            if raw:
                ends = bool(_AFTER_QUOTE_ENDS.match(text, match.end()))
                pieces.append(
                    _Piece(
                        tuple(analysis.fold(w) for w in raw),
                        quoted=True,
                        negated=negated,
                        or_before=or_next,
                        ends=ends,
                        capitals=tuple(analysis.in_capitals(w) for w in raw),
                    )
                )
                or_next = False
            continue
        assert bare is not None
        if bare in _OPERATORS:
            if bare in ("NOT", "!"):
                negate_next = True
            elif bare in ("OR", "||"):
                or_next = bool(pieces)
            continue
        if bare.startswith("-") and len(bare) > 1:
            negated = True
            bare = bare.lstrip("-")
        prefix = bare.rstrip(")]}>.,;!?").endswith("*")
        words = list(_WORD_CHARS.finditer(bare))
        for i, word in enumerate(words):
            last = i == len(words) - 1
            pieces.append(
                _Piece(
                    (analysis.fold(word.group()),),
                    negated=negated,
                    prefix=prefix and last and len(word.group()) >= MIN_PREFIX,
                    or_before=or_next and i == 0,
                    # "satisfactory:" or "Y6." ends here; "e.g" and "3.5" run on.
                    ends=bool(_ENDS.match(bare, word.end() - 1))
                    and (last or not bare[word.end() + 1 : word.end() + 2].isalnum()),
                    capitals=(analysis.in_capitals(word.group()),),
                )
            )
        found = [w.group() for w in words]
        if found:
            or_next = False
    return pieces


def parse_text(text: str, max_clauses: int = MAX_CLAUSES) -> ParsedText:
    """Parse users' text into clauses, the first `max_clauses` of them; never raises, whatever
    the text."""
    text, notice = clean(text)
    pieces = _lex(text)
    syns = analysis.synonyms()
    clauses: list[Clause] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        clause: Clause | None
        if piece.quoted:
            clause = _quoted_clause(piece)
            i += 1
        elif piece.prefix:
            term = piece.words[0]
            alternative = Alternative((term,), prefix=True)
            clause = Clause((alternative,), piece.words, piece.negated, ends=piece.ends)
            i += 1
        else:
            # Gather a run of plain words with the same sign to look for multi-word synonyms.
            run = [piece]
            j = i + 1
            while (
                j < len(pieces)
                and not pieces[j - 1].ends
                and not pieces[j].quoted
                and not pieces[j].prefix
                and not pieces[j].or_before
                and pieces[j].negated == piece.negated
            ):
                run.append(pieces[j])
                j += 1
            start = len(clauses)
            clauses.extend(_word_clauses(run, syns))
            if run[0].or_before and len(clauses) > start:
                _merge_or(clauses, start)
            i = j
            continue
        if clause is not None:
            clauses.append(clause)
            if piece.or_before and len(clauses) >= 2:
                _merge_or(clauses, len(clauses) - 1)
    unique: dict[tuple[tuple[Alternative, ...], bool], Clause] = {}
    for clause in clauses:
        unique.setdefault((clause.alternatives, clause.negated), clause)
    clauses = list(unique.values())
    if len(clauses) > max_clauses:
        clauses = clauses[:max_clauses]
        notice = (
            notice or f"Your search had too many words: only the first {max_clauses} were used."
        )
    if text.strip() and not clauses and not notice:
        notice = "Your search had no words we could use, so all listings are shown."
    operators = any(p.quoted or p.negated or p.prefix or p.or_before for p in pieces)
    said = tuple(w for p in pieces for w in p.words)
    return ParsedText(tuple(clauses), notice, operators, said)


def said_words(text: str) -> tuple[str, ...]:
    """Return the words of `text` folded as parse_text folds them into ParsedText.said (which
    leaves out a search's operators, OR and NOT)."""
    return tuple(analysis.fold(w) for w in _WORD_CHARS.findall(text))


def plain_words(text: str) -> str:
    """Return `text` without quotes, exclusions, operators or wildcards: just its words."""
    cleaned, _notice = clean(text)
    return " ".join(_WORD_CHARS.findall(cleaned.replace("*", " ")))


def _merge_or(clauses: list[Clause], index: int) -> None:
    """Merge clauses[index] into the clause before it: either may match."""
    if index <= 0 or index >= len(clauses):
        return
    before, after = clauses[index - 1], clauses[index]
    if before.negated != after.negated:
        return
    alts = tuple(dict.fromkeys(before.alternatives + after.alternatives))
    clauses[index - 1] = Clause(alts, before.words + after.words, before.negated, True)
    del clauses[index]


def _quoted_clause(piece: _Piece) -> Clause | None:
    """A quoted word or phrase: its words in order, or a synonym of the whole ("KS2": "key
    stage 2"); never corrected, expanded, read as context or as filler (index.understanding)."""
    terms, typed = _typed_terms([piece])
    if not terms:
        return None
    syns = analysis.synonyms()
    forms = syns.expand(tuple(terms)) if syns.spelt(tuple(terms), typed) else (tuple(terms),)
    alts = tuple(Alternative(form) for form in forms)
    return Clause(
        alts,
        piece.words,
        piece.negated,
        len(alts) > 1,
        quoted=True,
        ends=piece.ends,
        capitals=any(piece.capitals),
    )


def _typed_terms(run: list[_Piece]) -> tuple[list[str], list[tuple[str, bool]]]:
    """Return the analysed terms of the words of `run`, and for each the word it came from as
    (folded word, typed in capitals): how it was spelt decides which forms it reads as."""
    terms: list[str] = []
    typed: list[tuple[str, bool]] = []
    for piece in run:
        capitals = piece.capitals or (False,) * len(piece.words)
        for word, upper in zip(piece.words, capitals, strict=True):
            for term in analysis.analyse(word):
                terms.append(term)
                typed.append((word, upper))
    return terms, typed


def _as_written(
    run: list[_Piece], origin: list[int], group: analysis.SynonymGroup, form: tuple[str, ...]
) -> bool:
    """Whether the words that gave `form` were typed as one of the group's labels writes it:
    next to each other, or with the label's own stop words between ("speech and language"),
    never with others ("Reception to Year 1" is not "reception year")."""
    first, last = origin[0], origin[-1]
    if last - first + 1 == len(set(origin)):
        return True
    typed = analysis.stop_pattern(" ".join(p.words[0] for p in run[first : last + 1]))
    return any(
        analysis.stop_pattern(label) == typed
        for label in group.labels
        if tuple(analysis.analyse(label)) == form
    )


def _word_clauses(run: list[_Piece], syns: analysis.Synonyms) -> list[Clause]:
    # Analyse each word alone (stop words vanish) but remember which word each term came from.
    terms: list[str] = []
    origin: list[int] = []
    typed: list[tuple[str, bool]] = []
    for at, piece in enumerate(run):
        found, spelt = _typed_terms([piece])
        terms.extend(found)
        typed.extend(spelt)
        origin.extend([at] * len(found))
    out: list[Clause] = []
    k = 0
    while k < len(terms):
        length, group = 1, None
        for n, candidate in syns.matches(terms, k):
            form = tuple(terms[k : k + n])
            # "sending" is not SEND, though the stemmer makes both "send".
            if syns.spelt(form, typed[k : k + n]) and _as_written(
                run, origin[k : k + n], candidate, form
            ):
                length, group = n, candidate
                break
        used = [run[at] for at in dict.fromkeys(origin[k : k + length])]
        words = tuple(p.words[0] for p in used)
        negated = used[0].negated
        ends = run[-1].ends and k + length == len(terms)  # the run's last words
        upper = any(c for p in used for c in p.capitals)
        # Words analysis drops were typed between this clause's words and the last clause's.
        spaced = k > 0 and origin[k] - origin[k - 1] > 1
        if group is None:
            alts: tuple[Alternative, ...] = (Alternative((terms[k],)),)
            clause = Clause(alts, words, negated, ends=ends, capitals=upper, spaced=spaced)
        else:
            alts = tuple(Alternative(f) for f in group.forms)
            clause = Clause(alts, words, negated, True, ends=ends, capitals=upper, spaced=spaced)
        out.append(clause)
        k += length
    return out


# --- Whole queries ----------------------------------------------------------------------------


class QueryOptions(TypedDict, total=False):
    """The parameters of a Query other than its words and filters (defaults: `query_of`)."""

    sort: str
    page: int
    per_page: int
    facets: Iterable[str] | None
    prefer: Mapping[str, Iterable[str]] | Iterable[Preference] | None
    exclude_ids: Iterable[int]
    tie_seed: int
    must_match: int | None
    now: datetime | None
    passed: Iterable[str]


def build_query(
    text: str = "",
    filters: Mapping[str, Iterable[str]] | None = None,
    **options: Unpack[QueryOptions],
) -> Query:
    """Return a Query; raise InvalidQuery for an unknown facet or sort or a bad page (never for text)."""
    return query_of(parse_text(text).clauses, filters, **options)


def query_of(
    clauses: Iterable[Clause] = (),
    filters: Mapping[str, Iterable[str]] | None = None,
    *,
    sort: str = schema.DEFAULT_SORT,
    page: int = 1,
    per_page: int = 20,
    facets: Iterable[str] | None = None,
    prefer: Mapping[str, Iterable[str]] | Iterable[Preference] | None = None,
    exclude_ids: Iterable[int] = (),
    tie_seed: int = 0,
    must_match: int | None = None,
    now: datetime | None = None,
    boosts: Iterable[Clause] = (),
    passed: Iterable[str] = (),
) -> Query:
    """Return a Query of already analysed clauses; raise InvalidQuery for a bad parameter."""
    if sort not in schema.SORTS:
        raise InvalidQuery(
            "sort", f"Unknown sort {sort!r}; choose one of {', '.join(schema.SORTS)}."
        )
    if not isinstance(page, int) or page < 1:
        raise InvalidQuery("page", "The page must be a whole number of at least 1.")
    if not isinstance(per_page, int) or not 1 <= per_page <= schema.MAX_PER_PAGE:
        raise InvalidQuery(
            "per_page", f"Results per page must be between 1 and {schema.MAX_PER_PAGE}."
        )
    facet_names = schema.FACETS if facets is None else tuple(facets)
    for name in facet_names:
        if name not in schema.FACETS:
            raise InvalidQuery("facets", f"Unknown facet {name!r}.")
    dates = tuple(sorted(set(passed)))
    for name in dates:
        if name not in schema.COMPARED:
            raise InvalidQuery(
                "passed", f"Unknown date {name!r}; known: {', '.join(schema.COMPARED)}."
            )
    if dates and now is None:
        raise InvalidQuery("passed", "A filter on a date needs the moment of the search (now).")
    return Query(
        clauses=tuple(clauses),
        must_match=must_match,
        filters=_facet_values("filter", filters),
        prefer=_preferences(prefer),
        exclude_ids=frozenset(int(i) for i in exclude_ids),
        facets=tuple(dict.fromkeys(facet_names)),
        sort=sort,
        page=page,
        per_page=per_page,
        tie_seed=int(tie_seed),
        now=now,
        boosts=tuple(boosts),
        passed=dates,
    )


def _preferences(
    prefer: Mapping[str, Iterable[str]] | Iterable[Preference] | None,
) -> tuple[Preference, ...]:
    if not prefer:
        return ()
    if isinstance(prefer, Mapping):
        items = [
            Preference(name, frozenset(str(v) for v in values)) for name, values in prefer.items()
        ]
    else:
        items = list(prefer)
    out = []
    for item in sorted(items, key=lambda p: p.facet):
        if item.facet not in schema.FACETS:
            raise InvalidQuery(item.facet, f"Unknown preference {item.facet!r}.")
        if len(item.values) > schema.MAX_VALUES_PER_FACET:
            raise InvalidQuery(
                item.facet, f"Too many values (at most {schema.MAX_VALUES_PER_FACET})."
            )
        if item.values:
            out.append(item)
    return tuple(out)


def _facet_values(
    what: str, values: Mapping[str, Iterable[str]] | None
) -> tuple[tuple[str, frozenset[str]], ...]:
    out = []
    for name, selected in sorted((values or {}).items()):
        if name not in schema.FACETS:
            raise InvalidQuery(name, f"Unknown {what} {name!r}; known: {', '.join(schema.FACETS)}.")
        chosen = frozenset(str(v) for v in selected if str(v))
        if len(chosen) > schema.MAX_VALUES_PER_FACET:
            raise InvalidQuery(name, f"Too many values (at most {schema.MAX_VALUES_PER_FACET}).")
        if chosen:
            out.append((name, chosen))
    return tuple(out)


def check_query(query: Query) -> None:
    """Raise InvalidQuery if a Query built by hand names an unknown facet or sort or a bad page."""
    query_of(
        (),
        dict(query.filters),
        sort=query.sort,
        page=query.page,
        per_page=query.per_page,
        facets=query.facets,
        prefer=query.prefer,
        now=query.now,
        passed=query.passed,
    )
