"""Words WordNet relates to a word: what a search's word that no listing uses may also match.

The sentence model reads most everyday words well ("nervous": "anxious"), but not the rarer
nouns that name a whole activity or thing ("conjuring", "whodunit", "specs"): their vectors are
close to nothing the directory says. WordNet (Princeton's lexical database, as Debian's
`wordnet-base` ships it) names, for each sense of a word, its synonyms and the more general
word it is a kind of ("conjuring": "magic"; "whodunit": "mystery"; "specs": "glasses").

Only what it says of nouns is used, and only of words whose first sense is likely the one
meant: a word that WordNet reads most often as a noun (by its tagged senses; one with no tagged
sense as a noun or as an adjective is read as the adjective: "holy month"), with at most
MAX_SENSES senses in all (nouns, verbs, adjectives and adverbs), and only its first sense ("a
collapse" is first an illness, "crisp" first a potato chip: both have many senses, and are left
out). index.service keeps the words the directory holds.

The table is `related.json.gz` beside this module, which `python -m index.related build` writes
from the WordNet files (a step for developers; the application needs neither WordNet nor a
library to read it). WordNet 3.0 Copyright 2006 by Princeton University; its licence is in
`related.LICENSE`.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

DATA_FILE = Path(__file__).with_name("related.json.gz")
WORDNET = Path("/usr/share/wordnet")
#: A word of more senses than this in all (nouns, verbs, adjectives, adverbs) is left out.
MAX_SENSES = 3
#: WordNet's parts of speech, in the order a word's most tagged one is chosen on a tie.
PARTS = ("noun", "verb", "adj", "adv")
#: WordNet's pointers to a more general sense: a hypernym, or the class of an instance.
GENERAL = ("@", "@i")
#: How WordNet's own morphology (morphy) reads a plural noun back to its lemma.
PLURALS = (
    ("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
    ("men", "man"), ("ies", "y"),
)  # fmt: skip


@lru_cache(maxsize=1)
def table() -> dict[str, list[str]]:
    """{noun: the words WordNet relates to its first sense}; empty without the data file."""
    try:
        with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
            data: dict[str, list[str]] = json.load(handle)
            return data
    except FileNotFoundError:
        return {}


def related(word: str) -> list[str]:
    """Return the words WordNet relates to `word` (any case; a plural read back to its noun),
    its synonyms first, then the more general words; [] for a word it does not read so."""
    nouns = table()
    word = word.lower()
    if word in nouns:
        return nouns[word]
    for ending, base in PLURALS:
        lemma = word[: len(word) - len(ending)] + base
        if word.endswith(ending) and lemma in nouns:
            return nouns[lemma]
    return []


def _synset(handle: BinaryIO, offset: int) -> tuple[list[str], list[tuple[str, int]]]:
    """The words of the synset at `offset` of a data file, and its pointers (symbol, offset)."""
    handle.seek(offset)
    fields = handle.readline().decode("utf-8", "replace").split(" | ")[0].split()
    count = int(fields[3], 16)
    words = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]) for i in range(count)]
    at = 4 + 2 * count
    pointers = []
    for _ in range(int(fields[at])):
        pointers.append((fields[at + 1], int(fields[at + 2])))
        at += 4
    return words, pointers


def build(root: Path = WORDNET, out: Path = DATA_FILE) -> int:
    """Write DATA_FILE from WordNet's database files under `root`; return how many nouns."""
    chosen: dict[str, tuple[int, str, int]] = {}  # lemma: (tagged senses, part, first offset)
    senses: dict[str, int] = {}
    for part in PARTS:
        with (root / f"index.{part}").open(encoding="utf-8", errors="replace") as index:
            for line in index:
                fields = line.split()
                if line.startswith(" ") or not fields[0].isalpha():
                    continue  # the licence at the top; phrases, hyphenated and odd words
                lemma, pointers = fields[0], int(fields[3])
                senses[lemma] = senses.get(lemma, 0) + int(fields[2])
                tagged = int(fields[5 + pointers])
                # A word no tagged sense of which is a noun or an adjective is read as the
                # adjective: a search says "holy month", not "a holy" (the place).
                first = chosen.get(lemma)
                untold = first is not None and tagged == first[0] == 0 and first[1] == "noun"
                if first is None or tagged > first[0] or (untold and part == "adj"):
                    chosen[lemma] = (tagged, part, int(fields[6 + pointers]))
    nouns: dict[str, list[str]] = {}
    with (root / "data.noun").open("rb") as data:
        for lemma, (_tagged, part, offset) in chosen.items():
            if part != "noun" or senses[lemma] > MAX_SENSES:
                continue
            synonyms, links = _synset(data, offset)
            words = list(synonyms)
            for symbol, other in links:
                if symbol in GENERAL:
                    words += _synset(data, other)[0]
            found = [w.replace("_", " ").lower() for w in words]
            found = [w for w in dict.fromkeys(found) if w != lemma]
            if found:
                nouns[lemma] = found
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as handle:
        json.dump(nouns, handle, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return len(nouns)


if __name__ == "__main__":
    if sys.argv[1:] != ["build"]:
        sys.exit("usage: python -m index.related build")
    count = build()
    print(f"wrote {DATA_FILE}: {count:,} nouns, {DATA_FILE.stat().st_size:,} bytes")
