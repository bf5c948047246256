"""index.adapting: a search's vector moved towards what the vocabulary's everyday wordings mean."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

from index import adapting, analysis, semantic, understanding


@pytest.fixture(scope="module")
def encoder() -> semantic.Encoder:
    found = semantic.encoder()
    assert found is not None, "the sentence model is not fetched: make install"
    return found


def _vector(encoder: semantic.Encoder, text: str) -> np.ndarray:
    return encoder.encode([analysis.spelled_out(text)])[0]


def test_the_adapter_was_learnt_from_todays_vocabulary() -> None:
    found = adapting.adapter()
    assert found is not None, "index/understanding_adapter.npz is missing"
    assert found.made_from == adapting.fingerprint(), (
        "understanding.txt or synonyms.txt changed since the adapter was learnt: "
        "run .venv/bin/python -m index.adapting and commit index/understanding_adapter.npz"
    )
    assert found.matrix.shape == (384, 384)


def test_the_wordings_it_learns_from_are_the_expand_lines_as_written() -> None:
    lines = [
        "# a comment = not a rule",
        "topic sen:vi = sight",
        "expand bunking off, skiving = truancy, attendance  # the everyday words",
        "context phase:primary = Y4",
    ]
    assert understanding.wordings(lines) == [
        ("bunking off", "truancy, attendance"),
        ("skiving", "truancy, attendance"),
    ]
    with pytest.raises(ValueError, match="line 1: no '='"):
        understanding.wordings(["expand bunking off"])


def test_a_wording_the_vocabulary_lacks_moves_towards_what_it_means(
    encoder: semantic.Encoder,
) -> None:
    wording = "the money will not stretch to next year"
    lines = understanding.UNDERSTANDING_FILE.read_text(encoding="utf-8").splitlines()
    assert not any(
        f" {form.lower()} " in f" {wording} " for form, _ in understanding.wordings(lines)
    )
    found = adapting.adapter()
    assert found is not None
    before = _vector(encoder, wording)
    after = found.moved(before)
    meaning = _vector(encoder, "budget deficit, finance")
    unrelated = _vector(encoder, "minibus driver training")
    assert float(after @ meaning) > float(before @ meaning) + 0.1
    assert float(after @ meaning - after @ unrelated) > float(before @ meaning - before @ unrelated)
    assert np.linalg.norm(after) == pytest.approx(1.0, abs=1e-5)


def test_learning_takes_wordings_towards_their_meanings(encoder: semantic.Encoder) -> None:
    pairs = [("bunking off", "truancy, attendance"), ("skint", "budget deficit, finance")]
    matrix = adapting.learn(encoder, pairs, ridge=0.1)
    for form, meaning in pairs:
        moved = adapting.Adapter(matrix, "").moved(_vector(encoder, form))
        assert float(moved @ _vector(encoder, meaning)) > float(
            _vector(encoder, form) @ _vector(encoder, meaning)
        )


def test_the_identity_moves_nothing_and_a_built_file_reads_back(
    encoder: semantic.Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vector = _vector(encoder, "phonics in Year 1")
    assert np.allclose(adapting.Adapter(np.eye(384, dtype=np.float32), "").moved(vector), vector)
    monkeypatch.setattr(understanding, "UNDERSTANDING_FILE", tmp_path / "understanding.txt")
    understanding.UNDERSTANDING_FILE.write_text("expand skint = budget deficit\n", "utf-8")
    path = adapting.build(encoder, tmp_path / "adapter.npz")
    read = adapting.Adapter.read(path)
    assert read.made_from == adapting.fingerprint()
    assert np.allclose(read.matrix, adapting.learn(encoder, [("skint", "budget deficit")]))


def test_without_its_file_or_with_a_damaged_one_searches_keep_their_own_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vector = np.eye(384, dtype=np.float32)[0]
    try:
        monkeypatch.setattr(adapting, "ADAPTER_FILE", tmp_path / "missing.npz")
        adapting.adapter.cache_clear()
        assert adapting.adapter() is None
        assert adapting.moved(vector) is vector
        damaged = tmp_path / "damaged.npz"
        damaged.write_bytes(b"not a numpy file")
        monkeypatch.setattr(adapting, "ADAPTER_FILE", damaged)
        adapting.adapter.cache_clear()
        assert adapting.adapter() is None
        assert adapting.moved(vector) is vector
    finally:
        monkeypatch.undo()
        adapting.adapter.cache_clear()


# --- The model as tuned for searches and needs (query_encoder.npz) ----------------------------


def test_the_query_encoder_was_learnt_from_its_vocabulary_copy_and_training_sets() -> None:
    from benchmarks import query_encoder

    found = adapting.tuning()
    assert found is not None, "index/query_encoder.npz is missing"
    assert found.made_from == query_encoder.fingerprint(), (
        "the vocabulary copy it learns from (benchmarks/encoder_vocabulary.json), a training "
        "judged set or an everyday file changed since the query encoder was learnt: run make "
        "encoder and commit index/query_encoder.npz"
    )
    # Every dense layer of the six: the attention's four and the feed-forward's two.
    assert sum(name.startswith("encoder.layer.") for name in found.factors) == 36


def test_the_vocabulary_copy_holds_wordings_and_synonyms_as_the_files_give_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import query_encoder

    copied = query_encoder.learnt_vocabulary()
    assert copied["wordings"] and all(
        len(pair) == 2 and all(isinstance(part, str) and part for part in pair)
        for pair in copied["wordings"]
    )
    analysis.parse_synonyms(copied["synonyms"])  # raises on a malformed line
    # `make encoder-vocabulary` copies the files as they are now.
    text = understanding.UNDERSTANDING_FILE.read_text(encoding="utf-8")
    copy_of = tmp_path / "understanding.txt"
    copy_of.write_text(text + "\nexpand bunking off lessons = truancy\n", encoding="utf-8")
    monkeypatch.setattr(understanding, "UNDERSTANDING_FILE", copy_of)
    monkeypatch.setattr(query_encoder, "VOCABULARY", tmp_path / "vocabulary.json")
    written = query_encoder.write_vocabulary()
    assert query_encoder.learnt_vocabulary() == written == query_encoder.vocabulary_now()
    assert written["wordings"][-1] == ["bunking off lessons", "truancy"]
    assert written["synonyms"] == analysis.SYNONYMS_FILE.read_text(encoding="utf-8").splitlines()


def test_the_learnt_files_go_stale_with_what_each_learns_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import query_encoder

    text = understanding.UNDERSTANDING_FILE.read_text(encoding="utf-8")
    copy_of = tmp_path / "understanding.txt"
    monkeypatch.setattr(understanding, "UNDERSTANDING_FILE", copy_of)
    vocabulary = tmp_path / "vocabulary.json"
    vocabulary.write_bytes(query_encoder.VOCABULARY.read_bytes())
    monkeypatch.setattr(query_encoder, "VOCABULARY", vocabulary)

    def prints(extra: str) -> tuple[str, str]:
        copy_of.write_text(text + extra, encoding="utf-8")
        return adapting.fingerprint(), query_encoder.fingerprint()

    as_learnt = prints("")
    # Filler, contexts and topics are not learnt from: editing them needs no learning again.
    assert prints("\nfiller = whatnot\ncontext phase:primary = wee ones\n") == as_learnt
    # An everyday wording is learnt by the adapter at once; the encoder learns from its copy
    # of the vocabulary, so it goes stale only when the copy is made again.
    with_wording = prints("\nexpand bunking off lessons = truancy\n")
    assert with_wording[0] != as_learnt[0] and with_wording[1] == as_learnt[1]
    query_encoder.write_vocabulary()
    assert query_encoder.fingerprint() != as_learnt[1]


def test_the_low_rank_changes_read_as_the_changed_weights_would(
    encoder: semantic.Encoder,
) -> None:
    rng = np.random.default_rng(0)
    name = "encoder.layer.2.intermediate.dense.weight"  # PyTorch's (1536, 384)
    down = rng.normal(0, 0.05, (4, 384)).astype(np.float32)
    up = rng.normal(0, 0.05, (1536, 4)).astype(np.float32)
    tuned = encoder.tuned({name: (down, up)}, share=0.5)
    by_hand = copy.copy(encoder)
    by_hand.w = dict(encoder.w)
    by_hand.w[name] = encoder.w[name] + (0.5 * up @ down).T  # kept transposed: x @ W
    by_hand._cache = OrderedDict()
    by_hand._lock = threading.Lock()
    texts = ["phonics in Year 1", "kids too frightened to get out of the car"]
    assert np.allclose(tuned.encode(texts), by_hand.encode(texts), atol=1e-5)
    assert not np.allclose(tuned.encode(texts), encoder.encode(texts), atol=1e-3)
    with pytest.raises(ValueError, match="not a dense layer"):
        encoder.tuned({name: (up, down)})


def test_the_tuned_model_reads_everyday_words_nearer_their_meaning_and_listings_as_before(
    encoder: semantic.Encoder,
) -> None:
    tuned = adapting.for_searches(encoder)
    assert tuned is not encoder
    # A tuning, not another model: the demo directory's listings (held where they were while
    # learning) are read almost as before, and a listing it never saw nearly so.
    from benchmarks import query_encoder

    # A third of them, spread over the file (reading all 290 twice took 24 s of the suite).
    listings = list(query_encoder.listing_texts(None).values())[::3]
    same = (tuned.encode(listings) * encoder.encode(listings)).sum(axis=1)
    # At a search's three quarters of the change (5 December: mean 0.970, least 0.936, learnt
    # from ten sets; in the evening, from twelve: mean 0.964, least 0.931; at night, from
    # fourteen and a search and a need written for each of their listings: mean 0.957, least
    # 0.906; 6 December, from those and three more wordings a listing, two learnings averaged
    # instead of three: mean 0.953, least 0.910).
    assert same.mean() > 0.95 and same.min() > 0.89
    listing = "Emotionally based school avoidance: a whole-school approach. Training and casework."
    # 0.927 on 6 December (over 0.94 while three learnings were averaged, which moves less).
    assert float(tuned.encode([listing])[0] @ encoder.encode([listing])[0]) > 0.91
    wording = "kids too frightened to get out of the car in the morning"
    meaning = encoder.encode(["emotionally based school avoidance, anxiety, attendance"])[0]
    assert float(tuned.encode([wording])[0] @ meaning) > float(
        encoder.encode([wording])[0] @ meaning
    )
    assert adapting.for_searches(encoder) is tuned  # made once
    # A need (a paragraph) takes less of the change than a search: its reading lies between.
    for_needs = adapting.for_searches(encoder, adapting.NEEDS_TUNED_SHARE)
    assert for_needs is not tuned and for_needs is not encoder
    assert adapting.for_searches(encoder, adapting.NEEDS_TUNED_SHARE) is for_needs
    assert adapting.NEEDS_TUNED_SHARE < adapting.TUNED_SHARE
    assert adapting.reading_id(encoder) != adapting.reading_id(encoder, adapting.NEEDS_TUNED_SHARE)
    need = "Teachers have no shared way of assessing the English of pupils who arrive mid-year."
    untuned, half, most = (e.encode([need])[0] for e in (encoder, for_needs, tuned))
    assert float(half @ untuned) > float(most @ untuned)


def test_without_the_query_encoder_or_with_a_damaged_one_the_model_reads_as_it_is(
    encoder: semantic.Encoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        for path, content in (("missing.npz", None), ("damaged.npz", b"not a numpy file")):
            if content is not None:
                (tmp_path / path).write_bytes(content)
            monkeypatch.setattr(adapting, "ENCODER_FILE", tmp_path / path)
            adapting.tuning.cache_clear()
            adapting._FOR_SEARCHES.clear()
            assert adapting.tuning() is None
            assert adapting.for_searches(encoder) is encoder
    finally:
        monkeypatch.undo()
        adapting.tuning.cache_clear()
        adapting._FOR_SEARCHES.clear()


def test_changes_that_do_not_fit_the_model_leave_it_as_it_is_with_a_warning(
    encoder: semantic.Encoder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Another model (BROKER_MATCH_MODEL_DIR) with layers of other sizes: its own reading.
    misfit = adapting.Tuning(
        {"encoder.layer.0.attention.self.query.weight": (np.zeros((8, 768)), np.zeros((768, 8)))},
        "",
    )
    try:
        monkeypatch.setattr(adapting, "tuning", lambda: misfit)
        adapting._FOR_SEARCHES.clear()
        assert adapting.for_searches(encoder) is encoder
        assert "does not fit the sentence model" in caplog.text
    finally:
        monkeypatch.undo()
        adapting._FOR_SEARCHES.clear()
