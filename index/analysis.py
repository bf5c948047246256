"""Text analysis shared by indexing and querying: tokens, stems, synonyms and snippets.

One analysis for both sides, so a word is reduced to the same term in a document and in a
query. The domain's synonyms and abbreviations are data (synonyms.txt), expanded at query time.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from pathlib import Path

import Stemmer

# A word is letters/digits, with an inner "&" kept ("G&T"); apostrophes split ("children's").
_TOKEN = re.compile(r"\w+(?:&\w+)*")
#: What parts two words of a text as a phrase: a word between them (a stop word).
_SPACED = re.compile(r"\w")

#: Function words: never indexed or searched (the same list on both sides). Words that carry
#: meaning in the domain's phrases ("more able", "most able", "under fives", "catch-up") stay.
#: The tails of contractions are function words too ("we're" is "we" + "re"); "d" and "m"
#: are not, as grades ("C/D borderline"), nor "won". Contractions typed without their
#: apostrophe ("cant", "dont") are what they contract ("wont" is "won": STEM_EXCEPTIONS).
STOP_WORDS = frozenset(
    """
    a about after again against am an and any are as at be because been before between
    both but by can could did do does doing during each for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me my myself
    nor not now of on once or ours ourselves s she should so such t than that the their theirs
    them themselves then there these they this those through to too until us very was we were
    what when where which while who whom why will with would yet you your yours yourself tbd
    re ve ll aren isn wasn weren hasn haven hadn doesn didn don couldn shouldn wouldn mustn
    cant dont doesnt didnt isnt arent wasnt werent havent hasnt hadnt couldnt shouldnt wouldnt
    mustnt theyre youre weve theyve
    """.split()  # noqa: SIM905  (a readable block of words)
)

#: Longest word we index or search (longer tokens are dropped: no real word is this long).
MAX_TOKEN = 40

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")


@dataclass(frozen=True)
class Token:
    """One analysed word: its term, its position among kept words, and where it is in the text."""

    term: str
    position: int
    start: int
    end: int
    word: str


def fold(word: str) -> str:
    """Return `word` lower-cased with accents removed."""
    word = word.lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    # One Snowball stemmer per thread: a stemmer object keeps state between calls.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


#: Abbreviations whose plural Snowball leaves whole ("NQTs", "TAs"): see STEM_EXCEPTIONS.
_SINGULARS = frozenset(
    """
    nqt rqt slt smt dsl sbm npq tlr dht ht mhst gpc cpd sdp fgb gp ta lsa hlta ppa sla
    """.split()  # noqa: SIM905  (a readable block of words)
)

#: Words whose Snowball stem they would share with a word of another meaning in schools: the
#: moderation of assessments is not "moderate" learning difficulties (both "moder"), nor is
#: mindfulness the charities with "Minds" in their names (both "mind"), nor coaching a coach
#: hired for a trip (both "coach"). A change here changes what the index holds: bump the
#: backends' FORMAT (index/backends/), so indexes are rebuilt.
STEM_EXCEPTIONS = {
    **dict.fromkeys(
        ("moderation", "moderations", "moderating", "moderated", "moderator", "moderators"),
        "moderation",
    ),
    **dict.fromkeys(("mindfulness", "mindful"), "mindful"),
    # Coaching (of staff or pupils) is not a coach (a bus, as often as a person): "coaching for a
    # new head" found "16- to 57-seat coach hire". "coach" and "coaches" keep their stem.
    **dict.fromkeys(("coaching", "coachings", "coached"), "coaching"),
    "wont": "won",
    # Plurals of the field's abbreviations that Snowball leaves whole ("NQTs", "TAs"), read as
    # their singular as "SENCOs" and "EHCPs" already are. Not every final "s" of an
    # abbreviation is a plural: QTS, DBS, TTRS, NHS and PBS are not listed.
    **{f"{singular}s": singular for singular in _SINGULARS},
}
#: Plurals of a word of letters then digits, as year groups and key stages are written ("Y9s",
#: "KS2s", "Y12s"; "MP3s" too), read as their singular; "1990s" and "3s" are left as they are.
#: A change here changes what the index holds (as STEM_EXCEPTIONS).
_PLURAL_YEAR = re.compile(r"[a-z]+[0-9]+s")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Return the English (Snowball) stem of a folded word (but for STEM_EXCEPTIONS and plural
    abbreviations); digits and "&" words stay as they are."""
    if _PLURAL_YEAR.fullmatch(word):
        return word[:-1]
    if not word.isalpha():
        return word
    return STEM_EXCEPTIONS.get(word) or str(_stemmer().stemWord(word))


@lru_cache(maxsize=200_000)
def term_of(raw: str) -> str | None:
    """Return the analysed term of one raw word, or None for a stop word or an overlong word."""
    word = fold(raw)
    if word in STOP_WORDS or len(word) > MAX_TOKEN:
        return None
    return stem(word)


def tokens(text: str) -> Iterator[Token]:
    """Yield the analysed tokens of `text`: folded, stop words removed, stemmed."""
    position = 0
    for match in _TOKEN.finditer(text):
        word = fold(match.group())
        if word in STOP_WORDS or len(word) > MAX_TOKEN:
            continue
        yield Token(stem(word), position, match.start(), match.end(), word)
        position += 1


def term_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (term, start, end) of each kept word of `text`: tokens() without a Token per word."""
    for match in _TOKEN.finditer(text):
        term = term_of(match.group())
        if term is not None:
            yield term, match.start(), match.end()


def analyse(text: str) -> list[str]:
    """Return the analysed terms of `text` in order."""
    return [t.term for t in tokens(text)]


def index_text(text: str) -> str:
    """Return the analysed terms of `text` joined by spaces: what an engine indexes for it.

    Every backend splits this on whitespace, so documents and queries are analysed by this
    module alone, the same way whatever the engine.
    """
    return " ".join(filter(None, map(term_of, _TOKEN.findall(text))))


def words(text: str) -> list[str]:
    """Return the folded, unstemmed words of `text` (stop words kept) for the spelling vocabulary."""
    return [w for m in _TOKEN.finditer(text) if len(w := fold(m.group())) <= MAX_TOKEN]


def spelling_words(text: str) -> str:
    """Return the distinct words of `text` worth offering as spelling corrections, space-joined."""
    return " ".join(dict.fromkeys(w for w in words(text) if len(w) > 2 and w.isalpha()))


# --- Synonyms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynonymGroup:
    """Forms that mean the same thing; each form is a tuple of analysed terms."""

    forms: tuple[tuple[str, ...], ...]
    labels: tuple[str, ...]


def is_abbreviation(word: str) -> bool:
    """Whether `word`, as written in the data, is an abbreviation: one word with two or more
    capitals ("SEND", "SATs", "SENCo", "G&T"; not "Year", nor "Y4")."""
    return bool(_TOKEN.fullmatch(word)) and sum(c.isupper() for c in word) >= 2


def in_capitals(word: str) -> bool:
    """Whether a word was typed as an abbreviation is written: with two or more capitals."""
    return sum(c.isupper() for c in word) >= 2


def _numbers(folded: str) -> set[str]:
    """A spelling and its plural or singular: a final "s" added or dropped ("EHCPs", "HT")."""
    return {folded, folded[:-1] if folded.endswith("s") and len(folded) > 2 else folded + "s"}


@dataclass(frozen=True)
class Writing:
    """How a form is written by the labels of the data that give it, which says how a search
    must type it to read as it.

    `spelling` has a place a term: None where any word with the term will do; else the
    spellings (folded) that do ("SEND": "send", "sends"; never "sending", which the stemmer
    also makes "send"). `gaps` has a place a term after the first: whether a label writes
    words between it and the term before that analysis drops ("speech and language"), so that
    a search may have them there too ("this year and two of them" is not "year two")."""

    spelling: tuple[frozenset[str] | None, ...]
    gaps: tuple[bool, ...]

    def merged(self, other: Writing | None) -> Writing:
        """Two labels' writing of one form: a place is free where either leaves it free."""
        if other is None or len(other.spelling) != len(self.spelling):
            return self
        return Writing(
            tuple(
                None if a is None or b is None else a | b
                for a, b in zip(self.spelling, other.spelling, strict=True)
            ),
            tuple(a or b for a, b in zip(self.gaps, other.gaps, strict=True)),
        )

    def spaced(self, at: int) -> bool:
        """Whether a search may have words analysis drops before the form's term `at` (> 0)."""
        return at <= 0 or at > len(self.gaps) or self.gaps[at - 1]


def label_writing(label: str, listed: AbstractSet[str] = frozenset()) -> Writing:
    """Return how `label` (as written in the data) writes its form: an abbreviation, or a word
    `listed` (folded) to read only as written, must be typed as spelt (or with a final "s"
    added or dropped), any other word by its term; and where it has stop words between."""
    spelling: list[frozenset[str] | None] = []
    gaps: list[bool] = []
    dropped = False
    for match in _TOKEN.finditer(label):
        word = match.group()
        if term_of(word) is None:
            dropped = True
            continue
        if spelling:
            gaps.append(dropped)
        dropped = False
        folded = fold(word)
        spelling.append(
            frozenset(_numbers(folded)) if is_abbreviation(word) or folded in listed else None
        )
    return Writing(tuple(spelling), tuple(gaps))


def spelt(
    writing: Writing | None,
    typed: Sequence[tuple[str, bool] | None],
    capitals: AbstractSet[str],
) -> bool:
    """Whether words typed as (folded word, in capitals), a term each (None: not known), spell
    a form as `writing` says. A spelling in `capitals` spells a form of one word only typed in
    capitals ("SEND"; "send" alone is the verb); among other words it is the abbreviation
    whatever its case ("raise online")."""
    if writing is None:
        return True
    alone = len(writing.spelling) == 1
    for allowed, word in zip(writing.spelling, typed, strict=False):
        if allowed is None or word is None:
            continue
        folded, upper = word
        if folded not in allowed or (alone and folded in capitals and not upper):
            return False
    return True


class Synonyms:
    """The synonym groups, looked up by the analysed terms of a query (longest form first).

    `writings` says how a form's words must be typed to read as it (`label_writing`), and
    `capitals` which spellings do only typed in capitals; `listed` are the words listed to read
    only as written (synonyms.txt's "as written" line), folded."""

    def __init__(
        self,
        groups: Iterable[SynonymGroup],
        writings: Mapping[tuple[str, ...], Writing] | None = None,
        capitals: AbstractSet[str] = frozenset(),
        listed: AbstractSet[str] = frozenset(),
    ) -> None:
        self.groups = tuple(groups)
        self.writings = dict(writings or {})
        self.capitals = frozenset(capitals)
        self.listed = frozenset(listed)
        self._by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for index, group in enumerate(self.groups):
            for form in group.forms:
                self._by_first.setdefault(form[0], []).append((form, index))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))

    def match(
        self, terms: tuple[str, ...] | list[str], start: int
    ) -> tuple[int, SynonymGroup | None]:
        """Return (length, group) of the longest form starting at terms[start], or (1, None)."""
        found: tuple[int, SynonymGroup | None] = next(self.matches(terms, start), (1, None))
        return found

    def matches(
        self, terms: tuple[str, ...] | list[str], start: int
    ) -> Iterator[tuple[int, SynonymGroup]]:
        """Yield (length, group) of every form starting at terms[start], the longest first."""
        for form, index in self._by_first.get(terms[start], ()):
            if tuple(terms[start : start + len(form)]) == form:
                yield len(form), self.groups[index]

    def spelt(self, form: tuple[str, ...], typed: Sequence[tuple[str, bool] | None]) -> bool:
        """Whether the words typed for `form` ((folded word, in capitals) a term; None: not
        known) spell it as a label of a synonyms line writes it ("sending" is not SEND)."""
        return spelt(self.writings.get(form), typed, self.capitals)

    def written(
        self,
        form: tuple[str, ...],
        typed: Sequence[tuple[str, bool] | None],
        spaced: Sequence[bool],
    ) -> bool:
        """Whether words typed for `form` are written as a label writes it: spelt so
        (`spelt`), and with words between two of them (`spaced`: before each; the first's is
        not read) only where a label has words there."""
        writing = self.writings.get(form)
        if writing is not None and any(
            gap and not writing.spaced(at) for at, gap in enumerate(spaced) if at
        ):
            return False
        return spelt(writing, typed, self.capitals)

    def expand(self, form: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        """Return every form equivalent to `form` (itself included)."""
        length, group = self.match(form, 0)
        if group is None or length != len(form):
            return (form,)
        return group.forms


def stop_pattern(text: str) -> tuple[str, ...]:
    """Return the shape of `text` as its stop words tell it: each kept term as "", each stop
    word as itself ("Reception to Year 1" -> ("", "to", "", "")), to tell a phrase typed with a
    word between ("reception to year") from one written without ("reception year")."""
    shape: list[str] = []
    for word in words(text):
        kept = analyse(word)
        shape.extend([""] * len(kept) if kept else [word])
    return tuple(shape)


#: The synonyms line that lists forms read only as written, not by their stem alone.
AS_WRITTEN = "as written"


def parse_synonyms(lines: Iterable[str]) -> Synonyms:
    """Parse synonym lines: comma-separated forms of one meaning; '#' starts a comment. A line
    "as written = ..." lists forms read only as written: an abbreviation that is an everyday
    word in lower case ("SEND") only typed in capitals, a word ("adopted") only spelt so."""
    lines_of_labels: list[tuple[str, ...]] = []
    written: list[str] = []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        head, sep, tail = line.partition("=")
        if sep and head.strip().lower() == AS_WRITTEN:
            written.extend(part.strip() for part in tail.split(",") if part.strip())
            continue
        lines_of_labels.append(tuple(part.strip() for part in line.split(",") if part.strip()))
    listed = frozenset(fold(w) for w in written if not is_abbreviation(w))
    writings: dict[tuple[str, ...], Writing] = {}
    groups = []
    for labels in lines_of_labels:
        forms: list[tuple[str, ...]] = []
        for label in labels:
            form = tuple(analyse(label))
            if not form:
                continue
            writings[form] = label_writing(label, listed).merged(writings.get(form))
            if form not in forms:
                forms.append(form)
        if len(forms) > 1:
            groups.append(SynonymGroup(tuple(forms), labels))
    own = {fold(label) for labels in lines_of_labels for label in labels}
    capitals = {
        spelling
        for word in written
        if is_abbreviation(word)
        for spelling in _numbers(fold(word))
        # "SAT" is listed, but "SATs" is a label: "sats" reads as it typed in any case.
        if spelling == fold(word) or spelling not in own
    }
    return Synonyms(groups, writings, frozenset(capitals), listed)


def spelled_out(text: str, syns: Synonyms | None = None) -> str:
    """Return `text` with the domain's words for what it abbreviates added ("EBSA in Y8" ->
    "EBSA in Y8 (emotionally based school avoidance)"): a sentence model knows few of them.

    Each synonym line a word or phrase of the text names adds its fullest written form (the
    most words; the first of those), when longer than what was typed and not in the text."""
    syns = syns or synonyms()
    found = list(tokens(text))
    terms = [t.term for t in found]
    typed = [(t.word, in_capitals(text[t.start : t.end])) for t in found]
    # Whether words (stop words) stand between each term and the one before it.
    spaced = [
        i > 0 and bool(_SPACED.search(text, found[i - 1].end, t.start)) for i, t in enumerate(found)
    ]
    added: list[str] = []
    i = 0
    while i < len(terms):
        length, group = next(
            (
                (n, g)
                for n, g in syns.matches(terms, i)
                if syns.written(tuple(terms[i : i + n]), typed[i : i + n], spaced[i : i + n])
            ),
            (1, None),
        )
        if group is not None:
            fullest = max(group.labels, key=lambda label: len(analyse(label)))
            if len(analyse(fullest)) > length and fullest.lower() not in text.lower():
                added.append(fullest)
        i += length
    added = list(dict.fromkeys(added))
    return f"{text} ({'; '.join(added)})" if added else text


@lru_cache(maxsize=1)
def synonyms() -> Synonyms:
    """Return the domain's synonyms, read once from synonyms.txt."""
    return parse_synonyms(SYNONYMS_FILE.read_text(encoding="utf-8").splitlines())


# --- Snippets ---------------------------------------------------------------------------------

SNIPPET_CHARS = 220
#: Snippets are taken from the first this-many characters (long descriptions cost time).
MAX_SNIPPET_SOURCE = 4_000


def highlight(
    text: str, terms: Iterable[str], size: int = SNIPPET_CHARS, present: set[str] | None = None
) -> str:
    """Return an HTML fragment: the passage of `text` with most `terms`, escaped, matches in <mark>.

    Without a match, the start of the text. Text is always escaped; only <mark> is added.
    `present`, when given, receives every analysed term of `text` (one pass serves both).
    """
    wanted = frozenset(terms)
    if present is not None and len(text) > MAX_SNIPPET_SOURCE:
        present.update(t for t in map(term_of, _TOKEN.findall(text)) if t is not None)
        present = None
    text = text[:MAX_SNIPPET_SOURCE]
    hits = _term_hits(text, wanted, present) if wanted or present is not None else []
    if not hits:
        return _escape_passage(text, 0, size, [])
    # The window (starting at a hit) covering the most distinct terms, earliest on ties.
    best, best_score = 0, -1
    for i, (first_start, _end, _term) in enumerate(hits):
        seen = {h[2] for h in hits[i:] if h[1] - first_start <= size}
        if len(seen) > best_score:
            best, best_score = i, len(seen)
    first_start = hits[best][0]
    # Start a little before the first hit, at a word boundary.
    start = max(0, first_start - size // 4)
    if start:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and first_start - space < size // 2 else start
    marks = [(h[0], h[1]) for h in hits if h[0] >= start and h[1] <= start + size]
    return _escape_passage(text, start, size, marks)


def _term_hits(
    text: str, wanted: frozenset[str], present: set[str] | None = None
) -> list[tuple[int, int, str]]:
    # Analyse every word with C-speed maps; then find only the matching words' places.
    words = _TOKEN.findall(text)
    terms = list(map(term_of, words))
    if present is not None:
        present.update(t for t in terms if t is not None)
    matching = frozenset(compress(words, map(wanted.__contains__, terms)))
    if not matching:
        return []
    # Every matching word is a wanted term, so term_of gives a str here.
    return [
        (m.start(), m.end(), term_of(m.group()) or "")
        for m in _words_pattern(matching).finditer(text)
    ]


@lru_cache(maxsize=2048)
def _words_pattern(words: frozenset[str]) -> re.Pattern[str]:
    """Return a pattern finding any of `words` as whole words (longest first)."""
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return re.compile(rf"(?<![\w&])(?:{alternatives})(?![\w&])")


def _escape_passage(text: str, start: int, size: int, marks: list[tuple[int, int]]) -> str:
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + size // 2 else end
    out = ["\u2026"] if start > 0 else []
    pos = start
    for mark_start, mark_end in marks:
        if mark_end > end:
            break
        out.append(html.escape(text[pos:mark_start]))
        out.append(f"<mark>{html.escape(text[mark_start:mark_end])}</mark>")
        pos = mark_end
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append("\u2026")
    return _squash("".join(out)).strip()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def term_set(texts: Iterable[str]) -> set[str]:
    """Return the analysed terms occurring in any of `texts`."""
    present: set[str] = set()
    for text in texts:
        present.update(term for term in map(term_of, _TOKEN.findall(text)) if term is not None)
    return present


def matched_terms(texts: Iterable[str], terms: Iterable[str]) -> tuple[str, ...]:
    """Return the `terms` that occur in any of `texts`, in the order given."""
    present: set[str | None] = set()
    for text in texts:
        present.update(map(term_of, _TOKEN.findall(text)))
    return tuple(t for t in dict.fromkeys(terms) if t in present)


# --- The vocabulary for a device ----------------------------------------------------------------

#: The word pattern as a JavaScript regular expression (flags "gu"): `_TOKEN` in a browser.
JS_WORD_PATTERN = r"[\p{L}\p{N}_]+(?:&[\p{L}\p{N}_]+)*"


def device_vocabulary(texts: Iterable[str]) -> dict[str, object]:
    """Return what a browser needs to analyse `texts` and queries about them as this module does.

    The analysis stays here: a device gets the word pattern, the stop words, the synonym groups
    (as analysed forms) and, instead of a stemmer, each word of `texts` and of the synonyms whose
    term is not the word itself. A query word the map lacks cannot stem to a term of `texts`
    unless it is already that term, so the map is enough to match as the server does.
    """
    stems: dict[str, str] = {}
    groups = synonyms().groups
    raws: set[str] = set()
    # Each distinct word once: a directory's texts repeat a few thousand words many times over.
    for text in texts:
        raws.update(_TOKEN.findall(text))
    for label in (label for group in groups for label in group.labels):
        raws.update(_TOKEN.findall(label))
    for raw in sorted(raws):  # the same bundle, byte for byte, from every server process
        word = fold(raw)
        if word in STOP_WORDS or len(word) > MAX_TOKEN:
            continue
        term = stem(word)
        if term != word:
            stems[word] = term
    return {
        "token": JS_WORD_PATTERN,
        "max_token": MAX_TOKEN,
        "stop_words": sorted(STOP_WORDS),
        "stems": dict(sorted(stems.items())),
        "synonyms": [[list(form) for form in group.forms] for group in groups],
    }
