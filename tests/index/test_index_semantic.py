"""index.semantic: all-MiniLM-L6-v2 in numpy gives the vectors sentence-transformers gives.

The reference vectors were made by sentence-transformers with PyTorch (tools/minilm_reference.py),
which the project does not install: the numpy forward pass must agree with them to 1e-5.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from index import semantic

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "minilm_reference.json"


@pytest.fixture(scope="module")
def encoder() -> semantic.Encoder:
    assert semantic.available(), "the sentence model is not fetched: make install"
    found = semantic.encoder()
    assert found is not None
    return found


def test_the_model_is_installed_with_the_package_and_its_weights_are_the_published_ones() -> None:
    path = semantic.model_path()
    assert path is not None and (path / "model.safetensors").is_file()
    assert (path / "tokenizer.json").is_file()
    digest = hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()
    assert digest == semantic.WEIGHTS_SHA256


def test_a_folder_of_the_models_files_may_stand_in_for_the_package(tmp_path: Path) -> None:
    installed = semantic.model_path()
    assert installed is not None
    assert semantic.model_path(tmp_path) is None and semantic.encoder(str(tmp_path)) is None
    for name in ("model.safetensors", "config.json", "tokenizer.json"):
        (tmp_path / name).symlink_to(installed / name)
    copy = semantic.encoder(str(tmp_path))
    assert copy is not None and copy is not semantic.encoder()
    # One file missing: no model there.
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "model.safetensors").symlink_to(installed / "model.safetensors")
    assert semantic.model_path(partial) is None and semantic.encoder(str(partial)) is None
    text = "phonics for Year 1"
    assert np.array_equal(copy.encode([text]), semantic.encoder().encode([text]))  # type: ignore[union-attr]


def test_vectors_are_the_ones_sentence_transformers_makes(encoder: semantic.Encoder) -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))["texts"]
    assert len(reference) >= 5
    for item in reference:
        expected = np.array(item["vector"], dtype=np.float32)
        got = encoder.encode([item["text"]])[0]
        assert got.shape == (384,)
        assert float(np.abs(got - expected).max()) < 1e-5, item["text"][:40]
        assert float(np.linalg.norm(got)) == pytest.approx(1.0, abs=1e-5)


def test_texts_worked_out_together_get_the_vectors_each_gets_alone(
    encoder: semantic.Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tokens of several texts share each dense layer's product; attention stays within each
    # text, so neither its neighbours nor the batch it falls in (nor the thread that works it
    # out: more than one batch is worked on every core) change a text's vector.
    monkeypatch.setattr(semantic, "BATCH", 3)
    texts = [
        f"{word} support for Year {n} pupils" * (n % 3 + 1)
        for n, word in enumerate(
            ("Reading", "Attendance", "Governor", "Phonics", "Careers", "SEMH", "EAL")
        )
    ]
    encoder._cache.clear()
    told: list[tuple[int, int]] = []
    together = encoder.encode(texts, progress=lambda done, total: told.append((done, total)))
    encoder._cache.clear()
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    assert np.allclose(together, alone, atol=1e-6)
    # Progress is told batch by batch, in order.
    assert told == [(3, 7), (6, 7), (7, 7)]


def test_texts_of_like_meaning_are_closer_than_unrelated_ones(encoder: semantic.Encoder) -> None:
    need = "Two pupils who are partially sighted join nursery; staff have no training in sight loss"
    alike = encoder.similarity(
        need,
        [
            "Advisory teachers for children with a visual impairment",
            "Governor training on reading the school's performance data",
        ],
    )
    assert alike[0] > alike[1] + 0.15


def test_encode_keeps_order_caches_and_handles_nothing(encoder: semantic.Encoder) -> None:
    texts = ["phonics in Year 1", "attendance officer", "phonics in Year 1"]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, 384)
    assert np.array_equal(vectors[0], vectors[2])
    assert not np.array_equal(vectors[0], vectors[1])
    assert encoder.encode([]).shape == (0, 384)
    assert encoder.similarity("anything", []) == []


def test_the_cache_is_bounded(encoder: semantic.Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic, "CACHE_SIZE", 3)
    encoder.encode([f"bounded cache text {i}" for i in range(6)])
    assert len(encoder._cache) <= 3


def test_one_encoder_serves_threads_at_once(encoder: semantic.Encoder) -> None:
    texts = [f"safeguarding training for new staff, group {i}" for i in range(8)]
    expected = encoder.encode(texts)
    encoder._cache.clear()
    results: list[np.ndarray] = [np.zeros(0)] * 4
    errors: list[BaseException] = []

    def work(slot: int) -> None:
        try:
            results[slot] = encoder.encode(texts)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for got in results:
        assert np.allclose(got, expected, atol=1e-6)


def test_files_that_are_not_the_model_give_no_encoder_and_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in semantic.FILES:
        (tmp_path / name).write_text("not a model", encoding="utf-8")
    with caplog.at_level("WARNING", logger="index.semantic"):
        assert semantic.encoder(str(tmp_path)) is None
        assert semantic.encoder(str(tmp_path)) is None  # not read again
    assert sum("could not be read" in r.getMessage() for r in caplog.records) == 1


def test_neighbours_give_the_closest_first_and_follow_updates_and_removals() -> None:
    import numpy as np

    neighbours = semantic.Neighbours()
    axis = np.eye(3, 384, dtype=np.float32)
    neighbours.update([10, 20, 30], axis, seq=4)
    search = (axis[1] * 0.8 + axis[2] * 0.6).astype(np.float32)
    assert [i for i, _ in neighbours.nearest(search, 2)] == [20, 30]
    assert neighbours.seq == 4 and len(neighbours) == 3
    # A changed listing's vector replaces its old one; a withdrawn one is gone.
    neighbours.update([20], axis[:1])
    neighbours.remove([30])
    assert sorted(neighbours.nearest(search, 5)) == [(10, 0.0), (20, 0.0)]
    assert neighbours.cosines(search, [30, 20]) == [0.0, 0.0]  # 30: no vector now
    # `every`: these are all the listings now.
    neighbours.update([40], axis[2:], every=True)
    assert [i for i, _ in neighbours.nearest(search, 5)] == [40]
    assert neighbours.cosines(search, [40]) == [pytest.approx(0.6)]


def test_a_listing_with_two_readings_is_as_close_as_the_closer_of_them() -> None:
    import numpy as np

    neighbours = semantic.Neighbours(readings=2)
    axis = np.eye(4, 384, dtype=np.float32)
    # Listing 1 reads as axis 0 or axis 1; listing 2 as axis 2 both times.
    neighbours.update([1, 2], np.stack([axis[[0, 2]], axis[[1, 2]]]))  # reading by reading
    search = (axis[1] * 0.6 + axis[2] * 0.8).astype(np.float32)
    assert neighbours.nearest(search, 2) == [(2, pytest.approx(0.8)), (1, pytest.approx(0.6))]
    assert neighbours.cosines(search, [1, 2, 3]) == [
        pytest.approx(0.6),
        pytest.approx(0.8),
        0.0,
    ]
    # A change replaces both readings.
    neighbours.update([1], axis[[3, 3]].reshape(2, 1, 384))
    assert neighbours.cosines(search, [1]) == [0.0]


def test_the_vector_file_is_read_by_another_process_and_ignores_a_half_written_record(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    import numpy as np

    path = tmp_path / "vectors.bin"
    writer = semantic.VectorFile(path)
    one = np.eye(1, 384, dtype=np.float32)[0]
    writer.add({semantic.text_key("one"): one})
    reader = semantic.VectorFile(path)
    assert set(reader.read()) == {semantic.text_key("one")}
    two = np.eye(1, 384, 5, dtype=np.float32)[0]
    record = bytes.fromhex(semantic.text_key("two")) + two.tobytes()
    with path.open("ab") as handle:  # a record being written as the file is read
        handle.write(record[:100])
    assert set(reader.read()) == {semantic.text_key("one")}
    assert np.array_equal(reader.read()[semantic.text_key("one")], one)
    with path.open("ab") as handle:  # ... and written whole: read from where it begins
        handle.write(record[100:])
    read = reader.read()
    assert set(read) == {semantic.text_key("one"), semantic.text_key("two")}
    assert np.array_equal(read[semantic.text_key("two")], two)
    assert np.array_equal(read[semantic.text_key("one")], one)


def test_a_compacted_vector_file_keeps_what_is_asked_and_other_readers_start_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vectors.bin"
    writer = semantic.VectorFile(path)
    rows = {name: np.eye(1, 384, k, dtype=np.float32)[0] for k, name in enumerate("abcd")}
    keys = {name: semantic.text_key(name) for name in rows}
    writer.add({keys[n]: rows[n] for n in "abc"})
    writer.add({keys["a"]: rows["a"], keys["d"]: rows["d"]})  # a repeat, as processes may
    reader = semantic.VectorFile(path)  # another process, already past every record
    assert set(reader.read()) == set(keys.values())
    assert writer.compact([keys["a"], keys["c"], semantic.text_key("never kept")]) == 3
    assert path.stat().st_size == 2 * semantic.VectorFile.RECORD
    # The other process appends to the new file, then reads: the new file from its start,
    # never a record cut in two by an offset into the old one.
    e = np.eye(1, 384, 9, dtype=np.float32)[0]
    reader.add({semantic.text_key("e"): e})
    found = reader.read()
    assert set(found) == {keys["a"], keys["c"], semantic.text_key("e")}
    assert np.array_equal(found[keys["c"]], rows["c"])
    assert np.array_equal(found[semantic.text_key("e")], e)
    assert writer.compact(found) == 0  # nothing to leave out: the file is left as it is
