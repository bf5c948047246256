"""Spelling: which typed words are misspelt, and what to offer instead, decided once for every
engine.

A word is never "corrected" just because the directory does not hold it: a word the directory
holds, an English word, one of the domain's abbreviations or phrases, a number or a word with
digits is a real word. English is what a dictionary spells (SCOWL's words, as symspellpy ships
them) and what is written often enough to be a word (wordfreq's English list, at least about six
times in a hundred million words: names, places, new words such as "dyspraxia"), but for the
common misspellings that are written that often too ("assesment", "seperate": codespell's
list of them, from Wikipedia's, read as data), and a common prefix made of an English word
("upskilled": not "unskilled"). Only a word that none of these knows is misspelt. A misspelling
codespell lists is corrected as it says ("allready": "already"); a word run together
("esafety") is split where both halves are in the directory ("e safety"); any other is
corrected to the nearest word the directory holds (one edit, two for longer words), the most
frequent first, but never to a word the search would leave out or only score by (a stop or
filler word: "Afgan" is not "again"); failing that, to the commonly written English word one
edit away ("Afghan"), which words close in meaning may then find. A real word that is rare in
the directory and unknown to English may get a "did you mean" towards a far more frequent
neighbour, without replacing what it found.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from index import analysis, querying

#: A word in fewer documents than this is rare enough to look for a likelier neighbour.
LITTLE = 3
#: Shortest word ever corrected.
MIN_LENGTH = 3


#: The rarest English word counted as real, in wordfreq's centibels (-720: zipf 1.8, about 6
#: times in 10^8 words): "dyscalculia" and "coasting" are in, "attendence" and "governers" out.
RAREST_ENGLISH_CB = 720


def _data(distribution: str, path: str) -> str:
    """The text of a data file an installed package ships (found, not imported)."""
    return Path(str(metadata.distribution(distribution).locate_file(path))).read_text("utf-8")


@lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """Return the words an English dictionary spells: SCOWL's, British spellings included, as
    symspellpy ships them (82,765 words with their counts in Google Books)."""
    text = _data("symspellpy", "symspellpy/frequency_dictionary_en_82_765.txt")
    return frozenset(analysis.fold(line.split(" ", 1)[0]) for line in text.splitlines() if line)


@lru_cache(maxsize=1)
def codespell() -> dict[str, tuple[str, ...]]:
    """Return the common misspellings no dictionary spells, each with its corrections, the
    likeliest first: codespell's list (from Wikipedia's; CC BY-SA 3.0), less the words SCOWL
    knows ("bootle", "despatch", "wether")."""
    text = _data("codespell", "codespell_lib/data/dictionary.txt")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        typed, sep, fixes = line.partition("->")
        if sep:
            found = tuple(analysis.fold(f.strip()) for f in fixes.split(",") if f.strip())
            out.setdefault(analysis.fold(typed), found)
    spelt = dictionary()
    return {typed: fixes for typed, fixes in out.items() if typed not in spelt}


def listed_correction(word: str, vocabulary: Mapping[str, int]) -> str | None:
    """Return codespell's correction of a misspelling it lists ("allready": "already", not
    the directory's "all ready"): the first whose words are all real, the first of those the
    directory holds if any does; None if it lists none."""
    fixes = [
        fix
        for fix in codespell().get(word, ())
        if all(is_real(part, vocabulary) for part in fix.split())
    ]
    held = [f for f in fixes if all(vocabulary.get(part, 0) for part in f.split())]
    return next(iter(held or fixes), None)


@lru_cache(maxsize=1)
def english() -> frozenset[str]:
    """Return the English words counted as real: the dictionary's, and those of wordfreq's large
    English list written often enough, but for common misspellings (read once; wordfreq's
    buckets are read directly so the whole list is not kept in memory)."""
    import wordfreq

    buckets = wordfreq.read_cBpack(wordfreq.available_languages("large")["en"])
    written = {analysis.fold(w) for bucket in buckets[: RAREST_ENGLISH_CB + 1] for w in bucket}
    return frozenset((written - codespell().keys()) | dictionary())


@lru_cache(maxsize=1)
def domain_words() -> frozenset[str]:
    """Return every word of the domain's synonyms and understanding files (folded, unstemmed)."""
    from index import understanding

    texts = [analysis.SYNONYMS_FILE, understanding.UNDERSTANDING_FILE]
    words: set[str] = set()
    for path in texts:
        for line in path.read_text(encoding="utf-8").splitlines():
            words.update(analysis.words(line.split("#", 1)[0]))
    return frozenset(words)


#: Prefixes that make a new word of an English one ("upskilled", "reskilled", "preloved"):
#: such a word is real though no word list has it yet.
PREFIXES = ("up", "re", "de", "pre", "over", "under", "non", "co", "mis", "out")
#: Shortest English word a prefix is counted as making a new word of ("upskilled": "skilled").
PREFIXED_MIN = 4


def is_real(word: str, vocabulary: Mapping[str, int]) -> bool:
    """Say whether `word` (folded) is a real word, however rare in the directory."""
    return (
        len(word) < MIN_LENGTH
        or not word.isalpha()
        or vocabulary.get(word, 0) > 0
        or word in domain_words()
        or word in english()
        or prefixed(word)
    )


def prefixed(word: str) -> bool:
    """Whether `word` (folded) is a common prefix and an English word ("upskilled"), and no
    misspelling codespell lists ("untill")."""
    return word not in codespell() and any(
        word.startswith(prefix)
        and len(word) - len(prefix) >= PREFIXED_MIN
        and word[len(prefix) :] in english()
        for prefix in PREFIXES
    )


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


def closest(
    word: str, vocabulary: Mapping[str, int], better_than: int = 0, telling: bool = False
) -> str | None:
    """Return the most frequent vocabulary word nearest `word` (same first letter; one edit,
    or two for words of five letters or more) held by more than `better_than` documents; when
    `telling`, not a stop or filler word (one a search leaves out or only scores by)."""
    candidates = _buckets(vocabulary).by_first.get(word[:1], [])
    left_out = _filler() if telling else frozenset()
    for distance in (1, 2) if len(word) >= 5 else (1,):
        found = [
            choice
            for choice, _score, _index in process.extract(
                word, candidates, scorer=OSA.distance, score_cutoff=distance, limit=None
            )
            if choice != word
            and vocabulary.get(choice, 0) > better_than
            and (
                not telling
                or (term := analysis.term_of(choice)) is not None
                and term not in left_out
            )
        ]
        if found:
            return max(sorted(found), key=lambda w: vocabulary[w])
    return None


def _filler() -> frozenset[str]:
    """The terms of the filler words (understanding.txt), which a search only scores by."""
    from index import understanding

    return understanding.rules().filler


@lru_cache(maxsize=1)
def english_by_first() -> dict[str, list[str]]:
    """The English words (`english`), grouped by first letter: where a misspelt word's nearest
    English word is looked for (read once; `broker.search` warms it up with the rest)."""
    out: dict[str, list[str]] = {}
    for word in english():
        if word.isalpha():
            out.setdefault(word[:1], []).append(word)
    return out


#: The least written English word a misspelt word is corrected to when the directory has none
#: (zipf 3: once in a million words): "Afgan" is "Afghan" (3.8), but "wjec" (an exam board,
#: typed in lower case) is not "wec" (2.5).
COMMON_ENGLISH_ZIPF = 3.0


def closest_english(word: str) -> str | None:
    """Return the commonly written English word one edit from `word` (same first letter), the
    most often written first; None if there is none."""
    import wordfreq

    found = {
        choice: wordfreq.zipf_frequency(choice, "en")
        for choice, _score, _index in process.extract(
            word,
            english_by_first().get(word[:1], []),
            scorer=OSA.distance,
            score_cutoff=1,
            limit=None,
        )
        if choice != word
    }
    common = sorted(w for w, zipf in found.items() if zipf >= COMMON_ENGLISH_ZIPF)
    return max(common, key=found.__getitem__) if common else None


def split(word: str, vocabulary: Mapping[str, int]) -> str | None:
    """Return `word` split in two where the directory holds both halves ("esafety" -> "e
    safety"; a one-letter prefix such as e- counts), the most frequent split first; or None."""
    best: tuple[int, str] | None = None
    for cut in range(1, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        head_count = vocabulary.get(head, 0) if len(head) > 2 else (1 if len(head) == 1 else 0)
        count = min(head_count, vocabulary.get(tail, 0))
        if count and (best is None or count > best[0]):
            best = (count, f"{head} {tail}")
    return best[1] if best else None


@dataclass(frozen=True)
class Check:
    """The words of a search that look misspelt, each with its replacement."""

    #: Words no dictionary knows: replaced when the corrected words find something.
    wrong: dict[str, str] = field(default_factory=dict)
    #: Real but rare words with a much more frequent neighbour: offered, never replaced.
    doubtful: dict[str, str] = field(default_factory=dict)

    @property
    def all(self) -> dict[str, str]:
        return {**self.doubtful, **self.wrong}


_WORD = re.compile(r"[^\W\d_]+(?:&[^\W\d_]+)*")
#: Longest word in capitals read as an abbreviation (longer: someone typing in capitals).
ABBREVIATION_MAX = 5


def abbreviations(text: str) -> frozenset[str]:
    """Return the words of `text` (folded) written as abbreviations are: two capitals or more
    within a word ("HoDs", "SpLD", "RAISEonline"), or short and in capitals ("EHCP", "SEMH").
    They are names for something, never misspellings of another word."""
    out = set()
    for word in _WORD.findall(text):
        if analysis.in_capitals(word) and (not word.isupper() or len(word) <= ABBREVIATION_MAX):
            out.add(analysis.fold(word))
    return frozenset(out)


def check(
    parsed: querying.ParsedText,
    vocabulary: Mapping[str, int],
    abbreviated: frozenset[str] = frozenset(),
) -> Check:
    """Return the misspelt and doubtful words of a parsed search (never the `abbreviated`)."""
    wrong: dict[str, str] = {}
    doubtful: dict[str, str] = {}
    for clause in parsed.positive:
        if clause.expanded:
            continue  # a known abbreviation or synonym, not a misspelling
        for word in clause.words:
            if word in wrong or word in doubtful or word in abbreviated:
                continue
            known = vocabulary.get(word, 0)
            if not is_real(word, vocabulary):
                # codespell's own correction of a misspelling it lists; else the directory's
                # words, never one the search would then leave out (a filler word: "Afgan" is
                # not "again"), else English's one edit away ("Afghan").
                best = (
                    listed_correction(word, vocabulary)
                    or split(word, vocabulary)
                    or closest(word, vocabulary, telling=True)
                    or closest_english(word)
                )
                if best and analysis.stem(best) != analysis.stem(word):
                    # (a word with the directory's stem already matches); a quoted word is
                    # searched for as written: it gets a "did you mean", never a correction
                    (doubtful if clause.quoted else wrong)[word] = best
            elif (
                0 < known < LITTLE
                and word.isalpha()
                and len(word) >= MIN_LENGTH
                and word not in english()
                and word not in domain_words()
            ):
                best = closest(word, vocabulary, better_than=known * 3)
                if best:
                    doubtful[word] = best
    return Check(wrong, doubtful)


def rewrite(text: str, replacements: Mapping[str, str]) -> str:
    """Return `text` with each word in `replacements` replaced (the rest as typed)."""
    cleaned, _notice = querying.clean(text)
    out = []
    for token in cleaned.split():
        bare = analysis.fold(token.strip("\"'()[]{}*-,.;:!?"))
        out.append(
            token.lower().replace(bare, replacements[bare]) if bare in replacements else token
        )
    return " ".join(out)


def suggest(text: str, parsed: querying.ParsedText, vocabulary: Mapping[str, int]) -> str | None:
    """Return `text` with its misspelt or doubtful words replaced, or None."""
    found = check(parsed, vocabulary).all
    return rewrite(text, found) if found else None
