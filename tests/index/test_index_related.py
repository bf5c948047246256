"""index.related: the words WordNet relates to a noun, read from the table built from WordNet."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from index import related
from tests.conftest import unavailable


@pytest.mark.parametrize(
    ("word", "means"),
    [
        ("conjuring", "magic"),  # the more general word: conjuring is a kind of magic
        ("whodunit", "mystery"),
        ("specs", "glasses"),  # a synonym
        ("Quakes", "earthquake"),  # a plural, in any case, read back to its noun
        ("carp", "freshwater fish"),  # a phrase
    ],
)
def test_a_rare_noun_is_related_to_its_synonyms_and_what_it_is_a_kind_of(word, means) -> None:
    assert means in related.related(word)


@pytest.mark.parametrize(
    "word",
    [
        "collapses",  # many senses: a collapse is first an illness
        "crisp",  # first an adjective; as a noun, a potato chip
        "blend",  # read most often as a verb
        "cater",  # only a verb
        "nervous",  # an adjective
        "whodunnit",  # a spelling WordNet lacks
        "holy",  # a noun (a holy place) and an adjective, neither tagged: the adjective
        "zzxq",
    ],
)
def test_a_word_of_many_senses_or_not_read_as_a_noun_has_none(word) -> None:
    assert related.related(word) == []


def _wordnet(folder: Path) -> None:
    """Write a small WordNet in WordNet's own file format: `conjuring` (a kind of `magic`),
    `magic`, `bolt` (a noun of one sense, but read as a verb too, more often: its tagged
    senses), and `carp` (a kind of `fish`) and `holy` (a holy place), each a noun of no tagged
    sense, `carp` a verb too and `holy` an adjective too, with no tagged sense either."""
    synsets = {
        "magic": "09 n 02 magic 0 thaumaturgy 0 000",
        "conjuring": "09 n 02 conjuring 0 conjury 0 001 @ {magic} n 0000",
        "bolt": "06 n 01 bolt 0 000",
        "fish": "05 n 01 fish 0 000",
        "carp": "05 n 01 carp 0 001 @ {fish} n 0000",
        "holy": "15 n 01 holy 0 001 @ {magic} n 0000",
    }
    blank = {"magic": "00000000", "fish": "00000000"}
    offsets: dict[str, int] = {}
    at = 0
    for name, body in synsets.items():  # offsets are the lines' byte offsets, 8 digits each
        offsets[name] = at
        at += len(f"{0:08d} {body.format(**blank)} | a gloss  \n")
    refs = {"magic": f"{offsets['magic']:08d}", "fish": f"{offsets['fish']:08d}"}
    data = "".join(
        f"{offsets[name]:08d} {body.format(**refs)} | a gloss  \n" for name, body in synsets.items()
    )
    (folder / "data.noun").write_text(data, encoding="utf-8")
    licence = "  1 This software and database is being provided to you\n"
    (folder / "index.noun").write_text(
        licence
        + f"bolt n 1 0 1 0 {offsets['bolt']:08d}  \n"
        + f"carp n 1 1 @ 1 0 {offsets['carp']:08d}  \n"
        + f"conjuring n 1 1 @ 1 0 {offsets['conjuring']:08d}  \n"
        + f"fish n 1 0 1 0 {offsets['fish']:08d}  \n"
        + f"holy n 1 1 @ 1 0 {offsets['holy']:08d}  \n"
        + f"magic n 1 0 1 1 {offsets['magic']:08d}  \n"
        + "to_a_t n 1 0 1 0 00000000  \n",
        encoding="utf-8",
    )
    (folder / "index.verb").write_text(
        licence + "bolt v 1 0 1 2 00000001  \n" + "carp v 1 0 1 0 00000002  \n",
        encoding="utf-8",
    )
    (folder / "index.adj").write_text(licence + "holy a 1 0 1 0 00000003  \n", encoding="utf-8")
    (folder / "index.adv").write_text(licence, encoding="utf-8")


def test_the_table_is_built_from_wordnets_files(tmp_path: Path) -> None:
    _wordnet(tmp_path)
    out = tmp_path / "related.json.gz"
    assert related.build(tmp_path, out) == 3
    with gzip.open(out, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    # A synonym, then the more general sense's words; a verb first (bolt) and phrases are out.
    # With no tagged sense either way, a noun that is also a verb is read as the noun ("carp"),
    # and one that is also an adjective as the adjective ("holy": a search says "holy month").
    assert table == {
        "carp": ["fish"],
        "conjuring": ["conjury", "magic", "thaumaturgy"],
        "magic": ["thaumaturgy"],
    }


def test_the_shipped_table_is_what_wordnet_builds(tmp_path: Path) -> None:
    if not (related.WORDNET / "data.noun").exists():
        unavailable("Debian's wordnet-base is not installed")
    out = tmp_path / "related.json.gz"
    related.build(related.WORDNET, out)
    with (
        gzip.open(out, "rt", encoding="utf-8") as built,
        gzip.open(related.DATA_FILE, "rt") as shipped,
    ):
        assert json.load(built) == json.load(shipped)
